/* Option ROM images (from modules) checked as the PC BIOS checks them and placed in 0xc0000-0xdffff. */
#include <string.h>

#include "monitor/lib/errmsg.h"
#include "monitor/lib/errno.h"
#include "rom/rom.h"

#define OPTION_UNIT 512U /* the length byte counts 512-byte blocks */

int rom_check_option(const void *rom, size_t rom_size, size_t *length, char *err, size_t errlen)
{
	const uint8_t *b = rom;
	uint8_t sum = 0;
	size_t len;

	if (errlen)
		err[0] = '\0';
	if (!rom || rom_size < 3) {
		errmsg_set(err, errlen, "option ROM of %zu bytes is too small for its header",
		           rom_size);
		return -ENOEXEC;
	}
	if (b[0] != 0x55 || b[1] != 0xaa) {
		errmsg_set(err, errlen, "not an option ROM (no 0x55 0xaa signature)");
		return -ENOEXEC;
	}
	len = (size_t)b[2] * OPTION_UNIT;
	if (len == 0 || len > rom_size) {
		errmsg_set(err, errlen, "option ROM length byte says %zu bytes, the file has %zu",
		           len, rom_size);
		return -ENOEXEC;
	}
	for (size_t i = 0; i < len; i++)
		sum = (uint8_t)(sum + b[i]);
	if (sum != 0) {
		errmsg_set(err, errlen,
		           "option ROM checksum is wrong (its %zu bytes sum to %u, not 0 mod 256)",
		           len, (unsigned)sum);
		return -ENOEXEC;
	}
	*length = len;
	return 0;
}

int rom_place_option(uint8_t *image, size_t size, const void *rom, size_t rom_size,
                     uint32_t *next_gpa, uint32_t *placed_gpa, char *err, size_t errlen)
{
	uint64_t at;
	size_t len;
	int rc;

	if (errlen)
		err[0] = '\0';
	if (!image || size != ROM_BIOS_SIZE || !next_gpa || !placed_gpa) {
		errmsg_set(err, errlen, "rom_place_option: bad arguments");
		return -EINVAL;
	}
	rc = rom_check_option(rom, rom_size, &len, err, errlen);
	if (rc)
		return rc;
	at = ((uint64_t)*next_gpa + ROM_OPTION_ALIGN - 1) & ~(uint64_t)(ROM_OPTION_ALIGN - 1);
	if (at < ROM_OPTION_GPA)
		at = ROM_OPTION_GPA;
	if (at > ROM_OPTION_END || len > ROM_OPTION_END - at) {
		errmsg_set(
		    err, errlen,
		    "option ROM of %zu bytes does not fit: the option ROM space ends at 0xe0000 "
		    "and the next free address is 0x%llx",
		    len, (unsigned long long)at);
		return -ENOSPC;
	}
	memcpy(image + (at - ROM_BIOS_GPA), rom, len);
	*placed_gpa = (uint32_t)at;
	*next_gpa = (uint32_t)(at + len);
	return 0;
}
