/* Naming the reason VMRUN refused a VMCB (VMEXIT_INVALID), from the APM's consistency checks. */
#include "libhv/core/cpu.h"
#include "libhv/svm/svm_internal.h"

/* EFER bits that are reserved (must be zero) in every AMD64 processor libhv supports. */
#define EFER_MBZ                                                                             \
	(~(EFER_SCE | EFER_LME | EFER_LMA | EFER_NXE | EFER_SVME | EFER_LMSLE | EFER_FFXSR | \
	   EFER_TCE))
#define CR3_MBZ_LONG 0xfff0000000000000ULL
#define SEG_ATTR_L   (1U << 9) /* packed form */
#define SEG_ATTR_DB  (1U << 10)
#define CR4_MBZ_HIGH 0xffffffff00000000ULL

/*
 * The APM ("Canonicalization and Consistency Checks" under VMRUN) lists what makes VMRUN fail
 * with VMEXIT_INVALID. This walks the list in order and names the first one the VMCB breaks.
 */
const char *svm_check_vmcb(const struct vmcb *v)
{
	const struct vmcb_save *s = &v->save;
	bool long_paging = (s->efer & EFER_LME) && (s->cr0 & CR0_PG);

	if (!(s->efer & EFER_SVME))
		return "EFER.SVME is clear";
	if (!(s->cr0 & CR0_CD) && (s->cr0 & CR0_NW))
		return "CR0.NW is set without CR0.CD";
	if (s->cr0 >> 32)
		return "CR0 bits 63:32 are not zero";
	if (long_paging && (s->cr3 & CR3_MBZ_LONG))
		return "CR3 has reserved bits set";
	if (s->cr4 & CR4_MBZ_HIGH)
		return "CR4 has reserved bits set";
	if (s->dr6 >> 32)
		return "DR6 bits 63:32 are not zero";
	if (s->dr7 >> 32)
		return "DR7 bits 63:32 are not zero";
	if (s->efer & EFER_MBZ)
		return "EFER has reserved bits set";
	if (long_paging && !(s->cr4 & CR4_PAE))
		return "EFER.LME and CR0.PG are set without CR4.PAE";
	if (long_paging && !(s->cr0 & CR0_PE))
		return "EFER.LME and CR0.PG are set without CR0.PE";
	if (long_paging && (s->cs.attrib & SEG_ATTR_L) && (s->cs.attrib & SEG_ATTR_DB))
		return "CS.L and CS.D are both set in long mode";
	if (!(v->control.intercept_misc2 & VMCB_INTERCEPT_VMRUN))
		return "the VMRUN intercept is clear";
	if (v->control.guest_asid == 0)
		return "the guest ASID is 0 (the host's)";
	if ((v->control.event_inject & VMCB_EVENT_VALID) &&
	    ((v->control.event_inject >> VMCB_EVENT_TYPE_SHIFT) & 7) == VMCB_EVENT_TYPE_EXCEPTION &&
	    (v->control.event_inject & VMCB_EVENT_VECTOR_MASK) == 2)
		return "EVENTINJ names vector 2 as an exception";
	return "no documented consistency check fails (unsupported feature or emulator limit)";
}
