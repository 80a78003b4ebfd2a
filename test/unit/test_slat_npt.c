/* Host tests of the AMD NPT entry format: P/RW/US/NX bits, U at every level, A/D positions. */
#include "slat_test_formats.h"

#define NPT_P  (1ULL << 0)
#define NPT_RW (1ULL << 1)
#define NPT_US (1ULL << 2)
#define NPT_D  (1ULL << 6)
#define NPT_NX (1ULL << 63)

static struct slat s;

static void setup(void)
{
	fake_host_reset();
	cr_assert_eq(
	    slat_init(&s, &slat_format_npt, &fake_host_ops,
	              &(struct slat_features){.phys_bits = 40, .large_1g = true, .hw_dirty = true}),
	    0);
}

static void teardown(void)
{
	slat_destroy(&s);
	cr_expect_eq(fake_host_pages_in_use(), 0);
}

TestSuite(slat_npt, .init = setup, .fini = teardown);

/* The leaf for gpa, after checking that every entry on the way has P and U. */
static uint64_t walk(hv_gpa_t gpa)
{
	hv_hpa_t table = s.root;

	for (unsigned level = 3;; level--) {
		uint64_t e = slat_table(&s, table)[slat_index(gpa, level)];

		cr_assert(e & NPT_P, "present at level %u", level);
		cr_assert(e & NPT_US, "NPT needs U at every level (level %u)", level);
		if (level == 0 || (e & SLAT_LARGE_PAGE))
			return e;
		cr_expect(e & NPT_RW, "tables grant write; leaves decide");
		cr_expect_not(e & NPT_NX, "tables grant execute; leaves decide");
		table = e & SLAT_ADDR_MASK;
	}
}

Test(slat_npt, leaf_bits_follow_the_rights)
{
	cr_assert_eq(slat_map(&s, 0x1000, 0xa000, 0x1000, HV_MAP_GPA_READABLE), HV_STATUS_SUCCESS);
	cr_assert_eq(
	    slat_map(&s, 0x2000, 0xb000, 0x1000, HV_MAP_GPA_READABLE | HV_MAP_GPA_WRITABLE),
	    HV_STATUS_SUCCESS);
	cr_assert_eq(slat_map(&s, 0x3000, 0xc000, 0x1000, HV_MAP_GPA_RWX), HV_STATUS_SUCCESS);
	cr_expect_eq(walk(0x1000), 0xa000 | NPT_P | NPT_US | NPT_NX);
	cr_expect_eq(walk(0x2000), 0xb000 | NPT_P | NPT_US | NPT_RW | NPT_NX);
	cr_expect_eq(walk(0x3000), 0xc000 | NPT_P | NPT_US | NPT_RW);
}

Test(slat_npt, large_leaves_have_ps_and_no_pat_memory_type)
{
	cr_assert_eq(slat_map(&s, 0x200000, 0x400000, 0x200000, HV_MAP_GPA_RWX), HV_STATUS_SUCCESS);
	cr_expect_eq(walk(0x200000), 0x400000 | NPT_P | NPT_US | NPT_RW | SLAT_LARGE_PAGE);
}

Test(slat_npt, no_page_without_read)
{
	cr_expect_eq(slat_map(&s, 0, 0, 0x1000, HV_MAP_GPA_EXECUTABLE), HV_STATUS_INVALID_PARAMETER,
	             "NPT has no execute-only page");
	s.execute_only = true;
	cr_expect_eq(slat_map(&s, 0, 0, 0x1000, HV_MAP_GPA_EXECUTABLE), HV_STATUS_INVALID_PARAMETER,
	             "not even when asked to allow it");
}

Test(slat_npt, the_processor_sets_d_in_bit_6)
{
	uint64_t bitmap;
	unsigned level;

	cr_assert_eq(slat_map(&s, 0, 0, 0x1000, HV_MAP_GPA_RWX), HV_STATUS_SUCCESS);
	*slat_find_leaf(&s, 0, &level) |= NPT_D;
	cr_assert_eq(slat_harvest_dirty(&s, 0, 0x1000, &bitmap, true), HV_STATUS_SUCCESS);
	cr_expect_eq(bitmap, 1);
	cr_expect_not(walk(0) & NPT_D, "cleared");
}
