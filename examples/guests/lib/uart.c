/* Polled output on COM1, the 16550A every child partition has. */
#include <stdbool.h>
#include <stdint.h>

#include "guest.h"

#define UART_THR                  0U
#define UART_DLL                  0U
#define UART_IER                  1U
#define UART_DLM                  1U
#define UART_FCR                  2U
#define UART_LCR                  3U
#define UART_MCR                  4U
#define UART_LSR                  5U

#define UART_LCR_8N1              0x03U
#define UART_LCR_DLAB             0x80U
#define UART_FCR_ENABLE_AND_CLEAR 0x07U
#define UART_MCR_DTR_RTS          0x03U
#define UART_LSR_THRE             0x20U

/* On real hardware a byte takes ~87 us at 115200 baud; this many polls is far more than enough,
 * and the bound keeps a broken UART from hanging the guest forever. */
#define UART_THRE_POLLS 100000U

static bool uart_ready;

static void uart_init(void)
{
	outb(GUEST_COM1_PORT + UART_IER, 0); /* polled: no interrupts */
	outb(GUEST_COM1_PORT + UART_LCR, UART_LCR_DLAB);
	outb(GUEST_COM1_PORT + UART_DLL, 1); /* divisor 1: 115200 baud */
	outb(GUEST_COM1_PORT + UART_DLM, 0);
	outb(GUEST_COM1_PORT + UART_LCR, UART_LCR_8N1);
	outb(GUEST_COM1_PORT + UART_FCR, UART_FCR_ENABLE_AND_CLEAR);
	outb(GUEST_COM1_PORT + UART_MCR, UART_MCR_DTR_RTS);
	uart_ready = true;
}

static void uart_send(uint8_t byte)
{
	for (uint32_t i = 0; i < UART_THRE_POLLS; i++) {
		if (inb(GUEST_COM1_PORT + UART_LSR) & UART_LSR_THRE)
			break;
	}
	outb(GUEST_COM1_PORT + UART_THR, byte);
}

void guest_putc(char c)
{
	if (!uart_ready)
		uart_init();
	if (c == '\n')
		uart_send('\r');
	uart_send((uint8_t)c);
}

void guest_puts(const char *s)
{
	while (*s != '\0')
		guest_putc(*s++);
}
