/* Multiboot v1 UART-interrupt guest: COM1 transmits from its THRE interrupt and receives through loopback. */
#include "args.h"
#include "idt.h"
#include "intc.h"
#include "mbguest.h"
#include "timing.h"
#include "x86.h"

#define COM1        0x3f8
#define THR         (COM1 + 0)
#define RBR         (COM1 + 0)
#define IER         (COM1 + 1)
#define IIR         (COM1 + 2)
#define FCR         (COM1 + 2)
#define LCR         (COM1 + 3)
#define MCR         (COM1 + 4)
#define LSR         (COM1 + 5)
#define MSR         (COM1 + 6)

#define IER_RDA     0x01
#define IER_THRE    0x02

#define IIR_NONE    0x01 /* bit 0 set: no interrupt pending */
#define IIR_ID      0x0e
#define IIR_MODEM   0x00
#define IIR_THRE    0x02
#define IIR_RDA     0x04
#define IIR_RLS     0x06
#define IIR_TIMEOUT 0x0c
#define IIR_FIFO_ON 0xc0

#define MCR_DTR     0x01
#define MCR_RTS     0x02
#define MCR_OUT2    0x08 /* on a PC, gates the UART's interrupt onto IRQ 4 */
#define MCR_LOOP    0x10

#define LSR_DR      0x01
#define LSR_TEMT    0x40

#define VEC_COM1    (PIC_VECTOR_BASE + PIC_IRQ_COM1)

static const char tx_text[] = "uart_irq: this line went out one byte per THRE event\n";
static const char rx_text[] = "loopback 0123456789 abcdef";

static volatile uint32_t tx_next, irq_entries, thre_events, rda_events, other_events;
static volatile bool tx_done;
static volatile uint8_t bad_iir; /* the first IIR with an unexpected value, 0 if none */
static volatile uint8_t want_fifo_bits;
static char rx_buf[sizeof(rx_text)];
static volatile uint32_t rx_len;

/*
 * The handler serves every cause IIR reports until it reads "none": IRQ 4 is edge triggered at
 * the 8259, so returning while the UART still asserts its line would lose the next edge.
 */
static void on_com1(struct int_frame *f)
{
	(void)f;
	irq_entries++;
	for (int guard = 0; guard < 64; guard++) {
		uint8_t iir = inb(IIR);

		if (iir & IIR_NONE)
			break;
		if ((iir & IIR_FIFO_ON) != want_fifo_bits && !bad_iir)
			bad_iir = iir;
		switch (iir & IIR_ID) {
		case IIR_THRE:
			thre_events++;
			if (tx_next < sizeof(tx_text) - 1) {
				outb(THR, (uint8_t)tx_text[tx_next++]);
			} else {
				outb(IER, inb(IER) & ~IER_THRE);
				tx_done = true;
			}
			break;
		case IIR_RDA:
		case IIR_TIMEOUT:
			rda_events++;
			while (inb(LSR) & LSR_DR) {
				uint8_t c = inb(RBR);
				if (rx_len < sizeof(rx_buf) - 1)
					rx_buf[rx_len] = (char)c;
				rx_len++;
			}
			break;
		case IIR_RLS:
			other_events++;
			(void)inb(LSR);
			break;
		default: /* modem status */
			other_events++;
			(void)inb(MSR);
			if (!bad_iir)
				bad_iir = iir;
			break;
		}
	}
	pic_eoi(PIC_IRQ_COM1);
}

static void drain(void)
{
	for (int i = 0; i < 1000000 && !(inb(LSR) & LSR_TEMT); i++)
		;
}

static bool wait_flag(volatile bool *flag, uint32_t timeout_us)
{
	uint64_t end = rdtsc() + us_to_tsc(timeout_us);

	while (!*flag)
		if (rdtsc() > end)
			return false;
	return true;
}

