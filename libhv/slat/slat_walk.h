/* The walker's internals shared by slat.c, slat_protect.c and slat_dirty.c (private to slat/). */
#ifndef HV_SLAT_SLAT_WALK_H
#define HV_SLAT_SLAT_WALK_H

#include "libhv/slat/slat.h"

/* Four levels of 9 bits above the 4 KiB offset: GPAs below 2^48 whatever the host's width. */
#define SLAT_GPA_LIMIT_MAX (1ULL << 48)

static inline uint64_t slat_level_size(unsigned level)
{
	return 1ULL << (HV_PAGE_SHIFT + 9U * level);
}

static inline unsigned slat_index(hv_gpa_t gpa, unsigned level)
{
	return (unsigned)(gpa >> (HV_PAGE_SHIFT + 9U * level)) & (SLAT_ENTRIES - 1U);
}

static inline uint64_t *slat_table(const struct slat *s, hv_hpa_t hpa)
{
	return s->host->hpa_to_hva(hpa);
}

static inline bool slat_is_present(const struct slat *s, uint64_t e)
{
	return (e & s->fmt->present_mask) != 0;
}

static inline bool slat_is_leaf(uint64_t e, unsigned level)
{
	return level == 0 || (e & SLAT_LARGE_PAGE);
}

/* Rights of a leaf as mapped: a W withheld for dirty tracking still counts as granted. */
static inline uint32_t slat_leaf_rights(const struct slat *s, uint64_t e)
{
	if (e & SLAT_SW_WRITE_HELD)
		e |= s->fmt->write_bit;
	return s->fmt->leaf_flags(e);
}

/* INVALID_ALIGNMENT or INVALID_PARAMETER for a GPA range no operation may touch. */
hv_status_t slat_check_range(const struct slat *s, hv_gpa_t gpa, uint64_t size);

/*
 * Replace the large leaf *entry (at `level`) by a table of the next level down that maps the
 * same memory with the same bits. False only when out of memory.
 */
bool slat_split_leaf(struct slat *s, uint64_t *entry, unsigned level);

/* The present leaf that maps gpa and its level, or NULL when gpa is unmapped. */
uint64_t *slat_find_leaf(const struct slat *s, hv_gpa_t gpa, unsigned *level);

#endif
