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
#define HV_FEATURE_FREQUENCY_MSRS     (1U << 11) /**< TSC_FREQUENCY and APIC_FREQUENCY */
/** @} */

/** @{ */
/** 0x40000003.EDX: miscellaneous features. */
#define HV_FEATURE_EDX_FREQUENCY_MSRS \
	(1U << 8) /**< the frequency MSRs are there (Linux checks it) */
#define HV_FEATURE_EDX_STIMER_DIRECT (1U << 19) /**< STIMERx_CONFIG direct mode (APIC vector) */
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
#define HV_HINT_CLUSTER_IPI        (1U << 10) /**< send IPIs with HvCallSendSyntheticClusterIpi */
#define HV_HINT_EX_PROCESSOR_MASKS (1U << 11)
/** @} */
/** 0x40000004.EBX: 0xFFFFFFFF means "never notify a long spin wait". */
#define HV_SPINLOCK_NEVER_NOTIFY 0xFFFFFFFFU

/* ---- Synthetic MSRs (0x40000000-0x400000FF belong to the hypervisor) ---- */
#define HV_X64_MSR_GUEST_OS_ID 0x40000000U /**< RW, per partition */
#define HV_X64_MSR_HYPERCALL   0x40000001U /**< RW, per partition */
#define HV_X64_MSR_VP_INDEX    0x40000002U /**< RO, per VP */
#define HV_X64_MSR_RESET       0x40000003U /**< writing 1 resets the partition (not offered) */
/** RO, per VP: time the VP ran guest code, in 100 ns units */
#define HV_X64_MSR_VP_RUNTIME 0x40000010U
/** RO, per partition: reference time, 100 ns units since the partition was created */
#define HV_X64_MSR_TIME_REF_COUNT 0x40000020U
/** RW, per partition: the reference TSC page (HV_REFERENCE_TSC_*) */
#define HV_X64_MSR_REFERENCE_TSC 0x40000021U
#define HV_X64_MSR_TSC_FREQUENCY 0x40000022U /**< RO: the TSC's frequency in Hz */
/** RO: the local APIC timer's input frequency in Hz */
#define HV_X64_MSR_APIC_FREQUENCY 0x40000023U
#define HV_X64_MSR_VP_ASSIST_PAGE 0x40000073U /**< RW, per VP */
#define HV_X64_MSR_SCONTROL       0x40000080U /**< RW, per VP: SynIC enable (bit 0) */
#define HV_X64_MSR_SVERSION       0x40000081U /**< RO, per VP: SynIC version (1) */
#define HV_X64_MSR_SIEFP          0x40000082U /**< RW, per VP: event-flags page */
#define HV_X64_MSR_SIMP           0x40000083U /**< RW, per VP: message page */
#define HV_X64_MSR_EOM            0x40000084U /**< WO, per VP: end of message (reads 0) */
#define HV_X64_MSR_SINT0          0x40000090U /**< RW, per VP: SINT0; SINTn is SINT0 + n */
#define HV_X64_MSR_SINT15         0x4000009FU /**< RW, per VP: the last SINT */
/** RW, per VP: STIMER0_CONFIG; STIMERn_CONFIG is this + 2n, STIMERn_COUNT that + 1 */
#define HV_X64_MSR_STIMER0_CONFIG 0x400000B0U
#define HV_X64_MSR_STIMER3_COUNT  0x400000B7U /**< the last synthetic timer MSR */
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

/** @{ */
/** HV_X64_MSR_REFERENCE_TSC: bit 0 enable, bits 11:1 reserved (must be 0), 63:12 GPA page. */
#define HV_REFERENCE_TSC_ENABLE    (1ULL << 0)
#define HV_REFERENCE_TSC_RESERVED  0x0000000000000FFEULL
#define HV_REFERENCE_TSC_PAGE_MASK 0xFFFFFFFFFFFFF000ULL
/** @} */

/**
 * The reference TSC page (OUT: the hypervisor writes it, the guest reads it). Reference time
 * in 100 ns units = ((TSC * tsc_scale) >> 64) + tsc_offset, a 64x64 -> 128-bit product. Read
 * tsc_sequence before and after: if it changed, read again; 0 means "not valid now: read
 * HV_X64_MSR_TIME_REF_COUNT".
 */
struct hv_reference_tsc_page {
	volatile uint32_t tsc_sequence; /**< 0: invalid; changes when scale or offset change */
	uint32_t reserved1;             /**< must be 0 */
	volatile uint64_t tsc_scale;    /**< 64.64 fixed point: 100 ns units per TSC tick */
	volatile int64_t tsc_offset;    /**< added after the scaling, in 100 ns units */
	uint64_t reserved2[509];        /**< the rest of the page */
};

/** The number of SINTs (synthetic interrupt sources) of each VP, and of SIMP/SIEFP slots. */
#define HV_SYNIC_SINT_COUNT 16U
/** HV_X64_MSR_SVERSION: the SynIC version libhv implements. */
#define HV_SYNIC_VERSION 1U
/** HV_X64_MSR_SCONTROL: bit 0 enables the SynIC; bits 63:1 reserved (must be 0). */
#define HV_SYNIC_CONTROL_ENABLE (1ULL << 0)

