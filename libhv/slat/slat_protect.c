/* Changing the rights of a mapped guest-physical range: edge splits, one rewrite, one flush request. */
#include <hv/hv.h>

#include "libhv/slat/slat_walk.h"

/* Is every page of [start, end) mapped? Stops at the first hole. */
static bool range_fully_mapped(const struct slat *s, hv_hpa_t table, unsigned level, hv_gpa_t start,
                               hv_gpa_t end)
{
	const uint64_t *t = slat_table(s, table);
	uint64_t size = slat_level_size(level);

	for (hv_gpa_t a = start; a < end;) {
		hv_gpa_t entry_end = (a & ~(size - 1)) + size;
		hv_gpa_t sub_end = entry_end < end ? entry_end : end;
		uint64_t e = t[slat_index(a, level)];

		if (!slat_is_present(s, e))
			return false;
		if (!slat_is_leaf(e, level) &&
		    !range_fully_mapped(s, e & SLAT_ADDR_MASK, level - 1, a, sub_end))
			return false;
		a = entry_end;
	}
	return true;
}

/* Split the large leaves gpa falls inside until a leaf starts at gpa. -1 when out of memory. */
static int split_at(struct slat *s, hv_gpa_t gpa, bool *split)
{
	hv_hpa_t table = s->root;

	if (gpa >= s->gpa_limit)
		return 0;
	for (unsigned level = SLAT_LEVELS - 1; level > 0; level--) {
		uint64_t *e = &slat_table(s, table)[slat_index(gpa, level)];

		if (!slat_is_present(s, *e))
			return 0;
		if (slat_is_leaf(*e, level)) {
			if ((gpa & (slat_level_size(level) - 1)) == 0)
				return 0;
			if (!slat_split_leaf(s, e, level))
				return -1;
			*split = true;
		}
		table = *e & SLAT_ADDR_MASK;
	}
	return 0;
}

/*
 * Give every leaf of [start, end) the rights in `bits` (the edges are already leaf boundaries).
 * A page that dirty tracking keeps clean has its W withheld again, and stays tracked.
 */
static void set_rights(struct slat *s, hv_hpa_t table, unsigned level, hv_gpa_t start, hv_gpa_t end,
                       uint64_t bits, bool *reduced)
{
	uint64_t *t = slat_table(s, table);
	uint64_t size = slat_level_size(level);
	const struct slat_format *fmt = s->fmt;

	for (hv_gpa_t a = start; a < end;) {
		hv_gpa_t entry_end = (a & ~(size - 1)) + size;
		hv_gpa_t sub_end = entry_end < end ? entry_end : end;
		uint64_t *e = &t[slat_index(a, level)];

		if (slat_is_leaf(*e, level)) {
			uint64_t next = (*e & ~fmt->leaf_mask & ~SLAT_SW_WRITE_HELD) | bits;

			if ((next & SLAT_SW_CLEAN) && (next & fmt->write_bit))
				next = (next & ~fmt->write_bit) | SLAT_SW_WRITE_HELD;
			/* What the processor may have cached is the old entry's own rights. */
			if (fmt->leaf_flags(*e) & ~fmt->leaf_flags(next))
				*reduced = true;
			*e = next;
		} else {
			set_rights(s, *e & SLAT_ADDR_MASK, level - 1, a, sub_end, bits, reduced);
		}
		a = entry_end;
	}
}

/*
 * Why adding rights requests no flush: a stale translation then grants less than the tables,
 * so it can cause a spurious SLAT fault but never an access the tables forbid. Intel drops the
 * faulting GPA's cached translations on an EPT violation (SDM "Operations that Invalidate
 * Cached Mappings"); on either vendor hv_vp_run sees a fault the tables allow and flushes and
 * retries. A split requests a flush even so: the processor may then hold translations of two
 * page sizes for one address (SDM and APM both ask for an invalidation when the page size of
 * a translation changes).
 */
hv_status_t slat_protect(struct slat *s, hv_gpa_t gpa, uint64_t size, uint32_t flags)
{
	hv_status_t st = slat_check_range(s, gpa, size);
	bool split = false;
	bool reduced = false;
	uint64_t bits;
	int rc;

	if (st != HV_STATUS_SUCCESS)
		return st;
	if (flags & ~HV_MAP_GPA_RWX)
		return HV_STATUS_INVALID_PARAMETER;
	bits = s->fmt->leaf_bits(s, flags);
	if (!bits)
		return HV_STATUS_INVALID_PARAMETER;
	if (!range_fully_mapped(s, s->root, SLAT_LEVELS - 1, gpa, gpa + size))
		return HV_STATUS_NOT_FOUND;
	rc = split_at(s, gpa, &split);
	if (!rc)
		rc = split_at(s, gpa + size, &split);
	if (!rc)
		set_rights(s, s->root, SLAT_LEVELS - 1, gpa, gpa + size, bits, &reduced);
	if (split || reduced)
		s->flush_generation++;
	return rc ? HV_STATUS_INSUFFICIENT_MEMORY : HV_STATUS_SUCCESS;
}
