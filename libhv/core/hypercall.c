/* The hypercall entry point (VMCALL/VMMCALL): decodes the TLFS control word and answers in RAX. */
#include "libhv/core/cpu.h"
#include "libhv/core/hv_internal.h"

/* Hypercall input value (RCX), TLFS "Hypercall Inputs". */
#define HC_CODE_MASK     0xffffULL
#define HC_RESERVED_MASK ((0xfULL << 27) | (0xfULL << 44) | (0xfULL << 60))
#define HC_INSN_LENGTH   3U /* VMCALL 0f 01 c1, VMMCALL 0f 01 d9 */

/*
 * No hypercall is implemented yet: every well-formed call gets HV_STATUS_INVALID_HYPERCALL_CODE,
 * one with reserved bits set HV_STATUS_INVALID_HYPERCALL_INPUT. A call from real mode or from
 * CPL > 0 gets #UD, as the TLFS requires.
 */
void hv_hypercall_dispatch(struct hv_vp *vp)
{
	static const uint32_t names[] = {HV_X64_REGISTER_CR0, HV_X64_REGISTER_SS,
	                                 HV_X64_REGISTER_RCX};
	union hv_register_value v[3];
	union hv_register_value result = {0};
	uint64_t control;
	hv_status_t status;

	hv_vp_get_registers(vp, names, 3, v);
	if (!(v[0].reg64 & CR0_PE) || ((v[1].segment.attributes >> HV_SEG_ATTR_DPL_SHIFT) & 3)) {
		hv_globals.vendor->inject_exception(vp, X86_VECTOR_UD, false, 0);
		return;
	}
	control = v[2].reg64;
	if (control & HC_RESERVED_MASK)
		status = HV_STATUS_INVALID_HYPERCALL_INPUT;
	else
		status = HV_STATUS_INVALID_HYPERCALL_CODE;
	result.reg64 = status;
	hv_globals.vendor->set_register(vp, HV_X64_REGISTER_RAX, &result);
	hv_globals.vendor->skip_instruction(vp, HC_INSN_LENGTH);
}
