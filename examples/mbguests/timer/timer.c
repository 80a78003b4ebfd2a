/* Multiboot v1 timer guest: PIT, LAPIC-timer and RTC interrupt rates measured against its own TSC. */
#include "args.h"
#include "idt.h"
#include "intc.h"
#include "mbguest.h"
#include "timing.h"
#include "x86.h"

#define VEC_PIT_PIC    (PIC_VECTOR_BASE + PIC_IRQ_PIT)
#define VEC_RTC        (PIC_VECTOR_BASE + PIC_IRQ_RTC)
#define VEC_PIT_IOAPIC 0x40U
#define VEC_LAPIC      0x50U

#define PIT_CH0        0x40
#define PIT_CW         0x43
#define RTC_IDX        0x70
#define RTC_DAT        0x71

/* A measured rate may be off by this much: emulated time (TCG, Bochs, a monitor's) jitters. */
#define TOLERANCE_PCT 25U
#define MAX_TICKS     64U

/* ---- tick bookkeeping shared by every handler ---- */

static volatile uint32_t ticks;
static volatile uint64_t tick_tsc[MAX_TICKS];
/* The EOI checks: handler depth, nested entries for the held vector, what was seen while held. */
static volatile uint32_t depth, nested, hold_us;
static volatile bool held, held_in_service, held_requested;
static volatile uint32_t rtc_no_pf;

static volatile uint32_t spurious;

/* Spurious vectors (the APIC's, the 8259s' IRQ 7 and 15) are legal now and then: counted. */
static void on_spurious(struct int_frame *f)
{
	spurious++;
	/* A spurious IRQ 15 still took the master's cascade input in service (IRQ 7's took none). */
	if (f->vector == PIC_VECTOR_BASE + 15)
		pic_eoi(0);
}

static void record_tick(void)
{
	uint32_t n = ticks;

	if (n < MAX_TICKS)
		tick_tsc[n] = rdtsc();
	ticks = n + 1;
}

static void reset_ticks(void)
{
	irq_disable();
	ticks = 0;
	nested = 0;
	depth = 0;
	held = held_in_service = held_requested = false;
	irq_enable();
}

/*
 * The first delivery of a held vector keeps it in service for `hold_us` with interrupts enabled:
 * the controller must not deliver the same vector again (nor any of its priority) before EOI,
 * but must remember the request. `in_service` and `requested` read the controller's ISR and IRR.
 */
static void hold_before_eoi(bool (*in_service)(void), bool (*requested)(void))
{
	if (!hold_us || held)
		return;
	held = true;
	held_in_service = in_service();
	irq_enable();
	tsc_delay_us(hold_us);
	irq_disable();
	held_requested = requested();
}

static bool pic_irq0_in_service(void)
{
	return pic_isr(false) & 1;
}

static bool pic_irq0_requested(void)
{
	return pic_irr(false) & 1;
}

static bool lapic_timer_in_service(void)
{
	return lapic_in_service(VEC_LAPIC);
}

static bool lapic_timer_requested(void)
{
	return lapic_requested(VEC_LAPIC);
}

static void enter(void)
{
	if (++depth > 1)
		nested++;
}

static void on_pit_pic(struct int_frame *f)
{
	(void)f;
	enter();
	record_tick();
	hold_before_eoi(pic_irq0_in_service, pic_irq0_requested);
	pic_eoi(PIC_IRQ_PIT);
	depth--;
}

static void on_pit_ioapic(struct int_frame *f)
{
	(void)f;
	enter();
	record_tick();
	lapic_eoi();
	depth--;
}

static void on_lapic_timer(struct int_frame *f)
{
	(void)f;
	enter();
	record_tick();
	hold_before_eoi(lapic_timer_in_service, lapic_timer_requested);
	lapic_eoi();
	depth--;
}

static void on_rtc(struct int_frame *f)
{
	(void)f;
	enter();
	record_tick();
	/* Register C says why and, read, lets the RTC raise IRQ 8 again. */
	outb(RTC_IDX, 0x0c);
	if (!(inb(RTC_DAT) & 0x40))
		rtc_no_pf++;
	pic_eoi(PIC_IRQ_RTC);
	depth--;
}

/* ---- measuring ---- */

static void print_us(const char *what, uint32_t us)
{
	put_str(what);
	put_dec(us);
	put_str(" us");
}

/* Waits (interrupts enabled, spinning) until `n` ticks have arrived or `timeout_us` passed. */
static bool wait_ticks(uint32_t n, uint32_t timeout_us)
{
	uint64_t end = rdtsc() + us_to_tsc(timeout_us);

	while (ticks < n)
		if (rdtsc() > end)
			return false;
	return true;
}

