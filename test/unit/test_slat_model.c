/* A randomized model-based test of the SLAT walker: 100,000 map/unmap/protect steps per format. */
#include <string.h>

#include "slat_test_formats.h"

/*
 * The guest-physical window: zone A = [0, 32 MiB) and zone B = [1 GiB, 1 GiB + 32 MiB), kept
 * page by page in the model, and the rest of [1 GiB, 2 GiB) which only whole-GiB operations
 * touch and so has one state. Small and 2 MiB operations fall in A and B; whole-GiB ones make
 * 1 GiB leaves that the small ones in B then split at both levels.
 */
#define ZONE_PAGES 8192U
#define ZONE_B     (1ULL << 30)
#define REST       (ZONE_B + ((uint64_t)ZONE_PAGES << 12))
#define GIB_END    (2ULL << 30)
#define OPS        100000
#define FULL_EVERY 10000

/* A model page: 0 when unmapped, else the HPA | the HV_MAP_GPA_* rights (low bits). */
static uint64_t model[2 * ZONE_PAGES];
static uint64_t rest; /* the state of the rest of the GiB: its base HPA (for GPA 1 GiB) | rights */
static struct slat s;
static uint64_t rng = 0x9e3779b97f4a7c15ULL;

static uint64_t next_random(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static void slat_test_start(const struct slat_case *c)
{
	fake_host_reset();
	cr_assert_eq(slat_init(&s, slat_case_format(c), &fake_host_ops,
	                       &(struct slat_features){.phys_bits = 40,
	                                               .large_1g = true,
	                                               .execute_only = c->execute_only,
	                                               .hw_dirty = c->hw_dirty}),
	             0);
	memset(model, 0, sizeof(model));
	rest = 0;
}

static void teardown(void)
{
	slat_destroy(&s);
	cr_expect_eq(fake_host_pages_in_use(), 0, "every table page is freed");
	fake_host_reset();
}

TestSuite(slat_model, .fini = teardown);

/* The model's slot for a GPA in zone A or B, or NULL for the rest of the GiB. */
static uint64_t *slot(hv_gpa_t gpa)
{
	if (gpa < ((uint64_t)ZONE_PAGES << 12))
		return &model[gpa >> 12];
	if (gpa >= ZONE_B && gpa < REST)
		return &model[ZONE_PAGES + ((gpa - ZONE_B) >> 12)];
	return NULL;
}

/* What the model says about one page: 0 when unmapped, else HPA | rights. */
static uint64_t expect_page(hv_gpa_t gpa)
{
	uint64_t *m = slot(gpa);

	if (m)
		return *m;
	if (gpa >= REST && gpa < GIB_END && rest)
		return rest + (gpa - ZONE_B);
	return 0;
}

static void check_page(hv_gpa_t gpa, long op)
{
	uint64_t want = expect_page(gpa & ~0xfffULL);
	hv_hpa_t hpa;
	uint32_t flags;
	hv_status_t st = slat_translate(&s, gpa, &hpa, &flags);

	if (!want) {
		cr_assert_eq(st, HV_STATUS_NOT_FOUND, "op %ld gpa %#llx", op,
		             (unsigned long long)gpa);
		return;
	}
	cr_assert_eq(st, HV_STATUS_SUCCESS, "op %ld gpa %#llx", op, (unsigned long long)gpa);
	cr_assert_eq(hpa, (want & ~0xfffULL) + (gpa & 0xfff), "op %ld gpa %#llx", op,
	             (unsigned long long)gpa);
	cr_assert_eq(flags, want & 0xfff, "op %ld gpa %#llx", op, (unsigned long long)gpa);
}

static hv_gpa_t random_gpa(void)
{
	uint64_t r = next_random();

	switch (r % 3) {
	case 0: return (r >> 8) % ((uint64_t)ZONE_PAGES << 12);
	case 1: return ZONE_B + (r >> 8) % ((uint64_t)ZONE_PAGES << 12);
	default: return REST + (r >> 8) % (GIB_END - REST);
	}
}

/* Will slat_protect split a large leaf at this edge? (It does when the edge is inside one.) */
static bool edge_inside_large_leaf(hv_gpa_t gpa)
{
	unsigned level;

	return slat_find_leaf(&s, gpa, &level) && level > 0 &&
	       (gpa & (slat_level_size(level) - 1)) != 0;
}

struct op {
	hv_gpa_t gpa;
	uint64_t pages;
	bool whole_gib;
};

static struct op random_op(void)
{
	struct op o = {0};
	uint64_t r = next_random();
	hv_gpa_t base = (r & 1) ? ZONE_B : 0;

	if (r % 256 == 0) {
		o.whole_gib = true;
		o.gpa = ZONE_B;
		o.pages = (GIB_END - ZONE_B) >> 12;
		return o;
	}
	if ((r >> 8) % 4 == 0) {
		o.pages = 512 * (1 + (r >> 12) % 3);
		o.gpa = base + ((((r >> 16) % (ZONE_PAGES - o.pages)) & ~511ULL) << 12);
	} else {
		o.pages = 1 + (r >> 12) % 40;
		o.gpa = base + (((r >> 20) % (ZONE_PAGES - o.pages)) << 12);
	}
	return o;
}

/* Every page of the operation's range, as the model has it: all free? all mapped? */
static void scan(const struct op *o, bool *all_free, bool *all_mapped)
{
	*all_free = true;
	*all_mapped = true;
	for (uint64_t i = 0; i < (o->whole_gib ? ZONE_PAGES : o->pages); i++) {
		bool mapped = *slot(o->gpa + (i << 12)) != 0;

		*all_free &= !mapped;
		*all_mapped &= mapped;
	}
	if (o->whole_gib) {
		*all_free &= rest == 0;
		*all_mapped &= rest != 0;
	}
}

static void model_set(const struct op *o, hv_hpa_t hpa, uint32_t flags, bool keep_hpa)
{
	for (uint64_t i = 0; i < (o->whole_gib ? ZONE_PAGES : o->pages); i++) {
		uint64_t *m = slot(o->gpa + (i << 12));

		if (!flags)
			*m = 0;
		else
			*m = (keep_hpa ? (*m & ~0xfffULL) : hpa + (i << 12)) | flags;
	}
	if (o->whole_gib)
		rest = !flags ? 0 : (keep_hpa ? (rest & ~0xfffULL) : hpa) | flags;
}

/* Would these rights take away any right the range has now? */
static bool model_reduces(const struct op *o, uint32_t flags)
{
	for (uint64_t i = 0; i < (o->whole_gib ? ZONE_PAGES : o->pages); i++)
		if (*slot(o->gpa + (i << 12)) & 0xfff & ~flags)
			return true;
	return o->whole_gib && (rest & 0xfff & ~flags);
}

static void check_everything(long op)
{
	for (uint64_t i = 0; i < ZONE_PAGES; i++) {
		check_page(i << 12, op);
		check_page(ZONE_B + (i << 12), op);
	}
	for (hv_gpa_t g = REST; g < GIB_END; g += 0x200000 - 0x1000)
		check_page(g, op);
}

FORMAT_TEST(slat_model, random_operations_match_a_reference_model)
{
	uint32_t rights[5] = {HV_MAP_GPA_READABLE, HV_MAP_GPA_READABLE | HV_MAP_GPA_WRITABLE,
	                      HV_MAP_GPA_READABLE | HV_MAP_GPA_EXECUTABLE, HV_MAP_GPA_RWX,
	                      HV_MAP_GPA_EXECUTABLE};
	unsigned nrights = c->execute_only ? 5 : 4;
	long counts[3] = {0};
	long succeeded[3] = {0}; /* maps, unmaps that removed something, protects */
	long gib_maps = 0, splits = 0;

	for (long op = 0; op < OPS; op++) {
		struct op o = random_op();
		uint64_t size = o.pages << 12;
		uint64_t gen = s.flush_generation;
		uint32_t f = rights[next_random() % nrights];
		unsigned kind = next_random() % 10;
		bool all_free, all_mapped, expect_flush = false;
		hv_status_t st;

		scan(&o, &all_free, &all_mapped);
		if (o.whole_gib && kind < 4 && !all_free) {
			/* Zone B is rarely empty: clear the GiB first (one flush) so the map fits. */
			cr_assert_eq(slat_unmap(&s, o.gpa, size), HV_STATUS_SUCCESS, "op %ld", op);
			cr_assert_eq(s.flush_generation, gen + 1, "op %ld: unmap flushes once", op);
			model_set(&o, 0, 0, false);
			gen = s.flush_generation;
			all_free = true;
			all_mapped = false;
		}
		if (kind < 4) {
			/* 2 MiB-aligned HPAs below 2 GiB, or a 1 GiB-aligned one for a whole GiB. */
			hv_hpa_t hpa = o.whole_gib ? (1 + next_random() % 2) << 30
			                           : (next_random() % 1024) << 21;

			if (!o.whole_gib && o.pages < 512 && next_random() % 2)
				hpa += (next_random() % 512) << 12;
			st = slat_map(&s, o.gpa, hpa, size, f);
			cr_assert_eq(st, all_free ? HV_STATUS_SUCCESS : HV_STATUS_INVALID_PARAMETER,
			             "op %ld map", op);
			if (all_free) {
				model_set(&o, hpa, f, false);
				succeeded[0]++;
				gib_maps += o.whole_gib;
			}
			counts[0]++;
		} else if (kind < 7) {
			expect_flush = !all_free;
			succeeded[1] += expect_flush;
			cr_assert_eq(slat_unmap(&s, o.gpa, size), HV_STATUS_SUCCESS, "op %ld", op);
			model_set(&o, 0, 0, false);
			counts[1]++;
		} else {
			if (all_mapped) {
				bool split = edge_inside_large_leaf(o.gpa) ||
				             edge_inside_large_leaf(o.gpa + size);

				expect_flush = model_reduces(&o, f) || split;
				splits += split;
				succeeded[2]++;
			}
			st = slat_protect(&s, o.gpa, size, f);
			cr_assert_eq(st, all_mapped ? HV_STATUS_SUCCESS : HV_STATUS_NOT_FOUND,
			             "op %ld protect", op);
			if (all_mapped)
				model_set(&o, 0, f, true);
			counts[2]++;
		}
		cr_assert_eq(s.flush_generation, gen + (expect_flush ? 1 : 0),
		             "op %ld (kind %u): flush requests", op, kind);
		cr_assert_eq(s.table_pages, fake_host_pages_in_use(), "op %ld: table accounting",
		             op);
		check_page(o.gpa, op);
		check_page(o.gpa + size - 1, op);
		for (int i = 0; i < 4; i++)
			check_page(random_gpa(), op);
		if ((op + 1) % FULL_EVERY == 0)
			check_everything(op);
	}
	cr_log_info("%s: %ld maps (%ld done, %ld of a whole GiB), %ld unmaps (%ld removing), "
	            "%ld protects (%ld done, %ld splitting); %llu table pages at the end",
	            s.fmt->name, counts[0], succeeded[0], gib_maps, counts[1], succeeded[1],
	            counts[2], succeeded[2], splits, (unsigned long long)s.table_pages);
	/* The sequence must exercise what it claims to: 1 GiB leaves, splits, real protects. */
	cr_expect_gt(gib_maps, 10);
	cr_expect_gt(splits, 100);
	cr_expect_gt(succeeded[2], 1000);
	cr_assert_eq(slat_unmap(&s, 0, GIB_END), HV_STATUS_SUCCESS);
	cr_expect_eq(s.table_pages, 1, "only the root stays: no table page leaks");
	cr_expect_eq(fake_host_pages_in_use(), 1);
}
