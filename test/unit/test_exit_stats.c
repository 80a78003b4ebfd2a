/* Unit tests for the per-partition exit table (monitor/exit_stats.c). */
#include <criterion/criterion.h>
#include <stdint.h>
#include <string.h>

#include "monitor/exit_stats.h"
#include "test/fakes/fake_serial.h"

Test(exit_stats, permille_rounds_to_nearest)
{
	cr_expect_eq(exit_stats_permille(0, 0), 0U);
	cr_expect_eq(exit_stats_permille(1, 3), 333U);
	cr_expect_eq(exit_stats_permille(2, 3), 667U);
	cr_expect_eq(exit_stats_permille(7, 7), 1000U);
	cr_expect_eq(exit_stats_permille(1, 2000), 1U); /* 0.05% rounds up */
	cr_expect_eq(exit_stats_permille(1, 2001), 0U);
	cr_expect_eq(exit_stats_permille(UINT64_MAX / 2, UINT64_MAX), 500U, "no overflow");
}

Test(exit_stats, table_sorted_with_shares)
{
	struct hv_vp_stats s = {0};
	const char *out;

	s.exits[HV_EXIT_CPUID] = 3;
	s.exits[HV_EXIT_IO] = 544;
	s.exits[HV_EXIT_MEMORY_ACCESS] = 3;
	fake_serial_reset();
	exit_stats_print("> ", &s, false);
	out = fake_serial_output();
	cr_expect_str_eq(out, "> exit reason               count    share\n"
	                      "> io                          544    98.9%\n"
	                      "> memory-access                 3     0.5%\n"
	                      "> cpuid                         3     0.5%\n"
	                      "> total                       550   100.0%\n");
	cr_expect_eq(exit_stats_total(&s), 550U);
}

Test(exit_stats, all_reasons_and_empty)
{
	struct hv_vp_stats s = {0};
	const char *out;

	fake_serial_reset();
	exit_stats_print("", &s, true);
	out = fake_serial_output();
	/* Every reason but "none", each with 0, and a total without a share. */
	cr_expect(strstr(out, "shutdown                      0     0.0%\n") != NULL, "%s", out);
	cr_expect(strstr(out, "none") == NULL, "%s", out);
	cr_expect(strstr(out, "total                         0        -\n") != NULL, "%s", out);
}
