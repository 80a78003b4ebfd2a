/* The hypervisor CPUID leaves 0x40000000-0x40000006: what a partition learns about Hyper-V. */
#include "libhv/core/hv_internal.h"

/*
 * What libhv really implements, and nothing more (never advertise a feature that is not there):
 * the hypercall MSRs (GUEST_OS_ID, HYPERCALL), VP_INDEX and the SynIC are always there.
 * VP_ASSIST_PAGE is accepted without a feature bit, as Linux writes it unconditionally; its bit
 * (APIC MSRs) would also promise the EOI/ICR/TPR MSRs, which do not exist yet.
 */
#define HV_FEATURES_ALWAYS \
	(HV_FEATURE_HYPERCALL_MSRS | HV_FEATURE_VP_INDEX_MSR | HV_FEATURE_SYNIC_MSRS)
/*
 * The clocks need the host's TSC frequency (hv_host_ops.tsc_frequency): with it come
 * TIME_REF_COUNT, the reference TSC page, VP_RUNTIME and the synthetic timers (direct mode
 * included); the frequency MSRs also need the APIC timer's frequency from the monitor.
 */
#define HV_FEATURES_CLOCKS                                                                      \
	(HV_FEATURE_VP_RUNTIME_MSR | HV_FEATURE_TIME_REF_COUNT_MSR | HV_FEATURE_REFERENCE_TSC | \
	 HV_FEATURE_SYNTIMER_MSRS)

/*
 * Hints: use the flush hypercalls for remote TLB flushes (they exist, Ex forms included; Linux
 * takes the Ex processor masks hint for the Ex forms of both the flush and the IPI calls). The
 * cluster-IPI hint makes Linux send every IPI, self-IPIs included, through the hypercall, so it
 * is given only when the IPI can arrive: with an interrupt target attached to the partition
 * (without one, the vector would be dropped). No relaxed timing, no APIC-MSR hint.
 */
#define HV_HINTS_IMPLEMENTED (HV_HINT_REMOTE_TLB_FLUSH | HV_HINT_EX_PROCESSOR_MASKS)

/* libhv's version as the TLFS version leaf reports it: build number, then major.minor. */
#define LIBHV_BUILD 1U
#define LIBHV_MAJOR 0U
#define LIBHV_MINOR 1U

void hv_cpuid_hv_leaf(const struct hv_vp *vp, uint32_t leaf, uint32_t out[4])
{
	out[0] = out[1] = out[2] = out[3] = 0;
	switch (leaf) {
	case HV_CPUID_VENDOR_AND_MAX:
		/* Linux wants EAX in [0x40000005, 0x4000FFFF] before it believes the signature. */
		out[0] = HV_CPUID_MAX_LEAF;
		out[1] = HV_CPUID_SIGNATURE_EBX;
		out[2] = HV_CPUID_SIGNATURE_ECX;
		out[3] = HV_CPUID_SIGNATURE_EDX;
		break;
	case HV_CPUID_INTERFACE: out[0] = HV_CPUID_INTERFACE_HV1; break;
	case HV_CPUID_VERSION:
		out[0] = LIBHV_BUILD;
		out[1] = (LIBHV_MAJOR << 16) | LIBHV_MINOR;
		break;
	case HV_CPUID_FEATURES:
		out[0] = HV_FEATURES_ALWAYS;
		if (reftime_available(vp->partition)) {
			out[0] |= HV_FEATURES_CLOCKS;
			out[3] |= HV_FEATURE_EDX_STIMER_DIRECT;
			if (vp->partition->synthetic.apic_hz) {
				out[0] |= HV_FEATURE_FREQUENCY_MSRS;
				out[3] |= HV_FEATURE_EDX_FREQUENCY_MSRS;
			}
		}
		/* The partition's own privileges; a child never holds the root's. */
		out[1] = vp->partition->synthetic.privileges &
		         ~(HV_PRIV_CREATE_PARTITIONS | HV_PRIV_CPU_MANAGEMENT);
		/* EDX: no XMM fast input/output, no crash MSRs. */
		break;
	case HV_CPUID_ENLIGHTENMENT:
		out[0] = HV_HINTS_IMPLEMENTED;
		if (vp->partition->synthetic.has_interrupt_target)
			out[0] |= HV_HINT_CLUSTER_IPI;
		out[1] = HV_SPINLOCK_NEVER_NOTIFY;
		break;
	case HV_CPUID_IMPLEMENTATION:
		out[0] = HV_MAX_VPS;
		out[1] = 1; /* logical processors: libhv runs on one */
		break;
	case HV_CPUID_HARDWARE_FEATURES: /* none reported */
	default: break;
	}
}
