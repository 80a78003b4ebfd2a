/* The i8254 PIT: six counter modes computed lazily from the clock, latches, read-back, port 0x61. */
#include <string.h>

#include "devices/i8254.h"
#include "devices/io_bytes.h"

static uint64_t now_ticks(const struct pit *pit)
{
	return clock_ns_to_ticks(clock_now_ns(&pit->clock), PIT_HZ);
}

/* Modes 6 and 7 are 2 and 3 with a don't-care bit (the status still shows what was written). */
static unsigned mode_of(const struct pit_channel *ch)
{
	return ch->mode >= 6 ? ch->mode - 4U : ch->mode;
}

static uint32_t modulus(const struct pit_channel *ch)
{
	return ch->bcd ? 10000U : 65536U;
}

static uint16_t to_bcd(uint32_t v)
{
	return (uint16_t)((v / 1000 % 10) << 12 | (v / 100 % 10) << 8 | (v / 10 % 10) << 4 |
	                  v % 10);
}

/* A BCD count with non-decimal digits (a guest can write any byte) still gives a count in range. */
static uint32_t from_bcd(uint16_t v)
{
	return ((v >> 12) & 15U) * 1000U + ((v >> 8) & 15U) * 100U + ((v >> 4) & 15U) * 10U +
	       (v & 15U);
}

static bool is_counting(const struct pit_channel *ch)
{
	return ch->loaded && !ch->armed;
}

/* Input clocks since counting began (frozen while the gate suspends a mode 0 or 4 count). */
static uint64_t elapsed(const struct pit_channel *ch, uint64_t now)
{
	if (ch->paused)
		return ch->paused_at;
	return now > ch->start ? now - ch->start : 0;
}

/* The counting element after d clocks, in binary, 0 standing for the full modulus. */
static uint32_t value_at(const struct pit_channel *ch, uint64_t d)
{
	uint32_t n = ch->n, m = modulus(ch), t, h;

	if (!is_counting(ch))
		return ch->frozen;
	switch (mode_of(ch)) {
	case 2: return (n - (uint32_t)(d % n)) % m;
	case 3:
		/* Square wave: the count drops by two each clock, so each half of the period
		 * lasts n/2 clocks; an odd count spends one clock more in the high half, whose
		 * first step is 1 (and the low half's first step is 3), as the datasheet says. */
		t = (uint32_t)(d % n);
		h = (n + 1) / 2;
		if ((n & 1U) == 0)
			return (n - 2 * (t % (n / 2))) % m;
		if (t < h)
			return (t == 0 ? n : n + 1 - 2 * t) % m;
		t -= h;
		return (t == 0 ? n : n - 1 - 2 * t) % m;
	default:
		/* Modes 0, 1, 4, 5 count down through zero and wrap, never reloading. */
		return (n + m - (uint32_t)(d % m)) % m;
	}
}

static bool out_at(const struct pit_channel *ch, uint64_t d)
{
	uint32_t n = ch->n;

	if (!ch->loaded || ch->armed)
		return ch->out_idle;
	switch (mode_of(ch)) {
	case 0:
	case 1: return d >= n;
	case 2: return d % n != n - 1U;
	case 3: return d % n < (n + 1) / 2;
	default: return d != n; /* modes 4 and 5: one clock low at terminal count */
	}
}

/* The clock count (after the start) at which OUT next rises after d, or 0 for never. */
static uint64_t next_rise(const struct pit_channel *ch, uint64_t d)
{
	uint64_t n = ch->n;

	if (!is_counting(ch) || ch->paused)
		return 0;
	switch (mode_of(ch)) {
	case 0:
	case 1: return d < n ? n : 0;
	case 2:
	case 3: return n == 1 ? 0 : (d / n + 1) * n; /* a count of 1 is illegal: OUT stands */
	default: return d < n + 1 ? n + 1 : 0;
	}
}

