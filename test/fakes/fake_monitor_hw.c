/* Host-test stand-ins for the monitor's remaining hardware hooks: the TSC and the safe RDMSR. */
#include "monitor/arch/exceptions.h"
#include "monitor/lib/errno.h"
#include "monitor/clock_source.h"
#include "monitor/timing.h"

uint64_t timing_cycles(void)
{
	static uint64_t now;

	return now += 1000;
}

int rdmsr_safe(uint32_t msr, uint64_t *value)
{
	(void)msr;
	(void)value;
	return -EIO; /* as on a processor without the MSR */
}

/* A clock that advances 1 ms per reading, from a fixed epoch. */
uint64_t clock_source_calibrate(void)
{
	return 1000000000ULL;
}

uint64_t clock_source_now_ns(void)
{
	static uint64_t now;

	return now += 1000000;
}

uint64_t clock_source_epoch_seconds(void)
{
	return 1764115200ULL; /* 2025-11-26 00:00:00 UTC */
}

static uint64_t fake_now_ns(void *opaque)
{
	(void)opaque;
	return clock_source_now_ns();
}

struct clock clock_source_clock(void)
{
	return (struct clock){.now_ns = fake_now_ns, .opaque = 0};
}
