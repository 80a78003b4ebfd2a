/* Unit tests for the 16550A model: every register, DLAB, FIFOs, loopback, interrupts, hostile access. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>

#include "devices/io_bus.h"
#include "devices/uart16550.h"
#include "monitor/lib/errno.h"

#define COM1 0x3F8U

static struct uart16550 uart;
static struct io_bus bus;
static uint8_t sent[512];
static size_t nr_sent;

static void record_tx(void *opaque, uint8_t byte)
{
	cr_assert_eq(opaque, &nr_sent, "tx must get the opaque it was given");
	if (nr_sent < sizeof(sent))
		sent[nr_sent] = byte;
	nr_sent++;
}

static void setup(void)
{
	nr_sent = 0;
	uart16550_init(&uart, record_tx, &nr_sent);
	io_bus_init(&bus);
	cr_assert_eq(io_bus_register(&bus, COM1, UART16550_PORT_COUNT, &uart16550_io_ops, &uart),
	             0);
}

static uint8_t inb(uint16_t reg)
{
	uint32_t value;
	cr_assert(io_bus_read(&bus, (uint16_t)(COM1 + reg), 1, &value));
	cr_assert_leq(value, 0xFF);
	return (uint8_t)value;
}

static void outb(uint16_t reg, uint8_t value)
{
	cr_assert(io_bus_write(&bus, (uint16_t)(COM1 + reg), 1, value));
}

TestSuite(uart16550, .init = setup);

Test(uart16550, reset_state)
{
	cr_assert_eq(inb(UART_IER), 0);
	cr_assert_eq(inb(UART_IIR), UART_IIR_NO_INT);
	cr_assert_eq(inb(UART_LCR), 0);
	cr_assert_eq(inb(UART_MCR), 0);
	cr_assert_eq(inb(UART_LSR), UART_LSR_THRE | UART_LSR_TEMT);
	cr_assert_eq(inb(UART_MSR), UART_MSR_DCD | UART_MSR_DSR | UART_MSR_CTS);
	cr_assert_eq(inb(UART_SCR), 0);
	cr_assert_not(uart16550_irq_pending(&uart));
}

/* Registers that read back what was written, masked to their implemented bits. */
struct readback_case {
	uint8_t reg;
	bool dlab;
	uint8_t written;
	uint8_t expected;
};

