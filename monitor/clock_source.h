/* The monitor's one time source: the host TSC, calibrated at boot, behind every guest clock. */
#ifndef MONITOR_CLOCK_SOURCE_H
#define MONITOR_CLOCK_SOURCE_H

#include <stdint.h>

#include "devices/clock.h"

/*
 * Measure the TSC against the PIT (channel 2, gated through port 0x61) once at boot. Returns the
 * frequency in Hz; 0 when the measurement failed (then a 1 GHz guess is used, and said).
 */
uint64_t clock_source_calibrate(void);

/* The TSC frequency every conversion uses (the measured one, or the 1 GHz guess). */
uint64_t clock_source_tsc_hz(void);

/* Nanoseconds since calibration. */
uint64_t clock_source_now_ns(void);

/* The host TSC value at clock time `ns` (the first one at which clock_source_now_ns() >= ns). */
uint64_t clock_source_ns_to_tsc(uint64_t ns);

/* The clock time (ns since calibration) when the TSC reads `tsc`; 0 for a TSC before it. */
uint64_t clock_source_tsc_to_ns(uint64_t tsc);

/* The wall-clock time read from the host's RTC at boot (Unix seconds), 0 when unreadable. */
uint64_t clock_source_epoch_seconds(void);

/*
 * A struct clock for the device models (devices/clock.h): now_ns, and the TSC conversions the
 * local APIC's TSC-deadline mode needs (the guest's TSC is the host's).
 */
struct clock clock_source_clock(void);

/*
 * The arithmetic behind the conversions, for a TSC that read `origin` at clock time 0 and runs
 * at `hz` (> 0, below 2^34): exact, rounded so that the two agree with each other, and free of
 * overflow for any 64-bit input (the products are split at whole seconds). Saturates at
 * UINT64_MAX rather than wrap: a deadline that far away never comes, which is what it means.
 */
static inline uint64_t clock_source_ns_to_tsc_at(uint64_t ns, uint64_t origin, uint64_t hz)
{
	uint64_t whole = ns / CLOCK_NS_PER_SEC, frac = ns % CLOCK_NS_PER_SEC;
	uint64_t cycles;

	if (whole > UINT64_MAX / hz)
		return UINT64_MAX;
	cycles = whole * hz;
	/* Rounded up: the first cycle whose clock time is at least ns. */
	cycles += (frac * hz + CLOCK_NS_PER_SEC - 1) / CLOCK_NS_PER_SEC;
	if (cycles < whole * hz || cycles > UINT64_MAX - origin)
		return UINT64_MAX;
	return origin + cycles;
}

static inline uint64_t clock_source_tsc_to_ns_at(uint64_t tsc, uint64_t origin, uint64_t hz)
{
	uint64_t cycles, whole;

	if (tsc <= origin)
		return 0;
	cycles = tsc - origin;
	whole = cycles / hz;
	if (whole > UINT64_MAX / CLOCK_NS_PER_SEC)
		return UINT64_MAX;
	/* Rounded down, as clock_source_now_ns() is. */
	return whole * CLOCK_NS_PER_SEC + cycles % hz * CLOCK_NS_PER_SEC / hz;
}

#endif
