/* Host tests of the SLAT walker (slat.c) on every format: map, split, free, translate, hostile input. */
#include "slat_test_formats.h"

static struct slat s;

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

TestSuite(slat, .fini = teardown);

static unsigned leaf_level(hv_gpa_t gpa)
{
	unsigned level = 99;

	cr_assert_not_null(slat_find_leaf(&s, gpa, &level), "gpa %#llx mapped",
	                   (unsigned long long)gpa);
	return level;
}

FORMAT_TEST(slat, maps_4k_pages_and_translates)
{
	hv_hpa_t hpa;
	uint32_t flags;

	cr_assert_eq(slat_map(&s, 0x5000, 0x123000, 0x3000, HV_MAP_GPA_READABLE), HV_STATUS_SUCCESS,
	             "%s", s.fmt->name);
	cr_assert_eq(slat_translate(&s, 0x6abc, &hpa, &flags), HV_STATUS_SUCCESS);
	cr_expect_eq(hpa, 0x124abc);
	cr_expect_eq(flags, HV_MAP_GPA_READABLE);
	cr_expect_eq(leaf_level(0x6000), 0);
	cr_expect_eq(slat_translate(&s, 0x8000, &hpa, &flags), HV_STATUS_NOT_FOUND);
	cr_expect_eq(slat_translate(&s, 0x4fff, &hpa, &flags), HV_STATUS_NOT_FOUND);
	/* Root, level-2, level-1 and level-0 tables. */
	cr_expect_eq(s.table_pages, 4);
}

FORMAT_TEST(slat, picks_2m_and_1g_pages_when_aligned)
{
	cr_assert_eq(slat_map(&s, 0x40000000, 0x80000000, 0x40000000 + 0x400000, HV_MAP_GPA_RWX),
	             HV_STATUS_SUCCESS);
	cr_expect_eq(leaf_level(0x40000000), 2, "1 GiB leaf where both sides are 1 GiB aligned");
	cr_expect_eq(leaf_level(0x80200000), 1, "2 MiB leaves for the rest");
	cr_expect_eq(s.table_pages, 3, "no page tables for large leaves");
}

FORMAT_TEST(slat, no_large_pages_flag_and_misaligned_hpa_use_4k)
{
	cr_assert_eq(
	    slat_map(&s, 0x200000, 0x200000, 0x200000, HV_MAP_GPA_RWX | HV_MAP_GPA_NO_LARGE_PAGES),
	    HV_STATUS_SUCCESS);
	cr_expect_eq(leaf_level(0x200000), 0);
	cr_assert_eq(slat_map(&s, 0x400000, 0x201000 + 0x400000, 0x200000, HV_MAP_GPA_RWX),
	             HV_STATUS_SUCCESS);
	cr_expect_eq(leaf_level(0x400000), 0, "the HPA is not 2 MiB aligned");
}

FORMAT_TEST(slat, without_1g_support_uses_2m)
{
	s.allow_1g = false;
	cr_assert_eq(slat_map(&s, 0, 0, 1ULL << 30, HV_MAP_GPA_RWX), HV_STATUS_SUCCESS);
	cr_expect_eq(leaf_level(0), 1);
}

FORMAT_TEST(slat, unmapping_part_of_a_large_page_splits_it_and_flushes_once)
{
	hv_hpa_t hpa;
	uint32_t flags;
	uint64_t gen = s.flush_generation;
	const uint32_t rw = HV_MAP_GPA_READABLE | HV_MAP_GPA_WRITABLE;

	cr_assert_eq(slat_map(&s, 0x200000, 0x600000, 0x200000, rw), HV_STATUS_SUCCESS);
	cr_assert_eq(slat_unmap(&s, 0x201000, 0x1000), HV_STATUS_SUCCESS);
	cr_expect_eq(s.flush_generation, gen + 1, "an unmap requests one flush");
	cr_expect_eq(slat_translate(&s, 0x201000, &hpa, &flags), HV_STATUS_NOT_FOUND);
	cr_assert_eq(slat_translate(&s, 0x202008, &hpa, &flags), HV_STATUS_SUCCESS);
	cr_expect_eq(hpa, 0x602008);
	cr_expect_eq(flags, rw, "rights survive the split");
	cr_expect_eq(leaf_level(0x200000), 0);
}

