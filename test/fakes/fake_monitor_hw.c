/* Host-test stand-ins for the monitor's remaining hardware hooks: the TSC and the safe RDMSR. */
#include "monitor/arch/exceptions.h"
#include "monitor/lib/errno.h"
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
