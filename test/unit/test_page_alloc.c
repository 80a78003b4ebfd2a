/* Unit tests for the physical page allocator, with "physical" memory backed by a host arena. */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "monitor/lib/errno.h"
#include "monitor/page_alloc.h"

#define PG  4096ULL
#define MIB (1ULL << 20)
#define GIB (1ULL << 30)

/* The arena stands for host-physical [arena_base, arena_base + arena_size). */
static uint8_t *arena;
static uint64_t arena_base, arena_size;

static void *arena_phys_to_virt(uint64_t hpa)
{
	/* The allocator must only touch RAM it was given: anything else is a test failure. */
	cr_assert(hpa >= arena_base && hpa - arena_base < arena_size,
	          "allocator touched hpa %#llx outside the arena", (unsigned long long)hpa);
	return arena + (hpa - arena_base);
}

static void arena_setup(uint64_t base, uint64_t size)
{
	arena = aligned_alloc(PG, size);
	cr_assert_not_null(arena);
	memset(arena, 0xAA, size); /* dirty: allocations must come back zeroed */
	arena_base = base;
	arena_size = size;
}

static void arena_teardown(void)
{
	free(arena);
	arena = NULL;
}

static void pa_setup(struct page_alloc *pa)
{
	memset(pa, 0, sizeof(*pa));
	pa->phys_to_virt = arena_phys_to_virt;
}

static bool page_is_zero(uint64_t hpa)
{
	const uint8_t *p = arena_phys_to_virt(hpa);

	for (size_t i = 0; i < PG; i++)
		if (p[i])
			return false;
	return true;
}

/*
 * The reference model, page by page: usable iff some available region covers the whole page and no
 * other region, reserved range, page 0 or the allocator's own bitmap touches it.
 */
static bool model_usable(const struct page_alloc *pa, uint64_t page, const struct mb2_mem_region *r,
                         size_t nr, const struct page_range *res, size_t nres)
{
	bool covered = false;

	if (page == 0)
		return false;
	if (page >= pa->map_hpa && page < pa->map_hpa + pa->map_pages * PG)
		return false;
	for (size_t i = 0; i < nr; i++) {
		uint64_t end = r[i].base + r[i].length;
		bool touches = r[i].base < page + PG && page < end;
		if (r[i].type != MB2_MEM_AVAILABLE && touches)
			return false;
		if (r[i].type == MB2_MEM_AVAILABLE && r[i].base <= page && page + PG <= end)
			covered = true;
	}
	for (size_t i = 0; i < nres; i++)
		if (res[i].start < res[i].end && res[i].start < page + PG && page < res[i].end)
			return false;
	return covered;
}

TestSuite(page_alloc, .fini = arena_teardown);

Test(page_alloc, basic)
{
	struct mb2_mem_region r[] = {{0, 0x9fc00, 1}, {0x100000, 8 * MIB, 1}};
	struct page_range res[] = {{0, MIB}};
	struct page_alloc pa;

	arena_setup(0, 9 * MIB + PG);
	pa_setup(&pa);
	cr_assert_eq(page_alloc_init(&pa, r, 2, res, 1), 0);
	cr_assert_eq(pa.map_pages, 1); /* 2 * ceil(2304 / 64) words fit in one page */
	cr_assert_geq(pa.map_hpa, MIB);
	cr_assert_eq(page_alloc_total_count(&pa), 2048 - 1);
	cr_assert_eq(page_alloc_free_count(&pa), 2048 - 1);

	uint64_t a = page_alloc_pages(&pa, 1, 1);
	cr_assert_geq(a, MIB);
	cr_assert(page_is_zero(a));
	uint64_t b = page_alloc_pages(&pa, 3, 1);
	cr_assert(b && b != a);
	cr_assert(page_is_zero(b) && page_is_zero(b + PG) && page_is_zero(b + 2 * PG));
	cr_assert_eq(page_alloc_free_count(&pa), 2047 - 4);
	cr_assert_eq(page_alloc_free(&pa, b, 3), 0);
	cr_assert_eq(page_alloc_free(&pa, a, 1), 0);
	cr_assert_eq(page_alloc_free_count(&pa), 2047);
}

