/* libhv's enlightenment state (TLFS synthetic MSRs, privileges) and the hooks the core calls. */
#ifndef HV_CORE_SYNTHETIC_H
#define HV_CORE_SYNTHETIC_H

#include <hv/abi/hv_enlightenment.h>
#include <hv/hv.h>

/*
 * What a child partition may call (CPUID 0x40000003.EBX): post messages and signal events, as
 * the TLFS gives children. Never CreatePartitions, never CpuManagement (Linux takes bit 12
 * without Isolation for "I am the root"), no AccessPartitionId, no extended hypercalls.
 */
#define HV_CHILD_PRIVILEGES (HV_PRIV_POST_MESSAGES | HV_PRIV_SIGNAL_EVENTS)

/* Per partition: the TLFS makes GUEST_OS_ID and HYPERCALL partition-wide. */
struct hv_partition_synthetic {
	uint32_t privileges;    /* HV_PRIV_* (the high half of the privilege mask) */
	uint64_t guest_os_id;   /* HV_X64_MSR_GUEST_OS_ID */
	uint64_t hypercall_msr; /* HV_X64_MSR_HYPERCALL as the guest reads it back */
};

/* Per VP. */
struct hv_vp_synthetic {
	uint64_t vp_assist_page; /* HV_X64_MSR_VP_ASSIST_PAGE: accepted and kept, not used yet */
};

struct hv_partition;
struct hv_vp;

/* Set a new partition's enlightenment state (privileges of a child). */
void hv_synthetic_partition_init(struct hv_partition *p);

/*
 * RDMSR/WRMSR of 0x40000000-0x400000FF (core/synthetic_msr.c). Returns false when the MSR is
 * outside that range; otherwise finishes the exit (completes it, or injects #GP) and returns true.
 */
bool hv_synthetic_msr(struct hv_vp *vp, struct hv_exit *exit);

/* CPUID 0x40000000-0x4FFFFFFF as the partition sees it (core/cpuid_hv.c). */
void hv_cpuid_hv_leaf(const struct hv_vp *vp, uint32_t leaf, uint32_t out[4]);

/*
 * The run loop's hooks into the synthetic timers and the SynIC (core/synic.c, core/stimer.c).
 * hv_synthetic_deadline: the host TSC at which the VP's earliest armed synthetic timer expires,
 * 0 when none is armed (the run loop folds it into the VP's deadline). hv_synthetic_poll: fire the
 * timers that are due at host TSC `now` and retry pending message deliveries; called at each exit.
 * Whenever libhv asserts a vector through the partition's hv_interrupt_target it sets
 * vp->interrupt_asserted, and the run loop returns HV_EXIT_INTERRUPT_ASSERTED.
 */
uint64_t hv_synthetic_deadline(struct hv_vp *vp);
void hv_synthetic_poll(struct hv_vp *vp, uint64_t now);

#endif
