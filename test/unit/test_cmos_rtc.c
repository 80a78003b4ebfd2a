/* Unit tests for the CMOS RTC: time formats, UIP, SET, register C flags, NMI bit, memory fields. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>

#include "devices/cmos_rtc.h"
#include "devices/io_bus.h"

#define EPOCH 1709214330ULL /* 2024-02-29 13:45:30 UTC, a Thursday */

static uint64_t now_ns;
static struct cmos_rtc rtc;
static struct io_bus bus;
static bool irq8;

static uint64_t fake_now(void *opaque)
{
	(void)opaque;
	return now_ns;
}

static void record_irq(void *opaque, unsigned n, bool level)
{
	(void)opaque;
	cr_assert_eq(n, RTC_IRQ);
	irq8 = level;
}

static void start(uint64_t ram_below, uint64_t ram_above)
{
	struct clock clk = {.now_ns = fake_now};
	struct irq_line irq = {record_irq, NULL};
	struct cmos_rtc_config cfg = {EPOCH, ram_below, ram_above, 2};

	now_ns = 0;
	irq8 = false;
	rtc_init(&rtc, &cfg, &clk, &irq);
	io_bus_init(&bus);
	cr_assert_eq(io_bus_register(&bus, RTC_PORT, RTC_PORT_COUNT, &rtc_io_ops, &rtc), 0);
}

static void setup(void)
{
	start(64ULL << 20, 0);
}

static uint8_t cmos_read(uint8_t index)
{
	uint32_t v;

	cr_assert(io_bus_write(&bus, 0x70, 1, index));
	cr_assert(io_bus_read(&bus, 0x71, 1, &v));
	return (uint8_t)v;
}

static void cmos_write(uint8_t index, uint8_t v)
{
	cr_assert(io_bus_write(&bus, 0x70, 1, index));
	cr_assert(io_bus_write(&bus, 0x71, 1, v));
}

TestSuite(cmos_rtc, .init = setup);

Test(cmos_rtc, reset_registers)
{
	cr_assert_eq(cmos_read(RTC_REG_A), RTC_A_RESET);
	cr_assert_eq(cmos_read(RTC_REG_B), RTC_B_RESET);
	cr_assert_eq(cmos_read(RTC_REG_C), 0);
	cr_assert_eq(cmos_read(RTC_REG_D), RTC_D_VRT);
}

/* The time fields in each format register B can select. */
struct format_case {
	uint8_t reg_b;
	uint8_t sec, min, hour, dow, day, month, year, century;
};

