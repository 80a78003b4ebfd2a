/* The libhv public API: partitions, guest-physical maps and virtual processors, in TLFS root-call terms. */
#ifndef HV_HV_H
#define HV_HV_H

/*
 * A monitor calls libhv the way the Hyper-V root partition calls the hypervisor: the same
 * vocabulary (HvCallCreatePartition, HvCallMapGpaPages, HvCallGetVpRegisters, ...) and the same
 * HV_STATUS_* results. Every call returns HV_STATUS_SUCCESS or a TLFS status; none of them
 * trusts what a guest put in memory or registers.
 *
 * Threading: this first cut is single-processor: call libhv from one thread only.
 */

#include <hv/abi/hv_registers.h>
#include <hv/abi/hv_status.h>
#include <hv/exit.h>
#include <hv/host.h>
#include <hv/synic.h>
#include <hv/types.h>

struct hv_partition;
struct hv_vp;

/** The processor vendor, which picks the backend. */
enum hv_vendor {
	HV_VENDOR_UNKNOWN = 0, /**< neither: no backend */
	HV_VENDOR_INTEL,       /**< "GenuineIntel": VMX with EPT */
	HV_VENDOR_AMD,         /**< "AuthenticAMD": SVM with NPT */
};

/** What hv_detect() found; the backend fields are valid only when `usable` is true. */
struct hv_capabilities {
	enum hv_vendor vendor;  /**< from CPUID.0 */
	char vendor_string[13]; /**< CPUID.0 */
	char brand[49];         /**< CPUID.0x80000002-4, may be empty */
	/** @{ */
	/** CPUID.1: display family, model and stepping (extended fields folded in). */
	uint32_t family, model, stepping;
	/** @} */
	bool usable;         /**< a backend can run partitions on this processor */
	const char *refusal; /**< when !usable: why, in words for the log */
	const char *backend; /**< "svm" or "vmx" */
	/** Features of the backend that libhv uses (each may be absent). */
	bool nested_paging;      /**< NPT / EPT: required */
	bool nrip_save;          /**< SVM: the processor reports the next RIP */
	bool decode_assists;     /**< SVM */
	bool vmcb_clean_bits;    /**< SVM */
	bool flush_by_asid;      /**< SVM: TLB_CONTROL 3/7 */
	bool large_pages_1g;     /**< 1 GiB SLAT pages */
	bool slat_execute_only;  /**< execute-only SLAT pages (VMX: IA32_VMX_EPT_VPID_CAP bit 0) */
	bool slat_ad_bits;       /**< the processor sets A/D in SLAT entries (NPT; EPT with A/D) */
	bool nx;                 /**< EFER.NXE available on the host */
	uint32_t asid_count;     /**< SVM: number of ASIDs (ASID 0 is the host's) */
	bool vpid;               /**< VMX: TLB entries tagged per VP */
	bool unrestricted_guest; /**< VMX: guests may run in real mode and with paging off */
	bool preemption_timer;   /**< VMX: the preemption timer exists (not armed yet) */
	uint32_t vmcs_revision;  /**< VMX */
	uint32_t svm_revision;   /**< SVM: CPUID 0x8000000A.EAX */
	uint8_t guest_phys_bits; /**< CPUID 0x80000008.EAX[7:0] */
};

/**
 * Detect the processor's vendor and virtualization features without changing anything.
 * Always fills *caps; returns HV_STATUS_PROCESSOR_FEATURE_NOT_SUPPORTED with caps->refusal set
 * when no usable VMX/SVM with nested paging is present.
 */
hv_status_t hv_detect(struct hv_capabilities *caps);

/**
 * Detect, select the Intel or AMD backend, and turn virtualization on for this processor.
 * `ops` must stay valid until the end. After failure, nothing else may be called.
 */
hv_status_t hv_init(const struct hv_host_ops *ops);

/** The capabilities hv_init() settled on (NULL before a successful hv_init). */
const struct hv_capabilities *hv_capabilities(void);

/** "HV_STATUS_INVALID_PARAMETER" and so on, for logs. */
const char *hv_status_name(hv_status_t status);

/* ---- Partitions (HvCallCreatePartition / HvCallDeletePartition) ---- */

/** What hv_partition_create() needs to know. */
struct hv_partition_config {
	const char *name; /**< for logs; copied (up to 31 characters) */
	uint32_t max_vps; /**< 1 in this first cut */
};

