/* Unit tests for interrupt delivery through the platform: PIC via LINT0, IOAPIC to LAPIC, IPIs, timer rates. */
#include <string.h>

#include <criterion/criterion.h>

#include "devices/platform.h"
#include "fakes/fake_clock.h"
#include "monitor/lib/errno.h"
#include "monitor/platform_msr.h"

static struct fake_clock fc;
static struct platform p;

static void setup(void)
{
	struct platform_config cfg = {
	    .name = "irq",
	    .ram_size = 32ULL << 20,
	    .cpu_count = 2,
	};

	fc = (struct fake_clock){.now_ns = 0, .tsc_hz = 3000000000ULL};
	cfg.clock = fake_clock_source(&fc);
	cr_assert_eq(platform_init(&p, &cfg), 0);
}

TestSuite(platform_irq, .init = setup);

static void outb(uint16_t port, uint8_t v)
{
	cr_assert(io_bus_write(&p.io, port, 1, v), "port %#x", port);
}

static uint8_t inb(uint16_t port)
{
	uint32_t v;

	cr_assert(io_bus_read(&p.io, port, 1, &v), "port %#x", port);
	return (uint8_t)v;
}

static void ioapic_route(unsigned pin, uint32_t low, uint8_t dest)
{
	cr_assert(mmio_bus_write(&p.mmio, IOAPIC_BASE, &(uint32_t){0x11 + 2 * pin}, 4));
	cr_assert(
	    mmio_bus_write(&p.mmio, IOAPIC_BASE + 0x10, &(uint32_t){(uint32_t)dest << 24}, 4));
	cr_assert(mmio_bus_write(&p.mmio, IOAPIC_BASE, &(uint32_t){0x10 + 2 * pin}, 4));
	cr_assert(mmio_bus_write(&p.mmio, IOAPIC_BASE + 0x10, &low, 4));
}

/* A LAPIC register of VP `cpu`, through the page as that VP sees it. */
static void lapic_wr(unsigned cpu, uint32_t off, uint32_t v)
{
	platform_set_current_cpu(&p, cpu);
	cr_assert(mmio_bus_write(&p.mmio, LAPIC_BASE + off, &v, 4));
}

static uint32_t lapic_rd(unsigned cpu, uint32_t off)
{
	uint32_t v;

	platform_set_current_cpu(&p, cpu);
	cr_assert(mmio_bus_read(&p.mmio, LAPIC_BASE + off, &v, 4));
	return v;
}

/* The PC BIOS's PIC setup: vectors 0x20 and 0x28, cascade on IR2, 8086 mode. */
static void pic_setup(uint8_t master_mask, uint8_t slave_mask)
{
	outb(0x20, 0x11);
	outb(0x21, 0x20);
	outb(0x21, 0x04);
	outb(0x21, 0x01);
	outb(0xA0, 0x11);
	outb(0xA1, 0x28);
	outb(0xA1, 0x02);
	outb(0xA1, 0x01);
	outb(0x21, master_mask);
	outb(0xA1, slave_mask);
}

/* An OS with APIC interrupts: PIC masked, both LAPICs software-enabled. */
static void apic_mode(void)
{
	pic_setup(0xFF, 0xFF);
	lapic_wr(0, LAPIC_SVR, 0x1FF);
	lapic_wr(1, LAPIC_SVR, 0x1FF);
}

/* Take what VP `cpu` is offered: the vector, or -1. */
static int take(unsigned cpu)
{
	int v = platform_pending_vector(&p, cpu);

	if (v >= 0)
		platform_vector_taken(&p, cpu, (uint8_t)v);
	return v;
}

Test(platform_irq, nothing_pending_after_init)
{
	cr_assert_eq(platform_pending_vector(&p, 0), -1);
	cr_assert_eq(platform_pending_vector(&p, 1), -1);
	cr_assert_not(platform_take_nmi(&p, 0));
	cr_assert_eq(platform_next_event_ns(&p), UINT64_MAX, "no timer is running");
}

Test(platform_irq, bad_cpu_numbers_are_ignored)
{
	cr_assert_eq(platform_pending_vector(&p, 2), -1);
	cr_assert_eq(platform_pending_vector(&p, ~0U), -1);
	platform_vector_taken(&p, 2, 0x30);
	cr_assert_not(platform_take_nmi(&p, 7));
	platform_assert_vector(&p, 2, 0x30, false);
	platform_set_tpr(&p, 9, 0x10);
	cr_assert_eq(platform_tpr(&p, 9), 0);
}