/* Rising edges of OUT in (d0, d1]. */
static uint64_t rises_between(const struct pit_channel *ch, uint64_t d0, uint64_t d1)
{
	uint64_t n = ch->n, at;

	if (!is_counting(ch) || d1 <= d0)
		return 0;
	switch (mode_of(ch)) {
	case 2:
	case 3: return n == 1 ? 0 : d1 / n - d0 / n;
	default: at = (mode_of(ch) <= 1) ? n : n + 1; return d0 < at && at <= d1;
	}
}

static uint32_t current_value(struct pit *pit, struct pit_channel *ch)
{
	return value_at(ch, elapsed(ch, now_ticks(pit)));
}

static uint16_t readable(const struct pit_channel *ch, uint32_t v)
{
	return ch->bcd ? to_bcd(v % 10000U) : (uint16_t)v;
}

static void channel_reset(struct pit_channel *ch, bool gate)
{
	memset(ch, 0, sizeof(*ch));
	ch->rw = PIT_RW_WORD;
	ch->gate = gate;
}

void pit_init(struct pit *pit, const struct clock *clock, const struct irq_line *irq)
{
	memset(pit, 0, sizeof(*pit));
	if (clock)
		pit->clock = *clock;
	if (irq)
		pit->irq = *irq;
	for (unsigned i = 0; i < PIT_CHANNELS; i++)
		channel_reset(&pit->ch[i], i != 2);
}

bool pit_out(struct pit *pit, unsigned channel)
{
	struct pit_channel *ch;

	if (channel >= PIT_CHANNELS)
		return false;
	ch = &pit->ch[channel];
	return out_at(ch, elapsed(ch, now_ticks(pit)));
}

uint16_t pit_count(struct pit *pit, unsigned channel)
{
	if (channel >= PIT_CHANNELS)
		return 0;
	return (uint16_t)current_value(pit, &pit->ch[channel]);
}

/* The written count enters the counting element (at once: the model has no CLK edge to wait for). */
static void load_count(struct pit *pit, struct pit_channel *ch)
{
	uint32_t m = modulus(ch), n = ch->bcd ? from_bcd(ch->reg) % m : ch->reg;
	unsigned mode = mode_of(ch);

	ch->n = n == 0 ? m : n;
	ch->loaded = true;
	ch->null_count = false;
	ch->paused = false;
	ch->start = now_ticks(pit);
	ch->generation++;
	if (mode == 1 || mode == 5) {
		/* Hardware-triggered: nothing happens until the gate rises. */
		ch->armed = true;
		ch->frozen = (uint16_t)(ch->n % m);
	} else if (!ch->gate) {
		if (mode == 0 || mode == 4) {
			ch->paused = true;
			ch->paused_at = 0;
		} else {
			ch->armed = true; /* modes 2, 3: the gate's rising edge starts them */
			ch->frozen = (uint16_t)(ch->n % m);
		}
	} else {
		ch->armed = false;
	}
}

void pit_set_gate(struct pit *pit, unsigned channel, bool gate)
{
	struct pit_channel *ch;
	uint64_t now;
	unsigned mode;

	if (channel >= PIT_CHANNELS)
		return;
	ch = &pit->ch[channel];
	if (ch->gate == gate)
		return;
	ch->gate = gate;
	if (!ch->loaded)
		return;
	now = now_ticks(pit);
	mode = mode_of(ch);
	if (mode == 0 || mode == 4) {
		/* The gate suspends counting and resumes it where it stopped. */
		if (!gate) {
			ch->paused_at = elapsed(ch, now);
			ch->paused = true;
		} else if (ch->paused) {
			ch->start = now - (ch->paused_at < now ? ch->paused_at : now);
			ch->paused = false;
		}
		return;
	}
	if (gate) {
		/* Modes 1, 2, 3, 5: a rising edge (re)starts the count from the top. */
		ch->armed = false;
		ch->start = now;
		ch->generation++;
	} else if (mode == 2 || mode == 3) {
		/* Gate low stops the count with OUT high. */
		ch->frozen = (uint16_t)value_at(ch, elapsed(ch, now));
		ch->armed = true;
	}
}

