/* Host tests of reference time: TIME_REF_COUNT, the reference TSC page, VP_RUNTIME, frequencies. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <string.h>

#include <hv/abi/hv_enlightenment.h>

#include "fakes/fake_partition.h"
#include "fakes/fake_tsc.h"
#include "libhv/core/hv_internal.h"

/* 8 pages of RAM at GPA 0, one read-only page at 0x8000, nothing above. */
#define PAGE_GPA     0x3000ULL
#define RO_GPA       0x8000ULL
#define UNMAPPED_GPA 0x20000ULL
#define CREATION_TSC 123456789ULL
#define HZ           2500000000ULL

static void setup(void)
{
	fake_tsc_set(CREATION_TSC);
	fake_partition_setup(8, 1);
}

static void teardown(void)
{
	fake_partition_teardown();
}

TestSuite(reference_time, .init = setup, .fini = teardown);

static uint64_t rdmsr_ok(uint32_t index)
{
	struct fake_insn_result r = fake_rdmsr(index);

	cr_assert_eq(r.event_inject, 0, "RDMSR %#x faulted", index);
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

/* What a guest computes from the page (TLFS: ((tsc * scale) >> 64) + offset). */
static uint64_t page_time(const struct hv_reference_tsc_page *page, uint64_t tsc)
{
	return (uint64_t)(((unsigned __int128)tsc * page->tsc_scale) >> 64) +
	       (uint64_t)page->tsc_offset;
}

Test(reference_time, no_tsc_frequency_no_clocks)
{
	static const uint32_t msrs[] = {HV_X64_MSR_VP_RUNTIME, HV_X64_MSR_TIME_REF_COUNT,
	                                HV_X64_MSR_REFERENCE_TSC, HV_X64_MSR_TSC_FREQUENCY,
	                                HV_X64_MSR_APIC_FREQUENCY};

	for (size_t i = 0; i < sizeof(msrs) / sizeof(msrs[0]); i++) {
		expect_gp(fake_rdmsr(msrs[i]), "read without clocks");
		expect_gp(fake_wrmsr(msrs[i], 0), "write without clocks");
	}
	cr_expect_eq(hv_partition_reference_time(fake_part.p), 0);
}

Test(reference_time, counts_100ns_units_from_creation)
{
	fake_tsc_install(HZ);
	cr_expect_eq(rdmsr_ok(HV_X64_MSR_TIME_REF_COUNT), 0, "0 at creation");
	fake_tsc_advance(HZ); /* one second */
	cr_expect_leq(10000000ULL - rdmsr_ok(HV_X64_MSR_TIME_REF_COUNT), 1, "10^7 units a second");
	cr_expect_eq(hv_partition_reference_time(fake_part.p), rdmsr_ok(HV_X64_MSR_TIME_REF_COUNT));
	cr_expect_eq(rdmsr_ok(HV_X64_MSR_TSC_FREQUENCY), HZ);
}

Test(reference_time, read_only_msrs_refuse_writes)
{
	fake_tsc_install(HZ);
	hv_partition_set_apic_frequency(fake_part.p, 1000000000ULL);
	expect_gp(fake_wrmsr(HV_X64_MSR_TIME_REF_COUNT, 5), "TIME_REF_COUNT");
	expect_gp(fake_wrmsr(HV_X64_MSR_TSC_FREQUENCY, 5), "TSC_FREQUENCY");
	expect_gp(fake_wrmsr(HV_X64_MSR_APIC_FREQUENCY, 5), "APIC_FREQUENCY");
	expect_gp(fake_wrmsr(HV_X64_MSR_VP_RUNTIME, 5), "VP_RUNTIME");
	cr_expect_eq(rdmsr_ok(HV_X64_MSR_TSC_FREQUENCY), HZ);
}

Test(reference_time, apic_frequency_only_once_the_monitor_gives_it)
{
	fake_tsc_install(HZ);
	expect_gp(fake_rdmsr(HV_X64_MSR_APIC_FREQUENCY), "no APIC frequency yet");
	cr_expect_eq(hv_partition_set_apic_frequency(NULL, 1), HV_STATUS_INVALID_PARAMETER);
	cr_expect_eq(hv_partition_set_apic_frequency(fake_part.p, 1000000000ULL),
	             HV_STATUS_SUCCESS);
	cr_expect_eq(rdmsr_ok(HV_X64_MSR_APIC_FREQUENCY), 1000000000ULL);
}

Test(reference_time, vp_runtime_is_guest_time_in_100ns_units)
{
	fake_tsc_install(HZ);
	cr_expect_eq(rdmsr_ok(HV_X64_MSR_VP_RUNTIME), 0);
	fake_part.vp->synthetic.run_tsc = 3 * HZ; /* what the run loop accumulates */
	cr_expect_leq(30000000ULL - rdmsr_ok(HV_X64_MSR_VP_RUNTIME), 1);
}

Test(reference_time, the_page_holds_the_scale_and_offset)
{
	const struct hv_reference_tsc_page *page = (void *)(fake_part.ram + PAGE_GPA);

	fake_tsc_install(HZ);
	memset(fake_part.ram + PAGE_GPA, 0xee, HV_PAGE_SIZE);
	wrmsr_ok(HV_X64_MSR_REFERENCE_TSC, PAGE_GPA | HV_REFERENCE_TSC_ENABLE);
	cr_expect_eq(rdmsr_ok(HV_X64_MSR_REFERENCE_TSC), PAGE_GPA | HV_REFERENCE_TSC_ENABLE);
	cr_expect_neq(page->tsc_sequence, 0, "valid");
	cr_expect_neq(page->tsc_sequence, 0xffffffffU);
	cr_expect_eq(page->reserved1, 0);
	cr_expect_eq(page->tsc_scale, (uint64_t)(((unsigned __int128)10000000ULL << 64) / HZ),
	             "10^7 * 2^64 / Hz");
	cr_expect_eq(page_time(page, CREATION_TSC), 0, "the offset puts 0 at creation");
	fake_tsc_advance(HZ / 2);
	cr_expect_eq(page_time(page, CREATION_TSC + HZ / 2), rdmsr_ok(HV_X64_MSR_TIME_REF_COUNT));

	/* A second enable is a new sequence; disabling leaves the page as it is. */
	uint32_t seq = page->tsc_sequence;
	wrmsr_ok(HV_X64_MSR_REFERENCE_TSC, PAGE_GPA | HV_REFERENCE_TSC_ENABLE);
	cr_expect_neq(page->tsc_sequence, seq);
	seq = page->tsc_sequence;
	wrmsr_ok(HV_X64_MSR_REFERENCE_TSC, PAGE_GPA);
	cr_expect_eq(page->tsc_sequence, seq);
	cr_expect_eq(rdmsr_ok(HV_X64_MSR_REFERENCE_TSC), PAGE_GPA);
}

Test(reference_time, bad_page_values_are_refused)
{
	uint8_t before[64];

	fake_tsc_install(HZ);
	memcpy(before, fake_part.ram + RO_GPA, sizeof(before));
	expect_gp(fake_wrmsr(HV_X64_MSR_REFERENCE_TSC, PAGE_GPA | HV_REFERENCE_TSC_ENABLE | 2),
	          "reserved bit 1");
	expect_gp(fake_wrmsr(HV_X64_MSR_REFERENCE_TSC, PAGE_GPA | 0x800), "reserved bit 11");
	expect_gp(fake_wrmsr(HV_X64_MSR_REFERENCE_TSC, UNMAPPED_GPA | HV_REFERENCE_TSC_ENABLE),
	          "no RAM there");
	expect_gp(fake_wrmsr(HV_X64_MSR_REFERENCE_TSC, RO_GPA | HV_REFERENCE_TSC_ENABLE),
	          "read-only RAM");
	expect_gp(fake_wrmsr(HV_X64_MSR_REFERENCE_TSC, (1ULL << 52) | HV_REFERENCE_TSC_ENABLE),
	          "beyond the physical-address width");
	cr_expect_arr_eq(fake_part.ram + RO_GPA, before, sizeof(before), "ROM untouched");
	cr_expect_eq(rdmsr_ok(HV_X64_MSR_REFERENCE_TSC), 0, "the MSR kept its value");
	/* An address with no RAM may still be stored while disabled: nothing is written. */
	wrmsr_ok(HV_X64_MSR_REFERENCE_TSC, UNMAPPED_GPA);
	cr_expect_eq(rdmsr_ok(HV_X64_MSR_REFERENCE_TSC), UNMAPPED_GPA);
}

/*
 * The acceptance property, by simulation: for many TSC frequencies and creation times, over
 * TSC values from creation on (small steps, big jumps, up to the top of the 64-bit range), the
 * page and TIME_REF_COUNT agree exactly, never go backwards, and stay within 2 units of the
 * exact (tsc - creation) * 10^7 / Hz.
 */
struct clock_case {
	uint64_t hz;
	uint64_t creation;
};

ParameterizedTestParameters(reference_time, page_and_msr_agree_and_never_go_backwards)
{
	static struct clock_case cases[] = {
	    {2500000000ULL, 0},
	    {1000000000ULL, 123456789ULL},
	    {3123456789ULL, 1ULL << 40},
	    {10000001ULL, 5},
	    {999999999999ULL, 1ULL << 62},
	    {2200000000ULL, 0xFFFFFFFF00000000ULL},
	};
	return cr_make_param_array(struct clock_case, cases, sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct clock_case *c, reference_time, page_and_msr_agree_and_never_go_backwards)
{
	const struct hv_reference_tsc_page *page;
	uint64_t tsc = c->creation, last = 0, step = 1, rng = 0x9e3779b97f4a7c15ULL;

	/* A partition created at c->creation with the host's TSC at c->hz. */
	fake_partition_teardown();
	fake_tsc_set(c->creation);
	fake_partition_setup(8, 1);
	fake_tsc_install(c->hz);
	page = (const void *)(fake_part.ram + PAGE_GPA);
	wrmsr_ok(HV_X64_MSR_REFERENCE_TSC, PAGE_GPA | HV_REFERENCE_TSC_ENABLE);

	for (int i = 0; i < 3000; i++) {
		uint64_t msr, from_page;
		unsigned __int128 exact;

		fake_tsc_set(tsc);
		msr = rdmsr_ok(HV_X64_MSR_TIME_REF_COUNT);
		from_page = page_time(page, tsc);
		cr_assert_eq(from_page, msr, "TSC %#llx: page %llu, MSR %llu",
		             (unsigned long long)tsc, (unsigned long long)from_page,
		             (unsigned long long)msr);
		cr_assert_geq(msr, last, "TSC %#llx: went backwards", (unsigned long long)tsc);
		exact = (unsigned __int128)(tsc - c->creation) * 10000000ULL / c->hz;
		cr_assert((unsigned __int128)msr + 2 >= exact && msr <= exact + 2,
		          "TSC %#llx: %llu is off the exact time", (unsigned long long)tsc,
		          (unsigned long long)msr);
		last = msr;
		/* Steps of 1 tick, then random ones growing to jumps of 2^(10..58) ticks. */
		rng ^= rng << 13;
		rng ^= rng >> 7;
		rng ^= rng << 17;
		step = i < 1000 ? 1 : (rng >> (i < 2000 ? 40 : 6 + (rng & 31)));
		if (__builtin_add_overflow(tsc, step, &tsc))
			break;
	}
}

Test(reference_time, a_partition_cannot_touch_the_page_of_another_through_the_msr)
{
	/* The page address is checked against this partition's own map: ROM and holes refused. */
	fake_tsc_install(HZ);
	expect_gp(fake_wrmsr(HV_X64_MSR_REFERENCE_TSC, 0xfffff000ULL | HV_REFERENCE_TSC_ENABLE),
	          "no RAM at 4 GiB - 4 KiB");
}
