/* The Intel VMX backend (the seed's Hvix64): detection, VMXON, VMCS setup, registers, entry, events. */
#include <string.h>

#include "libhv/core/cpu.h"
#include "libhv/core/hv_internal.h"
#include "libhv/vmx/vmcs.h"
#include "libhv/vmx/vmx_internal.h"

#define CPUID1_ECX_VMX  (1U << 5)
#define CR4_VMXE        (1ULL << 13)
#define RFLAGS_VM       (1ULL << 17)
#define PAT_DEFAULT     0x0007040600070406ULL
#define IO_BITMAP_PAGES 2U

/* EPTP: write-back paging structures, a 4-level walk, and A/D flags where offered. */
#define EPTP_WB     6ULL
#define EPTP_WALK_4 (3ULL << 3)
#define EPTP_AD     (1ULL << 6)

struct vmx_globals {
	struct vmx_msrs msrs;
	struct vmx_config config;
	hv_hpa_t vmxon_region;
	struct vmx_vp *current;   /* whose VMCS is loaded (VMPTRLD) */
	struct vmx_vp *msr_owner; /* whose lazy syscall MSRs are in the processor */
	uint32_t next_vpid;
	uint64_t cr0_mask, cr4_mask; /* bits the processor fixes: the guest sees the shadows */
};
static struct vmx_globals vmx;

static const uint32_t lazy_msr_index[VMX_LAZY_MSR_COUNT] = {
    [VMX_MSR_KERNEL_GS_BASE] = MSR_KERNEL_GS_BASE,
    [VMX_MSR_STAR] = MSR_STAR,
    [VMX_MSR_LSTAR] = MSR_LSTAR,
    [VMX_MSR_CSTAR] = MSR_CSTAR,
    [VMX_MSR_SFMASK] = MSR_SFMASK,
};

static struct vmx_vp *vmx_vp_of(struct hv_vp *vp)
{
	return vp->vendor;
}

static void read_capability_msrs(struct vmx_msrs *m)
{
	bool true_msrs;

	m->basic = asm_rdmsr(MSR_IA32_VMX_BASIC);
	true_msrs = (m->basic & VMX_BASIC_TRUE_CONTROLS) != 0;
	m->pinbased = asm_rdmsr(true_msrs ? MSR_IA32_VMX_TRUE_PINBASED : MSR_IA32_VMX_PINBASED);
	m->procbased = asm_rdmsr(true_msrs ? MSR_IA32_VMX_TRUE_PROCBASED : MSR_IA32_VMX_PROCBASED);
	m->exit = asm_rdmsr(true_msrs ? MSR_IA32_VMX_TRUE_EXIT : MSR_IA32_VMX_EXIT);
	m->entry = asm_rdmsr(true_msrs ? MSR_IA32_VMX_TRUE_ENTRY : MSR_IA32_VMX_ENTRY);
	m->misc = asm_rdmsr(MSR_IA32_VMX_MISC);
	m->cr0_fixed0 = asm_rdmsr(MSR_IA32_VMX_CR0_FIXED0);
	m->cr0_fixed1 = asm_rdmsr(MSR_IA32_VMX_CR0_FIXED1);
	m->cr4_fixed0 = asm_rdmsr(MSR_IA32_VMX_CR4_FIXED0);
	m->cr4_fixed1 = asm_rdmsr(MSR_IA32_VMX_CR4_FIXED1);
	/* The secondary controls and EPT/VPID MSRs exist only when the primary controls say so. */
	m->procbased2 =
	    (m->procbased >> 32) & VMX_PROC_SECONDARY ? asm_rdmsr(MSR_IA32_VMX_PROCBASED2) : 0;
	m->ept_vpid = (m->procbased2 >> 32) & (VMX_PROC2_ENABLE_EPT | VMX_PROC2_ENABLE_VPID)
	                  ? asm_rdmsr(MSR_IA32_VMX_EPT_VPID_CAP)
	                  : 0;
}

static void vmx_detect(struct hv_capabilities *caps)
{
	struct cpuid_regs r;

	asm_cpuid(1, 0, &r);
	if (!(r.ecx & CPUID1_ECX_VMX)) {
		caps->refusal = "Intel processor without VMX (CPUID.1:ECX[5] clear)";
		return;
	}
	read_capability_msrs(&vmx.msrs);
	vmx_configure(&vmx.msrs, &vmx.config);
	caps->nested_paging = vmx.config.ept;
	caps->vpid = vmx.config.vpid;
	caps->unrestricted_guest = vmx.config.unrestricted;
	caps->slat_ad_bits = vmx.config.ept_ad;
	caps->slat_execute_only = vmx.config.ept_execute_only;
	caps->large_pages_1g = vmx.config.ept_1g;
	caps->preemption_timer = vmx.config.preemption_timer;
	caps->vmcs_revision = vmx.config.revision;
	if (vmx.config.refusal) {
		caps->refusal = vmx.config.refusal;
		return;
	}
	caps->usable = true;
}

static hv_status_t refuse(struct hv_capabilities *caps, const char *why)
{
	caps->usable = false;
	caps->refusal = why;
	return HV_STATUS_PROCESSOR_FEATURE_NOT_SUPPORTED;
}

static hv_status_t vmx_enable(struct hv_capabilities *caps)
{
	const struct hv_host_ops *host = hv_globals.host;
	uint64_t fc = asm_rdmsr(MSR_IA32_FEATURE_CONTROL);
	uint64_t cr4;

	/* Firmware usually locks IA32_FEATURE_CONTROL; locked without VMX means no VMX at all. */
	if (fc & FEATURE_CONTROL_LOCKED) {
		if (!(fc & FEATURE_CONTROL_VMX_OUTSIDE_SMX))
			return refuse(caps,
			              "VMX is disabled by the firmware (IA32_FEATURE_CONTROL)");
	} else {
		asm_wrmsr(MSR_IA32_FEATURE_CONTROL,
		          fc | FEATURE_CONTROL_LOCKED | FEATURE_CONTROL_VMX_OUTSIDE_SMX);
	}
	if (!(asm_read_cr0() & CR0_NE) ||
	    vmx_fix_cr(asm_read_cr0(), vmx.msrs.cr0_fixed0, vmx.msrs.cr0_fixed1) != asm_read_cr0())
		return refuse(caps, "the host's CR0 is not allowed in VMX operation");
	cr4 = asm_read_cr4() | CR4_VMXE;
	if (vmx_fix_cr(cr4, vmx.msrs.cr4_fixed0, vmx.msrs.cr4_fixed1) != cr4)
		return refuse(caps, "the host's CR4 is not allowed in VMX operation");

	vmx.vmxon_region = host->alloc_pages(1, 1);
	if (!vmx.vmxon_region)
		return HV_STATUS_INSUFFICIENT_MEMORY;
	*(uint32_t *)host->hpa_to_hva(vmx.vmxon_region) = vmx.config.revision;
	asm_write_cr4(cr4);
	if (asm_vmxon(vmx.vmxon_region)) {
		host->free_pages(vmx.vmxon_region, 1);
		return refuse(caps, "VMXON failed");
	}
	vmx.next_vpid = 1;
	/* The bits the processor fixes are the guest's only through the read shadows. */
	vmx.cr0_mask = (vmx.msrs.cr0_fixed0 | ~vmx.msrs.cr0_fixed1) & 0xffffffffULL;
	if (vmx.config.unrestricted)
		vmx.cr0_mask &= ~(CR0_PE | CR0_PG);
	vmx.cr4_mask = (vmx.msrs.cr4_fixed0 | ~vmx.msrs.cr4_fixed1) & 0xffffffffULL;
	return HV_STATUS_SUCCESS;
}