FORMAT_TEST(slat, splitting_a_1g_page_keeps_2m_leaves)
{
	hv_hpa_t hpa;

	cr_assert_eq(slat_map(&s, 0, 0x40000000, 1ULL << 30, HV_MAP_GPA_RWX), HV_STATUS_SUCCESS);
	cr_assert_eq(slat_unmap(&s, 0x1000, 0x1000), HV_STATUS_SUCCESS);
	cr_expect_eq(leaf_level(0x400000), 1, "the untouched 2 MiB pieces stay large");
	cr_expect_eq(leaf_level(0x2000), 0);
	cr_assert_eq(slat_translate(&s, 0x3fffffff, &hpa, NULL), HV_STATUS_SUCCESS);
	cr_expect_eq(hpa, 0x7fffffff);
}

FORMAT_TEST(slat, unmapping_everything_frees_the_tables)
{
	uint64_t gen;

	cr_assert_eq(slat_map(&s, 0x1000, 0x1000, 0x7ff000, HV_MAP_GPA_RWX), HV_STATUS_SUCCESS);
	cr_assert_eq(slat_map(&s, 0x8000000000ULL, 0x1000, 0x1000, HV_MAP_GPA_RWX),
	             HV_STATUS_SUCCESS);
	cr_assert_gt(s.table_pages, 4);
	gen = s.flush_generation;
	cr_assert_eq(slat_unmap(&s, 0, 0x10000000000ULL), HV_STATUS_SUCCESS);
	cr_expect_eq(s.table_pages, 1, "only the root stays");
	cr_expect_eq(fake_host_pages_in_use(), 1);
	cr_expect_eq(s.flush_generation, gen + 1, "one flush for the whole range");
}

FORMAT_TEST(slat, a_new_mapping_and_a_hole_request_no_flush)
{
	uint64_t gen = s.flush_generation;

	cr_assert_eq(slat_map(&s, 0, 0, 0x10000, HV_MAP_GPA_RWX), HV_STATUS_SUCCESS);
	cr_expect_eq(s.flush_generation, gen);
	cr_assert_eq(slat_unmap(&s, 0x20000, 0x1000), HV_STATUS_SUCCESS);
	cr_expect_eq(s.flush_generation, gen, "unmapping a hole changes nothing");
	cr_expect_eq(slat_map(&s, 0, 0, 0x1000, HV_MAP_GPA_RWX), HV_STATUS_INVALID_PARAMETER);
	cr_expect_eq(s.flush_generation, gen, "a refused map changes nothing");
}

FORMAT_TEST(slat, overlapping_map_is_refused_and_changes_nothing)
{
	hv_hpa_t hpa;

	cr_assert_eq(slat_map(&s, 0x200000, 0x200000, 0x200000, HV_MAP_GPA_RWX), HV_STATUS_SUCCESS);
	cr_expect_eq(slat_map(&s, 0x3ff000, 0x1000, 0x2000, HV_MAP_GPA_RWX),
	             HV_STATUS_INVALID_PARAMETER);
	cr_expect_eq(slat_translate(&s, 0x400000, &hpa, NULL), HV_STATUS_NOT_FOUND);
	cr_expect_eq(slat_map(&s, 0, 0, 0x10000000, HV_MAP_GPA_RWX), HV_STATUS_INVALID_PARAMETER);
	cr_expect_eq(s.table_pages, 3);
}

FORMAT_TEST(slat, out_of_memory_leaves_nothing_mapped_and_flushes_once)
{
	hv_hpa_t hpa;
	size_t before = fake_host_pages_in_use();
	uint64_t gen = s.flush_generation;

	/* Room for the level-2 and level-1 tables only: the 4 KiB tail needs a level-0 table. */
	fake_host_fail_after(2);
	cr_expect_eq(slat_map(&s, 0x200000, 0x200000, 0x201000, HV_MAP_GPA_RWX),
	             HV_STATUS_INSUFFICIENT_MEMORY);
	fake_host_fail_after(-1);
	cr_expect_eq(slat_translate(&s, 0x200000, &hpa, NULL), HV_STATUS_NOT_FOUND);
	cr_expect_eq(fake_host_pages_in_use(), before, "the tables it built were freed");
	cr_expect_eq(s.flush_generation, gen + 1, "the rollback requests one flush");
}

