/* Unit tests for IA32_APIC_BASE transitions and the x2APIC MSR interface (reads, writes, #GP cases). */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>

#include "devices/lapic.h"
#include "devices/mmio_bus.h"
#include "fakes/fake_clock.h"
#include "monitor/lib/errno.h"

#define XAPIC  (LAPIC_BASE | LAPIC_BASE_EN)
#define X2APIC (LAPIC_BASE | LAPIC_BASE_EN | LAPIC_BASE_EXTD)

static struct fake_clock fc;
static struct lapic apic;

static void setup(void)
{
	struct clock clk;

	fc = (struct fake_clock){.now_ns = 1000};
	clk = fake_clock_source(&fc);
	lapic_init(&apic, 0x25, &clk);
}

static void to_x2apic(void)
{
	cr_assert_eq(lapic_set_base_msr(&apic, X2APIC), 0);
	cr_assert(lapic_is_x2apic(&apic));
}

static uint64_t msr(uint32_t index)
{
	uint64_t v = 0xDEAD;

	cr_assert_eq(lapic_msr_read(&apic, index, &v), 0, "read of %#x", index);
	return v;
}

TestSuite(lapic_x2apic, .init = setup);

/* IA32_APIC_BASE: legal and illegal transitions (SDM "x2APIC State Transitions"). */
struct base_case {
	uint64_t from, to;
	int expected;
};