ParameterizedTestParameters(cmos_rtc, formats)
{
	static struct format_case cases[] = {
	    {RTC_B_24H, 0x30, 0x45, 0x13, 0x05, 0x29, 0x02, 0x24, 0x20},
	    {RTC_B_24H | RTC_B_DM_BINARY, 30, 45, 13, 5, 29, 2, 24, 20},
	    {0, 0x30, 0x45, 0x81, 0x05, 0x29, 0x02, 0x24, 0x20}, /* 1 PM, BCD */
	    {RTC_B_DM_BINARY, 30, 45, 0x81, 5, 29, 2, 24, 20},   /* 1 PM, binary */
	};
	return cr_make_param_array(struct format_case, cases, sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct format_case *c, cmos_rtc, formats, .init = setup)
{
	cmos_write(RTC_REG_B, c->reg_b);
	cr_assert_eq(cmos_read(RTC_SECONDS), c->sec);
	cr_assert_eq(cmos_read(RTC_MINUTES), c->min);
	cr_assert_eq(cmos_read(RTC_HOURS), c->hour);
	cr_assert_eq(cmos_read(RTC_DAY_OF_WEEK), c->dow);
	cr_assert_eq(cmos_read(RTC_DAY_OF_MONTH), c->day);
	cr_assert_eq(cmos_read(RTC_MONTH), c->month);
	cr_assert_eq(cmos_read(RTC_YEAR), c->year);
	cr_assert_eq(cmos_read(RTC_CENTURY), c->century);
}

Test(cmos_rtc, midnight_and_noon_in_12_hour_mode)
{
	cmos_write(RTC_REG_B, 0);
	now_ns = (10 * 3600 + 14 * 60 + 30) * CLOCK_NS_PER_SEC; /* to 2024-03-01 00:00:00 */
	cr_assert_eq(cmos_read(RTC_HOURS), 0x12, "midnight is 12 AM");
	cr_assert_eq(cmos_read(RTC_DAY_OF_MONTH), 0x01, "2024 is a leap year: Feb 29 then Mar 1");
	cr_assert_eq(cmos_read(RTC_MONTH), 0x03);
	now_ns += 12 * 3600 * CLOCK_NS_PER_SEC;
	cr_assert_eq(cmos_read(RTC_HOURS), 0x92, "noon is 12 PM");
}

Test(cmos_rtc, time_follows_the_clock)
{
	now_ns = 31 * CLOCK_NS_PER_SEC;
	cr_assert_eq(cmos_read(RTC_SECONDS), 0x01);
	cr_assert_eq(cmos_read(RTC_MINUTES), 0x46);
	cr_assert_eq(rtc_time(&rtc), EPOCH + 31);
}

Test(cmos_rtc, uip_in_the_last_244us_of_a_second)
{
	now_ns = CLOCK_NS_PER_SEC - RTC_UIP_NS - 1;
	cr_assert_eq(cmos_read(RTC_REG_A) & RTC_A_UIP, 0);
	now_ns = CLOCK_NS_PER_SEC - RTC_UIP_NS;
	cr_assert_eq(cmos_read(RTC_REG_A) & RTC_A_UIP, RTC_A_UIP);
	now_ns = CLOCK_NS_PER_SEC;
	cr_assert_eq(cmos_read(RTC_REG_A) & RTC_A_UIP, 0);
	cmos_write(RTC_REG_A, 0xFF);
	cr_assert_eq(cmos_read(RTC_REG_A), 0x7F, "UIP is read-only");
}

Test(cmos_rtc, set_freezes_and_commits)
{
	cmos_write(RTC_REG_B, RTC_B_24H | RTC_B_SET | RTC_B_UIE);
	cr_assert_eq(cmos_read(RTC_REG_B), RTC_B_24H | RTC_B_SET, "SET clears UIE");
	now_ns = 5 * CLOCK_NS_PER_SEC;
	cr_assert_eq(cmos_read(RTC_SECONDS), 0x30, "frozen while SET");
	cr_assert_eq(cmos_read(RTC_REG_A) & RTC_A_UIP, 0);
	cmos_write(RTC_YEAR, 0x99);
	cmos_write(RTC_CENTURY, 0x19);
	cmos_write(RTC_MONTH, 0x12);
	cmos_write(RTC_DAY_OF_MONTH, 0x31);
	cmos_write(RTC_HOURS, 0x23);
	cmos_write(RTC_MINUTES, 0x59);
	cmos_write(RTC_SECONDS, 0x58);
	cmos_write(RTC_REG_B, RTC_B_24H);
	cr_assert_eq(rtc_time(&rtc), 946684798ULL);
	now_ns += 2 * CLOCK_NS_PER_SEC;
	cr_assert_eq(cmos_read(RTC_YEAR), 0x00);
	cr_assert_eq(cmos_read(RTC_CENTURY), 0x20);
	cr_assert_eq(cmos_read(RTC_DAY_OF_WEEK), 0x07, "2000-01-01 was a Saturday");
}

Test(cmos_rtc, write_while_running)
{
	cmos_write(RTC_MINUTES, 0x00);
	cr_assert_eq(cmos_read(RTC_MINUTES), 0x00);
	cr_assert_eq(cmos_read(RTC_HOURS), 0x13);
	cr_assert_eq(rtc_time(&rtc), EPOCH - 45 * 60);
}

Test(cmos_rtc, register_c_flags_and_irq8)
{
	cmos_write(RTC_REG_B, RTC_B_24H | RTC_B_UIE);
	rtc_poll(&rtc);
	cr_assert_not(irq8);
	now_ns = CLOCK_NS_PER_SEC;
	rtc_poll(&rtc);
	cr_assert(irq8, "update-ended raises IRQ 8");
	uint8_t c = cmos_read(RTC_REG_C);
	cr_assert_eq(c & (RTC_C_IRQF | RTC_C_UF), RTC_C_IRQF | RTC_C_UF);
	cr_assert(c & RTC_C_PF, "the periodic flag is set even with PIE clear");
	cr_assert_not(irq8, "reading C releases it");
	cr_assert_eq(cmos_read(RTC_REG_C), 0);
}

Test(cmos_rtc, periodic_and_alarm)
{
	cmos_write(RTC_REG_A, RTC_A_DV_NORMAL | 15); /* 2 Hz */
	cmos_write(RTC_REG_B, RTC_B_24H | RTC_B_PIE);
	now_ns = CLOCK_NS_PER_SEC / 2 - 1;
	cr_assert_eq(cmos_read(RTC_REG_C), 0);
	now_ns = CLOCK_NS_PER_SEC / 2;
	cr_assert_eq(cmos_read(RTC_REG_C), RTC_C_IRQF | RTC_C_PF);
	cmos_write(RTC_REG_A, RTC_A_DV_NORMAL);
	cmos_write(RTC_SECONDS_ALARM, 0x35);
	cmos_write(RTC_MINUTES_ALARM, RTC_ALARM_ANY);
	cmos_write(RTC_HOURS_ALARM, RTC_ALARM_ANY);
	cmos_write(RTC_REG_B, RTC_B_24H | RTC_B_AIE);
	now_ns = 4 * CLOCK_NS_PER_SEC; /* 13:45:34 */
	cr_assert_eq(cmos_read(RTC_REG_C) & RTC_C_AF, 0);
	now_ns = 5 * CLOCK_NS_PER_SEC;
	cr_assert_eq(cmos_read(RTC_REG_C), RTC_C_IRQF | RTC_C_AF | RTC_C_UF);
}

Test(cmos_rtc, nmi_mask_bit_and_index)
{
	cr_assert(io_bus_write(&bus, 0x70, 1, 0x80 | RTC_REG_D));
	cr_assert(rtc_nmi_disabled(&rtc));
	uint32_t v;
	cr_assert(io_bus_read(&bus, 0x71, 1, &v));
	cr_assert_eq(v, RTC_D_VRT, "bit 7 is not part of the index");
	cr_assert(io_bus_write(&bus, 0x70, 1, 0x0D));
	cr_assert_not(rtc_nmi_disabled(&rtc));
	cr_assert(io_bus_read(&bus, 0x70, 1, &v));
	cr_assert_eq(v, 0xFF, "the index port is write-only");
}

Test(cmos_rtc, ram_bytes_and_read_only_registers)
{
	cmos_write(0x40, 0xA5);
	cr_assert_eq(cmos_read(0x40), 0xA5);
	cmos_write(0x7F, 0x11);
	cr_assert_eq(cmos_read(0x7F), 0x11);
	cmos_write(RTC_REG_D, 0);
	cr_assert_eq(cmos_read(RTC_REG_D), RTC_D_VRT);
}

/* The memory fields for a few RAM sizes (KiB and 64 KiB units, as BIOSes read them). */
struct memory_case {
	uint64_t below, above;
	uint16_t base_kib, ext_kib, above_16m;
	uint32_t above_4g;
};

ParameterizedTestParameters(cmos_rtc, memory_fields)
{
	static struct memory_case cases[] = {
	    {16ULL << 20, 0, 640, 15 * 1024, 0, 0},
	    {64ULL << 20, 0, 640, 63 * 1024, (48ULL << 20) >> 16, 0},
	    {0xC0000000ULL, 2ULL << 30, 640, 0xFFFF, (0xC0000000ULL - (16 << 20)) >> 16,
	     (2ULL << 30) >> 16},
	    {0x100000000ULL, 0, 640, 0xFFFF, 0xFF00, 0},
	    {512ULL << 10, 0, 512, 0, 0, 0},
	};
	return cr_make_param_array(struct memory_case, cases, sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct memory_case *c, cmos_rtc, memory_fields)
{
	start(c->below, c->above);
	cr_assert_eq(cmos_read(0x15) | cmos_read(0x16) << 8, c->base_kib);
	cr_assert_eq(cmos_read(0x17) | cmos_read(0x18) << 8, c->ext_kib);
	cr_assert_eq(cmos_read(0x30) | cmos_read(0x31) << 8, c->ext_kib);
	cr_assert_eq(cmos_read(0x34) | cmos_read(0x35) << 8, c->above_16m);
	cr_assert_eq((uint32_t)(cmos_read(0x5B) | cmos_read(0x5C) << 8 | cmos_read(0x5D) << 16),
	             c->above_4g);
	cr_assert_eq(cmos_read(CMOS_NR_CPUS_M1), 1);
	unsigned sum = 0;
	for (uint8_t i = 0x10; i < 0x2E; i++)
		sum += cmos_read(i);
	cr_assert_eq(cmos_read(0x2E) << 8 | cmos_read(0x2F), sum & 0xFFFF);
}

Test(cmos_rtc, hostile_time_bytes_stay_bounded)
{
	for (unsigned reg = 0; reg < 0x0A; reg++)
		cmos_write((uint8_t)reg, 0xFF);
	cmos_write(RTC_CENTURY, 0xFF);
	for (unsigned reg = 0; reg < 0x0A; reg++)
		(void)cmos_read((uint8_t)reg);
	now_ns = 100ULL * 86400 * CLOCK_NS_PER_SEC;
	(void)cmos_read(RTC_REG_C);
}
