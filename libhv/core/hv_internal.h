/* libhv's private contracts: partitions, VPs, and the one ops table each vendor backend implements. */
#ifndef HV_CORE_HV_INTERNAL_H
#define HV_CORE_HV_INTERNAL_H

#include <hv/hv.h>

#include "libhv/core/synthetic.h"
#include "libhv/slat/slat.h"

#define HV_NAME_MAX    32U
#define HV_MAX_VPS     1U
#define HV_FXSAVE_SIZE 512U

struct hv_partition {
	hv_hpa_t self_hpa; /* where this structure lives (host pages, like everything libhv owns) */
	uint64_t id;
	char name[HV_NAME_MAX];
	struct slat slat;
	struct hv_vp *vps[HV_MAX_VPS];
	void *vendor; /* the backend's per-partition state (SVM: the I/O and MSR permission maps) */
	/* Host memory the monitor declared for this guest (core/host_range.c); none: no limit. */
	struct {
		hv_hpa_t start, end;
	} host_ranges[HV_HOST_RANGES_MAX];
	uint32_t host_range_count;
	struct hv_partition_synthetic synthetic; /* privileges, OS ID, hypercall page */
};

/*
 * One event to deliver to a guest, in the neutral form the core hands a backend. The types are
 * the VMX interruption types; SVM's EVENTINJ shares 0-4 (its backend maps 5 and 6 to 3).
 */
enum hv_event_type {
	HV_EVENT_EXTERNAL = 0,
	HV_EVENT_NMI = 2,
	HV_EVENT_EXCEPTION = 3,
	HV_EVENT_SOFT_INTERRUPT = 4,      /* INTn */
	HV_EVENT_PRIV_SOFT_EXCEPTION = 5, /* INT1 (ICEBP) */
	HV_EVENT_SOFT_EXCEPTION = 6,      /* INT3, INTO */
};

struct hv_event {
	bool valid;
	uint8_t type; /* enum hv_event_type */
	uint8_t vector;
	bool has_error;
	uint32_t error;
	uint8_t
	    insn_length; /* software events: the instruction's length (VMX needs it to inject) */
};

/* What keeps the guest from taking an event now, as the backend reads it from the VMCS/VMCB. */
struct hv_interruptibility {
	bool interrupts_enabled; /* RFLAGS.IF */
	bool shadow;             /* STI or MOV SS interrupt shadow */
	bool nmi_blocked; /* inside an NMI handler before its IRET, or a shadow that blocks NMIs */
};

/* The per-VP event state of core/event.c (policy: what to inject, in which order). */
struct hv_vp_events {
	struct hv_event interrupted; /* the backend fills it at each exit: delivery cut short */
	struct hv_event reinject;    /* owed to the guest before anything newer */
	struct hv_event exception;   /* queued by hv_vp_inject_exception() or by libhv itself */
	bool nmi_pending;
	bool vector_pending; /* an external interrupt the monitor handed over, not yet delivered */
	uint8_t vector;
	bool window_requested; /* the monitor wants HV_EXIT_INTERRUPT_WINDOW */
	bool triple_fault;     /* an exception while delivering #DF: the VP shuts down */
	uint64_t deadline;     /* hv_vp_set_deadline(): host TSC, 0 none */
};

/*
 * A guest page the hypercall decoder translated (core/hypercall_decode.c): valid while the
 * partition's slat.flush_generation is the one it was made under.
 */
struct hv_gpa_page_cache {
	bool valid;
	uint64_t generation;
	hv_gpa_t page;
	uint8_t *hva; /* the monitor's view of `page` */
};

struct hv_vp {
	hv_hpa_t self_hpa;
	struct hv_partition *partition;
	uint32_t index;
	bool failed;                 /* entry was refused: hv_vp_run answers INVALID_VP_STATE */
	uint64_t flushed_generation; /* the partition's slat.flush_generation at the last flush */
	bool flush_guest_tlb;        /* a flush hypercall asked for one at the next entry */
	struct hv_vp_stats stats;
	uint8_t fxsave[HV_FXSAVE_SIZE] __attribute__((aligned(16)));
	void *vendor; /* the backend's per-VP state */
	struct hv_vp_synthetic synthetic;
	bool interrupt_asserted; /* libhv raised a vector through the interrupt target (SynIC) */
	/* The pages of this VP's last hypercall input and output blocks. */
	struct hv_gpa_page_cache hc_input_page, hc_output_page;
	struct hv_vp_events events;
};

/*
 * What the hypercall entry (core/hypercall.c) needs of the guest's state, read by the backend in
 * one go: who may call (CR0.PE, RFLAGS.VM, CPL), the calling convention (64-bit mode is EFER.LMA
 * and CS.L), and the GPRs both conventions take their values from.
 */
struct hv_hypercall_entry {
	bool protected_mode; /* CR0.PE */
	bool v86;            /* RFLAGS.VM */
	uint8_t cpl;
	bool long64; /* 64-bit mode: EFER.LMA and CS.L */
	uint64_t rax, rbx, rcx, rdx, rsi, rdi, r8;
};

/*
 * A vendor backend (the seed's Hvix64/Hvax64) behind one const table, chosen by hv_init().
 * The core owns policy (what an exit means, hypercalls, CPUID filtering); a backend owns the
 * mechanism (VMCB/VMCS, entering the guest, decoding exits into struct hv_exit).
 */