/** @{ */
/** HV_X64_MSR_SIMP / SIEFP: bit 0 enable, bits 11:1 reserved (must be 0), 63:12 GPA page. */
#define HV_SYNIC_PAGE_ENABLE    (1ULL << 0)
#define HV_SYNIC_PAGE_RESERVED  0x0000000000000FFEULL
#define HV_SYNIC_PAGE_PAGE_MASK 0xFFFFFFFFFFFFF000ULL
/** @} */

/** @{ */
/**
 * HV_X64_MSR_SINTx: vector 7:0 (16-255 when unmasked), 15:8 reserved, 16 masked, 17 AutoEOI,
 * 18 polling (no interrupt: the guest polls the slot), 63:19 reserved. Reset value: masked.
 */
#define HV_SINT_VECTOR_MASK 0x00000000000000FFULL
#define HV_SINT_MASKED      (1ULL << 16)
#define HV_SINT_AUTO_EOI    (1ULL << 17)
#define HV_SINT_POLLING     (1ULL << 18)
#define HV_SINT_RESERVED    0xFFFFFFFFFFF8FF00ULL
#define HV_SINT_MIN_VECTOR  16U /**< vectors 0-15 are refused on an unmasked SINT */
/** @} */

/** @{ */
/** Message types. Types with bit 31 set are the hypervisor's; 0 marks an empty slot. */
#define HVMSG_NONE          0x00000000U
#define HVMSG_TIMER_EXPIRED 0x80000010U
#define HVMSG_HYPERVISOR    0x80000000U /**< the bit that marks a hypervisor message type */
/** @} */

/** HV_MESSAGE.header.message_flags bit 0: another message waits; write EOM after freeing. */
#define HV_MESSAGE_FLAG_PENDING 0x01U
/** The largest message payload, in bytes. */
#define HV_MESSAGE_MAX_PAYLOAD 240U

/**
 * One SIMP slot (OUT: written by the hypervisor). The guest consumes a message by setting
 * message_type to HVMSG_NONE and, if HV_MESSAGE_FLAG_PENDING was set, writing EOM.
 */
struct hv_message {
	volatile uint32_t message_type; /**< HVMSG_NONE: the slot is free */
	uint8_t payload_size;           /**< bytes of payload that are valid */
	volatile uint8_t message_flags; /**< HV_MESSAGE_FLAG_PENDING */
	uint16_t reserved;              /**< 0 */
	uint64_t sender; /**< the sending port or connection (0: the hypervisor or the root) */
	uint64_t payload[HV_MESSAGE_MAX_PAYLOAD / 8]; /**< payload_size bytes are valid */
};

/** The message page: one slot per SINT. */
struct hv_message_page {
	struct hv_message sint_message[HV_SYNIC_SINT_COUNT]; /**< slot n belongs to SINT n */
};

/** The number of event flags of each SINT. */
#define HV_EVENT_FLAGS_PER_SINT 2048U
/** The event-flags page: 2048 flags per SINT (bit n of slot s is flag n of SINT s). */
struct hv_event_flags_page {
	uint64_t flags[HV_SYNIC_SINT_COUNT][HV_EVENT_FLAGS_PER_SINT / 64]; /**< [SINT][word] */
};

/** HVMSG_TIMER_EXPIRED payload (24 bytes). Times are reference times, 100 ns units. */
struct hv_timer_message_payload {
	uint32_t timer_index;     /**< which STIMER (0-3) */
	uint32_t reserved;        /**< 0 */
	uint64_t expiration_time; /**< when the timer was due */
	uint64_t delivery_time;   /**< when the message was written */
};

/** The number of synthetic timers of each VP. */
#define HV_STIMER_COUNT 4U

/** @{ */
/**
 * HV_X64_MSR_STIMERx_CONFIG: 0 enable, 1 periodic, 2 lazy, 3 auto-enable, 11:4 APIC vector
 * (direct mode), 12 direct mode, 15:13 reserved, 19:16 SINTx (message mode), 63:20 reserved.
 * STIMERx_COUNT: the absolute expiration time (one-shot) or the period (periodic), 100 ns units.
 */
#define HV_STIMER_ENABLE       (1ULL << 0)
#define HV_STIMER_PERIODIC     (1ULL << 1)
#define HV_STIMER_LAZY         (1ULL << 2)
#define HV_STIMER_AUTO_ENABLE  (1ULL << 3)
#define HV_STIMER_VECTOR_SHIFT 4U
#define HV_STIMER_VECTOR_MASK  (0xFFULL << HV_STIMER_VECTOR_SHIFT)
#define HV_STIMER_DIRECT_MODE  (1ULL << 12)
#define HV_STIMER_SINT_SHIFT   16U
#define HV_STIMER_SINT_MASK    (0xFULL << HV_STIMER_SINT_SHIFT)
#define HV_STIMER_RESERVED     0xFFFFFFFFFFF0E000ULL
/** @} */

_Static_assert(sizeof(struct hv_reference_tsc_page) == 4096, "TLFS layout");
_Static_assert(sizeof(struct hv_message) == 256, "TLFS layout");
_Static_assert(sizeof(struct hv_message_page) == 4096, "TLFS layout");
_Static_assert(sizeof(struct hv_event_flags_page) == 4096, "TLFS layout");
_Static_assert(sizeof(struct hv_timer_message_payload) == 24, "TLFS layout");

#endif