void vmx_msr_bitmap_pass_through(uint8_t *bitmap, uint32_t msr)
{
	uint32_t offset;

	if (msr <= 0x1fffU)
		offset = 0;
	else if (msr >= 0xc0000000U && msr <= 0xc0001fffU)
		offset = 0x400;
	else
		return; /* outside the bitmap: always intercepted */
	msr &= 0x1fffU;
	bitmap[offset + msr / 8] &= (uint8_t) ~(1U << (msr % 8));         /* reads */
	bitmap[0x800 + offset + msr / 8] &= (uint8_t) ~(1U << (msr % 8)); /* writes */
}

static hv_status_t vmx_partition_init(struct hv_partition *p)
{
	const struct hv_host_ops *host = hv_globals.host;
	/* Switched by the VMCS (FS/GS bases, SYSENTER) or lazily by libhv (the syscall MSRs). */
	static const uint32_t pass_through[] = {
	    MSR_FS_BASE, MSR_GS_BASE, MSR_KERNEL_GS_BASE, MSR_STAR,         MSR_LSTAR,
	    MSR_CSTAR,   MSR_SFMASK,  MSR_SYSENTER_CS,    MSR_SYSENTER_ESP, MSR_SYSENTER_EIP,
	};
	hv_hpa_t hpa = host->alloc_pages(1, 1);
	struct vmx_partition *xp;
	uint8_t *bitmap;

	if (!hpa)
		return HV_STATUS_INSUFFICIENT_MEMORY;
	xp = host->hpa_to_hva(hpa);
	memset(xp, 0, sizeof(*xp));
	xp->self_hpa = hpa;
	xp->io_bitmaps = host->alloc_pages(IO_BITMAP_PAGES, 1);
	xp->msr_bitmap = host->alloc_pages(1, 1);
	if (!xp->io_bitmaps || !xp->msr_bitmap) {
		if (xp->io_bitmaps)
			host->free_pages(xp->io_bitmaps, IO_BITMAP_PAGES);
		if (xp->msr_bitmap)
			host->free_pages(xp->msr_bitmap, 1);
		host->free_pages(hpa, 1);
		return HV_STATUS_INSUFFICIENT_MEMORY;
	}
	/* Every port goes to the monitor: a child touches no hardware. */
	memset(host->hpa_to_hva(xp->io_bitmaps), 0xff, IO_BITMAP_PAGES * HV_PAGE_SIZE);
	bitmap = host->hpa_to_hva(xp->msr_bitmap);
	memset(bitmap, 0xff, HV_PAGE_SIZE);
	for (size_t i = 0; i < sizeof(pass_through) / sizeof(pass_through[0]); i++)
		vmx_msr_bitmap_pass_through(bitmap, pass_through[i]);
	/* A/D flags exactly when the walker relies on hardware dirty bits (slat_harvest_dirty). */
	xp->eptp = p->slat.root | EPTP_WB | EPTP_WALK_4 | (p->slat.hw_dirty ? EPTP_AD : 0);
	p->vendor = xp;
	return HV_STATUS_SUCCESS;
}

static void vmx_partition_destroy(struct hv_partition *p)
{
	const struct hv_host_ops *host = hv_globals.host;
	struct vmx_partition *xp = p->vendor;

	if (!xp)
		return;
	/* Its translations must not outlive it: the EPT pages go back to the host. */
	asm_invept(vmx.config.invept_single ? INVEPT_SINGLE_CONTEXT : INVEPT_ALL_CONTEXT, xp->eptp);
	host->free_pages(xp->io_bitmaps, IO_BITMAP_PAGES);
	host->free_pages(xp->msr_bitmap, 1);
	host->free_pages(xp->self_hpa, 1);
	p->vendor = NULL;
}

static void load_vmcs(struct vmx_vp *x)
{
	if (vmx.current == x)
		return;
	if (asm_vmptrld(x->vmcs_hpa))
		hv_log("vmx: VMPTRLD failed (error %u): %s",
		       (unsigned)vmcs_read32(VMCS_VM_INSTRUCTION_ERROR),
		       vmx_instruction_error_name(vmcs_read32(VMCS_VM_INSTRUCTION_ERROR)));
	vmx.current = x;
}

static void write_host_state(void)
{
	struct vmx_host_state h;

	vmx_read_host_state(&h);
	vmcs_writenl(VMCS_HOST_CR0, h.cr0);
	vmcs_writenl(VMCS_HOST_CR3, h.cr3);
	vmcs_writenl(VMCS_HOST_CR4, h.cr4);
	/* Selectors with RPL and TI clear, as the checks on host state demand. */
	vmcs_write16(VMCS_HOST_CS_SELECTOR, h.cs & ~7U);
	vmcs_write16(VMCS_HOST_SS_SELECTOR, h.ss & ~7U);
	vmcs_write16(VMCS_HOST_DS_SELECTOR, h.ds & ~7U);
	vmcs_write16(VMCS_HOST_ES_SELECTOR, h.es & ~7U);
	vmcs_write16(VMCS_HOST_FS_SELECTOR, h.fs & ~7U);
	vmcs_write16(VMCS_HOST_GS_SELECTOR, h.gs & ~7U);
	vmcs_write16(VMCS_HOST_TR_SELECTOR, h.tr & ~7U);
	vmcs_writenl(VMCS_HOST_FS_BASE, h.fs_base);
	vmcs_writenl(VMCS_HOST_GS_BASE, h.gs_base);
	vmcs_writenl(VMCS_HOST_TR_BASE, h.tr_base);
	vmcs_writenl(VMCS_HOST_GDTR_BASE, h.gdtr_base);
	vmcs_writenl(VMCS_HOST_IDTR_BASE, h.idtr_base);
	vmcs_write64(VMCS_HOST_IA32_EFER, h.efer);
	vmcs_write64(VMCS_HOST_IA32_PAT, h.pat);
	vmcs_write32(VMCS_HOST_SYSENTER_CS, (uint32_t)h.sysenter_cs);
	vmcs_writenl(VMCS_HOST_SYSENTER_ESP, h.sysenter_esp);
	vmcs_writenl(VMCS_HOST_SYSENTER_EIP, h.sysenter_eip);
	vmcs_writenl(VMCS_HOST_RIP, (uint64_t)(uintptr_t)vmx_exit_point);
}