struct hv_vendor_ops {
	const char *name;
	/* Fill the backend fields of *caps; set caps->usable or caps->refusal. */
	void (*detect)(struct hv_capabilities *caps);
	/* Turn virtualization on for this processor. */
	hv_status_t (*enable)(struct hv_capabilities *caps);
	const struct slat_format *slat_format;
	hv_status_t (*partition_init)(struct hv_partition *p);
	void (*partition_destroy)(struct hv_partition *p);
	hv_status_t (*vp_init)(struct hv_vp *vp);
	void (*vp_destroy)(struct hv_vp *vp);
	hv_status_t (*get_register)(struct hv_vp *vp, uint32_t name, union hv_register_value *v);
	hv_status_t (*set_register)(struct hv_vp *vp, uint32_t name,
	                            const union hv_register_value *v);
	/*
	 * Enter the guest once and decode why it came back. `flush` asks for every translation
	 * the processor caches for this VP to be dropped at this entry: second-level ones and the
	 * guest-linear (combined) ones alike, because the flush hypercalls rely on it too
	 * (SVM: TLB_CONTROL flush-ASID; VMX: INVEPT single-context, plus INVVPID if linear
	 * mappings tagged by VPID can survive it).
	 */
	void (*enter)(struct hv_vp *vp, bool flush, struct hv_exit *exit);
	/*
	 * Queue an exception: both backends point this at the core's hv_event_queue_exception()
	 * (kept in the table for the callers that raise exceptions through it).
	 */
	void (*inject_exception)(struct hv_vp *vp, uint8_t vector, bool has_error, uint32_t error);
	/* Read RFLAGS.IF, the interrupt shadow and NMI blocking as the guest left them. */
	void (*get_interruptibility)(struct hv_vp *vp, struct hv_interruptibility *out);
	/* Program the event to deliver at the next entry (NULL: none). */
	void (*set_event)(struct hv_vp *vp, const struct hv_event *event);
	/*
	 * Arm (or disarm) an exit as soon as the guest can take an external interrupt, and as soon
	 * as it can take an NMI. The first exit decodes to HV_EXIT_INTERRUPT_WINDOW, the second to
	 * HV_EXIT_INTERRUPT (the core re-evaluates at every entry anyway).
	 */
	void (*set_windows)(struct hv_vp *vp, bool interrupt_window, bool nmi_window);
	/*
	 * Stop the guest once the host TSC reaches `deadline` (0: no deadline) with a timer of the
	 * processor's own (VMX preemption timer); `now` is the TSC just before entry. False when
	 * the processor has none: the core then uses the host's arm_timer().
	 */
	bool (*arm_deadline)(struct hv_vp *vp, uint64_t deadline, uint64_t now);
	/* Advance RIP by `length` bytes and end any interrupt shadow (an instruction completed). */
	void (*skip_instruction)(struct hv_vp *vp, uint8_t length);
	/*
	 * The hypercall's hot path: get_register for each of CR0, RFLAGS, SS, EFER, CS and the GPRs
	 * costs a lookup each, so the backend fills the whole struct hv_hypercall_entry at once.
	 */
	void (*read_hypercall_entry)(struct hv_vp *vp, struct hv_hypercall_entry *out);
	/*
	 * Finish a hypercall: write RAX, and RDX too unless `long64` (the 32-bit convention returns
	 * EDX:EAX), then skip_instruction(vp, length) with RIP kept to 32 bits unless `long64`.
	 */
	void (*complete_hypercall)(struct hv_vp *vp, bool long64, uint64_t rax, uint64_t rdx,
	                           uint8_t length);
};

extern const struct hv_vendor_ops hv_svm_ops;
extern const struct hv_vendor_ops hv_vmx_ops;

/* The state hv_init() settled on. */
struct hv_globals {
	const struct hv_host_ops *host;
	const struct hv_vendor_ops *vendor;
	struct hv_capabilities caps;
	struct hv_vp *fpu_owner; /* whose vector registers are live in the processor */
	uint64_t host_timer;     /* the TSC last passed to the host's arm_timer() (0: none) */
	uint64_t next_partition_id;
};
extern struct hv_globals hv_globals;

void hv_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void *hv_hpa_to_hva(hv_hpa_t hpa);

/* CPUID as a child sees it: the host's values, filtered (core/cpuid_filter.c). */
void hv_cpuid_default(const struct hv_vp *vp, uint32_t leaf, uint32_t subleaf, uint32_t out[4]);

/* The slat's check_hpa policy for a partition's maps (core/host_range.c). */
hv_status_t hv_host_range_check(const struct slat *s, hv_hpa_t hpa, uint64_t size);

/* Free a VP (partition deletion). */
void hv_vp_destroy(struct hv_vp *vp);

/*
 * Events (core/event.c). Queue an exception, merged with an event being re-injected or one
 * already queued by the double-fault rules. Before an entry: pick the one event to inject and
 * arm the windows; false means the VP triple-faulted (the run loop reports HV_EXIT_SHUTDOWN).
 * After an exit: take over the event whose delivery the exit interrupted. At an interrupt-window
 * exit: true when the monitor asked for it (the request is then consumed).
 */
void hv_event_queue_exception(struct hv_vp *vp, uint8_t vector, bool has_error, uint32_t error);
bool hv_event_prepare_entry(struct hv_vp *vp);
void hv_event_after_exit(struct hv_vp *vp);
bool hv_event_window_exit(struct hv_vp *vp);
/* Arm the earliest of the monitor's and the synthetic timers' deadlines before an entry. */
void hv_event_arm_deadline(struct hv_vp *vp, uint64_t now);
/* Architectural exceptions that push an error code (Intel SDM "Exception and Interrupt Reference"). */
bool hv_exception_has_error_code(uint8_t vector);

/* Handle a hypercall (VMCALL/VMMCALL) entirely inside libhv (core/hypercall.c). */
void hv_hypercall_dispatch(struct hv_vp *vp);

#endif
