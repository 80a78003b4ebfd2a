/* A 16550A UART model: register semantics, the receive FIFO, loopback and the interrupt line. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "devices/uart16550.h"
#include "monitor/lib/errno.h"

/* What the upper bytes of a 2- or 4-byte read return, and what a port past the registers reads. */
#define UART_FLOATING_BUS 0xFFFFFFFFU

/* Modem status inputs when not in loopback: a terminal is attached and ready (DCD, DSR, CTS). */
#define UART_MSR_LINE_READY (UART_MSR_DCD | UART_MSR_DSR | UART_MSR_CTS)

void uart16550_init(struct uart16550 *uart, uart16550_tx_fn tx, void *tx_opaque)
{
	*uart = (struct uart16550){
	    .tx = tx,
	    .tx_opaque = tx_opaque,
	    /* Divisor 12 = 9600 baud; the 16550's reset leaves it undefined, so any value is honest. */
	    .dll = 12,
	};
}

static bool is_dlab(const struct uart16550 *uart)
{
	return (uart->lcr & UART_LCR_DLAB) != 0;
}

static bool is_loopback(const struct uart16550 *uart)
{
	return (uart->mcr & UART_MCR_LOOP) != 0;
}

/* The status half of MSR. In loopback the outputs of MCR feed the inputs, wired as the 16550A
 * data sheet describes: RTS->CTS, DTR->DSR, OUT1->RI, OUT2->DCD. */
static uint8_t msr_status(const struct uart16550 *uart)
{
	if (!is_loopback(uart))
		return UART_MSR_LINE_READY;
	uint8_t msr = 0;
	if (uart->mcr & UART_MCR_RTS)
		msr |= UART_MSR_CTS;
	if (uart->mcr & UART_MCR_DTR)
		msr |= UART_MSR_DSR;
	if (uart->mcr & UART_MCR_OUT1)
		msr |= UART_MSR_RI;
	if (uart->mcr & UART_MCR_OUT2)
		msr |= UART_MSR_DCD;
	return msr;
}

static void rx_clear(struct uart16550 *uart)
{
	uart->rx_head = 0;
	uart->rx_count = 0;
}

/* Returns false when the FIFO is full. */
static bool rx_push(struct uart16550 *uart, uint8_t byte)
{
	if (uart->rx_count >= UART16550_RX_FIFO_SIZE)
		return false;
	uart->rx_fifo[(uart->rx_head + uart->rx_count) % UART16550_RX_FIFO_SIZE] = byte;
	uart->rx_count++;
	return true;
}

static uint8_t rx_pop(struct uart16550 *uart)
{
	if (uart->rx_count == 0)
		return uart->rbr;
	uart->rbr = uart->rx_fifo[uart->rx_head];
	uart->rx_head = (uint8_t)((uart->rx_head + 1U) % UART16550_RX_FIFO_SIZE);
	uart->rx_count--;
	return uart->rbr;
}

/* The highest-priority pending, enabled interrupt as an IIR identification, or UART_IIR_NO_INT.
 * Priorities from the data sheet: line status, received data, THR empty, modem status. The
 * character-timeout source never fires: without timing, data ready always reports as RX_DATA. */
static uint8_t pending_interrupt(const struct uart16550 *uart)
{
	if ((uart->ier & UART_IER_ELSI) && (uart->lsr_errors & UART_LSR_OE))
		return UART_IIR_ID_RX_LINE;
	if ((uart->ier & UART_IER_ERBFI) && uart->rx_count > 0)
		return UART_IIR_ID_RX_DATA;
	if ((uart->ier & UART_IER_ETBEI) && uart->thre_pending)
		return UART_IIR_ID_THRE;
	if ((uart->ier & UART_IER_EDSSI) && (uart->msr_delta & UART_MSR_DELTA))
		return UART_IIR_ID_MSR;
	return UART_IIR_NO_INT;
}

bool uart16550_irq_pending(const struct uart16550 *uart)
{
	return pending_interrupt(uart) != UART_IIR_NO_INT;
}

static void transmit(struct uart16550 *uart, uint8_t byte)
{
	if (is_loopback(uart)) {
		/* The guest overran its own receiver: the byte is lost, as on the chip. */
		if (!rx_push(uart, byte))
			uart->lsr_errors |= UART_LSR_OE;
	} else if (uart->tx != NULL) {
		uart->tx(uart->tx_opaque, byte);
	}
	/* The byte left at once, so THR is empty again and the THRE event fires anew. */
	uart->thre_pending = true;
}

static void write_ier(struct uart16550 *uart, uint8_t value)
{
	uint8_t old = uart->ier;
	uart->ier = value & UART_IER_MASK;
	/* Enabling the THRE interrupt while THR is empty (always, here) raises it at once. */
	if ((uart->ier & UART_IER_ETBEI) && !(old & UART_IER_ETBEI))
		uart->thre_pending = true;
}