static bool within(uint32_t got, uint32_t want)
{
	uint32_t slack = want / 100U * TOLERANCE_PCT;

	return got + slack >= want && got <= want + slack;
}

/*
 * The median spacing of `n` + 1 ticks against the expected period. The median, not the mean: an
 * emulator on a busy host (QEMU's TCG runs on the host's clock) now and then merges two ticks
 * into one, which would drag a mean out of tolerance while the rate itself is right.
 */
static void measure_rate(const char *label, uint32_t n, uint32_t period_us)
{
	uint32_t gaps[MAX_TICKS], mean, median;
	bool arrived;

	arrived = wait_ticks(n + 1, (n + 1) * period_us * 4 + 50000);
	put_str(label);
	put_str(": ");
	put_dec(ticks);
	put_str(" ticks");
	if (!arrived || n + 1 > MAX_TICKS) {
		put_line("");
		check(false, label);
		return;
	}
	for (uint32_t i = 0; i < n; i++) {
		uint32_t g = tsc_to_us(tick_tsc[i + 1] - tick_tsc[i]), j = i;

		for (; j > 0 && gaps[j - 1] > g; j--) /* insertion sort: n is small */
			gaps[j] = gaps[j - 1];
		gaps[j] = g;
	}
	median = gaps[n / 2];
	mean = tsc_to_us(tick_tsc[n] - tick_tsc[0]) / n;
	print_us(", median period ", median);
	print_us(", mean ", mean);
	print_us(" (expected ", period_us);
	put_line(")");
	check(within(median, period_us), label);
}

static void check_held(const char *label)
{
	put_str(label);
	put_str(": in service while held ");
	put_str(held_in_service ? "yes" : "no");
	put_str(", requested again while held ");
	put_str(held_requested ? "yes" : "no");
	put_str(", nested deliveries ");
	put_dec(nested);
	put_line("");
	check(held && held_in_service && held_requested && nested == 0, label);
}

/* ---- the PIT ---- */

static void pit_periodic(uint32_t hz)
{
	uint32_t divisor = (PIT_HZ + hz / 2) / hz;

	outb(PIT_CW, 0x34); /* channel 0, lobyte/hibyte, mode 2 (rate generator), binary */
	outb(PIT_CH0, (uint8_t)divisor);
	outb(PIT_CH0, (uint8_t)(divisor >> 8));
}

static void pit_stop(void)
{
	/* A control word alone: mode 0 drives OUT0 low and waits for a count that never comes, so no
	 * further edge reaches IRQ 0. */
	outb(PIT_CW, 0x30);
}

static void test_pit_pic(void)
{
	idt_set_handler(VEC_PIT_PIC, on_pit_pic);
	lapic_enable(true);
	pic_unmask(PIC_IRQ_PIT);

	reset_ticks();
	pit_periodic(100);
	measure_rate("PIT 100 Hz through the 8259 (IRQ 0)", 10, 10000);

	reset_ticks();
	pit_periodic(1000);
	measure_rate("PIT 1 kHz through the 8259 (IRQ 0)", 40, 1000);

	/* Hold IRQ 0 in service for three periods: the 8259 must keep the new edges in IRR only. */
	reset_ticks();
	hold_us = 3000;
	wait_ticks(4, 100000);
	hold_us = 0;
	check_held("8259: IRQ 0 not delivered again before its EOI");

	pit_stop();
	pic_mask(PIC_IRQ_PIT);
}

static void test_pit_ioapic(uint8_t apic_id)
{
	/* The IOAPIC path: the 8259s masked and cut off (LINT0 masked), input 2 to vector 0x40. */
	idt_set_handler(VEC_PIT_IOAPIC, on_pit_ioapic);
	pic_mask_all();
	lapic_enable(false);
	ioapic_route(IOAPIC_PIN_PIT, VEC_PIT_IOAPIC, apic_id, false);

	reset_ticks();
	pit_periodic(1000);
	measure_rate("PIT 1 kHz through the IOAPIC (input 2)", 40, 1000);

	pit_stop();
	ioapic_route(IOAPIC_PIN_PIT, VEC_PIT_IOAPIC, apic_id, true);
}

/* ---- the local APIC timer ---- */

/* The LAPIC timer's count for `us` microseconds at `divisor`, from its measured kHz. */
static uint32_t lapic_count(uint32_t lapic_khz, uint32_t us, unsigned divisor)
{
	return (uint32_t)udiv64((uint64_t)lapic_khz * us, 1000U * divisor);
}

