/* Every VMX instruction libhv uses, in one place (vmx_hw.c, vmx_entry.S; fakes in test/fakes). */
#ifndef HV_VMX_VMX_HW_H
#define HV_VMX_VMX_HW_H

#include <stdint.h>

#include <hv/types.h>

/* Each returns 0, or nonzero when the instruction failed (VMfailInvalid or VMfailValid). */
int asm_vmxon(hv_hpa_t region);
int asm_vmclear(hv_hpa_t vmcs);
int asm_vmptrld(hv_hpa_t vmcs);
int asm_invept(uint64_t type, uint64_t eptp);
int asm_invvpid(uint64_t type, uint16_t vpid, uint64_t linear);
uint64_t asm_vmread(uint32_t field);
void asm_vmwrite(uint32_t field, uint64_t value);
void asm_write_cr4(uint64_t value);
/* CR2 is not in the VMCS: libhv carries the guest's across each entry and exit. */
uint64_t asm_read_cr2(void);
void asm_write_cr2(uint64_t value);

#define INVEPT_SINGLE_CONTEXT  1U
#define INVEPT_ALL_CONTEXT     2U
#define INVVPID_SINGLE_CONTEXT 1U
#define INVVPID_ALL_CONTEXT    2U

/*
 * The world switch (vmx_entry.S): write HOST_RSP, load the guest's general registers from gprs
 * (x86 encoding order; RSP ignored: it is in the VMCS), VMLAUNCH (launched == 0) or VMRESUME,
 * and after the VM exit store them back. Returns 0 after a VM exit, 1 when the instruction
 * failed with an error number in VM_INSTRUCTION_ERROR (VMfailValid), 2 when there was no
 * current VMCS (VMfailInvalid).
 */
int vmx_enter_guest(uint64_t *gprs, int launched);
/* Where the processor resumes the host after a VM exit (HOST_RIP). */
void vmx_exit_point(void);

/* The host state a VMCS must describe: what the processor loads at every VM exit. */
struct vmx_host_state {
	uint64_t cr0, cr3, cr4;
	uint16_t cs, ss, ds, es, fs, gs, tr;
	uint64_t fs_base, gs_base, tr_base, gdtr_base, idtr_base;
	uint64_t efer, pat;
	uint64_t sysenter_cs, sysenter_esp, sysenter_eip;
};
void vmx_read_host_state(struct vmx_host_state *out);

#endif
