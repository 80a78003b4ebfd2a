/* The TLFS synthetic MSRs (0x40000000-0x400000FF): the hypercall MSRs here, the rest routed out. */
#include <string.h>

#include "libhv/core/cpu.h"
#include "libhv/core/guest_memory.h"
#include "libhv/core/hv_internal.h"

/*
 * The hypercall page's code, TLFS "Establishing the Hypercall Interface": ENDBR64 first (Linux
 * turns kernel IBT off when the page does not start with it), then the vendor's hypercall
 * instruction and RET; the rest of the page is INT3 so a stray jump into it traps.
 */
static const uint8_t hypercall_code_amd[] = {0xf3, 0x0f, 0x1e, 0xfa, 0x0f, 0x01, 0xd9, 0xc3};
static const uint8_t hypercall_code_intel[] = {0xf3, 0x0f, 0x1e, 0xfa, 0x0f, 0x01, 0xc1, 0xc3};
#define INT3 0xcc

void hv_synthetic_partition_init(struct hv_partition *p)
{
	p->synthetic.privileges = HV_CHILD_PRIVILEGES;
	p->synthetic.guest_os_id = 0;
	p->synthetic.hypercall_msr = 0;
	reftime_partition_init(p);
}

/*
 * Fill the hypercall page. The TLFS makes it an overlay that hides the RAM beneath it; libhv
 * writes the code into the RAM itself, so what was there is lost (and stays after disable).
 * The page must be writable RAM of the partition: anything else is refused (#GP).
 */
static bool write_hypercall_page(struct hv_vp *vp, hv_gpa_t gpa)
{
	const uint8_t *code =
	    hv_globals.caps.vendor == HV_VENDOR_INTEL ? hypercall_code_intel : hypercall_code_amd;
	uint8_t *page;

	if (guest_span(vp->partition, gpa, HV_PAGE_SIZE, HV_MAP_GPA_WRITABLE, (void **)&page))
		return false;
	memset(page, INT3, HV_PAGE_SIZE);
	memcpy(page, code, sizeof(hypercall_code_amd));
	return true;
}

static bool write_hypercall_msr(struct hv_vp *vp, uint64_t value)
{
	struct hv_partition_synthetic *s = &vp->partition->synthetic;

	/* Locked: the MSR stays as it is until the partition is reset; the write is dropped. */
	if (s->hypercall_msr & HV_HYPERCALL_MSR_LOCKED)
		return true;
	/* Enable is ignored until the guest has said who it is (GUEST_OS_ID != 0). */
	if (!s->guest_os_id)
		value &= ~HV_HYPERCALL_MSR_ENABLE;
	if ((value & HV_HYPERCALL_MSR_ENABLE) &&
	    !write_hypercall_page(vp, value & HV_HYPERCALL_MSR_PAGE_MASK)) {
		hv_log("partition %s: hypercall page at GPA %#llx is not writable RAM",
		       vp->partition->name,
		       (unsigned long long)(value & HV_HYPERCALL_MSR_PAGE_MASK));
		return false;
	}
	s->hypercall_msr = value;
	return true;
}

/* The VP assist page is accepted and remembered; nothing uses it yet (no enlightened EOI). */
static bool write_vp_assist_page(struct hv_vp *vp, uint64_t value)
{
	void *page;

	if (value & HV_VP_ASSIST_PAGE_RESERVED)
		return false;
	if ((value & HV_VP_ASSIST_PAGE_ENABLE) &&
	    guest_span(vp->partition, value & HV_VP_ASSIST_PAGE_PAGE_MASK, HV_PAGE_SIZE,
	               HV_MAP_GPA_READABLE | HV_MAP_GPA_WRITABLE, &page))
		return false;
	vp->synthetic.vp_assist_page = value;
	return true;
}

/* RDMSR: false for an MSR that does not exist (#GP). */
static bool read_synthetic(struct hv_vp *vp, uint32_t index, uint64_t *value)
{
	const struct hv_partition_synthetic *s = &vp->partition->synthetic;

	switch (index) {
	case HV_X64_MSR_GUEST_OS_ID: *value = s->guest_os_id; return true;
	case HV_X64_MSR_HYPERCALL: *value = s->hypercall_msr; return true;
	case HV_X64_MSR_VP_INDEX: *value = vp->index; return true;
	case HV_X64_MSR_VP_ASSIST_PAGE: *value = vp->synthetic.vp_assist_page; return true;
	default: return false;
	}
}

/* WRMSR: false for an MSR that does not exist, a read-only one, or a value refused (#GP). */
static bool write_synthetic(struct hv_vp *vp, uint32_t index, uint64_t value)
{
	struct hv_partition_synthetic *s = &vp->partition->synthetic;

	switch (index) {
	case HV_X64_MSR_GUEST_OS_ID:
		s->guest_os_id = value;
		/* An OS ID of 0 takes the hypercall page away again. */
		if (!value)
			s->hypercall_msr &= ~HV_HYPERCALL_MSR_ENABLE;
		return true;
	case HV_X64_MSR_HYPERCALL: return write_hypercall_msr(vp, value);
	case HV_X64_MSR_VP_ASSIST_PAGE: return write_vp_assist_page(vp, value);
	case HV_X64_MSR_VP_INDEX: /* read-only */
	default: return false;
	}
}

/*
 * The clocks (core/reference_time.c), the SynIC (core/synic.c) and the synthetic timers
 * (core/stimer.c) each answer for their own MSRs; whatever none of them knows is done here.
 */
static bool route(struct hv_vp *vp, uint32_t index, bool write, uint64_t *value)
{
	enum syn_msr r = reftime_msr(vp, index, write, value);

	if (r == SYN_MSR_UNKNOWN)
		r = synic_msr(vp, index, write, value);
	if (r == SYN_MSR_UNKNOWN)
		r = stimer_msr(vp, index, write, value);
	if (r != SYN_MSR_UNKNOWN)
		return r == SYN_MSR_DONE;
	return write ? write_synthetic(vp, index, *value) : read_synthetic(vp, index, value);
}

bool hv_synthetic_msr(struct hv_vp *vp, struct hv_exit *exit)
{
	uint32_t index = exit->msr.index;
	bool write = exit->reason != HV_EXIT_MSR_READ;
	bool ok;

	if (index < HV_X64_MSR_FIRST || index > HV_X64_MSR_LAST)
		return false;
	ok = route(vp, index, write, &exit->msr.value);
	if (ok && write)
		hv_globals.vendor->skip_instruction(vp, exit->insn_length);
	else if (ok)
		hv_vp_complete(vp, exit);
	if (!ok)
		hv_globals.vendor->inject_exception(vp, X86_VECTOR_GP, true, 0);
	return true;
}
