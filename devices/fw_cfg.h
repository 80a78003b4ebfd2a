/* QEMU's fw_cfg, I/O port interface (0x510 selector, 0x511 data): what kvm-unit-tests and firmware read. */
#ifndef DEVICES_FW_CFG_H
#define DEVICES_FW_CFG_H

#include <stdint.h>

#include "devices/io_bus.h"

#define FW_CFG_PORT       0x510U
#define FW_CFG_PORT_COUNT 2U /* selector at +0, data at +1; no DMA interface */

/* Keys (QEMU's docs/specs/fw_cfg.rst). */
#define FW_CFG_SIGNATURE      0x0000U
#define FW_CFG_ID             0x0001U
#define FW_CFG_RAM_SIZE       0x0003U
#define FW_CFG_NOGRAPHIC      0x0004U
#define FW_CFG_NB_CPUS        0x0005U
#define FW_CFG_MAX_CPUS       0x000FU
#define FW_CFG_FILE_DIR       0x0019U
#define FW_CFG_FILE_FIRST     0x0020U
#define FW_CFG_WRITE_CHANNEL  0x4000U /* ignored for reads, as QEMU does */
#define FW_CFG_ARCH_LOCAL     0x8000U
#define FW_CFG_ID_TRADITIONAL 0x00000001U /* the port interface; no DMA (bit 1) */

#define FW_CFG_MAX_ITEMS      24U
#define FW_CFG_MAX_FILES      8U
#define FW_CFG_FILE_NAME      56U
#define FW_CFG_FILE_ENTRY     64U /* size (BE32), select (BE16), reserved (16), name[56] */

struct fw_cfg_item {
	uint16_t key;
	uint32_t size;
	const uint8_t *data; /* owned by the caller (or the struct fw_cfg itself) */
};

/*
 * Fields are private to fw_cfg.c. Built-in items point into the struct: do not copy it after
 * fw_cfg_init().
 */
struct fw_cfg {
	uint16_t selector;
	uint32_t offset; /* next data byte of the selected item */
	struct fw_cfg_item items[FW_CFG_MAX_ITEMS];
	uint32_t nr_items;
	uint8_t signature[4], id[4], ram_size[8], nb_cpus[2], max_cpus[2], nographic[2];
	uint8_t dir[4 + FW_CFG_MAX_FILES * FW_CFG_FILE_ENTRY];
	uint32_t nr_files;
};

/* Signature "QEMU", ID (traditional interface), RAM size (LE64), CPU counts (LE16), NOGRAPHIC 1,
 * and an empty file directory. */
void fw_cfg_init(struct fw_cfg *cfg, uint64_t ram_size, uint16_t nb_cpus);

/* Register at FW_CFG_PORT, count FW_CFG_PORT_COUNT, opaque = the fw_cfg. A 16-bit write at +0
 * selects an item (other sizes are dropped, as QEMU only decodes a word there); each byte read
 * at +1 returns the next byte of the item, 0 past its end or for an unknown key. Data writes are
 * ignored (QEMU dropped that interface). */
extern const struct io_device_ops fw_cfg_io_ops;

/* Add a raw item under `key` (not a built-in one). Returns 0, -EEXIST or -ENOSPC. */
int fw_cfg_add_item(struct fw_cfg *cfg, uint16_t key, const void *data, uint32_t size);

/* Add a named file (name: 1-55 characters), listed in FILE_DIR. Returns its key (0x20 up),
 * -EINVAL, -EEXIST (same name) or -ENOSPC. `data` must outlive the fw_cfg. */
int fw_cfg_add_file(struct fw_cfg *cfg, const char *name, const void *data, uint32_t size);

#endif
