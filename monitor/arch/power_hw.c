/* machine_exit() on the (emulated) machine: QEMU's isa-debug-exit, Bochs's shutdown port, then halt. */
#include "monitor/power.h"

#include <stdint.h>

#include "monitor/arch/cpu.h"
#include "monitor/serial.h"

#define QEMU_DEBUG_EXIT_PORT 0xF4U
#define BOCHS_SHUTDOWN_PORT  0x8900U

_Noreturn void machine_exit(int code)
{
	/* Bytes still in the UART FIFO would be lost when the emulator stops. */
	serial_drain();

	asm_outl(QEMU_DEBUG_EXIT_PORT, (uint32_t)code);

	/* Bochs stops when it has seen the whole word, one byte at a time, on this port. */
	for (const char *p = "Shutdown"; *p; p++)
		asm_outb(BOCHS_SHUTDOWN_PORT, (uint8_t)*p);

	asm_halt_forever();
}
