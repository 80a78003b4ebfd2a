/* The second-level page-table walker: map, unmap and translate guest-physical ranges for any format. */
#include "libhv/slat/slat.h"

#include <hv/hv.h>

/* Four levels of 9 bits above the 4 KiB offset: GPAs below 2^48 whatever the host's width. */
#define SLAT_GPA_LIMIT_MAX (1ULL << 48)
#define SLAT_HPA_LIMIT     (1ULL << 52)

static uint64_t level_size(unsigned level)
{
	return 1ULL << (HV_PAGE_SHIFT + 9U * level);
}

static unsigned index_of(hv_gpa_t gpa, unsigned level)
{
	return (unsigned)(gpa >> (HV_PAGE_SHIFT + 9U * level)) & (SLAT_ENTRIES - 1U);
}

static uint64_t *table_at(const struct slat *s, hv_hpa_t hpa)
{
	return s->host->hpa_to_hva(hpa);
}

static bool is_present(const struct slat *s, uint64_t e)
{
	return (e & s->fmt->present_mask) != 0;
}

static bool is_leaf(uint64_t e, unsigned level)
{
	return level == 0 || (e & SLAT_LARGE_PAGE);
}

static hv_hpa_t alloc_table(struct slat *s)
{
	hv_hpa_t hpa = s->host->alloc_pages(1, 1);

	if (hpa)
		s->table_pages++;
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
		if (is_present(s, t[i]))
			return false;
	return true;
}

int slat_init(struct slat *s, const struct slat_format *fmt, const struct hv_host_ops *host,
              uint8_t phys_bits, bool allow_1g)
{
	s->fmt = fmt;
	s->host = host;
	s->table_pages = 0;
	s->flush_generation = 0;
	s->allow_1g = allow_1g;
	s->gpa_limit = (phys_bits >= 48 || phys_bits == 0) ? SLAT_GPA_LIMIT_MAX : 1ULL << phys_bits;
	s->root = alloc_table(s);
	return s->root ? 0 : -1;
}

static void free_tables(struct slat *s, hv_hpa_t table, unsigned level)
{
	uint64_t *t = table_at(s, table);

	for (unsigned i = 0; level > 0 && i < SLAT_ENTRIES; i++)
		if (is_present(s, t[i]) && !is_leaf(t[i], level))
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
	const uint64_t *t = table_at(s, table);
	uint64_t size = level_size(level);

	for (hv_gpa_t a = start; a < end;) {
		hv_gpa_t entry_end = (a & ~(size - 1)) + size;
		hv_gpa_t sub_end = entry_end < end ? entry_end : end;
		uint64_t e = t[index_of(a, level)];

		if (is_present(s, e)) {
			if (is_leaf(e, level))
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
		uint64_t *e = &table_at(s, table)[index_of(gpa, l)];

		if (!is_present(s, *e)) {
			hv_hpa_t next = alloc_table(s);

			if (!next)
				return false;
			*e = next | s->fmt->table_bits;
		}
		table = *e & SLAT_ADDR_MASK;
	}
	table_at(s, table)[index_of(gpa, level)] =
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
		uint64_t size = level_size(level);

		if (((gpa | hpa) & (size - 1)) == 0 && left >= size)
			return level;
	}
	return 0;
}

/*
 * Replace a large leaf by a table of the next level down that maps the same memory with the
 * same rights, so that part of it can change. False only when out of memory.
 */
static bool split_leaf(struct slat *s, uint64_t *entry, unsigned level)
{
	hv_hpa_t next = alloc_table(s);
	uint64_t *t;
	uint64_t child_size = level_size(level - 1);
	uint64_t base = *entry & SLAT_ADDR_MASK & ~(level_size(level) - 1);
	uint64_t bits = *entry & ~SLAT_ADDR_MASK & ~SLAT_LARGE_PAGE;

	if (!next)
		return false;
	t = table_at(s, next);
	for (unsigned i = 0; i < SLAT_ENTRIES; i++)
		t[i] = (base + i * child_size) | bits | (level - 1 > 0 ? SLAT_LARGE_PAGE : 0);
	*entry = next | s->fmt->table_bits;
	return true;
}

static int unmap_range(struct slat *s, hv_hpa_t table, unsigned level, hv_gpa_t start, hv_gpa_t end,
                       bool *changed)
{
	uint64_t *t = table_at(s, table);
	uint64_t size = level_size(level);

	for (hv_gpa_t a = start; a < end;) {
		hv_gpa_t entry_start = a & ~(size - 1);
		hv_gpa_t entry_end = entry_start + size;
		hv_gpa_t sub_end = entry_end < end ? entry_end : end;
		uint64_t *e = &t[index_of(a, level)];

		if (is_present(s, *e)) {
			if (is_leaf(*e, level) && a == entry_start && sub_end == entry_end) {
				*e = 0;
				*changed = true;
			} else {
				if (is_leaf(*e, level) && !split_leaf(s, e, level))
					return -1;
				if (unmap_range(s, *e & SLAT_ADDR_MASK, level - 1, a, sub_end,
				                changed))
					return -1;
				if (table_is_empty(s, table_at(s, *e & SLAT_ADDR_MASK))) {
					free_table(s, *e & SLAT_ADDR_MASK);
					*e = 0;
				}
			}
		}
		a = entry_end;
	}
	return 0;
}

static hv_status_t check_range(const struct slat *s, hv_gpa_t gpa, uint64_t size)
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
	hv_status_t st = check_range(s, gpa, size);
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
	bits = s->fmt->leaf_bits(flags);
	if (!bits)
		return HV_STATUS_INVALID_PARAMETER;
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
		done += level_size(level);
	}
	/*
	 * A new mapping over GPAs that were not present cannot leave a stale translation (processors
	 * do not cache not-present entries for nested walks), so no flush is requested here.
	 */
	return HV_STATUS_SUCCESS;
}

hv_status_t slat_unmap(struct slat *s, hv_gpa_t gpa, uint64_t size)
{
	hv_status_t st = check_range(s, gpa, size);
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
		uint64_t e = table_at(s, table)[index_of(gpa, level)];

		if (!is_present(s, e))
			return HV_STATUS_NOT_FOUND;
		if (is_leaf(e, level)) {
			uint64_t size = level_size(level);

			if (hpa)
				*hpa = (e & SLAT_ADDR_MASK & ~(size - 1)) + (gpa & (size - 1));
			if (flags)
				*flags = s->fmt->leaf_flags(e);
			return HV_STATUS_SUCCESS;
		}
		table = e & SLAT_ADDR_MASK;
	}
}
