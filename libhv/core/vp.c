/* Virtual processors: creation, registers, and the run loop that finishes what libhv owns. */
#include <string.h>

#include "libhv/core/cpu.h"
#include "libhv/core/hv_internal.h"

#define VP_PAGES ((sizeof(struct hv_vp) + HV_PAGE_SIZE - 1) / HV_PAGE_SIZE)

/* A SLAT fault on RAM that is mapped with the right access is retried after a flush this often. */
#define SLAT_RETRY_LIMIT 4U

hv_status_t hv_vp_create(struct hv_partition *p, uint32_t vp_index, struct hv_vp **out)
{
	const struct hv_host_ops *host = hv_globals.host;
	struct hv_vp *vp;
	hv_hpa_t hpa;
	hv_status_t st;

	if (!p || !out)
		return HV_STATUS_INVALID_PARAMETER;
	if (vp_index >= HV_MAX_VPS)
		return HV_STATUS_INVALID_VP_INDEX;
	if (p->vps[vp_index])
		return HV_STATUS_INVALID_VP_STATE;
	hpa = host->alloc_pages(VP_PAGES, 1);
	if (!hpa)
		return HV_STATUS_INSUFFICIENT_MEMORY;
	vp = host->hpa_to_hva(hpa);
	memset(vp, 0, sizeof(*vp));
	vp->self_hpa = hpa;
	vp->partition = p;
	vp->index = vp_index;
	/* The FXSAVE image of a processor after reset: x87 control word 0x37f, MXCSR 0x1f80. */
	vp->fxsave[0] = 0x7f;
	vp->fxsave[1] = 0x03;
	vp->fxsave[24] = 0x80;
	vp->fxsave[25] = 0x1f;
	st = hv_globals.vendor->vp_init(vp);
	if (st != HV_STATUS_SUCCESS) {
		host->free_pages(hpa, VP_PAGES);
		return st;
	}
	/* A fresh VP starts with a flush: its ASID may have served another VP before. */
	vp->flushed_generation = p->slat.flush_generation - 1;
	p->vps[vp_index] = vp;
	*out = vp;
	return HV_STATUS_SUCCESS;
}

void hv_vp_destroy(struct hv_vp *vp)
{
	if (hv_globals.fpu_owner == vp)
		hv_globals.fpu_owner = NULL;
	hv_globals.vendor->vp_destroy(vp);
	vp->partition->vps[vp->index] = NULL;
	hv_globals.host->free_pages(vp->self_hpa, VP_PAGES);
}

/* The FXSAVE image holds XMM0-15 at byte 160 onwards, 16 bytes each. */
#define FXSAVE_XMM_OFFSET 160U

static bool is_xmm(uint32_t name)
{
	return name >= HV_X64_REGISTER_XMM0 && name <= HV_X64_REGISTER_XMM15;
}

/*
 * The vector registers are the guest's alone (the host never uses them), so the VP's copy is
 * current unless the VP owns the processor's registers: then save them first.
 */
static void sync_fpu_to_memory(struct hv_vp *vp)
{
	if (hv_globals.fpu_owner == vp)
		asm_fxsave(vp->fxsave);
}

static void get_xmm(struct hv_vp *vp, uint32_t name, union hv_register_value *v)
{
	sync_fpu_to_memory(vp);
	memcpy(v->reg128, &vp->fxsave[FXSAVE_XMM_OFFSET + 16U * (name - HV_X64_REGISTER_XMM0)], 16);
}

static void set_xmm(struct hv_vp *vp, uint32_t name, const union hv_register_value *v)
{
	sync_fpu_to_memory(vp);
	memcpy(&vp->fxsave[FXSAVE_XMM_OFFSET + 16U * (name - HV_X64_REGISTER_XMM0)], v->reg128, 16);
	if (hv_globals.fpu_owner == vp)
		asm_fxrstor(vp->fxsave);
}

