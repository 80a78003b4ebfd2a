/* Naming the guest-state field a failed VM entry most likely tripped on (SDM "Checks on the Guest State Area"). */
#include "libhv/core/cpu.h"
#include "libhv/vmx/vmcs.h"
#include "libhv/vmx/vmx_internal.h"

#define AR_TYPE(ar)          ((ar)&0xfU)
#define AR_S                 (1U << 4)
#define AR_DPL(ar)           (((ar) >> 5) & 3U)
#define AR_P                 (1U << 7)
#define AR_L                 (1U << 13)
#define AR_DB                (1U << 14)
#define AR_G                 (1U << 15)
#define AR_RESERVED          0xfffe0f00U /* bits 11:8 and 31:17 must be zero */

#define RFLAGS_RESERVED_ZERO 0xffffffffffc08028ULL /* bits 3, 5, 15 and 22-63 */
#define RFLAGS_VM            (1ULL << 17)
#define CR4_PCIDE            (1ULL << 17)

static bool fits_fixed(uint64_t v, uint64_t fixed0, uint64_t fixed1)
{
	return (v & fixed0) == fixed0 && (v & ~fixed1) == 0;
}

/* Limit bits 11:0 not all ones need G=0; limit bits 31:20 not all zero need G=1. */
static bool granularity_ok(const struct vmx_segment_state *s)
{
	if ((s->limit & 0xfffU) != 0xfffU && (s->ar & AR_G))
		return false;
	if ((s->limit & 0xfff00000U) && !(s->ar & AR_G))
		return false;
	return true;
}

static bool usable(const struct vmx_segment_state *s)
{
	return !(s->ar & VMX_AR_UNUSABLE);
}

static const char *check_data_segment(const struct vmx_segment_state *s, const char *name_ar,
                                      const char *name_limit)
{
	if (!usable(s))
		return NULL;
	if (s->ar & AR_RESERVED)
		return name_ar;
	/* Accessed, a data or readable code segment, S=1, present. */
	if (!(AR_TYPE(s->ar) & 1) || ((AR_TYPE(s->ar) & 8) && !(AR_TYPE(s->ar) & 2)) ||
	    !(s->ar & AR_S) || !(s->ar & AR_P))
		return name_ar;
	if (!granularity_ok(s))
		return name_limit;
	return NULL;
}

static const char *check_control_registers(const struct vmx_guest_state *g, bool ia32e,
                                           bool unrestricted)
{
	uint64_t fixed0 = g->cr0_fixed0;

	if (unrestricted)
		fixed0 &= ~(CR0_PE | CR0_PG);
	if (!fits_fixed(g->cr0, fixed0, g->cr0_fixed1))
		return "GUEST_CR0 breaks IA32_VMX_CR0_FIXED0/FIXED1";
	if ((g->cr0 & CR0_PG) && !(g->cr0 & CR0_PE))
		return "GUEST_CR0 has PG without PE";
	if (!fits_fixed(g->cr4, g->cr4_fixed0, g->cr4_fixed1))
		return "GUEST_CR4 breaks IA32_VMX_CR4_FIXED0/FIXED1";
	if (ia32e && (!(g->cr0 & CR0_PG) || !(g->cr4 & CR4_PAE)))
		return "IA-32e mode guest control set without CR0.PG and CR4.PAE";
	if (!ia32e && (g->cr4 & CR4_PCIDE))
		return "GUEST_CR4.PCIDE set outside IA-32e mode";
	if (g->phys_bits && g->phys_bits < 64 && (g->cr3 >> g->phys_bits))
		return "GUEST_CR3 has bits beyond the physical-address width";
	if (g->dr7 >> 32)
		return "GUEST_DR7 bits 63:32 are not zero";
	return NULL;
}

static const char *check_msrs(const struct vmx_guest_state *g, bool ia32e)
{
	if (g->entry_controls & VMX_ENTRY_LOAD_EFER) {
		if (g->efer & ~(EFER_SCE | EFER_LME | EFER_LMA | EFER_NXE))
			return "GUEST_IA32_EFER has reserved bits set";
		if (!!(g->efer & EFER_LMA) != ia32e)
			return "GUEST_IA32_EFER.LMA differs from the IA-32e mode guest control";
		if ((g->cr0 & CR0_PG) && !!(g->efer & EFER_LMA) != !!(g->efer & EFER_LME))
			return "GUEST_IA32_EFER.LME differs from LMA while paging is on";
	}
	if (g->entry_controls & VMX_ENTRY_LOAD_PAT) {
		for (unsigned i = 0; i < 8; i++) {
			uint8_t t = (uint8_t)(g->pat >> (8 * i));

			if (t == 2 || t == 3 || t > 7)
				return "GUEST_IA32_PAT names an invalid memory type";
		}
	}
	return NULL;
}

