/* Dirty-page harvesting: from hardware dirty bits where the slat has them, by write protection otherwise. */
#include <string.h>

#include <hv/hv.h>

#include "libhv/slat/slat_walk.h"

struct harvest {
	uint64_t *bitmap;
	hv_gpa_t base; /* the GPA of bit 0 */
	bool clear;
	bool flush; /* something was cleared: a cached translation may skip setting D again */
};

/* Set bits [first, first + n) of the bitmap, a word at a time where it can. */
static void mark_pages(uint64_t *bitmap, uint64_t first, uint64_t n)
{
	while (n && (first & 63)) {
		bitmap[first / 64] |= 1ULL << (first & 63);
		first++;
		n--;
	}
	for (; n >= 64; n -= 64, first += 64)
		bitmap[first / 64] = ~0ULL;
	for (; n; n--, first++)
		bitmap[first / 64] |= 1ULL << (first & 63);
}

static bool leaf_is_dirty(const struct slat *s, uint64_t e)
{
	return s->hw_dirty ? (e & s->fmt->dirty_bit) != 0 : !(e & SLAT_SW_CLEAN);
}

/*
 * Start a new interval for one leaf. With hardware dirty bits, clear D: the processor sets it
 * again on the next write once its cached translation (which remembers D set) is flushed.
 * Without, mark the leaf clean and withhold W so that the next write faults
 * (slat_resolve_write_fault); taking W away needs the same flush.
 */
static void clean_leaf(const struct slat *s, uint64_t *e, struct harvest *h)
{
	uint64_t w = s->fmt->write_bit;

	if (s->hw_dirty) {
		if (*e & s->fmt->dirty_bit) {
			*e &= ~s->fmt->dirty_bit;
			h->flush = true;
		}
		return;
	}
	*e |= SLAT_SW_CLEAN;
	if (*e & w) {
		*e = (*e & ~w) | SLAT_SW_WRITE_HELD;
		h->flush = true;
	}
}

static void harvest_range(const struct slat *s, hv_hpa_t table, unsigned level, hv_gpa_t start,
                          hv_gpa_t end, struct harvest *h)
{
	uint64_t *t = slat_table(s, table);
	uint64_t size = slat_level_size(level);

	for (hv_gpa_t a = start; a < end;) {
		hv_gpa_t entry_start = a & ~(size - 1);
		hv_gpa_t entry_end = entry_start + size;
		hv_gpa_t sub_end = entry_end < end ? entry_end : end;
		uint64_t *e = &t[slat_index(a, level)];

		if (!slat_is_present(s, *e)) {
			a = entry_end;
			continue;
		}
		if (!slat_is_leaf(*e, level)) {
			harvest_range(s, *e & SLAT_ADDR_MASK, level - 1, a, sub_end, h);
			a = entry_end;
			continue;
		}
		if (leaf_is_dirty(s, *e))
			mark_pages(h->bitmap, (a - h->base) >> HV_PAGE_SHIFT,
			           (sub_end - a) >> HV_PAGE_SHIFT);
		/*
		 * A large leaf that sticks out of the range stays dirty rather than being split:
		 * harvesting never allocates, and the pages outside keep their information.
		 */
		if (h->clear && a == entry_start && sub_end == entry_end)
			clean_leaf(s, e, h);
		a = entry_end;
	}
}

hv_status_t slat_harvest_dirty(struct slat *s, hv_gpa_t gpa, uint64_t size, uint64_t *bitmap,
                               bool clear)
{
	hv_status_t st = slat_check_range(s, gpa, size);
	struct harvest h = {.bitmap = bitmap, .base = gpa, .clear = clear};
	uint64_t pages = size >> HV_PAGE_SHIFT;

	if (st != HV_STATUS_SUCCESS)
		return st;
	if (!bitmap)
		return HV_STATUS_INVALID_PARAMETER;
	memset(bitmap, 0, ((pages + 63) / 64) * sizeof(uint64_t));
	harvest_range(s, s->root, SLAT_LEVELS - 1, gpa, gpa + size, &h);
	if (h.flush)
		s->flush_generation++;
	return HV_STATUS_SUCCESS;
}

/*
 * Giving W back needs no flush: the stale read-only translation can only fault again, and a
 * fault the tables allow is flushed and retried by hv_vp_run.
 */
bool slat_resolve_write_fault(struct slat *s, hv_gpa_t gpa)
{
	unsigned level;
	uint64_t *e = slat_find_leaf(s, gpa, &level);

	if (!e || !(*e & SLAT_SW_WRITE_HELD))
		return false;
	*e = (*e & ~SLAT_SW_WRITE_HELD & ~SLAT_SW_CLEAN) | s->fmt->write_bit;
	return true;
}