static void lapic_one_shot(uint32_t lapic_khz, unsigned divisor)
{
	uint32_t us = 10000, late;
	uint64_t t0;
	bool arrived;

	reset_ticks();
	lapic_write(LAPIC_TIMER_DCR, lapic_dcr_for(divisor));
	lapic_write(LAPIC_LVT_TIMER, LVT_TIMER_ONESHOT | VEC_LAPIC);
	t0 = rdtsc();
	lapic_write(LAPIC_TIMER_ICR, lapic_count(lapic_khz, us, divisor));
	arrived = wait_ticks(1, us * 4 + 50000);
	/* Give a wrong periodic reload a chance to show up as a second tick. */
	tsc_delay_us(us / 2 * 3);
	late = arrived ? tsc_to_us(tick_tsc[0] - t0) : 0;
	put_str("LAPIC timer one-shot, divide by ");
	put_dec(divisor);
	put_str(": ");
	put_dec(ticks);
	print_us(" tick(s), after ", late);
	print_us(" (expected ", us);
	put_str("), current count afterwards ");
	put_dec(lapic_read(LAPIC_TIMER_CCR));
	put_line("");
	/* Early by more than the tolerance is wrong; late is the emulator's host, within reason. */
	check(arrived && ticks == 1 && late + us / 100U * TOLERANCE_PCT >= us && late <= 2 * us &&
	          lapic_read(LAPIC_TIMER_CCR) == 0,
	      divisor == 1 ? "LAPIC timer one-shot (divide by 1): one tick on time, count at 0"
	                   : "LAPIC timer one-shot (divide by 16): one tick on time, count at 0");
}

static void lapic_periodic(uint32_t lapic_khz)
{
	reset_ticks();
	lapic_write(LAPIC_TIMER_DCR, lapic_dcr_for(16));
	lapic_write(LAPIC_LVT_TIMER, LVT_TIMER_PERIODIC | VEC_LAPIC);
	lapic_write(LAPIC_TIMER_ICR, lapic_count(lapic_khz, 1000, 16));
	measure_rate("LAPIC timer periodic 1 kHz, divide by 16", 40, 1000);

	/* Hold the vector in service for three periods: the APIC must not deliver it again (its
	 * priority class is the processor priority now) but keep it requested in IRR. */
	reset_ticks();
	hold_us = 3000;
	wait_ticks(4, 100000);
	hold_us = 0;
	lapic_write(LAPIC_TIMER_ICR, 0); /* a zero initial count stops the timer */
	check_held("LAPIC: vector 0x50 not delivered again before its EOI");

	reset_ticks();
	tsc_delay_us(3000);
	put_str("LAPIC timer after a zero initial count: ");
	put_dec(ticks);
	put_line(" tick(s) in 3 ms");
	check(ticks <= 1, "LAPIC timer stops when the initial count is written 0");
}

static void lapic_tsc_deadline(void)
{
	uint64_t deadline;
	uint32_t late;
	bool arrived;

	if (!(cpuid(1, 0).ecx & CPUID1_ECX_TSC_DEADLINE)) {
		put_line("skip LAPIC timer TSC-deadline mode: CPUID.1:ECX[24] clear");
		return;
	}
	reset_ticks();
	lapic_write(LAPIC_LVT_TIMER, LVT_TIMER_DEADLINE | VEC_LAPIC);
	deadline = rdtsc() + us_to_tsc(10000);
	if (!wrmsr_safe(MSR_TSC_DEADLINE, deadline)) {
		check(
		    false,
		    "LAPIC timer TSC-deadline: CPUID offers it, but writing the MSR faults (#GP)");
		lapic_write(LAPIC_LVT_TIMER, LVT_MASKED);
		return;
	}
	arrived = wait_ticks(1, 100000);
	late = arrived && tick_tsc[0] >= deadline ? tsc_to_us(tick_tsc[0] - deadline) : 0;
	put_str("LAPIC timer TSC-deadline: ");
	put_dec(ticks);
	put_str(" tick(s), ");
	if (arrived && tick_tsc[0] < deadline)
		put_str("EARLY");
	else
		print_us("late by ", late);
	put_line("");
	check(arrived && ticks == 1 && tick_tsc[0] >= deadline && late <= 10000,
	      "LAPIC timer TSC-deadline: one tick, not early, late by at most the interval");
	/* The SDM has the MSR cleared when the timer fires; Bochs 2.7 keeps the value: a note only. */
	put_str("note: IA32_TSC_DEADLINE reads ");
	put_hex((uint32_t)rdmsr(MSR_TSC_DEADLINE));
	put_line(" after the interrupt (the SDM says 0)");
	lapic_write(LAPIC_LVT_TIMER, LVT_MASKED);
}

