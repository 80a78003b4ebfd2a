/* A hand-advanced clock for device-model tests: now_ns and the TSC conversions of struct clock. */
#include "fake_clock.h"

static uint64_t fake_now_ns(void *opaque)
{
	return ((const struct fake_clock *)opaque)->now_ns;
}

uint64_t fake_clock_tsc_at(const struct fake_clock *fc, uint64_t ns)
{
	return fc->tsc_origin + clock_ns_to_ticks(ns, fc->tsc_hz);
}

static uint64_t fake_ns_to_tsc(void *opaque, uint64_t ns)
{
	return fake_clock_tsc_at(opaque, ns);
}

/* The first ns at which the TSC reads `tsc` or more; 0 for a TSC value before the origin. */
static uint64_t fake_tsc_to_ns(void *opaque, uint64_t tsc)
{
	const struct fake_clock *fc = opaque;

	return tsc <= fc->tsc_origin ? 0 : clock_ticks_to_ns(tsc - fc->tsc_origin, fc->tsc_hz);
}

struct clock fake_clock_source(struct fake_clock *fc)
{
	struct clock c = {.now_ns = fake_now_ns, .opaque = fc};

	if (fc->tsc_hz) {
		c.tsc_to_ns = fake_tsc_to_ns;
		c.ns_to_tsc = fake_ns_to_tsc;
	}
	return c;
}
