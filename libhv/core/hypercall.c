/* The hypercall entry point (VMCALL/VMMCALL): who may call, the two calling conventions, the result. */
#include "libhv/core/cpu.h"
#include "libhv/core/hv_internal.h"
#include "libhv/core/hypercall.h"

#define HC_INSN_LENGTH 3U /* VMCALL 0f 01 c1, VMMCALL 0f 01 d9 */
#define RFLAGS_VM      (1ULL << 17)

/* One register straight from the backend: the hot path skips hv_vp_get_registers' checks. */
static union hv_register_value reg(struct hv_vp *vp, uint32_t name)
{
	union hv_register_value v = {.reg128 = {0, 0}};

	hv_globals.vendor->get_register(vp, name, &v);
	return v;
}

static void set_reg(struct hv_vp *vp, uint32_t name, uint64_t value)
{
	union hv_register_value v = {.reg64 = value};

	hv_globals.vendor->set_register(vp, name, &v);
}

/*
 * TLFS "Hypercall Interface": from real mode, virtual-8086 mode or CPL > 0 the hypercall
 * instruction raises #UD. 64-bit code passes RCX = input value, RDX/R8 = input/output GPAs (or
 * fast input) and gets RAX; 32-bit code (legacy or compatibility mode) passes EDX:EAX, EBX:ECX
 * and EDI:ESI and gets EDX:EAX. Registers are read only as far as the call needs them.
 */
void hv_hypercall_dispatch(struct hv_vp *vp)
{
	struct hc_regs regs;
	uint64_t result;
	bool long64;

	if (!(reg(vp, HV_X64_REGISTER_CR0).reg64 & CR0_PE) ||
	    (reg(vp, HV_X64_REGISTER_RFLAGS).reg64 & RFLAGS_VM) ||
	    ((reg(vp, HV_X64_REGISTER_SS).segment.attributes >> HV_SEG_ATTR_DPL_SHIFT) & 3)) {
		hv_globals.vendor->inject_exception(vp, X86_VECTOR_UD, false, 0);
		return;
	}
	long64 = (reg(vp, HV_X64_REGISTER_EFER).reg64 & EFER_LMA) &&
	         (reg(vp, HV_X64_REGISTER_CS).segment.attributes & HV_SEG_ATTR_L);
	if (long64) {
		regs.control = reg(vp, HV_X64_REGISTER_RCX).reg64;
		regs.input = reg(vp, HV_X64_REGISTER_RDX).reg64;
		regs.output = reg(vp, HV_X64_REGISTER_R8).reg64;
	} else {
		regs.control = (reg(vp, HV_X64_REGISTER_RDX).reg64 << 32) |
		               (uint32_t)reg(vp, HV_X64_REGISTER_RAX).reg64;
		regs.input = (reg(vp, HV_X64_REGISTER_RBX).reg64 << 32) |
		             (uint32_t)reg(vp, HV_X64_REGISTER_RCX).reg64;
		regs.output = (reg(vp, HV_X64_REGISTER_RDI).reg64 << 32) |
		              (uint32_t)reg(vp, HV_X64_REGISTER_RSI).reg64;
	}
	result = hc_execute(vp, &regs);
	if (long64) {
		set_reg(vp, HV_X64_REGISTER_RAX, result);
	} else {
		set_reg(vp, HV_X64_REGISTER_RAX, (uint32_t)result);
		set_reg(vp, HV_X64_REGISTER_RDX, result >> 32);
	}
	hv_globals.vendor->skip_instruction(vp, HC_INSN_LENGTH);
}