static void write_segment(enum vmcs_field selector, uint16_t sel, uint64_t base, uint32_t limit,
                          uint32_t ar)
{
	/* The fields of one segment are laid out alike: selector, limit, AR, base. */
	uint32_t index = ((uint32_t)selector - VMCS_GUEST_ES_SELECTOR) / 2U;

	asm_vmwrite(VMCS_GUEST_ES_SELECTOR + 2 * index, sel);
	asm_vmwrite(VMCS_GUEST_ES_LIMIT + 2 * index, limit);
	asm_vmwrite(VMCS_GUEST_ES_AR + 2 * index, ar);
	asm_vmwrite(VMCS_GUEST_ES_BASE + 2 * index, base);
}

/* The architectural state after RESET/INIT (SDM "Processor State After Reset"). */
static void write_reset_state(void)
{
	write_segment(VMCS_GUEST_CS_SELECTOR, 0xf000, 0xffff0000ULL, 0xffff, 0x9b);
	write_segment(VMCS_GUEST_ES_SELECTOR, 0, 0, 0xffff, 0x93);
	write_segment(VMCS_GUEST_SS_SELECTOR, 0, 0, 0xffff, 0x93);
	write_segment(VMCS_GUEST_DS_SELECTOR, 0, 0, 0xffff, 0x93);
	write_segment(VMCS_GUEST_FS_SELECTOR, 0, 0, 0xffff, 0x93);
	write_segment(VMCS_GUEST_GS_SELECTOR, 0, 0, 0xffff, 0x93);
	write_segment(VMCS_GUEST_LDTR_SELECTOR, 0, 0, 0xffff, 0x82);
	write_segment(VMCS_GUEST_TR_SELECTOR, 0, 0, 0xffff, 0x8b);
	vmcs_writenl(VMCS_GUEST_GDTR_BASE, 0);
	vmcs_write32(VMCS_GUEST_GDTR_LIMIT, 0xffff);
	vmcs_writenl(VMCS_GUEST_IDTR_BASE, 0);
	vmcs_write32(VMCS_GUEST_IDTR_LIMIT, 0xffff);
	vmcs_writenl(VMCS_GUEST_RIP, 0xfff0);
	vmcs_writenl(VMCS_GUEST_RSP, 0);
	vmcs_writenl(VMCS_GUEST_RFLAGS, RFLAGS_FIXED);
	vmcs_writenl(VMCS_CR0_READ_SHADOW, CR0_CD | CR0_NW | CR0_ET);
	vmcs_writenl(VMCS_GUEST_CR0,
	             vmx_fix_cr(CR0_CD | CR0_NW | CR0_ET, vmx.cr0_mask & vmx.msrs.cr0_fixed0,
	                        vmx.msrs.cr0_fixed1));
	vmcs_writenl(VMCS_CR4_READ_SHADOW, 0);
	vmcs_writenl(VMCS_GUEST_CR4, vmx.msrs.cr4_fixed0);
	vmcs_writenl(VMCS_GUEST_CR3, 0);
	vmcs_writenl(VMCS_GUEST_DR7, 0x400);
	vmcs_write64(VMCS_GUEST_IA32_EFER, 0);
	vmcs_write64(VMCS_GUEST_IA32_PAT, PAT_DEFAULT);
	vmcs_write32(VMCS_GUEST_SYSENTER_CS, 0);
	vmcs_writenl(VMCS_GUEST_SYSENTER_ESP, 0);
	vmcs_writenl(VMCS_GUEST_SYSENTER_EIP, 0);
	vmcs_write32(VMCS_GUEST_ACTIVITY_STATE, 0);
	vmcs_write32(VMCS_GUEST_INTERRUPTIBILITY, 0);
	vmcs_writenl(VMCS_GUEST_PENDING_DEBUG, 0);
	vmcs_write64(VMCS_LINK_POINTER, ~0ULL);
	vmcs_write64(VMCS_GUEST_IA32_DEBUGCTL, 0);
}

static void write_controls(const struct vmx_partition *xp, struct vmx_vp *x)
{
	x->pin = vmx.config.pin;
	x->proc = vmx.config.proc;
	vmcs_write32(VMCS_PIN_BASED_CONTROLS, x->pin);
	vmcs_write32(VMCS_PROC_BASED_CONTROLS, x->proc);
	vmcs_write32(VMCS_SECONDARY_PROC_BASED_CONTROLS, vmx.config.proc2);
	/* Host interrupts stay pending in the host only when the host can take them. */
	vmcs_write32(VMCS_EXIT_CONTROLS,
	             hv_globals.host->take_interrupts ? vmx.config.exit : vmx.config.exit_ack);
	vmcs_write32(VMCS_ENTRY_CONTROLS, vmx.config.entry & ~VMX_ENTRY_IA32E_GUEST);
	vmcs_write32(VMCS_EXCEPTION_BITMAP, 0);
	vmcs_write32(VMCS_PAGE_FAULT_ERROR_MASK, 0);
	vmcs_write32(VMCS_PAGE_FAULT_ERROR_MATCH, 0);
	vmcs_write32(VMCS_CR3_TARGET_COUNT, 0);
	vmcs_write32(VMCS_EXIT_MSR_STORE_COUNT, 0);
	vmcs_write32(VMCS_EXIT_MSR_LOAD_COUNT, 0);
	vmcs_write32(VMCS_ENTRY_MSR_LOAD_COUNT, 0);
	vmcs_write32(VMCS_ENTRY_INTERRUPTION_INFO, 0);
	vmcs_write64(VMCS_IO_BITMAP_A, xp->io_bitmaps);
	vmcs_write64(VMCS_IO_BITMAP_B, xp->io_bitmaps + HV_PAGE_SIZE);
	vmcs_write64(VMCS_MSR_BITMAP, xp->msr_bitmap);
	vmcs_write64(VMCS_EPT_POINTER, xp->eptp);
	/* Optional fields are written only where they exist (else VM-instruction error 12). */
	if (vmx.config.vpid)
		vmcs_write16(VMCS_VPID, x->vpid);
	vmcs_writenl(VMCS_CR0_GUEST_HOST_MASK, vmx.cr0_mask);
	vmcs_writenl(VMCS_CR4_GUEST_HOST_MASK, vmx.cr4_mask);
}

