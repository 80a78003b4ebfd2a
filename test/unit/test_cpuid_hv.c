/* Host tests of the hypervisor CPUID leaves: what Linux's Hyper-V detection needs, and no more. */
#include <criterion/criterion.h>
#include <string.h>

#include <hv/abi/hv_enlightenment.h>

#include "fakes/fake_partition.h"
#include "fakes/fake_tsc.h"
#include "libhv/core/hv_internal.h"

static void setup(void)
{
	fake_partition_setup(1, 0);
}

static void teardown(void)
{
	fake_partition_teardown();
}

TestSuite(cpuid_hv, .init = setup, .fini = teardown);

static struct cpuid_regs leaf(uint32_t n)
{
	uint32_t r[4];

	hv_cpuid_default(fake_part.vp, n, 0, r);
	return (struct cpuid_regs){r[0], r[1], r[2], r[3]};
}

/* Linux's ms_hyperv_platform() and the checks after it (hyperv-tlfs.md §2). */
Test(cpuid_hv, linux_detects_hyper_v)
{
	struct cpuid_regs r = leaf(1);
	char signature[13];

	cr_expect(r.ecx & (1U << 31), "CPUID.1:ECX[31]");
	r = leaf(HV_CPUID_VENDOR_AND_MAX);
	cr_expect_geq(r.eax, 0x40000005U);
	cr_expect_leq(r.eax, 0x4000ffffU);
	memcpy(signature + 0, &r.ebx, 4);
	memcpy(signature + 4, &r.ecx, 4);
	memcpy(signature + 8, &r.edx, 4);
	signature[12] = '\0';
	cr_expect_str_eq(signature, "Microsoft Hv");
	cr_expect_eq(leaf(HV_CPUID_INTERFACE).eax, 0x31237648U, "Hv#1");
	r = leaf(HV_CPUID_FEATURES);
	cr_expect(r.eax & HV_FEATURE_HYPERCALL_MSRS, "hypercall MSRs");
	cr_expect(r.eax & HV_FEATURE_VP_INDEX_MSR, "VP_INDEX");
}

Test(cpuid_hv, only_implemented_features_are_advertised)
{
	struct cpuid_regs r = leaf(HV_CPUID_FEATURES);

	cr_expect_eq(r.eax,
	             HV_FEATURE_HYPERCALL_MSRS | HV_FEATURE_VP_INDEX_MSR | HV_FEATURE_SYNIC_MSRS,
	             "no TSC frequency from the host: no clocks, no timers");
	cr_expect_eq(r.edx, 0, "no XMM fast calls, crash or frequency MSRs, no direct timers");
	r = leaf(HV_CPUID_ENLIGHTENMENT);
	cr_expect_eq(r.eax, HV_HINT_REMOTE_TLB_FLUSH | HV_HINT_EX_PROCESSOR_MASKS);
	cr_expect_eq(r.ebx, 0xffffffffU, "never notify a long spin wait");
	r = leaf(HV_CPUID_IMPLEMENTATION);
	cr_expect_eq(r.eax, 1, "one VP per partition");
	cr_expect_eq(r.ebx, 1);
	r = leaf(HV_CPUID_HARDWARE_FEATURES);
	cr_expect(r.eax == 0 && r.ebx == 0 && r.ecx == 0 && r.edx == 0);
}

Test(cpuid_hv, the_clocks_come_with_a_tsc_frequency)
{
	struct cpuid_regs r;
	const uint32_t clocks = HV_FEATURE_VP_RUNTIME_MSR | HV_FEATURE_TIME_REF_COUNT_MSR |
	                        HV_FEATURE_REFERENCE_TSC | HV_FEATURE_SYNTIMER_MSRS;

	fake_tsc_install(2000000000ULL);
	r = leaf(HV_CPUID_FEATURES);
	cr_expect_eq(r.eax, HV_FEATURE_HYPERCALL_MSRS | HV_FEATURE_VP_INDEX_MSR |
	                        HV_FEATURE_SYNIC_MSRS | clocks);
	cr_expect_eq(r.edx, HV_FEATURE_EDX_STIMER_DIRECT, "no APIC frequency: no frequency MSRs");
	hv_partition_set_apic_frequency(fake_part.p, 1000000000ULL);
	r = leaf(HV_CPUID_FEATURES);
	cr_expect(r.eax & HV_FEATURE_FREQUENCY_MSRS);
	cr_expect_eq(r.edx, HV_FEATURE_EDX_STIMER_DIRECT | HV_FEATURE_EDX_FREQUENCY_MSRS);
	/* A TSC below 10 MHz cannot be scaled into 100 ns units with a 64-bit scale. */
	fake_tsc_install(10000000ULL);
	r = leaf(HV_CPUID_FEATURES);
	cr_expect_not(r.eax & clocks);
	cr_expect_eq(r.edx, 0);
}

