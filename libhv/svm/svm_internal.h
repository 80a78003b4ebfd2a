/* The AMD SVM backend's private state and the pure functions its host tests exercise. */
#ifndef HV_SVM_SVM_INTERNAL_H
#define HV_SVM_SVM_INTERNAL_H

#include <hv/hv.h>

#include "libhv/svm/vmcb.h"

/* Guest general-purpose registers in x86 encoding order (RAX and RSP live in the VMCB). */
enum svm_gpr {
	SVM_GPR_RAX,
	SVM_GPR_RCX,
	SVM_GPR_RDX,
	SVM_GPR_RBX,
	SVM_GPR_RSP,
	SVM_GPR_RBP,
	SVM_GPR_RSI,
	SVM_GPR_RDI,
	SVM_GPR_R8,
	SVM_GPR_R9,
	SVM_GPR_R10,
	SVM_GPR_R11,
	SVM_GPR_R12,
	SVM_GPR_R13,
	SVM_GPR_R14,
	SVM_GPR_R15,
	SVM_GPR_COUNT
};

struct svm_vp {
	uint64_t gprs[SVM_GPR_COUNT]; /* first: svm_vmrun.S addresses it by index * 8 */
	struct vmcb *vmcb;
	hv_hpa_t vmcb_hpa;
	hv_hpa_t self_hpa;
	uint32_t asid;
	bool asid_shared; /* more VPs than ASIDs: flush at every entry */
	/*
	 * SVM keeps no NMI-blocked state the host can read (outside VGIF): an NMI injected at
	 * the last entry that was not handed back in EXITINTINFO was delivered, and the guest
	 * blocks NMIs until its next IRET, which libhv then intercepts.
	 */
	bool nmi_injected;
	bool nmi_blocked;
	/*
	 * The NMI handler's IRET was intercepted (at iret_rip) but has not run yet: NMIs stay
	 * blocked until an exit finds RIP elsewhere, i.e. the IRET has retired.
	 */
	bool iret_pending;
	uint64_t iret_rip;
};

struct svm_partition {
	hv_hpa_t self_hpa;
	hv_hpa_t iopm_hpa;  /* 12 KiB: every port intercepted */
	hv_hpa_t msrpm_hpa; /* 8 KiB: every MSR intercepted but those the VMCB switches */
};

/* What the decoder needs to know about the processor. */
struct svm_decode_features {
	bool nrip_save;
};

/* EXITINTINFO / EVENTINJ <-> the core's neutral event (svm_exit.c). Pure: host-tested. */
struct hv_event;
void svm_event_from_vmcb(uint64_t info, struct hv_event *out);
uint64_t svm_event_to_vmcb(const struct hv_event *e);

/* Decode the VMCB after #VMEXIT into the neutral exit (svm_exit.c). Pure: host-tested. */
void svm_decode_exit(const struct vmcb *vmcb, const uint64_t gprs[SVM_GPR_COUNT],
                     const struct svm_decode_features *features, struct hv_exit *exit);

/* The first documented VMRUN consistency check the VMCB fails, or a generic note (svm_check.c). */
const char *svm_check_vmcb(const struct vmcb *vmcb);

/* MSR permission map: 2 bits per MSR in three ranges (APM "MSR Intercepts"). */
void svm_msrpm_pass_through(uint8_t *msrpm, uint32_t msr);

/* Segment attributes: TLFS/VMX 16-bit form <-> the VMCB's packed 12-bit form. */
static inline uint16_t svm_attrib_from_hv(uint16_t a)
{
	return (uint16_t)((a & 0xffU) | ((a >> 4) & 0xf00U));
}

static inline uint16_t svm_attrib_to_hv(uint16_t a)
{
	return (uint16_t)((a & 0xffU) | ((a & 0xf00U) << 4));
}

#endif
