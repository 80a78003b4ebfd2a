/* Unit tests for the i8254 PIT: every mode's OUT waveform against a fake clock, latches, read-back. */
#include <string.h>

#include <criterion/criterion.h>
#include <criterion/parameterized.h>

#include "devices/i8254.h"
#include "devices/io_bus.h"

static uint64_t now_ns;
static struct pit pit;
static struct io_bus bus;
static unsigned rises, falls;
static bool line;

static uint64_t fake_now(void *opaque)
{
	(void)opaque;
	return now_ns;
}

static void record_irq(void *opaque, unsigned n, bool level)
{
	(void)opaque;
	cr_assert_eq(n, PIT_IRQ);
	cr_assert_neq(level, line, "the PIT drives its line only on changes");
	line = level;
	if (level)
		rises++;
	else
		falls++;
}

/* Set the clock to `t` PIT input clocks (plus a base so 0 is not special). */
#define BASE_TICKS 1000000ULL
static void at_tick(uint64_t t)
{
	now_ns = clock_ticks_to_ns(BASE_TICKS + t, PIT_HZ);
}

static void outb(uint16_t port, uint8_t v)
{
	cr_assert(io_bus_write(&bus, port, 1, v));
}

static uint8_t inb(uint16_t port)
{
	uint32_t v;

	cr_assert(io_bus_read(&bus, port, 1, &v));
	return (uint8_t)v;
}

static void setup(void)
{
	struct clock clk = {.now_ns = fake_now};
	struct irq_line irq = {record_irq, NULL};

	rises = falls = 0;
	line = false;
	at_tick(0);
	pit_init(&pit, &clk, &irq);
	io_bus_init(&bus);
	cr_assert_eq(io_bus_register(&bus, PIT_PORT, PIT_PORT_COUNT, &pit_io_ops, &pit), 0);
	cr_assert_eq(io_bus_register(&bus, PIT_SPEAKER_PORT, 1, &pit_port61_io_ops, &pit), 0);
}

TestSuite(i8254, .init = setup);

static void program(unsigned ch, unsigned mode, uint16_t count)
{
	outb(0x43, (uint8_t)(ch << 6 | 0x30 | mode << 1));
	outb((uint16_t)(0x40 + ch), (uint8_t)count);
	outb((uint16_t)(0x40 + ch), (uint8_t)(count >> 8));
}

/* OUT at clocks 0, 1, 2, ... after the count is written (and, for gated modes on channel 2,
 * after the gate rises at clock 0), as the datasheet's timing diagrams draw it. */
struct wave_case {
	unsigned channel, mode;
	uint16_t count;
	bool trigger;
	char out[24];
};