static uint8_t status_of(struct pit *pit, struct pit_channel *ch)
{
	return (uint8_t)((pit_out(pit, (unsigned)(ch - pit->ch)) ? PIT_STATUS_OUT : 0) |
	                 (ch->null_count ? PIT_STATUS_NULL : 0) | ch->rw << PIT_CW_RW_SHIFT |
	                 ch->mode << PIT_CW_MODE_SHIFT | (ch->bcd ? PIT_CW_BCD : 0));
}

/* A later latch command does nothing until the latched value has been read. */
static void latch_count(struct pit *pit, struct pit_channel *ch)
{
	if (ch->count_latched)
		return;
	ch->latch = readable(ch, current_value(pit, ch));
	ch->count_latched = true;
	ch->latch_msb = false;
}

static void latch_status(struct pit *pit, struct pit_channel *ch)
{
	if (ch->status_latched)
		return;
	ch->status = status_of(pit, ch);
	ch->status_latched = true;
}

static void write_control(struct pit *pit, uint8_t v)
{
	unsigned sc = (v & PIT_CW_SC) >> PIT_CW_SC_SHIFT, rw = (v & PIT_CW_RW) >> PIT_CW_RW_SHIFT;
	struct pit_channel *ch;

	if (sc == 3) {
		for (unsigned i = 0; i < PIT_CHANNELS; i++) {
			if (!(v & (2U << i)))
				continue;
			if (!(v & PIT_RB_STATUS_N))
				latch_status(pit, &pit->ch[i]);
			if (!(v & PIT_RB_COUNT_N))
				latch_count(pit, &pit->ch[i]);
		}
		return;
	}
	ch = &pit->ch[sc];
	if (rw == PIT_RW_LATCH) {
		latch_count(pit, ch);
		return;
	}
	/* A control word stops the counter until a count is written (OUT: low in mode 0, high
	 * in the others). */
	ch->frozen = (uint16_t)current_value(pit, ch);
	ch->mode = (uint8_t)((v & PIT_CW_MODE) >> PIT_CW_MODE_SHIFT);
	ch->rw = (uint8_t)rw;
	ch->bcd = (v & PIT_CW_BCD) != 0;
	ch->loaded = false;
	ch->armed = false;
	ch->paused = false;
	ch->null_count = true;
	ch->out_idle = mode_of(ch) != 0;
	ch->write_msb = false;
	ch->read_msb = false;
	ch->count_latched = false;
	ch->generation++;
}

static void write_count(struct pit *pit, struct pit_channel *ch, uint8_t v)
{
	switch (ch->rw) {
	case PIT_RW_LSB: ch->reg = v; break;
	case PIT_RW_MSB: ch->reg = (uint16_t)(v << 8); break;
	default:
		if (!ch->write_msb) {
			ch->write_lsb = v;
			ch->write_msb = true;
			ch->null_count = true;
			if (mode_of(ch) == 0 && ch->loaded) {
				/* Mode 0: the first byte of a new count stops counting, OUT low. */
				ch->frozen = (uint16_t)current_value(pit, ch);
				ch->loaded = false;
				ch->out_idle = false;
			}
			return;
		}
		ch->write_msb = false;
		ch->reg = (uint16_t)(ch->write_lsb | v << 8);
		break;
	}
	load_count(pit, ch);
}

static uint8_t read_count(struct pit *pit, struct pit_channel *ch)
{
	uint16_t v;
	bool msb;

	if (ch->status_latched) {
		ch->status_latched = false;
		return ch->status;
	}
	if (ch->count_latched) {
		v = ch->latch;
		if (ch->rw == PIT_RW_WORD && !ch->latch_msb) {
			ch->latch_msb = true;
			return (uint8_t)v;
		}
		ch->count_latched = false;
		return (uint8_t)(ch->rw == PIT_RW_LSB ? v : v >> 8);
	}
	v = readable(ch, current_value(pit, ch));
	if (ch->rw == PIT_RW_WORD) {
		msb = ch->read_msb;
		ch->read_msb = !ch->read_msb;
	} else {
		msb = ch->rw == PIT_RW_MSB;
	}
	return (uint8_t)(msb ? v >> 8 : v);
}

