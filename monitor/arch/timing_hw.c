/* RDTSC behind monitor/timing.h. */
#include "monitor/timing.h"

uint64_t timing_cycles(void)
{
	uint32_t lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}
