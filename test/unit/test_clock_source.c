/* Unit tests for the TSC <-> ns arithmetic behind the monitor's clock (monitor/clock_source.h). */
#include <criterion/criterion.h>
#include <stdint.h>

#include "monitor/clock_source.h"

#define GHZ 1000000000ULL

Test(clock_source, a_1ghz_tsc_is_ns_offset_by_its_origin)
{
	cr_expect_eq(clock_source_ns_to_tsc_at(0, 500, GHZ), 500U);
	cr_expect_eq(clock_source_ns_to_tsc_at(123456789, 500, GHZ), 123457289U);
	cr_expect_eq(clock_source_tsc_to_ns_at(123457289, 500, GHZ), 123456789U);
}

Test(clock_source, before_the_origin_is_time_zero)
{
	cr_expect_eq(clock_source_tsc_to_ns_at(10, 500, GHZ), 0U);
	cr_expect_eq(clock_source_tsc_to_ns_at(500, 500, GHZ), 0U);
}

/* A 2.5 GHz TSC: ns -> tsc rounds up, tsc -> ns rounds down, and the two agree. */
Test(clock_source, the_conversions_round_so_that_they_agree)
{
	const uint64_t hz = 2500000000ULL, origin = 7777;

	for (uint64_t ns = 1; ns < 5000; ns += 3) {
		uint64_t tsc = clock_source_ns_to_tsc_at(ns, origin, hz);

		cr_assert_geq(clock_source_tsc_to_ns_at(tsc, origin, hz), ns, "ns %llu",
		              (unsigned long long)ns);
		cr_assert_lt(clock_source_tsc_to_ns_at(tsc - 1, origin, hz), ns,
		             "the first such cycle, ns %llu", (unsigned long long)ns);
	}
	/* 1 ns of a 2.5 GHz TSC is 2.5 cycles: rounded up to 3. */
	cr_expect_eq(clock_source_ns_to_tsc_at(1, 0, hz), 3U);
	cr_expect_eq(clock_source_tsc_to_ns_at(2, 0, hz), 0U);
	cr_expect_eq(clock_source_tsc_to_ns_at(3, 0, hz), 1U);
}

Test(clock_source, long_uptimes_do_not_overflow)
{
	const uint64_t hz = 3000000000ULL;
	const uint64_t ten_years_ns = 10ULL * 365 * 86400 * GHZ;
	uint64_t tsc = clock_source_ns_to_tsc_at(ten_years_ns, 0, hz);

	cr_expect_eq(tsc, ten_years_ns / GHZ * hz, "exact at whole seconds");
	cr_expect_eq(clock_source_tsc_to_ns_at(tsc, 0, hz), ten_years_ns);
}

Test(clock_source, far_deadlines_saturate_instead_of_wrapping)
{
	cr_expect_eq(clock_source_ns_to_tsc_at(UINT64_MAX, 0, 3000000000ULL), UINT64_MAX);
	cr_expect_eq(clock_source_ns_to_tsc_at(GHZ, UINT64_MAX - 10, GHZ), UINT64_MAX);
	cr_expect_eq(clock_source_tsc_to_ns_at(UINT64_MAX, 0, 1), UINT64_MAX,
	             "a 1 Hz TSC counts past what ns can hold");
}
