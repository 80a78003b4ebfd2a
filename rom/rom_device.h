/* The ROM area on a partition's MMIO bus: reads return the image, writes are discarded and counted. */
#ifndef ROM_ROM_DEVICE_H
#define ROM_ROM_DEVICE_H

#include <stdint.h>

#include "devices/mmio_bus.h"

/*
 * The image lives in the partition's RAM block and is mapped read+execute in the SLAT, so reads
 * and instruction fetches never exit. Only writes do: the emulator then hands them here, where
 * they are dropped, exactly as a ROM ignores them.
 */
struct rom_device {
	const uint8_t *image;
	uint64_t size;
	uint64_t writes_discarded;
};

void rom_device_init(struct rom_device *dev, const uint8_t *image, uint64_t size);

extern const struct mmio_device_ops rom_device_ops;

#endif