static void test_transmit(void)
{
	uint32_t len = sizeof(tx_text) - 1;
	uint8_t iir_idle;
	bool done;

	put_line("uart_irq: transmitting from the THRE interrupt (FIFO off)");
	drain();
	outb(FCR, 0);
	want_fifo_bits = 0;
	iir_idle = inb(IIR);
	outb(MCR, MCR_DTR | MCR_RTS | MCR_OUT2);
	pic_unmask(PIC_IRQ_COM1);
	/* Enabling the THRE interrupt with the holding register empty raises it at once. */
	outb(IER, IER_THRE);
	done = wait_flag(&tx_done, 500000);
	drain();
	put_str("uart_irq: IIR before ");
	put_hex(iir_idle);
	put_str(", ");
	put_dec(tx_next);
	put_str(" of ");
	put_dec(len);
	put_str(" bytes sent, ");
	put_dec(thre_events);
	put_str(" THRE events in ");
	put_dec(irq_entries);
	put_line(" interrupt(s)");
	check(iir_idle == IIR_NONE, "IIR reads 0x01 (nothing pending, FIFO off) before IER is set");
	check(done && tx_next == len, "every byte of the line was written from the handler");
	/* One THRE event per byte, and one more when the last has gone and the handler stops. */
	check(thre_events == len + 1, "one THRE event per byte, plus the final one");
	check(irq_entries >= 1 && irq_entries <= thre_events, "IRQ 4 delivered through the 8259");
	check(bad_iir == 0, "IIR showed THRE only, FIFO bits clear");
	check((inb(IER) & IER_THRE) == 0 && (inb(IIR) & IIR_NONE),
	      "THRE off and nothing pending after");
}

static void test_loopback(void)
{
	uint32_t len = sizeof(rx_text) - 1, entries0 = irq_entries;
	uint8_t iir_fifo, msr;
	bool in_order;

	put_line("uart_irq: receiving through loopback (FIFO on, trigger level 1)");
	drain();
	outb(FCR, 0x07); /* enable, clear both FIFOs, trigger at 1 byte */
	want_fifo_bits = IIR_FIFO_ON;
	iir_fifo = inb(IIR);
	bad_iir = 0;
	outb(MCR, MCR_LOOP | MCR_OUT2 | MCR_DTR | MCR_RTS);
	/* Loopback ties DTR->DSR, RTS->CTS, OUT1->RI, OUT2->DCD: the status register shows them. */
	msr = inb(MSR) & 0xf0;
	outb(IER, IER_RDA);
	for (uint32_t i = 0; i < len; i++) {
		uint64_t end;

		for (int j = 0; j < 100000 && !(inb(LSR) & 0x20); j++)
			;
		outb(THR, (uint8_t)rx_text[i]);
		/* One byte at a time: each must come back, through the handler, before the next. */
		end = rdtsc() + us_to_tsc(20000);
		while (rx_len <= i && rdtsc() < end)
			;
	}
	outb(IER, 0);
	outb(MCR, MCR_DTR | MCR_RTS | MCR_OUT2);
	rx_buf[rx_len < sizeof(rx_buf) ? rx_len : sizeof(rx_buf) - 1] = 0;
	in_order = rx_len == len && memcmp(rx_buf, rx_text, len) == 0;
	put_str("uart_irq: IIR with the FIFO on ");
	put_hex(iir_fifo);
	put_str(", MSR in loopback ");
	put_hex(msr);
	put_str(", received '");
	put_str(rx_buf);
	put_str("' (");
	put_dec(rx_len);
	put_str(" bytes) in ");
	put_dec(rda_events);
	put_str(" RDA event(s), ");
	put_dec(irq_entries - entries0);
	put_line(" interrupt(s)");
	check(iir_fifo == (IIR_FIFO_ON | IIR_NONE), "IIR reads 0xc1 with the FIFO enabled");
	check(msr == 0xb0, "loopback: MSR shows DCD, DSR, CTS from OUT2, DTR, RTS");
	check(in_order, "every looped-back byte received, in order");
	check(rda_events >= 1 && irq_entries > entries0, "received data raised IRQ 4");
	check(bad_iir == 0, "IIR showed RDA or timeout only, FIFO bits set");
	check((inb(LSR) & LSR_DR) == 0 && (inb(IIR) & IIR_NONE),
	      "receiver empty, nothing pending after");
	outb(FCR, 0);
}

int main(uint32_t magic, const void *info)
{
	const char *source, *cmdline = mb_cmdline(magic, info);

	put_line("multiboot v1 UART-interrupt guest");
	put_str("cmdline '");
	put_str(cmdline);
	put_line("'");
	idt_init();
	pic_init();
	check(tsc_calibrate(10000, &source) >= 1000, "TSC calibrated (for timeouts)");
	lapic_enable(true); /* the 8259 reaches the processor through LINT0 (ExtINT) */
	idt_set_handler(VEC_COM1, on_com1);
	outb(IER, 0);
	outb(LCR, 0x03); /* 8 data bits, no parity, 1 stop bit, DLAB clear */
	irq_enable();
	test_transmit();
	test_loopback();
	irq_disable();
	pic_mask(PIC_IRQ_COM1);
	check(idt_unexpected_count() == 0, "no interrupt on another vector");
	put_str(failures() ? "uart_irq: FAILED, " : "uart_irq: all checks passed, ");
	put_dec(failures());
	put_line(" failure(s)");
	return (int)failures();
}
