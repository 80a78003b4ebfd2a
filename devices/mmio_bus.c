/* The MMIO bus of one partition: registration of GPA ranges and dispatch of emulated accesses. */
#include <string.h>

#include "devices/mmio_bus.h"
#include "monitor/lib/errno.h"

void mmio_bus_init(struct mmio_bus *bus)
{
	bus->nr_ranges = 0;
}

static bool overlaps(const struct mmio_bus_range *r, uint64_t base, uint64_t end)
{
	return base < r->base + r->size && r->base < end;
}

int mmio_bus_register(struct mmio_bus *bus, uint64_t base, uint64_t size,
                      const struct mmio_device_ops *ops, void *opaque)
{
	uint64_t end;

	if (size == 0 || __builtin_add_overflow(base, size, &end) || !ops || !ops->read ||
	    !ops->write)
		return -EINVAL;
	for (uint32_t i = 0; i < bus->nr_ranges; i++)
		if (overlaps(&bus->ranges[i], base, end))
			return -EEXIST;
	if (bus->nr_ranges == MMIO_BUS_MAX_DEVICES)
		return -ENOSPC;
	bus->ranges[bus->nr_ranges++] = (struct mmio_bus_range){base, size, ops, opaque};
	return 0;
}

/* The range that owns all of [gpa, gpa+len), or NULL (a few devices: a linear scan). */
static const struct mmio_bus_range *find(const struct mmio_bus *bus, uint64_t gpa, unsigned len)
{
	uint64_t end;

	if (len == 0 || __builtin_add_overflow(gpa, (uint64_t)len, &end))
		return NULL;
	for (uint32_t i = 0; i < bus->nr_ranges; i++) {
		const struct mmio_bus_range *r = &bus->ranges[i];

		if (gpa >= r->base && end <= r->base + r->size)
			return r;
	}
	return NULL;
}

bool mmio_bus_claims(const struct mmio_bus *bus, uint64_t gpa, unsigned len)
{
	return find(bus, gpa, len) != NULL;
}

bool mmio_bus_read(struct mmio_bus *bus, uint64_t gpa, void *buf, unsigned len)
{
	const struct mmio_bus_range *r = find(bus, gpa, len);

	if (!r) {
		memset(buf, 0xff, len);
		return false;
	}
	r->ops->read(r->opaque, gpa - r->base, buf, len);
	return true;
}

bool mmio_bus_write(struct mmio_bus *bus, uint64_t gpa, const void *buf, unsigned len)
{
	const struct mmio_bus_range *r = find(bus, gpa, len);

	if (!r)
		return false;
	r->ops->write(r->opaque, gpa - r->base, buf, len);
	return true;
}
