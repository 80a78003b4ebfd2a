/* Host-test stand-ins for the monitor's hardware hooks: the TSC, the safe RDMSR, the host timer. */
#include "monitor/arch/exceptions.h"
#include "monitor/lib/errno.h"
#include "monitor/clock_source.h"
#include "monitor/host_timer.h"
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

/* A clock that advances 1 ms per reading, from a fixed epoch, over a 1 GHz TSC that reads 0 at 0 ns. */
uint64_t clock_source_calibrate(void)
{
	return 1000000000ULL;
}

uint64_t clock_source_tsc_hz(void)
{
	return 1000000000ULL;
}

uint64_t clock_source_now_ns(void)
{
	static uint64_t now;

	return now += 1000000;
}

uint64_t clock_source_ns_to_tsc(uint64_t ns)
{
	return clock_source_ns_to_tsc_at(ns, 0, 1000000000ULL);
}

uint64_t clock_source_tsc_to_ns(uint64_t tsc)
{
	return clock_source_tsc_to_ns_at(tsc, 0, 1000000000ULL);
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

/* The host timer: armed values are remembered for tests; idling jumps nowhere (no real time). */
uint64_t fake_host_timer_armed;
unsigned fake_host_timer_windows;

enum host_timer_mode host_timer_init(uint64_t tsc_hz)
{
	(void)tsc_hz;
	return HOST_TIMER_TSC_DEADLINE;
}

enum host_timer_mode host_timer_mode(void)
{
	return HOST_TIMER_TSC_DEADLINE;
}

uint64_t host_timer_count_hz(void)
{
	return 0;
}

const char *host_timer_mode_name(enum host_timer_mode mode)
{
	return mode == HOST_TIMER_NONE ? "none" : "fake";
}

void host_timer_arm(uint64_t tsc)
{
	fake_host_timer_armed = tsc;
}

void host_timer_take_interrupts(void)
{
	fake_host_timer_windows++;
}

void host_timer_idle_until(uint64_t tsc)
{
	fake_host_timer_armed = tsc;
}

uint64_t host_timer_fired(void)
{
	return 0;
}