ParameterizedTestParameters(lapic_x2apic, base_transitions)
{
	static struct base_case cases[] = {
	    {XAPIC, XAPIC, 0},
	    {XAPIC, X2APIC, 0},
	    {XAPIC, LAPIC_BASE, 0},
	    {X2APIC, X2APIC, 0},
	    {X2APIC, LAPIC_BASE, 0},
	    {X2APIC, XAPIC, -EINVAL},      /* x2APIC to xAPIC only through disabled */
	    {LAPIC_BASE, X2APIC, -EINVAL}, /* disabled to x2APIC only through xAPIC */
	    {LAPIC_BASE, XAPIC, 0},
	    {XAPIC, LAPIC_BASE | LAPIC_BASE_EXTD, -EINVAL},  /* EXTD without EN is invalid */
	    {XAPIC, XAPIC | (1ULL << 9), -EINVAL},           /* reserved bit */
	    {XAPIC, XAPIC | (1ULL << 40), -EINVAL},          /* above MAXPHYADDR's base */
	    {XAPIC, 0xFED00000ULL | LAPIC_BASE_EN, -EINVAL}, /* the page does not move */
	};
	return cr_make_param_array(struct base_case, cases, sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct base_case *c, lapic_x2apic, base_transitions, .init = setup)
{
	if (c->from & LAPIC_BASE_EXTD)
		cr_assert_eq(lapic_set_base_msr(&apic, XAPIC), 0);
	cr_assert_eq(lapic_set_base_msr(&apic, c->from), 0);
	cr_assert_eq(lapic_set_base_msr(&apic, c->to), c->expected, "%#lx -> %#lx",
	             (unsigned long)c->from, (unsigned long)c->to);
	cr_assert_eq(lapic_base_msr(&apic), c->expected == 0 ? c->to : c->from);
}

Test(lapic_x2apic, bsp_flag_and_reset_value)
{
	struct lapic bsp;

	lapic_init(&bsp, 0, NULL);
	cr_assert_eq(lapic_base_msr(&bsp), XAPIC | LAPIC_BASE_BSP);
	cr_assert_eq(lapic_base_msr(&apic), XAPIC, "APIC ID 0x25 is not the BSP");
	cr_assert_eq(lapic_set_base_msr(&bsp, XAPIC), 0);
	cr_assert_eq(lapic_base_msr(&bsp), XAPIC | LAPIC_BASE_BSP, "the BSP flag is not writable");
	cr_assert_eq(lapic_set_base_msr(&apic, XAPIC | LAPIC_BASE_BSP), 0);
	cr_assert_eq(lapic_base_msr(&apic), XAPIC);
}

Test(lapic_x2apic, disabling_resets_the_state)
{
	apic.svr = 0x1FF;
	cr_assert(lapic_accept(&apic, 0x40, false, false));
	apic.tpr = 0x20;
	cr_assert_eq(lapic_set_base_msr(&apic, LAPIC_BASE), 0);
	cr_assert_not(lapic_accept(&apic, 0x41, false, false), "a disabled APIC takes nothing");
	cr_assert_eq(lapic_pending_vector(&apic), -1);
	cr_assert_eq(lapic_set_base_msr(&apic, XAPIC), 0);
	cr_assert_eq(apic.svr, LAPIC_SVR_RESET);
	cr_assert_eq(apic.tpr, 0);
	cr_assert_eq(apic.irr[2], 0);
	cr_assert_eq(apic.lvt[LAPIC_LVT_SLOT_TIMER], LAPIC_LVT_MASKED);
}

Test(lapic_x2apic, msrs_fault_outside_x2apic_mode)
{
	uint64_t v;

	cr_assert_eq(lapic_msr_read(&apic, 0x802, &v), -EINVAL);
	cr_assert_eq(lapic_msr_write(&apic, 0x808, 0), -EINVAL);
	cr_assert_eq(lapic_msr_read(&apic, 0x900, &v), -ENOENT, "not an APIC MSR");
	cr_assert_eq(lapic_msr_read(&apic, 0x7FF, &v), -ENOENT);
}

Test(lapic_x2apic, mmio_gone_in_x2apic_mode)
{
	struct mmio_bus bus;
	uint32_t v = 0x80;

	mmio_bus_init(&bus);
	cr_assert_eq(mmio_bus_register(&bus, LAPIC_BASE, LAPIC_SIZE, &lapic_mmio_ops, &apic), 0);
	to_x2apic();
	cr_assert(mmio_bus_write(&bus, LAPIC_BASE + LAPIC_TPR, &v, 4));
	cr_assert_eq(msr(0x808), 0, "the MMIO write went nowhere");
	cr_assert(mmio_bus_read(&bus, LAPIC_BASE + LAPIC_VERSION, &v, 4));
	cr_assert_eq(v, 0);
	cr_assert_eq(apic.mmio_while_off, 2);
}

Test(lapic_x2apic, id_version_ldr)
{
	to_x2apic();
	cr_assert_eq(msr(0x802), 0x25, "the x2APIC ID, not shifted");
	cr_assert_eq(msr(0x803), LAPIC_VERSION_VALUE);
	/* Cluster 0x25 >> 4 = 2, bit 0x25 & 15 = 5. */
	cr_assert_eq(msr(0x80D), (2U << 16) | (1U << 5));
}

Test(lapic_x2apic, registers_round_trip)
{
	to_x2apic();
	cr_assert_eq(lapic_msr_write(&apic, 0x80F, 0x1FF), 0);
	cr_assert_eq(msr(0x80F), 0x1FF);
	cr_assert_eq(lapic_msr_write(&apic, 0x808, 0x30), 0);
	cr_assert_eq(msr(0x808), 0x30);
	cr_assert_eq(msr(0x80A), 0x30, "PPR");
	cr_assert_eq(lapic_msr_write(&apic, 0x832, 0x40), 0);
	cr_assert_eq(msr(0x832), 0x40);
	cr_assert_eq(lapic_msr_write(&apic, 0x83E, 0xB), 0);
	cr_assert_eq(lapic_msr_write(&apic, 0x838, 100), 0);
	cr_assert_eq(msr(0x838), 100);
	fc.now_ns += 40;
	cr_assert_eq(msr(0x839), 60);
	cr_assert_eq(lapic_msr_write(&apic, 0x828, 0), 0, "ESR: write 0");
}

Test(lapic_x2apic, eoi_and_isr)
{
	to_x2apic();
	cr_assert_eq(lapic_msr_write(&apic, 0x80F, 0x1FF), 0);
	cr_assert(lapic_accept(&apic, 0x61, false, false));
	cr_assert_eq(msr(0x823), 1U << 1, "IRR 0x60-0x7F");
	cr_assert_eq(lapic_pending_vector(&apic), 0x61);
	lapic_vector_taken(&apic, 0x61);
	cr_assert_eq(msr(0x813), 1U << 1, "ISR 0x60-0x7F");
	cr_assert_eq(lapic_msr_write(&apic, 0x80B, 1), -EINVAL, "EOI takes 0 only");
	cr_assert_eq(msr(0x813), 1U << 1);
	cr_assert_eq(lapic_msr_write(&apic, 0x80B, 0), 0);
	cr_assert_eq(msr(0x813), 0);
}

Test(lapic_x2apic, icr_and_self_ipi)
{
	to_x2apic();
	cr_assert_eq(lapic_msr_write(&apic, 0x80F, 0x1FF), 0);
	cr_assert_eq(lapic_msr_write(&apic, 0x830, (0x25ULL << 32) | 0x70), 0);
	cr_assert_eq(msr(0x830), (0x25ULL << 32) | 0x70, "one 64-bit register");
	cr_assert_eq(lapic_pending_vector(&apic), 0x70, "a physical IPI to our x2APIC ID");
	cr_assert_eq(lapic_msr_write(&apic, 0x83F, 0x90), 0);
	cr_assert_eq(lapic_pending_vector(&apic), 0x90, "SELF IPI");
	cr_assert_eq(lapic_msr_write(&apic, 0x83F, 0x190), -EINVAL, "reserved bits");
	cr_assert_eq(lapic_msr_write(&apic, 0x830, 1ULL << 13), -EINVAL, "ICR reserved bit");
}

/* MSRs that fault on read or write in x2APIC mode. */
struct fault_case {
	uint32_t index;
	bool read_faults;
	bool write_faults; /* writing 0 */
};

ParameterizedTestParameters(lapic_x2apic, faults)
{
	static struct fault_case cases[] = {
	    {0x800, true, true},  {0x801, true, true},  /* reserved */
	    {0x802, false, true}, {0x803, false, true}, /* ID, version: read-only */
	    {0x809, true, true},  {0x80C, true, true},  /* APR, RRD: gone */
	    {0x80A, false, true}, {0x80D, false, true}, /* PPR, LDR: read-only */
	    {0x80E, true, true},                        /* DFR: gone */
	    {0x80B, true, false},                       /* EOI: write-only */
	    {0x810, false, true}, {0x81F, false, true}, /* ISR, TMR: read-only */
	    {0x827, false, true},                       /* IRR: read-only */
	    {0x831, true, true},                        /* ICR high: folded into 0x830 */
	    {0x839, false, true},                       /* current count: read-only */
	    {0x83A, true, true},  {0x83D, true, true},
	    {0x83F, true, false}, /* SELF IPI: write-only (vector 0 is fine to write: ESR) */
	    {0x840, true, true},  {0x8FF, true, true},
	};
	return cr_make_param_array(struct fault_case, cases, sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct fault_case *c, lapic_x2apic, faults, .init = setup)
{
	uint64_t v;

	to_x2apic();
	cr_assert_eq(lapic_msr_read(&apic, c->index, &v), c->read_faults ? -EINVAL : 0, "read %#x",
	             c->index);
	cr_assert_eq(lapic_msr_write(&apic, c->index, 0), c->write_faults ? -EINVAL : 0,
	             "write %#x", c->index);
}

Test(lapic_x2apic, reserved_bits_fault)
{
	to_x2apic();
	cr_assert_eq(lapic_msr_write(&apic, 0x808, 0x100), -EINVAL, "TPR 31:8");
	cr_assert_eq(lapic_msr_write(&apic, 0x80F, 1ULL << 32), -EINVAL, "63:32");
	cr_assert_eq(lapic_msr_write(&apic, 0x828, 1), -EINVAL, "ESR non-zero");
	cr_assert_eq(lapic_msr_write(&apic, 0x838, 0xFFFFFFFFULL), 0);
}

Test(lapic_x2apic, tsc_deadline_msr_needs_enabled_apic)
{
	uint64_t v;

	cr_assert_eq(lapic_set_base_msr(&apic, LAPIC_BASE), 0);
	cr_assert_eq(lapic_msr_write(&apic, LAPIC_MSR_TSC_DEADLINE, 5), 0, "ignored");
	cr_assert_eq(lapic_msr_read(&apic, LAPIC_MSR_TSC_DEADLINE, &v), 0);
	cr_assert_eq(v, 0);
}