hv_status_t hv_vp_get_registers(struct hv_vp *vp, const uint32_t *names, uint32_t count,
                                union hv_register_value *values)
{
	if (!vp || (count && (!names || !values)))
		return HV_STATUS_INVALID_PARAMETER;
	for (uint32_t i = 0; i < count; i++) {
		hv_status_t st;

		memset(&values[i], 0, sizeof(values[i]));
		if (is_xmm(names[i])) {
			get_xmm(vp, names[i], &values[i]);
			continue;
		}
		st = hv_globals.vendor->get_register(vp, names[i], &values[i]);
		if (st != HV_STATUS_SUCCESS)
			return st;
	}
	return HV_STATUS_SUCCESS;
}

hv_status_t hv_vp_set_registers(struct hv_vp *vp, const uint32_t *names, uint32_t count,
                                const union hv_register_value *values)
{
	if (!vp || (count && (!names || !values)))
		return HV_STATUS_INVALID_PARAMETER;
	for (uint32_t i = 0; i < count; i++) {
		hv_status_t st;

		if (is_xmm(names[i])) {
			set_xmm(vp, names[i], &values[i]);
			continue;
		}
		st = hv_globals.vendor->set_register(vp, names[i], &values[i]);

		if (st != HV_STATUS_SUCCESS)
			return st;
	}
	return HV_STATUS_SUCCESS;
}

static uint64_t get_reg(struct hv_vp *vp, uint32_t name)
{
	union hv_register_value v = {0};

	hv_globals.vendor->get_register(vp, name, &v);
	return v.reg64;
}

static hv_status_t set_reg(struct hv_vp *vp, uint32_t name, uint64_t value)
{
	union hv_register_value v = {.reg64 = value};

	return hv_globals.vendor->set_register(vp, name, &v);
}

/* The guest's vector registers go in only when another VP's are in the processor. */
static void switch_fpu_to(struct hv_vp *vp)
{
	if (hv_globals.fpu_owner == vp)
		return;
	if (hv_globals.fpu_owner)
		asm_fxsave(hv_globals.fpu_owner->fxsave);
	asm_fxrstor(vp->fxsave);
	hv_globals.fpu_owner = vp;
}

/*
 * EFER and PAT live in the VMCB/VMCS, the synthetic MSRs are the hypervisor's (core/synthetic_msr.c):
 * libhv owns them, the monitor never sees them.
 */
static bool handle_owned_msr(struct hv_vp *vp, struct hv_exit *exit)
{
	uint32_t name;
	uint32_t index = exit->msr.index;

	if (hv_synthetic_msr(vp, exit))
		return true;
	if (index == MSR_EFER)
		name = HV_X64_REGISTER_EFER;
	else if (index == MSR_PAT)
		name = HV_X64_REGISTER_PAT;
	else
		return false;

	if (exit->reason == HV_EXIT_MSR_READ) {
		exit->msr.value = get_reg(vp, name);
		hv_vp_complete(vp, exit);
		return true;
	}
	if (index == MSR_EFER) {
		/* EFER.LMA is the processor's to set: a WRMSR leaves it as it is. */
		uint64_t lma = get_reg(vp, name) & EFER_LMA;

		exit->msr.value = (exit->msr.value & ~EFER_LMA) | lma;
	}
	if (set_reg(vp, name, exit->msr.value) == HV_STATUS_SUCCESS) {
		hv_globals.vendor->skip_instruction(vp, exit->insn_length);
	} else {
		hv_globals.vendor->inject_exception(vp, X86_VECTOR_GP, true, 0);
	}
	return true;
}

/*
 * Dirty tracking without hardware dirty bits withholds W from clean pages: the first write
 * faults here, and slat/slat_dirty.c marks the page dirty and gives W back. Counted as a SLAT
 * retry; the guest re-runs the instruction.
 */
static bool resolve_dirty_tracking(struct hv_vp *vp, const struct hv_exit *exit)
{
	if (exit->memory.access != HV_ACCESS_WRITE ||
	    !slat_resolve_write_fault(&vp->partition->slat, exit->memory.gpa))
		return false;
	vp->stats.exits[HV_EXIT_MEMORY_ACCESS]--;
	vp->stats.exits[HV_EXIT_SLAT_RETRY]++;
	return true;
}

