/* The port-I/O bus of one partition: registration of port ranges and dispatch of guest IN/OUT. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "devices/io_bus.h"
#include "monitor/lib/errno.h"

/* The first port past the 16-bit I/O space: ranges must end at or before it. */
#define IO_PORT_LIMIT 0x10000U

void io_bus_init(struct io_bus *bus)
{
	bus->nr_ranges = 0;
	bus->last_hit = 0;
}

uint32_t io_size_mask(uint8_t size)
{
	switch (size) {
	case 1: return 0xFFU;
	case 2: return 0xFFFFU;
	default: return 0xFFFFFFFFU;
	}
}

uint32_t io_bus_unclaimed_value(uint8_t size)
{
	return io_size_mask(size);
}

static bool is_valid_size(uint8_t size)
{
	return size == 1 || size == 2 || size == 4;
}

static bool range_contains(const struct io_bus_range *range, uint16_t port)
{
	/* Unsigned subtraction: a port below base wraps to a large offset and fails the test. */
	return (uint16_t)(port - range->base) < range->count;
}

/* The range that owns `port`, or NULL. */
static struct io_bus_range *find_range(struct io_bus *bus, uint16_t port)
{
	if (bus->last_hit < bus->nr_ranges && range_contains(&bus->ranges[bus->last_hit], port))
		return &bus->ranges[bus->last_hit];

	/* Binary search for the last range whose base is <= port; ranges never overlap. */
	uint32_t lo = 0, hi = bus->nr_ranges;
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		if (bus->ranges[mid].base <= port)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0 || !range_contains(&bus->ranges[lo - 1], port))
		return NULL;
	bus->last_hit = lo - 1;
	return &bus->ranges[lo - 1];
}

int io_bus_register(struct io_bus *bus, uint16_t base, uint16_t count,
                    const struct io_device_ops *ops, void *opaque)
{
	if (count == 0 || (uint32_t)base + count > IO_PORT_LIMIT)
		return -EINVAL;
	if (ops == NULL || ops->read == NULL || ops->write == NULL)
		return -EINVAL;

	/* Insertion point: the first range whose base is above ours. */
	uint32_t at = 0;
	while (at < bus->nr_ranges && bus->ranges[at].base <= base)
		at++;
	/* Sorted and disjoint, so only the neighbours can overlap the new range. */
	if (at > 0) {
		const struct io_bus_range *prev = &bus->ranges[at - 1];
		if ((uint32_t)prev->base + prev->count > base)
			return -EEXIST;
	}
	if (at < bus->nr_ranges && (uint32_t)base + count > bus->ranges[at].base)
		return -EEXIST;
	if (bus->nr_ranges == IO_BUS_MAX_DEVICES)
		return -ENOSPC;

	for (uint32_t i = bus->nr_ranges; i > at; i--)
		bus->ranges[i] = bus->ranges[i - 1];
	bus->ranges[at] = (struct io_bus_range){
	    .base = base,
	    .count = count,
	    .ops = ops,
	    .opaque = opaque,
	};
	bus->nr_ranges++;
	bus->last_hit = at;
	return 0;
}

bool io_bus_read(struct io_bus *bus, uint16_t port, uint8_t size, uint32_t *value)
{
	*value = io_bus_unclaimed_value(size);
	if (!is_valid_size(size))
		return false;
	const struct io_bus_range *range = find_range(bus, port);
	if (range == NULL)
		return false;
	*value = range->ops->read(range->opaque, (uint16_t)(port - range->base), size) &
	         io_size_mask(size);
	return true;
}

bool io_bus_write(struct io_bus *bus, uint16_t port, uint8_t size, uint32_t value)
{
	if (!is_valid_size(size))
		return false;
	const struct io_bus_range *range = find_range(bus, port);
	if (range == NULL)
		return false;
	range->ops->write(range->opaque, (uint16_t)(port - range->base), size,
	                  value & io_size_mask(size));
	return true;
}
