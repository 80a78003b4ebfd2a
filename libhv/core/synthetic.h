/* libhv's enlightenment state (TLFS synthetic MSRs, privileges) and the hooks the core calls. */
#ifndef HV_CORE_SYNTHETIC_H
#define HV_CORE_SYNTHETIC_H

#include <hv/abi/hv_enlightenment.h>
#include <hv/hv.h>
#include <hv/synic.h>

/*
 * What a child partition may call (CPUID 0x40000003.EBX): post messages and signal events, as
 * the TLFS gives children. Never CreatePartitions, never CpuManagement (Linux takes bit 12
 * without Isolation for "I am the root"), no AccessPartitionId, no extended hypercalls.
 */
#define HV_CHILD_PRIVILEGES (HV_PRIV_POST_MESSAGES | HV_PRIV_SIGNAL_EVENTS)

/* A connection the monitor created (core/connection.c): what a child reaches by its ID. */
struct hv_synthetic_port {
	uint32_t connection_id; /* 0: the entry is free (connection IDs start at 1) */
	uint32_t type;          /* HV_PORT_TYPE_MESSAGE or HV_PORT_TYPE_EVENT */
	hv_port_message_fn on_message;
	hv_port_event_fn on_event;
	void *opaque;
};

/* Per partition: the TLFS makes GUEST_OS_ID, HYPERCALL and the reference time partition-wide. */
struct hv_partition_synthetic {
	uint32_t privileges;    /* HV_PRIV_* (the high half of the privilege mask) */
	uint64_t guest_os_id;   /* HV_X64_MSR_GUEST_OS_ID */
	uint64_t hypercall_msr; /* HV_X64_MSR_HYPERCALL as the guest reads it back */
	/* Reference time (core/reference_time.c): 0 at creation_tsc, from the host's TSC rate. */
	uint64_t creation_tsc;
	uint64_t clock_hz;      /* the tsc_frequency scale and offset were computed for */
	uint64_t clock_scale;   /* 64.64: 100 ns units per TSC tick (0: no clocks) */
	int64_t clock_offset;   /* reference time = ((tsc * scale) >> 64) + offset */
	uint64_t reference_tsc; /* HV_X64_MSR_REFERENCE_TSC as the guest reads it back */
	uint32_t tsc_sequence;  /* the last sequence written to the reference TSC page */
	uint64_t apic_hz;       /* HV_X64_MSR_APIC_FREQUENCY (0: frequency MSRs not offered) */
	/* Where SINT and direct-mode timer vectors go (core/synic.c). */
	struct hv_interrupt_target interrupt_target;
	bool has_interrupt_target;
	bool warned_no_target; /* "interrupt dropped" is logged once */
	struct hv_synthetic_port ports[HV_PORTS_MAX];
};

/* One synthetic timer (core/stimer.c). */
struct hv_stimer {
	uint64_t config;     /* HV_X64_MSR_STIMERx_CONFIG */
	uint64_t count;      /* HV_X64_MSR_STIMERx_COUNT */
	uint64_t expiration; /* reference time of the next expiry; meaningful while enabled */
	bool armed;          /* enabled and waiting for `expiration` */
	bool pending;        /* expired, the message is not delivered yet (slot busy) */
};

/* Per VP. */
struct hv_vp_synthetic {
	uint64_t vp_assist_page; /* HV_X64_MSR_VP_ASSIST_PAGE: accepted and kept, not used yet */
	/*
	 * Host TSC ticks the VP spent in guest mode: the run loop (core/vp.c) adds the ticks of
	 * each entry. HV_X64_MSR_VP_RUNTIME is this in 100 ns units.
	 */
	uint64_t run_tsc;
	/* SynIC (core/synic.c). */
	uint64_t scontrol, siefp, simp;
	/* SINTx XOR HV_SINT_MASKED: VPs are created zeroed, and a SINT starts masked. */
	uint64_t sint_x[HV_SYNIC_SINT_COUNT];
	/* One message per SINT waits here while its slot is busy (delivered after EOM). */
	uint16_t queued;
	struct hv_message queue[HV_SYNIC_SINT_COUNT];
	struct hv_stimer stimer[HV_STIMER_COUNT];
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

/* ---- Inside libhv: the modules behind hv_synthetic_msr() ---- */

/* What one module made of an RDMSR/WRMSR: not its MSR, done, or refused (#GP). */
enum syn_msr { SYN_MSR_UNKNOWN, SYN_MSR_DONE, SYN_MSR_GP };

/* The host TSC (core/synthetic_tsc_hw.c; host tests link test/fakes/fake_tsc.c). */
uint64_t synthetic_read_tsc(void);

/* Reference time (core/reference_time.c). */
void reftime_partition_init(struct hv_partition *p);
/* Whether the clocks exist: the monitor gave a TSC frequency libhv can scale (>= 10 MHz). */
bool reftime_available(struct hv_partition *p);
/* The reference time at host TSC `tsc` (100 ns units); 0 when the clocks do not exist. */
uint64_t reftime_at(struct hv_partition *p, uint64_t tsc);
/* The first host TSC at which the reference time is >= `ref` (UINT64_MAX if never). */
uint64_t reftime_to_tsc(struct hv_partition *p, uint64_t ref);
/* TSC ticks to 100 ns units at the partition's scale. */
uint64_t reftime_ticks_to_100ns(struct hv_partition *p, uint64_t ticks);
enum syn_msr reftime_msr(struct hv_vp *vp, uint32_t index, bool write, uint64_t *value);

/* SynIC (core/synic.c). */
enum syn_msr synic_msr(struct hv_vp *vp, uint32_t index, bool write, uint64_t *value);
/*
 * Put `msg` in SINT `sint`'s slot and raise the SINT. When the slot is busy: with `queue`,
 * keep the message in the VP's queue (one per SINT), set the slot's pending flag, and answer
 * SUCCESS; without, set the flag and answer INSUFFICIENT_BUFFERS (the caller retries).
 * INVALID_SYNIC_STATE when the SynIC or the message page is off or the SINT is masked.
 */
hv_status_t synic_deliver(struct hv_vp *vp, uint32_t sint, const struct hv_message *msg,
                          bool queue);
/* Assert `vector` through the partition's interrupt target (sets vp->interrupt_asserted). */
void synic_assert_vector(struct hv_vp *vp, uint8_t vector, bool auto_eoi);
/* Deliver queued messages whose slot is free again (EOM, and each exit). */
void synic_retry(struct hv_vp *vp);

/* Synthetic timers (core/stimer.c). */
enum syn_msr stimer_msr(struct hv_vp *vp, uint32_t index, bool write, uint64_t *value);
/* Retry timers whose expiry message is pending (EOM). */
void stimer_retry(struct hv_vp *vp);

/* Connections (core/connection.c): the monitor's port for a child's connection ID, or NULL. */
const struct hv_synthetic_port *connection_find(const struct hv_partition *p,
                                                uint32_t connection_id);

#endif
