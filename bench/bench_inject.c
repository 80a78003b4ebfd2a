/* Injection benchmark: host instructions from an interrupt arriving to the guest's handler being entered. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bench/callgrind.h"
#include "devices/platform.h"
#include "fakes/fake_clock.h"
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
#define GSI      5U /* the device's line: IOAPIC input 5, routed to VECTOR on APIC 0 */

/*
 * The second figure starts earlier, where "an interrupt arrives" in this system: a device model
 * raises its line. Then what the example monitor does before each entry (monitor/child.c,
 * deliver_events): bring the lines up to date, ask the platform for the VP's next vector, let
 * the local APIC take it (IRR to ISR), and hand it to libhv as above. The guest's EOI and the
 * device lowering its line come after the entry, outside the count.
 */
static struct platform plat;
static struct fake_clock fclock;
static bool through_platform;

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

static void mmio_write32(uint64_t gpa, uint32_t value)
{
	mmio_bus_write(&plat.mmio, gpa, &value, 4);
}

/* The guest's side of the setup: its local APIC on, the PIC masked, IOAPIC input GSI edge-triggered
 * to VECTOR. */
static int setup_platform(void)
{
	const struct platform_config cfg = {.name = "bench",
	                                    .ram_size = 16ULL << 20,
	                                    .cpu_count = 1,
	                                    .clock = fake_clock_source(&fclock)};

	if (platform_init(&plat, &cfg))
		return -1;
	platform_set_current_cpu(&plat, 0);
	mmio_write32(LAPIC_BASE + LAPIC_SVR, LAPIC_SVR_ENABLE | 0xff);
	/* An IOAPIC guest masks the PIC's way in (LINT0 in ExtINT mode at reset). */
	mmio_write32(LAPIC_BASE + LAPIC_LVT_LINT0, LAPIC_LVT_MASKED);
	mmio_write32(IOAPIC_BASE + IOAPIC_IOREGSEL, IOAPIC_REG_REDTBL + 2 * GSI + 1);
	mmio_write32(IOAPIC_BASE + IOAPIC_IOWIN, 0); /* destination APIC ID 0 */
	mmio_write32(IOAPIC_BASE + IOAPIC_IOREGSEL, IOAPIC_REG_REDTBL + 2 * GSI);
	mmio_write32(IOAPIC_BASE + IOAPIC_IOWIN, VECTOR); /* fixed, physical, edge, unmasked */
	return 0;
}

static int deliver(unsigned n)
{
	struct hv_exit e;

	for (unsigned i = 0; i < n; i++) {
		int vector = VECTOR;

		COLLECT_TOGGLE(); /* an interrupt arrives */
		if (through_platform) {
			irq_line_set(&plat.lines, GSI, true);
			platform_poll(&plat);
			vector = platform_pending_vector(&plat, 0);
			if (vector != (int)VECTOR)
				return -1;
		}
		if (!hv_vp_interrupt_ready(vp))
			return -1;
		if (through_platform)
			platform_vector_taken(&plat, 0, (uint8_t)vector);
		if (hv_vp_inject_interrupt(vp, (uint8_t)vector) || hv_vp_run(vp, &e) ||
		    e.reason != HV_EXIT_HLT)
			return -1;
		if (through_platform) { /* the handler's EOI, the device's line going low */
			mmio_write32(LAPIC_BASE + LAPIC_EOI, 0);
			irq_line_set(&plat.lines, GSI, false);
		}
	}
	return 0;
}

static double now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e9 + t.tv_nsec;
}

/* Instructions per delivery from a callgrind run of `self --count svm|vmx [platform]`. */
static double count_instructions(const char *self, const char *vendor, bool platform)
{
	char command[512];
	double total;

	snprintf(command, sizeof(command), "%s --count %s%s", self, vendor,
	         platform ? " platform" : "");
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
		through_platform = argc >= 4 && strcmp(argv[3], "platform") == 0;
		if (setup(strcmp(argv[2], "vmx") == 0) || (through_platform && setup_platform()))
			return 2;
		return deliver(CG_CALLS) ? 1 : 0;
	}
	printf(
	    "interrupt delivery up to the guest's entry (fake vendor layer): from the vector in\n"
	    "the monitor's hands (libhv only), and from a device raising its line (IOAPIC,\n"
	    "local APIC, the monitor's delivery, libhv)\n");
	printf("%-6s %-9s %20s %26s\n", "vendor", "from", "host instr (way in)",
	       "ns per round trip (all)");
	for (unsigned i = 0; i < 4; i++) {
		const char *vendor = vendors[i % 2];
		double start, ns, instr;

		through_platform = i >= 2;
		if (setup(i % 2 == 1) || (through_platform && setup_platform())) {
			fprintf(stderr, "bench_inject: setup failed for %s\n", vendor);
			return 1;
		}
		start = now_ns();
		if (deliver(CALLS)) {
			fprintf(stderr, "bench_inject: a delivery failed on %s\n", vendor);
			return 1;
		}
		ns = (now_ns() - start) / CALLS;
		hv_partition_delete(part);
		instr = counting ? count_instructions(argv[0], vendor, through_platform) : -1;
		printf("%-6s %-9s %20.0f %26.1f\n", vendor, through_platform ? "device" : "vector",
		       instr, ns);
	}
	if (!counting)
		printf(
		    "(instruction counts need valgrind and its headers; -1 means not measured)\n");
	return 0;
}
