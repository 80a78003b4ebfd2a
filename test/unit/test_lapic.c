/* Unit tests for the xAPIC register page: reset values, RW masks, ESR, priorities, timer count-down. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>

#include "devices/lapic.h"
#include "devices/mmio_bus.h"

static uint64_t now_ns;
static struct lapic apic;
static struct mmio_bus bus;

static uint64_t fake_now(void *opaque)
{
	(void)opaque;
	return now_ns;
}

static void setup(void)
{
	struct clock clk = {.now_ns = fake_now};

	now_ns = 5000;
	lapic_init(&apic, 3, &clk);
	mmio_bus_init(&bus);
	cr_assert_eq(mmio_bus_register(&bus, LAPIC_BASE, LAPIC_SIZE, &lapic_mmio_ops, &apic), 0);
}

static void wr(uint32_t off, uint32_t v)
{
	cr_assert(mmio_bus_write(&bus, LAPIC_BASE + off, &v, 4));
}

static uint32_t rd(uint32_t off)
{
	uint32_t v;

	cr_assert(mmio_bus_read(&bus, LAPIC_BASE + off, &v, 4));
	return v;
}

TestSuite(lapic, .init = setup);

struct reset_case {
	uint32_t offset, value;
};

ParameterizedTestParameters(lapic, reset_values)
{
	static struct reset_case cases[] = {
	    {LAPIC_ID, 0x03000000U},
	    {LAPIC_VERSION, 0x00050014U},
	    {LAPIC_TPR, 0},
	    {LAPIC_APR, 0},
	    {LAPIC_PPR, 0},
	    {LAPIC_EOI, 0},
	    {LAPIC_RRD, 0},
	    {LAPIC_LDR, 0},
	    {LAPIC_DFR, 0xFFFFFFFFU},
	    {LAPIC_SVR, 0xFFU},
	    {LAPIC_ISR, 0},
	    {LAPIC_TMR + 0x70, 0},
	    {LAPIC_IRR + 0x30, 0},
	    {LAPIC_ESR, 0},
	    {LAPIC_LVT_CMCI, 0x10000U},
	    {LAPIC_ICR_LOW, 0},
	    {LAPIC_ICR_HIGH, 0},
	    {LAPIC_LVT_TIMER, 0x10000U},
	    {LAPIC_LVT_THERMAL, 0x10000U},
	    {LAPIC_LVT_PERF, 0x10000U},
	    {LAPIC_LVT_LINT0, 0x10000U},
	    {LAPIC_LVT_LINT1, 0x10000U},
	    {LAPIC_LVT_ERROR, 0x10000U},
	    {LAPIC_TIMER_ICR, 0},
	    {LAPIC_TIMER_CCR, 0},
	    {LAPIC_TIMER_DCR, 0},
	    {0x000, 0},
	    {0x3F0, 0},
	};
	return cr_make_param_array(struct reset_case, cases, sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct reset_case *c, lapic, reset_values, .init = setup)
{
	cr_assert_eq(rd(c->offset), c->value, "offset %#x", c->offset);
}

/* What reads back after writing all ones, with the APIC software-enabled first. */
struct mask_case {
	uint32_t offset, all_ones, zero;
};