Test(platform_irq, pic_reaches_vp0_through_virtual_wire)
{
	pic_setup(0x00, 0x00);
	outb(TESTDEV_IRQ_PORT + 1, 1); /* raise IRQ 1 */
	cr_assert_eq(platform_pending_vector(&p, 1), -1, "the PIC is wired to VP 0 only");
	cr_assert_eq(take(0), 0x21, "with SVR still 0xFF: LINT0 in ExtINT mode");
	outb(0x20, 0x0B); /* OCW3: read ISR */
	cr_assert_eq(inb(0x20), 0x02, "the INTA cycle put IRQ 1 in service");
	outb(TESTDEV_IRQ_PORT + 1, 0);
	outb(0x20, 0x20); /* EOI */
	cr_assert_eq(take(0), -1);
	outb(TESTDEV_IRQ_PORT + 9, 1); /* slave IRQ 9 */
	cr_assert_eq(take(0), 0x29);
}

Test(platform_irq, pic_blocked_when_lint0_masked)
{
	pic_setup(0x00, 0x00);
	lapic_wr(0, LAPIC_SVR, 0x1FF);
	lapic_wr(0, LAPIC_LVT_LINT0, LAPIC_LVT_MASKED | LAPIC_DM_EXTINT);
	outb(TESTDEV_IRQ_PORT + 1, 1);
	cr_assert_eq(take(0), -1);
	lapic_wr(0, LAPIC_LVT_LINT0, LAPIC_DM_EXTINT);
	cr_assert_eq(take(0), 0x21);
}

Test(platform_irq, pic_direct_when_apic_globally_disabled)
{
	struct platform_msrs m;

	platform_msrs_init(&m);
	platform_msrs_attach(&m, &p);
	pic_setup(0x00, 0x00);
	lapic_wr(0, LAPIC_LVT_LINT0, LAPIC_LVT_MASKED);
	cr_assert_eq(platform_msr_write(&m, MSR_IA32_APIC_BASE, 0xFEE00000ULL | APIC_BASE_BSP), 0);
	outb(TESTDEV_IRQ_PORT + 3, 1);
	cr_assert_eq(take(0), 0x23, "INTR goes straight to the processor");
}

Test(platform_irq, pic_ahead_of_apic_vectors)
{
	pic_setup(0x00, 0x00);
	lapic_wr(0, LAPIC_SVR, 0x1FF);
	lapic_wr(0, LAPIC_LVT_LINT0, LAPIC_DM_EXTINT);
	platform_assert_vector(&p, 0, 0xF0, false);
	outb(TESTDEV_IRQ_PORT + 1, 1);
	cr_assert_eq(take(0), 0x21, "ExtINT is not subject to APIC priority");
	cr_assert_eq(take(0), 0xF0);
}

Test(platform_irq, taken_vector_must_be_the_last_answer)
{
	apic_mode();
	platform_assert_vector(&p, 0, 0x40, false);
	cr_assert_eq(platform_pending_vector(&p, 0), 0x40);
	platform_vector_taken(&p, 0, 0x41);
	cr_assert_eq(lapic_rd(0, LAPIC_ISR + 0x20), 0, "a vector that was not offered");
	platform_vector_taken(&p, 0, 0x40);
	cr_assert_eq(lapic_rd(0, LAPIC_ISR + 0x20), 1U, "0x40 in service");
}

Test(platform_irq, uart_thre_and_rda_on_irq4)
{
	apic_mode();
	ioapic_route(4, 0x34, 0);
	outb(0x3F9, UART_IER_ETBEI);
	platform_poll(&p);
	cr_assert_eq(take(0), 0x34, "THR empty");
	lapic_wr(0, LAPIC_EOI, 0);
	cr_assert_eq(inb(0x3FA) & 0x0F, 0x02, "IIR: THRE");
	platform_poll(&p);
	cr_assert_eq(take(0), -1);
	outb(0x3F9, UART_IER_ERBFI);
	cr_assert_eq(uart16550_receive(&p.com1, 'x'), 0);
	platform_poll(&p);
	cr_assert_eq(take(0), 0x34, "received data");
	lapic_wr(0, LAPIC_EOI, 0);
	cr_assert_eq(inb(0x3F8), 'x');
	platform_poll(&p);
	cr_assert_eq(take(0), -1);
}

