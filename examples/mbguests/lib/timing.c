/* TSC calibration against the PM timer (PIT channel 2 as the fallback), conversions, the LAPIC timer's rate. */
#include "timing.h"
#include "intc.h"
#include "mbguest.h"
#include "x86.h"

#define PM_TIMER_MASK 0x00ffffffU
#define PIT_CH2       0x42
#define PIT_CW        0x43
#define PORT_61       0x61
#define P61_GATE2     0x01
#define P61_SPEAKER   0x02
#define P61_OUT2      0x20
#define BRACKETS      4

static uint32_t khz;

uint32_t pm_timer_read(void)
{
	return inl(PM_TIMER_PORT) & PM_TIMER_MASK;
}

/* One clock reading paired with the TSC at its middle, from the narrowest of a few brackets. */
struct sample {
	uint64_t tsc;
	uint32_t clock;
};

static struct sample sample_clock(uint32_t (*read)(void))
{
	struct sample best = {0, 0};
	uint64_t best_width = ~0ULL;

	for (int i = 0; i < BRACKETS; i++) {
		uint64_t t0 = rdtsc();
		uint32_t c = read();
		uint64_t t1 = rdtsc();

		if (t1 - t0 < best_width) {
			best_width = t1 - t0;
			best.tsc = t0 + (t1 - t0) / 2;
			best.clock = c;
		}
	}
	return best;
}

static uint32_t khz_from(uint64_t dtsc, uint32_t dclock, uint32_t clock_hz)
{
	/* kHz = dtsc * clock_hz / (dclock * 1000), with dclock * 1000 < 2^32 for windows <= 1 s. */
	if (dclock == 0)
		return 0;
	return (uint32_t)udiv64(dtsc * clock_hz, dclock * 1000U);
}

static uint32_t calibrate_pm(uint32_t window_us)
{
	uint32_t want = (uint32_t)udiv64((uint64_t)window_us * PM_TIMER_HZ, 1000000U);
	struct sample a, b;
	uint32_t p0 = pm_timer_read(), spins = 0;

	/* A PM timer that is absent reads all ones, and one that is stuck never moves. */
	while (pm_timer_read() == p0)
		if (++spins > 1000000)
			return 0;
	a = sample_clock(pm_timer_read);
	while (((pm_timer_read() - a.clock) & PM_TIMER_MASK) < want)
		;
	b = sample_clock(pm_timer_read);
	return khz_from(b.tsc - a.tsc, (b.clock - a.clock) & PM_TIMER_MASK, PM_TIMER_HZ);
}

static uint32_t calibrate_pit(uint32_t window_us)
{
	uint32_t count =
	    (uint32_t)udiv64((uint64_t)(window_us > 50000 ? 50000 : window_us) * PIT_HZ, 1000000U);
	uint8_t p61 = inb(PORT_61) & ~(P61_GATE2 | P61_SPEAKER);
	uint64_t t0, t1;
	uint32_t spins = 0;

	/* Mode 0 (interrupt on terminal count): OUT2 goes high `count` PIT clocks after the gate. */
	outb(PORT_61, p61);
	outb(PIT_CW, 0xb0);
	outb(PIT_CH2, (uint8_t)count);
	outb(PIT_CH2, (uint8_t)(count >> 8));
	t0 = rdtsc();
	outb(PORT_61, p61 | P61_GATE2);
	while (!(inb(PORT_61) & P61_OUT2))
		if (++spins > 100000000)
			return 0;
	t1 = rdtsc();
	outb(PORT_61, p61);
	return khz_from(t1 - t0, count, PIT_HZ);
}

uint32_t tsc_calibrate(uint32_t window_us, const char **source)
{
	if (window_us > 1000000)
		window_us = 1000000;
	khz = calibrate_pm(window_us);
	*source = "pm-timer";
	if (!khz) {
		khz = calibrate_pit(window_us);
		*source = "pit-ch2";
	}
	return khz;
}

uint32_t tsc_khz(void)
{
	return khz;
}

uint64_t us_to_tsc(uint32_t us)
{
	return udiv64((uint64_t)us * khz, 1000U);
}

uint32_t tsc_to_us(uint64_t ticks)
{
	uint64_t us;

	if (!khz)
		return 0;
	/* ticks * 1000 overflows only past 2^54 ticks: days of TSC time. */
	us = udiv64(ticks * 1000U, khz);
	return us > 0xffffffffULL ? 0xffffffffU : (uint32_t)us;
}

void tsc_delay_us(uint32_t us)
{
	uint64_t end = rdtsc() + us_to_tsc(us);

	while (rdtsc() < end)
		cpu_relax();
}

static uint32_t read_ccr(void)
{
	return lapic_read(LAPIC_TIMER_CCR);
}

uint32_t lapic_timer_calibrate(uint32_t window_us)
{
	struct sample a, b;
	uint64_t dtsc;
	uint32_t counts;

	lapic_write(LAPIC_LVT_TIMER, LVT_MASKED | LVT_TIMER_ONESHOT);
	lapic_write(LAPIC_TIMER_DCR, lapic_dcr_for(1));
	lapic_write(LAPIC_TIMER_ICR, 0xffffffffU);
	a = sample_clock(read_ccr);
	tsc_delay_us(window_us);
	b = sample_clock(read_ccr);
	lapic_write(LAPIC_TIMER_ICR, 0);
	dtsc = b.tsc - a.tsc;
	if (b.clock >= a.clock || dtsc == 0)
		return 0;
	counts = a.clock - b.clock; /* the counter counts down */
	/* kHz = counts * tsc_khz / dtsc, with a 32-bit divisor: a window under a second keeps it. */
	while (dtsc > 0xffffffffULL) {
		dtsc >>= 1;
		counts >>= 1;
	}
	return (uint32_t)udiv64((uint64_t)counts * khz, (uint32_t)dtsc);
}