FORMAT_TEST(slat, unmap_that_cannot_split_reports_out_of_memory)
{
	hv_hpa_t hpa;

	cr_assert_eq(slat_map(&s, 0, 0, 0x200000, HV_MAP_GPA_RWX), HV_STATUS_SUCCESS);
	fake_host_fail_after(0);
	cr_expect_eq(slat_unmap(&s, 0x1000, 0x1000), HV_STATUS_INSUFFICIENT_MEMORY);
	fake_host_fail_after(-1);
	cr_expect_eq(slat_translate(&s, 0x1000, &hpa, NULL), HV_STATUS_SUCCESS,
	             "the large page is still whole");
}

/* Every hostile range, on every operation that takes one, with its exact status. */
struct bad_range {
	hv_gpa_t gpa;
	hv_hpa_t hpa;
	uint64_t size;
	uint32_t flags;
	hv_status_t expected;
	bool gpa_range_bad; /* the GPA range itself is bad: unmap, protect and harvest refuse it */
};

static const struct bad_range bad_ranges[] = {
    {0x1001, 0x1000, 0x1000, HV_MAP_GPA_RWX, HV_STATUS_INVALID_ALIGNMENT, true},
    {0x1000, 0x1001, 0x1000, HV_MAP_GPA_RWX, HV_STATUS_INVALID_ALIGNMENT, false},
    {0x1000, 0x1000, 0x1001, HV_MAP_GPA_RWX, HV_STATUS_INVALID_ALIGNMENT, true},
    {0x1000, 0x1000, 0, HV_MAP_GPA_RWX, HV_STATUS_INVALID_PARAMETER, true},
    {0xfffffffffffff000ULL, 0, 0x2000, HV_MAP_GPA_RWX, HV_STATUS_INVALID_PARAMETER, true},
    {1ULL << 40, 0, 0x1000, HV_MAP_GPA_RWX, HV_STATUS_INVALID_PARAMETER, true},
    {(1ULL << 40) - 0x1000, 0, 0x2000, HV_MAP_GPA_RWX, HV_STATUS_INVALID_PARAMETER, true},
    {0, 0xfffffffffffff000ULL, 0x2000, HV_MAP_GPA_RWX, HV_STATUS_INVALID_PARAMETER, false},
    {0, 1ULL << 52, 0x1000, HV_MAP_GPA_RWX, HV_STATUS_INVALID_PARAMETER, false},
    {0, (1ULL << 52) - 0x1000, 0x2000, HV_MAP_GPA_RWX, HV_STATUS_INVALID_PARAMETER, false},
    {0, 0, 0x1000, HV_MAP_GPA_WRITABLE, HV_STATUS_INVALID_PARAMETER, false},
    {0, 0, 0x1000, HV_MAP_GPA_WRITABLE | HV_MAP_GPA_EXECUTABLE, HV_STATUS_INVALID_PARAMETER, false},
    {0, 0, 0x1000, 0, HV_STATUS_INVALID_PARAMETER, false},
    {0, 0, 0x1000, 0x100, HV_STATUS_INVALID_PARAMETER, false},
};

