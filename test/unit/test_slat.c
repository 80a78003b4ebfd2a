/* Host tests of the SLAT walker with the NPT format: mapping, splitting, freeing, hostile ranges. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>

#include "fakes/fake_hv.h"
#include "libhv/slat/slat.h"

#define NPT_P  (1ULL << 0)
#define NPT_RW (1ULL << 1)
#define NPT_US (1ULL << 2)
#define NPT_NX (1ULL << 63)

static struct slat s;

static void setup(void)
{
	fake_host_reset();
	cr_assert_eq(slat_init(&s, &slat_format_npt, &fake_host_ops, 40, true), 0);
}

static void teardown(void)
{
	slat_destroy(&s);
	cr_expect_eq(fake_host_pages_in_use(), 0, "every table page is freed");
	fake_host_reset();
}

TestSuite(slat, .init = setup, .fini = teardown);

/* The raw entry that maps gpa, and its level (0 = 4 KiB, 1 = 2 MiB, 2 = 1 GiB). */
static uint64_t leaf_entry(hv_gpa_t gpa, unsigned *level_out)
{
	hv_hpa_t table = s.root;

	for (unsigned level = 3;; level--) {
		uint64_t *t = fake_host_ops.hpa_to_hva(table);
		uint64_t e = t[(gpa >> (12 + 9 * level)) & 511];

		if (!(e & NPT_P))
			return 0;
		cr_assert(e & NPT_US, "NPT needs U at every level (level %u)", level);
		if (level == 0 || (e & SLAT_LARGE_PAGE)) {
			*level_out = level;
			return e;
		}
		table = e & SLAT_ADDR_MASK;
	}
}

Test(slat, maps_4k_pages_and_translates)
{
	hv_hpa_t hpa;
	uint32_t flags;
	unsigned level;

	cr_assert_eq(slat_map(&s, 0x5000, 0x123000, 0x3000, HV_MAP_GPA_READABLE),
	             HV_STATUS_SUCCESS);
	cr_assert_eq(slat_translate(&s, 0x6abc, &hpa, &flags), HV_STATUS_SUCCESS);
	cr_expect_eq(hpa, 0x124abc);
	cr_expect_eq(flags, HV_MAP_GPA_READABLE);
	uint64_t e = leaf_entry(0x6000, &level);
	cr_expect_eq(level, 0);
	cr_expect(e & NPT_NX, "not executable: NX set");
	cr_expect(!(e & NPT_RW), "read-only");
	cr_expect_eq(slat_translate(&s, 0x8000, &hpa, &flags), HV_STATUS_NOT_FOUND);
	cr_expect_eq(slat_translate(&s, 0x4fff, &hpa, &flags), HV_STATUS_NOT_FOUND);
	/* Root, PDPT, PD, PT. */
	cr_expect_eq(s.table_pages, 4);
}

Test(slat, picks_2m_and_1g_pages_when_aligned)
{
	unsigned level;

	cr_assert_eq(slat_map(&s, 0x40000000, 0x80000000, 0x40000000 + 0x400000, HV_MAP_GPA_RWX),
	             HV_STATUS_SUCCESS);
	leaf_entry(0x40000000, &level);
	cr_expect_eq(level, 2, "1 GiB leaf where both sides are 1 GiB aligned");
	leaf_entry(0x80200000, &level);
	cr_expect_eq(level, 1, "2 MiB leaves for the rest");
	cr_expect_eq(s.table_pages, 3, "no page tables for large leaves");
}

Test(slat, no_large_pages_flag_and_misaligned_hpa_use_4k)
{
	unsigned level;

	cr_assert_eq(
	    slat_map(&s, 0x200000, 0x200000, 0x200000, HV_MAP_GPA_RWX | HV_MAP_GPA_NO_LARGE_PAGES),
	    HV_STATUS_SUCCESS);
	leaf_entry(0x200000, &level);
	cr_expect_eq(level, 0);
	cr_assert_eq(slat_map(&s, 0x400000, 0x201000 + 0x400000, 0x200000, HV_MAP_GPA_RWX),
	             HV_STATUS_SUCCESS);
	leaf_entry(0x400000, &level);
	cr_expect_eq(level, 0, "the HPA is not 2 MiB aligned");
}

