/* A 16550A UART model (the child platform's COM1): polled output, a small receive FIFO, register state. */
#ifndef DEVICES_UART16550_H
#define DEVICES_UART16550_H

#include <stdbool.h>
#include <stdint.h>

#include "devices/io_bus.h"

#define UART16550_PORT_COUNT   8U
#define UART16550_RX_FIFO_SIZE 16U

/* Register offsets from the base port. Where two names share an offset, LCR.DLAB or the access
 * direction picks one. */
#define UART_RBR            0U /* read, DLAB=0: receive buffer */
#define UART_THR            0U /* write, DLAB=0: transmit holding */
#define UART_DLL            0U /* DLAB=1: divisor latch, low byte */
#define UART_IER            1U /* DLAB=0: interrupt enable */
#define UART_DLM            1U /* DLAB=1: divisor latch, high byte */
#define UART_IIR            2U /* read: interrupt identification */
#define UART_FCR            2U /* write: FIFO control */
#define UART_LCR            3U
#define UART_MCR            4U
#define UART_LSR            5U
#define UART_MSR            6U
#define UART_SCR            7U

#define UART_IER_ERBFI      0x01U /* received data available */
#define UART_IER_ETBEI      0x02U /* transmit holding register empty */
#define UART_IER_ELSI       0x04U /* receiver line status */
#define UART_IER_EDSSI      0x08U /* modem status */
#define UART_IER_MASK       0x0FU /* the upper nibble is reserved and reads 0 */

#define UART_IIR_NO_INT     0x01U /* set when nothing is pending */
#define UART_IIR_ID_MASK    0x0EU
#define UART_IIR_ID_MSR     0x00U
#define UART_IIR_ID_THRE    0x02U
#define UART_IIR_ID_RX_DATA 0x04U
#define UART_IIR_ID_RX_LINE 0x06U
#define UART_IIR_FIFOS_ON   0xC0U

#define UART_FCR_ENABLE     0x01U
#define UART_FCR_CLEAR_RX   0x02U
#define UART_FCR_CLEAR_TX   0x04U
#define UART_FCR_DMA_MODE   0x08U
#define UART_FCR_TRIGGER    0xC0U

#define UART_LCR_DLAB       0x80U

#define UART_MCR_DTR        0x01U
#define UART_MCR_RTS        0x02U
#define UART_MCR_OUT1       0x04U
#define UART_MCR_OUT2       0x08U
#define UART_MCR_LOOP       0x10U
#define UART_MCR_MASK       0x1FU /* bits 7:5 are reserved and read 0 */

#define UART_LSR_DR         0x01U /* data ready */
#define UART_LSR_OE         0x02U /* overrun error */
#define UART_LSR_THRE       0x20U /* transmit holding register empty */
#define UART_LSR_TEMT       0x40U /* transmitter empty */

#define UART_MSR_DCTS       0x01U
#define UART_MSR_DDSR       0x02U
#define UART_MSR_TERI       0x04U /* trailing edge of RI */
#define UART_MSR_DDCD       0x08U
#define UART_MSR_DELTA      0x0FU
#define UART_MSR_CTS        0x10U
#define UART_MSR_DSR        0x20U
#define UART_MSR_RI         0x40U
#define UART_MSR_DCD        0x80U

/* Called with every byte the guest transmits (not in loopback mode), from the exit path. */
typedef void (*uart16550_tx_fn)(void *opaque, uint8_t byte);

/*
 * Output is instantaneous: a byte written to THR is handed to `tx` at once, so LSR.THRE and
 * LSR.TEMT always read 1 and the transmit FIFO is never modelled. There is no baud-rate timing;
 * the divisor is only stored. Fields are private to uart16550.c.
 */
struct uart16550 {
	uart16550_tx_fn tx;
	void *tx_opaque;
	uint8_t ier;
	uint8_t lcr;
	uint8_t mcr;
	uint8_t scr;
	uint8_t dll;
	uint8_t dlm;
	uint8_t fcr;        /* as last written, for the FIFO-enable and trigger bits */
	uint8_t lsr_errors; /* UART_LSR_OE until LSR is read */
	uint8_t msr_delta;  /* UART_MSR_DELTA bits until MSR is read */
	bool thre_pending;  /* the THRE interrupt, until IIR reports it or THR is written */
	uint8_t rx_fifo[UART16550_RX_FIFO_SIZE];
	uint8_t rx_head;
	uint8_t rx_count;
	uint8_t rbr; /* the last byte read, what RBR returns when the FIFO is empty */
};

/* The UART after a hardware reset, sending to `tx` (NULL: transmitted bytes are dropped). */
void uart16550_init(struct uart16550 *uart, uart16550_tx_fn tx, void *tx_opaque);

/*
 * The bus handlers; register with opaque = the struct uart16550 and count = UART16550_PORT_COUNT.
 * A 2- or 4-byte access is an access to the register at its first port only: a write uses the
 * low byte and drops the rest, a read returns that register in the low byte and all ones above
 * (as if nothing drove the upper data lines). Offsets past 7 read all ones and drop writes.
 */
extern const struct io_device_ops uart16550_io_ops;

/*
 * Input from the outside world into the receive FIFO. Returns 0, -ENOSPC when the FIFO holds
 * UART16550_RX_FIFO_SIZE bytes (the caller keeps the byte and retries later: nothing is lost, so
 * no overrun is flagged), or -EBUSY in loopback mode, where the receiver is disconnected from
 * the line. The FIFO buffers 16 bytes even when the guest has FIFOs disabled, for the same reason.
 */
int uart16550_receive(struct uart16550 *uart, uint8_t byte);

/*
 * The chip's INTR output, from IER and state: received data, an overrun, a THR-empty event or a
 * modem-status change, each when enabled in IER. On a real PC board the line reaches the PIC only
 * while MCR.OUT2 is set; like QEMU, this model leaves that gate out, because guests written
 * against QEMU rely on interrupts without OUT2.
 */
bool uart16550_irq_pending(const struct uart16550 *uart);

#endif
