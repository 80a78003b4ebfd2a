/* The i8259A PIC pair: initialization and operation command words, priorities, EOI, cascade. */
#include <stddef.h>
#include <string.h>

#include "devices/i8259a.h"
#include "devices/io_bytes.h"

static void chip_reset(struct pic_chip *c, bool is_slave)
{
	uint8_t elcr = c->elcr;

	memset(c, 0, sizeof(*c));
	c->is_slave = is_slave;
	c->elcr_mask = is_slave ? PIC_ELCR_MASK_SLAVE : PIC_ELCR_MASK_MASTER;
	c->elcr = elcr & c->elcr_mask; /* ELCR belongs to the chipset, not the 8259A */
	c->lowest = 7;
}

void pic_init(struct pic *pic)
{
	memset(pic, 0, sizeof(*pic));
	chip_reset(&pic->chip[0], false);
	chip_reset(&pic->chip[1], true);
}

static bool is_level(const struct pic_chip *c, unsigned bit)
{
	return c->ltim || (c->elcr & (1U << bit));
}

/* Priority 0 is the highest: the input after the lowest-priority one. */
static unsigned priority_of(const struct pic_chip *c, unsigned bit)
{
	return (bit - c->lowest - 1U) & 7U;
}

/* The highest-priority set bit of `mask`, or -1. */
static int highest(const struct pic_chip *c, uint8_t mask)
{
	for (unsigned p = 0; p < 8; p++) {
		unsigned bit = (c->lowest + 1U + p) & 7U;

		if (mask & (1U << bit))
			return (int)bit;
	}
	return -1;
}

/* The chip's IRR with the slave's INT output folded into the master's cascade input. */
static uint8_t effective_irr(const struct pic *pic, const struct pic_chip *c);

static int chip_pending(const struct pic *pic, const struct pic_chip *c)
{
	uint8_t req = effective_irr(pic, c) & (uint8_t)~c->imr;
	uint8_t in_service = c->isr;
	int irq = highest(c, req), busy;

	if (irq < 0)
		return -1;
	/* Special mask mode: masked levels in service no longer hold back lower priorities. */
	if (c->special_mask)
		in_service &= (uint8_t)~c->imr;
	/* Special fully nested: the cascade input in service does not block its own slave. */
	if (c->sfnm && !c->is_slave)
		in_service &= (uint8_t) ~(1U << PIC_CASCADE_IRQ);
	busy = highest(c, in_service);
	if (busy >= 0 && priority_of(c, (unsigned)irq) >= priority_of(c, (unsigned)busy))
		return -1;
	return irq;
}

static uint8_t effective_irr(const struct pic *pic, const struct pic_chip *c)
{
	uint8_t irr = c->irr;

	if (!c->is_slave) {
		irr &= (uint8_t) ~(1U << PIC_CASCADE_IRQ);
		if (chip_pending(pic, &pic->chip[1]) >= 0)
			irr |= 1U << PIC_CASCADE_IRQ;
	}
	return irr;
}

static void chip_set_input(struct pic_chip *c, unsigned bit, bool level)
{
	uint8_t m = (uint8_t)(1U << bit);
	bool was = (c->levels & m) != 0;

	if (level)
		c->levels |= m;
	else
		c->levels &= (uint8_t)~m;
	if (is_level(c, bit)) {
		if (level)
			c->irr |= m;
		else
			c->irr &= (uint8_t)~m;
	} else if (level && !was) {
		c->irr |= m;
	}
	/* An edge request that went away before INTA stays latched, as QEMU keeps it: guests
	 * written against it pulse lines. */
}

void pic_set_irq(struct pic *pic, unsigned line, bool level)
{
	if (line >= PIC_LINES)
		return;
	chip_set_input(&pic->chip[line >> 3], line & 7U, level);
}

void pic_raise(struct pic *pic, unsigned line)
{
	pic_set_irq(pic, line, true);
}

void pic_lower(struct pic *pic, unsigned line)
{
	pic_set_irq(pic, line, false);
}

bool pic_int_output(const struct pic *pic)
{
	return chip_pending(pic, &pic->chip[0]) >= 0;
}