Test(slat, without_1g_support_uses_2m)
{
	unsigned level;

	s.allow_1g = false;
	cr_assert_eq(slat_map(&s, 0, 0, 1ULL << 30, HV_MAP_GPA_RWX), HV_STATUS_SUCCESS);
	leaf_entry(0, &level);
	cr_expect_eq(level, 1);
}

Test(slat, unmapping_part_of_a_large_page_splits_it)
{
	hv_hpa_t hpa;
	uint32_t flags;
	unsigned level;
	uint64_t gen = s.flush_generation;

	cr_assert_eq(
	    slat_map(&s, 0x200000, 0x600000, 0x200000, HV_MAP_GPA_READABLE | HV_MAP_GPA_WRITABLE),
	    HV_STATUS_SUCCESS);
	cr_assert_eq(slat_unmap(&s, 0x201000, 0x1000), HV_STATUS_SUCCESS);
	cr_expect_neq(s.flush_generation, gen, "an unmap requests a flush");
	cr_expect_eq(slat_translate(&s, 0x201000, &hpa, &flags), HV_STATUS_NOT_FOUND);
	cr_assert_eq(slat_translate(&s, 0x202008, &hpa, &flags), HV_STATUS_SUCCESS);
	cr_expect_eq(hpa, 0x602008);
	cr_expect_eq(flags, HV_MAP_GPA_READABLE | HV_MAP_GPA_WRITABLE, "rights survive the split");
	leaf_entry(0x200000, &level);
	cr_expect_eq(level, 0);
}

Test(slat, splitting_a_1g_page_keeps_2m_leaves)
{
	unsigned level;
	hv_hpa_t hpa;

	cr_assert_eq(slat_map(&s, 0, 0x40000000, 1ULL << 30, HV_MAP_GPA_RWX), HV_STATUS_SUCCESS);
	cr_assert_eq(slat_unmap(&s, 0x1000, 0x1000), HV_STATUS_SUCCESS);
	leaf_entry(0x400000, &level);
	cr_expect_eq(level, 1, "the untouched 2 MiB pieces stay large");
	leaf_entry(0x2000, &level);
	cr_expect_eq(level, 0);
	cr_assert_eq(slat_translate(&s, 0x3fffffff, &hpa, NULL), HV_STATUS_SUCCESS);
	cr_expect_eq(hpa, 0x7fffffff);
}

Test(slat, unmapping_everything_frees_the_tables)
{
	cr_assert_eq(slat_map(&s, 0x1000, 0x1000, 0x7ff000, HV_MAP_GPA_RWX), HV_STATUS_SUCCESS);
	cr_assert_eq(slat_map(&s, 0x8000000000ULL, 0x1000, 0x1000, HV_MAP_GPA_RWX),
	             HV_STATUS_SUCCESS);
	cr_assert_gt(s.table_pages, 4);
	cr_assert_eq(slat_unmap(&s, 0, 0x10000000000ULL), HV_STATUS_SUCCESS);
	cr_expect_eq(s.table_pages, 1, "only the root stays");
}

Test(slat, a_new_mapping_does_not_request_a_flush)
{
	uint64_t gen = s.flush_generation;

	cr_assert_eq(slat_map(&s, 0, 0, 0x10000, HV_MAP_GPA_RWX), HV_STATUS_SUCCESS);
	cr_expect_eq(s.flush_generation, gen);
	cr_assert_eq(slat_unmap(&s, 0x20000, 0x1000), HV_STATUS_SUCCESS);
	cr_expect_eq(s.flush_generation, gen, "unmapping a hole changes nothing");
}

