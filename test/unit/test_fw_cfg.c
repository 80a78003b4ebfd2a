/* Unit tests for fw_cfg: the items kvm-unit-tests reads, the file directory, selector rules. */
#include <string.h>

#include <criterion/criterion.h>

#include "devices/fw_cfg.h"
#include "devices/io_bus.h"
#include "monitor/lib/errno.h"

static struct fw_cfg cfg;
static struct io_bus bus;

static void setup(void)
{
	fw_cfg_init(&cfg, 128ULL << 20, 3);
	io_bus_init(&bus);
	cr_assert_eq(io_bus_register(&bus, FW_CFG_PORT, FW_CFG_PORT_COUNT, &fw_cfg_io_ops, &cfg),
	             0);
}

static void select_key(uint16_t key)
{
	cr_assert(io_bus_write(&bus, 0x510, 2, key));
}

/* As kvm-unit-tests' fwcfg_get_u(): select, then read byte by byte, little-endian. */
static uint64_t get(uint16_t key, unsigned bytes)
{
	uint64_t r = 0;

	select_key(key);
	for (unsigned i = 0; i < bytes; i++) {
		uint32_t b;

		cr_assert(io_bus_read(&bus, 0x511, 1, &b));
		r |= (uint64_t)b << (8 * i);
	}
	return r;
}

TestSuite(fw_cfg, .init = setup);

Test(fw_cfg, standard_items)
{
	cr_assert_eq(get(FW_CFG_SIGNATURE, 4), 0x554D4551U, "\"QEMU\"");
	cr_assert_eq(get(FW_CFG_ID, 4), FW_CFG_ID_TRADITIONAL);
	cr_assert_eq(get(FW_CFG_RAM_SIZE, 8), 128ULL << 20);
	cr_assert_eq(get(FW_CFG_NB_CPUS, 2), 3);
	cr_assert_eq(get(FW_CFG_MAX_CPUS, 2), 3);
	cr_assert_eq(get(FW_CFG_NOGRAPHIC, 2), 1);
	cr_assert_eq(get(FW_CFG_FILE_DIR, 4), 0, "no files");
}

Test(fw_cfg, past_the_end_and_unknown_keys_read_zero)
{
	cr_assert_eq(get(FW_CFG_SIGNATURE, 8), 0x554D4551U);
	cr_assert_eq(get(0x0002, 4), 0, "UUID is not published");
	cr_assert_eq(get(0x7FFF, 4), 0);
}

Test(fw_cfg, reselecting_restarts_and_write_channel_is_ignored)
{
	cr_assert_eq(get(FW_CFG_SIGNATURE, 2), 0x4551);
	cr_assert_eq(get(FW_CFG_SIGNATURE | FW_CFG_WRITE_CHANNEL, 4), 0x554D4551U);
	cr_assert(io_bus_write(&bus, 0x511, 1, 0x55), "data writes are accepted and dropped");
	cr_assert_eq(get(FW_CFG_SIGNATURE, 1), 0x51);
}

Test(fw_cfg, selector_needs_a_word_write)
{
	uint32_t v;

	select_key(FW_CFG_NB_CPUS);
	cr_assert(io_bus_write(&bus, 0x510, 1, FW_CFG_SIGNATURE));
	cr_assert(io_bus_write(&bus, 0x510, 4, FW_CFG_SIGNATURE));
	cr_assert(io_bus_read(&bus, 0x511, 1, &v));
	cr_assert_eq(v, 3, "byte and dword selector writes are not decoded");
	cr_assert(io_bus_read(&bus, 0x510, 2, &v));
	cr_assert_eq(v & 0xFF, 0xFF, "the selector cannot be read");
}

Test(fw_cfg, file_directory)
{
	static const char data[] = "hello";
	uint8_t dir[4 + FW_CFG_FILE_ENTRY];

	cr_assert_eq(fw_cfg_add_file(&cfg, "etc/test", data, 5), FW_CFG_FILE_FIRST);
	cr_assert_eq(fw_cfg_add_file(&cfg, "etc/test", data, 5), -EEXIST);
	cr_assert_eq(fw_cfg_add_file(&cfg, "", data, 5), -EINVAL);
	select_key(FW_CFG_FILE_DIR);
	for (size_t i = 0; i < sizeof(dir); i++) {
		uint32_t b;

		cr_assert(io_bus_read(&bus, 0x511, 1, &b));
		dir[i] = (uint8_t)b;
	}
	cr_assert_eq(dir[3], 1, "count, big-endian");
	cr_assert_eq(dir[4 + 3], 5, "size, big-endian");
	cr_assert_eq(dir[4 + 4] << 8 | dir[4 + 5], FW_CFG_FILE_FIRST);
	cr_assert_str_eq((const char *)&dir[4 + 8], "etc/test");
	cr_assert_eq(get(FW_CFG_FILE_FIRST, 5), 0x6F6C6C6568ULL);
	for (unsigned i = 1; i < FW_CFG_MAX_FILES; i++) {
		char name[8] = {'f', (char)('0' + i), 0};
		cr_assert_geq(fw_cfg_add_file(&cfg, name, data, 1), 0);
	}
	cr_assert_eq(fw_cfg_add_file(&cfg, "one/more", data, 1), -ENOSPC);
}
