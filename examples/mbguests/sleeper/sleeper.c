/* Multiboot v1 sleeper guest: a 100 Hz tick taken in HLT; fails if any tick is later than a bound. */
#include "args.h"
#include "idt.h"
#include "intc.h"
#include "mbguest.h"
#include "timing.h"
#include "x86.h"

#define VEC_TIMER 0x50U

static volatile bool fired;
static volatile uint64_t fired_tsc;

static void on_timer(struct int_frame *f)
{
	(void)f;
	fired_tsc = rdtsc();
	fired = true;
	lapic_eoi();
}

/*
 * Command line: hz=N (tick rate, default 100), ticks=N (default 100), max_late_us=N (the bound,
 * default 20000).
 *
 * The ticks are a schedule on the TSC: tick k is due at start + k * period. For each, the local
 * APIC timer is armed in one-shot mode for the time left until it is due, and the guest sleeps in
 * HLT until the interrupt. Lateness is the TSC at the interrupt minus the due time. Re-arming per
 * tick, rather than a periodic mode, keeps the measure free of drift: an error in the measured
 * APIC timer rate only scales the last few milliseconds, it does not accumulate over the run.
 */
int main(uint32_t magic, const void *info)
{
	const char *source, *cmdline = mb_cmdline(magic, info);
	uint32_t hz = arg_u32(cmdline, "hz", 100), nticks = arg_u32(cmdline, "ticks", 100);
	uint32_t bound = arg_u32(cmdline, "max_late_us", 20000);
	uint32_t lapic_khz, period_us, max_late = 0, max_early = 0, worst = 0, over = 0,
	                               wakeups = 0;
	uint64_t period, start, sum_late = 0;

	put_str("sleeper: cmdline '");
	put_str(cmdline);
	put_line("'");
	if (hz == 0 || hz > 10000 || nticks == 0 || nticks > 100000) {
		put_line("sleeper: FAILED, hz= must be 1-10000 and ticks= 1-100000");
		return 1;
	}
	if (tsc_calibrate(20000, &source) < 1000) {
		put_line("sleeper: FAILED, the TSC could not be calibrated");
		return 1;
	}
	idt_init();
	idt_set_handler(VEC_TIMER, on_timer);
	pic_init();
	lapic_enable(false);
	lapic_khz = lapic_timer_calibrate(20000);
	if (lapic_khz < 1000) {
		put_line("sleeper: FAILED, the local APIC timer does not count");
		return 1;
	}
	period_us = 1000000U / hz;
	period = us_to_tsc(period_us);
	put_str("sleeper: ");
	put_dec(nticks);
	put_str(" ticks at ");
	put_dec(hz);
	put_str(" Hz in HLT, APIC timer ");
	put_dec(lapic_khz);
	put_str(" kHz, bound ");
	put_dec(bound);
	put_line(" us");

	lapic_write(LAPIC_TIMER_DCR, lapic_dcr_for(1));
	lapic_write(LAPIC_LVT_TIMER, LVT_TIMER_ONESHOT | VEC_TIMER);
	start = rdtsc();
	for (uint32_t k = 1; k <= nticks; k++) {
		uint64_t due = start + period * k, now = rdtsc(), left, count;
		uint32_t late;

		left = due > now ? due - now : 0;
		count = udiv64(left * lapic_khz, tsc_khz());
		fired = false;
		/* A count of 0 would not start the timer: one count fires at once instead. */
		lapic_write(LAPIC_TIMER_ICR, count == 0              ? 1
		                             : count > 0xffffffffULL ? 0xffffffffU
		                                                     : (uint32_t)count);
		while (!fired) {
			sti_hlt();
			irq_disable();
			wakeups++;
		}
		if (fired_tsc >= due) {
			late = tsc_to_us(fired_tsc - due);
			sum_late += late;
			if (late > max_late) {
				max_late = late;
				worst = k;
			}
			if (late > bound)
				over++;
		} else if (tsc_to_us(due - fired_tsc) > max_early) {
			max_early = tsc_to_us(due - fired_tsc);
		}
	}
	lapic_write(LAPIC_TIMER_ICR, 0);
	lapic_write(LAPIC_LVT_TIMER, LVT_MASKED);

	put_str("sleeper: max lateness ");
	put_dec(max_late);
	put_str(" us (tick ");
	put_dec(worst);
	put_str("), mean ");
	put_dec((uint32_t)udiv64(sum_late, nticks));
	put_str(" us, max earliness ");
	put_dec(max_early);
	put_str(" us, ");
	put_dec(over);
	put_str(" tick(s) over the bound, ");
	put_dec(wakeups);
	put_str(" wakeup(s) from HLT, unexpected interrupts ");
	put_dec(idt_unexpected_count());
	put_line("");
	/* Early by more than a quarter period means the timer itself is wrong, not the scheduling. */
	check(max_early <= period_us / 4, "no tick fires early by more than a quarter period");
	check(max_late <= bound, "every tick within the lateness bound");
	check(wakeups == nticks && idt_unexpected_count() == 0,
	      "one HLT wakeup per tick, no other interrupt");
	put_str(failures() ? "sleeper: FAILED, " : "sleeper: all checks passed, ");
	put_dec(failures());
	put_line(" failure(s)");
	return (int)failures();
}