/**
 * Create an empty partition (HvCallCreatePartition): no memory mapped, no VP. *out stays the
 * caller's handle until hv_partition_delete(). HV_STATUS_INVALID_PARAMETER for a NULL config or
 * out, or max_vps 0 or above libhv's limit; HV_STATUS_INVALID_PARTITION_STATE before a successful
 * hv_init(); HV_STATUS_INSUFFICIENT_MEMORY when host pages run out.
 */
hv_status_t hv_partition_create(const struct hv_partition_config *config,
                                struct hv_partition **out);
/**
 * Deletes the partition, its VPs and its second-level tables; the RAM it mapped stays the caller's.
 */
hv_status_t hv_partition_delete(struct hv_partition *partition);
/** The name given at creation (libhv's copy, valid until the partition is deleted). */
const char *hv_partition_name(const struct hv_partition *partition);
/** The partition's ID, unique for the run (what HvCallGetPartitionId returns to the guest). */
uint64_t hv_partition_id(const struct hv_partition *partition);
/**
 * Set what the partition may call: `mask` is the TLFS partition privilege mask's high half as
 * CPUID 0x40000003.EBX shows it (the HV_PRIV_* bits of hv/abi/hv_enlightenment.h). A new
 * partition holds PostMessages and SignalEvents. The root (the monitor) may lower or raise that
 * within what libhv implements for a child: AccessPartitionId (HvCallGetPartitionId),
 * PostMessages, SignalEvents and EnableExtendedHypercalls (HvExtCallQueryCapabilities). Any
 * other bit, CreatePartitions and CpuManagement above all, gives HV_STATUS_ACCESS_DENIED and
 * changes nothing. As in the TLFS, where privileges are fixed when the partition is created,
 * they may change only until a VP of the partition first enters the guest:
 * HV_STATUS_INVALID_PARTITION_STATE after. HV_STATUS_INVALID_PARAMETER for a NULL partition.
 * The guest sees the mask in CPUID 0x40000003.EBX, and the hypercall checks use it.
 */
hv_status_t hv_partition_set_privileges(struct hv_partition *partition, uint64_t mask);

/* ---- Guest-physical memory (HvCallMapGpaPages / HvCallUnmapGpaPages) ---- */

/** @{ */
/** Map flags: the TLFS HV_MAP_GPA_* bits, and libhv's own above them. */
#define HV_MAP_GPA_READABLE          0x00000001U
#define HV_MAP_GPA_WRITABLE          0x00000002U
#define HV_MAP_GPA_KERNEL_EXECUTABLE 0x00000004U
#define HV_MAP_GPA_USER_EXECUTABLE   0x00000008U
#define HV_MAP_GPA_EXECUTABLE        (HV_MAP_GPA_KERNEL_EXECUTABLE | HV_MAP_GPA_USER_EXECUTABLE)
#define HV_MAP_GPA_RWX               (HV_MAP_GPA_READABLE | HV_MAP_GPA_WRITABLE | HV_MAP_GPA_EXECUTABLE)
#define HV_MAP_GPA_NO_LARGE_PAGES    0x00010000U /**< libhv: map with 4 KiB pages only */
/** @} */

/**
 * Map [gpa, gpa+size) to host-physical [hpa, hpa+size). gpa, hpa and size must be 4 KiB aligned
 * (HV_STATUS_INVALID_ALIGNMENT), the range must fit the guest's physical address width and not
 * wrap (HV_STATUS_INVALID_PARAMETER), and must not overlap an existing mapping
 * (HV_STATUS_INVALID_PARAMETER: unmap first). libhv picks the largest page size that fits
 * (2 MiB where gpa and hpa are both 2 MiB aligned). On HV_STATUS_INSUFFICIENT_MEMORY nothing
 * of the range stays mapped.
 */
hv_status_t hv_gpa_map(struct hv_partition *partition, hv_gpa_t gpa, hv_hpa_t hpa, uint64_t size,
                       uint32_t flags);
/** Unmap [gpa, gpa+size); holes inside the range are not an error. */
hv_status_t hv_gpa_unmap(struct hv_partition *partition, hv_gpa_t gpa, uint64_t size);
/** Where gpa lives: HV_STATUS_NOT_FOUND when unmapped; *flags gets the HV_MAP_GPA_* rights. */
hv_status_t hv_gpa_translate(struct hv_partition *partition, hv_gpa_t gpa, hv_hpa_t *hpa,
                             uint32_t *flags);
/** Bytes of host memory the partition's second-level tables use. */
uint64_t hv_gpa_table_bytes(const struct hv_partition *partition);

/**
 * Change the rights of [gpa, gpa+size), which must be mapped throughout (HV_MAP_GPA_* rights
 * only). HV_STATUS_NOT_FOUND when a page of it is unmapped, and then nothing changed; otherwise
 * the statuses of hv_gpa_map. Large pages are split at the edges of the range only.
 */