Test(platform_irq, uart_on_the_pic)
{
	pic_setup(0xEF, 0xFF); /* only IRQ 4 */
	outb(0x3F9, UART_IER_ETBEI);
	platform_poll(&p);
	cr_assert_eq(take(0), 0x24);
}

Test(platform_irq, level_line_reasserts_after_eoi)
{
	apic_mode();
	ioapic_route(10, 0x8000 | 0x3A, 1); /* level, to VP 1 */
	outb(TESTDEV_IRQ_PORT + 10, 1);
	cr_assert_eq(take(0), -1);
	cr_assert_eq(take(1), 0x3A);
	cr_assert(ioapic_entry(&p.ioapic, 10) & IOAPIC_RTE_REMOTE_IRR);
	cr_assert_eq(lapic_rd(1, LAPIC_TMR + 0x10) & (1U << 26), 1U << 26, "TMR: level");
	lapic_wr(1, LAPIC_EOI, 0);
	cr_assert_eq(take(1), 0x3A, "still asserted: the EOI broadcast brought it back");
	outb(TESTDEV_IRQ_PORT + 10, 0);
	lapic_wr(1, LAPIC_EOI, 0);
	cr_assert_not(ioapic_entry(&p.ioapic, 10) & IOAPIC_RTE_REMOTE_IRR);
	cr_assert_eq(take(1), -1);
}

Test(platform_irq, ioapic_logical_and_lowest_priority)
{
	apic_mode();
	lapic_wr(0, LAPIC_LDR, 0x01000000U);
	lapic_wr(1, LAPIC_LDR, 0x02000000U);
	ioapic_route(5, LAPIC_DM_FIXED | IOAPIC_RTE_DESTMODE | 0x45, 0x03);
	outb(TESTDEV_IRQ_PORT + 5, 1);
	cr_assert_eq(take(0), 0x45, "flat logical 0x03: both");
	cr_assert_eq(take(1), 0x45);
	outb(TESTDEV_IRQ_PORT + 5, 0);
	lapic_wr(0, LAPIC_EOI, 0);
	lapic_wr(1, LAPIC_EOI, 0);
	lapic_wr(0, LAPIC_TPR, 0x80);
	ioapic_route(6, LAPIC_DM_LOWEST | IOAPIC_RTE_DESTMODE | 0x46, 0x03);
	outb(TESTDEV_IRQ_PORT + 6, 1);
	cr_assert_eq(platform_pending_vector(&p, 0), -1);
	cr_assert_eq(take(1), 0x46, "lowest priority: VP 1 (PPR 0 < 0x80)");
}

Test(platform_irq, ioapic_nmi_entry)
{
	apic_mode();
	ioapic_route(7, LAPIC_DM_NMI, 1);
	outb(TESTDEV_IRQ_PORT + 7, 1);
	cr_assert(platform_take_nmi(&p, 1));
	cr_assert_not(platform_take_nmi(&p, 1));
	cr_assert_not(platform_take_nmi(&p, 0));
}

Test(platform_irq, ipis_between_vps)
{
	apic_mode();
	lapic_wr(0, LAPIC_ICR_HIGH, 0x01000000U);
	lapic_wr(0, LAPIC_ICR_LOW, 0x55);
	cr_assert_eq(take(1), 0x55);
	cr_assert_eq(take(0), -1);
	lapic_wr(1, LAPIC_ICR_LOW, LAPIC_SH_ALL_BUT_SELF | LAPIC_DM_NMI);
	cr_assert(platform_take_nmi(&p, 0));
	cr_assert_not(platform_take_nmi(&p, 1));
	lapic_wr(1, LAPIC_ICR_LOW, LAPIC_SH_ALL | 0x66);
	cr_assert_eq(take(0), 0x66);
	cr_assert_eq(take(1), 0x66);
	lapic_wr(0, LAPIC_ICR_HIGH, 0xFF000000U);
	lapic_wr(0, LAPIC_ICR_LOW, 0x77);
	cr_assert_eq(take(0), 0x77, "physical broadcast");
	cr_assert_eq(take(1), 0x77);
	lapic_wr(0, LAPIC_ICR_HIGH, 0x05000000U);
	lapic_wr(0, LAPIC_ICR_LOW, 0x78);
	cr_assert_eq(take(0), -1, "APIC ID 5 does not exist");
	cr_assert_eq(take(1), -1);
	lapic_wr(0, LAPIC_ICR_HIGH, 0x01000000U);
	lapic_wr(0, LAPIC_ICR_LOW, LAPIC_DM_INIT | LAPIC_ICR_LEVEL_ASSERT);
	lapic_wr(0, LAPIC_ICR_LOW, LAPIC_DM_STARTUP | 0x10);
	cr_assert_eq(p.lapic[0].ipis_ignored, 2, "INIT/SIPI: not modelled");
}