Test(page_alloc, init_argument_errors)
{
	struct mb2_mem_region r[] = {{MIB, MIB, 1}};
	struct page_range bad[] = {{0x3000, 0x2000}};
	struct page_alloc pa;

	arena_setup(MIB, MIB);
	memset(&pa, 0, sizeof(pa));
	cr_assert_eq(page_alloc_init(&pa, r, 1, NULL, 0), -EINVAL); /* no phys_to_virt */
	pa_setup(&pa);
	cr_assert_eq(page_alloc_init(&pa, r, 1, bad, 1), -EINVAL);
	cr_assert_eq(page_alloc_init(&pa, NULL, 1, NULL, 0), -EINVAL);
	cr_assert_eq(page_alloc_init(&pa, r, 1, NULL, 0), 0);
}

Test(page_alloc, nothing_usable)
{
	struct page_alloc pa;

	arena_setup(0, 2 * MIB);
	pa_setup(&pa);
	cr_assert_eq(page_alloc_init(&pa, NULL, 0, NULL, 0), -ENOMEM);

	struct mb2_mem_region zero[] = {{MIB, 0, 1}, {0, 0, 1}, {5 * MIB, 0, 1}};
	cr_assert_eq(page_alloc_init(&pa, zero, 3, NULL, 0), -ENOMEM);

	struct mb2_mem_region sub_page[] = {{MIB + 1, PG, 1}, {MIB + 0x800, 0x800, 1}};
	cr_assert_eq(page_alloc_init(&pa, sub_page, 2, NULL, 0), -ENOMEM);

	struct mb2_mem_region not_ram[] = {{MIB, MIB, 2}, {0, MIB, 3}};
	cr_assert_eq(page_alloc_init(&pa, not_ram, 2, NULL, 0), -ENOMEM);

	struct mb2_mem_region ram[] = {{MIB, MIB, 1}};
	struct page_range all[] = {{0, 2 * MIB}};
	cr_assert_eq(page_alloc_init(&pa, ram, 1, all, 1), -ENOMEM);

	/* Room for the bitmap, and nothing else: no usable page left. */
	struct mb2_mem_region one[] = {{MIB, PG, 1}};
	cr_assert_eq(page_alloc_init(&pa, one, 1, NULL, 0), -ENOMEM);

	/* Only page 0 is RAM. */
	struct mb2_mem_region page0[] = {{0, PG, 1}};
	cr_assert_eq(page_alloc_init(&pa, page0, 1, NULL, 0), -ENOMEM);
}

Test(page_alloc, unaligned_region_bounds_round_inward)
{
	struct mb2_mem_region r[] = {{MIB + 0x800, 5 * PG, 1}}; /* [0x100800, 0x105800) */
	struct page_alloc pa;
	uint64_t got[8];
	size_t n = 0;

	arena_setup(MIB, MIB);
	pa_setup(&pa);
	cr_assert_eq(page_alloc_init(&pa, r, 1, NULL, 0), 0);
	cr_assert_eq(pa.map_hpa, MIB + PG);
	cr_assert_eq(page_alloc_total_count(&pa),
	             3); /* 0x101000..0x104fff, minus the bitmap page */
	while (n < 8 && (got[n] = page_alloc_pages(&pa, 1, 1)) != 0)
		n++;
	cr_assert_eq(n, 3);
	for (size_t i = 0; i < n; i++)
		cr_assert(got[i] >= MIB + 2 * PG && got[i] < MIB + 5 * PG);
}

Test(page_alloc, reserved_bounds_round_outward)
{
	struct mb2_mem_region r[] = {{MIB, 16 * PG, 1}};
	struct page_range res[] = {{MIB + PG + 1, MIB + 2 * PG + 1}}; /* touches pages 1 and 2 */
	struct page_alloc pa;

	arena_setup(MIB, MIB);
	pa_setup(&pa);
	cr_assert_eq(page_alloc_init(&pa, r, 1, res, 1), 0);
	cr_assert_eq(pa.map_hpa, MIB);
	cr_assert_eq(page_alloc_total_count(&pa), 16 - 1 - 2);
	for (uint64_t a; (a = page_alloc_pages(&pa, 1, 1)) != 0;)
		cr_assert(a != MIB + PG && a != MIB + 2 * PG, "reserved page %#llx handed out",
		          (unsigned long long)a);
}

