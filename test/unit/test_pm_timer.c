/* Unit tests for the ACPI PM timer: rate, 24-bit wrap, byte lanes. */
#include <criterion/criterion.h>

#include "devices/io_bus.h"
#include "devices/pm_timer.h"

static uint64_t now_ns;
static struct pm_timer pm;
static struct io_bus bus;

static uint64_t fake_now(void *opaque)
{
	(void)opaque;
	return now_ns;
}

static void setup(void)
{
	struct clock clk = {.now_ns = fake_now};

	now_ns = 0;
	pm_timer_init(&pm, &clk);
	io_bus_init(&bus);
	cr_assert_eq(
	    io_bus_register(&bus, PM_TIMER_PORT, PM_TIMER_PORT_COUNT, &pm_timer_io_ops, &pm), 0);
}

static uint32_t in(uint16_t port, uint8_t size)
{
	uint32_t v;

	cr_assert(io_bus_read(&bus, port, size, &v));
	return v;
}

TestSuite(pm_timer, .init = setup);

Test(pm_timer, counts_at_3579545_hz)
{
	cr_assert_eq(in(0x608, 4), 0);
	now_ns = CLOCK_NS_PER_SEC;
	cr_assert_eq(in(0x608, 4), PM_TIMER_HZ);
	now_ns = 1000;
	cr_assert_eq(in(0x608, 4), 3, "3.58 counts per microsecond, rounded down");
}

Test(pm_timer, wraps_at_24_bits)
{
	now_ns = clock_ticks_to_ns(0xFFFFFF, PM_TIMER_HZ);
	cr_assert_eq(in(0x608, 4), 0xFFFFFFU);
	now_ns = clock_ticks_to_ns(0x1000000, PM_TIMER_HZ);
	cr_assert_eq(in(0x608, 4), 0);
	now_ns = clock_ticks_to_ns(0x1000005, PM_TIMER_HZ);
	cr_assert_eq(in(0x608, 4), 5);
	now_ns = 10ULL * 365 * 86400 * CLOCK_NS_PER_SEC; /* years of uptime: still exact */
	cr_assert_leq(in(0x608, 4), 0xFFFFFFU);
}

Test(pm_timer, narrow_reads_and_writes)
{
	now_ns = clock_ticks_to_ns(0x123456, PM_TIMER_HZ);
	cr_assert_eq(in(0x608, 1), 0x56);
	cr_assert_eq(in(0x609, 2), 0x1234);
	cr_assert_eq(in(0x60B, 1), 0x00);
	cr_assert(io_bus_write(&bus, 0x608, 4, 0));
	cr_assert_eq(in(0x608, 4), 0x123456U, "writes are ignored");
}
