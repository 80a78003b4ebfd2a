/* The hypercall entry point (VMCALL/VMMCALL): who may call, the two calling conventions, the result. */
#include "libhv/core/cpu.h"
#include "libhv/core/hv_internal.h"
#include "libhv/core/hypercall.h"

#define HC_INSN_LENGTH 3U /* VMCALL 0f 01 c1, VMMCALL 0f 01 d9 */

/*
 * TLFS "Hypercall Interface": from real mode, virtual-8086 mode or CPL > 0 the hypercall
 * instruction raises #UD. 64-bit code passes RCX = input value, RDX/R8 = input/output GPAs (or
 * fast input) and gets RAX; 32-bit code (legacy or compatibility mode) passes EDX:EAX, EBX:ECX
 * and EDI:ESI and gets EDX:EAX. The backend hands over all of that state in one call (this is
 * the hot path of every enlightened guest: one lookup per register would cost more than the
 * call itself).
 */
void hv_hypercall_dispatch(struct hv_vp *vp)
{
	const struct hv_vendor_ops *ops = hv_globals.vendor;
	struct hv_hypercall_entry in;
	struct hc_regs regs;
	uint64_t result;

	ops->read_hypercall_entry(vp, &in);
	if (!in.protected_mode || in.v86 || in.cpl) {
		ops->inject_exception(vp, X86_VECTOR_UD, false, 0);
		return;
	}
	if (in.long64) {
		regs.control = in.rcx;
		regs.input = in.rdx;
		regs.output = in.r8;
	} else {
		regs.control = (in.rdx << 32) | (uint32_t)in.rax;
		regs.input = (in.rbx << 32) | (uint32_t)in.rcx;
		regs.output = (in.rdi << 32) | (uint32_t)in.rsi;
	}
	result = hc_execute(vp, &regs);
	if (in.long64)
		ops->complete_hypercall(vp, true, result, 0, HC_INSN_LENGTH);
	else
		ops->complete_hypercall(vp, false, (uint32_t)result, result >> 32, HC_INSN_LENGTH);
}
