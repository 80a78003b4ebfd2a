/* Host-test stand-ins for the VMX instructions: a fake VMCS store and a scripted world switch. */
#ifndef TEST_FAKES_FAKE_VMX_H
#define TEST_FAKES_FAKE_VMX_H

#include <stdbool.h>
#include <stdint.h>

/* Make the fake processor an Intel with VMX, EPT (A/D, 1 GiB), VPID and unrestricted guest. */
void fake_cpu_reset_intel(void);
/* Change one MSR of the fake processor (capability MSRs before hv_init, for instance). */
void fake_msr_set(uint32_t msr, uint64_t value);

/*
 * What "the guest" does at each VMLAUNCH/VMRESUME: the test's function sets exit fields with
 * fake_vmcs_set() and edits the general registers. Its return value is vmx_enter_guest's:
 * 0 a VM exit, 1 VMfailValid (set VMCS_VM_INSTRUCTION_ERROR), 2 VMfailInvalid.
 */
typedef int (*fake_vmx_guest_fn)(uint64_t *gprs, void *ctx);
void fake_vmx_set_guest(fake_vmx_guest_fn fn, void *ctx);

/* The current VMCS's fields (VMPTRLD chooses which VMCS is current). */
uint64_t fake_vmcs_get(uint32_t field);
void fake_vmcs_set(uint32_t field, uint64_t value);

/* What happened so far. */
unsigned fake_vmx_entries(void);
bool fake_vmx_last_entry_was_launch(void);
unsigned fake_vmx_invept_count(void);
unsigned fake_vmx_vmxon_count(void);
uint64_t fake_vmx_cr4(void);

#endif
