/* The physical page allocator: 4 KiB pages of host RAM, from the firmware's memory map. */
#include "monitor/page_alloc.h"

#include <string.h>

#include "monitor/lib/errno.h"

#define PAGE_SHIFT 12U
#define PAGE_MASK  (PAGE_ALLOC_PAGE_SIZE - 1)
#define NOT_FOUND  UINT64_MAX

static uint64_t round_down(uint64_t a)
{
	return a & ~PAGE_MASK;
}

/* Saturates instead of wrapping: a range reaching the top of memory stays there. */
static uint64_t round_up(uint64_t a)
{
	return a > UINT64_MAX - PAGE_MASK ? round_down(UINT64_MAX) : (a + PAGE_MASK) & ~PAGE_MASK;
}

static uint64_t region_end(const struct mb2_mem_region *r)
{
	uint64_t end;

	return __builtin_add_overflow(r->base, r->length, &end) ? UINT64_MAX : end;
}

/* The usable part of an available region: [*s, *e) in whole pages below limit; false if none. */
static bool available_span(const struct mb2_mem_region *r, uint64_t limit, uint64_t *s, uint64_t *e)
{
	uint64_t end = region_end(r);

	if (r->type != MB2_MEM_AVAILABLE)
		return false;
	*s = round_up(r->base);
	*e = round_down(end < limit ? end : limit);
	return *s < *e;
}

/* --- bitmaps --------------------------------------------------------------------------------- */

static uint64_t range_mask(uint64_t from_bit, uint64_t to_bit)
{
	/* Bits [from_bit, to_bit) of one word, to_bit in 1..64. */
	uint64_t hi = to_bit == 64 ? ~0ULL : (1ULL << to_bit) - 1;
	return hi & ~((1ULL << from_bit) - 1);
}

static void map_assign(uint64_t *map, uint64_t from, uint64_t to, bool set)
{
	while (from < to) {
		uint64_t w = from / 64, b = from % 64;
		uint64_t n = to - from < 64 - b ? to - from : 64 - b;
		uint64_t m = range_mask(b, b + n);

		if (set)
			map[w] |= m;
		else
			map[w] &= ~m;
		from += n;
	}
}

/* First index in [from, to) whose bit equals want, or to; whole words are skipped at once. */
static uint64_t map_find(const uint64_t *map, uint64_t from, uint64_t to, bool want)
{
	while (from < to) {
		uint64_t w = from / 64, b = from % 64;
		uint64_t word = want ? map[w] : ~map[w];

		word &= ~((1ULL << b) - 1);
		if (word) {
			uint64_t i = w * 64 + (uint64_t)__builtin_ctzll(word);
			return i < to ? i : to;
		}
		from = (w + 1) * 64;
	}
	return to;
}

static size_t map_count(const uint64_t *map, uint64_t nbits)
{
	size_t n = 0;

	for (uint64_t w = 0; w < (nbits + 63) / 64; w++)
		n += (size_t)__builtin_popcountll(map[w]);
	return n;
}

/* --- init ------------------------------------------------------------------------------------ */

/*
 * Does [s, e) touch anything that is not usable RAM? If so, returns true and the end of the
 * furthest-reaching such range, so the caller can move past it.
 */
static bool span_blocked(uint64_t s, uint64_t e, const struct mb2_mem_region *regions,
                         size_t nregions, const struct page_range *reserved, size_t nreserved,
                         uint64_t *next)
{
	bool blocked = false;

	*next = s;
	if (s < PAGE_ALLOC_PAGE_SIZE) { /* page 0 */
		blocked = true;
		*next = PAGE_ALLOC_PAGE_SIZE;
	}
	for (size_t i = 0; i < nregions; i++) {
		uint64_t rs = round_down(regions[i].base), re = round_up(region_end(&regions[i]));
		if (regions[i].type != MB2_MEM_AVAILABLE && rs < e && s < re) {
			blocked = true;
			*next = re > *next ? re : *next;
		}
	}
	for (size_t i = 0; i < nreserved; i++) {
		uint64_t rs = round_down(reserved[i].start), re = round_up(reserved[i].end);
		if (rs < re && rs < e && s < re) {
			blocked = true;
			*next = re > *next ? re : *next;
		}
	}
	return blocked;
}

/* First-fit place for the bitmaps: bytes pages of free RAM in one available region. */
static uint64_t place_maps(uint64_t bytes, uint64_t limit, const struct mb2_mem_region *regions,
                           size_t nregions, const struct page_range *reserved, size_t nreserved)
{
	for (size_t i = 0; i < nregions; i++) {
		uint64_t s, e, next;

		if (!available_span(&regions[i], limit, &s, &e))
			continue;
		/* Each step moves s past one blocker, so this ends after at most n + m + 1 steps. */
		while (s < e && e - s >= bytes) {
			if (!span_blocked(s, s + bytes, regions, nregions, reserved, nreserved,
			                  &next))
				return s;
			s = round_up(next);
		}
	}
	return 0;
}

static void block_span(struct page_alloc *pa, uint64_t s, uint64_t e)
{
	uint64_t lo = pa->first_pfn << PAGE_SHIFT, hi = (pa->first_pfn + pa->npages) << PAGE_SHIFT;

	s = round_down(s);
	e = round_up(e);
	if (s < lo)
		s = lo;
	if (e > hi)
		e = hi;
	if (s < e)
		map_assign(pa->usable_map, (s >> PAGE_SHIFT) - pa->first_pfn,
		           (e >> PAGE_SHIFT) - pa->first_pfn, false);
}

