/* Host tests of the platform MSRs: reset values, what writes accept and refuse. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>

#include "devices/platform.h"
#include "monitor/lib/errno.h"
#include "monitor/platform_msr.h"

static struct platform_msrs m;

static void setup(void)
{
	platform_msrs_init(&m);
}

TestSuite(platform_msr, .init = setup);

Test(platform_msr, reset_values)
{
	uint64_t v;

	cr_assert_eq(platform_msr_read(&m, MSR_IA32_APIC_BASE, &v), 0);
	cr_expect_eq(v, 0xfee00000ULL | APIC_BASE_ENABLE | APIC_BASE_BSP);
	cr_assert_eq(platform_msr_read(&m, MSR_IA32_MTRRCAP, &v), 0);
	cr_expect_eq(v & 0xff, 8, "eight variable ranges");
	cr_assert_eq(platform_msr_read(&m, MSR_IA32_MTRR_DEF_TYPE, &v), 0);
	cr_expect_eq(v, 0, "MTRRs off at reset");
	cr_assert_eq(platform_msr_read(&m, MSR_IA32_FEATURE_CONTROL, &v), 0);
	cr_expect_eq(v, 1, "locked, VMX off");
	cr_expect_eq(platform_msr_read(&m, 0x12345678, &v), -ENOENT);
}

struct write_case {
	uint32_t index;
	uint64_t value;
	int expected;
};

ParameterizedTestParameters(platform_msr, writes)
{
	static struct write_case cases[] = {
	    {MSR_IA32_APIC_BASE, 0xfee00000ULL, 0}, /* disable the LAPIC */
	    {MSR_IA32_APIC_BASE, 0xfee00000ULL | APIC_BASE_ENABLE, 0},
	    {MSR_IA32_APIC_BASE, 0xfed00000ULL | APIC_BASE_ENABLE, -EINVAL}, /* move it: refused */
	    {MSR_IA32_APIC_BASE, 0xfee00000ULL | (1ULL << 40), -EINVAL},
	    {MSR_IA32_APIC_BASE, 0xfee00000ULL | (1ULL << 10), -EINVAL}, /* x2APIC: not there */
	    {MSR_IA32_MTRR_DEF_TYPE, 0xc06, 0},
	    {MSR_IA32_MTRR_DEF_TYPE, 0xc02, -EINVAL}, /* type 2 is reserved */
	    {MSR_IA32_MTRR_DEF_TYPE, 0x1c06, -EINVAL},
	    {MSR_IA32_MTRR_FIX64K, 0x0606060606060606ULL, 0},
	    {MSR_IA32_MTRR_FIX4K_LAST, 0x0606060606060306ULL, -EINVAL},
	    {MSR_IA32_MTRR_PHYS_FIRST, 0x80000006ULL, 0}, /* base, WB */
	    {MSR_IA32_MTRR_PHYS_FIRST, 0x80000007ULL, -EINVAL},
	    {MSR_IA32_MTRR_PHYS_FIRST + 1, 0xff0000800ULL, 0}, /* mask, valid */
	    {MSR_IA32_MTRR_PHYS_FIRST + 1, 0xff0000801ULL, -EINVAL},
	    {MSR_IA32_MTRRCAP, 0, -ENOENT}, /* read-only */
	    {MSR_IA32_TSC, 12345, 0},
	    {0x40000000, 0, -ENOENT},
	};
	return cr_make_param_array(struct write_case, cases, sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct write_case *c, platform_msr, writes)
{
	uint64_t before = 0, after = 0;
	int rc;

	platform_msr_read(&m, c->index, &before);
	rc = platform_msr_write(&m, c->index, c->value);
	cr_expect_eq(rc, c->expected, "WRMSR %#x <- %#llx", c->index, (unsigned long long)c->value);
	if (rc == 0 && c->index != MSR_IA32_TSC && c->index != MSR_IA32_APIC_BASE) {
		platform_msr_read(&m, c->index, &after);
		cr_expect_eq(after, c->value, "reads back");
	}
	if (rc != 0 && c->index != MSR_IA32_MTRRCAP && platform_msr_read(&m, c->index, &after) == 0)
		cr_expect_eq(after, before, "a refused write changes nothing");
}

Test(platform_msr, apic_enable_bit_follows_writes)
{
	uint64_t v;

	cr_assert_eq(platform_msr_write(&m, MSR_IA32_APIC_BASE, 0xfee00000ULL), 0);
	platform_msr_read(&m, MSR_IA32_APIC_BASE, &v);
	cr_expect_eq(v, 0xfee00000ULL | APIC_BASE_BSP, "EN cleared, BSP stays");
	cr_expect_eq(m.tsc_writes_ignored, 0);
}

Test(platform_msr, apic_msrs_absent_without_a_platform)
{
	uint64_t v;

	cr_expect_eq(platform_msr_read(&m, MSR_X2APIC_FIRST + 2, &v), -ENOENT);
	cr_expect_eq(platform_msr_write(&m, MSR_IA32_TSC_DEADLINE, 1), -ENOENT);
}

/* Attached: IA32_APIC_BASE is the current VP's local APIC's, with the x2APIC transitions. */
Test(platform_msr, attached_apic_base_and_x2apic)
{
	static struct platform p;
	struct platform_config cfg = {.ram_size = 1ULL << 20, .cpu_count = 1};
	uint64_t v;

	cr_assert_eq(platform_init(&p, &cfg), 0);
	platform_msrs_attach(&m, &p);
	cr_assert_eq(platform_msr_read(&m, MSR_IA32_APIC_BASE, &v), 0);
	cr_expect_eq(v, 0xfee00000ULL | APIC_BASE_ENABLE | APIC_BASE_BSP);
	cr_expect_eq(platform_msr_write(&m, MSR_IA32_APIC_BASE, v | APIC_BASE_X2APIC), 0);
	cr_expect(lapic_is_x2apic(&p.lapic[0]));
	cr_expect_eq(platform_msr_read(&m, MSR_X2APIC_FIRST + 3, &v), 0);
	cr_expect_eq(v, LAPIC_VERSION_VALUE);
	cr_expect_eq(platform_msr_write(&m, MSR_X2APIC_FIRST + 3, 0), -EINVAL, "read-only: #GP");
	cr_expect_eq(platform_msr_write(&m, MSR_IA32_APIC_BASE, 0xfee00000ULL | APIC_BASE_ENABLE),
	             -EINVAL, "x2APIC to xAPIC: #GP");
	cr_expect_eq(platform_msr_write(&m, MSR_IA32_APIC_BASE, 0xfee00000ULL), 0, "to disabled");
	cr_expect_eq(platform_msr_read(&m, MSR_X2APIC_FIRST + 3, &v), -EINVAL);
	cr_expect_eq(platform_msr_write(&m, MSR_IA32_APIC_BASE,
	                                0xfee00000ULL | APIC_BASE_X2APIC | APIC_BASE_ENABLE),
	             -EINVAL, "disabled to x2APIC: #GP");
	cr_expect_eq(platform_msr_read(&m, MSR_IA32_MTRRCAP, &v), 0, "the rest is unchanged");
}
