/* The AMD SVM backend (the seed's Hvax64): detection, VMCB setup, registers, entry and injection. */
#include <string.h>

#include "libhv/core/cpu.h"
#include "libhv/core/hv_internal.h"
#include "libhv/svm/svm_hw.h"
#include "libhv/svm/svm_internal.h"

/* CPUID 0x80000001.ECX and 0x8000000A.EDX (APM "CPUID Fn8000_000A") */
#define CPUID81_ECX_SVM        (1U << 2)
#define CPUID81_EDX_PAGE1GB    (1U << 26)
#define CPUID8A_EDX_NP         (1U << 0)
#define CPUID8A_EDX_NRIPS      (1U << 3)
#define CPUID8A_EDX_VMCB_CLEAN (1U << 5)
#define CPUID8A_EDX_FLUSH_ASID (1U << 6)
#define CPUID8A_EDX_DECODE     (1U << 7)
#define VM_CR_SVMDIS           (1ULL << 4)

#define RFLAGS_VM              (1ULL << 17)
#define VMCB_ATTRIB_L          (1U << 9) /* CS.L in the VMCB's packed attributes */

#define PAT_DEFAULT            0x0007040600070406ULL
#define IOPM_PAGES             3U
#define MSRPM_PAGES            2U

struct svm_globals {
	hv_hpa_t hsave_hpa;     /* VM_HSAVE_PA: where VMRUN keeps the host's state */
	hv_hpa_t host_vmcb_hpa; /* VMSAVE/VMLOAD area for the host's FS/GS/TR/... */
	uint32_t next_asid;
	struct svm_decode_features decode;
};
static struct svm_globals svm;

static struct svm_vp *svm_vp_of(struct hv_vp *vp)
{
	return vp->vendor;
}

static void svm_detect(struct hv_capabilities *caps)
{
	struct cpuid_regs r;

	asm_cpuid(0x80000000U, 0, &r);
	if (r.eax < 0x8000000aU) {
		caps->refusal = "AMD processor without SVM (no CPUID leaf 0x8000000A)";
		return;
	}
	asm_cpuid(0x80000001U, 0, &r);
	if (!(r.ecx & CPUID81_ECX_SVM)) {
		caps->refusal = "AMD processor without SVM (CPUID 0x80000001.ECX[2] clear)";
		return;
	}
	caps->large_pages_1g = (r.edx & CPUID81_EDX_PAGE1GB) != 0;
	/* Nested page-table entries get A/D from the processor like its own (APM "Nested Paging"). */
	caps->slat_ad_bits = true;
	asm_cpuid(0x8000000aU, 0, &r);
	caps->svm_revision = r.eax & 0xff;
	caps->asid_count = r.ebx;
	caps->nested_paging = (r.edx & CPUID8A_EDX_NP) != 0;
	caps->nrip_save = (r.edx & CPUID8A_EDX_NRIPS) != 0;
	caps->vmcb_clean_bits = (r.edx & CPUID8A_EDX_VMCB_CLEAN) != 0;
	caps->flush_by_asid = (r.edx & CPUID8A_EDX_FLUSH_ASID) != 0;
	caps->decode_assists = (r.edx & CPUID8A_EDX_DECODE) != 0;
	if (caps->asid_count < 2) {
		caps->refusal = "SVM reports fewer than 2 ASIDs";
		return;
	}
	caps->usable = true;
}

static hv_status_t svm_enable(struct hv_capabilities *caps)
{
	const struct hv_host_ops *host = hv_globals.host;
	uint64_t vm_cr;
	uint64_t efer;

	/* Firmware can lock SVM off (VM_CR.SVMDIS); some emulators lack the MSR altogether. */
	if (host->rdmsr_safe && host->rdmsr_safe(MSR_VM_CR, &vm_cr) == 0 &&
	    (vm_cr & VM_CR_SVMDIS)) {
		caps->usable = false;
		caps->refusal = "SVM is disabled by the firmware (VM_CR.SVMDIS)";
		return HV_STATUS_PROCESSOR_FEATURE_NOT_SUPPORTED;
	}
	svm.hsave_hpa = host->alloc_pages(1, 1);
	svm.host_vmcb_hpa = host->alloc_pages(1, 1);
	if (!svm.hsave_hpa || !svm.host_vmcb_hpa)
		return HV_STATUS_INSUFFICIENT_MEMORY;
	efer = asm_rdmsr(MSR_EFER) | EFER_SVME;
	/* Execute protection in NPT entries and the NPF fetch bit need NXE in the host. */
	if (caps->nx)
		efer |= EFER_NXE;
	asm_wrmsr(MSR_EFER, efer);
	asm_wrmsr(MSR_VM_HSAVE_PA, svm.hsave_hpa);
	svm.next_asid = 1;
	svm.decode.nrip_save = caps->nrip_save;
	return HV_STATUS_SUCCESS;
}

