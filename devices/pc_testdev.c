/* pc-testdev: the ports and the trapping RAM-like window kvm-unit-tests drives its emulator tests with. */
#include <string.h>

#include "devices/pc_testdev.h"

void pc_testdev_init(struct pc_testdev *dev, const struct irq_line *irq)
{
	memset(dev, 0, sizeof(*dev));
	if (irq)
		dev->irq = *irq;
}

/* The scratch dword seen through byte lane (offset & 3), as wide as the access, clipped at 32 bits. */
static uint32_t lane_mask(uint16_t offset, uint8_t size)
{
	uint32_t bits = size >= 4 ? 32U : 8U * size;
	uint32_t mask = bits == 32 ? 0xFFFFFFFFU : (1U << bits) - 1U;

	return mask << (8U * (offset & 3U));
}

static uint32_t testdev_io_read(void *opaque, uint16_t offset, uint8_t size)
{
	struct pc_testdev *dev = opaque;
	unsigned shift = 8U * (offset & 3U);

	if (offset >= TESTDEV_FLUSH && offset < TESTDEV_SCRATCH_BYTES)
		return 0xFFFFFFFFU;
	return (dev->scratch & lane_mask(offset, size)) >> shift;
}

static void testdev_io_write(void *opaque, uint16_t offset, uint8_t size, uint32_t value)
{
	struct pc_testdev *dev = opaque;
	unsigned shift = 8U * (offset & 3U);
	uint32_t mask = lane_mask(offset, size);

	if (offset >= TESTDEV_FLUSH && offset < TESTDEV_SCRATCH_BYTES) {
		if (offset == TESTDEV_FLUSH && size == 4) {
			dev->flushes++;
			dev->last_flush = value;
		}
		return;
	}
	dev->scratch = (dev->scratch & ~mask) | ((value << shift) & mask);
}

const struct io_device_ops pc_testdev_io_ops = {
    .read = testdev_io_read,
    .write = testdev_io_write,
};

static uint32_t irq_io_read(void *opaque, uint16_t offset, uint8_t size)
{
	(void)opaque;
	(void)offset;
	(void)size;
	return 0xFFFFFFFFU;
}

static void irq_io_write(void *opaque, uint16_t offset, uint8_t size, uint32_t value)
{
	struct pc_testdev *dev = opaque;

	if (size != 1 || offset >= TESTDEV_IRQ_COUNT)
		return;
	irq_line_set(&dev->irq, offset, value != 0);
}

const struct io_device_ops pc_testdev_irq_io_ops = {
    .read = irq_io_read,
    .write = irq_io_write,
};

/* The bus hands over only accesses inside the window, so offset + len <= TESTDEV_IOMEM_SIZE. */
static void iomem_read(void *opaque, uint64_t offset, void *buf, unsigned len)
{
	struct pc_testdev *dev = opaque;

	memcpy(buf, &dev->iomem[offset], len);
}

static void iomem_write(void *opaque, uint64_t offset, const void *buf, unsigned len)
{
	struct pc_testdev *dev = opaque;

	memcpy(&dev->iomem[offset], buf, len);
}

const struct mmio_device_ops pc_testdev_iomem_ops = {
    .read = iomem_read,
    .write = iomem_write,
};
