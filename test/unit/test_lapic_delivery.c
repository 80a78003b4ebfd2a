/* Unit tests for local APIC delivery: IRR/ISR, priorities, EOI, LVT, self-IPIs, the timer's modes. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>

#include "devices/lapic.h"
#include "devices/mmio_bus.h"
#include "fakes/fake_clock.h"
#include "monitor/lib/errno.h"

static struct fake_clock fc;
static struct lapic apic;
static struct mmio_bus bus;
static uint8_t eoi_seen[8];
static unsigned nr_eoi;

static void record_eoi(void *opaque, uint8_t vector)
{
	(void)opaque;
	if (nr_eoi < sizeof(eoi_seen))
		eoi_seen[nr_eoi] = vector;
	nr_eoi++;
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

/* An enabled APIC (SVR 0x1FF), as an OS leaves it, with EOIs recorded. */
static void setup(void)
{
	struct clock clk;

	fc = (struct fake_clock){.now_ns = 1000, .tsc_hz = 2000000000ULL, .tsc_origin = 77};
	clk = fake_clock_source(&fc);
	lapic_init(&apic, 0, &clk);
	lapic_set_bus(&apic, &(struct lapic_bus){.eoi = record_eoi});
	nr_eoi = 0;
	mmio_bus_init(&bus);
	cr_assert_eq(mmio_bus_register(&bus, LAPIC_BASE, LAPIC_SIZE, &lapic_mmio_ops, &apic), 0);
	wr(LAPIC_SVR, 0x1FF);
}

static bool irr_has(uint8_t v)
{
	return (rd(LAPIC_IRR + (v >> 5) * 0x10U) >> (v & 31U)) & 1U;
}

static bool isr_has(uint8_t v)
{
	return (rd(LAPIC_ISR + (v >> 5) * 0x10U) >> (v & 31U)) & 1U;
}

/* Take what the APIC offers, as the processor would: returns the vector or -1. */
static int take(void)
{
	int v = lapic_pending_vector(&apic);

	if (v >= 0)
		lapic_vector_taken(&apic, (uint8_t)v);
	return v;
}

TestSuite(lapic_delivery, .init = setup);

Test(lapic_delivery, highest_vector_first_and_eoi_order)
{
	cr_assert(lapic_accept(&apic, 0x41, false, false));
	cr_assert(lapic_accept(&apic, 0x92, false, false));
	cr_assert(lapic_accept(&apic, 0x50, false, false));
	cr_assert_eq(take(), 0x92);
	cr_assert(isr_has(0x92));
	cr_assert_not(irr_has(0x92));
	cr_assert_eq(lapic_pending_vector(&apic), -1,
	             "0x50 and 0x41 are below the in-service 0x92");
	wr(LAPIC_EOI, 0);
	cr_assert_not(isr_has(0x92));
	cr_assert_eq(take(), 0x50);
	cr_assert_eq(lapic_pending_vector(&apic), -1, "same class 0x4 < 0x5 in service");
	wr(LAPIC_EOI, 0);
	cr_assert_eq(take(), 0x41);
	wr(LAPIC_EOI, 0);
	cr_assert_eq(take(), -1);
	cr_assert_eq(nr_eoi, 0, "edge-triggered vectors broadcast no EOI");
}

Test(lapic_delivery, nesting_by_priority_class)
{
	cr_assert(lapic_accept(&apic, 0x40, false, false));
	cr_assert_eq(take(), 0x40);
	cr_assert(lapic_accept(&apic, 0x4F, false, false));
	cr_assert_eq(lapic_pending_vector(&apic), -1, "same class does not nest");
	cr_assert(lapic_accept(&apic, 0x50, false, false));
	cr_assert_eq(take(), 0x50, "a higher class nests");
	wr(LAPIC_EOI, 0); /* ends 0x50, the highest in service */
	cr_assert(isr_has(0x40));
	cr_assert_not(isr_has(0x50));
}