void svm_msrpm_pass_through(uint8_t *msrpm, uint32_t msr)
{
	uint32_t base;
	uint32_t offset;

	if (msr <= 0x1fffU)
		base = 0x0000U, offset = msr;
	else if (msr >= 0xc0000000U && msr <= 0xc0001fffU)
		base = 0x0800U, offset = msr - 0xc0000000U;
	else if (msr >= 0xc0010000U && msr <= 0xc0011fffU)
		base = 0x1000U, offset = msr - 0xc0010000U;
	else
		return; /* outside the map: always intercepted */
	/* Two bits per MSR: read intercept, then write intercept. */
	msrpm[base + offset / 4] &= (uint8_t) ~(3U << (2 * (offset % 4)));
}

static hv_status_t svm_partition_init(struct hv_partition *p)
{
	const struct hv_host_ops *host = hv_globals.host;
	/*
	 * MSRs whose guest values the VMCB holds and VMRUN/VMLOAD switch: the guest may use them
	 * freely. EFER and PAT stay intercepted (libhv validates them).
	 */
	static const uint32_t pass_through[] = {
	    MSR_FS_BASE, MSR_GS_BASE, MSR_KERNEL_GS_BASE, MSR_STAR,         MSR_LSTAR,
	    MSR_CSTAR,   MSR_SFMASK,  MSR_SYSENTER_CS,    MSR_SYSENTER_ESP, MSR_SYSENTER_EIP,
	};
	struct svm_partition *sp;
	hv_hpa_t hpa = host->alloc_pages(1, 1);
	uint8_t *msrpm;

	if (!hpa)
		return HV_STATUS_INSUFFICIENT_MEMORY;
	sp = host->hpa_to_hva(hpa);
	sp->self_hpa = hpa;
	sp->iopm_hpa = host->alloc_pages(IOPM_PAGES, 1);
	sp->msrpm_hpa = host->alloc_pages(MSRPM_PAGES, 1);
	if (!sp->iopm_hpa || !sp->msrpm_hpa) {
		if (sp->iopm_hpa)
			host->free_pages(sp->iopm_hpa, IOPM_PAGES);
		if (sp->msrpm_hpa)
			host->free_pages(sp->msrpm_hpa, MSRPM_PAGES);
		host->free_pages(hpa, 1);
		return HV_STATUS_INSUFFICIENT_MEMORY;
	}
	/* Every port goes to the monitor: a child touches no hardware. */
	memset(host->hpa_to_hva(sp->iopm_hpa), 0xff, SVM_IOPM_SIZE);
	msrpm = host->hpa_to_hva(sp->msrpm_hpa);
	memset(msrpm, 0xff, SVM_MSRPM_SIZE);
	for (size_t i = 0; i < sizeof(pass_through) / sizeof(pass_through[0]); i++)
		svm_msrpm_pass_through(msrpm, pass_through[i]);
	p->vendor = sp;
	return HV_STATUS_SUCCESS;
}

static void svm_partition_destroy(struct hv_partition *p)
{
	const struct hv_host_ops *host = hv_globals.host;
	struct svm_partition *sp = p->vendor;

	if (!sp)
		return;
	host->free_pages(sp->iopm_hpa, IOPM_PAGES);
	host->free_pages(sp->msrpm_hpa, MSRPM_PAGES);
	host->free_pages(sp->self_hpa, 1);
	p->vendor = NULL;
}

static void set_segment(struct vmcb_segment *s, uint16_t sel, uint16_t attrib, uint32_t limit,
                        uint64_t base)
{
	s->selector = sel;
	s->attrib = attrib;
	s->limit = limit;
	s->base = base;
}

