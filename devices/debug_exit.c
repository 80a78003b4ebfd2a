/* The isa-debug-exit port: turns a guest write into a stop request with an exit status. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "devices/debug_exit.h"

void debug_exit_init(struct debug_exit *dev)
{
	dev->requested = false;
	dev->status = 0;
}

static uint32_t debug_exit_io_read(void *opaque, uint16_t offset, uint8_t size)
{
	(void)opaque;
	(void)offset;
	(void)size;
	return 0xFFFFFFFFU;
}

static void debug_exit_io_write(void *opaque, uint16_t offset, uint8_t size, uint32_t value)
{
	struct debug_exit *dev = opaque;
	(void)offset;
	(void)size;
	if (dev->requested)
		return;
	dev->requested = true;
	dev->status = (value << 1) | 1U;
}

const struct io_device_ops debug_exit_io_ops = {
    .read = debug_exit_io_read,
    .write = debug_exit_io_write,
};

bool debug_exit_requested(const struct debug_exit *dev, uint32_t *status)
{
	if (dev->requested && status != NULL)
		*status = dev->status;
	return dev->requested;
}
