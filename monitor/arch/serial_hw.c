/* COM1 16550 UART driver: port I/O, polled, no interrupts. */
#include "monitor/serial.h"

#include <stdint.h>

#include "monitor/arch/cpu.h"

#define COM1_BASE 0x3F8U

/* 16550 registers (offsets from the base) and the bits used here. */
#define UART_THR       0U /* transmit holding (write) */
#define UART_DLL       0U /* divisor latch low (with LCR.DLAB) */
#define UART_IER       1U /* interrupt enable */
#define UART_DLM       1U /* divisor latch high (with LCR.DLAB) */
#define UART_FCR       2U /* FIFO control (write) */
#define UART_LCR       3U /* line control */
#define UART_MCR       4U /* modem control */
#define UART_LSR       5U /* line status */
#define UART_LCR_8N1   0x03U
#define UART_LCR_DLAB  0x80U
#define UART_FCR_SETUP 0xC7U /* FIFOs on, both cleared, receive trigger at 14 bytes */
#define UART_MCR_SETUP 0x03U /* DTR and RTS; OUT2 off, so the UART raises no IRQ */
#define UART_LSR_THRE  0x20U /* holding register empty: room for the next byte */
#define UART_LSR_TEMT  0x40U /* holding and shift registers empty: the line is idle */

#define UART_CLOCK_HZ  115200U
#define BAUD           115200U

/*
 * Polls before giving up on the UART. One byte takes about 87 us at 115200 baud and each poll is
 * an I/O port read (a microsecond or so on hardware, often more under emulation), so this is far
 * longer than any working UART needs and short enough that a missing one cannot hang the monitor.
 */
#define UART_POLL_LIMIT 1000000U

static void uart_wait(uint8_t lsr_bits)
{
	for (unsigned i = 0; i < UART_POLL_LIMIT; i++) {
		if ((asm_inb(COM1_BASE + UART_LSR) & lsr_bits) == lsr_bits)
			return;
		asm_pause();
	}
}

void serial_init(void)
{
	uint16_t divisor = UART_CLOCK_HZ / BAUD;

	asm_outb(COM1_BASE + UART_IER, 0);
	asm_outb(COM1_BASE + UART_LCR, UART_LCR_DLAB);
	asm_outb(COM1_BASE + UART_DLL, (uint8_t)divisor);
	asm_outb(COM1_BASE + UART_DLM, (uint8_t)(divisor >> 8));
	asm_outb(COM1_BASE + UART_LCR, UART_LCR_8N1);
	asm_outb(COM1_BASE + UART_FCR, UART_FCR_SETUP);
	asm_outb(COM1_BASE + UART_MCR, UART_MCR_SETUP);
}

static void uart_send(uint8_t byte)
{
	uart_wait(UART_LSR_THRE);
	asm_outb(COM1_BASE + UART_THR, byte);
}

void serial_putc(char c)
{
	if (c == '\n')
		uart_send('\r');
	uart_send((uint8_t)c);
}

void serial_drain(void)
{
	uart_wait(UART_LSR_THRE | UART_LSR_TEMT);
}