ParameterizedTestParameters(uart16550, register_readback)
{
	static struct readback_case cases[] = {
	    {UART_IER, false, 0x0F, 0x0F}, {UART_IER, false, 0xFF, 0x0F},
	    {UART_IER, false, 0x05, 0x05}, {UART_LCR, false, 0x1B, 0x1B},
	    {UART_LCR, false, 0x7F, 0x7F}, {UART_MCR, false, 0x0B, 0x0B},
	    {UART_MCR, false, 0xFF, 0x1F}, {UART_SCR, false, 0x00, 0x00},
	    {UART_SCR, false, 0x5A, 0x5A}, {UART_SCR, false, 0xFF, 0xFF},
	    {UART_DLL, true, 0x01, 0x01},  {UART_DLL, true, 0xFF, 0xFF},
	    {UART_DLM, true, 0x00, 0x00},  {UART_DLM, true, 0xA5, 0xA5},
	    {UART_LCR, true, 0x83, 0x83},  {UART_SCR, true, 0x42, 0x42},
	};
	return cr_make_param_array(struct readback_case, cases, sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct readback_case *c, uart16550, register_readback)
{
	if (c->dlab)
		outb(UART_LCR, UART_LCR_DLAB);
	outb(c->reg, c->written);
	cr_assert_eq(inb(c->reg), c->expected, "reg %u dlab %d wrote %#x", c->reg, c->dlab,
	             c->written);
	cr_assert_eq(nr_sent, 0, "no register write may transmit");
}

Test(uart16550, dlab_switches_between_divisor_and_data_registers)
{
	outb(UART_IER, 0x03);
	outb(UART_LCR, UART_LCR_DLAB | 0x03);
	outb(UART_DLL, 0x01);
	outb(UART_DLM, 0x02);
	cr_assert_eq(nr_sent, 0, "a DLL write is not a transmit");
	cr_assert_eq(inb(UART_DLL), 0x01);
	cr_assert_eq(inb(UART_DLM), 0x02);
	outb(UART_LCR, 0x03);
	cr_assert_eq(inb(UART_IER), 0x03, "IER survives the divisor write");
	outb(UART_THR, 'x');
	cr_assert_eq(nr_sent, 1);
	cr_assert_eq(sent[0], 'x');
	outb(UART_LCR, UART_LCR_DLAB);
	cr_assert_eq(inb(UART_DLL), 0x01);
	cr_assert_eq(inb(UART_DLM), 0x02);
	/* DLAB does not hide the registers above offset 1. */
	cr_assert_eq(inb(UART_LSR) & (UART_LSR_THRE | UART_LSR_TEMT),
	             UART_LSR_THRE | UART_LSR_TEMT);
}

Test(uart16550, transmit_reaches_the_callback_in_order)
{
	const char *msg = "hello\r\n\x1b[2J";
	for (size_t i = 0; msg[i] != '\0'; i++) {
		cr_assert(inb(UART_LSR) & UART_LSR_THRE);
		outb(UART_THR, (uint8_t)msg[i]);
	}
	cr_assert_eq(nr_sent, strlen(msg));
	cr_assert_arr_eq(sent, msg, strlen(msg));
}

Test(uart16550, receive_fifo_and_overflow)
{
	cr_assert_eq(inb(UART_LSR) & UART_LSR_DR, 0);
	for (int i = 0; i < (int)UART16550_RX_FIFO_SIZE; i++)
		cr_assert_eq(uart16550_receive(&uart, (uint8_t)('a' + i)), 0);
	cr_assert_eq(uart16550_receive(&uart, 'Z'), -ENOSPC);
	cr_assert_eq(inb(UART_LSR) & UART_LSR_OE, 0, "a refused byte is not an overrun");
	for (int i = 0; i < (int)UART16550_RX_FIFO_SIZE; i++) {
		cr_assert(inb(UART_LSR) & UART_LSR_DR);
		cr_assert_eq(inb(UART_RBR), 'a' + i);
	}
	cr_assert_eq(inb(UART_LSR) & UART_LSR_DR, 0);
	/* An empty FIFO reads the last byte again, without underflowing. */
	cr_assert_eq(inb(UART_RBR), 'a' + UART16550_RX_FIFO_SIZE - 1);
	cr_assert_eq(uart16550_receive(&uart, 'q'), 0);
	cr_assert_eq(inb(UART_RBR), 'q');
}

Test(uart16550, fifo_control_clears_and_reports)
{
	cr_assert_eq(inb(UART_IIR) & UART_IIR_FIFOS_ON, 0);
	outb(UART_FCR, UART_FCR_ENABLE | 0xC0);
	cr_assert_eq(inb(UART_IIR) & UART_IIR_FIFOS_ON, UART_IIR_FIFOS_ON);
	cr_assert_eq(uart16550_receive(&uart, 1), 0);
	cr_assert_eq(uart16550_receive(&uart, 2), 0);
	outb(UART_FCR, UART_FCR_ENABLE | UART_FCR_CLEAR_RX);
	cr_assert_eq(inb(UART_LSR) & UART_LSR_DR, 0);
	cr_assert_eq(uart16550_receive(&uart, 3), 0);
	/* Turning FIFOs off empties them too. */
	outb(UART_FCR, 0);
	cr_assert_eq(inb(UART_LSR) & UART_LSR_DR, 0);
	cr_assert_eq(inb(UART_IIR) & UART_IIR_FIFOS_ON, 0);
}

Test(uart16550, loopback_returns_written_bytes)
{
	outb(UART_MCR, UART_MCR_LOOP);
	outb(UART_THR, 0x55);
	outb(UART_THR, 0xAA);
	cr_assert_eq(nr_sent, 0, "loopback must not reach the line");
	cr_assert(inb(UART_LSR) & UART_LSR_DR);
	cr_assert_eq(inb(UART_RBR), 0x55);
	cr_assert_eq(inb(UART_RBR), 0xAA);
	cr_assert_eq(inb(UART_LSR) & UART_LSR_DR, 0);
	cr_assert_eq(uart16550_receive(&uart, 'x'), -EBUSY);
	outb(UART_MCR, 0);
	outb(UART_THR, 'y');
	cr_assert_eq(nr_sent, 1);
}

Test(uart16550, loopback_overrun_sets_and_clears_oe)
{
	outb(UART_MCR, UART_MCR_LOOP);
	for (unsigned i = 0; i < UART16550_RX_FIFO_SIZE + 3; i++)
		outb(UART_THR, (uint8_t)i);
	uint8_t lsr = inb(UART_LSR);
	cr_assert(lsr & UART_LSR_OE);
	cr_assert(lsr & UART_LSR_DR);
	cr_assert_eq(inb(UART_LSR) & UART_LSR_OE, 0, "OE clears when LSR is read");
	for (unsigned i = 0; i < UART16550_RX_FIFO_SIZE; i++)
		cr_assert_eq(inb(UART_RBR), i, "the bytes that fitted arrive intact");
}

/* The check Linux's 8250 driver uses to tell a real UART: loopback wires MCR to MSR. */
Test(uart16550, loopback_modem_lines)
{
	outb(UART_MCR, UART_MCR_LOOP | UART_MCR_OUT2 | UART_MCR_RTS);
	cr_assert_eq(inb(UART_MSR) & 0xF0, UART_MSR_DCD | UART_MSR_CTS);
	outb(UART_MCR, UART_MCR_LOOP | UART_MCR_DTR | UART_MCR_OUT1);
	uint8_t msr = inb(UART_MSR);
	cr_assert_eq(msr & 0xF0, UART_MSR_DSR | UART_MSR_RI);
	cr_assert_eq(msr & UART_MSR_DELTA, UART_MSR_DCTS | UART_MSR_DDSR | UART_MSR_DDCD);
	cr_assert_eq(inb(UART_MSR) & UART_MSR_DELTA, 0, "deltas clear when MSR is read");
	outb(UART_MCR, UART_MCR_LOOP);
	cr_assert_eq(inb(UART_MSR) & UART_MSR_DELTA, UART_MSR_DDSR | UART_MSR_TERI);
}

Test(uart16550, rx_interrupt)
{
	outb(UART_IER, UART_IER_ERBFI);
	cr_assert_not(uart16550_irq_pending(&uart));
	cr_assert_eq(uart16550_receive(&uart, 'k'), 0);
	cr_assert(uart16550_irq_pending(&uart));
	cr_assert_eq(inb(UART_IIR) & 0x0F, UART_IIR_ID_RX_DATA);
	cr_assert(uart16550_irq_pending(&uart), "reading IIR does not acknowledge RX data");
	cr_assert_eq(inb(UART_RBR), 'k');
	cr_assert_not(uart16550_irq_pending(&uart));
	cr_assert_eq(inb(UART_IIR), UART_IIR_NO_INT);
}

Test(uart16550, thre_interrupt)
{
	outb(UART_IER, UART_IER_ETBEI);
	cr_assert(uart16550_irq_pending(&uart), "enabling ETBEI with THR empty interrupts at once");
	cr_assert_eq(inb(UART_IIR) & 0x0F, UART_IIR_ID_THRE);
	cr_assert_not(uart16550_irq_pending(&uart), "reading IIR acknowledges THRE");
	cr_assert_eq(inb(UART_IIR), UART_IIR_NO_INT);
	outb(UART_THR, 'a');
	cr_assert(uart16550_irq_pending(&uart), "each transmitted byte empties THR again");
	outb(UART_IER, 0);
	cr_assert_not(uart16550_irq_pending(&uart));
}

Test(uart16550, interrupt_priority)
{
	outb(UART_IER, UART_IER_MASK);
	outb(UART_MCR, UART_MCR_LOOP);
	for (unsigned i = 0; i < UART16550_RX_FIFO_SIZE + 1; i++)
		outb(UART_THR, 'x');
	outb(UART_MCR, UART_MCR_LOOP | UART_MCR_RTS);
	cr_assert_eq(inb(UART_IIR) & 0x0F, UART_IIR_ID_RX_LINE);
	(void)inb(UART_LSR);
	cr_assert_eq(inb(UART_IIR) & 0x0F, UART_IIR_ID_RX_DATA);
	for (unsigned i = 0; i < UART16550_RX_FIFO_SIZE; i++)
		(void)inb(UART_RBR);
	cr_assert_eq(inb(UART_IIR) & 0x0F, UART_IIR_ID_THRE);
	cr_assert_eq(inb(UART_IIR) & 0x0F, UART_IIR_ID_MSR);
	(void)inb(UART_MSR);
	cr_assert_eq(inb(UART_IIR), UART_IIR_NO_INT);
	cr_assert_not(uart16550_irq_pending(&uart));
}

Test(uart16550, lsr_and_msr_writes_are_ignored)
{
	outb(UART_LSR, 0x00);
	outb(UART_MSR, 0x00);
	cr_assert_eq(inb(UART_LSR), UART_LSR_THRE | UART_LSR_TEMT);
	cr_assert_eq(inb(UART_MSR), UART_MSR_DCD | UART_MSR_DSR | UART_MSR_CTS);
}

Test(uart16550, wide_accesses_touch_the_first_register_only)
{
	uint32_t value;
	outb(UART_SCR, 0x12);
	cr_assert(io_bus_read(&bus, COM1 + UART_SCR, 2, &value));
	cr_assert_eq(value, 0xFF12);
	cr_assert(io_bus_read(&bus, COM1 + UART_SCR, 4, &value));
	cr_assert_eq(value, 0xFFFFFF12U);
	cr_assert(io_bus_write(&bus, COM1 + UART_LCR, 2, 0x5503));
	cr_assert_eq(inb(UART_LCR), 0x03);
	cr_assert_eq(inb(UART_MCR), 0x00, "the second byte must not reach MCR");
	cr_assert(io_bus_write(&bus, COM1 + UART_THR, 4, 0x44434241U));
	cr_assert_eq(nr_sent, 1);
	cr_assert_eq(sent[0], 0x41);
}

Test(uart16550, offsets_past_the_registers)
{
	/* The bus never passes these, but the ops may be wired to a wider range by mistake. */
	for (uint32_t offset = UART16550_PORT_COUNT; offset <= 0xFFFF; offset += 97) {
		cr_assert_eq(uart16550_io_ops.read(&uart, (uint16_t)offset, 1), 0xFFFFFFFFU);
		uart16550_io_ops.write(&uart, (uint16_t)offset, 4, 0);
	}
	cr_assert_eq(nr_sent, 0);
	cr_assert_eq(inb(UART_LCR), 0);
}

/* Every size at every offset with hostile values, in DLAB and loopback too: nothing may crash,
 * reads stay inside their size, and the LSR invariants hold. */
Test(uart16550, hostile_access_sweep)
{
	static const uint8_t sizes[] = {1, 2, 4};
	static const uint32_t values[] = {0,    0xFF,        0x80,        0x10,
	                                  0x1F, 0xFFFFFFFFU, 0xDEADBEEFU, 0x83};
	for (size_t round = 0; round < 4; round++) {
		for (uint16_t offset = 0; offset < UART16550_PORT_COUNT + 4; offset++) {
			for (size_t s = 0; s < sizeof(sizes); s++) {
				for (size_t v = 0; v < sizeof(values) / sizeof(values[0]); v++) {
					uint32_t value;
					uint16_t port = (uint16_t)(COM1 + offset);
					bool claimed = io_bus_read(&bus, port, sizes[s], &value);
					cr_assert_eq(claimed, offset < UART16550_PORT_COUNT);
					cr_assert_eq(value & ~io_size_mask(sizes[s]), 0);
					(void)io_bus_write(&bus, port, sizes[s], values[v] ^ round);
					(void)uart16550_receive(&uart, (uint8_t)v);
					(void)uart16550_irq_pending(&uart);
				}
			}
		}
		uint8_t lsr = inb(UART_LSR);
		cr_assert_eq(lsr & (UART_LSR_THRE | UART_LSR_TEMT), UART_LSR_THRE | UART_LSR_TEMT);
		cr_assert_eq(inb(UART_MCR) & ~UART_MCR_MASK, 0);
		cr_assert_eq(inb(UART_IIR) & 0x30, 0, "IIR bits 5:4 are always 0");
	}
}