Test(lapic_delivery, tpr_masks_by_class)
{
	cr_assert(lapic_accept(&apic, 0x55, false, false));
	wr(LAPIC_TPR, 0x50);
	cr_assert_eq(rd(LAPIC_PPR), 0x50);
	cr_assert_eq(lapic_pending_vector(&apic), -1, "class 5 is not above TPR class 5");
	lapic_set_tpr(&apic, 0x4F);
	cr_assert_eq(rd(LAPIC_TPR), 0x4F);
	cr_assert_eq(lapic_tpr(&apic), 0x4F);
	cr_assert_eq(lapic_pending_vector(&apic), 0x55);
}

Test(lapic_delivery, software_disabled_holds_requests)
{
	wr(LAPIC_SVR, 0xFF);
	cr_assert(lapic_accept(&apic, 0x60, false, false));
	cr_assert_eq(lapic_pending_vector(&apic), -1, "not delivered while software-disabled");
	wr(LAPIC_SVR, 0x1FF);
	cr_assert_eq(lapic_pending_vector(&apic), 0x60, "held in IRR until enabled");
}

Test(lapic_delivery, spurious_vector_register)
{
	wr(LAPIC_SVR, 0x1EF);
	cr_assert_eq(rd(LAPIC_SVR), 0x1EF, "all 8 vector bits are writable");
	wr(LAPIC_SVR, 0xFFFFFFFFU);
	cr_assert_eq(rd(LAPIC_SVR), 0x3FF, "focus-disable kept, reserved bits dropped");
}

Test(lapic_delivery, illegal_vectors_are_refused)
{
	wr(LAPIC_LVT_ERROR, 0xE0);
	cr_assert_not(lapic_accept(&apic, 15, false, false));
	cr_assert_not(irr_has(15));
	wr(LAPIC_ESR, 0);
	cr_assert_eq(rd(LAPIC_ESR), LAPIC_ESR_RECV_ILLEGAL_VECTOR);
	cr_assert(irr_has(0xE0), "the error LVT reports it");
	cr_assert(lapic_accept(&apic, 16, false, false), "16 is the lowest legal vector");
}

Test(lapic_delivery, level_vector_eoi_is_broadcast)
{
	cr_assert(lapic_accept(&apic, 0x71, true, false));
	cr_assert((rd(LAPIC_TMR + 0x30) >> 17) & 1U, "TMR marks level-triggered");
	cr_assert_eq(take(), 0x71);
	wr(LAPIC_EOI, 0);
	cr_assert_eq(nr_eoi, 1);
	cr_assert_eq(eoi_seen[0], 0x71);
	cr_assert_not((rd(LAPIC_TMR + 0x30) >> 17) & 1U);
}

Test(lapic_delivery, eoi_with_nothing_in_service)
{
	wr(LAPIC_EOI, 0);
	cr_assert_eq(nr_eoi, 0);
	cr_assert_eq(rd(LAPIC_PPR), 0);
}

Test(lapic_delivery, auto_eoi_skips_isr)
{
	cr_assert(lapic_accept(&apic, 0x93, false, true));
	cr_assert_eq(take(), 0x93);
	cr_assert_not(isr_has(0x93));
	cr_assert_eq(rd(LAPIC_PPR), 0, "nothing in service");
	cr_assert(lapic_accept(&apic, 0x93, false, false));
	cr_assert_eq(take(), 0x93);
	cr_assert(isr_has(0x93), "auto-EOI was for that one request only");
}

Test(lapic_delivery, taking_a_vector_not_requested_changes_nothing)
{
	lapic_vector_taken(&apic, 0x80);
	cr_assert_not(isr_has(0x80));
}

Test(lapic_delivery, self_ipi_by_shorthand_and_by_id)
{
	wr(LAPIC_ICR_LOW, LAPIC_SH_SELF | 0x66);
	cr_assert(irr_has(0x66));
	wr(LAPIC_ICR_HIGH, 0x00000000U); /* destination: our own ID 0 */
	wr(LAPIC_ICR_LOW, 0x67);
	cr_assert(irr_has(0x67), "a physical destination of our ID reaches us without a bus");
	wr(LAPIC_ICR_HIGH, 0x05000000U);
	wr(LAPIC_ICR_LOW, 0x68);
	cr_assert_not(irr_has(0x68), "another ID: nobody (no bus)");
	wr(LAPIC_ICR_LOW, LAPIC_SH_ALL_BUT_SELF | 0x69);
	cr_assert_not(irr_has(0x69));
	wr(LAPIC_ICR_LOW, LAPIC_SH_ALL | 0x6A);
	cr_assert(irr_has(0x6A));
}

