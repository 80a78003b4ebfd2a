/* arch_init(): the machine set-up between entry.S and monitor_main(). */
#include "monitor/arch/boot.h"

#include "monitor/arch/cpu.h"
#include "monitor/arch/gdt.h"
#include "monitor/arch/idt.h"
#include "monitor/serial.h"

/* The master and slave 8259 interrupt mask registers. */
#define PIC_MASTER_IMR 0x21
#define PIC_SLAVE_IMR  0xA1

void arch_init(void)
{
	/* First, so that anything below that goes wrong can be reported. */
	serial_init();
	gdt_init();
	idt_init();
	/*
	 * The BIOS leaves the 8259s delivering IRQ 0-7 on vectors 8-15, which are exceptions in
	 * protected mode. The monitor takes no legacy interrupts: mask them all, so that turning
	 * interrupts on later (or a host interrupt arriving while a guest runs) cannot masquerade
	 * as a #DF or a #GP.
	 */
	asm_outb(PIC_MASTER_IMR, 0xFF);
	asm_outb(PIC_SLAVE_IMR, 0xFF);
}