/* The architectural state after RESET/INIT (APM "Processor Initialization State"). */
static void init_reset_state(struct vmcb_save *s)
{
	set_segment(&s->cs, 0xf000, 0x09b, 0xffff, 0xffff0000ULL);
	set_segment(&s->ds, 0, 0x093, 0xffff, 0);
	set_segment(&s->es, 0, 0x093, 0xffff, 0);
	set_segment(&s->ss, 0, 0x093, 0xffff, 0);
	set_segment(&s->fs, 0, 0x093, 0xffff, 0);
	set_segment(&s->gs, 0, 0x093, 0xffff, 0);
	set_segment(&s->gdtr, 0, 0, 0xffff, 0);
	set_segment(&s->idtr, 0, 0, 0xffff, 0);
	set_segment(&s->ldtr, 0, 0x082, 0xffff, 0);
	set_segment(&s->tr, 0, 0x08b, 0xffff, 0);
	s->rip = 0xfff0;
	s->rflags = RFLAGS_FIXED;
	s->cr0 = CR0_CD | CR0_NW | CR0_ET;
	s->efer = EFER_SVME;
	s->dr6 = 0xffff0ff0ULL;
	s->dr7 = 0x400;
	s->g_pat = PAT_DEFAULT;
}

static hv_status_t svm_vp_init(struct hv_vp *vp)
{
	const struct hv_host_ops *host = hv_globals.host;
	struct svm_partition *sp = vp->partition->vendor;
	hv_hpa_t hpa = host->alloc_pages(1, 1);
	struct svm_vp *s;
	struct vmcb *v;

	if (!hpa)
		return HV_STATUS_INSUFFICIENT_MEMORY;
	s = host->hpa_to_hva(hpa);
	memset(s, 0, sizeof(*s));
	s->self_hpa = hpa;
	s->vmcb_hpa = host->alloc_pages(1, 1);
	if (!s->vmcb_hpa) {
		host->free_pages(hpa, 1);
		return HV_STATUS_INSUFFICIENT_MEMORY;
	}
	v = s->vmcb = host->hpa_to_hva(s->vmcb_hpa);
	memset(v, 0, HV_PAGE_SIZE);

	/* ASIDs are handed out once; past the last, VPs share them and flush at every entry. */
	if (svm.next_asid < hv_globals.caps.asid_count) {
		s->asid = svm.next_asid++;
	} else {
		s->asid = 1 + (svm.next_asid++ % (hv_globals.caps.asid_count - 1));
		s->asid_shared = true;
	}

	v->control.intercept_misc1 =
	    VMCB_INTERCEPT_INTR | VMCB_INTERCEPT_NMI | VMCB_INTERCEPT_SMI | VMCB_INTERCEPT_CPUID |
	    VMCB_INTERCEPT_INVD | VMCB_INTERCEPT_HLT | VMCB_INTERCEPT_INVLPGA |
	    VMCB_INTERCEPT_IOIO | VMCB_INTERCEPT_MSR | VMCB_INTERCEPT_SHUTDOWN;
	v->control.intercept_misc2 =
	    VMCB_INTERCEPT_VMRUN | VMCB_INTERCEPT_VMMCALL | VMCB_INTERCEPT_VMLOAD |
	    VMCB_INTERCEPT_VMSAVE | VMCB_INTERCEPT_STGI | VMCB_INTERCEPT_CLGI |
	    VMCB_INTERCEPT_SKINIT | VMCB_INTERCEPT_MONITOR | VMCB_INTERCEPT_MWAIT |
	    VMCB_INTERCEPT_MWAIT_C | VMCB_INTERCEPT_XSETBV;
	v->control.iopm_base_pa = sp->iopm_hpa;
	v->control.msrpm_base_pa = sp->msrpm_hpa;
	v->control.guest_asid = s->asid;
	/* Physical interrupts stay the host's: with V_INTR_MASKING the guest's IF does not block them. */
	v->control.int_control = VMCB_INT_V_INTR_MASKING;
	v->control.np_control = VMCB_NP_ENABLE;
	v->control.n_cr3 = vp->partition->slat.root;
	init_reset_state(&v->save);
	vp->vendor = s;
	return HV_STATUS_SUCCESS;
}