int pic_pending_vector(const struct pic *pic)
{
	const struct pic_chip *m = &pic->chip[0], *s = &pic->chip[1];
	int irq = chip_pending(pic, m), sirq;

	if (irq < 0)
		return -1;
	if (irq != (int)PIC_CASCADE_IRQ)
		return m->vector_base + irq;
	sirq = chip_pending(pic, s);
	return s->vector_base + (sirq < 0 ? 7 : sirq);
}

/* One chip's side of INTA for input `irq`: IRR to ISR (edge requests are consumed). */
static void chip_ack(struct pic_chip *c, unsigned irq)
{
	uint8_t m = (uint8_t)(1U << irq);

	if (!is_level(c, irq))
		c->irr &= (uint8_t)~m;
	if (c->auto_eoi) {
		if (c->rotate_on_aeoi)
			c->lowest = (uint8_t)irq;
	} else {
		c->isr |= m;
	}
}

int pic_acknowledge(struct pic *pic)
{
	struct pic_chip *m = &pic->chip[0], *s = &pic->chip[1];
	int irq = chip_pending(pic, m), sirq;

	if (irq < 0)
		return m->vector_base + 7; /* the request went away: spurious IR7, ISR untouched */
	if (irq != (int)PIC_CASCADE_IRQ) {
		chip_ack(m, (unsigned)irq);
		return m->vector_base + irq;
	}
	sirq = chip_pending(pic, s);
	chip_ack(m, PIC_CASCADE_IRQ);
	if (sirq < 0)
		return s->vector_base + 7;
	chip_ack(s, (unsigned)sirq);
	return s->vector_base + sirq;
}

/* Poll mode: the next read is an INTA of this chip alone, answered as a poll word. */
static uint8_t chip_poll(struct pic *pic, struct pic_chip *c)
{
	int irq = chip_pending(pic, c);

	c->poll = false;
	if (irq < 0)
		return 0;
	if (!c->is_slave && irq == (int)PIC_CASCADE_IRQ) {
		/* The master's level 2 is the slave's request: acknowledge that one too. */
		struct pic_chip *s = &pic->chip[1];
		int sirq = chip_pending(pic, s);

		if (sirq >= 0)
			chip_ack(s, (unsigned)sirq);
	}
	chip_ack(c, (unsigned)irq);
	return (uint8_t)(PIC_POLL_INT | (unsigned)irq);
}

static void write_ocw2(struct pic_chip *c, uint8_t value)
{
	unsigned level = value & PIC_OCW2_LEVEL;
	int irq;

	switch (value & PIC_OCW2_CMD) {
	case PIC_OCW2_ROT_AEOI_CLEAR: c->rotate_on_aeoi = false; break;
	case PIC_OCW2_ROT_AEOI_SET: c->rotate_on_aeoi = true; break;
	case PIC_OCW2_EOI:
	case PIC_OCW2_ROT_EOI:
		irq = highest(c, c->isr);
		if (irq < 0)
			break;
		c->isr &= (uint8_t) ~(1U << irq);
		if ((value & PIC_OCW2_CMD) == PIC_OCW2_ROT_EOI)
			c->lowest = (uint8_t)irq;
		break;
	case PIC_OCW2_SEOI: c->isr &= (uint8_t) ~(1U << level); break;
	case PIC_OCW2_ROT_SEOI:
		c->isr &= (uint8_t) ~(1U << level);
		c->lowest = (uint8_t)level;
		break;
	case PIC_OCW2_SET_PRIO: c->lowest = (uint8_t)level; break;
	default: break; /* PIC_OCW2_NOP */
	}
}

static void write_command(struct pic_chip *c, uint8_t value)
{
	if (value & PIC_ICW1) {
		/* ICW1 starts initialization: masks and in-service state cleared, IR7 lowest,
		 * IRR reads, edge detection re-armed (a line already high needs a new edge). */
		bool is_slave = c->is_slave;
		uint8_t elcr = c->elcr, levels = c->levels;

		chip_reset(c, is_slave);
		c->elcr = elcr;
		c->levels = levels;
		c->ltim = (value & PIC_ICW1_LTIM) != 0;
		for (unsigned bit = 0; bit < 8; bit++)
			if (is_level(c, bit) && (levels & (1U << bit)))
				c->irr |= (uint8_t)(1U << bit);
		c->icw4_needed = (value & PIC_ICW1_IC4) != 0;
		c->single = (value & PIC_ICW1_SNGL) != 0;
		c->init = PIC_INIT_ICW2;
		return;
	}
	if (value & PIC_OCW3) {
		if (value & PIC_OCW3_POLL)
			c->poll = true;
		if (value & PIC_OCW3_RR)
			c->read_isr = (value & PIC_OCW3_RIS) != 0;
		if (value & PIC_OCW3_ESMM)
			c->special_mask = (value & PIC_OCW3_SMM) != 0;
		return;
	}
	write_ocw2(c, value);
}

