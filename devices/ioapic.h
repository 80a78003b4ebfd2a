/* The I/O APIC (82093AA register model, version 0x20) at 0xFEC00000: IOREGSEL/IOWIN, 24 entries. */
#ifndef DEVICES_IOAPIC_H
#define DEVICES_IOAPIC_H

#include <stdbool.h>
#include <stdint.h>

#include "devices/mmio_bus.h"

#define IOAPIC_BASE 0xFEC00000ULL
#define IOAPIC_SIZE 0x1000ULL
#define IOAPIC_PINS 24U

/* MMIO offsets: 32-bit registers. */
#define IOAPIC_IOREGSEL 0x00U
#define IOAPIC_IOWIN    0x10U
#define IOAPIC_EOI      0x40U /* version 0x20: writing a vector clears matching remote IRRs */

/* Indirect registers (IOREGSEL). */
#define IOAPIC_REG_ID      0x00U
#define IOAPIC_REG_VERSION 0x01U
#define IOAPIC_REG_ARB     0x02U
#define IOAPIC_REG_REDTBL  0x10U /* entry n: low dword at 0x10 + 2n, high at 0x11 + 2n */

#define IOAPIC_ID_MASK     0x0F000000U
#define IOAPIC_VERSION     0x00170020U /* max redirection entry 23, version 0x20 */

/* Redirection entry bits. */
#define IOAPIC_RTE_VECTOR     0x00000000000000FFULL
#define IOAPIC_RTE_DELMODE    0x0000000000000700ULL
#define IOAPIC_RTE_DESTMODE   0x0000000000000800ULL
#define IOAPIC_RTE_DELIVS     0x0000000000001000ULL /* RO: delivery status */
#define IOAPIC_RTE_POLARITY   0x0000000000002000ULL
#define IOAPIC_RTE_REMOTE_IRR 0x0000000000004000ULL /* RO */
#define IOAPIC_RTE_LEVEL      0x0000000000008000ULL
#define IOAPIC_RTE_MASKED     0x0000000000010000ULL
#define IOAPIC_RTE_DEST       0xFF00000000000000ULL
#define IOAPIC_RTE_RW         0xFF0000000001AFFFULL
#define IOAPIC_RTE_RESET      IOAPIC_RTE_MASKED

/*
 * Where the I/O APIC sends its interrupt messages: `deliver` gets the redirection entry of the
 * pin that fires (vector, delivery and destination modes, trigger mode, destination) and
 * returns whether any local APIC accepted it. The platform fills it; tests may leave it empty,
 * and then every message counts as accepted.
 */
struct ioapic_bus {
	bool (*deliver)(void *opaque, uint64_t entry);
	void *opaque;
};

/* Fields are private to ioapic.c. */
struct ioapic {
	uint32_t ioregsel;
	uint32_t id;
	uint64_t rte[IOAPIC_PINS];
	uint32_t levels; /* input pins as last driven */
	struct ioapic_bus bus;
	uint32_t messages;     /* interrupt messages sent (for tests and the monitor's stats) */
	uint32_t bad_accesses; /* accesses that were not an aligned dword (ignored) */
};

/* Reset: every entry masked, the ID register holding `id` (bits 3:0). */
void ioapic_init(struct ioapic *io, uint8_t id);

/*
 * Register at IOAPIC_BASE, size IOAPIC_SIZE, opaque = the ioapic. Registers answer aligned
 * dword accesses; anything else reads 0 and is ignored (counted in bad_accesses for the
 * caller's log), as the 82093AA only decodes dwords.
 */
extern const struct mmio_device_ops ioapic_mmio_ops;

/* Connect the message path (copied). */
void ioapic_set_bus(struct ioapic *io, const struct ioapic_bus *bus);

/*
 * Drive input pin `line` (0-23; others ignored; the level is the line's asserted state, the
 * polarity bit is kept for the guest but not applied). An unmasked edge entry sends a message
 * on each rising edge (a masked one loses it, as the 82093AA does). An unmasked level entry
 * sends one while the line is asserted and remote IRR is clear; acceptance sets remote IRR
 * until the EOI for its vector.
 */
void ioapic_set_irq(struct ioapic *io, unsigned line, bool level);

/* A local APIC's EOI broadcast for `vector`: clears remote IRR of level entries with it (an
 * entry whose line is still asserted then sends its interrupt again). */
void ioapic_eoi(struct ioapic *io, uint8_t vector);

/* Entry `pin` as the guest would read it (0 for pins out of range). */
uint64_t ioapic_entry(const struct ioapic *io, unsigned pin);

#endif
