/* Host tests of the MMIO bus and the scratch device: claims, overlaps, partial and unclaimed access. */
#include <criterion/criterion.h>
#include <string.h>

#include "devices/mmio_bus.h"
#include "devices/mmio_scratch.h"
#include "monitor/lib/errno.h"

static struct mmio_bus bus;
static struct mmio_scratch scratch;

static void setup(void)
{
	mmio_bus_init(&bus);
	mmio_scratch_init(&scratch);
	cr_assert_eq(mmio_bus_register(&bus, MMIO_SCRATCH_BASE, MMIO_SCRATCH_SIZE,
	                               &mmio_scratch_ops, &scratch),
	             0);
}

TestSuite(mmio_bus, .init = setup);

Test(mmio_bus, registration_refuses_bad_ranges)
{
	cr_expect_eq(
	    mmio_bus_register(&bus, MMIO_SCRATCH_BASE + 0xfff, 2, &mmio_scratch_ops, &scratch),
	    -EEXIST);
	cr_expect_eq(mmio_bus_register(&bus, MMIO_SCRATCH_BASE - 1, 2, &mmio_scratch_ops, &scratch),
	             -EEXIST);
	cr_expect_eq(mmio_bus_register(&bus, 0x1000, 0, &mmio_scratch_ops, &scratch), -EINVAL);
	cr_expect_eq(mmio_bus_register(&bus, ~0ULL - 10, 100, &mmio_scratch_ops, &scratch),
	             -EINVAL);
	cr_expect_eq(mmio_bus_register(&bus, 0x1000, 1, NULL, &scratch), -EINVAL);
	for (uint64_t i = 1; i < MMIO_BUS_MAX_DEVICES; i++)
		cr_assert_eq(mmio_bus_register(&bus, i << 12, 0x1000, &mmio_scratch_ops, &scratch),
		             0);
	cr_expect_eq(mmio_bus_register(&bus, 0x100000, 0x1000, &mmio_scratch_ops, &scratch),
	             -ENOSPC);
}

Test(mmio_bus, scratch_reads_back_what_was_written)
{
	uint64_t v = 0x1122334455667788ULL, back = 0;
	uint8_t wide[32];

	cr_assert(mmio_bus_write(&bus, MMIO_SCRATCH_BASE + 8, &v, 8));
	cr_assert(mmio_bus_read(&bus, MMIO_SCRATCH_BASE + 8, &back, 8));
	cr_expect_eq(back, v);
	cr_assert(mmio_bus_read(&bus, MMIO_SCRATCH_BASE + 9, &back, 1));
	cr_expect_eq(back & 0xff, 0x77);
	memset(wide, 0xab, sizeof(wide));
	cr_assert(mmio_bus_write(&bus, MMIO_SCRATCH_BASE + 0x20, wide, 32));
	cr_expect_eq(scratch.bytes[0x3f], 0xab);
	cr_expect_eq(scratch.writes, 2);
	cr_expect_eq(scratch.reads, 2);
}

Test(mmio_bus, counters_are_read_only)
{
	uint64_t counters[2], junk = ~0ULL;

	cr_assert(mmio_bus_write(&bus, MMIO_SCRATCH_BASE + MMIO_SCRATCH_COUNTERS, &junk, 8));
	cr_assert(mmio_bus_read(&bus, MMIO_SCRATCH_BASE + MMIO_SCRATCH_COUNTERS, counters, 16));
	cr_expect_eq(counters[0], 1, "this read");
	cr_expect_eq(counters[1], 1, "the write, which changed nothing");
	cr_assert(mmio_bus_write(&bus, MMIO_SCRATCH_BASE + MMIO_SCRATCH_COUNTERS - 4, &junk, 8));
	cr_expect_eq(scratch.bytes[MMIO_SCRATCH_COUNTERS - 1], 0xff,
	             "the part before the counters");
}

Test(mmio_bus, unclaimed_and_straddling_accesses)
{
	uint32_t v = 0;

	cr_expect_not(mmio_bus_read(&bus, 0xe0000000, &v, 4));
	cr_expect_eq(v, 0xffffffff, "an empty bus reads all ones");
	cr_expect_not(mmio_bus_read(&bus, MMIO_SCRATCH_BASE + 0xffe, &v, 4), "runs past the end");
	cr_expect_not(mmio_bus_write(&bus, MMIO_SCRATCH_BASE - 2, &v, 4));
	cr_expect_not(mmio_bus_read(&bus, ~0ULL - 1, &v, 4), "wraps");
	cr_expect_not(mmio_bus_claims(&bus, MMIO_SCRATCH_BASE, 0));
	cr_expect(mmio_bus_claims(&bus, MMIO_SCRATCH_BASE + 0xff8, 8));
	cr_expect_eq(scratch.reads + scratch.writes, 0, "the device never saw any of them");
}