static void write_data(struct pic_chip *c, uint8_t value)
{
	switch (c->init) {
	case PIC_INIT_ICW2:
		c->vector_base = value & 0xF8U;
		c->init = !c->single       ? PIC_INIT_ICW3
		          : c->icw4_needed ? PIC_INIT_ICW4
		                           : PIC_INIT_DONE;
		return;
	case PIC_INIT_ICW3:
		c->icw3 = value;
		c->init = c->icw4_needed ? PIC_INIT_ICW4 : PIC_INIT_DONE;
		return;
	case PIC_INIT_ICW4:
		c->upm = (value & PIC_ICW4_UPM) != 0;
		c->auto_eoi = (value & PIC_ICW4_AEOI) != 0;
		c->sfnm = (value & PIC_ICW4_SFNM) != 0;
		c->init = PIC_INIT_DONE;
		return;
	default:
		c->imr = value; /* OCW1 */
		return;
	}
}

/* The chip struct sits inside a struct pic: recover it for the cascade. */
static struct pic *pic_of(struct pic_chip *c)
{
	return (struct pic *)(void *)((char *)(c - (c->is_slave ? 1 : 0)) -
	                              offsetof(struct pic, chip));
}

static uint8_t chip_read_byte(void *opaque, uint16_t offset)
{
	struct pic_chip *c = opaque;

	if (c->poll)
		return chip_poll(pic_of(c), c);
	if (offset == 1)
		return c->imr;
	return c->read_isr ? c->isr : c->irr;
}

static void chip_write_byte(void *opaque, uint16_t offset, uint8_t value)
{
	struct pic_chip *c = opaque;

	if (offset == 0)
		write_command(c, value);
	else
		write_data(c, value);
}

static uint32_t chip_io_read(void *opaque, uint16_t offset, uint8_t size)
{
	return io_bytes_read(chip_read_byte, opaque, offset, size, PIC_PORT_COUNT);
}

static void chip_io_write(void *opaque, uint16_t offset, uint8_t size, uint32_t value)
{
	io_bytes_write(chip_write_byte, opaque, offset, size, PIC_PORT_COUNT, value);
}

const struct io_device_ops pic_chip_io_ops = {
    .read = chip_io_read,
    .write = chip_io_write,
};

static uint8_t elcr_read_byte(void *opaque, uint16_t offset)
{
	struct pic *pic = opaque;

	return pic->chip[offset & 1U].elcr;
}

static void elcr_write_byte(void *opaque, uint16_t offset, uint8_t value)
{
	struct pic_chip *c = &((struct pic *)opaque)->chip[offset & 1U];

	c->elcr = value & c->elcr_mask;
	/* A line switched to level follows its input from now on; one switched to edge keeps
	 * what it latched. */
	for (unsigned bit = 0; bit < 8; bit++)
		if (is_level(c, bit) && !(c->levels & (1U << bit)))
			c->irr &= (uint8_t) ~(1U << bit);
		else if (is_level(c, bit))
			c->irr |= (uint8_t)(1U << bit);
}

static uint32_t elcr_io_read(void *opaque, uint16_t offset, uint8_t size)
{
	return io_bytes_read(elcr_read_byte, opaque, offset, size, PIC_ELCR_COUNT);
}

static void elcr_io_write(void *opaque, uint16_t offset, uint8_t size, uint32_t value)
{
	io_bytes_write(elcr_write_byte, opaque, offset, size, PIC_ELCR_COUNT, value);
}

const struct io_device_ops pic_elcr_io_ops = {
    .read = elcr_io_read,
    .write = elcr_io_write,
};