FORMAT_TEST(slat, hostile_ranges_get_their_status_and_build_nothing)
{
	uint64_t bitmap[4];

	for (size_t i = 0; i < sizeof(bad_ranges) / sizeof(bad_ranges[0]); i++) {
		const struct bad_range *b = &bad_ranges[i];

		cr_expect_eq(slat_map(&s, b->gpa, b->hpa, b->size, b->flags), b->expected,
		             "%s case %zu: map gpa %#llx hpa %#llx size %#llx flags %#x",
		             s.fmt->name, i, (unsigned long long)b->gpa, (unsigned long long)b->hpa,
		             (unsigned long long)b->size, b->flags);
		cr_expect_eq(s.table_pages, 1, "case %zu: a refused map builds nothing", i);
		if (!b->gpa_range_bad)
			continue;
		cr_expect_eq(slat_unmap(&s, b->gpa, b->size), b->expected, "case %zu unmap", i);
		cr_expect_eq(slat_protect(&s, b->gpa, b->size, HV_MAP_GPA_READABLE), b->expected,
		             "case %zu protect", i);
		cr_expect_eq(slat_harvest_dirty(&s, b->gpa, b->size, bitmap, true), b->expected,
		             "case %zu harvest", i);
	}
	cr_expect_eq(s.flush_generation, 0, "nothing refused asks for a flush");
}

FORMAT_TEST(slat, translate_beyond_the_address_width)
{
	cr_expect_eq(slat_translate(&s, 1ULL << 40, NULL, NULL), HV_STATUS_INVALID_PARAMETER);
	cr_expect_eq(slat_translate(&s, ~0ULL, NULL, NULL), HV_STATUS_INVALID_PARAMETER);
}

FORMAT_TEST(slat, the_address_width_defaults_to_the_walkers_48_bits)
{
	slat_destroy(&s);
	cr_assert_eq(slat_init(&s, slat_case_format(c), &fake_host_ops, &(struct slat_features){0}),
	             0);
	cr_expect_eq(s.gpa_limit, 1ULL << 48);
	cr_expect_eq(slat_map(&s, (1ULL << 48) - 0x1000, 0, 0x1000, HV_MAP_GPA_READABLE),
	             HV_STATUS_SUCCESS);
	cr_expect_eq(slat_map(&s, 1ULL << 48, 0, 0x1000, HV_MAP_GPA_READABLE),
	             HV_STATUS_INVALID_PARAMETER);
	cr_expect_not(s.allow_1g);
}

FORMAT_TEST(slat, refuses_to_map_its_own_table_pages)
{
	hv_hpa_t table;
	unsigned level;

	cr_assert_eq(slat_map(&s, 0x1000, 0x1000, 0x1000, HV_MAP_GPA_RWX), HV_STATUS_SUCCESS);
	cr_expect_eq(slat_map(&s, 0x200000, s.root, 0x1000, HV_MAP_GPA_RWX),
	             HV_STATUS_ACCESS_DENIED, "the root table");
	/* The level-0 table that maps 0x1000: the one the leaf lives in. */
	table = s.root;
	for (level = 3; level > 0; level--)
		table = slat_table(&s, table)[slat_index(0x1000, level)] & SLAT_ADDR_MASK;
	cr_expect_eq(slat_map(&s, 0x200000, table - 0x10000, 0x20000, HV_MAP_GPA_READABLE),
	             HV_STATUS_ACCESS_DENIED, "a range that contains a table page");
	cr_expect_eq(slat_map(&s, 0x200000, 0x3000, 0x1000, HV_MAP_GPA_READABLE), HV_STATUS_SUCCESS,
	             "other pages are fine");
}

static hv_hpa_t denied_hpa;

static hv_status_t deny_one_page(const struct slat *sl, hv_hpa_t hpa, uint64_t size)
{
	(void)sl;
	return denied_hpa >= hpa && denied_hpa < hpa + size ? HV_STATUS_ACCESS_DENIED
	                                                    : HV_STATUS_SUCCESS;
}

FORMAT_TEST(slat, the_owners_host_page_policy_is_asked_after_the_range_checks)
{
	denied_hpa = 0x5000;
	s.check_hpa = deny_one_page;
	cr_expect_eq(slat_map(&s, 0, 0x4000, 0x2000, HV_MAP_GPA_RWX), HV_STATUS_ACCESS_DENIED);
	cr_expect_eq(slat_map(&s, 0, 0x4001, 0x2000, HV_MAP_GPA_RWX), HV_STATUS_INVALID_ALIGNMENT);
	cr_expect_eq(slat_map(&s, 0, 0x6000, 0x2000, HV_MAP_GPA_RWX), HV_STATUS_SUCCESS);
	cr_expect_eq(s.table_pages, 4, "only the allowed map built tables");
}
