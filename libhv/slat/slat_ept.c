/* The Intel EPT entry format for the SLAT walker: R/W/X rights, write-back memory type, A/D bits. */
#include "libhv/slat/slat.h"

#include <hv/hv.h>

/* Intel SDM "EPT Translation Mechanism": the same positions at every level. */
#define EPT_R        (1ULL << 0)
#define EPT_W        (1ULL << 1)
#define EPT_X        (1ULL << 2) /* supervisor-mode execute when mode-based control is on */
#define EPT_MT_SHIFT 3U          /* leaves: memory type, bits 5:3 */
#define EPT_MT_MASK  (7ULL << EPT_MT_SHIFT)
#define EPT_MT_WB    (6ULL << EPT_MT_SHIFT)
#define EPT_IPAT     (1ULL << 6) /* leaves: ignore the guest's PAT */
#define EPT_A        (1ULL << 8) /* with A/D enabled in the EPTP: set on a walk */
#define EPT_D        (1ULL << 9) /* with A/D enabled in the EPTP: leaves, set on a write */

/*
 * Guest RAM is write-back whatever the guest's PAT says (IPAT): libhv maps only ordinary RAM,
 * and a guest choosing UC for it would only slow itself down. A writable entry without read
 * access is an EPT misconfiguration (SDM "EPT Misconfigurations"), and execute-only entries are
 * one too unless IA32_VMX_EPT_VPID_CAP bit 0 says the processor supports them: both get 0.
 */
static uint64_t ept_leaf_bits(const struct slat *s, uint32_t flags)
{
	uint64_t e = EPT_MT_WB | EPT_IPAT;
	bool r = flags & HV_MAP_GPA_READABLE;
	bool w = flags & HV_MAP_GPA_WRITABLE;
	bool x = (flags & HV_MAP_GPA_EXECUTABLE) != 0;

	if ((w && !r) || (!r && !x) || (!r && !s->execute_only))
		return 0;
	if (r)
		e |= EPT_R;
	if (w)
		e |= EPT_W;
	if (x)
		e |= EPT_X;
	return e;
}

static uint32_t ept_leaf_flags(uint64_t e)
{
	uint32_t flags = 0;

	if (e & EPT_R)
		flags |= HV_MAP_GPA_READABLE;
	if (e & EPT_W)
		flags |= HV_MAP_GPA_WRITABLE;
	if (e & EPT_X)
		flags |= HV_MAP_GPA_EXECUTABLE;
	return flags;
}

const struct slat_format slat_format_ept = {
    .name = "ept",
    /* An EPT entry is present when any of bits 2:0 is set (no mode-based execute control). */
    .present_mask = EPT_R | EPT_W | EPT_X,
    /* Non-leaf entries grant everything; leaves decide. They carry no memory type. */
    .table_bits = EPT_R | EPT_W | EPT_X,
    .leaf_mask = EPT_R | EPT_W | EPT_X | EPT_MT_MASK | EPT_IPAT,
    .write_bit = EPT_W,
    .accessed_bit = EPT_A,
    .dirty_bit = EPT_D,
    .leaf_bits = ept_leaf_bits,
    .leaf_flags = ept_leaf_flags,
};