static hv_status_t vmx_vp_init(struct hv_vp *vp)
{
	const struct hv_host_ops *host = hv_globals.host;
	struct vmx_partition *xp = vp->partition->vendor;
	hv_hpa_t hpa = host->alloc_pages(1, 1);
	struct vmx_vp *x;

	if (!hpa)
		return HV_STATUS_INSUFFICIENT_MEMORY;
	x = host->hpa_to_hva(hpa);
	memset(x, 0, sizeof(*x));
	x->self_hpa = hpa;
	x->vmcs_hpa = host->alloc_pages(1, 1);
	if (!x->vmcs_hpa) {
		host->free_pages(hpa, 1);
		return HV_STATUS_INSUFFICIENT_MEMORY;
	}
	*(uint32_t *)host->hpa_to_hva(x->vmcs_hpa) = vmx.config.revision;
	/* VPIDs 1..65535 tag the VP's linear translations; past the last they are shared. */
	x->vpid = (uint16_t)(1 + (vmx.next_vpid++ - 1) % 0xffffU);
	if (asm_vmclear(x->vmcs_hpa) || asm_vmptrld(x->vmcs_hpa)) {
		host->free_pages(x->vmcs_hpa, 1);
		host->free_pages(hpa, 1);
		return HV_STATUS_OPERATION_FAILED;
	}
	vmx.current = x;
	write_controls(xp, x);
	write_host_state();
	write_reset_state();
	vp->vendor = x;
	return HV_STATUS_SUCCESS;
}

static void vmx_vp_destroy(struct hv_vp *vp)
{
	const struct hv_host_ops *host = hv_globals.host;
	struct vmx_vp *x = vmx_vp_of(vp);

	asm_vmclear(x->vmcs_hpa);
	if (vmx.current == x)
		vmx.current = NULL;
	if (vmx.msr_owner == x)
		vmx.msr_owner = NULL;
	if (vmx.config.vpid)
		asm_invvpid(vmx.config.invvpid_single ? INVVPID_SINGLE_CONTEXT
		                                      : INVVPID_ALL_CONTEXT,
		            x->vpid, 0);
	host->free_pages(x->vmcs_hpa, 1);
	host->free_pages(x->self_hpa, 1);
	vp->vendor = NULL;
}

/* ---- registers ---- */

struct segment_fields {
	uint32_t name;
	enum vmcs_field selector;
};

static const struct segment_fields segments[] = {
    {HV_X64_REGISTER_ES, VMCS_GUEST_ES_SELECTOR},     {HV_X64_REGISTER_CS, VMCS_GUEST_CS_SELECTOR},
    {HV_X64_REGISTER_SS, VMCS_GUEST_SS_SELECTOR},     {HV_X64_REGISTER_DS, VMCS_GUEST_DS_SELECTOR},
    {HV_X64_REGISTER_FS, VMCS_GUEST_FS_SELECTOR},     {HV_X64_REGISTER_GS, VMCS_GUEST_GS_SELECTOR},
    {HV_X64_REGISTER_LDTR, VMCS_GUEST_LDTR_SELECTOR}, {HV_X64_REGISTER_TR, VMCS_GUEST_TR_SELECTOR},
};

static int segment_index(uint32_t name)
{
	for (unsigned i = 0; i < sizeof(segments) / sizeof(segments[0]); i++)
		if (segments[i].name == name)
			return (int)(((uint32_t)segments[i].selector - VMCS_GUEST_ES_SELECTOR) /
			             2U);
	return -1;
}

/* Natural-width guest fields that map one-to-one onto TLFS register names. */
static int plain_field(uint32_t name)
{
	switch (name) {
	case HV_X64_REGISTER_RSP: return VMCS_GUEST_RSP;
	case HV_X64_REGISTER_RIP: return VMCS_GUEST_RIP;
	case HV_X64_REGISTER_RFLAGS: return VMCS_GUEST_RFLAGS;
	case HV_X64_REGISTER_CR3: return VMCS_GUEST_CR3;
	case HV_X64_REGISTER_DR7: return VMCS_GUEST_DR7;
	case HV_X64_REGISTER_SYSENTER_EIP: return VMCS_GUEST_SYSENTER_EIP;
	case HV_X64_REGISTER_SYSENTER_ESP: return VMCS_GUEST_SYSENTER_ESP;
	case HV_X64_REGISTER_PAT: return VMCS_GUEST_IA32_PAT;
	case HV_X64_REGISTER_EFER: return VMCS_GUEST_IA32_EFER;
	case HV_X64_REGISTER_SYSENTER_CS: return VMCS_GUEST_SYSENTER_CS;
	default: return -1;
	}
}

static int lazy_msr_of(uint32_t name)
{
	switch (name) {
	case HV_X64_REGISTER_KERNEL_GS_BASE: return VMX_MSR_KERNEL_GS_BASE;
	case HV_X64_REGISTER_STAR: return VMX_MSR_STAR;
	case HV_X64_REGISTER_LSTAR: return VMX_MSR_LSTAR;
	case HV_X64_REGISTER_CSTAR: return VMX_MSR_CSTAR;
	case HV_X64_REGISTER_SFMASK: return VMX_MSR_SFMASK;
	default: return -1;
	}
}

/* The guest's view of a shadowed control register: its own bits where the processor fixes them. */
static uint64_t shadowed(enum vmcs_field real, enum vmcs_field shadow, uint64_t mask)
{
	return (asm_vmread(real) & ~mask) | (asm_vmread(shadow) & mask);
}

static hv_status_t vmx_get_register(struct hv_vp *vp, uint32_t name, union hv_register_value *v)
{
	struct vmx_vp *x = vmx_vp_of(vp);
	int index;

	load_vmcs(x);
	if (name >= HV_X64_REGISTER_RAX && name <= HV_X64_REGISTER_R15 &&
	    name != HV_X64_REGISTER_RSP) {
		v->reg64 = x->gprs[name - HV_X64_REGISTER_RAX];
	} else if ((index = plain_field(name)) >= 0) {
		v->reg64 = asm_vmread((uint32_t)index);
	} else if (name == HV_X64_REGISTER_CR0) {
		v->reg64 = shadowed(VMCS_GUEST_CR0, VMCS_CR0_READ_SHADOW, vmx.cr0_mask);
	} else if (name == HV_X64_REGISTER_CR4) {
		v->reg64 = shadowed(VMCS_GUEST_CR4, VMCS_CR4_READ_SHADOW, vmx.cr4_mask);
	} else if (name == HV_X64_REGISTER_CR2) {
		v->reg64 = x->cr2;
	} else if (name == HV_X64_REGISTER_CR8) {
		v->reg64 = x->cr8;
	} else if ((index = lazy_msr_of(name)) >= 0) {
		v->reg64 =
		    vmx.msr_owner == x ? asm_rdmsr(lazy_msr_index[index]) : x->lazy_msrs[index];
	} else if (name == HV_X64_REGISTER_GDTR || name == HV_X64_REGISTER_IDTR) {
		bool gdt = name == HV_X64_REGISTER_GDTR;

		v->table.base = vmcs_readnl(gdt ? VMCS_GUEST_GDTR_BASE : VMCS_GUEST_IDTR_BASE);
		v->table.limit =
		    (uint16_t)vmcs_read32(gdt ? VMCS_GUEST_GDTR_LIMIT : VMCS_GUEST_IDTR_LIMIT);
	} else if ((index = segment_index(name)) >= 0) {
		uint32_t ar = (uint32_t)asm_vmread(VMCS_GUEST_ES_AR + 2U * (uint32_t)index);

		v->segment.selector =
		    (uint16_t)asm_vmread(VMCS_GUEST_ES_SELECTOR + 2U * (uint32_t)index);
		v->segment.base = asm_vmread(VMCS_GUEST_ES_BASE + 2U * (uint32_t)index);
		v->segment.limit = (uint32_t)asm_vmread(VMCS_GUEST_ES_LIMIT + 2U * (uint32_t)index);
		/* An unusable segment reads as not present. */
		v->segment.attributes =
		    (ar & VMX_AR_UNUSABLE) ? (uint16_t)(ar & 0xf07fU) : (uint16_t)(ar & 0xf0ffU);
	} else {
		return HV_STATUS_INVALID_PARAMETER;
	}
	return HV_STATUS_SUCCESS;
}

