/* The TLB flush hypercalls (FlushVirtualAddressSpace/List and their Ex forms). */
#include <string.h>

#include "libhv/core/hv_internal.h"
#include "libhv/core/hypercall.h"

static struct hv_vp *vp_at(struct hv_partition *p, uint64_t vp_index)
{
	return vp_index < HV_MAX_VPS ? p->vps[vp_index] : NULL;
}

void hc_for_each_vp_in_mask(struct hc_call *c, uint64_t mask, hc_vp_visit_fn visit, void *ctx)
{
	struct hv_partition *p = c->vp->partition;

	for (uint32_t i = 0; i < HV_MAX_VPS && i < 64; i++) {
		struct hv_vp *vp = ((mask >> i) & 1) ? vp_at(p, i) : NULL;

		if (vp)
			visit(vp, ctx);
	}
}

/*
 * HV_VP_SET (TLFS "Virtual Processor Set"): format ALL, or SPARSE_4K where bit B of
 * valid_bank_mask says bank B (VPs 64*B .. 64*B+63) is present; the present banks follow in
 * order as the variable header, one qword each, and must be exactly that many.
 */
hv_status_t hc_for_each_vp_in_set(struct hc_call *c, uint64_t format, uint64_t valid_bank_mask,
                                  const uint8_t *banks, hc_vp_visit_fn visit, void *ctx)
{
	struct hv_partition *p = c->vp->partition;
	uint32_t bank_slot = 0;

	if (format == HV_GENERIC_SET_ALL) {
		for (uint32_t i = 0; i < HV_MAX_VPS; i++)
			if (p->vps[i])
				visit(p->vps[i], ctx);
		return HV_STATUS_SUCCESS;
	}
	if (format != HV_GENERIC_SET_SPARSE_4K ||
	    (uint32_t)__builtin_popcountll(valid_bank_mask) != c->var_header_qwords)
		return HV_STATUS_INVALID_HYPERCALL_INPUT;
	for (uint32_t bank = 0; bank < 64; bank++) {
		uint64_t members;

		if (!((valid_bank_mask >> bank) & 1))
			continue;
		memcpy(&members, banks + 8U * bank_slot++, sizeof(members));
		for (uint32_t bit = 0; members && bit < 64; bit++) {
			struct hv_vp *vp =
			    ((members >> bit) & 1) ? vp_at(p, 64ULL * bank + bit) : NULL;

			if (vp)
				visit(vp, ctx);
		}
	}
	return HV_STATUS_SUCCESS;
}

/*
 * libhv drops every cached translation of a target VP at its next entry, whatever address
 * space or GVA list was named: a bigger flush than asked for is always correct, and one ASID
 * flush is cheaper than walking a list. A VP index with no VP behind it is ignored, as the
 * processor-mask bits of processors that do not exist are.
 */
static void request_flush(struct hv_vp *vp, void *ctx)
{
	(void)ctx;
	vp->flush_guest_tlb = true;
}

static hv_status_t flush_by_mask(struct hc_call *c)
{
	struct hv_input_flush_virtual_address_space in;

	memcpy(&in, c->input, sizeof(in));
	if (in.flags & ~HV_FLUSH_VALID_FLAGS)
		return HV_STATUS_INVALID_PARAMETER;
	hc_for_each_vp_in_mask(c, (in.flags & HV_FLUSH_ALL_PROCESSORS) ? ~0ULL : in.processor_mask,
	                       request_flush, NULL);
	return HV_STATUS_SUCCESS;
}

static hv_status_t flush_by_vp_set(struct hc_call *c)
{
	struct hv_input_flush_virtual_address_space_ex in;

	memcpy(&in, c->input, sizeof(in));
	if (in.flags & ~HV_FLUSH_VALID_FLAGS)
		return HV_STATUS_INVALID_PARAMETER;
	/* ALL_PROCESSORS overrides the set, whatever its format and size. */
	if (in.flags & HV_FLUSH_ALL_PROCESSORS)
		return hc_for_each_vp_in_set(c, HV_GENERIC_SET_ALL, 0, NULL, request_flush, NULL);
	return hc_for_each_vp_in_set(c, in.vp_set_format, in.vp_set_valid_bank_mask,
	                             c->input + sizeof(in), request_flush, NULL);
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