static void test_lapic_timer(void)
{
	uint32_t lapic_khz;

	idt_set_handler(VEC_LAPIC, on_lapic_timer);
	lapic_enable(false);
	lapic_khz = lapic_timer_calibrate(20000);
	put_str("LAPIC timer input clock ");
	put_dec(lapic_khz);
	put_line(" kHz");
	check(lapic_khz >= 1000, "LAPIC timer counts (at least 1 MHz)");
	if (lapic_khz < 1000)
		return;
	lapic_one_shot(lapic_khz, 1);
	lapic_one_shot(lapic_khz, 16);
	lapic_periodic(lapic_khz);
	lapic_tsc_deadline();
	lapic_write(LAPIC_LVT_TIMER, LVT_MASKED);
}

/* ---- the RTC's periodic interrupt ---- */

static uint8_t cmos_read(uint8_t idx)
{
	outb(RTC_IDX, idx);
	return inb(RTC_DAT);
}

static void cmos_write(uint8_t idx, uint8_t v)
{
	outb(RTC_IDX, idx);
	outb(RTC_DAT, v);
}

static void test_rtc(void)
{
	uint8_t a = cmos_read(0x0a), b = cmos_read(0x0b);

	idt_set_handler(VEC_RTC, on_rtc);
	lapic_enable(true);
	pic_mask_all();
	rtc_no_pf = 0;
	/* Divider 010 (the 32.768 kHz time base, as PC firmware leaves it) and rate 6: 1024 Hz. */
	cmos_write(0x0a, 0x26);
	(void)cmos_read(0x0c);
	reset_ticks();
	pic_unmask(PIC_IRQ_RTC);
	cmos_write(0x0b, b | 0x40); /* PIE */
	measure_rate("RTC periodic 1024 Hz (IRQ 8, slave 8259)", 32, 977);
	cmos_write(0x0b, b & (uint8_t)~0x40);
	pic_mask(PIC_IRQ_RTC);
	(void)cmos_read(0x0c);
	cmos_write(0x0a, a);
	check(rtc_no_pf == 0, "RTC: register C has PF set at each periodic interrupt");
}

/* ---- x2APIC (optional): the same registers as MSRs ---- */

static void test_x2apic(uint32_t xapic_version)
{
	uint64_t base;

	if (!(cpuid(1, 0).ecx & CPUID1_ECX_X2APIC)) {
		put_line("skip x2APIC MSR access: CPUID.1:ECX[21] clear");
		return;
	}
	/* Last test: leaving x2APIC mode needs a full APIC disable, so the guest stays in it. */
	base = rdmsr(MSR_APIC_BASE);
	if (!wrmsr_safe(MSR_APIC_BASE, base | APIC_BASE_ENABLE | APIC_BASE_X2APIC)) {
		check(false, "x2APIC: CPUID offers it, but enabling it faults (#GP)");
		return;
	}
	put_str("x2APIC: version MSR 0x803 = ");
	put_hex((uint32_t)rdmsr(0x803));
	put_line("");
	check((uint32_t)rdmsr(0x803) == xapic_version, "x2APIC: MSR 0x803 reads the APIC version");
}

int main(uint32_t magic, const void *info)
{
	const char *source, *cmdline = mb_cmdline(magic, info);
	uint32_t khz, version;
	uint8_t apic_id;

	put_line("multiboot v1 timer guest");
	put_str("cmdline '");
	put_str(cmdline);
	put_line("'");
	idt_init();
	idt_set_handler(LAPIC_SPURIOUS_VECTOR, on_spurious);
	idt_set_handler(PIC_VECTOR_BASE + 7, on_spurious);
	idt_set_handler(PIC_VECTOR_BASE + 15, on_spurious);
	pic_init();
	khz = tsc_calibrate(20000, &source);
	put_str("TSC ");
	put_dec(khz);
	put_str(" kHz, calibrated against the ");
	put_line(source);
	check(khz >= 1000, "TSC calibrated (at least 1 MHz)");
	if (khz < 1000)
		return (int)failures();

	lapic_enable(true);
	apic_id = (uint8_t)(lapic_read(LAPIC_ID) >> 24);
	version = lapic_read(LAPIC_VERSION);
	irq_enable();

	test_pit_pic();
	test_pit_ioapic(apic_id);
	test_lapic_timer();
	test_rtc();
	irq_disable();

	put_str("unexpected interrupts: ");
	put_dec(idt_unexpected_count());
	if (idt_unexpected_count()) {
		put_str(", the last on vector ");
		put_hex(idt_unexpected_last());
	}
	put_str(", spurious: ");
	put_dec(spurious);
	put_line("");
	check(idt_unexpected_count() == 0, "no interrupt on a vector nothing programmed");
	if (!arg_is(cmdline, "x2apic", "no"))
		test_x2apic(version);

	put_str(failures() ? "timer: FAILED, " : "timer: all checks passed, ");
	put_dec(failures());
	put_line(" failure(s)");
	return (int)failures();
}