/*
 * A SLAT fault where RAM is mapped with the access's right can only be a stale translation:
 * flush and retry, a bounded number of times, then let the monitor see it.
 */
static bool handle_slat_fault(struct hv_vp *vp, struct hv_exit *exit, uint32_t *retries)
{
	uint32_t rights;
	uint32_t needed = exit->memory.access == HV_ACCESS_WRITE     ? HV_MAP_GPA_WRITABLE
	                  : exit->memory.access == HV_ACCESS_EXECUTE ? HV_MAP_GPA_EXECUTABLE
	                                                             : HV_MAP_GPA_READABLE;

	if (resolve_dirty_tracking(vp, exit))
		return true;
	if (slat_translate(&vp->partition->slat, exit->memory.gpa, NULL, &rights) !=
	    HV_STATUS_SUCCESS)
		return false;
	exit->memory.mapped = true;
	if (!(rights & needed) || ++*retries > SLAT_RETRY_LIMIT)
		return false;
	vp->flushed_generation = vp->partition->slat.flush_generation - 1;
	vp->stats.exits[HV_EXIT_MEMORY_ACCESS]--;
	vp->stats.exits[HV_EXIT_SLAT_RETRY]++;
	return true;
}

/*
 * A control-register access the processor trapped (on VMX: a write to a bit the processor
 * fixes, such as CR4.VMXE or CR0.NE), finished through the register interface so that the
 * vendor's rules for shadows and fixed bits apply. A value it refuses raises #GP(0).
 */
static void finish_cr_access(struct hv_vp *vp, const struct hv_exit *exit)
{
	static const uint32_t cr_names[16] = {[0] = HV_X64_REGISTER_CR0,
	                                      [3] = HV_X64_REGISTER_CR3,
	                                      [4] = HV_X64_REGISTER_CR4,
	                                      [8] = HV_X64_REGISTER_CR8};
	uint32_t name = cr_names[exit->cr.number & 15];
	uint32_t gpr = HV_X64_REGISTER_RAX + (exit->cr.gpr & 15);
	uint64_t cr0;
	hv_status_t st = HV_STATUS_SUCCESS;

	if (!name) {
		hv_globals.vendor->inject_exception(vp, X86_VECTOR_UD, false, 0);
		return;
	}
	switch (exit->cr.type) {
	case HV_CR_MOV_TO: st = set_reg(vp, name, get_reg(vp, gpr)); break;
	case HV_CR_MOV_FROM: st = set_reg(vp, gpr, get_reg(vp, name)); break;
	case HV_CR_CLTS:
		st = set_reg(vp, HV_X64_REGISTER_CR0, get_reg(vp, HV_X64_REGISTER_CR0) & ~CR0_TS);
		break;
	default: /* LMSW: the low four bits of CR0, and it can set PE but never clear it */
		cr0 = get_reg(vp, HV_X64_REGISTER_CR0);
		cr0 = (cr0 & ~0xeULL) | (exit->cr.lmsw_source & 0xfU) | (cr0 & CR0_PE);
		st = set_reg(vp, HV_X64_REGISTER_CR0, cr0);
		break;
	}
	if (st != HV_STATUS_SUCCESS) {
		hv_globals.vendor->inject_exception(vp, X86_VECTOR_GP, true, 0);
		return;
	}
	hv_globals.vendor->skip_instruction(vp, exit->insn_length);
}