#define CR0_KNOWN                                                                                  \
	(CR0_PE | CR0_MP | CR0_EM | CR0_TS | CR0_ET | CR0_NE | CR0_WP | CR0_AM | CR0_NW | CR0_CD | \
	 CR0_PG)

static hv_status_t set_cr0(uint64_t value)
{
	uint64_t fixed0 = vmx.msrs.cr0_fixed0 & vmx.cr0_mask;

	if ((value & ~CR0_KNOWN) || ((value & CR0_NW) && !(value & CR0_CD)) ||
	    ((value & CR0_PG) && !(value & CR0_PE)))
		return HV_STATUS_INVALID_REGISTER_VALUE;
	vmcs_writenl(VMCS_CR0_READ_SHADOW, value);
	/* The processor's copy has the bits VMX fixes (NE; PE and PG without unrestricted guest). */
	vmcs_writenl(VMCS_GUEST_CR0, vmx_fix_cr(value, fixed0, vmx.msrs.cr0_fixed1));
	return HV_STATUS_SUCCESS;
}

static hv_status_t set_cr4(uint64_t value)
{
	/* VMXE is the host's; any other bit the processor cannot set is reserved for the guest. */
	if ((value & CR4_VMXE) || (value & ~vmx.msrs.cr4_fixed1) || (value >> 32))
		return HV_STATUS_INVALID_REGISTER_VALUE;
	vmcs_writenl(VMCS_CR4_READ_SHADOW, value);
	vmcs_writenl(VMCS_GUEST_CR4, vmx_fix_cr(value, vmx.msrs.cr4_fixed0, vmx.msrs.cr4_fixed1));
	return HV_STATUS_SUCCESS;
}

static hv_status_t set_efer(uint64_t value)
{
	const uint64_t ok = EFER_SCE | EFER_LME | EFER_LMA | (hv_globals.caps.nx ? EFER_NXE : 0);
	uint32_t entry = vmcs_read32(VMCS_ENTRY_CONTROLS);

	if (value & ~ok)
		return HV_STATUS_INVALID_REGISTER_VALUE;
	vmcs_write64(VMCS_GUEST_IA32_EFER, value);
	/* VM entry checks that the "IA-32e mode guest" control matches EFER.LMA. */
	entry = (value & EFER_LMA) ? entry | VMX_ENTRY_IA32E_GUEST : entry & ~VMX_ENTRY_IA32E_GUEST;
	vmcs_write32(VMCS_ENTRY_CONTROLS, entry);
	return HV_STATUS_SUCCESS;
}

static hv_status_t set_segment(int index, const struct hv_x64_segment_register *s, uint32_t name)
{
	uint32_t ar = s->attributes & 0xf0ffU;

	if (!x86_is_canonical(s->base))
		return HV_STATUS_INVALID_REGISTER_VALUE;
	/* A segment that is not present is "unusable" to VMX; CS and TR always have to be usable. */
	if (!(ar & HV_SEG_ATTR_P) && name != HV_X64_REGISTER_CS && name != HV_X64_REGISTER_TR)
		ar |= VMX_AR_UNUSABLE;
	asm_vmwrite(VMCS_GUEST_ES_SELECTOR + 2U * (uint32_t)index, s->selector);
	asm_vmwrite(VMCS_GUEST_ES_BASE + 2U * (uint32_t)index, s->base);
	asm_vmwrite(VMCS_GUEST_ES_LIMIT + 2U * (uint32_t)index, s->limit);
	asm_vmwrite(VMCS_GUEST_ES_AR + 2U * (uint32_t)index, ar);
	return HV_STATUS_SUCCESS;
}

static hv_status_t vmx_set_register(struct hv_vp *vp, uint32_t name,
                                    const union hv_register_value *v)
{
	struct vmx_vp *x = vmx_vp_of(vp);
	int index;

	load_vmcs(x);
	switch (name) {
	case HV_X64_REGISTER_CR0: return set_cr0(v->reg64);
	case HV_X64_REGISTER_CR4: return set_cr4(v->reg64);
	case HV_X64_REGISTER_EFER: return set_efer(v->reg64);
	case HV_X64_REGISTER_CR2: x->cr2 = v->reg64; return HV_STATUS_SUCCESS;
	case HV_X64_REGISTER_CR8:
		/* Bits 63:4 are reserved: MOV to CR8 with them set raises #GP. */
		if (v->reg64 > 15)
			return HV_STATUS_INVALID_REGISTER_VALUE;
		x->cr8 = v->reg64;
		return HV_STATUS_SUCCESS;
	case HV_X64_REGISTER_PAT:
		if (!x86_is_valid_pat(v->reg64))
			return HV_STATUS_INVALID_REGISTER_VALUE;
		break;
	case HV_X64_REGISTER_DR7:
		if (v->reg64 >> 32)
			return HV_STATUS_INVALID_REGISTER_VALUE;
		break;
	case HV_X64_REGISTER_RIP:
	case HV_X64_REGISTER_SYSENTER_EIP:
	case HV_X64_REGISTER_SYSENTER_ESP:
	case HV_X64_REGISTER_KERNEL_GS_BASE:
	case HV_X64_REGISTER_LSTAR:
	case HV_X64_REGISTER_CSTAR:
		if (!x86_is_canonical(v->reg64))
			return HV_STATUS_INVALID_REGISTER_VALUE;
		break;
	default: break;
	}
	if (name >= HV_X64_REGISTER_RAX && name <= HV_X64_REGISTER_R15 &&
	    name != HV_X64_REGISTER_RSP) {
		x->gprs[name - HV_X64_REGISTER_RAX] = v->reg64;
	} else if ((index = plain_field(name)) >= 0) {
		asm_vmwrite((uint32_t)index, v->reg64);
	} else if ((index = lazy_msr_of(name)) >= 0) {
		x->lazy_msrs[index] = v->reg64;
		if (vmx.msr_owner == x)
			asm_wrmsr(lazy_msr_index[index], v->reg64);
	} else if (name == HV_X64_REGISTER_GDTR || name == HV_X64_REGISTER_IDTR) {
		bool gdt = name == HV_X64_REGISTER_GDTR;

		if (!x86_is_canonical(v->table.base))
			return HV_STATUS_INVALID_REGISTER_VALUE;
		vmcs_writenl(gdt ? VMCS_GUEST_GDTR_BASE : VMCS_GUEST_IDTR_BASE, v->table.base);
		vmcs_write32(gdt ? VMCS_GUEST_GDTR_LIMIT : VMCS_GUEST_IDTR_LIMIT, v->table.limit);
	} else if ((index = segment_index(name)) >= 0) {
		return set_segment(index, &v->segment, name);
	} else {
		return HV_STATUS_INVALID_PARAMETER;
	}
	return HV_STATUS_SUCCESS;
}