Test(lapic_delivery, nmi_ipi_to_self)
{
	wr(LAPIC_ICR_HIGH, 0);
	wr(LAPIC_ICR_LOW, LAPIC_DM_NMI);
	cr_assert(lapic_take_nmi(&apic));
	cr_assert_not(lapic_take_nmi(&apic), "once");
	wr(LAPIC_ICR_LOW, LAPIC_SH_SELF | LAPIC_DM_NMI);
	cr_assert_not(lapic_take_nmi(&apic), "shorthand self allows fixed only");
}

Test(lapic_delivery, illegal_ipi_vector_sets_esr)
{
	wr(LAPIC_ICR_LOW, LAPIC_SH_SELF | 0x03);
	cr_assert_not(irr_has(0x03));
	wr(LAPIC_ESR, 0);
	cr_assert_eq(rd(LAPIC_ESR), LAPIC_ESR_SEND_ILLEGAL_VECTOR);
}

Test(lapic_delivery, init_and_sipi_are_ignored)
{
	wr(LAPIC_ICR_HIGH, 0);
	wr(LAPIC_ICR_LOW, LAPIC_DM_INIT | LAPIC_ICR_LEVEL_ASSERT);
	wr(LAPIC_ICR_LOW, LAPIC_DM_STARTUP | 0x10);
	cr_assert_eq(apic.ipis_ignored, 2);
	cr_assert_eq(lapic_pending_vector(&apic), -1);
}

Test(lapic_delivery, lint_fixed_edge_and_nmi)
{
	wr(LAPIC_LVT_LINT0, 0x45);
	wr(LAPIC_LVT_LINT1, LAPIC_DM_NMI);
	lapic_set_lint(&apic, 0, true);
	cr_assert(irr_has(0x45));
	cr_assert_eq(take(), 0x45);
	wr(LAPIC_EOI, 0);
	lapic_set_lint(&apic, 0, true);
	cr_assert_not(irr_has(0x45), "no new edge");
	lapic_set_lint(&apic, 1, true);
	cr_assert(lapic_take_nmi(&apic));
	lapic_set_lint(&apic, 1, true);
	cr_assert_not(lapic_take_nmi(&apic), "NMI on the rising edge only");
}

Test(lapic_delivery, lint_level_uses_remote_irr)
{
	wr(LAPIC_LVT_LINT0, LAPIC_LVT_LEVEL | 0x46);
	lapic_set_lint(&apic, 0, true);
	cr_assert(rd(LAPIC_LVT_LINT0) & LAPIC_LVT_REMOTE_IRR);
	cr_assert_eq(take(), 0x46);
	wr(LAPIC_EOI, 0);
	cr_assert(irr_has(0x46), "still asserted after the EOI: requested again");
	cr_assert_eq(take(), 0x46);
	lapic_set_lint(&apic, 0, false);
	wr(LAPIC_EOI, 0);
	cr_assert_not(rd(LAPIC_LVT_LINT0) & LAPIC_LVT_REMOTE_IRR);
	cr_assert_not(irr_has(0x46));
}

Test(lapic_delivery, masked_lint_does_nothing)
{
	wr(LAPIC_LVT_LINT0, LAPIC_LVT_MASKED | 0x45);
	lapic_set_lint(&apic, 0, true);
	cr_assert_eq(lapic_pending_vector(&apic), -1);
	lapic_set_lint(&apic, 9, true); /* no such pin */
	cr_assert_eq(lapic_pending_vector(&apic), -1);
}

Test(lapic_delivery, extint_follows_lint0_and_enable)
{
	cr_assert_not(lapic_lint0_extint(&apic), "reset: masked");
	wr(LAPIC_LVT_LINT0, LAPIC_DM_EXTINT);
	cr_assert(lapic_lint0_extint(&apic));
	wr(LAPIC_SVR, 0xFF);
	cr_assert_not(lapic_lint0_extint(&apic), "software disable masks LINT0");
	cr_assert_eq(lapic_set_base_msr(&apic, LAPIC_BASE | LAPIC_BASE_BSP), 0);
	cr_assert(lapic_lint0_extint(&apic), "globally disabled: LINT0 is the INTR pin");
}

