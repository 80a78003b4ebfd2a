/* The SVM world switch in host tests: a test function plays the guest and fills in the #VMEXIT. */
#include <stdlib.h>

#include "fake_hv.h"
#include "libhv/svm/svm_hw.h"

#define HISTORY 64U

static fake_guest_fn guest_fn;
static void *guest_ctx;
static unsigned entries;
static uint8_t tlb_controls[HISTORY];
static uint64_t last_event_inject;
static uint64_t last_host_interrupts;

void fake_svm_set_guest(fake_guest_fn fn, void *ctx)
{
	guest_fn = fn;
	guest_ctx = ctx;
	entries = 0;
	last_event_inject = 0;
}

void svm_enter_guest(uint64_t *gprs, hv_hpa_t vmcb_hpa, hv_hpa_t host_vmcb_hpa,
                     uint64_t host_interrupts)
{
	struct vmcb *vmcb = fake_host_ops.hpa_to_hva(vmcb_hpa);

	(void)fake_host_ops.hpa_to_hva(host_vmcb_hpa); /* must be a page libhv owns */
	tlb_controls[entries % HISTORY] = vmcb->control.tlb_control;
	last_event_inject = vmcb->control.event_inject;
	last_host_interrupts = host_interrupts;
	entries++;
	if (!guest_fn)
		abort();
	guest_fn(vmcb, gprs, guest_ctx);
}

unsigned fake_svm_entries(void)
{
	return entries;
}

uint8_t fake_svm_tlb_control(unsigned entry)
{
	return tlb_controls[entry % HISTORY];
}

uint64_t fake_svm_last_event_inject(void)
{
	return last_event_inject;
}

bool fake_svm_last_host_interrupts(void)
{
	return last_host_interrupts != 0;
}
