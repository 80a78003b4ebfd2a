/* A hand-advanced clock for device-model tests, with a TSC that runs at a chosen rate. */
#ifndef TEST_FAKES_FAKE_CLOCK_H
#define TEST_FAKES_FAKE_CLOCK_H

#include <stdint.h>

#include "devices/clock.h"

/* now_ns is what the clock reads; the TSC reads tsc_origin + now_ns * tsc_hz / 10^9. */
struct fake_clock {
	uint64_t now_ns;
	uint64_t tsc_hz; /* 0: no TSC conversion (the struct clock leaves tsc_to_ns NULL) */
	uint64_t tsc_origin;
};

/* A struct clock reading `fc` (which must outlive it). */
struct clock fake_clock_source(struct fake_clock *fc);

/* The TSC value at clock time `ns`. */
uint64_t fake_clock_tsc_at(const struct fake_clock *fc, uint64_t ns);

#endif