static void write_fcr(struct uart16550 *uart, uint8_t value)
{
	/* Toggling the FIFO enable empties both FIFOs. */
	if ((value ^ uart->fcr) & UART_FCR_ENABLE)
		rx_clear(uart);
	/* With FIFOs off, the data sheet says the other FCR bits are not programmed. */
	if (!(value & UART_FCR_ENABLE)) {
		uart->fcr = 0;
		return;
	}
	if (value & UART_FCR_CLEAR_RX)
		rx_clear(uart);
	/* The clear bits self-clear; DMA mode and the trigger level are kept but change nothing. */
	uart->fcr = value & (uint8_t)(UART_FCR_ENABLE | UART_FCR_DMA_MODE | UART_FCR_TRIGGER);
}

static void write_mcr(struct uart16550 *uart, uint8_t value)
{
	uint8_t old_msr = msr_status(uart);
	uart->mcr = value & UART_MCR_MASK;
	uint8_t new_msr = msr_status(uart);
	uint8_t changed = old_msr ^ new_msr;
	if (changed & UART_MSR_CTS)
		uart->msr_delta |= UART_MSR_DCTS;
	if (changed & UART_MSR_DSR)
		uart->msr_delta |= UART_MSR_DDSR;
	if (changed & UART_MSR_DCD)
		uart->msr_delta |= UART_MSR_DDCD;
	/* TERI reports only the trailing edge of RI (on to off). */
	if ((old_msr & UART_MSR_RI) && !(new_msr & UART_MSR_RI))
		uart->msr_delta |= UART_MSR_TERI;
}

static uint8_t read_iir(struct uart16550 *uart)
{
	uint8_t id = pending_interrupt(uart);
	/* Reading IIR while it reports THRE is what acknowledges that interrupt. */
	if (id == UART_IIR_ID_THRE)
		uart->thre_pending = false;
	uint8_t fifos = (uart->fcr & UART_FCR_ENABLE) ? UART_IIR_FIFOS_ON : 0;
	return (uint8_t)(id | fifos);
}

static uint8_t read_lsr(struct uart16550 *uart)
{
	uint8_t lsr = UART_LSR_THRE | UART_LSR_TEMT | uart->lsr_errors;
	if (uart->rx_count > 0)
		lsr |= UART_LSR_DR;
	/* Error bits clear when read. */
	uart->lsr_errors = 0;
	return lsr;
}

static uint8_t read_msr(struct uart16550 *uart)
{
	uint8_t msr = (uint8_t)(msr_status(uart) | uart->msr_delta);
	uart->msr_delta = 0;
	return msr;
}

static uint8_t read_register(struct uart16550 *uart, uint16_t offset)
{
	switch (offset) {
	case UART_RBR: return is_dlab(uart) ? uart->dll : rx_pop(uart);
	case UART_IER: return is_dlab(uart) ? uart->dlm : uart->ier;
	case UART_IIR: return read_iir(uart);
	case UART_LCR: return uart->lcr;
	case UART_MCR: return uart->mcr;
	case UART_LSR: return read_lsr(uart);
	case UART_MSR: return read_msr(uart);
	case UART_SCR: return uart->scr;
	default: return 0xFF; /* unreachable: offsets past 7 are filtered by the caller */
	}
}

static void write_register(struct uart16550 *uart, uint16_t offset, uint8_t value)
{
	switch (offset) {
	case UART_THR:
		if (is_dlab(uart))
			uart->dll = value;
		else
			transmit(uart, value);
		break;
	case UART_IER:
		if (is_dlab(uart))
			uart->dlm = value;
		else
			write_ier(uart, value);
		break;
	case UART_FCR: write_fcr(uart, value); break;
	case UART_LCR: uart->lcr = value; break;
	case UART_MCR: write_mcr(uart, value); break;
	/* LSR and MSR writes reach factory-test logic on real parts; a guest gets nothing from it. */
	case UART_LSR: break;
	case UART_MSR: break;
	case UART_SCR: uart->scr = value; break;
	default: break;
	}
}

static uint32_t uart16550_io_read(void *opaque, uint16_t offset, uint8_t size)
{
	(void)size; /* the bus masks the result; the upper bytes are floating either way */
	if (offset >= UART16550_PORT_COUNT)
		return UART_FLOATING_BUS;
	return (UART_FLOATING_BUS & ~0xFFU) | read_register(opaque, offset);
}

static void uart16550_io_write(void *opaque, uint16_t offset, uint8_t size, uint32_t value)
{
	(void)size; /* only the first register is written; the other bytes have nowhere to go */
	if (offset >= UART16550_PORT_COUNT)
		return;
	write_register(opaque, offset, (uint8_t)value);
}

const struct io_device_ops uart16550_io_ops = {
    .read = uart16550_io_read,
    .write = uart16550_io_write,
};

int uart16550_receive(struct uart16550 *uart, uint8_t byte)
{
	if (is_loopback(uart))
		return -EBUSY;
	if (!rx_push(uart, byte))
		return -ENOSPC;
	return 0;
}
