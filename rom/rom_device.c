/* ROM on the MMIO bus: the image reads as itself, writes change nothing and are counted. */
#include <string.h>

#include "rom/rom_device.h"

void rom_device_init(struct rom_device *dev, const uint8_t *image, uint64_t size)
{
	dev->image = image;
	dev->size = size;
	dev->writes_discarded = 0;
}

/* The bus hands over only accesses inside [0, size). */
static void rom_read(void *opaque, uint64_t offset, void *buf, unsigned len)
{
	const struct rom_device *dev = opaque;

	memcpy(buf, dev->image + offset, len);
}

static void rom_write(void *opaque, uint64_t offset, const void *buf, unsigned len)
{
	struct rom_device *dev = opaque;

	(void)offset;
	(void)buf;
	(void)len;
	dev->writes_discarded++;
}

const struct mmio_device_ops rom_device_ops = {
    .read = rom_read,
    .write = rom_write,
};
