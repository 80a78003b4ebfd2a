/* Host-test stand-ins for the processor and the host memory libhv uses (see the fake_*.c files). */
#ifndef TEST_FAKES_FAKE_HV_H
#define TEST_FAKES_FAKE_HV_H

#include <hv/hv.h>

#include "libhv/core/cpu.h"
#include "libhv/svm/vmcb.h"

/* ---- fake_cpu.c: CPUID answers and MSRs ---- */

/* Forget every CPUID answer and MSR; then the processor is an AMD with SVM, NPT and NRIP save. */
void fake_cpu_reset_amd(void);
/* Make CPUID(leaf, subleaf) answer `r` (subleaf ignored unless `exact_subleaf`). */
void fake_cpuid_set(uint32_t leaf, uint32_t subleaf, bool exact_subleaf, struct cpuid_regs r);
/* Clear bits of one register (0=EAX..3=EDX) in an answer already set. */
void fake_cpuid_clear_bits(uint32_t leaf, unsigned reg, uint32_t bits);
uint64_t fake_msr_value(uint32_t msr);
unsigned fake_fxrstor_count(void);

/* ---- fake_host.c: host pages from malloc, with fake host-physical addresses ---- */

extern const struct hv_host_ops fake_host_ops;
/* Pages handed out and not yet freed (every test ends with 0 after deleting its partitions). */
size_t fake_host_pages_in_use(void);
/* Let the next `n` allocations succeed, then fail every one (-1: never fail). */
void fake_host_fail_after(long n);
void fake_host_reset(void);
/* The last line libhv logged. */
const char *fake_host_last_log(void);
/* fake_host_ops has arm_timer and take_interrupts; this one has neither. */
extern const struct hv_host_ops fake_host_ops_no_timer;
/* The last TSC passed to arm_timer (0: cancelled), and how often each op was called. */
uint64_t fake_host_armed_timer(void);
unsigned fake_host_arm_timer_calls(void);
unsigned fake_host_take_interrupts_calls(void);

/* ---- fake_svm.c: the world switch ---- */

/*
 * What "the guest" does at each VMRUN: the test's function edits the VMCB (exit code, exit
 * info, save area) and the general registers as the processor would at #VMEXIT.
 */
typedef void (*fake_guest_fn)(struct vmcb *vmcb, uint64_t *gprs, void *ctx);
void fake_svm_set_guest(fake_guest_fn fn, void *ctx);
/* The TLB_CONTROL value of each VMRUN so far (the last 64), and how many entries there were. */
unsigned fake_svm_entries(void);
uint8_t fake_svm_tlb_control(unsigned entry);
/* The EVENTINJ field as it was at the last VMRUN. */
uint64_t fake_svm_last_event_inject(void);
/* Whether the last VMRUN ran with the host's interrupts able to stop the guest. */
bool fake_svm_last_host_interrupts(void);

#endif
