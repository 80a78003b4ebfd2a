/* The port-I/O bus of one partition: which device model answers which I/O port. */
#ifndef DEVICES_IO_BUS_H
#define DEVICES_IO_BUS_H

#include <stdbool.h>
#include <stdint.h>

/*
 * A device model's port handlers. `offset` is the port minus the device's base; `size` is 1, 2 or
 * 4 (the bus never passes anything else). The bus masks a write's value to `size` bytes before the
 * call and a read's result to `size` bytes after it, so a device may return stray upper bits.
 *
 * Straddling accesses: an access belongs to the device that owns its FIRST port, whatever ports
 * its other bytes cover (x86 gives an I/O access one port number, and a 4-byte access at the last
 * port of a range is legal for a guest to issue). The device gets the offset of that first port
 * and must cope with a size that runs past its range: it must not index past its own state.
 *
 * Both handlers are required. They run on the partition's exit path, from untrusted guest input:
 * any offset inside the range, any size, any value, in any order.
 */
struct io_device_ops {
	uint32_t (*read)(void *opaque, uint16_t offset, uint8_t size);
	void (*write)(void *opaque, uint16_t offset, uint8_t size, uint32_t value);
};

#define IO_BUS_MAX_DEVICES 32U

/* One claimed range [base, base + count). */
struct io_bus_range {
	uint16_t base;
	uint16_t count;
	const struct io_device_ops *ops;
	void *opaque;
};

/*
 * Ranges are kept sorted by base so a lookup is a binary search; the last range that answered is
 * tried first because guests hammer one port (a UART's data and status ports) in a loop.
 * A bus belongs to one partition and is used by one worker at a time (no locking).
 */
struct io_bus {
	struct io_bus_range ranges[IO_BUS_MAX_DEVICES];
	uint32_t nr_ranges;
	uint32_t last_hit; /* index into ranges; only trusted when < nr_ranges */
};

/* An empty bus: every port unclaimed. */
void io_bus_init(struct io_bus *bus);

/*
 * Claim ports [base, base + count) for a device. Returns 0, -EINVAL (count 0, the range runs past
 * port 0xFFFF, or ops/handlers missing), -EEXIST (overlaps a claimed range) or -ENOSPC (table full).
 */
int io_bus_register(struct io_bus *bus, uint16_t base, uint16_t count,
                    const struct io_device_ops *ops, void *opaque);

/*
 * Dispatch a guest IN. Returns true and the device's answer (masked to `size`) when a device owns
 * `port`; false when none does or `size` is not 1, 2 or 4, with *value = io_bus_unclaimed_value(size)
 * so a caller that only logs the miss can still hand *value to the guest.
 */
bool io_bus_read(struct io_bus *bus, uint16_t port, uint8_t size, uint32_t *value);

/* Dispatch a guest OUT. Returns false (the write is dropped) when no device owns `port` or `size`
 * is not 1, 2 or 4. */
bool io_bus_write(struct io_bus *bus, uint16_t port, uint8_t size, uint32_t value);

/* All ones of an access of `size` bytes (0xFF, 0xFFFF, 0xFFFFFFFF): what an unclaimed port reads
 * as on a PC, where nothing drives the bus. Sizes other than 1 and 2 give 0xFFFFFFFF. */
uint32_t io_bus_unclaimed_value(uint8_t size);

/* The mask of an access of `size` bytes; the same values as io_bus_unclaimed_value(). */
uint32_t io_size_mask(uint8_t size);

#endif
