/* Injection benchmark: host instructions from an interrupt arriving to the guest's handler being entered. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bench/callgrind.h"
#include "fakes/fake_hv.h"
#include "fakes/fake_vmx.h"
#include "libhv/vmx/vmcs.h"

/*
 * One delivery is what a monitor does when its interrupt controller has a vector for a VP that
 * can take it: hv_vp_interrupt_ready(), hv_vp_inject_interrupt(), hv_vp_run() up to the world
 * switch (event selection, window and deadline arming, the VMCB/VMCS writes). The fake world
 * switch stands for the processor; the guest exits with HLT at once. The wall time covers the
 * whole round trip (harness included). The instruction count covers only the way in: this
 * program runs itself under callgrind with collection off at start, switched on just before
 * hv_vp_interrupt_ready() and off again when the fake guest is entered (callgrind's client
 * requests, which do nothing outside valgrind).
 */
#if __has_include(<valgrind/callgrind.h>)
#include <valgrind/callgrind.h>
#define COLLECT_TOGGLE() CALLGRIND_TOGGLE_COLLECT
#else
#define COLLECT_TOGGLE()   ((void)0)
#define NO_CLIENT_REQUESTS 1
#endif

#define CALLS    100000U
#define CG_CALLS 1000U
#define VECTOR   0x30U

static struct hv_partition *part;
static struct hv_vp *vp;

static void svm_guest(struct vmcb *v, uint64_t *gprs, void *ctx)
{
	(void)gprs;
	(void)ctx;
	COLLECT_TOGGLE(); /* the guest's handler is entered: the way in ends here */
	v->control.exit_code = SVM_EXIT_HLT;
	v->control.exit_int_info = 0;
	v->control.next_rip = v->save.rip + 1;
}

static int vmx_guest(uint64_t *gprs, void *ctx)
{
	(void)gprs;
	(void)ctx;
	COLLECT_TOGGLE();
	fake_vmcs_set(VMCS_EXIT_REASON, VMX_EXIT_HLT);
	fake_vmcs_set(VMCS_EXIT_INSTRUCTION_LENGTH, 1);
	fake_vmcs_set(VMCS_IDT_VECTORING_INFO, 0);
	fake_vmcs_set(VMCS_ENTRY_INTERRUPTION_INFO, 0);
	return 0;
}

static int setup(bool vmx)
{
	struct hv_partition_config config = {.name = "bench", .max_vps = 1};
	uint32_t name = HV_X64_REGISTER_RFLAGS;
	union hv_register_value v = {.reg64 = 0x202}; /* IF=1: the VP can take the interrupt */

	fake_host_reset();
	if (vmx)
		fake_cpu_reset_intel();
	else
		fake_cpu_reset_amd();
	if (hv_init(&fake_host_ops) != HV_STATUS_SUCCESS ||
	    hv_partition_create(&config, &part) != HV_STATUS_SUCCESS ||
	    hv_vp_create(part, 0, &vp) != HV_STATUS_SUCCESS ||
	    hv_vp_set_registers(vp, &name, 1, &v) != HV_STATUS_SUCCESS)
		return -1;
	if (vmx)
		fake_vmx_set_guest(vmx_guest, NULL);
	else
		fake_svm_set_guest(svm_guest, NULL);
	return 0;
}

static int deliver(unsigned n)
{
	struct hv_exit e;

	for (unsigned i = 0; i < n; i++) {
		COLLECT_TOGGLE(); /* the monitor's controller has VECTOR for this VP */
		if (!hv_vp_interrupt_ready(vp) || hv_vp_inject_interrupt(vp, VECTOR) ||
		    hv_vp_run(vp, &e) || e.reason != HV_EXIT_HLT)
			return -1;
	}
	return 0;
}

static double now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e9 + t.tv_nsec;
}

/* Instructions per delivery from a callgrind run of `self --count svm|vmx`. */
static double count_instructions(const char *self, const char *vendor)
{
	char command[512];
	double total;

	snprintf(command, sizeof(command), "%s --count %s", self, vendor);
	total = callgrind_total("--collect-atstart=no", command);
	return total > 0 ? total / CG_CALLS : -1;
}

int main(int argc, char **argv)
{
	static const char *const vendors[] = {"svm", "vmx"};
	bool counting = system("valgrind --version >/dev/null 2>&1") == 0;

#ifdef NO_CLIENT_REQUESTS
	counting = false;
#endif
	if (argc >= 3 && strcmp(argv[1], "--count") == 0) {
		if (setup(strcmp(argv[2], "vmx") == 0))
			return 2;
		return deliver(CG_CALLS) ? 1 : 0;
	}
	printf("interrupt delivery: ready + inject + run up to the guest's entry (fake vendor "
	       "layer)\n");
	printf("%-6s %22s %26s\n", "vendor", "host instr (way in)", "ns per round trip (all)");
	for (unsigned i = 0; i < 2; i++) {
		double start, ns, instr;

		if (setup(i == 1)) {
			fprintf(stderr, "bench_inject: setup failed for %s\n", vendors[i]);
			return 1;
		}
		start = now_ns();
		if (deliver(CALLS)) {
			fprintf(stderr, "bench_inject: a delivery failed on %s\n", vendors[i]);
			return 1;
		}
		ns = (now_ns() - start) / CALLS;
		hv_partition_delete(part);
		instr = counting ? count_instructions(argv[0], vendors[i]) : -1;
		printf("%-6s %22.0f %26.1f\n", vendors[i], instr, ns);
	}
	if (!counting)
		printf(
		    "(instruction counts need valgrind and its headers; -1 means not measured)\n");
	return 0;
}
