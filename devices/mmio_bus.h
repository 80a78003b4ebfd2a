/* The MMIO bus of one partition: which device model answers which guest-physical range. */
#ifndef DEVICES_MMIO_BUS_H
#define DEVICES_MMIO_BUS_H

#include <stdbool.h>
#include <stdint.h>

/*
 * A device sees accesses as (offset into its range, length, little-endian bytes). Lengths are
 * 1, 2, 4 or 8, or 16/32 for vector moves; an access never crosses a 4 KiB page (the emulator
 * splits), but it may run past the end of the device's range: the bus then refuses it.
 */
struct mmio_device_ops {
	void (*read)(void *opaque, uint64_t offset, void *buf, unsigned len);
	void (*write)(void *opaque, uint64_t offset, const void *buf, unsigned len);
};

#define MMIO_BUS_MAX_DEVICES 16U

struct mmio_bus_range {
	uint64_t base, size;
	const struct mmio_device_ops *ops;
	void *opaque;
};

struct mmio_bus {
	struct mmio_bus_range ranges[MMIO_BUS_MAX_DEVICES];
	uint32_t nr_ranges;
};

void mmio_bus_init(struct mmio_bus *bus);

/* Claim [base, base+size): -EINVAL (empty, wraps, no ops), -EEXIST (overlap), -ENOSPC (full). */
int mmio_bus_register(struct mmio_bus *bus, uint64_t base, uint64_t size,
                      const struct mmio_device_ops *ops, void *opaque);

/* True when a device owns the whole of [gpa, gpa+len). */
bool mmio_bus_claims(const struct mmio_bus *bus, uint64_t gpa, unsigned len);

/*
 * Dispatch an access. False when no device owns all of it: a read then fills buf with all ones
 * (what an empty PC bus answers) and a write is dropped.
 */
bool mmio_bus_read(struct mmio_bus *bus, uint64_t gpa, void *buf, unsigned len);
bool mmio_bus_write(struct mmio_bus *bus, uint64_t gpa, const void *buf, unsigned len);

#endif
