/* Processors by number: HvCallSendSyntheticClusterIpi (+Ex) and HvCallGetVpIndexFromApicId. */
#include <string.h>

#include "libhv/core/hv_internal.h"
#include "libhv/core/hypercall.h"

/*
 * libhv has one VTL, VTL 0. A target VTL byte names it either implicitly (0: the caller's own)
 * or explicitly (HV_INPUT_VTL_USE_TARGET with VTL 0); anything else, reserved bits 7:5 included,
 * names a VTL that does not exist: HV_STATUS_INVALID_PARAMETER (the TLFS's status for an
 * invalid parameter; no VSM is offered, so there is no VTL state to speak of).
 */
static bool is_vtl0(uint8_t target_vtl)
{
	return target_vtl == 0 || target_vtl == HV_INPUT_VTL_USE_TARGET;
}

/* TLFS: the vector "must be between >= 0x10 and <= 0xFF" (KVM answers INVALID_HYPERCALL_INPUT). */
static bool is_ipi_vector(uint32_t vector)
{
	return vector >= HV_IPI_VECTOR_MIN && vector <= HV_IPI_VECTOR_MAX;
}

/*
 * A fixed interrupt at the target VP's local APIC: the partition's hv_interrupt_target, as the
 * SynIC raises its SINTs (edge, no AutoEOI). The target VP's run then ends with
 * HV_EXIT_INTERRUPT_ASSERTED so that the monitor delivers it.
 */
static void assert_ipi(struct hv_vp *vp, void *ctx)
{
	synic_assert_vector(vp, *(const uint8_t *)ctx, false);
}

/*
 * HvCallSendSyntheticClusterIpi (fast or slow): the VPs of a 64-bit processor mask. VP indexes
 * with no VP behind them are skipped, as for the flush calls (Linux only names VPs it has).
 */
hv_status_t hc_send_synthetic_cluster_ipi(struct hc_call *c)
{
	struct hv_input_send_synthetic_cluster_ipi in;
	uint8_t vector;

	memcpy(&in, c->input, sizeof(in));
	if (!is_ipi_vector(in.vector) || !is_vtl0(in.target_vtl))
		return HV_STATUS_INVALID_PARAMETER;
	vector = (uint8_t)in.vector;
	hc_for_each_vp_in_mask(c, in.processor_mask, assert_ipi, &vector);
	return HV_STATUS_SUCCESS;
}

/*
 * HvCallSendSyntheticClusterIpiEx: the VPs of an HV_VP_SET. The whole input is checked before
 * the first interrupt is asserted, so a refused call asserts none.
 */
hv_status_t hc_send_synthetic_cluster_ipi_ex(struct hc_call *c)
{
	struct hv_input_send_synthetic_cluster_ipi_ex in;
	uint8_t vector;

	memcpy(&in, c->input, sizeof(in));
	if (!is_ipi_vector(in.vector) || !is_vtl0(in.target_vtl))
		return HV_STATUS_INVALID_PARAMETER;
	vector = (uint8_t)in.vector;
	return hc_for_each_vp_in_set(c, in.vp_set_format, in.vp_set_valid_bank_mask,
	                             c->input + sizeof(in), assert_ipi, &vector);
}

/*
 * HvCallGetVpIndexFromApicId (rep). libhv's VP index is the VP's APIC ID: the monitor gives VP n
 * the APIC ID n (devices/platform.c), and hv_vp_create() takes the index. Checks, in order:
 *   partition ID other than HV_PARTITION_ID_SELF or the caller's own   INVALID_PARTITION_ID
 *   a target VTL other than VTL 0                                       INVALID_PARAMETER
 *   an APIC ID no VP of the partition has                               INVALID_PARAMETER, with
 *                                     the reps before it completed and their indexes written
 */
hv_status_t hc_get_vp_index_from_apic_id(struct hc_call *c)
{
	struct hv_input_get_vp_index_from_apic_id in;
	const struct hv_partition *p = c->vp->partition;
	const uint8_t *apic_ids = c->input + sizeof(in);

	memcpy(&in, c->input, sizeof(in));
	if (in.partition_id != HV_PARTITION_ID_SELF && in.partition_id != p->id)
		return HV_STATUS_INVALID_PARTITION_ID;
	if (!is_vtl0(in.target_vtl))
		return HV_STATUS_INVALID_PARAMETER;
	for (uint32_t i = c->rep_start; i < c->rep_count; i++) {
		uint32_t apic_id;

		memcpy(&apic_id, apic_ids + 4U * i, sizeof(apic_id));
		if (apic_id >= HV_MAX_VPS || !p->vps[apic_id])
			return HV_STATUS_INVALID_PARAMETER;
		memcpy(c->output + 4U * i, &apic_id, sizeof(apic_id)); /* the VP index */
		c->reps_completed = (uint16_t)(i + 1);
	}
	return HV_STATUS_SUCCESS;
}