Test(cpuid_hv, a_child_has_child_privileges_only)
{
	struct cpuid_regs r = leaf(HV_CPUID_FEATURES);

	cr_expect_eq(r.ebx, HV_PRIV_POST_MESSAGES | HV_PRIV_SIGNAL_EVENTS);
	/* Even a partition given the root's bits never shows them. */
	fake_part.p->synthetic.privileges |= HV_PRIV_CREATE_PARTITIONS | HV_PRIV_CPU_MANAGEMENT;
	r = leaf(HV_CPUID_FEATURES);
	cr_expect_not(r.ebx & HV_PRIV_CREATE_PARTITIONS);
	cr_expect_not(r.ebx & HV_PRIV_CPU_MANAGEMENT, "Linux would think it is the root");
}

Test(cpuid_hv, leaves_beyond_the_last_are_zero)
{
	static const uint32_t leaves[] = {0x40000007U, 0x40000080U, 0x40000081U,
	                                  0x40000082U, 0x40000100U, 0x4fffffffU};

	for (size_t i = 0; i < sizeof(leaves) / sizeof(leaves[0]); i++) {
		struct cpuid_regs r = leaf(leaves[i]);

		cr_expect(r.eax == 0 && r.ebx == 0 && r.ecx == 0 && r.edx == 0, "leaf %#x",
		          leaves[i]);
	}
}

static void exit_cpuid_hv(struct vmcb *v, uint64_t *gprs, void *ctx)
{
	(void)ctx;
	v->control.exit_code = SVM_EXIT_CPUID;
	v->control.next_rip = v->save.rip + 2;
	v->save.rax = HV_CPUID_VENDOR_AND_MAX;
	gprs[1] = 0; /* RCX */
}

Test(cpuid_hv, the_monitor_gets_the_leaf_prefilled)
{
	struct hv_exit e;

	fake_svm_set_guest(exit_cpuid_hv, NULL);
	cr_assert_eq(hv_vp_run(fake_part.vp, &e), HV_STATUS_SUCCESS);
	cr_assert_eq(e.reason, HV_EXIT_CPUID);
	cr_expect_eq(e.cpuid.eax, HV_CPUID_MAX_LEAF);
	cr_expect_eq(e.cpuid.ebx, HV_CPUID_SIGNATURE_EBX);
}

static void ignore_interrupt(void *opaque, uint32_t vp_index, uint8_t vector, bool auto_eoi)
{
	(void)opaque;
	(void)vp_index;
	(void)vector;
	(void)auto_eoi;
}

Test(cpuid_hv, cluster_ipis_are_recommended_once_they_can_arrive)
{
	const struct hv_interrupt_target target = {ignore_interrupt, NULL};
	const uint32_t always = HV_HINT_REMOTE_TLB_FLUSH | HV_HINT_EX_PROCESSOR_MASKS;

	cr_expect_eq(leaf(HV_CPUID_ENLIGHTENMENT).eax, always, "no interrupt target: no IPI hint");
	cr_assert_eq(hv_partition_set_interrupt_target(fake_part.p, &target), HV_STATUS_SUCCESS);
	cr_expect_eq(leaf(HV_CPUID_ENLIGHTENMENT).eax, always | HV_HINT_CLUSTER_IPI);
	cr_assert_eq(hv_partition_set_interrupt_target(fake_part.p, NULL), HV_STATUS_SUCCESS);
	cr_expect_eq(leaf(HV_CPUID_ENLIGHTENMENT).eax, always);
}

Test(cpuid_hv, ebx_is_what_the_root_set)
{
	cr_assert_eq(hv_partition_set_privileges(fake_part.p, HV_PRIV_ACCESS_PARTITION_ID),
	             HV_STATUS_SUCCESS);
	cr_expect_eq(leaf(HV_CPUID_FEATURES).ebx, HV_PRIV_ACCESS_PARTITION_ID);
}
