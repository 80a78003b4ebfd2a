/* The Intel VMX backend's private state and the pure functions its host tests exercise. */
#ifndef HV_VMX_VMX_INTERNAL_H
#define HV_VMX_VMX_INTERNAL_H

#include <hv/hv.h>

#include "libhv/vmx/vmx_caps.h"

/* Guest general registers in x86 encoding order; RSP lives in the VMCS. */
#define VMX_GPR_RAX   0U
#define VMX_GPR_RCX   1U
#define VMX_GPR_RDX   2U
#define VMX_GPR_COUNT 16U

/* The syscall MSRs the VMCS does not switch: libhv swaps them when another VP runs. */
enum vmx_lazy_msr {
	VMX_MSR_KERNEL_GS_BASE,
	VMX_MSR_STAR,
	VMX_MSR_LSTAR,
	VMX_MSR_CSTAR,
	VMX_MSR_SFMASK,
	VMX_LAZY_MSR_COUNT
};

struct vmx_vp {
	uint64_t gprs[VMX_GPR_COUNT]; /* first: vmx_entry.S addresses it by index * 8 */
	hv_hpa_t self_hpa;
	hv_hpa_t vmcs_hpa;
	bool launched;
	uint16_t vpid;
	uint64_t cr2; /* not in the VMCS: loaded and saved around each entry */
	uint64_t cr8; /* the guest's TPR: CR8 accesses exit, the host's TPR stays the host's */
	uint32_t pin, proc; /* the pin-based and primary controls in the VMCS now */
	uint64_t lazy_msrs[VMX_LAZY_MSR_COUNT];
};

struct vmx_partition {
	hv_hpa_t self_hpa;
	hv_hpa_t io_bitmaps; /* A and B: every port intercepted */
	hv_hpa_t msr_bitmap; /* every MSR intercepted but those the VMCS or libhv switches */
	uint64_t eptp;
};

/* What a VM exit left in the VMCS, read once (vmx.c) and decoded without the hardware. */
struct vmx_exit_info {
	uint32_t reason;
	uint64_t qualification;
	uint32_t insn_length;
	uint64_t guest_physical;
	uint64_t guest_linear;
	uint64_t rip;
	uint32_t interruption_info;
};

void vmx_decode_exit(const struct vmx_exit_info *x, const uint64_t gprs[VMX_GPR_COUNT],
                     struct hv_exit *exit);

/* The words for a VM-instruction error number (SDM "VM-Instruction Error Numbers"). */
const char *vmx_instruction_error_name(uint32_t error);

struct vmx_segment_state {
	uint16_t selector;
	uint64_t base;
	uint32_t limit;
	uint32_t ar;
};

/* The guest state the entry checks look at, read from the VMCS after a failed entry. */
struct vmx_guest_state {
	uint64_t cr0, cr3, cr4, dr7, rflags, rip, efer, pat, link_pointer;
	uint32_t entry_controls, proc2, activity, interruptibility;
	struct vmx_segment_state es, cs, ss, ds, fs, gs, ldtr, tr;
	uint64_t gdtr_base, idtr_base;
	uint32_t gdtr_limit, idtr_limit;
	uint64_t cr0_fixed0, cr0_fixed1, cr4_fixed0, cr4_fixed1;
	uint8_t phys_bits;
};

/* The first guest-state check (SDM "Checks on the Guest State Area") the state fails. */
const char *vmx_check_guest_state(const struct vmx_guest_state *g);

/* The MSR bitmap: 1 KiB each for reads low/high and writes low/high (SDM "MSR-Bitmap Address"). */
void vmx_msr_bitmap_pass_through(uint8_t *bitmap, uint32_t msr);

#endif