static const char *check_segments(const struct vmx_guest_state *g, bool ia32e, bool unrestricted)
{
	const char *bad;
	uint32_t cs_type = AR_TYPE(g->cs.ar);

	/* TR: a busy TSS, always usable (64-bit in IA-32e mode). */
	if (!usable(&g->tr))
		return "GUEST_TR_AR: TR is unusable";
	if ((AR_TYPE(g->tr.ar) != 11 && (ia32e || AR_TYPE(g->tr.ar) != 3)) || (g->tr.ar & AR_S) ||
	    !(g->tr.ar & AR_P) || (g->tr.ar & AR_RESERVED))
		return "GUEST_TR_AR must describe a present busy TSS";
	if (!granularity_ok(&g->tr))
		return "GUEST_TR_LIMIT does not match TR's granularity";
	if (!x86_is_canonical(g->tr.base))
		return "GUEST_TR_BASE is not canonical";
	if (g->tr.selector & 4)
		return "GUEST_TR_SELECTOR points into the LDT";

	if (usable(&g->ldtr)) {
		if (AR_TYPE(g->ldtr.ar) != 2 || (g->ldtr.ar & AR_S) || !(g->ldtr.ar & AR_P) ||
		    (g->ldtr.ar & AR_RESERVED))
			return "GUEST_LDTR_AR must describe a present LDT";
		if (!granularity_ok(&g->ldtr))
			return "GUEST_LDTR_LIMIT does not match LDTR's granularity";
		if (!x86_is_canonical(g->ldtr.base))
			return "GUEST_LDTR_BASE is not canonical";
	}

	/* CS: an accessed code segment (or read/write data with unrestricted guest). */
	if (!(cs_type == 9 || cs_type == 11 || cs_type == 13 || cs_type == 15 ||
	      (unrestricted && cs_type == 3)) ||
	    !(g->cs.ar & AR_S) || !(g->cs.ar & AR_P) || (g->cs.ar & AR_RESERVED) || !usable(&g->cs))
		return "GUEST_CS_AR must describe a present, accessed code segment";
	if (ia32e && (g->cs.ar & AR_L) && (g->cs.ar & AR_DB))
		return "GUEST_CS_AR has both L and D/B set in IA-32e mode";
	if (!granularity_ok(&g->cs))
		return "GUEST_CS_LIMIT does not match CS's granularity";

	if (usable(&g->ss)) {
		if ((AR_TYPE(g->ss.ar) != 3 && AR_TYPE(g->ss.ar) != 7) || !(g->ss.ar & AR_S) ||
		    !(g->ss.ar & AR_P) || (g->ss.ar & AR_RESERVED))
			return "GUEST_SS_AR must describe a present, accessed read/write data "
			       "segment";
		if (!unrestricted && AR_DPL(g->ss.ar) != AR_DPL(g->cs.ar) && cs_type != 3)
			return "GUEST_SS_AR.DPL differs from CS's";
		if (!granularity_ok(&g->ss))
			return "GUEST_SS_LIMIT does not match SS's granularity";
	}
	if ((bad = check_data_segment(&g->ds, "GUEST_DS_AR", "GUEST_DS_LIMIT")) ||
	    (bad = check_data_segment(&g->es, "GUEST_ES_AR", "GUEST_ES_LIMIT")) ||
	    (bad = check_data_segment(&g->fs, "GUEST_FS_AR", "GUEST_FS_LIMIT")) ||
	    (bad = check_data_segment(&g->gs, "GUEST_GS_AR", "GUEST_GS_LIMIT")))
		return bad;
	if (!x86_is_canonical(g->fs.base))
		return "GUEST_FS_BASE is not canonical";
	if (!x86_is_canonical(g->gs.base))
		return "GUEST_GS_BASE is not canonical";
	return NULL;
}

const char *vmx_check_guest_state(const struct vmx_guest_state *g)
{
	bool ia32e = (g->entry_controls & VMX_ENTRY_IA32E_GUEST) != 0;
	bool unrestricted = (g->proc2 & VMX_PROC2_UNRESTRICTED) != 0;
	bool cs_long = ia32e && (g->cs.ar & AR_L);
	const char *bad;

	if ((bad = check_control_registers(g, ia32e, unrestricted)) ||
	    (bad = check_msrs(g, ia32e)) || (bad = check_segments(g, ia32e, unrestricted)))
		return bad;
	if (!x86_is_canonical(g->gdtr_base) || !x86_is_canonical(g->idtr_base))
		return "GUEST_GDTR_BASE or GUEST_IDTR_BASE is not canonical";
	if ((g->gdtr_limit >> 16) || (g->idtr_limit >> 16))
		return "GUEST_GDTR_LIMIT or GUEST_IDTR_LIMIT has bits 31:16 set";
	if (cs_long ? !x86_is_canonical(g->rip) : (g->rip >> 32))
		return "GUEST_RIP is out of range for the code segment's mode";
	if ((g->rflags & RFLAGS_RESERVED_ZERO) || !(g->rflags & RFLAGS_FIXED))
		return "GUEST_RFLAGS has reserved bits wrong";
	if ((g->rflags & RFLAGS_VM) && (ia32e || !(g->cr0 & CR0_PE)))
		return "GUEST_RFLAGS.VM set in IA-32e mode or real mode";
	if (g->activity > 3)
		return "GUEST_ACTIVITY_STATE is not a defined state";
	if (g->interruptibility & ~0x1fU)
		return "GUEST_INTERRUPTIBILITY_INFO has reserved bits set";
	if (g->link_pointer != ~0ULL)
		return "the VMCS link pointer is not all ones";
	return "no guest-state check libhv knows of fails (the emulator's log names the check)";
}