hv_status_t hv_gpa_protect(struct hv_partition *partition, hv_gpa_t gpa, uint64_t size,
                           uint32_t flags);

/**
 * Which 4 KiB pages of [gpa, gpa+size) may have been written since they were mapped or last
 * cleared: bit i of `bitmap` (word i / 64, bit i % 64) is the page at gpa + i * 4 KiB; the
 * caller provides (size / 4 KiB + 63) / 64 words. Unmapped pages read as clean; a dirty large
 * page reports all its pages. With `clear`, pages in large pages wholly inside the range and
 * all 4 KiB pages in it start a new interval. Uses the processor's dirty bits where it has
 * them, write protection otherwise (the first write after a clear costs one exit).
 */
hv_status_t hv_gpa_harvest_dirty(struct hv_partition *partition, hv_gpa_t gpa, uint64_t size,
                                 uint64_t *bitmap, bool clear);

/**
 * Declare host memory the partition may be given: once one range is declared, hv_gpa_map
 * refuses (HV_STATUS_ACCESS_DENIED) host pages outside the declared ranges. The first range
 * must be declared before anything is mapped (HV_STATUS_INVALID_PARTITION_STATE); at most
 * HV_HOST_RANGES_MAX (HV_STATUS_INSUFFICIENT_BUFFERS). A range that holds pages libhv keeps
 * for this partition (its structure, VPs, second-level tables) is HV_STATUS_ACCESS_DENIED.
 */
#define HV_HOST_RANGES_MAX 8U
/** Declare [hpa, hpa+size) as host memory the partition may be given (see the comment above). */
hv_status_t hv_partition_add_host_range(struct hv_partition *partition, hv_hpa_t hpa,
                                        uint64_t size);

/* ---- Virtual processors (HvCallCreateVp, HvCallGet/SetVpRegisters) ---- */

/**
 * Create VP `vp_index` of the partition (HvCallCreateVp) in the x86 reset state; it belongs to the
 * partition and goes with hv_partition_delete(). HV_STATUS_INVALID_VP_INDEX when the index is out
 * of range, HV_STATUS_INVALID_VP_STATE when it exists already, HV_STATUS_INSUFFICIENT_MEMORY when
 * host pages run out.
 */
hv_status_t hv_vp_create(struct hv_partition *partition, uint32_t vp_index, struct hv_vp **out);

/**
 * Read or write `count` registers named by TLFS HV_REGISTER_NAME values. An unknown name gives
 * HV_STATUS_INVALID_PARAMETER; a value the processor would refuse (a reserved EFER bit, a
 * non-canonical RIP, ...) gives HV_STATUS_INVALID_REGISTER_VALUE. Registers before the failing
 * one have been written.
 */
hv_status_t hv_vp_get_registers(struct hv_vp *vp, const uint32_t *names, uint32_t count,
                                union hv_register_value *values);
/** Write `count` registers (HvCallSetVpRegisters), with the statuses of hv_vp_get_registers(). */
hv_status_t hv_vp_set_registers(struct hv_vp *vp, const uint32_t *names, uint32_t count,
                                const union hv_register_value *values);

/**
 * Run the VP until an exit the monitor must handle; fills *exit. Exits libhv can finish itself
 * (hypercalls, host interrupts, its own MSRs) are counted and never returned.
 * HV_STATUS_INVALID_VP_STATE when the VP was stopped by an earlier HV_EXIT_INVALID_STATE.
 */
hv_status_t hv_vp_run(struct hv_vp *vp, struct hv_exit *exit);

/**
 * Finish the instruction that caused `exit` with the results the monitor put in it, and step
 * past it: IN merges exit->io.value into RAX by size; RDMSR loads EDX:EAX from exit->msr.value;
 * CPUID loads EAX..EDX from exit->cpuid; OUT, WRMSR and HLT just advance RIP.
 * HV_STATUS_INVALID_PARAMETER for exits that are not instructions to finish.
 */
hv_status_t hv_vp_complete(struct hv_vp *vp, const struct hv_exit *exit);

/**
 * Queue an exception for delivery at the next entry (#GP, #UD, ... with or without error code;
 * HV_STATUS_INVALID_PARAMETER for NMI, vectors above 31 or a wrong error-code flag). Combined
 * with an event the guest is still owed by the SDM's double-fault rules: a #DF(0) may go in
 * instead, and an exception while #DF is being delivered makes hv_vp_run() return
 * HV_EXIT_SHUTDOWN.
 */