Test(lapic_delivery, virtual_wire_bsp)
{
	struct lapic bsp;

	lapic_init(&bsp, 0, NULL);
	lapic_set_virtual_wire(&bsp);
	cr_assert(lapic_lint0_extint(&bsp), "with SVR still 0xFF, as firmware boots");
	cr_assert_eq(lapic_set_base_msr(&bsp, LAPIC_BASE | LAPIC_BASE_BSP), 0);
	cr_assert_eq(lapic_set_base_msr(&bsp, LAPIC_BASE | LAPIC_BASE_BSP | LAPIC_BASE_EN), 0);
	cr_assert(lapic_lint0_extint(&bsp), "and after a reset through IA32_APIC_BASE");
}

/* ---- Timer ---- */

static void start_timer(uint32_t lvt, uint32_t dcr, uint32_t count)
{
	wr(LAPIC_TIMER_DCR, dcr);
	wr(LAPIC_LVT_TIMER, lvt);
	wr(LAPIC_TIMER_ICR, count);
}

Test(lapic_delivery, one_shot_fires_once_at_its_time)
{
	start_timer(0x30, 0xB, 500); /* divide by 1: 500 ns */
	cr_assert_eq(lapic_next_event_ns(&apic), 1500);
	fc.now_ns = 1499;
	cr_assert_eq(lapic_pending_vector(&apic), -1);
	fc.now_ns = 1500;
	cr_assert_eq(take(), 0x30);
	cr_assert_eq(lapic_next_event_ns(&apic), UINT64_MAX, "one-shot: done");
	cr_assert_eq(rd(LAPIC_TIMER_CCR), 0);
	wr(LAPIC_EOI, 0);
	fc.now_ns = 1000000;
	cr_assert_eq(take(), -1, "never again");
}

Test(lapic_delivery, periodic_fires_each_period_coalescing_missed_ones)
{
	start_timer(LAPIC_LVT_PERIODIC | 0x31, 0x0, 100); /* divide by 2: 200 ns */
	cr_assert_eq(lapic_next_event_ns(&apic), 1200);
	fc.now_ns = 1200;
	cr_assert_eq(take(), 0x31);
	wr(LAPIC_EOI, 0);
	cr_assert_eq(lapic_next_event_ns(&apic), 1400);
	fc.now_ns = 2150; /* 1400, 1600, 1800, 2000 went by */
	cr_assert_eq(take(), 0x31, "several periods: one request");
	wr(LAPIC_EOI, 0);
	cr_assert_eq(take(), -1);
	cr_assert_eq(lapic_next_event_ns(&apic), 2200, "the phase is kept");
	cr_assert_eq(rd(LAPIC_TIMER_CCR), 25);
}

Test(lapic_delivery, periodic_request_waits_while_vector_pending)
{
	start_timer(LAPIC_LVT_PERIODIC | 0x31, 0xB, 100);
	fc.now_ns = 1100;
	lapic_update(&apic);
	fc.now_ns = 1200;
	lapic_update(&apic);
	cr_assert_eq(take(), 0x31);
	cr_assert_eq(take(), -1, "the IRR bit holds one request");
}

Test(lapic_delivery, masked_timer_counts_without_interrupting)
{
	start_timer(LAPIC_LVT_MASKED | LAPIC_LVT_PERIODIC | 0x32, 0xB, 100);
	cr_assert_eq(lapic_next_event_ns(&apic), UINT64_MAX, "masked: nothing to wake for");
	fc.now_ns = 1550;
	cr_assert_eq(take(), -1);
	cr_assert_eq(rd(LAPIC_TIMER_CCR), 50);
	wr(LAPIC_LVT_TIMER, LAPIC_LVT_PERIODIC | 0x32);
	cr_assert_eq(take(), -1, "periods that passed while masked are not delivered");
	cr_assert_eq(lapic_next_event_ns(&apic), 1600);
	fc.now_ns = 1600;
	cr_assert_eq(take(), 0x32);
}

