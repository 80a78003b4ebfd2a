/* Calibrating the host TSC against the PIT, and reading the host RTC once for the guests' epoch. */
#include <stdbool.h>

#include "monitor/arch/cpu.h"
#include "monitor/clock_source.h"
#include "monitor/timing.h"

#define PIT_HZ          1193182ULL
#define PIT_CH2_DATA    0x42U
#define PIT_COMMAND     0x43U
#define PORT_61         0x61U
#define PORT_61_GATE2   0x01U
#define PORT_61_SPEAKER 0x02U
#define PORT_61_OUT2    0x20U
#define CALIBRATE_TICKS 11932U /* 10 ms of PIT */
#define FALLBACK_HZ     1000000000ULL

static uint64_t tsc_hz = FALLBACK_HZ;
static uint64_t tsc_start;
static uint64_t epoch;

/* Channel 2 in mode 0 counts down from CALIBRATE_TICKS; OUT2 rises when it reaches zero. */
static uint64_t measure(void)
{
	uint64_t t0, t1;
	uint32_t spins = 0;

	asm_outb(PORT_61, (uint8_t)((asm_inb(PORT_61) & ~PORT_61_SPEAKER) & ~PORT_61_GATE2));
	asm_outb(PIT_COMMAND, 0xb0); /* channel 2, LSB then MSB, mode 0, binary */
	asm_outb(PIT_CH2_DATA, CALIBRATE_TICKS & 0xff);
	asm_outb(PIT_CH2_DATA, CALIBRATE_TICKS >> 8);
	asm_outb(PORT_61, (uint8_t)(asm_inb(PORT_61) | PORT_61_GATE2));
	t0 = timing_cycles();
	while (!(asm_inb(PORT_61) & PORT_61_OUT2))
		if (++spins > 100000000U)
			return 0; /* no PIT: give up rather than hang */
	t1 = timing_cycles();
	asm_outb(PORT_61, (uint8_t)(asm_inb(PORT_61) & ~PORT_61_GATE2));
	return (t1 - t0) * PIT_HZ / CALIBRATE_TICKS;
}

static unsigned cmos_read(uint8_t index)
{
	asm_outb(0x70, index);
	return asm_inb(0x71);
}

static unsigned from_bcd(unsigned v, bool bcd)
{
	return bcd ? (v & 0xf) + 10 * (v >> 4) : v;
}

/* Days from 1970-01-01 to year-month-day (proleptic Gregorian; years 1970-2099). */
static uint64_t days_since_epoch(unsigned y, unsigned m, unsigned d)
{
	static const unsigned before_month[12] = {0,   31,  59,  90,  120, 151,
	                                          181, 212, 243, 273, 304, 334};
	uint64_t days = 365ULL * (y - 1970) + (y - 1969) / 4 + before_month[(m - 1) % 12] + d - 1;

	if (m > 2 && y % 4 == 0)
		days++;
	return days;
}

static uint64_t read_host_rtc(void)
{
	unsigned sec, min, hour, day, mon, year, status_b, spins = 0;
	bool bcd;

	while ((cmos_read(0x0a) & 0x80) && ++spins < 1000000) /* update in progress */
		;
	status_b = cmos_read(0x0b);
	bcd = !(status_b & 0x04);
	sec = from_bcd(cmos_read(0x00), bcd);
	min = from_bcd(cmos_read(0x02), bcd);
	hour = from_bcd(cmos_read(0x04) & 0x7f, bcd);
	day = from_bcd(cmos_read(0x07), bcd);
	mon = from_bcd(cmos_read(0x08), bcd);
	year = 2000 + from_bcd(cmos_read(0x09), bcd);
	if (!(status_b & 0x02) && (cmos_read(0x04) & 0x80))
		hour = (hour % 12) + 12; /* 12-hour mode, PM */
	if (mon < 1 || mon > 12 || day < 1 || day > 31 || hour > 23 || min > 59 || sec > 59)
		return 0;
	return days_since_epoch(year, mon, day) * 86400ULL + hour * 3600ULL + min * 60ULL + sec;
}

uint64_t clock_source_calibrate(void)
{
	uint64_t hz = measure();

	if (hz)
		tsc_hz = hz;
	epoch = read_host_rtc();
	tsc_start = timing_cycles();
	return hz;
}

uint64_t clock_source_tsc_hz(void)
{
	return tsc_hz;
}

uint64_t clock_source_now_ns(void)
{
	return clock_source_tsc_to_ns_at(timing_cycles(), tsc_start, tsc_hz);
}

uint64_t clock_source_ns_to_tsc(uint64_t ns)
{
	return clock_source_ns_to_tsc_at(ns, tsc_start, tsc_hz);
}

uint64_t clock_source_tsc_to_ns(uint64_t tsc)
{
	return clock_source_tsc_to_ns_at(tsc, tsc_start, tsc_hz);
}

uint64_t clock_source_epoch_seconds(void)
{
	return epoch;
}

static uint64_t now_ns(void *opaque)
{
	(void)opaque;
	return clock_source_now_ns();
}

static uint64_t tsc_to_ns(void *opaque, uint64_t tsc)
{
	(void)opaque;
	return clock_source_tsc_to_ns(tsc);
}

static uint64_t ns_to_tsc(void *opaque, uint64_t ns)
{
	(void)opaque;
	return clock_source_ns_to_tsc(ns);
}

struct clock clock_source_clock(void)
{
	return (struct clock){
	    .now_ns = now_ns, .opaque = 0, .tsc_to_ns = tsc_to_ns, .ns_to_tsc = ns_to_tsc};
}
