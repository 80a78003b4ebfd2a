/* Host tests of the Intel EPT entry format: R/W/X, write-back with ignore-PAT, execute-only, A/D. */
#include "slat_test_formats.h"

#define EPT_R     (1ULL << 0)
#define EPT_W     (1ULL << 1)
#define EPT_X     (1ULL << 2)
#define EPT_MT_WB (6ULL << 3)
#define EPT_IPAT  (1ULL << 6)
#define EPT_A     (1ULL << 8)
#define EPT_D     (1ULL << 9)

static struct slat s;

static void start(bool execute_only, bool hw_dirty)
{
	fake_host_reset();
	cr_assert_eq(slat_init(&s, &slat_format_ept, &fake_host_ops,
	                       &(struct slat_features){.phys_bits = 39,
	                                               .large_1g = true,
	                                               .execute_only = execute_only,
	                                               .hw_dirty = hw_dirty}),
	             0);
}

static void setup(void)
{
	start(false, false);
}

static void teardown(void)
{
	slat_destroy(&s);
	cr_expect_eq(fake_host_pages_in_use(), 0);
}

TestSuite(slat_ept, .init = setup, .fini = teardown);

/* The leaf for gpa, after checking the non-leaf entries: R|W|X and nothing else. */
static uint64_t walk(hv_gpa_t gpa)
{
	hv_hpa_t table = s.root;

	for (unsigned level = 3;; level--) {
		uint64_t e = slat_table(&s, table)[slat_index(gpa, level)];

		if (level == 0 || (e & SLAT_LARGE_PAGE))
			return e;
		cr_assert_eq(e & ~SLAT_ADDR_MASK, EPT_R | EPT_W | EPT_X,
		             "a table entry at level %u: R|W|X, no memory type", level);
		table = e & SLAT_ADDR_MASK;
	}
}

struct ept_rights {
	uint32_t flags;
	uint64_t bits; /* 0: refused with INVALID_PARAMETER */
	bool needs_execute_only;
};

static const struct ept_rights ept_rights_table[] = {
    {HV_MAP_GPA_READABLE, EPT_R, false},
    {HV_MAP_GPA_READABLE | HV_MAP_GPA_WRITABLE, EPT_R | EPT_W, false},
    {HV_MAP_GPA_READABLE | HV_MAP_GPA_EXECUTABLE, EPT_R | EPT_X, false},
    {HV_MAP_GPA_READABLE | HV_MAP_GPA_KERNEL_EXECUTABLE, EPT_R | EPT_X, false},
    {HV_MAP_GPA_RWX, EPT_R | EPT_W | EPT_X, false},
    {HV_MAP_GPA_EXECUTABLE, EPT_X, true},
    {HV_MAP_GPA_WRITABLE, 0, false},
    {HV_MAP_GPA_WRITABLE | HV_MAP_GPA_EXECUTABLE, 0, false},
    {0, 0, false},
};

static void check_rights_table(bool execute_only)
{
	for (size_t i = 0; i < sizeof(ept_rights_table) / sizeof(ept_rights_table[0]); i++) {
		const struct ept_rights *r = &ept_rights_table[i];
		hv_gpa_t gpa = 0x1000 * (i + 1);
		bool allowed = r->bits && (!r->needs_execute_only || execute_only);
		hv_status_t st = slat_map(&s, gpa, 0x100000 + gpa, 0x1000, r->flags);

		if (!allowed) {
			cr_expect_eq(st, HV_STATUS_INVALID_PARAMETER, "flags %#x", r->flags);
			continue;
		}
		cr_assert_eq(st, HV_STATUS_SUCCESS, "flags %#x", r->flags);
		cr_expect_eq(walk(gpa), (0x100000 + gpa) | r->bits | EPT_MT_WB | EPT_IPAT,
		             "flags %#x", r->flags);
	}
}

Test(slat_ept, leaf_bits_without_execute_only)
{
	check_rights_table(false);
}

