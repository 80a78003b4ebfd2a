/* fw_cfg: a selector and a byte stream over the items the platform publishes. */
#include <string.h>

#include "devices/fw_cfg.h"
#include "devices/io_bytes.h"
#include "monitor/lib/errno.h"

static void put_le(uint8_t *p, uint64_t v, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void put_be(uint8_t *p, uint64_t v, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		p[i] = (uint8_t)(v >> (8 * (n - 1 - i)));
}

static const struct fw_cfg_item *find(const struct fw_cfg *cfg, uint16_t key)
{
	for (uint32_t i = 0; i < cfg->nr_items; i++)
		if (cfg->items[i].key == key)
			return &cfg->items[i];
	return NULL;
}

int fw_cfg_add_item(struct fw_cfg *cfg, uint16_t key, const void *data, uint32_t size)
{
	key &= (uint16_t)~FW_CFG_WRITE_CHANNEL;
	if (find(cfg, key))
		return -EEXIST;
	if (cfg->nr_items == FW_CFG_MAX_ITEMS)
		return -ENOSPC;
	cfg->items[cfg->nr_items++] = (struct fw_cfg_item){key, size, data};
	return 0;
}

static void update_dir_size(struct fw_cfg *cfg)
{
	for (uint32_t i = 0; i < cfg->nr_items; i++)
		if (cfg->items[i].key == FW_CFG_FILE_DIR)
			cfg->items[i].size = 4 + cfg->nr_files * FW_CFG_FILE_ENTRY;
}

void fw_cfg_init(struct fw_cfg *cfg, uint64_t ram_size, uint16_t nb_cpus)
{
	memset(cfg, 0, sizeof(*cfg));
	memcpy(cfg->signature, "QEMU", 4);
	put_le(cfg->id, FW_CFG_ID_TRADITIONAL, 4);
	put_le(cfg->ram_size, ram_size, 8);
	put_le(cfg->nb_cpus, nb_cpus, 2);
	put_le(cfg->max_cpus, nb_cpus, 2);
	put_le(cfg->nographic, 1, 2);
	fw_cfg_add_item(cfg, FW_CFG_SIGNATURE, cfg->signature, 4);
	fw_cfg_add_item(cfg, FW_CFG_ID, cfg->id, 4);
	fw_cfg_add_item(cfg, FW_CFG_RAM_SIZE, cfg->ram_size, 8);
	fw_cfg_add_item(cfg, FW_CFG_NOGRAPHIC, cfg->nographic, 2);
	fw_cfg_add_item(cfg, FW_CFG_NB_CPUS, cfg->nb_cpus, 2);
	fw_cfg_add_item(cfg, FW_CFG_MAX_CPUS, cfg->max_cpus, 2);
	fw_cfg_add_item(cfg, FW_CFG_FILE_DIR, cfg->dir, 4);
	cfg->selector = FW_CFG_SIGNATURE;
}

int fw_cfg_add_file(struct fw_cfg *cfg, const char *name, const void *data, uint32_t size)
{
	size_t len = name ? strlen(name) : 0;
	uint16_t key;
	uint8_t *e;
	int rc;

	if (len == 0 || len >= FW_CFG_FILE_NAME)
		return -EINVAL;
	for (uint32_t i = 0; i < cfg->nr_files; i++)
		if (strcmp((const char *)&cfg->dir[4 + i * FW_CFG_FILE_ENTRY + 8], name) == 0)
			return -EEXIST;
	if (cfg->nr_files == FW_CFG_MAX_FILES)
		return -ENOSPC;
	key = (uint16_t)(FW_CFG_FILE_FIRST + cfg->nr_files);
	rc = fw_cfg_add_item(cfg, key, data, size);
	if (rc)
		return rc;
	/* The directory is big-endian, unlike the other items (QEMU's FWCfgFile). */
	e = &cfg->dir[4 + cfg->nr_files * FW_CFG_FILE_ENTRY];
	put_be(e, size, 4);
	put_be(e + 4, key, 2);
	memcpy(e + 8, name, len + 1);
	cfg->nr_files++;
	put_be(cfg->dir, cfg->nr_files, 4);
	update_dir_size(cfg);
	return key;
}

static uint8_t fw_cfg_read_byte(void *opaque, uint16_t offset)
{
	struct fw_cfg *cfg = opaque;
	const struct fw_cfg_item *item;

	if (offset != 1)
		return 0xFFU; /* the selector cannot be read back */
	item = find(cfg, cfg->selector);
	if (!item || cfg->offset >= item->size)
		return 0;
	return item->data[cfg->offset++];
}

static uint32_t fw_cfg_io_read(void *opaque, uint16_t offset, uint8_t size)
{
	return io_bytes_read(fw_cfg_read_byte, opaque, offset, size, FW_CFG_PORT_COUNT);
}

static void fw_cfg_io_write(void *opaque, uint16_t offset, uint8_t size, uint32_t value)
{
	struct fw_cfg *cfg = opaque;

	if (offset != 0 || size != 2)
		return;
	cfg->selector = (uint16_t)(value & ~FW_CFG_WRITE_CHANNEL);
	cfg->offset = 0;
}

const struct io_device_ops fw_cfg_io_ops = {
    .read = fw_cfg_io_read,
    .write = fw_cfg_io_write,
};
