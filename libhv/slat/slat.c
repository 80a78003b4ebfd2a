/* The second-level page-table walker: map, unmap and translate guest-physical ranges for any format. */
#include <hv/hv.h>

#include "libhv/slat/slat_walk.h"

#define SLAT_HPA_LIMIT (1ULL << 52)

static hv_hpa_t alloc_table(struct slat *s)
{
	hv_hpa_t hpa = s->host->alloc_pages(1, 1);

	if (!hpa)
		return 0;
	s->table_pages++;
	if (!s->table_lo || hpa < s->table_lo)
		s->table_lo = hpa;
	if (hpa > s->table_hi)
		s->table_hi = hpa;
	return hpa;
}

static void free_table(struct slat *s, hv_hpa_t hpa)
{
	s->host->free_pages(hpa, 1);
	s->table_pages--;
}

static bool table_is_empty(const struct slat *s, const uint64_t *t)
{
	for (unsigned i = 0; i < SLAT_ENTRIES; i++)
		if (slat_is_present(s, t[i]))
			return false;
	return true;
}

int slat_init(struct slat *s, const struct slat_format *fmt, const struct hv_host_ops *host,
              const struct slat_features *features)
{
	uint8_t phys_bits = features->phys_bits;

	*s = (struct slat){
	    .fmt = fmt,
	    .host = host,
	    .allow_1g = features->large_1g,
	    .execute_only = features->execute_only,
	    /* Without the format's dirty bit there is nothing for the processor to set. */
	    .hw_dirty = features->hw_dirty && fmt->dirty_bit != 0,
	};
	s->gpa_limit = (phys_bits >= 48 || phys_bits == 0) ? SLAT_GPA_LIMIT_MAX : 1ULL << phys_bits;
	s->root = alloc_table(s);
	return s->root ? 0 : -1;
}

static void free_tables(struct slat *s, hv_hpa_t table, unsigned level)
{
	uint64_t *t = slat_table(s, table);

	for (unsigned i = 0; level > 0 && i < SLAT_ENTRIES; i++)
		if (slat_is_present(s, t[i]) && !slat_is_leaf(t[i], level))
			free_tables(s, t[i] & SLAT_ADDR_MASK, level - 1);
	free_table(s, table);
}

void slat_destroy(struct slat *s)
{
	if (s->root)
		free_tables(s, s->root, SLAT_LEVELS - 1);
	s->root = 0;
}

/* Is any page of [start, end) mapped below this table? Skips whole empty subtrees. */
static bool range_has_mapping(const struct slat *s, hv_hpa_t table, unsigned level, hv_gpa_t start,
                              hv_gpa_t end)
{
	const uint64_t *t = slat_table(s, table);
	uint64_t size = slat_level_size(level);

	for (hv_gpa_t a = start; a < end;) {
		hv_gpa_t entry_end = (a & ~(size - 1)) + size;
		hv_gpa_t sub_end = entry_end < end ? entry_end : end;
		uint64_t e = t[slat_index(a, level)];

		if (slat_is_present(s, e)) {
			if (slat_is_leaf(e, level))
				return true;
			if (range_has_mapping(s, e & SLAT_ADDR_MASK, level - 1, a, sub_end))
				return true;
		}
		a = entry_end;
	}
	return false;
}

/* Install one leaf at `level`, creating the tables above it. False only when out of memory. */
static bool map_leaf(struct slat *s, hv_gpa_t gpa, hv_hpa_t hpa, unsigned level, uint64_t bits)
{
	hv_hpa_t table = s->root;

	for (unsigned l = SLAT_LEVELS - 1; l > level; l--) {
		uint64_t *e = &slat_table(s, table)[slat_index(gpa, l)];

		if (!slat_is_present(s, *e)) {
			hv_hpa_t next = alloc_table(s);

			if (!next)
				return false;
			*e = next | s->fmt->table_bits;
		}
		table = *e & SLAT_ADDR_MASK;
	}
	slat_table(s, table)[slat_index(gpa, level)] =
	    (hpa & SLAT_ADDR_MASK) | bits | (level > 0 ? SLAT_LARGE_PAGE : 0);
	return true;
}