static void svm_vp_destroy(struct hv_vp *vp)
{
	const struct hv_host_ops *host = hv_globals.host;
	struct svm_vp *s = svm_vp_of(vp);

	host->free_pages(s->vmcb_hpa, 1);
	host->free_pages(s->self_hpa, 1);
	vp->vendor = NULL;
}

static struct vmcb_segment *segment_of(struct vmcb_save *s, uint32_t name)
{
	switch (name) {
	case HV_X64_REGISTER_ES: return &s->es;
	case HV_X64_REGISTER_CS: return &s->cs;
	case HV_X64_REGISTER_SS: return &s->ss;
	case HV_X64_REGISTER_DS: return &s->ds;
	case HV_X64_REGISTER_FS: return &s->fs;
	case HV_X64_REGISTER_GS: return &s->gs;
	case HV_X64_REGISTER_LDTR: return &s->ldtr;
	case HV_X64_REGISTER_TR: return &s->tr;
	case HV_X64_REGISTER_GDTR: return &s->gdtr;
	case HV_X64_REGISTER_IDTR: return &s->idtr;
	default: return NULL;
	}
}

/* 64-bit fields of the VMCB save area that map one-to-one onto TLFS register names. */
static uint64_t *plain_field_of(struct vmcb_save *s, uint32_t name)
{
	switch (name) {
	case HV_X64_REGISTER_RAX: return &s->rax;
	case HV_X64_REGISTER_RSP: return &s->rsp;
	case HV_X64_REGISTER_RIP: return &s->rip;
	case HV_X64_REGISTER_RFLAGS: return &s->rflags;
	case HV_X64_REGISTER_CR0: return &s->cr0;
	case HV_X64_REGISTER_CR2: return &s->cr2;
	case HV_X64_REGISTER_CR3: return &s->cr3;
	case HV_X64_REGISTER_CR4: return &s->cr4;
	case HV_X64_REGISTER_DR7: return &s->dr7;
	case HV_X64_REGISTER_KERNEL_GS_BASE: return &s->kernel_gs_base;
	case HV_X64_REGISTER_PAT: return &s->g_pat;
	case HV_X64_REGISTER_SYSENTER_CS: return &s->sysenter_cs;
	case HV_X64_REGISTER_SYSENTER_EIP: return &s->sysenter_eip;
	case HV_X64_REGISTER_SYSENTER_ESP: return &s->sysenter_esp;
	case HV_X64_REGISTER_STAR: return &s->star;
	case HV_X64_REGISTER_LSTAR: return &s->lstar;
	case HV_X64_REGISTER_CSTAR: return &s->cstar;
	case HV_X64_REGISTER_SFMASK: return &s->sfmask;
	default: return NULL;
	}
}

static bool is_gpr(uint32_t name)
{
	return name >= HV_X64_REGISTER_RAX && name <= HV_X64_REGISTER_R15;
}

static hv_status_t svm_get_register(struct hv_vp *vp, uint32_t name, union hv_register_value *v)
{
	struct svm_vp *s = svm_vp_of(vp);
	struct vmcb_save *save = &s->vmcb->save;
	struct vmcb_segment *seg;
	uint64_t *field = plain_field_of(save, name);

	if (field) {
		v->reg64 = *field;
	} else if (is_gpr(name)) {
		v->reg64 = s->gprs[name - HV_X64_REGISTER_RAX];
	} else if (name == HV_X64_REGISTER_CR8) {
		/* With V_INTR_MASKING the guest's CR8 is V_TPR; the monitor's APIC syncs with it. */
		v->reg64 = s->vmcb->control.int_control & VMCB_INT_V_TPR_MASK;
	} else if (name == HV_X64_REGISTER_EFER) {
		/* SVME is the host's business: the guest never sees it set. */
		v->reg64 = save->efer & ~EFER_SVME;
	} else if (name == HV_X64_REGISTER_IDTR || name == HV_X64_REGISTER_GDTR) {
		seg = segment_of(save, name);
		v->table.limit = (uint16_t)seg->limit;
		v->table.base = seg->base;
	} else if ((seg = segment_of(save, name)) != NULL) {
		v->segment.base = seg->base;
		v->segment.limit = seg->limit;
		v->segment.selector = seg->selector;
		v->segment.attributes = svm_attrib_to_hv(seg->attrib);
	} else {
		return HV_STATUS_INVALID_PARAMETER;
	}
	return HV_STATUS_SUCCESS;
}

