/* Host tests of slat_protect on every format: rights, holes, edge splits, one flush per call. */
#include "slat_test_formats.h"

static struct slat s;

#define R  HV_MAP_GPA_READABLE
#define RW (HV_MAP_GPA_READABLE | HV_MAP_GPA_WRITABLE)
#define RX (HV_MAP_GPA_READABLE | HV_MAP_GPA_EXECUTABLE)

static void slat_test_start(const struct slat_case *c)
{
	fake_host_reset();
	cr_assert_eq(slat_init(&s, slat_case_format(c), &fake_host_ops,
	                       &(struct slat_features){.phys_bits = 40,
	                                               .large_1g = true,
	                                               .execute_only = c->execute_only,
	                                               .hw_dirty = c->hw_dirty}),
	             0);
}

static void teardown(void)
{
	slat_destroy(&s);
	cr_expect_eq(fake_host_pages_in_use(), 0, "every table page is freed");
	fake_host_reset();
}

TestSuite(slat_protect, .fini = teardown);

static uint32_t rights(hv_gpa_t gpa)
{
	uint32_t flags = 0;

	cr_assert_eq(slat_translate(&s, gpa, NULL, &flags), HV_STATUS_SUCCESS);
	return flags;
}

static unsigned leaf_level(hv_gpa_t gpa)
{
	unsigned level = 99;

	cr_assert_not_null(slat_find_leaf(&s, gpa, &level));
	return level;
}

FORMAT_TEST(slat_protect, reducing_rights_of_4k_pages_flushes_once)
{
	uint64_t gen;

	cr_assert_eq(slat_map(&s, 0x10000, 0x10000, 0x10000, HV_MAP_GPA_RWX), HV_STATUS_SUCCESS);
	gen = s.flush_generation;
	cr_assert_eq(slat_protect(&s, 0x12000, 0x4000, R), HV_STATUS_SUCCESS, "%s", s.fmt->name);
	cr_expect_eq(s.flush_generation, gen + 1, "four pages lose rights: one flush");
	cr_expect_eq(rights(0x11000), HV_MAP_GPA_RWX);
	cr_expect_eq(rights(0x12000), R);
	cr_expect_eq(rights(0x15000), R);
	cr_expect_eq(rights(0x16000), HV_MAP_GPA_RWX);
}

FORMAT_TEST(slat_protect, adding_rights_requests_no_flush)
{
	uint64_t gen;
	hv_hpa_t hpa;

	cr_assert_eq(slat_map(&s, 0x10000, 0x50000, 0x4000, R), HV_STATUS_SUCCESS);
	gen = s.flush_generation;
	cr_assert_eq(slat_protect(&s, 0x10000, 0x4000, HV_MAP_GPA_RWX), HV_STATUS_SUCCESS);
	cr_expect_eq(s.flush_generation, gen, "a stale translation only grants less");
	cr_expect_eq(rights(0x13000), HV_MAP_GPA_RWX);
	cr_assert_eq(slat_translate(&s, 0x13123, &hpa, NULL), HV_STATUS_SUCCESS);
	cr_expect_eq(hpa, 0x53123, "the address is kept");
	cr_assert_eq(slat_protect(&s, 0x10000, 0x4000, HV_MAP_GPA_RWX), HV_STATUS_SUCCESS);
	cr_expect_eq(s.flush_generation, gen, "the same rights again change nothing");
}

FORMAT_TEST(slat_protect, swapping_rights_counts_as_reducing)
{
	uint64_t gen;

	cr_assert_eq(slat_map(&s, 0, 0, 0x1000, RW), HV_STATUS_SUCCESS);
	gen = s.flush_generation;
	cr_assert_eq(slat_protect(&s, 0, 0x1000, RX), HV_STATUS_SUCCESS);
	cr_expect_eq(s.flush_generation, gen + 1, "W was taken away while X was given");
}

FORMAT_TEST(slat_protect, a_hole_is_not_found_and_nothing_changes)
{
	uint64_t gen;
	size_t pages;

	cr_assert_eq(slat_map(&s, 0, 0, 0x200000, HV_MAP_GPA_RWX), HV_STATUS_SUCCESS);
	cr_assert_eq(slat_map(&s, 0x201000, 0x201000, 0x1000, HV_MAP_GPA_RWX), HV_STATUS_SUCCESS);
	gen = s.flush_generation;
	pages = fake_host_pages_in_use();
	/* 0x200000 is a hole between the large page and the 4 KiB page. */
	cr_expect_eq(slat_protect(&s, 0x1000, 0x201000, R), HV_STATUS_NOT_FOUND);
	cr_expect_eq(slat_protect(&s, 0x300000, 0x1000, R), HV_STATUS_NOT_FOUND);
	cr_expect_eq(slat_protect(&s, 1ULL << 39, 0x1000, R), HV_STATUS_NOT_FOUND,
	             "no table at all there");
	cr_expect_eq(rights(0x1000), HV_MAP_GPA_RWX);
	cr_expect_eq(leaf_level(0x1000), 1, "no split either");
	cr_expect_eq(fake_host_pages_in_use(), pages);
	cr_expect_eq(s.flush_generation, gen);
}

