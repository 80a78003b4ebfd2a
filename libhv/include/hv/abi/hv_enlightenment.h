/* Hyper-V TLFS enlightenments a guest sees: hypervisor CPUID leaves, privileges, synthetic MSRs. */
#ifndef HV_ABI_HV_ENLIGHTENMENT_H
#define HV_ABI_HV_ENLIGHTENMENT_H

#include <stdint.h>

/* ---- CPUID leaves (OUT: what CPUID returns in the guest) ---- */
#define HV_CPUID_VENDOR_AND_MAX 0x40000000U /**< EAX max leaf, EBX:ECX:EDX "Microsoft Hv" */
#define HV_CPUID_INTERFACE      0x40000001U /**< EAX "Hv#1" */
#define HV_CPUID_VERSION        0x40000002U /**< EAX build, EBX major.minor version */
#define HV_CPUID_FEATURES       0x40000003U /**< EAX features, EBX privileges, EDX misc */
#define HV_CPUID_ENLIGHTENMENT  0x40000004U /**< EAX hints, EBX spinlock retries */
#define HV_CPUID_IMPLEMENTATION 0x40000005U /**< EAX max VPs, EBX max LPs */
/** hardware features the hypervisor uses (all 0 here) */
#define HV_CPUID_HARDWARE_FEATURES 0x40000006U
#define HV_CPUID_MAX_LEAF          HV_CPUID_HARDWARE_FEATURES /**< the highest leaf libhv answers */

#define HV_CPUID_SIGNATURE_EBX     0x7263694DU /**< "Micr" */
#define HV_CPUID_SIGNATURE_ECX     0x666F736FU /**< "osof" */
#define HV_CPUID_SIGNATURE_EDX     0x76482074U /**< "t Hv" */
#define HV_CPUID_INTERFACE_HV1     0x31237648U /**< "Hv#1" */

/** @{ */
/** 0x40000003.EAX: synthetic MSRs and features available. */
#define HV_FEATURE_VP_RUNTIME_MSR     (1U << 0)
#define HV_FEATURE_TIME_REF_COUNT_MSR (1U << 1)
#define HV_FEATURE_SYNIC_MSRS         (1U << 2)
#define HV_FEATURE_SYNTIMER_MSRS      (1U << 3)
#define HV_FEATURE_APIC_MSRS          (1U << 4)
#define HV_FEATURE_HYPERCALL_MSRS     (1U << 5)
#define HV_FEATURE_VP_INDEX_MSR       (1U << 6)
#define HV_FEATURE_RESET_MSR          (1U << 7)
#define HV_FEATURE_REFERENCE_TSC      (1U << 9)
/** @} */

/** @{ */
/** 0x40000003.EBX (partition privilege mask, high half): what the partition may call. */
#define HV_PRIV_CREATE_PARTITIONS      (1U << 0)
#define HV_PRIV_ACCESS_PARTITION_ID    (1U << 1)
#define HV_PRIV_ACCESS_MEMORY_POOL     (1U << 2)
#define HV_PRIV_ADJUST_MESSAGE_BUFFERS (1U << 3)
#define HV_PRIV_POST_MESSAGES          (1U << 4)
#define HV_PRIV_SIGNAL_EVENTS          (1U << 5)
#define HV_PRIV_CREATE_PORT            (1U << 6)
#define HV_PRIV_CONNECT_PORT           (1U << 7)
#define HV_PRIV_ACCESS_STATS           (1U << 8)
#define HV_PRIV_DEBUGGING              (1U << 11)
#define HV_PRIV_CPU_MANAGEMENT         (1U << 12) /**< never a child's: Linux reads it as "root" */
#define HV_PRIV_ENABLE_EXT_HYPERCALLS  (1U << 20)
#define HV_PRIV_START_VP               (1U << 21)
#define HV_PRIV_ISOLATION              (1U << 22)
/** @} */

/** @{ */
/** 0x40000004.EAX: recommendations. */
#define HV_HINT_REMOTE_TLB_FLUSH   (1U << 2)
#define HV_HINT_EX_PROCESSOR_MASKS (1U << 11)
/** @} */
/** 0x40000004.EBX: 0xFFFFFFFF means "never notify a long spin wait". */
#define HV_SPINLOCK_NEVER_NOTIFY 0xFFFFFFFFU

/* ---- Synthetic MSRs (0x40000000-0x400000FF belong to the hypervisor) ---- */
#define HV_X64_MSR_GUEST_OS_ID 0x40000000U /**< RW, per partition */
#define HV_X64_MSR_HYPERCALL   0x40000001U /**< RW, per partition */
#define HV_X64_MSR_VP_INDEX    0x40000002U /**< RO, per VP */
#define HV_X64_MSR_RESET       0x40000003U /**< writing 1 resets the partition (not offered) */
/** time the VP ran, 100 ns units (not offered yet) */
#define HV_X64_MSR_VP_RUNTIME 0x40000010U
/** partition reference time, 100 ns units (not offered yet) */
#define HV_X64_MSR_TIME_REF_COUNT 0x40000020U
/** GPA of the reference TSC page (not offered yet) */
#define HV_X64_MSR_REFERENCE_TSC 0x40000021U
#define HV_X64_MSR_TSC_FREQUENCY 0x40000022U /**< TSC frequency in Hz (not offered yet) */
/** local APIC timer frequency in Hz (not offered yet) */
#define HV_X64_MSR_APIC_FREQUENCY 0x40000023U
#define HV_X64_MSR_VP_ASSIST_PAGE 0x40000073U /**< RW, per VP */
#define HV_X64_MSR_FIRST          0x40000000U /**< the first MSR of the hypervisor's range */
#define HV_X64_MSR_LAST           0x400000FFU /**< the last MSR of the hypervisor's range */

/** @{ */
/** HV_X64_MSR_HYPERCALL: bit 0 enable, bit 1 locked, bits 11:2 reserved (kept), 63:12 GPA page. */
#define HV_HYPERCALL_MSR_ENABLE    (1ULL << 0)
#define HV_HYPERCALL_MSR_LOCKED    (1ULL << 1)
#define HV_HYPERCALL_MSR_PAGE_MASK 0xFFFFFFFFFFFFF000ULL
/** @} */

/** @{ */
/** HV_X64_MSR_VP_ASSIST_PAGE: bit 0 enable, bits 11:1 reserved (must be 0), 63:12 GPA page. */
#define HV_VP_ASSIST_PAGE_ENABLE    (1ULL << 0)
#define HV_VP_ASSIST_PAGE_RESERVED  0x0000000000000FFEULL
#define HV_VP_ASSIST_PAGE_PAGE_MASK 0xFFFFFFFFFFFFF000ULL
/** @} */

#endif