hv_status_t hv_vp_inject_exception(struct hv_vp *vp, uint8_t vector, bool has_error_code,
                                   uint32_t error_code);

/* ---- Events and time (HvCallAssertVirtualInterrupt; the vendors' event injection) ---- */

/*
 * The monitor owns the virtual interrupt controllers (PIC, IOAPIC, local APIC); libhv owns getting
 * an event into the guest. The monitor asks hv_vp_interrupt_ready() whether the VP can take an
 * external interrupt now; if so it acknowledges the vector in its controller and calls
 * hv_vp_inject_interrupt(); if not it calls hv_vp_request_interrupt_window() and hv_vp_run()
 * returns HV_EXIT_INTERRUPT_WINDOW as soon as the guest can take one (RFLAGS.IF set, no STI or
 * MOV SS shadow, no event already being delivered). Events whose delivery an exit interrupted
 * are re-injected by libhv itself, before anything newer; exceptions queued with
 * hv_vp_inject_exception() go before NMIs, NMIs before external interrupts.
 */

/**
 * Whether the VP can take an external interrupt at the next entry (see above). The TPR is not
 * looked at: the monitor's local APIC owns priorities (the guest's TPR is HV_X64_REGISTER_CR8).
 */
bool hv_vp_interrupt_ready(struct hv_vp *vp);

/**
 * Deliver external interrupt `vector` (32-255) at the next entry. HV_STATUS_INVALID_PARAMETER
 * for a vector below 32; HV_STATUS_INVALID_VP_STATE when hv_vp_interrupt_ready() is false (the
 * monitor must then keep the vector pending in its controller and ask for a window).
 */
hv_status_t hv_vp_inject_interrupt(struct hv_vp *vp, uint8_t vector);

/**
 * Ask for (on) or cancel (off) an HV_EXIT_INTERRUPT_WINDOW exit when the VP can next take an
 * external interrupt. The request stays until cancelled or until that exit has been returned.
 */
void hv_vp_request_interrupt_window(struct hv_vp *vp, bool on);

/**
 * Queue an NMI. It is delivered when the guest is not blocking NMIs (not inside an NMI handler
 * before its IRET, no MOV SS shadow); until then libhv keeps it pending and watches for the
 * window itself. At most one NMI is pending: a second one while one is pending is merged, as on
 * hardware.
 */
hv_status_t hv_vp_inject_nmi(struct hv_vp *vp);

/**
 * Make hv_vp_run() return HV_EXIT_DEADLINE once the host TSC has reached `tsc` (0: no
 * deadline). The monitor's time slices and its virtual timers are both deadlines. VMX uses the
 * preemption timer when the processor has one; otherwise libhv calls the host's arm_timer()
 * before each entry and relies on the host timer interrupt to stop the guest. The exit comes at
 * or after the deadline (never before), as soon after as the timer's resolution allows.
 */
void hv_vp_set_deadline(struct hv_vp *vp, uint64_t tsc);

/**
 * The partition's virtual interrupt controller, which lives in the monitor: libhv's SynIC and
 * synthetic timers raise their vectors through it (TLFS: the SINTx and STIMERx vectors). After
 * libhv called assert_interrupt during hv_vp_run(), that run returns HV_EXIT_INTERRUPT_ASSERTED
 * so the monitor can look at its controller again. `auto_eoi`: the guest asked for AutoEOI on
 * this SINT: the controller must not set the vector in-service when it is delivered.
 */
struct hv_interrupt_target {
	/** Raise `vector` in VP `vp_index`'s local APIC (AutoEOI: never in-service). */
	void (*assert_interrupt)(void *opaque, uint32_t vp_index, uint8_t vector, bool auto_eoi);
	void *opaque; /**< passed back to assert_interrupt */
};
/** Attach the controller (NULL detaches: SynIC interrupts are then dropped, and logged once). */
hv_status_t hv_partition_set_interrupt_target(struct hv_partition *partition,
                                              const struct hv_interrupt_target *target);

/** Exit counters of one VP, kept by hv_vp_run(). */
struct hv_vp_stats {
	uint64_t exits
	    [HV_EXIT_REASON_COUNT]; /**< by enum hv_exit_reason, including those libhv finished */
	uint64_t entries;           /**< world switches into the guest */
};
/** The VP's counters (libhv's memory: copy them before hv_partition_delete()). */
const struct hv_vp_stats *hv_vp_stats(const struct hv_vp *vp);
/** "io", "cpuid" and so on, for logs and tables; "?" for a value out of range. */
const char *hv_exit_reason_name(enum hv_exit_reason reason);

#endif