static hv_status_t check_value(uint32_t name, uint64_t value)
{
	const uint64_t efer_ok =
	    EFER_SCE | EFER_LME | EFER_LMA | (hv_globals.caps.nx ? EFER_NXE : 0);

	switch (name) {
	case HV_X64_REGISTER_EFER:
		return (value & ~efer_ok) ? HV_STATUS_INVALID_REGISTER_VALUE : HV_STATUS_SUCCESS;
	case HV_X64_REGISTER_PAT:
		return x86_is_valid_pat(value) ? HV_STATUS_SUCCESS
		                               : HV_STATUS_INVALID_REGISTER_VALUE;
	case HV_X64_REGISTER_CR0:
		if ((value >> 32) || ((value & CR0_NW) && !(value & CR0_CD)))
			return HV_STATUS_INVALID_REGISTER_VALUE;
		return HV_STATUS_SUCCESS;
	case HV_X64_REGISTER_CR4:
	case HV_X64_REGISTER_DR7:
		return (value >> 32) ? HV_STATUS_INVALID_REGISTER_VALUE : HV_STATUS_SUCCESS;
	case HV_X64_REGISTER_RIP:
	case HV_X64_REGISTER_KERNEL_GS_BASE:
	case HV_X64_REGISTER_LSTAR:
	case HV_X64_REGISTER_CSTAR:
	case HV_X64_REGISTER_SYSENTER_EIP:
	case HV_X64_REGISTER_SYSENTER_ESP:
		return x86_is_canonical(value) ? HV_STATUS_SUCCESS
		                               : HV_STATUS_INVALID_REGISTER_VALUE;
	default: return HV_STATUS_SUCCESS;
	}
}

static hv_status_t svm_set_register(struct hv_vp *vp, uint32_t name,
                                    const union hv_register_value *v)
{
	struct svm_vp *s = svm_vp_of(vp);
	struct vmcb_save *save = &s->vmcb->save;
	struct vmcb_segment *seg;
	uint64_t *field = plain_field_of(save, name);
	hv_status_t st = check_value(name, v->reg64);

	if (st != HV_STATUS_SUCCESS)
		return st;
	if (field) {
		*field = v->reg64;
	} else if (is_gpr(name)) {
		s->gprs[name - HV_X64_REGISTER_RAX] = v->reg64;
	} else if (name == HV_X64_REGISTER_CR8) {
		if (v->reg64 > VMCB_INT_V_TPR_MASK)
			return HV_STATUS_INVALID_REGISTER_VALUE;
		s->vmcb->control.int_control =
		    (s->vmcb->control.int_control & ~VMCB_INT_V_TPR_MASK) | v->reg64;
	} else if (name == HV_X64_REGISTER_EFER) {
		save->efer = v->reg64 | EFER_SVME;
	} else if (name == HV_X64_REGISTER_IDTR || name == HV_X64_REGISTER_GDTR) {
		if (!x86_is_canonical(v->table.base))
			return HV_STATUS_INVALID_REGISTER_VALUE;
		seg = segment_of(save, name);
		seg->limit = v->table.limit;
		seg->base = v->table.base;
	} else if ((seg = segment_of(save, name)) != NULL) {
		if (!x86_is_canonical(v->segment.base))
			return HV_STATUS_INVALID_REGISTER_VALUE;
		seg->base = v->segment.base;
		seg->limit = v->segment.limit;
		seg->selector = v->segment.selector;
		seg->attrib = svm_attrib_from_hv(v->segment.attributes);
		/* The VMCB keeps the CPL apart; it is SS.DPL whenever SS is loaded. */
		if (name == HV_X64_REGISTER_SS)
			save->cpl = (v->segment.attributes >> HV_SEG_ATTR_DPL_SHIFT) & 3;
	} else {
		return HV_STATUS_INVALID_PARAMETER;
	}
	return HV_STATUS_SUCCESS;
}

