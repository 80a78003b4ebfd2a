/* The host TSC for libhv's clocks (freestanding build; host tests link test/fakes/fake_tsc.c). */
#include "libhv/core/hv_internal.h"

uint64_t synthetic_read_tsc(void)
{
	uint32_t lo, hi;

	/* Not serialising: the clocks need a monotonic count, not an instruction boundary. */
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}