/* The largest leaf level that fits at (gpa, hpa) with `left` bytes to go. */
static unsigned pick_level(const struct slat *s, hv_gpa_t gpa, hv_hpa_t hpa, uint64_t left,
                           uint32_t flags)
{
	if (flags & HV_MAP_GPA_NO_LARGE_PAGES)
		return 0;
	for (unsigned level = s->allow_1g ? 2U : 1U; level > 0; level--) {
		uint64_t size = slat_level_size(level);

		if (((gpa | hpa) & (size - 1)) == 0 && left >= size)
			return level;
	}
	return 0;
}

/* A split keeps every bit of the large leaf (rights, memory type, A/D, dirty tracking). */
bool slat_split_leaf(struct slat *s, uint64_t *entry, unsigned level)
{
	hv_hpa_t next = alloc_table(s);
	uint64_t *t;
	uint64_t child_size = slat_level_size(level - 1);
	uint64_t base = *entry & SLAT_ADDR_MASK & ~(slat_level_size(level) - 1);
	uint64_t bits = *entry & ~SLAT_ADDR_MASK & ~SLAT_LARGE_PAGE;

	if (!next)
		return false;
	t = slat_table(s, next);
	for (unsigned i = 0; i < SLAT_ENTRIES; i++)
		t[i] = (base + i * child_size) | bits | (level - 1 > 0 ? SLAT_LARGE_PAGE : 0);
	*entry = next | s->fmt->table_bits;
	return true;
}

static int unmap_range(struct slat *s, hv_hpa_t table, unsigned level, hv_gpa_t start, hv_gpa_t end,
                       bool *changed)
{
	uint64_t *t = slat_table(s, table);
	uint64_t size = slat_level_size(level);

	for (hv_gpa_t a = start; a < end;) {
		hv_gpa_t entry_start = a & ~(size - 1);
		hv_gpa_t entry_end = entry_start + size;
		hv_gpa_t sub_end = entry_end < end ? entry_end : end;
		uint64_t *e = &t[slat_index(a, level)];

		if (slat_is_present(s, *e)) {
			if (slat_is_leaf(*e, level) && a == entry_start && sub_end == entry_end) {
				*e = 0;
				*changed = true;
			} else {
				if (slat_is_leaf(*e, level) && !slat_split_leaf(s, e, level))
					return -1;
				if (unmap_range(s, *e & SLAT_ADDR_MASK, level - 1, a, sub_end,
				                changed))
					return -1;
				if (table_is_empty(s, slat_table(s, *e & SLAT_ADDR_MASK))) {
					free_table(s, *e & SLAT_ADDR_MASK);
					*e = 0;
				}
			}
		}
		a = entry_end;
	}
	return 0;
}

/* Does a table page of this slat lie in [lo, hi)? Walks every table: callers filter first. */
static bool tables_overlap(const struct slat *s, hv_hpa_t table, unsigned level, hv_hpa_t lo,
                           hv_hpa_t hi)
{
	const uint64_t *t = slat_table(s, table);

	if (table >= lo && table < hi)
		return true;
	for (unsigned i = 0; level > 0 && i < SLAT_ENTRIES; i++)
		if (slat_is_present(s, t[i]) && !slat_is_leaf(t[i], level) &&
		    tables_overlap(s, t[i] & SLAT_ADDR_MASK, level - 1, lo, hi))
			return true;
	return false;
}

/*
 * A guest given its own second-level tables could rewrite its view of host memory: refuse HPA
 * ranges that hold this slat's tables (ACCESS_DENIED), then ask the owner's policy. The walk
 * runs only when the range meets the span tables were ever allocated from.
 */
static hv_status_t check_host_pages(const struct slat *s, hv_hpa_t hpa, hv_hpa_t hpa_end)
{
	if (slat_tables_overlap(s, hpa, hpa_end - hpa))
		return HV_STATUS_ACCESS_DENIED;
	return s->check_hpa ? s->check_hpa(s, hpa, hpa_end - hpa) : HV_STATUS_SUCCESS;
}

bool slat_tables_overlap(const struct slat *s, hv_hpa_t hpa, uint64_t size)
{
	hv_hpa_t end = hpa + size;

	return hpa <= s->table_hi && end > s->table_lo &&
	       tables_overlap(s, s->root, SLAT_LEVELS - 1, hpa, end);
}

hv_status_t slat_check_range(const struct slat *s, hv_gpa_t gpa, uint64_t size)
{
	hv_gpa_t end;

	if ((gpa | size) & (HV_PAGE_SIZE - 1))
		return HV_STATUS_INVALID_ALIGNMENT;
	if (size == 0 || __builtin_add_overflow(gpa, size, &end) || end > s->gpa_limit)
		return HV_STATUS_INVALID_PARAMETER;
	return HV_STATUS_SUCCESS;
}

