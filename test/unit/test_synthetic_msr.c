/* Host tests of the synthetic MSRs: guest OS ID, the hypercall page, VP index, VP assist page. */
#include <criterion/criterion.h>
#include <string.h>

#include <hv/abi/hv_enlightenment.h>
#include <hv/abi/hv_hypercall.h>

#include "fakes/fake_partition.h"
#include "libhv/core/hv_internal.h"

#define RO_GPA       0x4000ULL
#define UNMAPPED_GPA 0x10000ULL
#define PAGE_GPA     0x2000ULL
#define LINUX_OS_ID  (0x8100ULL << 48)

static void setup(void)
{
	fake_partition_setup(4, 1);
}

static void teardown(void)
{
	fake_partition_teardown();
}

TestSuite(synthetic_msr, .init = setup, .fini = teardown);

static uint64_t rdmsr_ok(uint32_t index)
{
	struct fake_insn_result r = fake_rdmsr(index);

	cr_assert_eq(r.event_inject, 0, "RDMSR %#x faulted", index);
	cr_expect_eq(r.rip_advance, 2);
	return (r.rdx << 32) | (uint32_t)r.rax;
}

static void wrmsr_ok(uint32_t index, uint64_t value)
{
	struct fake_insn_result r = fake_wrmsr(index, value);

	cr_assert_eq(r.event_inject, 0, "WRMSR %#x faulted", index);
	cr_expect_eq(r.rip_advance, 2);
}

static void expect_gp(struct fake_insn_result r, const char *what)
{
	cr_expect_eq(r.event_inject, FAKE_EVENT_GP, "%s: #GP(0)", what);
	cr_expect_eq(r.rip_advance, 0, "%s: RIP stays", what);
}

Test(synthetic_msr, guest_os_id_round_trips)
{
	cr_expect_eq(rdmsr_ok(HV_X64_MSR_GUEST_OS_ID), 0);
	wrmsr_ok(HV_X64_MSR_GUEST_OS_ID, LINUX_OS_ID | 0x60100);
	cr_expect_eq(rdmsr_ok(HV_X64_MSR_GUEST_OS_ID), LINUX_OS_ID | 0x60100);
}

static void expect_hypercall_page(uint64_t gpa, uint8_t insn3)
{
	const uint8_t *page = fake_part.ram + gpa;
	const uint8_t want[] = {0xf3, 0x0f, 0x1e, 0xfa, 0x0f, 0x01, insn3, 0xc3};

	cr_expect_arr_eq(page, want, sizeof(want), "ENDBR64, VMMCALL/VMCALL, RET");
	for (size_t i = sizeof(want); i < HV_PAGE_SIZE; i++)
		if (page[i] != 0xcc) {
			cr_expect_fail("byte %zu of the page is %#x, not INT3", i, page[i]);
			break;
		}
}

Test(synthetic_msr, hypercall_page_is_written_once_the_os_is_known)
{
	uint64_t value = PAGE_GPA | HV_HYPERCALL_MSR_ENABLE;

	memset(fake_part.ram + PAGE_GPA, 0x11, HV_PAGE_SIZE);
	wrmsr_ok(HV_X64_MSR_HYPERCALL, value);
	cr_expect_eq(rdmsr_ok(HV_X64_MSR_HYPERCALL), PAGE_GPA, "enable ignored while OS ID is 0");
	cr_expect_eq(fake_part.ram[PAGE_GPA], 0x11, "page untouched");

	wrmsr_ok(HV_X64_MSR_GUEST_OS_ID, LINUX_OS_ID);
	wrmsr_ok(HV_X64_MSR_HYPERCALL, value);
	cr_expect_eq(rdmsr_ok(HV_X64_MSR_HYPERCALL), value);
	expect_hypercall_page(PAGE_GPA, 0xd9);

	wrmsr_ok(HV_X64_MSR_GUEST_OS_ID, 0);
	cr_expect_eq(rdmsr_ok(HV_X64_MSR_HYPERCALL), PAGE_GPA, "OS ID 0 disables the page");
}

Test(synthetic_msr, hypercall_page_uses_vmcall_on_intel)
{
	hv_globals.caps.vendor = HV_VENDOR_INTEL;
	wrmsr_ok(HV_X64_MSR_GUEST_OS_ID, LINUX_OS_ID);
	wrmsr_ok(HV_X64_MSR_HYPERCALL, PAGE_GPA | HV_HYPERCALL_MSR_ENABLE);
	expect_hypercall_page(PAGE_GPA, 0xc1);
	hv_globals.caps.vendor = HV_VENDOR_AMD;
}

