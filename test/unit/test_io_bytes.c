/* Unit tests for the byte splitter of wide accesses to byte-wide devices. */
#include <criterion/criterion.h>

#include "devices/io_bytes.h"

static uint8_t regs[3];
static unsigned writes;

static uint8_t rd(void *opaque, uint16_t offset)
{
	(void)opaque;
	cr_assert_lt(offset, 3);
	return regs[offset];
}

static void wr(void *opaque, uint16_t offset, uint8_t v)
{
	(void)opaque;
	cr_assert_lt(offset, 3);
	regs[offset] = v;
	writes++;
}

Test(io_bytes, split_and_clip)
{
	io_bytes_write(wr, NULL, 0, 4, 3, 0x44332211U);
	cr_assert_eq(writes, 3, "the byte past the device is dropped");
	cr_assert_eq(regs[2], 0x33);
	cr_assert_eq(io_bytes_read(rd, NULL, 1, 2, 3), 0x3322);
	cr_assert_eq(io_bytes_read(rd, NULL, 2, 4, 3), 0xFFFFFF33U);
	cr_assert_eq(io_bytes_read(rd, NULL, 0, 1, 3), 0x11);
}
