/* Host tests of dirty harvesting (slat_dirty.c): hardware dirty bits and write protection, every format. */
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

TestSuite(slat_dirty, .fini = teardown);

/* What the processor does on a guest write to gpa, in whichever mode the slat tracks. */
static void guest_write(hv_gpa_t gpa)
{
	unsigned level;
	uint64_t *e = slat_find_leaf(&s, gpa, &level);

	cr_assert_not_null(e);
	if (s.hw_dirty) {
		cr_assert(*e & s.fmt->write_bit, "hardware mode never withholds W");
		*e |= s.fmt->accessed_bit | s.fmt->dirty_bit;
	} else if (!(*e & s.fmt->write_bit)) {
		cr_assert(slat_resolve_write_fault(&s, gpa), "a withheld W is given back");
	}
	cr_assert(*e & s.fmt->write_bit);
}

static unsigned leaf_level_of(hv_gpa_t gpa)
{
	unsigned level = 99;

	cr_assert_not_null(slat_find_leaf(&s, gpa, &level));
	return level;
}

/* Harvest-and-clear until every page reads clean (the first pass in software mode is all dirty). */
static void settle(hv_gpa_t gpa, uint64_t size)
{
	uint64_t bitmap[64];

	cr_assert_eq(slat_harvest_dirty(&s, gpa, size, bitmap, true), HV_STATUS_SUCCESS);
}

FORMAT_TEST(slat_dirty, written_pages_are_reported_and_cleared_with_one_flush)
{
	uint64_t bitmap[1];
	uint64_t gen;

	cr_assert_eq(slat_map(&s, 0x10000, 0x10000, 0x10000, HV_MAP_GPA_RWX), HV_STATUS_SUCCESS);
	settle(0x10000, 0x10000);
	guest_write(0x11000);
	guest_write(0x1f000);
	gen = s.flush_generation;
	cr_assert_eq(slat_harvest_dirty(&s, 0x10000, 0x10000, bitmap, false), HV_STATUS_SUCCESS);
	cr_expect_eq(bitmap[0], (1ULL << 1) | (1ULL << 15), "%s", s.fmt->name);
	cr_expect_eq(s.flush_generation, gen, "a harvest that clears nothing needs no flush");
	cr_assert_eq(slat_harvest_dirty(&s, 0x10000, 0x10000, bitmap, true), HV_STATUS_SUCCESS);
	cr_expect_eq(bitmap[0], (1ULL << 1) | (1ULL << 15));
	cr_expect_eq(s.flush_generation, gen + 1, "two pages cleared: one flush");
	cr_assert_eq(slat_harvest_dirty(&s, 0x10000, 0x10000, bitmap, true), HV_STATUS_SUCCESS);
	cr_expect_eq(bitmap[0], 0, "cleared");
	cr_expect_eq(s.flush_generation, gen + 1, "nothing left to clear: no flush");
}

FORMAT_TEST(slat_dirty, rights_read_back_unchanged_while_tracked)
{
	uint32_t flags;

	cr_assert_eq(slat_map(&s, 0, 0, 0x2000, HV_MAP_GPA_RWX), HV_STATUS_SUCCESS);
	settle(0, 0x2000);
	cr_assert_eq(slat_translate(&s, 0, NULL, &flags), HV_STATUS_SUCCESS);
	cr_expect_eq(flags, HV_MAP_GPA_RWX, "write tracking is not a change of rights");
}

FORMAT_TEST(slat_dirty, the_first_harvest_without_dirty_bits_reports_everything)
{
	uint64_t bitmap[1];

	cr_assert_eq(slat_map(&s, 0, 0, 0x4000, HV_MAP_GPA_READABLE), HV_STATUS_SUCCESS);
	cr_assert_eq(slat_harvest_dirty(&s, 0, 0x8000, bitmap, false), HV_STATUS_SUCCESS);
	cr_expect_eq(bitmap[0], s.hw_dirty ? 0 : 0xf,
	             "a page never cleared may have been written; holes are clean");
}