Test(lapic_delivery, divider_change_moves_the_next_expiry)
{
	start_timer(0x33, 0xB, 1000);
	fc.now_ns = 1400;         /* 600 left */
	wr(LAPIC_TIMER_DCR, 0x1); /* divide by 4 */
	cr_assert_eq(rd(LAPIC_TIMER_CCR), 600);
	cr_assert_eq(lapic_next_event_ns(&apic), 1400 + 600 * 4);
	fc.now_ns = 1400 + 600 * 4 - 1;
	cr_assert_eq(take(), -1);
	fc.now_ns++;
	cr_assert_eq(take(), 0x33);
}

Test(lapic_delivery, new_initial_count_restarts)
{
	start_timer(0x34, 0xB, 1000);
	fc.now_ns = 1900;
	wr(LAPIC_TIMER_ICR, 1000);
	fc.now_ns = 2000;
	cr_assert_eq(take(), -1, "restarted at 1900");
	cr_assert_eq(lapic_next_event_ns(&apic), 2900);
	wr(LAPIC_TIMER_ICR, 0);
	cr_assert_eq(lapic_next_event_ns(&apic), UINT64_MAX, "0 stops it");
	fc.now_ns = 5000;
	cr_assert_eq(take(), -1);
}

Test(lapic_delivery, oneshot_to_periodic_keeps_counting)
{
	start_timer(0x35, 0xB, 1000);
	fc.now_ns = 1300;
	wr(LAPIC_LVT_TIMER, LAPIC_LVT_PERIODIC | 0x35);
	cr_assert_eq(lapic_next_event_ns(&apic), 2000);
	fc.now_ns = 2000;
	cr_assert_eq(take(), 0x35);
	wr(LAPIC_EOI, 0);
	cr_assert_eq(lapic_next_event_ns(&apic), 3000, "reloads from the initial count");
}

Test(lapic_delivery, timer_with_illegal_vector_reports_error)
{
	start_timer(0x05, 0xB, 10);
	fc.now_ns = 2000;
	cr_assert_eq(take(), -1);
	wr(LAPIC_ESR, 0);
	cr_assert_eq(rd(LAPIC_ESR), LAPIC_ESR_RECV_ILLEGAL_VECTOR);
}

Test(lapic_delivery, software_disable_stops_timer_interrupts)
{
	start_timer(LAPIC_LVT_PERIODIC | 0x36, 0xB, 100);
	wr(LAPIC_SVR, 0xFF);
	cr_assert_eq(lapic_next_event_ns(&apic), UINT64_MAX);
	fc.now_ns = 5000;
	wr(LAPIC_SVR, 0x1FF);
	cr_assert_eq(take(), -1, "the LVT stays masked until rewritten");
}

Test(lapic_delivery, tsc_deadline_fires_at_the_tsc_value)
{
	uint64_t deadline = fake_clock_tsc_at(&fc, 5000), v;

	wr(LAPIC_LVT_TIMER, LAPIC_LVT_TSC_DEADLINE | 0x37);
	cr_assert_eq(lapic_next_event_ns(&apic), UINT64_MAX, "disarmed");
	cr_assert_eq(lapic_msr_write(&apic, LAPIC_MSR_TSC_DEADLINE, deadline), 0);
	cr_assert_eq(lapic_msr_read(&apic, LAPIC_MSR_TSC_DEADLINE, &v), 0);
	cr_assert_eq(v, deadline);
	cr_assert_eq(lapic_next_event_ns(&apic), 5000);
	wr(LAPIC_TIMER_ICR, 10);
	cr_assert_eq(rd(LAPIC_TIMER_ICR), 0, "initial count ignored in TSC-deadline mode");
	fc.now_ns = 4999;
	cr_assert_eq(take(), -1);
	fc.now_ns = 5000;
	cr_assert_eq(take(), 0x37);
	cr_assert_eq(lapic_msr_read(&apic, LAPIC_MSR_TSC_DEADLINE, &v), 0);
	cr_assert_eq(v, 0, "fired: disarmed");
	cr_assert_eq(lapic_next_event_ns(&apic), UINT64_MAX);
}

