/* The SVM world switch: the only privileged SVM instructions, in svm_vmrun.S (fakes in test/fakes). */
#ifndef HV_SVM_SVM_HW_H
#define HV_SVM_SVM_HW_H

#include <hv/types.h>

/*
 * CLGI; VMSAVE the host's hidden state to host_vmcb; load the guest's general registers from
 * gprs (x86 encoding order, RAX and RSP ignored); VMLOAD, VMRUN and VMSAVE the guest's VMCB;
 * store the guest's registers back; VMLOAD the host state; STGI. Returns after one #VMEXIT.
 * With `host_interrupts`, the host's RFLAGS.IF is 1 at VMRUN (set while GIF is still 0): with
 * V_INTR_MASKING a physical interrupt then stops the guest (INTR intercept) and stays pending in
 * the host until the host takes it; GIF=0 after #VMEXIT keeps it out until IF is 0 again (CLI
 * before STGI). The caller's RFLAGS are restored on return.
 */
void svm_enter_guest(uint64_t *gprs, hv_hpa_t vmcb_hpa, hv_hpa_t host_vmcb_hpa,
                     uint64_t host_interrupts);

#endif