FORMAT_TEST(slat_dirty, a_dirty_large_page_reports_all_its_pages)
{
	uint64_t bitmap[16];
	uint64_t gen;

	cr_assert_eq(slat_map(&s, 0x200000, 0x200000, 0x200000, HV_MAP_GPA_RWX), HV_STATUS_SUCCESS);
	settle(0x200000, 0x200000);
	guest_write(0x234000);
	gen = s.flush_generation;
	/* A range that starts 64 pages before the large page and covers half of it. */
	cr_assert_eq(slat_harvest_dirty(&s, 0x1c0000, 0x140000, bitmap, true), HV_STATUS_SUCCESS);
	for (unsigned w = 0; w < 5; w++)
		cr_expect_eq(bitmap[w], w == 0 ? 0 : ~0ULL, "word %u", w);
	cr_expect_eq(s.flush_generation, gen, "a large page sticking out is not cleared");
	cr_assert_eq(slat_harvest_dirty(&s, 0x200000, 0x200000, bitmap, true), HV_STATUS_SUCCESS);
	cr_expect_eq(bitmap[0], ~0ULL, "still dirty");
	cr_expect_eq(bitmap[7], ~0ULL);
	cr_expect_eq(s.flush_generation, gen + 1);
	cr_expect_eq(leaf_level_of(0x200000), 1, "harvesting never splits");
}

FORMAT_TEST(slat_dirty, bitmap_words_beyond_the_range_are_untouched_and_partial_words_cleared)
{
	uint64_t bitmap[3] = {~0ULL, ~0ULL, 0x1234};

	cr_assert_eq(slat_map(&s, 0, 0, 0x1000, HV_MAP_GPA_RWX), HV_STATUS_SUCCESS);
	settle(0, 0x1000);
	cr_assert_eq(slat_harvest_dirty(&s, 0, 65 * 0x1000, bitmap, false), HV_STATUS_SUCCESS);
	cr_expect_eq(bitmap[0], 0);
	cr_expect_eq(bitmap[1], 0);
	cr_expect_eq(bitmap[2], 0x1234);
	cr_expect_eq(slat_harvest_dirty(&s, 0, 0x1000, NULL, false), HV_STATUS_INVALID_PARAMETER);
}

FORMAT_TEST(slat_dirty, protect_keeps_a_clean_page_tracked)
{
	uint64_t bitmap[1];
	uint32_t flags;

	cr_assert_eq(slat_map(&s, 0, 0, 0x2000, HV_MAP_GPA_RWX), HV_STATUS_SUCCESS);
	settle(0, 0x2000);
	cr_assert_eq(slat_protect(&s, 0, 0x2000, HV_MAP_GPA_READABLE), HV_STATUS_SUCCESS);
	cr_assert_eq(slat_protect(&s, 0, 0x2000, HV_MAP_GPA_RWX), HV_STATUS_SUCCESS);
	cr_assert_eq(slat_translate(&s, 0, NULL, &flags), HV_STATUS_SUCCESS);
	cr_expect_eq(flags, HV_MAP_GPA_RWX);
	cr_assert_eq(slat_harvest_dirty(&s, 0, 0x2000, bitmap, false), HV_STATUS_SUCCESS);
	cr_expect_eq(bitmap[0], 0, "nothing was written");
	guest_write(0x1000);
	cr_assert_eq(slat_harvest_dirty(&s, 0, 0x2000, bitmap, false), HV_STATUS_SUCCESS);
	cr_expect_eq(bitmap[0], 2);
}

FORMAT_TEST(slat_dirty, a_write_fault_is_resolved_only_for_tracked_pages)
{
	uint64_t gen;

	cr_assert_eq(slat_map(&s, 0, 0, 0x1000, HV_MAP_GPA_RWX), HV_STATUS_SUCCESS);
	cr_assert_eq(slat_map(&s, 0x1000, 0x1000, 0x1000, HV_MAP_GPA_READABLE), HV_STATUS_SUCCESS);
	settle(0, 0x2000);
	gen = s.flush_generation;
	cr_expect_not(slat_resolve_write_fault(&s, 0x1000), "read-only stays read-only");
	cr_expect_not(slat_resolve_write_fault(&s, 0x5000), "unmapped");
	cr_expect_not(slat_resolve_write_fault(&s, 1ULL << 45), "beyond the width");
	cr_expect_eq(slat_resolve_write_fault(&s, 0), !s.hw_dirty);
	cr_expect_not(slat_resolve_write_fault(&s, 0), "once given back, not again");
	cr_expect_eq(s.flush_generation, gen, "giving W back needs no flush");
}
