/* The monitor's clock for the run summary: host TSC cycles (monitor/arch/timing_hw.c). */
#ifndef MONITOR_TIMING_H
#define MONITOR_TIMING_H

#include <stdint.h>

uint64_t timing_cycles(void);

#endif