Test(page_alloc, overlapping_regions)
{
	/*
	 * Available regions overlapping each other count once; a reserved-type region overlapping an
	 * available one wins, even partially (its pages are rounded outward).
	 */
	struct mb2_mem_region r[] = {
	    {MIB, 2 * MIB, 1},
	    {2 * MIB, 2 * MIB, 1},          /* overlaps the first */
	    {3 * MIB + 0x10, 0x20, 2},      /* a sliver of ACPI data inside: blocks one page */
	    {3 * MIB + 512 * 1024, MIB, 2}, /* covers the tail of the second */
	};
	struct page_alloc pa;

	arena_setup(MIB, 3 * MIB);
	pa_setup(&pa);
	cr_assert_eq(page_alloc_init(&pa, r, 4, NULL, 0), 0);
	/* [1M, 3.5M) is 640 pages; minus one sliver page and the one bitmap page. */
	cr_assert_eq(page_alloc_total_count(&pa), 640 - 1 - 1);
	for (uint64_t a; (a = page_alloc_pages(&pa, 1, 1)) != 0;) {
		cr_assert(model_usable(&pa, a, r, 4, NULL, 0), "%#llx", (unsigned long long)a);
		cr_assert_lt(a, 3 * MIB + 512 * 1024);
		cr_assert_neq(a, 3 * MIB);
	}
}

Test(page_alloc, max_addr_clips)
{
	struct mb2_mem_region r[] = {{MIB, 15 * MIB, 1}};
	struct page_alloc pa;

	arena_setup(MIB, 15 * MIB);
	pa_setup(&pa);
	pa.max_addr = 8 * MIB + 123; /* rounds down to a page */
	cr_assert_eq(page_alloc_init(&pa, r, 1, NULL, 0), 0);
	cr_assert_eq(page_alloc_total_count(&pa), 7 * 256 - 1);
	for (uint64_t a; (a = page_alloc_pages(&pa, 1, 1)) != 0;)
		cr_assert_lt(a, 8 * MIB);
}

Test(page_alloc, regions_above_4g)
{
	struct mb2_mem_region r[] = {
	    {0, 0x9f000, 1},
	    {4 * GIB, 8 * MIB, 1},
	    {0xfffc0000, 0x40000, 2},
	};
	struct page_range res[] = {{0, MIB}};
	struct page_alloc pa;

	arena_setup(4 * GIB, 8 * MIB);
	pa_setup(&pa);
	cr_assert_eq(page_alloc_init(&pa, r, 3, res, 1), 0);
	cr_assert_geq(pa.map_hpa, 4 * GIB); /* the low region was all reserved */
	/* Bits span 0..4G+8M: (2^20 + 2048) pages, two bitmaps of 16416 words = 65 pages. */
	cr_assert_eq(pa.map_pages, 65);
	cr_assert_eq(page_alloc_total_count(&pa), 2048 - 65);
	uint64_t a = page_alloc_pages(&pa, 512, 512);
	cr_assert_eq(a % (2 * MIB), 0);
	cr_assert_geq(a, 4 * GIB);
	cr_assert_eq(page_alloc_free(&pa, a, 512), 0);
}

Test(page_alloc, alignment)
{
	struct mb2_mem_region r[] = {{MIB, 31 * MIB, 1}};
	struct page_alloc pa;

	arena_setup(MIB, 31 * MIB);
	pa_setup(&pa);
	cr_assert_eq(page_alloc_init(&pa, r, 1, NULL, 0), 0);
	for (size_t align = 1; align <= 1024; align <<= 1) {
		page_alloc_pages(&pa, 1, 1); /* knock the next free page off any alignment */
		uint64_t a = page_alloc_pages(&pa, 3, align);
		cr_assert_neq(a, 0, "align %zu", align);
		cr_assert_eq(a % (align * PG), 0, "align %zu gave %#llx", align,
		             (unsigned long long)a);
	}
	cr_assert_eq(page_alloc_pages(&pa, 1, 3), 0);               /* not a power of two */
	cr_assert_eq(page_alloc_pages(&pa, 1, 12), 0);              /* not a power of two */
	cr_assert_eq(page_alloc_pages(&pa, 1, (size_t)1 << 40), 0); /* beyond memory */
	cr_assert_eq(page_alloc_pages(&pa, 1, (size_t)1 << 63), 0); /* aligning would overflow */
	cr_assert_neq(page_alloc_pages(&pa, 1, 0), 0);              /* 0 means 1 */
	cr_assert_eq(page_alloc_pages(&pa, 0, 1), 0);               /* nothing to give */
	cr_assert_eq(page_alloc_pages(&pa, SIZE_MAX, 1), 0);
}