static void svm_enter(struct hv_vp *vp, bool flush, struct hv_exit *exit)
{
	struct svm_vp *s = svm_vp_of(vp);
	struct vmcb *v = s->vmcb;
	uint8_t flush_cmd = hv_globals.caps.flush_by_asid ? VMCB_TLB_CONTROL_FLUSH_ASID
	                                                  : VMCB_TLB_CONTROL_FLUSH_ALL;

	v->control.tlb_control = (flush || s->asid_shared) ? flush_cmd : VMCB_TLB_CONTROL_NONE;
	/* Physical interrupts may stop the guest only when the host can take them afterwards. */
	svm_enter_guest(s->gprs, s->vmcb_hpa, svm.host_vmcb_hpa,
	                hv_globals.host->take_interrupts != NULL);
	v->control.tlb_control = VMCB_TLB_CONTROL_NONE;

	/* An event whose delivery the exit cut short is still owed: the core re-injects it. */
	svm_event_from_vmcb(v->control.exit_int_info, &vp->events.interrupted);
	v->control.event_inject = 0;
	if (s->nmi_injected &&
	    !(vp->events.interrupted.valid && vp->events.interrupted.type == HV_EVENT_NMI))
		s->nmi_blocked = true;
	s->nmi_injected = false;
	/* The handler's IRET has retired once the guest runs elsewhere: NMIs are unblocked. */
	if (s->iret_pending && v->save.rip != s->iret_rip) {
		s->iret_pending = false;
		s->nmi_blocked = false;
	}

	svm_decode_exit(v, s->gprs, &svm.decode, exit);
	switch ((uint32_t)v->control.exit_code) {
	case SVM_EXIT_IRET:
		/*
		 * The guest's IRET ends its NMI handler, but the intercept comes before the IRET
		 * runs: an NMI injected now would arrive on top of the handler's frame (or reuse
		 * its IST stack) just before the IRET. So NMIs stay blocked until an exit finds RIP
		 * past it, and svm_set_windows() asks for the next chance to take an interrupt
		 * (V_IRQ with the VINTR intercept), which comes right after the IRET when it
		 * restores IF=1. When it restores IF=0 the NMI waits for the VP's next exit.
		 */
		s->iret_pending = true;
		s->iret_rip = v->save.rip;
		v->control.intercept_misc1 &= ~VMCB_INTERCEPT_IRET;
		break;
	case SVM_EXIT_VINTR:
		v->control.int_control &= ~VMCB_INT_V_IRQ;
		v->control.intercept_misc1 &= ~VMCB_INTERCEPT_VINTR;
		break;
	case SVM_EXIT_INVALID:
		hv_log("svm: VMRUN refused partition %s VP %u: %s", vp->partition->name, vp->index,
		       exit->invalid.detail);
		break;
	default: break;
	}
}

static void svm_get_interruptibility(struct hv_vp *vp, struct hv_interruptibility *out)
{
	const struct svm_vp *s = svm_vp_of(vp);
	const struct vmcb *v = s->vmcb;

	out->interrupts_enabled = (v->save.rflags & RFLAGS_IF) != 0;
	out->shadow = (v->control.int_state & VMCB_INT_STATE_SHADOW) != 0;
	/* SVM does not tell an STI shadow from a MOV SS one: both hold NMIs back too. */
	out->nmi_blocked = s->nmi_blocked || out->shadow;
}

static void svm_set_event(struct hv_vp *vp, const struct hv_event *e)
{
	struct svm_vp *s = svm_vp_of(vp);

	s->vmcb->control.event_inject = e ? svm_event_to_vmcb(e) : 0;
	s->nmi_injected = e && e->valid && e->type == HV_EVENT_NMI;
	/* Injecting an NMI implies the guest no longer blocks them (the core checked). */
	if (s->nmi_injected) {
		s->nmi_blocked = false;
		s->iret_pending = false;
	}
}

/*
 * The interrupt window: a virtual interrupt (V_IRQ) at the highest priority, ignoring V_TPR,
 * with the VINTR intercept: the processor exits just when it would take it, i.e. when
 * RFLAGS.IF is 1 and no interrupt shadow is active (APM "Virtual Interrupt Intercept"). The NMI
 * window: the IRET of the NMI handler, then the first exit after it retired (see the IRET exit
 * in svm_enter). An NMI held back only by a shadow waits for the next exit.
 */