Test(slat_ept, leaf_bits_with_execute_only)
{
	uint32_t flags;

	slat_destroy(&s);
	start(true, false);
	check_rights_table(true);
	cr_assert_eq(slat_translate(&s, 0x6000, NULL, &flags), HV_STATUS_SUCCESS);
	cr_expect_eq(flags, HV_MAP_GPA_EXECUTABLE, "execute-only reads back as such");
}

Test(slat_ept, protect_to_execute_only_needs_the_capability)
{
	cr_assert_eq(slat_map(&s, 0, 0, 0x1000, HV_MAP_GPA_RWX), HV_STATUS_SUCCESS);
	cr_expect_eq(slat_protect(&s, 0, 0x1000, HV_MAP_GPA_EXECUTABLE),
	             HV_STATUS_INVALID_PARAMETER);
	cr_expect_eq(slat_protect(&s, 0, 0x1000, HV_MAP_GPA_WRITABLE), HV_STATUS_INVALID_PARAMETER);
	s.execute_only = true;
	cr_expect_eq(slat_protect(&s, 0, 0x1000, HV_MAP_GPA_EXECUTABLE), HV_STATUS_SUCCESS);
	cr_expect_eq(walk(0), EPT_X | EPT_MT_WB | EPT_IPAT);
}

Test(slat_ept, large_leaves_keep_the_memory_type_and_split_with_it)
{
	cr_assert_eq(slat_map(&s, 0x40000000, 0x80000000, 1ULL << 30, HV_MAP_GPA_RWX),
	             HV_STATUS_SUCCESS);
	cr_expect_eq(walk(0x40000000),
	             0x80000000 | EPT_R | EPT_W | EPT_X | EPT_MT_WB | EPT_IPAT | SLAT_LARGE_PAGE);
	cr_assert_eq(slat_unmap(&s, 0x40000000, 0x1000), HV_STATUS_SUCCESS);
	cr_expect_eq(walk(0x40200000),
	             0x80200000 | EPT_R | EPT_W | EPT_X | EPT_MT_WB | EPT_IPAT | SLAT_LARGE_PAGE);
	cr_expect_eq(walk(0x40001000), 0x80001000 | EPT_R | EPT_W | EPT_X | EPT_MT_WB | EPT_IPAT,
	             "4 KiB leaves have no page bit");
}

Test(slat_ept, dirty_bit_9_is_used_only_with_a_d_enabled)
{
	uint64_t bitmap;
	unsigned level;

	cr_assert_eq(slat_map(&s, 0, 0, 0x1000, HV_MAP_GPA_RWX), HV_STATUS_SUCCESS);
	cr_expect_not(s.hw_dirty);
	cr_assert_eq(slat_harvest_dirty(&s, 0, 0x1000, &bitmap, true), HV_STATUS_SUCCESS);
	cr_expect_eq(bitmap, 1, "without A/D a page never cleared counts as dirty");
	cr_expect_not(walk(0) & EPT_W, "write-protected to catch the next write");

	slat_destroy(&s);
	start(false, true);
	cr_assert_eq(slat_map(&s, 0, 0, 0x1000, HV_MAP_GPA_RWX), HV_STATUS_SUCCESS);
	cr_assert_eq(slat_harvest_dirty(&s, 0, 0x1000, &bitmap, false), HV_STATUS_SUCCESS);
	cr_expect_eq(bitmap, 0, "with A/D a fresh page is clean");
	*slat_find_leaf(&s, 0, &level) |= EPT_A | EPT_D;
	cr_assert_eq(slat_harvest_dirty(&s, 0, 0x1000, &bitmap, true), HV_STATUS_SUCCESS);
	cr_expect_eq(bitmap, 1);
	cr_expect_eq(walk(0) & (EPT_A | EPT_D | EPT_W), EPT_A | EPT_W, "D cleared, W kept");
}