Test(lapic_delivery, tsc_deadline_in_the_past_fires_at_once)
{
	wr(LAPIC_LVT_TIMER, LAPIC_LVT_TSC_DEADLINE | 0x38);
	cr_assert_eq(lapic_msr_write(&apic, LAPIC_MSR_TSC_DEADLINE, 1), 0);
	cr_assert_eq(take(), 0x38);
}

Test(lapic_delivery, tsc_deadline_zero_disarms_and_mode_change_disarms)
{
	uint64_t v;

	wr(LAPIC_LVT_TIMER, LAPIC_LVT_TSC_DEADLINE | 0x39);
	cr_assert_eq(lapic_msr_write(&apic, LAPIC_MSR_TSC_DEADLINE, fake_clock_tsc_at(&fc, 9000)),
	             0);
	cr_assert_eq(lapic_msr_write(&apic, LAPIC_MSR_TSC_DEADLINE, 0), 0);
	cr_assert_eq(lapic_next_event_ns(&apic), UINT64_MAX);
	cr_assert_eq(lapic_msr_write(&apic, LAPIC_MSR_TSC_DEADLINE, fake_clock_tsc_at(&fc, 9000)),
	             0);
	wr(LAPIC_LVT_TIMER, 0x39); /* back to one-shot */
	cr_assert_eq(lapic_next_event_ns(&apic), UINT64_MAX);
	fc.now_ns = 10000;
	cr_assert_eq(take(), -1);
	cr_assert_eq(lapic_msr_write(&apic, LAPIC_MSR_TSC_DEADLINE, 12345), 0);
	cr_assert_eq(lapic_msr_read(&apic, LAPIC_MSR_TSC_DEADLINE, &v), 0);
	cr_assert_eq(v, 0, "ignored outside TSC-deadline mode");
}

Test(lapic_delivery, tsc_deadline_without_conversion_is_ns)
{
	struct lapic a;
	struct clock clk = {.now_ns = NULL};

	lapic_init(&a, 1, &clk);
	a.svr = 0x1FF;
	a.lvt[LAPIC_LVT_SLOT_TIMER] = LAPIC_LVT_TSC_DEADLINE | 0x40;
	cr_assert_eq(lapic_msr_write(&a, LAPIC_MSR_TSC_DEADLINE, 700), 0);
	cr_assert_eq(lapic_next_event_ns(&a), 700);
}

/* Timer interrupt rates: count firings over a span, stepping the clock finely. */
struct rate_case {
	uint32_t dcr, count;
	uint64_t span_ns, expected;
};

ParameterizedTestParameters(lapic_delivery, periodic_rate)
{
	static struct rate_case cases[] = {
	    {0xB, 1000, 100000, 100}, /* 1 us period */
	    {0x3, 625, 1000000, 100}, /* 16 * 625 = 10 us */
	    {0xA, 1, 12800, 100},     /* 128 ns */
	};
	return cr_make_param_array(struct rate_case, cases, sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct rate_case *c, lapic_delivery, periodic_rate, .init = setup)
{
	uint64_t end = fc.now_ns + c->span_ns, fired = 0;

	start_timer(LAPIC_LVT_PERIODIC | 0x50, c->dcr, c->count);
	for (;;) {
		uint64_t next = lapic_next_event_ns(&apic);

		if (next > end)
			break;
		cr_assert_gt(next, fc.now_ns - 1);
		fc.now_ns = next;
		if (take() == 0x50) {
			fired++;
			wr(LAPIC_EOI, 0);
		}
	}
	cr_assert_eq(fired, c->expected);
}

Test(lapic_delivery, no_timer_event_while_its_vector_waits)
{
	start_timer(LAPIC_LVT_PERIODIC | 0x51, 0xB, 10);
	fc.now_ns = 1010;
	cr_assert_eq(lapic_pending_vector(&apic), 0x51);
	cr_assert_eq(lapic_next_event_ns(&apic), UINT64_MAX, "another expiry changes nothing");
	lapic_vector_taken(&apic, 0x51);
	cr_assert_eq(lapic_next_event_ns(&apic), 1020);
}