Test(synthetic_msr, hypercall_page_must_be_writable_ram)
{
	wrmsr_ok(HV_X64_MSR_GUEST_OS_ID, LINUX_OS_ID);
	expect_gp(fake_wrmsr(HV_X64_MSR_HYPERCALL, RO_GPA | HV_HYPERCALL_MSR_ENABLE), "ROM");
	expect_gp(fake_wrmsr(HV_X64_MSR_HYPERCALL, UNMAPPED_GPA | HV_HYPERCALL_MSR_ENABLE),
	          "no RAM");
	expect_gp(fake_wrmsr(HV_X64_MSR_HYPERCALL, (1ULL << 52) | HV_HYPERCALL_MSR_ENABLE),
	          "beyond the physical-address width");
	cr_expect_eq(rdmsr_ok(HV_X64_MSR_HYPERCALL), 0, "a refused write changes nothing");
	wrmsr_ok(HV_X64_MSR_HYPERCALL, UNMAPPED_GPA); /* disabled: any GPA is fine */
}

Test(synthetic_msr, locked_hypercall_msr_ignores_writes)
{
	uint64_t value = PAGE_GPA | HV_HYPERCALL_MSR_ENABLE | HV_HYPERCALL_MSR_LOCKED;

	wrmsr_ok(HV_X64_MSR_GUEST_OS_ID, LINUX_OS_ID);
	wrmsr_ok(HV_X64_MSR_HYPERCALL, value);
	wrmsr_ok(HV_X64_MSR_HYPERCALL, 0x3000 | HV_HYPERCALL_MSR_ENABLE);
	cr_expect_eq(rdmsr_ok(HV_X64_MSR_HYPERCALL), value);
	cr_expect_eq(fake_part.ram[0x3000], 0, "the new page was not written");
}

Test(synthetic_msr, vp_index_is_read_only)
{
	cr_expect_eq(rdmsr_ok(HV_X64_MSR_VP_INDEX), 0);
	expect_gp(fake_wrmsr(HV_X64_MSR_VP_INDEX, 0), "write to VP_INDEX");
}

Test(synthetic_msr, vp_assist_page_is_accepted_and_checked)
{
	wrmsr_ok(HV_X64_MSR_VP_ASSIST_PAGE, 0x3000 | HV_VP_ASSIST_PAGE_ENABLE);
	cr_expect_eq(rdmsr_ok(HV_X64_MSR_VP_ASSIST_PAGE), 0x3000 | HV_VP_ASSIST_PAGE_ENABLE);
	expect_gp(fake_wrmsr(HV_X64_MSR_VP_ASSIST_PAGE, 0x3000 | 2 | HV_VP_ASSIST_PAGE_ENABLE),
	          "reserved bit 1");
	expect_gp(fake_wrmsr(HV_X64_MSR_VP_ASSIST_PAGE, RO_GPA | HV_VP_ASSIST_PAGE_ENABLE),
	          "read-only page");
	expect_gp(fake_wrmsr(HV_X64_MSR_VP_ASSIST_PAGE, UNMAPPED_GPA | HV_VP_ASSIST_PAGE_ENABLE),
	          "no RAM");
	wrmsr_ok(HV_X64_MSR_VP_ASSIST_PAGE, 0);
	cr_expect_eq(rdmsr_ok(HV_X64_MSR_VP_ASSIST_PAGE), 0);
}

Test(synthetic_msr, msrs_that_do_not_exist_raise_gp)
{
	static const uint32_t absent[] = {HV_X64_MSR_RESET,
	                                  HV_X64_MSR_VP_RUNTIME,
	                                  HV_X64_MSR_TIME_REF_COUNT,
	                                  HV_X64_MSR_REFERENCE_TSC,
	                                  HV_X64_MSR_TSC_FREQUENCY,
	                                  0x40000085U,
	                                  0x400000b0U,
	                                  HV_X64_MSR_LAST};

	for (size_t i = 0; i < sizeof(absent) / sizeof(absent[0]); i++) {
		expect_gp(fake_rdmsr(absent[i]), "RDMSR");
		expect_gp(fake_wrmsr(absent[i], 0), "WRMSR");
	}
}

Test(synthetic_msr, the_enlightened_guest_sequence_works_end_to_end)
{
	struct fake_insn_result r;

	wrmsr_ok(HV_X64_MSR_GUEST_OS_ID, LINUX_OS_ID);
	wrmsr_ok(HV_X64_MSR_HYPERCALL, PAGE_GPA | HV_HYPERCALL_MSR_ENABLE);
	cr_expect_eq(rdmsr_ok(HV_X64_MSR_VP_INDEX), 0);
	r = fake_vmmcall(HVCALL_NOTIFY_LONG_SPIN_WAIT | HV_HYPERCALL_FAST, 1, 0);
	cr_expect_eq(r.rax, HV_STATUS_SUCCESS);
	r = fake_vmmcall(HVCALL_CREATE_PARTITION, 0x1000, 0x2000);
	cr_expect_eq(r.rax, HV_STATUS_ACCESS_DENIED);
}
