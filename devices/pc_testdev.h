/* QEMU's pc-testdev as kvm-unit-tests uses it: scratch ports, flush port, IRQ-line ports, 64 KiB "iomem". */
#ifndef DEVICES_PC_TESTDEV_H
#define DEVICES_PC_TESTDEV_H

#include <stdint.h>

#include "devices/io_bus.h"
#include "devices/irq.h"
#include "devices/mmio_bus.h"

#define TESTDEV_PORT \
	0xE0U /* 0xE0-0xE3 scratch, any width; 0xE4-0xE7 flush; 0xE8-0xEB scratch bytes */
#define TESTDEV_PORT_COUNT    12U
#define TESTDEV_FLUSH         0x4U
#define TESTDEV_SCRATCH_BYTES 0x8U
#define TESTDEV_IRQ_PORT      0x2000U
#define TESTDEV_IRQ_COUNT     24U /* port 0x2000 + n drives line n */
#define TESTDEV_IOMEM_BASE    0xFF000000ULL
#define TESTDEV_IOMEM_SIZE    0x10000ULL

/* Fields are private to pc_testdev.c. */
struct pc_testdev {
	uint32_t scratch;
	uint32_t flushes;    /* 32-bit writes to the flush port */
	uint32_t last_flush; /* the guest address last written there */
	struct irq_line irq;
	uint8_t iomem[TESTDEV_IOMEM_SIZE];
};

/* Scratch and iomem zero; the IRQ ports drive `irq` (NULL: dropped). */
void pc_testdev_init(struct pc_testdev *dev, const struct irq_line *irq);

/*
 * Port side, register at TESTDEV_PORT (count TESTDEV_PORT_COUNT): the scratch dword takes any
 * access width at byte lane (port & 3); the flush port takes 32-bit writes of a guest address
 * whose page QEMU would re-fault (no host mapping cache here: only counted); reads there give
 * all ones. IRQ side, register at TESTDEV_IRQ_PORT (count TESTDEV_IRQ_COUNT): a byte write of V
 * sets line (port - 0x2000) to V != 0; other widths and reads are not decoded (all ones).
 */
extern const struct io_device_ops pc_testdev_io_ops;
extern const struct io_device_ops pc_testdev_irq_io_ops;

/* MMIO at TESTDEV_IOMEM_BASE, size TESTDEV_IOMEM_SIZE: behaves as RAM, yet every access traps. */
extern const struct mmio_device_ops pc_testdev_iomem_ops;

#endif
