/* The MMIO scratch device: stores what is written and counts the accesses that reach it. */
#include <string.h>

#include "devices/mmio_scratch.h"

void mmio_scratch_init(struct mmio_scratch *dev)
{
	memset(dev, 0, sizeof(*dev));
}

/* The bus never hands a device an access past its range, so offset + len <= the size. */
static void scratch_read(void *opaque, uint64_t offset, void *buf, unsigned len)
{
	struct mmio_scratch *dev = opaque;

	dev->reads++;
	memcpy(&dev->bytes[MMIO_SCRATCH_COUNTERS], &dev->reads, 8);
	memcpy(&dev->bytes[MMIO_SCRATCH_COUNTERS + 8], &dev->writes, 8);
	memcpy(buf, &dev->bytes[offset], len);
}

static void scratch_write(void *opaque, uint64_t offset, const void *buf, unsigned len)
{
	struct mmio_scratch *dev = opaque;

	dev->writes++;
	if (offset + len > MMIO_SCRATCH_COUNTERS)
		len = offset >= MMIO_SCRATCH_COUNTERS ? 0
		                                      : (unsigned)(MMIO_SCRATCH_COUNTERS - offset);
	memcpy(&dev->bytes[offset], buf, len);
}

const struct mmio_device_ops mmio_scratch_ops = {
    .read = scratch_read,
    .write = scratch_write,
};
