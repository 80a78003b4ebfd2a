/* A 4 KiB MMIO scratch device: device registers that hold what is written, for emulator tests. */
#ifndef DEVICES_MMIO_SCRATCH_H
#define DEVICES_MMIO_SCRATCH_H

#include <stdint.h>

#include "devices/mmio_bus.h"

/*
 * Every guest instruction that touches it traps and is emulated (it is not RAM), yet it reads
 * back what was written, so a guest can check each emulated instruction family against it
 * (examples/guests/mmio). It also counts accesses, which a guest reads at MMIO_SCRATCH_COUNTERS
 * (reads, then writes, 64-bit each; writes there are ignored).
 */
#define MMIO_SCRATCH_BASE     0xfeb00000ULL
#define MMIO_SCRATCH_SIZE     0x1000ULL
#define MMIO_SCRATCH_COUNTERS 0xff0U

struct mmio_scratch {
	uint8_t bytes[MMIO_SCRATCH_SIZE];
	uint64_t reads, writes;
};

void mmio_scratch_init(struct mmio_scratch *dev);

extern const struct mmio_device_ops mmio_scratch_ops;

#endif