/* True when libhv finished the exit itself and the VP can simply re-enter. */
static bool handle_internally(struct hv_vp *vp, struct hv_exit *exit, uint32_t *slat_retries)
{
	switch (exit->reason) {
	case HV_EXIT_HYPERCALL: hv_hypercall_dispatch(vp); return true;
	case HV_EXIT_INTERRUPT:
		/* A host interrupt is still pending in the host (never acknowledged): let it in. */
		if (hv_globals.host->take_interrupts)
			hv_globals.host->take_interrupts();
		return true;
	case HV_EXIT_INTERRUPT_WINDOW: return !hv_event_window_exit(vp);
	case HV_EXIT_REFUSED_INSN:
		hv_globals.vendor->inject_exception(vp, X86_VECTOR_UD, false, 0);
		return true;
	case HV_EXIT_CR_ACCESS: finish_cr_access(vp, exit); return true;
	case HV_EXIT_MSR_READ:
	case HV_EXIT_MSR_WRITE: return handle_owned_msr(vp, exit);
	case HV_EXIT_MEMORY_ACCESS: return handle_slat_fault(vp, exit, slat_retries);
	case HV_EXIT_CPUID: {
		uint32_t r[4];

		hv_cpuid_default(vp, exit->cpuid.leaf, exit->cpuid.subleaf, r);
		exit->cpuid.eax = r[0];
		exit->cpuid.ebx = r[1];
		exit->cpuid.ecx = r[2];
		exit->cpuid.edx = r[3];
		return false;
	}
	default: return false;
	}
}

/* An exit libhv makes up itself (no entry happened for it): counted like the others. */
static hv_status_t report(struct hv_vp *vp, struct hv_exit *exit, enum hv_exit_reason reason)
{
	memset(exit, 0, sizeof(*exit));
	exit->reason = reason;
	exit->rip = get_reg(vp, HV_X64_REGISTER_RIP);
	vp->stats.exits[reason]++;
	return HV_STATUS_SUCCESS;
}

/*
 * What ends a run before (or instead of) another entry: a vector libhv asserted through the
 * partition's interrupt controller, then the monitor's deadline. The synthetic timers' own
 * deadlines only make libhv fire them (hv_synthetic_poll), which may assert a vector.
 */
static bool run_ends(struct hv_vp *vp, struct hv_exit *exit, uint64_t now)
{
	uint64_t synthetic = hv_synthetic_deadline(vp);

	if (synthetic && now >= synthetic)
		hv_synthetic_poll(vp, now);
	if (vp->interrupt_asserted) {
		vp->interrupt_asserted = false;
		report(vp, exit, HV_EXIT_INTERRUPT_ASSERTED);
		return true;
	}
	if (vp->events.deadline && now >= vp->events.deadline) {
		vp->events.deadline = 0;
		report(vp, exit, HV_EXIT_DEADLINE);
		return true;
	}
	return false;
}

hv_status_t hv_vp_run(struct hv_vp *vp, struct hv_exit *exit)
{
	uint32_t slat_retries = 0;

	if (!vp || !exit)
		return HV_STATUS_INVALID_PARAMETER;
	if (vp->failed)
		return HV_STATUS_INVALID_VP_STATE;
	switch_fpu_to(vp);
	for (;;) {
		uint64_t generation = vp->partition->slat.flush_generation;
		bool flush;
		uint64_t now = synthetic_read_tsc();

		if (run_ends(vp, exit, now))
			return HV_STATUS_SUCCESS;
		if (!hv_event_prepare_entry(vp))
			return report(vp, exit, HV_EXIT_SHUTDOWN);
		hv_event_arm_deadline(vp, now);
		flush = vp->flushed_generation != generation || vp->flush_guest_tlb;
		vp->flushed_generation = generation;
		vp->flush_guest_tlb = false;
		memset(exit, 0, sizeof(*exit));
		now = synthetic_read_tsc();
		hv_globals.vendor->enter(vp, flush, exit);
		vp->synthetic.run_tsc += synthetic_read_tsc() - now;
		vp->stats.entries++;
		hv_event_after_exit(vp);
		if ((unsigned)exit->reason >= HV_EXIT_REASON_COUNT)
			exit->reason = HV_EXIT_UNSUPPORTED;
		vp->stats.exits[exit->reason]++;
		if (exit->reason == HV_EXIT_INVALID_STATE) {
			vp->failed = true;
			return HV_STATUS_SUCCESS;
		}
		/*
		 * At each exit the synthetic timers that are due fire (core/stimer.c); a vector they
		 * assert ends the run at the top of the loop, or of the next run.
		 */
		hv_synthetic_poll(vp, synthetic_read_tsc());
		if (!handle_internally(vp, exit, &slat_retries))
			return HV_STATUS_SUCCESS;
	}
}

