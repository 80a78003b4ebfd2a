/* The monitor's one time source: the host TSC, calibrated at boot, behind every guest clock. */
#ifndef MONITOR_CLOCK_SOURCE_H
#define MONITOR_CLOCK_SOURCE_H

#include <stdint.h>

#include "devices/clock.h"

/*
 * Measure the TSC against the PIT (channel 2, gated through port 0x61) once at boot. Returns the
 * frequency in Hz; 0 when the measurement failed (then a 1 GHz guess is used, and said).
 */
uint64_t clock_source_calibrate(void);

/* Nanoseconds since calibration. */
uint64_t clock_source_now_ns(void);

/* The wall-clock time read from the host's RTC at boot (Unix seconds), 0 when unreadable. */
uint64_t clock_source_epoch_seconds(void);

/* A struct clock for the device models (devices/clock.h). */
struct clock clock_source_clock(void);

#endif