ParameterizedTestParameters(lapic, rw_masks)
{
	static struct mask_case cases[] = {
	    {LAPIC_ID, 0xFF000000U, 0},
	    {LAPIC_VERSION, 0x00050014U, 0x00050014U},
	    {LAPIC_TPR, 0xFFU, 0},
	    {LAPIC_LDR, 0xFF000000U, 0},
	    {LAPIC_DFR, 0xFFFFFFFFU, 0x0FFFFFFFU},
	    {LAPIC_SVR, 0x3FFU, 0},
	    {LAPIC_ISR + 0x10, 0, 0},
	    {LAPIC_TMR, 0, 0},
	    {LAPIC_IRR + 0x70, 0, 0},
	    {LAPIC_LVT_CMCI, 0x107FFU, 0},
	    {LAPIC_LVT_TIMER, 0x700FFU, 0},
	    {LAPIC_LVT_THERMAL, 0x107FFU, 0},
	    {LAPIC_LVT_PERF, 0x107FFU, 0},
	    {LAPIC_LVT_LINT0, 0x1A7FFU, 0},
	    {LAPIC_LVT_LINT1, 0x1A7FFU, 0},
	    {LAPIC_LVT_ERROR, 0x100FFU, 0},
	    {LAPIC_ICR_LOW, 0x000CCFFFU, 0},
	    {LAPIC_ICR_HIGH, 0xFF000000U, 0},
	    {LAPIC_TIMER_ICR, 0xFFFFFFFFU, 0},
	    {LAPIC_TIMER_DCR, 0xBU, 0},
	    {LAPIC_PPR, 0, 0},
	    {LAPIC_APR, 0, 0},
	};
	return cr_make_param_array(struct mask_case, cases, sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct mask_case *c, lapic, rw_masks, .init = setup)
{
	wr(LAPIC_SVR, LAPIC_SVR_ENABLE | 0xFF);
	wr(c->offset, 0xFFFFFFFFU);
	cr_assert_eq(rd(c->offset), c->all_ones, "offset %#x", c->offset);
	wr(c->offset, 0);
	cr_assert_eq(rd(c->offset), c->zero, "offset %#x", c->offset);
}

Test(lapic, disabled_apic_keeps_lvts_masked)
{
	wr(LAPIC_LVT_LINT0, 0x700);
	cr_assert_eq(rd(LAPIC_LVT_LINT0), 0x10700U);
	wr(LAPIC_SVR, LAPIC_SVR_ENABLE | 0xFF);
	wr(LAPIC_LVT_LINT0, 0x700);
	cr_assert_eq(rd(LAPIC_LVT_LINT0), 0x700U);
	wr(LAPIC_SVR, 0xFF);
	cr_assert_eq(rd(LAPIC_LVT_LINT0), 0x10700U, "software disable masks every LVT");
}

Test(lapic, esr_latches_on_write)
{
	wr(LAPIC_ICR_LOW, 0x00004005); /* fixed IPI, vector 5: illegal */
	cr_assert_eq(rd(LAPIC_ESR), 0, "not visible before a write to ESR");
	wr(LAPIC_ESR, 0);
	cr_assert_eq(rd(LAPIC_ESR), LAPIC_ESR_SEND_ILLEGAL_VECTOR);
	wr(LAPIC_ESR, 0);
	cr_assert_eq(rd(LAPIC_ESR), 0, "the write cleared what had accumulated");
	wr(LAPIC_ICR_LOW, 0x00000500); /* INIT: the vector does not matter */
	wr(LAPIC_ESR, 0);
	cr_assert_eq(rd(LAPIC_ESR), 0);
}

Test(lapic, ppr_and_apr_follow_tpr)
{
	wr(LAPIC_TPR, 0x45);
	cr_assert_eq(rd(LAPIC_PPR), 0x45);
	cr_assert_eq(rd(LAPIC_APR), 0x45);
	apic.isr[0x61 >> 5] |= 1U << (0x61 & 31);
	cr_assert_eq(rd(LAPIC_PPR), 0x60, "an in-service class above TPR wins");
	cr_assert_eq(rd(LAPIC_APR), 0x60);
	wr(LAPIC_EOI, 0);
	cr_assert_eq(rd(LAPIC_ISR + 0x30), 0, "EOI clears the highest in service");
	cr_assert_eq(rd(LAPIC_PPR), 0x45);
}

/* Divide configuration values and the divisor they select (SDM "Divide Configuration Register"). */
struct divide_case {
	uint32_t dcr, divisor;
};

ParameterizedTestParameters(lapic, timer_divider)
{
	static struct divide_case cases[] = {
	    {0x0, 2}, {0x1, 4}, {0x2, 8}, {0x3, 16}, {0x8, 32}, {0x9, 64}, {0xA, 128}, {0xB, 1},
	};
	return cr_make_param_array(struct divide_case, cases, sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct divide_case *c, lapic, timer_divider, .init = setup)
{
	wr(LAPIC_TIMER_DCR, c->dcr);
	wr(LAPIC_TIMER_ICR, 1000000);
	now_ns += 1000ULL * c->divisor; /* 1 GHz bus: 1000 counts */
	cr_assert_eq(rd(LAPIC_TIMER_CCR), 999000U);
	now_ns += 1000000ULL * c->divisor;
	cr_assert_eq(rd(LAPIC_TIMER_CCR), 0, "one-shot stops at zero");
}

Test(lapic, periodic_reloads)
{
	wr(LAPIC_TIMER_DCR, 0xB);
	wr(LAPIC_LVT_TIMER, LAPIC_LVT_PERIODIC | 0x30); /* still masked: disabled APIC */
	cr_assert_eq(rd(LAPIC_LVT_TIMER), 0x30030U);
	wr(LAPIC_TIMER_ICR, 100);
	now_ns += 250;
	cr_assert_eq(rd(LAPIC_TIMER_CCR), 50);
	wr(LAPIC_TIMER_ICR, 0);
	cr_assert_eq(rd(LAPIC_TIMER_CCR), 0, "an initial count of 0 stops the timer");
}

Test(lapic, divider_change_keeps_the_count)
{
	wr(LAPIC_TIMER_DCR, 0xB);
	wr(LAPIC_TIMER_ICR, 1000);
	now_ns += 100;
	wr(LAPIC_TIMER_DCR, 0x0); /* divide by 2 from here on */
	cr_assert_eq(rd(LAPIC_TIMER_CCR), 900);
	now_ns += 100;
	cr_assert_eq(rd(LAPIC_TIMER_CCR), 850);
}

Test(lapic, only_aligned_dwords_at_register_offsets)
{
	uint8_t b = 0xAA;
	uint64_t q = ~0ULL;
	uint32_t v = 0x12345678;

	cr_assert(mmio_bus_write(&bus, LAPIC_BASE + LAPIC_TPR, &b, 1));
	cr_assert_eq(rd(LAPIC_TPR), 0);
	cr_assert(mmio_bus_write(&bus, LAPIC_BASE + LAPIC_TPR + 4, &v, 4));
	cr_assert_eq(rd(LAPIC_TPR), 0);
	cr_assert(mmio_bus_read(&bus, LAPIC_BASE + LAPIC_VERSION, &q, 8));
	cr_assert_eq(q, 0);
	cr_assert_eq(apic.bad_accesses, 3);
	cr_assert_not(lapic_access_is_valid(0x24, 4));
	cr_assert(lapic_access_is_valid(0x3F0, 4));
}