hv_status_t slat_map(struct slat *s, hv_gpa_t gpa, hv_hpa_t hpa, uint64_t size, uint32_t flags)
{
	const uint32_t known = HV_MAP_GPA_RWX | HV_MAP_GPA_NO_LARGE_PAGES;
	hv_status_t st = slat_check_range(s, gpa, size);
	uint64_t bits;
	hv_hpa_t hpa_end;

	if (st != HV_STATUS_SUCCESS)
		return st;
	if (hpa & (HV_PAGE_SIZE - 1))
		return HV_STATUS_INVALID_ALIGNMENT;
	if (__builtin_add_overflow(hpa, size, &hpa_end) || hpa_end > SLAT_HPA_LIMIT)
		return HV_STATUS_INVALID_PARAMETER;
	if (flags & ~known)
		return HV_STATUS_INVALID_PARAMETER;
	bits = s->fmt->leaf_bits(s, flags);
	if (!bits)
		return HV_STATUS_INVALID_PARAMETER;
	st = check_host_pages(s, hpa, hpa_end);
	if (st != HV_STATUS_SUCCESS)
		return st;
	if (range_has_mapping(s, s->root, SLAT_LEVELS - 1, gpa, gpa + size))
		return HV_STATUS_INVALID_PARAMETER;

	for (uint64_t done = 0; done < size;) {
		unsigned level = pick_level(s, gpa + done, hpa + done, size - done, flags);

		if (!map_leaf(s, gpa + done, hpa + done, level, bits)) {
			bool changed = false;

			/* Leave nothing of the range behind; these leaves never need a split. */
			if (done)
				unmap_range(s, s->root, SLAT_LEVELS - 1, gpa, gpa + done, &changed);
			s->flush_generation++;
			return HV_STATUS_INSUFFICIENT_MEMORY;
		}
		done += slat_level_size(level);
	}
	/*
	 * A new mapping over GPAs that were not present cannot leave a stale translation (processors
	 * do not cache not-present entries for nested walks), so no flush is requested here.
	 */
	return HV_STATUS_SUCCESS;
}

hv_status_t slat_unmap(struct slat *s, hv_gpa_t gpa, uint64_t size)
{
	hv_status_t st = slat_check_range(s, gpa, size);
	bool changed = false;
	int rc;

	if (st != HV_STATUS_SUCCESS)
		return st;
	rc = unmap_range(s, s->root, SLAT_LEVELS - 1, gpa, gpa + size, &changed);
	if (changed || rc)
		s->flush_generation++;
	return rc ? HV_STATUS_INSUFFICIENT_MEMORY : HV_STATUS_SUCCESS;
}

hv_status_t slat_translate(const struct slat *s, hv_gpa_t gpa, hv_hpa_t *hpa, uint32_t *flags)
{
	hv_hpa_t table = s->root;

	if (gpa >= s->gpa_limit)
		return HV_STATUS_INVALID_PARAMETER;
	for (unsigned level = SLAT_LEVELS - 1;; level--) {
		uint64_t e = slat_table(s, table)[slat_index(gpa, level)];

		if (!slat_is_present(s, e))
			return HV_STATUS_NOT_FOUND;
		if (slat_is_leaf(e, level)) {
			uint64_t size = slat_level_size(level);

			if (hpa)
				*hpa = (e & SLAT_ADDR_MASK & ~(size - 1)) + (gpa & (size - 1));
			if (flags)
				*flags = slat_leaf_rights(s, e);
			return HV_STATUS_SUCCESS;
		}
		table = e & SLAT_ADDR_MASK;
	}
}

uint64_t *slat_find_leaf(const struct slat *s, hv_gpa_t gpa, unsigned *level_out)
{
	hv_hpa_t table = s->root;

	if (gpa >= s->gpa_limit)
		return NULL;
	for (unsigned level = SLAT_LEVELS - 1;; level--) {
		uint64_t *e = &slat_table(s, table)[slat_index(gpa, level)];

		if (!slat_is_present(s, *e))
			return NULL;
		if (slat_is_leaf(*e, level)) {
			*level_out = level;
			return e;
		}
		table = *e & SLAT_ADDR_MASK;
	}
}
