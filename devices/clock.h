/* The time source device models read: nanoseconds from a monotonic clock the monitor provides. */
#ifndef DEVICES_CLOCK_H
#define DEVICES_CLOCK_H

#include <stddef.h>
#include <stdint.h>

#define CLOCK_NS_PER_SEC 1000000000ULL

/*
 * now_ns returns nanoseconds since any fixed origin, never going backwards. The monitor backs it
 * with the calibrated TSC; host tests with a fake clock they advance by hand. Models never poll
 * it from a thread: they read it when the guest touches them and compute their state lazily.
 */
struct clock {
	uint64_t (*now_ns)(void *opaque);
	void *opaque;
	/*
	 * Optional: the guest's TSC (which equals the host's) to and from this clock's ns, for the
	 * local APIC's TSC-deadline timer. Both or neither; without them a TSC value is taken as
	 * ns (a 1 GHz TSC), which is what host tests with a plain fake clock see.
	 */
	uint64_t (*tsc_to_ns)(void *opaque, uint64_t tsc);
	uint64_t (*ns_to_tsc)(void *opaque, uint64_t ns);
};

/* The time now; 0 for a clock without a callback (time then stands still, which is safe). */
static inline uint64_t clock_now_ns(const struct clock *clk)
{
	return clk != NULL && clk->now_ns != NULL ? clk->now_ns(clk->opaque) : 0;
}

/* The clock time at which the TSC reads `tsc` (identity without a conversion). */
static inline uint64_t clock_tsc_to_ns(const struct clock *clk, uint64_t tsc)
{
	return clk != NULL && clk->tsc_to_ns != NULL ? clk->tsc_to_ns(clk->opaque, tsc) : tsc;
}

/* The TSC value at clock time `ns` (identity without a conversion). */
static inline uint64_t clock_ns_to_tsc(const struct clock *clk, uint64_t ns)
{
	return clk != NULL && clk->ns_to_tsc != NULL ? clk->ns_to_tsc(clk->opaque, ns) : ns;
}

/*
 * Whole ticks of a `hz` clock in `ns` nanoseconds, rounded down, exact for any ns and any hz below
 * 2^34: splitting at whole seconds keeps every product inside 64 bits (ns * hz would overflow
 * after a few hours).
 */
static inline uint64_t clock_ns_to_ticks(uint64_t ns, uint64_t hz)
{
	return ns / CLOCK_NS_PER_SEC * hz + ns % CLOCK_NS_PER_SEC * hz / CLOCK_NS_PER_SEC;
}

/* The first nanosecond at which clock_ns_to_ticks(ns, hz) >= ticks (hz > 0, below 2^34). */
static inline uint64_t clock_ticks_to_ns(uint64_t ticks, uint64_t hz)
{
	return ticks / hz * CLOCK_NS_PER_SEC + (ticks % hz * CLOCK_NS_PER_SEC + hz - 1) / hz;
}

#endif