int page_alloc_init(struct page_alloc *pa, const struct mb2_mem_region *regions, size_t nregions,
                    const struct page_range *reserved, size_t nreserved)
{
	uint64_t limit, lo = UINT64_MAX, hi = 0, words, map_bytes, s, e;
	void *maps;

	if (!pa->phys_to_virt || (nregions && !regions) || (nreserved && !reserved))
		return -EINVAL;
	for (size_t i = 0; i < nreserved; i++)
		if (reserved[i].end < reserved[i].start)
			return -EINVAL;
	limit = round_down(pa->max_addr ? pa->max_addr : PAGE_ALLOC_DEFAULT_MAX_ADDR);

	for (size_t i = 0; i < nregions; i++) {
		if (!available_span(&regions[i], limit, &s, &e))
			continue;
		lo = s < lo ? s : lo;
		hi = e > hi ? e : hi;
	}
	if (lo >= hi)
		return -ENOMEM;

	pa->first_pfn = lo >> PAGE_SHIFT;
	pa->npages = (hi - lo) >> PAGE_SHIFT;
	words = (pa->npages + 63) / 64;
	map_bytes = 2 * words * sizeof(uint64_t); /* at most 2^40 / 2^12 / 4: no overflow */
	pa->map_pages = round_up(map_bytes) >> PAGE_SHIFT;
	pa->map_hpa =
	    place_maps(pa->map_pages << PAGE_SHIFT, limit, regions, nregions, reserved, nreserved);
	if (!pa->map_hpa)
		return -ENOMEM;
	maps = pa->phys_to_virt(pa->map_hpa);
	if (!maps)
		return -ENOMEM;
	pa->usable_map = maps;
	pa->free_map = pa->usable_map + words;
	memset(maps, 0, map_bytes);

	/* Available regions first, then everything that is not RAM wins over them. */
	for (size_t i = 0; i < nregions; i++)
		if (available_span(&regions[i], limit, &s, &e))
			map_assign(pa->usable_map, (s >> PAGE_SHIFT) - pa->first_pfn,
			           (e >> PAGE_SHIFT) - pa->first_pfn, true);
	for (size_t i = 0; i < nregions; i++)
		if (regions[i].type != MB2_MEM_AVAILABLE)
			block_span(pa, regions[i].base, region_end(&regions[i]));
	for (size_t i = 0; i < nreserved; i++)
		block_span(pa, reserved[i].start, reserved[i].end);
	block_span(pa, 0, PAGE_ALLOC_PAGE_SIZE);
	block_span(pa, pa->map_hpa, pa->map_hpa + (pa->map_pages << PAGE_SHIFT));

	memcpy(pa->free_map, pa->usable_map, words * sizeof(uint64_t));
	pa->total_pages = map_count(pa->usable_map, pa->npages);
	pa->free_pages = pa->total_pages;
	pa->hint = 0;
	return pa->total_pages ? 0 : -ENOMEM;
}

/* --- allocation ------------------------------------------------------------------------------ */

/* A run of count free bits in [lo, hi) whose page frame number is a multiple of align. */
static uint64_t find_run(const struct page_alloc *pa, uint64_t lo, uint64_t hi, uint64_t count,
                         uint64_t align)
{
	uint64_t i = lo;

	for (;;) {
		uint64_t pfn, used;

		i = map_find(pa->free_map, i, hi, true);
		if (i >= hi)
			return NOT_FOUND;
		if (__builtin_add_overflow(pa->first_pfn + i, align - 1, &pfn))
			return NOT_FOUND;
		i = (pfn & ~(align - 1)) - pa->first_pfn;
		if (i >= hi || hi - i < count)
			return NOT_FOUND;
		used = map_find(pa->free_map, i, i + count, false);
		if (used == i + count)
			return i;
		i = used + 1;
	}
}

uint64_t page_alloc_pages(struct page_alloc *pa, size_t count, size_t align_pages)
{
	uint64_t align = align_pages ? align_pages : 1, i;
	void *p;

	if (!count || count > pa->free_pages || (align & (align - 1)))
		return 0;
	/* From the hint first, so a run of allocations does not rescan what it just filled. */
	i = find_run(pa, pa->hint, pa->npages, count, align);
	if (i == NOT_FOUND)
		i = find_run(pa, 0, pa->npages, count, align);
	if (i == NOT_FOUND)
		return 0;
	p = pa->phys_to_virt((pa->first_pfn + i) << PAGE_SHIFT);
	if (!p)
		return 0;
	map_assign(pa->free_map, i, i + count, false);
	pa->free_pages -= count;
	pa->hint = i + count;
	memset(p, 0, count << PAGE_SHIFT);
	return (pa->first_pfn + i) << PAGE_SHIFT;
}

int page_alloc_free(struct page_alloc *pa, uint64_t hpa, size_t count)
{
	uint64_t pfn = hpa >> PAGE_SHIFT, i;

	if (!count)
		return 0;
	if ((hpa & PAGE_MASK) || pfn < pa->first_pfn || count > pa->npages ||
	    pfn - pa->first_pfn > pa->npages - count)
		return -EINVAL;
	i = pfn - pa->first_pfn;
	/* All of it must be RAM we own and currently allocated; check before changing anything. */
	if (map_find(pa->usable_map, i, i + count, false) != i + count ||
	    map_find(pa->free_map, i, i + count, true) != i + count)
		return -EINVAL;
	map_assign(pa->free_map, i, i + count, true);
	pa->free_pages += count;
	if (i < pa->hint)
		pa->hint = i;
	return 0;
}

size_t page_alloc_free_count(const struct page_alloc *pa)
{
	return pa->free_pages;
}

size_t page_alloc_total_count(const struct page_alloc *pa)
{
	return pa->total_pages;
}
