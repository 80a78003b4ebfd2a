/* The AMD NPT entry format for the SLAT walker: long-mode page-table entries, U set at every level. */
#include "libhv/slat/slat.h"

#include <hv/hv.h>

#define NPT_P   (1ULL << 0)
#define NPT_RW  (1ULL << 1)
#define NPT_US  (1ULL << 2) /* nested walks are user accesses: required at every level */
#define NPT_PWT (1ULL << 3)
#define NPT_PCD (1ULL << 4)
#define NPT_A   (1ULL << 5) /* set by the processor on a nested walk through the entry */
#define NPT_D   (1ULL << 6) /* leaves: set by the processor on a write through the entry */
#define NPT_NX  (1ULL << 63)

/*
 * NPT cannot describe a page that is writable or executable but not readable: such a request
 * gets 0 (refused). Execute protection needs EFER.NXE on the host, which the backend ensures.
 * PWT/PCD stay 0: with the host's PAT entry 0 the memory type is write-back, combined with the
 * guest's own PAT (AMD APM "Combining Guest and Host PAT Types").
 */
static uint64_t npt_leaf_bits(const struct slat *s, uint32_t flags)
{
	uint64_t e = NPT_P | NPT_US;

	(void)s;
	if (!(flags & HV_MAP_GPA_READABLE))
		return 0;
	if (flags & HV_MAP_GPA_WRITABLE)
		e |= NPT_RW;
	if (!(flags & HV_MAP_GPA_EXECUTABLE))
		e |= NPT_NX;
	return e;
}

static uint32_t npt_leaf_flags(uint64_t e)
{
	uint32_t flags = HV_MAP_GPA_READABLE;

	if (e & NPT_RW)
		flags |= HV_MAP_GPA_WRITABLE;
	if (!(e & NPT_NX))
		flags |= HV_MAP_GPA_EXECUTABLE;
	return flags;
}

const struct slat_format slat_format_npt = {
    .name = "npt",
    .present_mask = NPT_P,
    .table_bits = NPT_P | NPT_RW | NPT_US,
    .leaf_mask = NPT_P | NPT_RW | NPT_US | NPT_PWT | NPT_PCD | NPT_NX,
    .write_bit = NPT_RW,
    /*
     * Nested page-table entries are long-mode entries: the processor sets A on the walk and D
     * on a write in the leaf, as for its own paging (AMD APM "Nested Paging").
     */
    .accessed_bit = NPT_A,
    .dirty_bit = NPT_D,
    .leaf_bits = npt_leaf_bits,
    .leaf_flags = npt_leaf_flags,
};
