/* Interrupt lines: how device models raise and lower their IRQ outputs toward a controller. */
#ifndef DEVICES_IRQ_H
#define DEVICES_IRQ_H

#include <stdbool.h>
#include <stddef.h>

/*
 * `set` drives input `line` of whatever sits behind it (the platform's PIC/IOAPIC fan-out, or a
 * recorder in tests) to `level`. Models call it only when their output changes, so a sink may
 * count edges. Lines are ISA numbering (0-15) and then IOAPIC inputs (16-23).
 */
struct irq_line {
	void (*set)(void *opaque, unsigned line, bool level);
	void *opaque;
};

/* Drive a line; a missing sink (NULL, or no callback) drops it. */
static inline void irq_line_set(const struct irq_line *irq, unsigned line, bool level)
{
	if (irq != NULL && irq->set != NULL)
		irq->set(irq->opaque, line, level);
}

#endif