Test(slat, overlapping_map_is_refused_and_changes_nothing)
{
	hv_hpa_t hpa;

	cr_assert_eq(slat_map(&s, 0x200000, 0x200000, 0x200000, HV_MAP_GPA_RWX), HV_STATUS_SUCCESS);
	cr_expect_eq(slat_map(&s, 0x3ff000, 0x1000, 0x2000, HV_MAP_GPA_RWX),
	             HV_STATUS_INVALID_PARAMETER);
	cr_expect_eq(slat_translate(&s, 0x400000, &hpa, NULL), HV_STATUS_NOT_FOUND);
	cr_expect_eq(slat_map(&s, 0, 0, 0x10000000, HV_MAP_GPA_RWX), HV_STATUS_INVALID_PARAMETER);
}

Test(slat, out_of_memory_leaves_nothing_mapped)
{
	hv_hpa_t hpa;
	size_t before = fake_host_pages_in_use();

	/* Room for the PDPT and a PD only: the 4 KiB pages after the first 2 MiB need a PT. */
	fake_host_fail_after(2);
	cr_expect_eq(slat_map(&s, 0x200000, 0x200000, 0x201000, HV_MAP_GPA_RWX),
	             HV_STATUS_INSUFFICIENT_MEMORY);
	fake_host_fail_after(-1);
	cr_expect_eq(slat_translate(&s, 0x200000, &hpa, NULL), HV_STATUS_NOT_FOUND);
	cr_expect_eq(fake_host_pages_in_use(), before, "the tables it built were freed");
}

struct bad_range {
	hv_gpa_t gpa;
	hv_hpa_t hpa;
	uint64_t size;
	uint32_t flags;
	hv_status_t expected;
	bool gpa_range_bad; /* the GPA range itself is bad: unmap refuses it too */
};

