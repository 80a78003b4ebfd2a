/* Host tests of option ROM checking and placement in 0xc0000-0xdffff. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "monitor/lib/errno.h"
#include "rom/rom.h"

static uint8_t *image;
static char err[200];

static void setup(void)
{
	struct rom_config cfg = {.nvps = 1};

	image = malloc(ROM_BIOS_SIZE);
	cr_assert_not_null(image);
	cr_assert_eq(rom_build_bios(image, ROM_BIOS_SIZE, &cfg), 0);
}

static void teardown(void)
{
	free(image);
}

TestSuite(option_rom, .init = setup, .fini = teardown);

/* A valid ROM of blocks*512 bytes (file_len may be longer), its last byte fixing the sum. */
static uint8_t *make_rom(uint8_t blocks, size_t file_len)
{
	uint8_t *r = calloc(1, file_len ? file_len : 1);
	uint8_t s = 0;

	cr_assert_not_null(r);
	r[0] = 0x55;
	r[1] = 0xaa;
	r[2] = blocks;
	for (size_t i = 3; i + 1 < (size_t)blocks * 512 && i < file_len; i++)
		r[i] = (uint8_t)(i * 31);
	for (size_t i = 0; i + 1 < (size_t)blocks * 512; i++)
		s = (uint8_t)(s + r[i]);
	if (blocks)
		r[(size_t)blocks * 512 - 1] = (uint8_t)(0x100 - s);
	return r;
}

Test(option_rom, valid_roms_are_placed_on_2k_boundaries)
{
	uint8_t *a = make_rom(3, 3 * 512 + 100); /* longer file: only 1.5 KiB is the ROM */
	uint8_t *b = make_rom(8, 8 * 512);
	uint32_t next = ROM_OPTION_GPA, placed;
	size_t len;

	cr_assert_eq(rom_check_option(a, 3 * 512 + 100, &len, err, sizeof(err)), 0, "%s", err);
	cr_expect_eq(len, 1536);
	cr_assert_eq(rom_place_option(image, ROM_BIOS_SIZE, a, 3 * 512 + 100, &next, &placed, err,
	                              sizeof(err)),
	             0, "%s", err);
	cr_expect_eq(placed, 0xc0000);
	cr_expect_eq(memcmp(image, a, 1536), 0);
	cr_expect_eq(image[1536], ROM_FILL, "only the declared length is copied");
	cr_assert_eq(
	    rom_place_option(image, ROM_BIOS_SIZE, b, 8 * 512, &next, &placed, err, sizeof(err)), 0,
	    "%s", err);
	cr_expect_eq(placed, 0xc0800, "the next 2 KiB boundary");
	cr_expect_eq(next, 0xc0800 + 4096);
	free(a);
	free(b);
}

Test(option_rom, bad_signature_length_and_checksum)
{
	uint8_t *r = make_rom(2, 1024);
	size_t len;

	r[0] = 0x54;
	cr_expect_eq(rom_check_option(r, 1024, &len, err, sizeof(err)), -ENOEXEC);
	cr_expect(strstr(err, "signature"), "%s", err);
	r[0] = 0x55;
	r[5] ^= 1;
	cr_expect_eq(rom_check_option(r, 1024, &len, err, sizeof(err)), -ENOEXEC);
	cr_expect(strstr(err, "checksum"), "%s", err);
	r[5] ^= 1;
	cr_expect_eq(rom_check_option(r, 1024, &len, err, sizeof(err)), 0, "%s", err);
	cr_expect_eq(rom_check_option(r, 1000, &len, err, sizeof(err)), -ENOEXEC, "file too short");
	cr_expect(strstr(err, "length byte"), "%s", err);
	r[2] = 0;
	cr_expect_eq(rom_check_option(r, 1024, &len, err, sizeof(err)), -ENOEXEC, "zero length");
	cr_expect_eq(rom_check_option(r, 2, &len, err, sizeof(err)), -ENOEXEC);
	cr_expect_eq(rom_check_option(NULL, 0, &len, err, sizeof(err)), -ENOEXEC);
	free(r);
}

Test(option_rom, the_option_space_ends_at_0xe0000)
{
	uint8_t *big = make_rom(255, 255 * 512); /* 127.5 KiB */
	uint8_t *small = make_rom(4, 4 * 512);
	uint32_t next = ROM_OPTION_GPA, placed;
	uint8_t before[64];

	cr_assert_eq(rom_place_option(image, ROM_BIOS_SIZE, big, 255 * 512, &next, &placed, err,
	                              sizeof(err)),
	             0, "%s", err);
	memcpy(before, image + (ROM_RSDP_GPA - ROM_BIOS_GPA), sizeof(before));
	cr_expect_eq(rom_place_option(image, ROM_BIOS_SIZE, small, 4 * 512, &next, &placed, err,
	                              sizeof(err)),
	             -ENOSPC);
	cr_expect_eq(memcmp(before, image + (ROM_RSDP_GPA - ROM_BIOS_GPA), sizeof(before)), 0,
	             "the ACPI area is untouched");
	next = 0xdfc00; /* room for 1 KiB, rounded up to 0xe0000: none */
	cr_expect_eq(rom_place_option(image, ROM_BIOS_SIZE, small, 4 * 512, &next, &placed, err,
	                              sizeof(err)),
	             -ENOSPC);
	next = 0xfffffff0U; /* a wild cursor is refused, not wrapped */
	cr_expect_eq(rom_place_option(image, ROM_BIOS_SIZE, small, 4 * 512, &next, &placed, err,
	                              sizeof(err)),
	             -ENOSPC);
	cr_expect_eq(rom_place_option(image, 100, small, 4 * 512, &next, &placed, err, sizeof(err)),
	             -EINVAL);
	free(big);
	free(small);
}