/* ---- entry and exit ---- */

/* The syscall MSRs the VMCS does not switch follow the VP that runs (like the vector registers). */
static void switch_lazy_msrs(struct vmx_vp *x)
{
	if (vmx.msr_owner == x)
		return;
	for (unsigned i = 0; i < VMX_LAZY_MSR_COUNT; i++) {
		if (vmx.msr_owner)
			vmx.msr_owner->lazy_msrs[i] = asm_rdmsr(lazy_msr_index[i]);
		asm_wrmsr(lazy_msr_index[i], x->lazy_msrs[i]);
	}
	vmx.msr_owner = x;
}

static void read_guest_state(struct vmx_guest_state *g)
{
	struct vmx_segment_state *segs[] = {&g->es, &g->cs, &g->ss,   &g->ds,
	                                    &g->fs, &g->gs, &g->ldtr, &g->tr};

	g->cr0 = vmcs_readnl(VMCS_GUEST_CR0);
	g->cr3 = vmcs_readnl(VMCS_GUEST_CR3);
	g->cr4 = vmcs_readnl(VMCS_GUEST_CR4);
	g->dr7 = vmcs_readnl(VMCS_GUEST_DR7);
	g->rflags = vmcs_readnl(VMCS_GUEST_RFLAGS);
	g->rip = vmcs_readnl(VMCS_GUEST_RIP);
	g->efer = vmcs_read64(VMCS_GUEST_IA32_EFER);
	g->pat = vmcs_read64(VMCS_GUEST_IA32_PAT);
	g->link_pointer = vmcs_read64(VMCS_LINK_POINTER);
	g->entry_controls = vmcs_read32(VMCS_ENTRY_CONTROLS);
	g->proc2 = vmcs_read32(VMCS_SECONDARY_PROC_BASED_CONTROLS);
	g->activity = vmcs_read32(VMCS_GUEST_ACTIVITY_STATE);
	g->interruptibility = vmcs_read32(VMCS_GUEST_INTERRUPTIBILITY);
	for (uint32_t i = 0; i < 8; i++) {
		segs[i]->selector = (uint16_t)asm_vmread(VMCS_GUEST_ES_SELECTOR + 2 * i);
		segs[i]->base = asm_vmread(VMCS_GUEST_ES_BASE + 2 * i);
		segs[i]->limit = (uint32_t)asm_vmread(VMCS_GUEST_ES_LIMIT + 2 * i);
		segs[i]->ar = (uint32_t)asm_vmread(VMCS_GUEST_ES_AR + 2 * i);
	}
	g->gdtr_base = vmcs_readnl(VMCS_GUEST_GDTR_BASE);
	g->idtr_base = vmcs_readnl(VMCS_GUEST_IDTR_BASE);
	g->gdtr_limit = vmcs_read32(VMCS_GUEST_GDTR_LIMIT);
	g->idtr_limit = vmcs_read32(VMCS_GUEST_IDTR_LIMIT);
	g->cr0_fixed0 = vmx.msrs.cr0_fixed0;
	g->cr0_fixed1 = vmx.msrs.cr0_fixed1;
	g->cr4_fixed0 = vmx.msrs.cr4_fixed0;
	g->cr4_fixed1 = vmx.msrs.cr4_fixed1;
	g->phys_bits = hv_globals.caps.guest_phys_bits;
}

/*
 * Drop every translation this VP may have cached: INVEPT takes the guest-physical and combined
 * mappings of the partition's EPT (for every VPID); INVVPID takes any linear ones of this VP,
 * which the flush hypercalls ask for.
 */
static void flush(struct vmx_vp *x, const struct vmx_partition *xp)
{
	asm_invept(vmx.config.invept_single ? INVEPT_SINGLE_CONTEXT : INVEPT_ALL_CONTEXT, xp->eptp);
	if (vmx.config.vpid)
		asm_invvpid(vmx.config.invvpid_single ? INVVPID_SINGLE_CONTEXT
		                                      : INVVPID_ALL_CONTEXT,
		            x->vpid, 0);
}

/*
 * The event whose delivery the exit cut short (IDT-vectoring information) goes to the core,
 * which re-injects it. An exit in the middle of an IRET that ended an NMI handler reports
 * "NMI unblocking due to IRET": the IRET runs again, so virtual-NMI blocking is set back
 * (SDM "Information for VM Exits During Event Delivery" and "... Due to Vectored Events").
 */
static void capture_interrupted_event(struct hv_vp *vp, const struct vmx_exit_info *info)
{
	uint32_t vectoring = vmcs_read32(VMCS_IDT_VECTORING_INFO);
	struct hv_event *e = &vp->events.interrupted;
	uint32_t basic = info->reason & 0xffffU;
	bool unblocked_by_iret = false;

	*e = (struct hv_event){0};
	if (vectoring & VMX_INTR_VALID) {
		e->valid = true;
		e->vector = (uint8_t)(vectoring & VMX_INTR_VECTOR_MASK);
		e->type = (uint8_t)((vectoring >> VMX_INTR_TYPE_SHIFT) & 7);
		e->has_error = (vectoring & VMX_INTR_ERROR_VALID) != 0;
		e->error = e->has_error ? vmcs_read32(VMCS_IDT_VECTORING_ERROR_CODE) : 0;
		e->insn_length = (uint8_t)info->insn_length;
		return;
	}
	if (!vmx.config.nmi_window)
		return;
	if (basic == VMX_EXIT_EPT_VIOLATION)
		unblocked_by_iret = (info->qualification & VMX_EPT_NMI_UNBLOCKED_BY_IRET) != 0;
	else if (basic == VMX_EXIT_EXCEPTION_NMI)
		unblocked_by_iret = (info->interruption_info & VMX_INTR_NMI_UNBLOCKED_BY_IRET) != 0;
	if (unblocked_by_iret)
		vmcs_write32(VMCS_GUEST_INTERRUPTIBILITY,
		             vmcs_read32(VMCS_GUEST_INTERRUPTIBILITY) | VMX_BLOCKING_NMI);
}

