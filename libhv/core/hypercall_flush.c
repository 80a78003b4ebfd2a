/* The TLB flush hypercalls (FlushVirtualAddressSpace/List and their Ex forms). */
#include <string.h>

#include "libhv/core/hv_internal.h"
#include "libhv/core/hypercall.h"

/*
 * libhv drops every cached translation of a target VP at its next entry, whatever address
 * space or GVA list was named: a bigger flush than asked for is always correct, and one ASID
 * flush is cheaper than walking a list. A VP index with no VP behind it is ignored, as the
 * processor-mask bits of processors that do not exist are.
 */
static void request_flush(struct hv_partition *p, uint64_t vp_index)
{
	if (vp_index < HV_MAX_VPS && p->vps[vp_index])
		p->vps[vp_index]->flush_guest_tlb = true;
}

static hv_status_t flush_by_mask(struct hc_call *c)
{
	struct hv_input_flush_virtual_address_space in;
	struct hv_partition *p = c->vp->partition;

	memcpy(&in, c->input, sizeof(in));
	if (in.flags & ~HV_FLUSH_VALID_FLAGS)
		return HV_STATUS_INVALID_PARAMETER;
	for (uint32_t i = 0; i < HV_MAX_VPS && i < 64; i++)
		if ((in.flags & HV_FLUSH_ALL_PROCESSORS) || (in.processor_mask >> i) & 1)
			request_flush(p, i);
	return HV_STATUS_SUCCESS;
}

/*
 * HV_VP_SET (TLFS "Virtual Processor Set"): format ALL, or SPARSE_4K where bit B of
 * valid_bank_mask says bank B (VPs 64*B .. 64*B+63) is present; the present banks follow in
 * order as the variable header, one qword each, and must be exactly that many.
 */
static hv_status_t flush_by_vp_set(struct hc_call *c)
{
	struct hv_input_flush_virtual_address_space_ex in;
	struct hv_partition *p = c->vp->partition;
	const uint8_t *banks = c->input + sizeof(in);
	uint32_t bank_slot = 0;

	memcpy(&in, c->input, sizeof(in));
	if (in.flags & ~HV_FLUSH_VALID_FLAGS)
		return HV_STATUS_INVALID_PARAMETER;
	if (in.vp_set_format == HV_GENERIC_SET_ALL || (in.flags & HV_FLUSH_ALL_PROCESSORS)) {
		for (uint32_t i = 0; i < HV_MAX_VPS; i++)
			request_flush(p, i);
		return HV_STATUS_SUCCESS;
	}
	if (in.vp_set_format != HV_GENERIC_SET_SPARSE_4K ||
	    (uint32_t)__builtin_popcountll(in.vp_set_valid_bank_mask) != c->var_header_qwords)
		return HV_STATUS_INVALID_HYPERCALL_INPUT;
	for (uint32_t bank = 0; bank < 64; bank++) {
		uint64_t members;

		if (!((in.vp_set_valid_bank_mask >> bank) & 1))
			continue;
		memcpy(&members, banks + 8U * bank_slot++, sizeof(members));
		for (uint32_t bit = 0; bit < 64; bit++)
			if ((members >> bit) & 1)
				request_flush(p, 64ULL * bank + bit);
	}
	return HV_STATUS_SUCCESS;
}

hv_status_t hc_flush_virtual_address_space(struct hc_call *c)
{
	return flush_by_mask(c);
}

/* The GVA ranges (rep elements) need no checking: any value names some range to flush. */
hv_status_t hc_flush_virtual_address_list(struct hc_call *c)
{
	return flush_by_mask(c);
}

hv_status_t hc_flush_virtual_address_space_ex(struct hc_call *c)
{
	return flush_by_vp_set(c);
}

hv_status_t hc_flush_virtual_address_list_ex(struct hc_call *c)
{
	return flush_by_vp_set(c);
}