ParameterizedTestParameters(i8254, waveforms)
{
	static struct wave_case cases[] = {
	    {0, 0, 4, false, "0000111111111"},   /* interrupt on terminal count */
	    {2, 1, 3, true, "0001111111"},       /* one-shot */
	    {0, 2, 4, false, "1110111011101"},   /* rate generator: low for one clock */
	    {0, 3, 4, false, "1100110011001"},   /* square wave, even count */
	    {0, 3, 5, false, "111001110011100"}, /* odd: one clock longer high */
	    {0, 4, 4, false, "1111011111111"},   /* software strobe */
	    {2, 5, 3, true, "1110111111"},       /* hardware strobe */
	    {0, 6, 3, false, "110110110"},       /* mode 6 is mode 2 */
	    {0, 7, 2, false, "101010"},          /* mode 7 is mode 3 */
	    {2, 2, 3, true, "110110110"},        /* mode 2 started by the gate */
	};
	return cr_make_param_array(struct wave_case, cases, sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct wave_case *c, i8254, waveforms, .init = setup)
{
	if (c->channel == 2)
		outb(0x61, 0x00);
	program(c->channel, c->mode, c->count);
	if (c->trigger) {
		cr_assert_eq(pit_out(&pit, 2), c->mode != 0, "before the trigger");
		outb(0x61, PIT_61_GATE2);
	}
	for (size_t t = 0; c->out[t]; t++) {
		at_tick(t);
		cr_assert_eq(pit_out(&pit, c->channel), c->out[t] == '1', "mode %u clock %zu",
		             c->mode, t);
	}
}

Test(i8254, out_after_control_word)
{
	for (unsigned mode = 0; mode < 6; mode++) {
		outb(0x43, (uint8_t)(0x30 | mode << 1));
		cr_assert_eq(pit_out(&pit, 0), mode != 0, "mode %u", mode);
	}
}

Test(i8254, mode0_counts_down_and_wraps)
{
	program(0, 0, 100);
	at_tick(10);
	cr_assert_eq(pit_count(&pit, 0), 90);
	at_tick(100);
	cr_assert_eq(pit_count(&pit, 0), 0);
	at_tick(101);
	cr_assert_eq(pit_count(&pit, 0), 0xFFFF, "it keeps counting after terminal count");
	cr_assert(pit_out(&pit, 0));
}

Test(i8254, mode3_counts_by_two)
{
	program(0, 3, 10);
	static const uint16_t even[] = {10, 8, 6, 4, 2, 10, 8};
	for (unsigned t = 0; t < 7; t++) {
		at_tick(t);
		cr_assert_eq(pit_count(&pit, 0), even[t], "clock %u", t);
	}
	program(0, 3, 5);
	static const uint16_t odd[] = {5, 4, 2, 5, 2, 5};
	for (unsigned t = 0; t < 6; t++) {
		at_tick(6 + t);
		cr_assert_eq(pit_count(&pit, 0), odd[t], "clock %u", t);
	}
}

Test(i8254, zero_count_is_65536)
{
	program(0, 2, 0);
	at_tick(1);
	cr_assert_eq(pit_count(&pit, 0), 0xFFFF);
	at_tick(65535);
	cr_assert_not(pit_out(&pit, 0));
	at_tick(65536);
	cr_assert(pit_out(&pit, 0));
}

Test(i8254, lsb_msb_and_word_access)
{
	outb(0x43, 0x10 | 0x00); /* ch0 LSB only, mode 0 */
	outb(0x40, 0x50);
	at_tick(0x10);
	cr_assert_eq(inb(0x40), 0x40);
	outb(0x43, 0x20); /* MSB only */
	outb(0x40, 0x02);
	at_tick(0x20);
	cr_assert_eq(inb(0x40), 0x01, "0x200 - 0x10 = 0x1F0: MSB 0x01");
	outb(0x43, 0x30);
	outb(0x40, 0x34);
	outb(0x40, 0x12);
	cr_assert_eq(inb(0x40), 0x34);
	cr_assert_eq(inb(0x40), 0x12);
}

Test(i8254, latch_holds_the_count)
{
	program(0, 2, 1000);
	at_tick(10);
	outb(0x43, 0x00); /* counter latch, channel 0 */
	at_tick(500);
	outb(0x43, 0x00); /* ignored: the first latch is unread */
	cr_assert_eq(inb(0x40), (990 & 0xFF));
	cr_assert_eq(inb(0x40), 990 >> 8);
	cr_assert_eq(inb(0x40), (500 & 0xFF), "released: live again");
}

Test(i8254, read_back_status_and_count)
{
	program(2, 4, 300);
	at_tick(5);
	outb(0x43, 0xC8); /* read-back: count and status, channel 2 */
	cr_assert_eq(inb(0x42), PIT_STATUS_OUT | 0x30 | 4 << 1);
	cr_assert_eq(inb(0x42), 300 & 0xFF, "gate 2 is low: mode 4 does not count");
	cr_assert_eq(inb(0x42), 300 >> 8);
	outb(0x43, 0x34);
	outb(0x43, 0xE2); /* status only, channel 0: null count until a count is written */
	cr_assert_eq(inb(0x40), PIT_STATUS_OUT | PIT_STATUS_NULL | 0x34,
	             "mode 2 raises OUT at once");
}

Test(i8254, bcd_counting)
{
	outb(0x43, 0x31 | 2 << 1); /* mode 2, BCD */
	outb(0x40, 0x00);
	outb(0x40, 0x01); /* 100 decimal */
	at_tick(1);
	cr_assert_eq(inb(0x40), 0x99);
	cr_assert_eq(inb(0x40), 0x00);
	at_tick(99);
	cr_assert_not(pit_out(&pit, 0));
	at_tick(100);
	cr_assert(pit_out(&pit, 0));
	outb(0x43, 0x31);
	outb(0x40, 0xFF); /* not decimal: still bounded */
	outb(0x40, 0xFF);
	at_tick(101);
	cr_assert_leq(pit_count(&pit, 0), 9999);
}

Test(i8254, gate_pauses_mode0)
{
	outb(0x61, PIT_61_GATE2);
	program(2, 0, 100);
	at_tick(30);
	outb(0x61, 0);
	at_tick(80);
	cr_assert_eq(pit_count(&pit, 2), 70);
	outb(0x61, PIT_61_GATE2);
	at_tick(150);
	cr_assert_eq(pit_count(&pit, 2), 0);
	cr_assert(pit_out(&pit, 2));
}

Test(i8254, port61_bits)
{
	outb(0x61, 0xFF);
	now_ns = 0;
	uint8_t a = inb(0x61);
	cr_assert_eq(a & 0x0F, 0x0F);
	cr_assert_eq(a & 0xC0, 0);
	now_ns = PIT_REFRESH_HALF_NS;
	uint8_t b = inb(0x61);
	cr_assert_neq(a & PIT_61_REFRESH, b & PIT_61_REFRESH, "the refresh bit toggles");
	program(2, 0, 10);
	cr_assert_eq(inb(0x61) & PIT_61_OUT2, 0);
	now_ns += clock_ticks_to_ns(11, PIT_HZ);
	cr_assert_eq(inb(0x61) & PIT_61_OUT2, PIT_61_OUT2);
}

Test(i8254, irq0_edges_are_counted_lazily)
{
	program(0, 2, 100);
	cr_assert_eq(pit_poll(&pit), 1, "the control word raised OUT0");
	cr_assert_eq(rises, 1);
	at_tick(1000);
	cr_assert_eq(pit_poll(&pit), 10);
	cr_assert_eq(rises, 2, "missed ticks coalesce into one pulse");
	cr_assert_eq(falls, 1);
	at_tick(1000);
	cr_assert_eq(pit_poll(&pit), 0);
	uint64_t ns;
	cr_assert(pit_next_edge_ns(&pit, &ns));
	cr_assert_eq(ns, clock_ticks_to_ns(BASE_TICKS + 1100, PIT_HZ));
}

Test(i8254, mode0_one_edge_then_silence)
{
	program(0, 0, 50);
	cr_assert_eq(pit_poll(&pit), 0);
	at_tick(60);
	cr_assert_eq(pit_poll(&pit), 1);
	at_tick(100000);
	cr_assert_eq(pit_poll(&pit), 0);
	cr_assert_not(pit_next_edge_ns(&pit, NULL));
}

Test(i8254, control_port_reads_all_ones)
{
	cr_assert_eq(inb(0x43), 0xFF);
}