hv_status_t hv_vp_complete(struct hv_vp *vp, const struct hv_exit *exit)
{
	if (!vp || !exit)
		return HV_STATUS_INVALID_PARAMETER;
	switch (exit->reason) {
	case HV_EXIT_IO:
		if (exit->io.is_string)
			return HV_STATUS_INVALID_PARAMETER;
		if (!exit->io.is_write) {
			uint64_t rax = get_reg(vp, HV_X64_REGISTER_RAX);

			/* IN AL/AX keep the rest of RAX; IN EAX zero-extends like any 32-bit write. */
			if (exit->io.size == 1)
				rax = (rax & ~0xffULL) | (exit->io.value & 0xffU);
			else if (exit->io.size == 2)
				rax = (rax & ~0xffffULL) | (exit->io.value & 0xffffU);
			else
				rax = exit->io.value;
			set_reg(vp, HV_X64_REGISTER_RAX, rax);
		}
		break;
	case HV_EXIT_MSR_READ:
		set_reg(vp, HV_X64_REGISTER_RAX, (uint32_t)exit->msr.value);
		set_reg(vp, HV_X64_REGISTER_RDX, exit->msr.value >> 32);
		break;
	case HV_EXIT_CPUID:
		set_reg(vp, HV_X64_REGISTER_RAX, exit->cpuid.eax);
		set_reg(vp, HV_X64_REGISTER_RBX, exit->cpuid.ebx);
		set_reg(vp, HV_X64_REGISTER_RCX, exit->cpuid.ecx);
		set_reg(vp, HV_X64_REGISTER_RDX, exit->cpuid.edx);
		break;
	case HV_EXIT_MSR_WRITE:
	case HV_EXIT_HLT: break;
	default: return HV_STATUS_INVALID_PARAMETER;
	}
	if (exit->insn_length == 0)
		return HV_STATUS_INVALID_VP_STATE;
	hv_globals.vendor->skip_instruction(vp, exit->insn_length);
	return HV_STATUS_SUCCESS;
}

const struct hv_vp_stats *hv_vp_stats(const struct hv_vp *vp)
{
	return &vp->stats;
}

const char *hv_exit_reason_name(enum hv_exit_reason reason)
{
	static const char *const names[HV_EXIT_REASON_COUNT] = {
	    [HV_EXIT_NONE] = "none",
	    [HV_EXIT_IO] = "io",
	    [HV_EXIT_MEMORY_ACCESS] = "memory-access",
	    [HV_EXIT_MSR_READ] = "msr-read",
	    [HV_EXIT_MSR_WRITE] = "msr-write",
	    [HV_EXIT_CPUID] = "cpuid",
	    [HV_EXIT_HLT] = "hlt",
	    [HV_EXIT_SHUTDOWN] = "shutdown",
	    [HV_EXIT_INVALID_STATE] = "invalid-state",
	    [HV_EXIT_UNSUPPORTED] = "unsupported",
	    [HV_EXIT_HYPERCALL] = "hypercall",
	    [HV_EXIT_INTERRUPT] = "interrupt",
	    [HV_EXIT_REFUSED_INSN] = "refused-insn",
	    [HV_EXIT_SLAT_RETRY] = "slat-retry",
	    [HV_EXIT_CR_ACCESS] = "cr-access",
	    [HV_EXIT_INTERRUPT_WINDOW] = "interrupt-window",
	    [HV_EXIT_DEADLINE] = "deadline",
	    [HV_EXIT_INTERRUPT_ASSERTED] = "interrupt-asserted",
	};

	if ((unsigned)reason >= HV_EXIT_REASON_COUNT || !names[reason])
		return "?";
	return names[reason];
}
