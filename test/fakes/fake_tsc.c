/* A settable host TSC for the clock, SynIC and timer tests (stands in for synthetic_tsc_hw.c). */
#include "fake_tsc.h"

#include "libhv/core/hv_internal.h"

static uint64_t tsc;
static uint64_t hz;

uint64_t synthetic_read_tsc(void)
{
	return tsc;
}

void fake_tsc_set(uint64_t value)
{
	tsc = value;
}

void fake_tsc_advance(uint64_t ticks)
{
	tsc += ticks;
}

static uint64_t fake_tsc_frequency(void)
{
	return hz;
}

static struct hv_host_ops ops_with_clock;

void fake_tsc_install(uint64_t frequency)
{
	hz = frequency;
	ops_with_clock = *hv_globals.host;
	ops_with_clock.tsc_frequency = fake_tsc_frequency;
	hv_globals.host = &ops_with_clock;
}