static void vmx_enter(struct hv_vp *vp, bool need_flush, struct hv_exit *exit)
{
	struct vmx_vp *x = vmx_vp_of(vp);
	struct vmx_partition *xp = vp->partition->vendor;
	struct vmx_exit_info info;
	uint64_t cr0_shadow;
	int rc;

	load_vmcs(x);
	cr0_shadow = vmcs_readnl(VMCS_CR0_READ_SHADOW);
	if (!vmx.config.unrestricted && (cr0_shadow & (CR0_PE | CR0_PG)) != (CR0_PE | CR0_PG)) {
		exit->reason = HV_EXIT_INVALID_STATE;
		exit->invalid.error = 0;
		exit->invalid.detail =
		    "the guest runs with paging off (real mode or unpaged protected "
		    "mode), which needs VMX unrestricted guest: this processor "
		    "lacks it";
		exit->rip = vmcs_readnl(VMCS_GUEST_RIP);
		return;
	}
	switch_lazy_msrs(x);
	if (need_flush)
		flush(x, xp);
	asm_write_cr2(x->cr2);
	rc = vmx_enter_guest(x->gprs, x->launched);
	x->cr2 = asm_read_cr2();

	if (rc) {
		uint32_t error = rc == 1 ? vmcs_read32(VMCS_VM_INSTRUCTION_ERROR) : 0xffffffffU;

		exit->reason = HV_EXIT_INVALID_STATE;
		exit->invalid.error = error;
		exit->invalid.detail =
		    rc == 1 ? vmx_instruction_error_name(error) : "VM entry without a current VMCS";
		exit->rip = vmcs_readnl(VMCS_GUEST_RIP);
		hv_log("vmx: %s refused partition %s VP %u: error %u: %s",
		       x->launched ? "VMRESUME" : "VMLAUNCH", vp->partition->name, vp->index, error,
		       exit->invalid.detail);
		return;
	}

	info.reason = vmcs_read32(VMCS_EXIT_REASON);
	info.qualification = vmcs_readnl(VMCS_EXIT_QUALIFICATION);
	info.insn_length = vmcs_read32(VMCS_EXIT_INSTRUCTION_LENGTH);
	info.guest_physical = vmcs_read64(VMCS_GUEST_PHYSICAL_ADDRESS);
	info.guest_linear = vmcs_readnl(VMCS_GUEST_LINEAR_ADDRESS);
	info.rip = vmcs_readnl(VMCS_GUEST_RIP);
	info.interruption_info = vmcs_read32(VMCS_EXIT_INTERRUPTION_INFO);
	vmx_decode_exit(&info, x->gprs, exit);

	if (info.reason & VMX_EXIT_REASON_ENTRY_FAILURE) {
		if ((info.reason & 0xffffU) == VMX_EXIT_INVALID_GUEST_STATE) {
			struct vmx_guest_state g;

			read_guest_state(&g);
			exit->invalid.detail = vmx_check_guest_state(&g);
		}
		hv_log("vmx: VM entry failed for partition %s VP %u (exit reason %#x): %s",
		       vp->partition->name, vp->index, info.reason, exit->invalid.detail);
		return;
	}
	x->launched = true;
	if ((info.reason & 0xffffU) == VMX_EXIT_EPT_MISCONFIG)
		hv_log("vmx: EPT misconfiguration at GPA %#llx in partition %s: a libhv bug",
		       (unsigned long long)info.guest_physical, vp->partition->name);
	capture_interrupted_event(vp, &info);
	/* The processor clears the entry's event at every exit; the core programs the next one. */
	vmcs_write32(VMCS_ENTRY_INTERRUPTION_INFO, 0);
}

/* The interruption-information format of VM entry (SDM "VM-Entry Controls for Event Injection"). */
static void vmx_set_event(struct hv_vp *vp, const struct hv_event *e)
{
	uint32_t info;

	load_vmcs(vmx_vp_of(vp));
	if (!e || !e->valid) {
		vmcs_write32(VMCS_ENTRY_INTERRUPTION_INFO, 0);
		return;
	}
	info = e->vector | ((uint32_t)(e->type & 7) << VMX_INTR_TYPE_SHIFT) | VMX_INTR_VALID;
	if (e->has_error) {
		info |= VMX_INTR_ERROR_VALID;
		vmcs_write32(VMCS_ENTRY_EXCEPTION_ERROR_CODE, e->error);
	}
	/* Software events need their instruction's length (1-15; VM entry checks it). */
	if (e->type == HV_EVENT_SOFT_INTERRUPT || e->type == HV_EVENT_SOFT_EXCEPTION ||
	    e->type == HV_EVENT_PRIV_SOFT_EXCEPTION)
		vmcs_write32(VMCS_ENTRY_INSTRUCTION_LENGTH,
		             e->insn_length >= 1 && e->insn_length <= 15 ? e->insn_length : 1);
	/* With virtual NMIs, an NMI can be injected only while virtual-NMI blocking is 0. */
	if (e->type == HV_EVENT_NMI && vmx.config.nmi_window)
		vmcs_write32(VMCS_GUEST_INTERRUPTIBILITY,
		             vmcs_read32(VMCS_GUEST_INTERRUPTIBILITY) & ~VMX_BLOCKING_NMI);
	vmcs_write32(VMCS_ENTRY_INTERRUPTION_INFO, info);
}

static void vmx_get_interruptibility(struct hv_vp *vp, struct hv_interruptibility *out)
{
	uint32_t blocking;

	load_vmcs(vmx_vp_of(vp));
	blocking = vmcs_read32(VMCS_GUEST_INTERRUPTIBILITY);
	out->interrupts_enabled = (vmcs_readnl(VMCS_GUEST_RFLAGS) & RFLAGS_IF) != 0;
	out->shadow = (blocking & (VMX_BLOCKING_STI | VMX_BLOCKING_MOV_SS)) != 0;
	/*
	 * MOV SS blocks NMIs; some processors refuse NMI injection in an STI shadow too (SDM
	 * "Checks on Guest Non-Register State"), so both count. Without virtual NMIs the processor
	 * keeps no NMI blocking for the guest: an NMI then waits only for the shadow to end.
	 */
	out->nmi_blocked = out->shadow || (blocking & VMX_BLOCKING_NMI);
}