Test(page_alloc, exhaustion_and_reuse)
{
	struct mb2_mem_region r[] = {{MIB, MIB, 1}};
	struct page_alloc pa;
	size_t total, n = 0;
	uint64_t last = 0;

	arena_setup(MIB, MIB);
	pa_setup(&pa);
	cr_assert_eq(page_alloc_init(&pa, r, 1, NULL, 0), 0);
	total = page_alloc_total_count(&pa);
	cr_assert_eq(page_alloc_pages(&pa, total + 1, 1), 0);
	for (uint64_t a; (a = page_alloc_pages(&pa, 1, 1)) != 0; n++)
		last = a;
	cr_assert_eq(n, total);
	cr_assert_eq(page_alloc_free_count(&pa), 0);
	cr_assert_eq(page_alloc_pages(&pa, 1, 1), 0);
	memset(arena_phys_to_virt(last), 0x5A, PG);
	cr_assert_eq(page_alloc_free(&pa, last, 1), 0);
	cr_assert_eq(page_alloc_pages(&pa, 1, 1), last);
	cr_assert(page_is_zero(last));
}

Test(page_alloc, fragmentation)
{
	struct mb2_mem_region r[] = {{MIB, 64 * PG, 1}};
	struct page_alloc pa;
	uint64_t pages[64];
	size_t n = 0;

	arena_setup(MIB, 64 * PG);
	pa_setup(&pa);
	cr_assert_eq(page_alloc_init(&pa, r, 1, NULL, 0), 0);
	while ((pages[n] = page_alloc_pages(&pa, 1, 1)) != 0)
		n++;
	cr_assert_eq(n, 63);
	for (size_t i = 0; i < n; i += 2)
		cr_assert_eq(page_alloc_free(&pa, pages[i], 1), 0);
	cr_assert_eq(page_alloc_free_count(&pa), 32);
	cr_assert_eq(page_alloc_pages(&pa, 2, 1), 0); /* 32 free pages, no two adjacent */
	cr_assert_eq(page_alloc_free(&pa, pages[9], 1), 0);
	uint64_t a = page_alloc_pages(&pa, 3, 1);
	cr_assert_eq(a, pages[8]); /* 8, 9 and 10 are now a run */
}

Test(page_alloc, bad_frees_change_nothing)
{
	struct mb2_mem_region r[] = {{MIB, MIB, 1}, {2 * MIB, MIB, 2}};
	struct page_range res[] = {{MIB + 32 * PG, MIB + 40 * PG}};
	struct page_alloc pa;

	arena_setup(MIB, 2 * MIB);
	pa_setup(&pa);
	cr_assert_eq(page_alloc_init(&pa, r, 2, res, 1), 0);
	uint64_t a = page_alloc_pages(&pa, 4, 1);
	size_t free_before = page_alloc_free_count(&pa);

	cr_assert_eq(page_alloc_free(&pa, a + 1, 1), -EINVAL);         /* unaligned */
	cr_assert_eq(page_alloc_free(&pa, a + 3 * PG, 2), -EINVAL);    /* runs into a free page */
	cr_assert_eq(page_alloc_free(&pa, a + 4 * PG, 1), -EINVAL);    /* free page */
	cr_assert_eq(page_alloc_free(&pa, MIB + 33 * PG, 1), -EINVAL); /* reserved */
	cr_assert_eq(page_alloc_free(&pa, pa.map_hpa, 1), -EINVAL);    /* the bitmap itself */
	cr_assert_eq(page_alloc_free(&pa, 0, 1), -EINVAL);             /* page 0 */
	cr_assert_eq(page_alloc_free(&pa, MIB - PG, 2), -EINVAL);      /* starts below */
	cr_assert_eq(page_alloc_free(&pa, 2 * MIB + PG, 1), -EINVAL);  /* not RAM */
	cr_assert_eq(page_alloc_free(&pa, 64 * GIB, 1), -EINVAL);      /* far outside */
	cr_assert_eq(page_alloc_free(&pa, a, SIZE_MAX), -EINVAL);      /* absurd count */
	cr_assert_eq(page_alloc_free(&pa, UINT64_MAX & ~0xfffULL, 1), -EINVAL);
	cr_assert_eq(page_alloc_free_count(&pa), free_before);
	cr_assert_eq(page_alloc_free(&pa, a, 0), 0);
	cr_assert_eq(page_alloc_free(&pa, a, 4), 0);
	cr_assert_eq(page_alloc_free(&pa, a, 4), -EINVAL); /* double free */
	cr_assert_eq(page_alloc_free_count(&pa), free_before + 4);
}