Test(platform_irq, assert_vector_with_auto_eoi)
{
	apic_mode();
	platform_assert_vector(&p, 1, 0x93, true);
	cr_assert_eq(take(1), 0x93);
	cr_assert_eq(lapic_rd(1, LAPIC_ISR + 0x40), 0, "auto-EOI: not in service");
	platform_assert_vector(&p, 1, 0x94, false);
	cr_assert_eq(take(1), 0x94);
	cr_assert_eq(lapic_rd(1, LAPIC_ISR + 0x40), 1U << 20);
	platform_assert_vector(&p, 1, 0x02, false);
	cr_assert_eq(lapic_rd(1, LAPIC_IRR), 0, "vector 2 refused");
}

Test(platform_irq, tpr_in_step_with_cr8)
{
	apic_mode();
	platform_set_tpr(&p, 0, 0x50);
	cr_assert_eq(lapic_rd(0, LAPIC_TPR), 0x50);
	lapic_wr(0, LAPIC_TPR, 0x20);
	cr_assert_eq(platform_tpr(&p, 0), 0x20);
	platform_assert_vector(&p, 0, 0x25, false);
	cr_assert_eq(platform_pending_vector(&p, 0), -1);
	platform_set_tpr(&p, 0, 0x10);
	cr_assert_eq(platform_pending_vector(&p, 0), 0x25);
}

/* Run the platform as a monitor would: sleep until the next event, poll, take, EOI. */
static unsigned run_until(uint64_t end, int vector, void (*ack)(void))
{
	unsigned fired = 0;

	for (;;) {
		uint64_t next = platform_next_event_ns(&p);

		if (next > end)
			break;
		cr_assert_geq(next, fc.now_ns, "next event in the past");
		fc.now_ns = next;
		platform_poll(&p);
		while (platform_pending_vector(&p, 0) == vector) {
			platform_vector_taken(&p, 0, (uint8_t)vector);
			fired++;
			if (ack)
				ack();
			lapic_wr(0, LAPIC_EOI, 0);
		}
	}
	return fired;
}

Test(platform_irq, pit_irq0_rate)
{
	unsigned n;

	apic_mode();
	ioapic_route(PLATFORM_IRQ0_GSI, 0x30, 0);
	outb(0x43, 0x34); /* channel 0, LSB then MSB, mode 2 */
	outb(0x40, 1193 & 0xFF);
	outb(0x40, 1193 >> 8); /* 1193 / 1.193182 MHz: 999.8 us */
	cr_assert_lt(platform_next_event_ns(&p), 1000000);
	n = run_until(100000000ULL, 0x30, NULL);
	cr_assert(n >= 99 && n <= 101, "%u interrupts in 100 ms", n);
}

Test(platform_irq, pit_masked_everywhere_is_no_event)
{
	apic_mode();
	outb(0x43, 0x34);
	outb(0x40, 0xFF);
	outb(0x40, 0xFF);
	cr_assert_eq(platform_next_event_ns(&p), UINT64_MAX, "IRQ 0 masked at PIC and IOAPIC");
	outb(0x21, 0xFE);
	cr_assert_neq(platform_next_event_ns(&p), UINT64_MAX);
}

static void rtc_ack(void)
{
	outb(0x70, RTC_REG_C);
	(void)inb(0x71);
}