static void set_proc(struct vmx_vp *x, uint32_t proc)
{
	if (x->proc != proc) {
		x->proc = proc;
		vmcs_write32(VMCS_PROC_BASED_CONTROLS, proc);
	}
}

static void set_pin(struct vmx_vp *x, uint32_t pin)
{
	if (x->pin != pin) {
		x->pin = pin;
		vmcs_write32(VMCS_PIN_BASED_CONTROLS, pin);
	}
}

/*
 * Interrupt-window exiting exits before the first instruction that runs with RFLAGS.IF=1 and
 * no STI/MOV SS blocking; NMI-window exiting before the first without virtual-NMI or MOV SS
 * blocking (SDM "VM-Execution Controls"). Without virtual NMIs there is no NMI window: the
 * NMI waits for the next exit (a shadow lasts one instruction).
 */
static void vmx_set_windows(struct hv_vp *vp, bool interrupt_window, bool nmi_window)
{
	struct vmx_vp *x = vmx_vp_of(vp);
	uint32_t proc = x->proc & ~(VMX_PROC_INTERRUPT_WINDOW | VMX_PROC_NMI_WINDOW);

	load_vmcs(x);
	if (interrupt_window && vmx.config.interrupt_window)
		proc |= VMX_PROC_INTERRUPT_WINDOW;
	if (nmi_window && vmx.config.nmi_window)
		proc |= VMX_PROC_NMI_WINDOW;
	set_proc(x, proc);
}

/* The VMX-preemption timer, recomputed from the TSC at each entry (no "save timer value"). */
static bool vmx_arm_deadline(struct hv_vp *vp, uint64_t deadline, uint64_t now)
{
	struct vmx_vp *x = vmx_vp_of(vp);

	if (!vmx.config.preemption_timer)
		return false;
	load_vmcs(x);
	if (!deadline) {
		set_pin(x, x->pin & ~VMX_PIN_PREEMPTION_TIMER);
		return true;
	}
	vmcs_write32(VMCS_GUEST_PREEMPTION_TIMER,
	             vmx_preemption_timer_value(deadline, now, vmx.config.preemption_timer_shift));
	set_pin(x, x->pin | VMX_PIN_PREEMPTION_TIMER);
	return true;
}

static void vmx_skip_instruction(struct hv_vp *vp, uint8_t length)
{
	uint64_t rip;
	bool long64;

	load_vmcs(vmx_vp_of(vp));
	rip = vmcs_readnl(VMCS_GUEST_RIP) + length;
	long64 = (vmcs_read32(VMCS_ENTRY_CONTROLS) & VMX_ENTRY_IA32E_GUEST) &&
	         (vmcs_read32(VMCS_GUEST_CS_AR) & HV_SEG_ATTR_L);
	vmcs_writenl(VMCS_GUEST_RIP, long64 ? rip : (uint32_t)rip);
	/* The instruction completed: any STI or MOV SS interrupt shadow is over. */
	vmcs_write32(VMCS_GUEST_INTERRUPTIBILITY, vmcs_read32(VMCS_GUEST_INTERRUPTIBILITY) &
	                                              ~(VMX_BLOCKING_STI | VMX_BLOCKING_MOV_SS));
}

/* The GPR array is in TLFS register-name order (x86 encoding order). */
#define GPR(name) (HV_X64_REGISTER_##name - HV_X64_REGISTER_RAX)

/* Everything the hypercall entry looks at: a few VMREADs and the GPR array. */
static void vmx_read_hypercall_entry(struct hv_vp *vp, struct hv_hypercall_entry *out)
{
	struct vmx_vp *x = vmx_vp_of(vp);
	uint64_t cr0;

	load_vmcs(x);
	cr0 = shadowed(VMCS_GUEST_CR0, VMCS_CR0_READ_SHADOW, vmx.cr0_mask);
	out->protected_mode = (cr0 & CR0_PE) != 0;
	out->v86 = (vmcs_readnl(VMCS_GUEST_RFLAGS) & RFLAGS_VM) != 0;
	/* SS.DPL is the CPL (SDM "Checks on Guest Segment Registers"). */
	out->cpl = (uint8_t)((vmcs_read32(VMCS_GUEST_SS_AR) >> HV_SEG_ATTR_DPL_SHIFT) & 3);
	out->long64 = (vmcs_read32(VMCS_ENTRY_CONTROLS) & VMX_ENTRY_IA32E_GUEST) &&
	              (vmcs_read32(VMCS_GUEST_CS_AR) & HV_SEG_ATTR_L);
	out->rax = x->gprs[GPR(RAX)];
	out->rcx = x->gprs[GPR(RCX)];
	out->rdx = x->gprs[GPR(RDX)];
	out->rbx = x->gprs[GPR(RBX)];
	out->rsi = x->gprs[GPR(RSI)];
	out->rdi = x->gprs[GPR(RDI)];
	out->r8 = x->gprs[GPR(R8)];
}

static void vmx_complete_hypercall(struct hv_vp *vp, bool long64, uint64_t rax, uint64_t rdx,
                                   uint8_t length)
{
	struct vmx_vp *x = vmx_vp_of(vp);
	uint64_t rip;

	load_vmcs(x);
	x->gprs[GPR(RAX)] = rax;
	if (!long64)
		x->gprs[GPR(RDX)] = rdx;
	rip = vmcs_readnl(VMCS_GUEST_RIP) + length;
	vmcs_writenl(VMCS_GUEST_RIP, long64 ? rip : (uint32_t)rip);
	/* The instruction completed: any STI or MOV SS interrupt shadow is over. */
	vmcs_write32(VMCS_GUEST_INTERRUPTIBILITY, vmcs_read32(VMCS_GUEST_INTERRUPTIBILITY) &
	                                              ~(VMX_BLOCKING_STI | VMX_BLOCKING_MOV_SS));
}

const struct hv_vendor_ops hv_vmx_ops = {
    .name = "vmx",
    .detect = vmx_detect,
    .enable = vmx_enable,
    .slat_format = &slat_format_ept,
    .partition_init = vmx_partition_init,
    .partition_destroy = vmx_partition_destroy,
    .vp_init = vmx_vp_init,
    .vp_destroy = vmx_vp_destroy,
    .get_register = vmx_get_register,
    .set_register = vmx_set_register,
    .enter = vmx_enter,
    .inject_exception = hv_event_queue_exception,
    .get_interruptibility = vmx_get_interruptibility,
    .set_event = vmx_set_event,
    .set_windows = vmx_set_windows,
    .arm_deadline = vmx_arm_deadline,
    .skip_instruction = vmx_skip_instruction,
    .read_hypercall_entry = vmx_read_hypercall_entry,
    .complete_hypercall = vmx_complete_hypercall,
};