ParameterizedTestParameters(slat, hostile_ranges)
{
	static struct bad_range cases[] = {
	    {0x1001, 0x1000, 0x1000, HV_MAP_GPA_RWX, HV_STATUS_INVALID_ALIGNMENT, true},
	    {0x1000, 0x1001, 0x1000, HV_MAP_GPA_RWX, HV_STATUS_INVALID_ALIGNMENT, false},
	    {0x1000, 0x1000, 0x1001, HV_MAP_GPA_RWX, HV_STATUS_INVALID_ALIGNMENT, true},
	    {0x1000, 0x1000, 0, HV_MAP_GPA_RWX, HV_STATUS_INVALID_PARAMETER, true},
	    {0xfffffffffffff000ULL, 0, 0x2000, HV_MAP_GPA_RWX, HV_STATUS_INVALID_PARAMETER, true},
	    {1ULL << 40, 0, 0x1000, HV_MAP_GPA_RWX, HV_STATUS_INVALID_PARAMETER, true},
	    {(1ULL << 40) - 0x1000, 0, 0x2000, HV_MAP_GPA_RWX, HV_STATUS_INVALID_PARAMETER, true},
	    {0, 0xfffffffffffff000ULL, 0x2000, HV_MAP_GPA_RWX, HV_STATUS_INVALID_PARAMETER, false},
	    {0, 1ULL << 52, 0x1000, HV_MAP_GPA_RWX, HV_STATUS_INVALID_PARAMETER, false},
	    {0, 0, 0x1000, HV_MAP_GPA_WRITABLE, HV_STATUS_INVALID_PARAMETER, false},
	    {0, 0, 0x1000, 0, HV_STATUS_INVALID_PARAMETER, false},
	    {0, 0, 0x1000, 0x100, HV_STATUS_INVALID_PARAMETER, false},
	};
	return cr_make_param_array(struct bad_range, cases, sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct bad_range *c, slat, hostile_ranges)
{
	cr_expect_eq(slat_map(&s, c->gpa, c->hpa, c->size, c->flags), c->expected,
	             "map gpa %#llx hpa %#llx size %#llx flags %#x", (unsigned long long)c->gpa,
	             (unsigned long long)c->hpa, (unsigned long long)c->size, c->flags);
	cr_expect_eq(s.table_pages, 1, "a refused map builds nothing");
	if (c->gpa_range_bad)
		cr_expect_eq(slat_unmap(&s, c->gpa, c->size), c->expected);
}

Test(slat, translate_beyond_the_address_width)
{
	cr_expect_eq(slat_translate(&s, 1ULL << 40, NULL, NULL), HV_STATUS_INVALID_PARAMETER);
}

/*
 * A random sequence of maps and unmaps over a 64 MiB window checked page by page against a
 * plain array: whatever the sequence, the tables say exactly what the model says.
 */
#define WINDOW_PAGES (64U * 256U)

struct model_page {
	bool mapped;
	hv_hpa_t hpa;
	uint32_t flags;
};

static struct model_page model[WINDOW_PAGES];

/* A fixed xorshift generator: the same sequence on every run and every libc. */
static unsigned next_random(unsigned *state)
{
	*state ^= *state << 13;
	*state ^= *state >> 17;
	*state ^= *state << 5;
	return *state >> 1;
}

static bool model_range_free(uint64_t first, uint64_t n)
{
	for (uint64_t i = first; i < first + n; i++)
		if (model[i].mapped)
			return false;
	return true;
}

Test(slat, random_sequences_match_a_reference_model)
{
	static const uint32_t rights[] = {
	    HV_MAP_GPA_READABLE, HV_MAP_GPA_READABLE | HV_MAP_GPA_WRITABLE,
	    HV_MAP_GPA_READABLE | HV_MAP_GPA_EXECUTABLE, HV_MAP_GPA_RWX};
	unsigned seed = 12345;

	memset(model, 0, sizeof(model));
	for (int op = 0; op < 3000; op++) {
		bool large = next_random(&seed) % 4 == 0;
		uint64_t n =
		    large ? 512 * (1 + next_random(&seed) % 3) : 1 + next_random(&seed) % 40;
		uint64_t first = (uint64_t)next_random(&seed) % (WINDOW_PAGES - n);

		if (large)
			first &= ~511ULL;
		if (next_random(&seed) % 3) {
			uint32_t f = rights[next_random(&seed) % 4];
			hv_hpa_t hpa = ((uint64_t)(next_random(&seed) % 1024) << 21) +
			               (large ? 0 : (uint64_t)(next_random(&seed) % 512) << 12);
			hv_status_t st = slat_map(&s, first << 12, hpa, n << 12, f);

			if (model_range_free(first, n)) {
				cr_assert_eq(st, HV_STATUS_SUCCESS, "op %d", op);
				for (uint64_t i = 0; i < n; i++)
					model[first + i] =
					    (struct model_page){true, hpa + (i << 12), f};
			} else {
				cr_assert_eq(st, HV_STATUS_INVALID_PARAMETER, "op %d overlap", op);
			}
		} else {
			cr_assert_eq(slat_unmap(&s, first << 12, n << 12), HV_STATUS_SUCCESS);
			for (uint64_t i = 0; i < n; i++)
				model[first + i].mapped = false;
		}
	}
	for (uint64_t i = 0; i < WINDOW_PAGES; i++) {
		hv_hpa_t hpa;
		uint32_t flags;
		hv_status_t st = slat_translate(&s, i << 12, &hpa, &flags);

		if (!model[i].mapped) {
			cr_assert_eq(st, HV_STATUS_NOT_FOUND, "page %llu", (unsigned long long)i);
			continue;
		}
		cr_assert_eq(st, HV_STATUS_SUCCESS, "page %llu", (unsigned long long)i);
		cr_assert_eq(hpa, model[i].hpa);
		cr_assert_eq(flags, model[i].flags);
	}
	cr_assert_eq(slat_unmap(&s, 0, (uint64_t)WINDOW_PAGES << 12), HV_STATUS_SUCCESS);
	cr_expect_eq(s.table_pages, 1);
}