FORMAT_TEST(slat_protect, bad_rights_are_refused)
{
	cr_assert_eq(slat_map(&s, 0, 0, 0x1000, HV_MAP_GPA_RWX), HV_STATUS_SUCCESS);
	cr_expect_eq(slat_protect(&s, 0, 0x1000, 0), HV_STATUS_INVALID_PARAMETER);
	cr_expect_eq(slat_protect(&s, 0, 0x1000, HV_MAP_GPA_WRITABLE), HV_STATUS_INVALID_PARAMETER);
	cr_expect_eq(slat_protect(&s, 0, 0x1000, R | HV_MAP_GPA_NO_LARGE_PAGES),
	             HV_STATUS_INVALID_PARAMETER, "only rights: the page size is not protect's");
	cr_expect_eq(slat_protect(&s, 0, 0x1000, R | 0x100), HV_STATUS_INVALID_PARAMETER);
	cr_expect_eq(rights(0), HV_MAP_GPA_RWX);
}

FORMAT_TEST(slat_protect, a_4k_protect_in_a_1g_page_splits_only_the_edges)
{
	uint64_t gen;
	hv_hpa_t hpa;

	cr_assert_eq(slat_map(&s, 0x40000000, 0x80000000, 1ULL << 30, HV_MAP_GPA_RWX),
	             HV_STATUS_SUCCESS);
	gen = s.flush_generation;
	cr_assert_eq(slat_protect(&s, 0x40345000, 0x1000, R), HV_STATUS_SUCCESS);
	cr_expect_eq(s.flush_generation, gen + 1);
	cr_expect_eq(leaf_level(0x40345000), 0);
	cr_expect_eq(leaf_level(0x40200000), 0, "the same 2 MiB piece is 4 KiB now");
	cr_expect_eq(leaf_level(0x40000000), 1, "the other 2 MiB pieces stay large");
	cr_expect_eq(leaf_level(0x7fe00000), 1);
	cr_expect_eq(s.table_pages, 4, "root, level 2, one level-1 and one level-0 table");
	cr_expect_eq(rights(0x40345000), R);
	cr_expect_eq(rights(0x40344000), HV_MAP_GPA_RWX);
	cr_expect_eq(rights(0x40346000), HV_MAP_GPA_RWX);
	cr_assert_eq(slat_translate(&s, 0x40345abc, &hpa, NULL), HV_STATUS_SUCCESS);
	cr_expect_eq(hpa, 0x80345abc);
}

FORMAT_TEST(slat_protect, a_whole_large_page_keeps_its_size)
{
	uint64_t gen;

	cr_assert_eq(slat_map(&s, 0x200000, 0x200000, 0x400000, HV_MAP_GPA_RWX), HV_STATUS_SUCCESS);
	gen = s.flush_generation;
	cr_assert_eq(slat_protect(&s, 0x200000, 0x400000, RX), HV_STATUS_SUCCESS);
	cr_expect_eq(leaf_level(0x200000), 1);
	cr_expect_eq(leaf_level(0x400000), 1);
	cr_expect_eq(s.table_pages, 3);
	cr_expect_eq(s.flush_generation, gen + 1);
}

FORMAT_TEST(slat_protect, a_split_alone_requests_one_flush)
{
	uint64_t gen;

	cr_assert_eq(slat_map(&s, 0x200000, 0x200000, 0x200000, R), HV_STATUS_SUCCESS);
	gen = s.flush_generation;
	cr_assert_eq(slat_protect(&s, 0x201000, 0x1000, HV_MAP_GPA_RWX), HV_STATUS_SUCCESS);
	cr_expect_eq(s.flush_generation, gen + 1, "the page size changed under a translation");
	cr_expect_eq(rights(0x201000), HV_MAP_GPA_RWX);
	cr_expect_eq(rights(0x202000), R);
}

FORMAT_TEST(slat_protect, a_failed_split_changes_no_rights)
{
	cr_assert_eq(slat_map(&s, 0, 0, 0x400000, HV_MAP_GPA_RWX), HV_STATUS_SUCCESS);
	/* The first edge can split, the second cannot. */
	fake_host_fail_after(1);
	cr_expect_eq(slat_protect(&s, 0x1000, 0x200000, R), HV_STATUS_INSUFFICIENT_MEMORY);
	fake_host_fail_after(-1);
	cr_expect_eq(rights(0x1000), HV_MAP_GPA_RWX);
	cr_expect_eq(rights(0x200000), HV_MAP_GPA_RWX);
	cr_expect_eq(leaf_level(0x200000), 1);
}

FORMAT_TEST(slat_protect, protect_across_mixed_page_sizes)
{
	cr_assert_eq(slat_map(&s, 0x1ff000, 0x1ff000, 0x602000, HV_MAP_GPA_RWX), HV_STATUS_SUCCESS);
	cr_expect_eq(leaf_level(0x200000), 1);
	cr_assert_eq(slat_protect(&s, 0x1ff000, 0x602000, R), HV_STATUS_SUCCESS);
	for (hv_gpa_t g = 0x1ff000; g < 0x801000; g += 0x1000)
		cr_assert_eq(rights(g), R, "gpa %#llx", (unsigned long long)g);
	cr_expect_eq(leaf_level(0x200000), 1, "inner large pages keep their size");
}
