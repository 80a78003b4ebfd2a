/* Time for the interrupt guests: the TSC, calibrated against the ACPI PM timer (or PIT channel 2). */
#ifndef MBGUEST_TIMING_H
#define MBGUEST_TIMING_H

#include <stdint.h>

#define PM_TIMER_PORT 0x608U /* the FADT's PM timer block on QEMU's and the monitor's PC */
#define PM_TIMER_HZ   3579545U
#define PIT_HZ        1193182U

uint32_t pm_timer_read(void);

/*
 * Measures the TSC against the PM timer over `window_us` (at most 1 s), or, when the PM timer
 * does not count, against PIT channel 2 in mode 0 (window capped at 50 ms). Each clock read is
 * bracketed by two TSC reads, and the narrowest of a few brackets is kept, so the cost of a read
 * (an exit, under a hypervisor) does not bias the result. Returns and remembers the TSC rate in
 * kHz (0 if neither clock counts); `source` is set to "pm-timer" or "pit-ch2".
 */
uint32_t tsc_calibrate(uint32_t window_us, const char **source);
uint32_t tsc_khz(void);

uint64_t us_to_tsc(uint32_t us);
/* Saturates at UINT32_MAX microseconds. */
uint32_t tsc_to_us(uint64_t ticks);
void tsc_delay_us(uint32_t us);

/*
 * The local APIC timer's input clock in kHz (divide by 1), measured against the calibrated TSC
 * over `window_us` with the timer masked in one-shot mode. Leaves the timer stopped.
 */
uint32_t lapic_timer_calibrate(uint32_t window_us);

#endif