Test(platform_irq, rtc_periodic_irq8_rate)
{
	unsigned n;

	apic_mode();
	ioapic_route(8, 0x28, 0);
	outb(0x70, RTC_REG_A);
	outb(0x71, 0x26); /* 1024 Hz */
	outb(0x70, RTC_REG_B);
	outb(0x71, RTC_B_24H | RTC_B_PIE);
	n = run_until(1000000000ULL, 0x28, rtc_ack);
	cr_assert_eq(n, 1024, "%u interrupts in 1 s", n);
}

Test(platform_irq, rtc_unacknowledged_stops_events)
{
	apic_mode();
	outb(0x70, RTC_REG_B);
	outb(0x71, RTC_B_24H | RTC_B_UIE);
	cr_assert_eq(platform_next_event_ns(&p), 1000000000ULL, "the next second");
	fc.now_ns = 1000000000ULL;
	platform_poll(&p);
	cr_assert_eq(platform_next_event_ns(&p), UINT64_MAX, "IRQ 8 high until C is read");
	rtc_ack();
	cr_assert_eq(platform_next_event_ns(&p), 2000000000ULL);
}

Test(platform_irq, lapic_timers_of_both_vps)
{
	apic_mode();
	lapic_wr(1, LAPIC_TIMER_DCR, 0xB);
	lapic_wr(1, LAPIC_LVT_TIMER, 0x61);
	lapic_wr(1, LAPIC_TIMER_ICR, 3000);
	lapic_wr(0, LAPIC_TIMER_DCR, 0xB);
	lapic_wr(0, LAPIC_LVT_TIMER, LAPIC_LVT_PERIODIC | 0x62);
	lapic_wr(0, LAPIC_TIMER_ICR, 5000);
	cr_assert_eq(platform_next_event_ns(&p), 3000);
	fc.now_ns = 3000;
	platform_poll(&p);
	cr_assert_eq(take(1), 0x61);
	cr_assert_eq(platform_next_event_ns(&p), 5000);
	fc.now_ns = 5000;
	cr_assert_eq(take(0), 0x62);
	cr_assert_eq(platform_next_event_ns(&p), 10000);
}

Test(platform_irq, x2apic_msrs_reach_the_current_vp)
{
	struct platform_msrs m;
	uint64_t v;

	platform_msrs_init(&m);
	platform_msrs_attach(&m, &p);
	apic_mode();
	platform_set_current_cpu(&p, 1);
	cr_assert_eq(platform_msr_read(&m, MSR_IA32_APIC_BASE, &v), 0);
	cr_assert_eq(v, 0xFEE00000ULL | APIC_BASE_ENABLE, "VP 1 is not the BSP");
	cr_assert_eq(platform_msr_read(&m, 0x802, &v), -EINVAL, "xAPIC mode: #GP");
	cr_assert_eq(platform_msr_write(&m, MSR_IA32_APIC_BASE, v | APIC_BASE_X2APIC), 0);
	cr_assert_eq(platform_msr_read(&m, 0x802, &v), 0);
	cr_assert_eq(v, 1);
	cr_assert_eq(platform_msr_write(&m, 0x830, (0ULL << 32) | 0x57), 0, "IPI to x2APIC ID 0");
	cr_assert_eq(take(0), 0x57);
	cr_assert_eq(platform_msr_write(&m, MSR_IA32_APIC_BASE, 0xFEE00000ULL | APIC_BASE_ENABLE),
	             -EINVAL, "x2APIC to xAPIC directly");
	cr_assert_eq(platform_msr_write(&m, 0x83F, 0x58), 0);
	cr_assert_eq(take(1), 0x58);
	platform_set_current_cpu(&p, 0);
	cr_assert_eq(platform_msr_read(&m, 0x802, &v), -EINVAL, "VP 0 is still in xAPIC mode");
}

Test(platform_irq, tsc_deadline_through_the_msr)
{
	struct platform_msrs m;

	platform_msrs_init(&m);
	platform_msrs_attach(&m, &p);
	apic_mode();
	lapic_wr(0, LAPIC_LVT_TIMER, LAPIC_LVT_TSC_DEADLINE | 0x63);
	cr_assert_eq(platform_msr_write(&m, MSR_IA32_TSC_DEADLINE, fake_clock_tsc_at(&fc, 7000)),
	             0);
	cr_assert_eq(platform_next_event_ns(&p), 7000);
	fc.now_ns = 7000;
	cr_assert_eq(take(0), 0x63);
}