static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

static uint64_t rnd(uint64_t n)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state % n;
}

/*
 * Random memory maps, reserved lists and allocation/free sequences: every page handed out must be
 * usable by the model, never handed out twice, and zeroed; the counts must match the model.
 */
Test(page_alloc, randomized_never_hands_out_reserved, .timeout = 60)
{
	const uint64_t span = 8 * MIB;

	arena_setup(0, span);
	for (int round = 0; round < 60; round++) {
		struct mb2_mem_region r[12];
		struct page_range res[10];
		size_t nr = 1 + rnd(12), nres = rnd(10);
		struct page_alloc pa;
		static bool owned[8 * MIB / PG];
		static uint64_t live[2048][2];
		size_t nlive = 0, model_total = 0;

		for (size_t i = 0; i < nr; i++) {
			uint64_t base = rnd(span), len = rnd(span - base + 1);
			r[i] =
			    (struct mb2_mem_region){base, len, rnd(4) ? 1U : 1U + (uint32_t)rnd(4)};
		}
		for (size_t i = 0; i < nres; i++) {
			uint64_t s = rnd(span), len = rnd(MIB);
			res[i] = (struct page_range){s, s + len};
		}
		pa_setup(&pa);
		int rc = page_alloc_init(&pa, r, nr, res, nres);
		cr_assert(rc == 0 || rc == -ENOMEM);
		if (rc)
			continue;
		for (uint64_t p = 0; p < span; p += PG)
			if (model_usable(&pa, p, r, nr, res, nres))
				model_total++;
		cr_assert_eq(page_alloc_total_count(&pa), model_total, "round %d", round);
		/* The bitmap sits in RAM the model considers usable apart from the bitmap itself. */
		memset(owned, 0, sizeof(owned));

		for (int step = 0; step < 3000; step++) {
			if (nlive && (rnd(3) == 0 || nlive == 2048)) {
				size_t k = rnd(nlive);
				cr_assert_eq(page_alloc_free(&pa, live[k][0], live[k][1]), 0);
				for (uint64_t j = 0; j < live[k][1]; j++)
					owned[live[k][0] / PG + j] = false;
				live[k][0] = live[nlive - 1][0];
				live[k][1] = live[nlive - 1][1];
				nlive--;
				continue;
			}
			size_t count = 1 + rnd(rnd(4) ? 2 : 40);
			size_t align = (size_t)1 << rnd(rnd(4) ? 1 : 7);
			uint64_t a = page_alloc_pages(&pa, count, align);
			if (!a)
				continue;
			cr_assert_eq(a % (align * PG), 0);
			for (uint64_t j = 0; j < count; j++) {
				uint64_t p = a + j * PG;
				cr_assert(model_usable(&pa, p, r, nr, res, nres),
				          "round %d: page %#llx is not usable", round,
				          (unsigned long long)p);
				cr_assert_not(owned[p / PG], "page %#llx handed out twice",
				              (unsigned long long)p);
				cr_assert(page_is_zero(p));
				owned[p / PG] = true;
				memset(arena_phys_to_virt(p), 0xCC, PG);
			}
			live[nlive][0] = a;
			live[nlive][1] = count;
			nlive++;
		}
		size_t in_use = 0;
		for (size_t k = 0; k < nlive; k++)
			in_use += live[k][1];
		cr_assert_eq(page_alloc_free_count(&pa), model_total - in_use);
	}
}

Test(page_alloc, sequential_allocation_uses_the_hint)
{
	struct mb2_mem_region r[] = {{MIB, 63 * MIB, 1}};
	struct page_alloc pa;
	uint64_t prev = 0;

	arena_setup(MIB, 63 * MIB);
	pa_setup(&pa);
	cr_assert_eq(page_alloc_init(&pa, r, 1, NULL, 0), 0);
	for (size_t i = 0; i < page_alloc_total_count(&pa); i++) {
		uint64_t a = page_alloc_pages(&pa, 1, 1);
		cr_assert_gt(a, prev); /* ascending: each search starts where the last one ended */
		cr_assert_eq(pa.hint, (a >> 12) - pa.first_pfn + 1);
		prev = a;
	}
}