static void svm_set_windows(struct hv_vp *vp, bool interrupt_window, bool nmi_window)
{
	struct svm_vp *s = svm_vp_of(vp);
	struct vmcb_control *c = &s->vmcb->control;
	const uint64_t v_irq =
	    VMCB_INT_V_IRQ | (0xfULL << VMCB_INT_V_INTR_PRIO_SHIFT) | VMCB_INT_V_IGN_TPR;

	/* After an intercepted IRET, the exit that proves it retired is the next window. */
	if (interrupt_window || (nmi_window && s->iret_pending)) {
		c->int_control |= v_irq;
		c->intercept_misc1 |= VMCB_INTERCEPT_VINTR;
	} else {
		c->int_control &= ~v_irq;
		c->intercept_misc1 &= ~VMCB_INTERCEPT_VINTR;
	}
	if (nmi_window && s->nmi_blocked && !s->iret_pending)
		c->intercept_misc1 |= VMCB_INTERCEPT_IRET;
	else
		c->intercept_misc1 &= ~VMCB_INTERCEPT_IRET;
}

/* SVM has no timer of its own for the host: the core arms the host's (arm_timer). */
static bool svm_arm_deadline(struct hv_vp *vp, uint64_t deadline, uint64_t now)
{
	(void)vp;
	(void)deadline;
	(void)now;
	return false;
}

static void svm_skip_instruction(struct hv_vp *vp, uint8_t length)
{
	struct vmcb *v = svm_vp_of(vp)->vmcb;
	bool long64 = (v->save.efer & EFER_LMA) && (v->save.cs.attrib & (1U << 9));

	v->save.rip += length;
	if (!long64)
		v->save.rip &= 0xffffffffULL;
	v->control.int_state &= ~VMCB_INT_STATE_SHADOW; /* the instruction completed */
}

/* Everything the hypercall entry looks at, straight from the VMCB and the GPR array. */
static void svm_read_hypercall_entry(struct hv_vp *vp, struct hv_hypercall_entry *out)
{
	const struct svm_vp *s = svm_vp_of(vp);
	const struct vmcb_save *save = &s->vmcb->save;

	out->protected_mode = (save->cr0 & CR0_PE) != 0;
	out->v86 = (save->rflags & RFLAGS_VM) != 0;
	/* The VMCB's CPL field is the processor's CPL (APM "Segment State in the VMCB"). */
	out->cpl = save->cpl & 3;
	out->long64 = (save->efer & EFER_LMA) && (save->cs.attrib & VMCB_ATTRIB_L);
	out->rax = save->rax;
	out->rbx = s->gprs[SVM_GPR_RBX];
	out->rcx = s->gprs[SVM_GPR_RCX];
	out->rdx = s->gprs[SVM_GPR_RDX];
	out->rsi = s->gprs[SVM_GPR_RSI];
	out->rdi = s->gprs[SVM_GPR_RDI];
	out->r8 = s->gprs[SVM_GPR_R8];
}

static void svm_complete_hypercall(struct hv_vp *vp, bool long64, uint64_t rax, uint64_t rdx,
                                   uint8_t length)
{
	struct svm_vp *s = svm_vp_of(vp);
	struct vmcb *v = s->vmcb;

	v->save.rax = rax;
	v->save.rip += length;
	if (!long64) {
		s->gprs[SVM_GPR_RDX] = rdx;
		v->save.rip &= 0xffffffffULL;
	}
	v->control.int_state &= ~VMCB_INT_STATE_SHADOW; /* the instruction completed */
}

const struct hv_vendor_ops hv_svm_ops = {
    .name = "svm",
    .detect = svm_detect,
    .enable = svm_enable,
    .slat_format = &slat_format_npt,
    .partition_init = svm_partition_init,
    .partition_destroy = svm_partition_destroy,
    .vp_init = svm_vp_init,
    .vp_destroy = svm_vp_destroy,
    .get_register = svm_get_register,
    .set_register = svm_set_register,
    .enter = svm_enter,
    .inject_exception = hv_event_queue_exception,
    .get_interruptibility = svm_get_interruptibility,
    .set_event = svm_set_event,
    .set_windows = svm_set_windows,
    .arm_deadline = svm_arm_deadline,
    .skip_instruction = svm_skip_instruction,
    .read_hypercall_entry = svm_read_hypercall_entry,
    .complete_hypercall = svm_complete_hypercall,
};
