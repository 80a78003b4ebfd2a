/* The AMD NPT entry format for the SLAT walker: long-mode page-table entries, U set at every level. */
#include "libhv/slat/slat.h"

#include <hv/hv.h>

#define NPT_P  (1ULL << 0)
#define NPT_RW (1ULL << 1)
#define NPT_US (1ULL << 2) /* nested walks are user accesses: required at every level */
#define NPT_NX (1ULL << 63)

/*
 * NPT cannot describe a page that is writable or executable but not readable: such a request
 * gets 0 (refused). Execute protection needs EFER.NXE on the host, which the backend ensures.
 */
static uint64_t npt_leaf_bits(uint32_t flags)
{
	uint64_t e = NPT_P | NPT_US;

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
    .leaf_bits = npt_leaf_bits,
    .leaf_flags = npt_leaf_flags,
};