static uint8_t pit_read_byte(void *opaque, uint16_t offset)
{
	struct pit *pit = opaque;

	if (offset >= PIT_CHANNELS)
		return 0xFFU; /* the control word register cannot be read */
	return read_count(pit, &pit->ch[offset]);
}

static void pit_write_byte(void *opaque, uint16_t offset, uint8_t value)
{
	struct pit *pit = opaque;

	if (offset >= PIT_CHANNELS)
		write_control(pit, value);
	else
		write_count(pit, &pit->ch[offset], value);
}

static uint32_t pit_io_read(void *opaque, uint16_t offset, uint8_t size)
{
	return io_bytes_read(pit_read_byte, opaque, offset, size, PIT_PORT_COUNT);
}

static void pit_io_write(void *opaque, uint16_t offset, uint8_t size, uint32_t value)
{
	io_bytes_write(pit_write_byte, opaque, offset, size, PIT_PORT_COUNT, value);
}

const struct io_device_ops pit_io_ops = {
    .read = pit_io_read,
    .write = pit_io_write,
};

static uint8_t port61_read_byte(void *opaque, uint16_t offset)
{
	struct pit *pit = opaque;
	uint64_t ns = clock_now_ns(&pit->clock);

	(void)offset;
	/* The refresh bit is what BIOSes and kvm-unit-tests poll to time short delays. */
	return (uint8_t)(pit->port61 | ((ns / PIT_REFRESH_HALF_NS) & 1U ? PIT_61_REFRESH : 0) |
	                 (pit_out(pit, 2) ? PIT_61_OUT2 : 0));
}

static void port61_write_byte(void *opaque, uint16_t offset, uint8_t value)
{
	struct pit *pit = opaque;

	(void)offset;
	pit->port61 = value & PIT_61_RW;
	pit_set_gate(pit, 2, (value & PIT_61_GATE2) != 0);
}

static uint32_t port61_io_read(void *opaque, uint16_t offset, uint8_t size)
{
	return io_bytes_read(port61_read_byte, opaque, offset, size, 1);
}

static void port61_io_write(void *opaque, uint16_t offset, uint8_t size, uint32_t value)
{
	io_bytes_write(port61_write_byte, opaque, offset, size, 1, value);
}

const struct io_device_ops pit_port61_io_ops = {
    .read = port61_io_read,
    .write = port61_io_write,
};

uint64_t pit_poll(struct pit *pit)
{
	struct pit_channel *ch = &pit->ch[0];
	uint64_t d = elapsed(ch, now_ticks(pit)), from, edges;
	bool out = out_at(ch, d);

	from = ch->polled_generation == ch->generation ? ch->polled : 0;
	edges = rises_between(ch, from, d);
	ch->polled = d;
	ch->polled_generation = ch->generation;
	if (edges == 0 && out && !pit->irq_level)
		edges = 1; /* a control word raised OUT */
	if (edges > 0) {
		/* Edge-triggered inputs need to see the line fall before each rise. */
		if (pit->irq_level)
			irq_line_set(&pit->irq, PIT_IRQ, false);
		irq_line_set(&pit->irq, PIT_IRQ, true);
		pit->irq_level = true;
	}
	if (!out && pit->irq_level) {
		irq_line_set(&pit->irq, PIT_IRQ, false);
		pit->irq_level = false;
	}
	return edges;
}

bool pit_next_edge_ns(struct pit *pit, uint64_t *ns)
{
	struct pit_channel *ch = &pit->ch[0];
	uint64_t at = next_rise(ch, elapsed(ch, now_ticks(pit)));

	if (at == 0)
		return false;
	if (ns)
		*ns = clock_ticks_to_ns(ch->start + at, PIT_HZ);
	return true;
}
