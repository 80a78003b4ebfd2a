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
	void (*inject_exception)(struct hv_vp *vp, uint8_t vector, bool has_error, uint32_t error);
	/* Advance RIP by `length` bytes and end any interrupt shadow (an instruction completed). */
	void (*skip_instruction)(struct hv_vp *vp, uint8_t length);
};

extern const struct hv_vendor_ops hv_svm_ops;
extern const struct hv_vendor_ops hv_vmx_ops;

/* The state hv_init() settled on. */
struct hv_globals {
	const struct hv_host_ops *host;
	const struct hv_vendor_ops *vendor;
	struct hv_capabilities caps;
	struct hv_vp *fpu_owner; /* whose vector registers are live in the processor */
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

/* Handle a hypercall (VMCALL/VMMCALL) entirely inside libhv (core/hypercall.c). */
void hv_hypercall_dispatch(struct hv_vp *vp);

#endif
