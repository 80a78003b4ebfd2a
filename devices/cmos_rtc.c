/* The CMOS RTC: guest time kept as an offset from the clock, register formats, flags, PC memory fields. */
#include <string.h>

#include "devices/cmos_rtc.h"
#include "devices/io_bytes.h"

#define SECONDS_PER_DAY 86400U

/* A broken-down date and time. */
struct rtc_tm {
	uint32_t year;
	unsigned month, day, hour, minute, second, weekday; /* weekday 0 = Sunday */
};

/* Days since 1970-01-01 of a proleptic Gregorian date, from 400-year eras of 146097 days. */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (int64_t)(m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static void civil_from_days(int64_t z, struct rtc_tm *tm)
{
	int64_t era, doe, yoe, y, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	y = yoe + era * 400;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	tm->day = (unsigned)(doy - (153 * mp + 2) / 5 + 1);
	tm->month = (unsigned)(mp < 10 ? mp + 3 : mp - 9);
	tm->year = (uint32_t)(y + (tm->month <= 2));
}

static void tm_from_seconds(uint64_t t, struct rtc_tm *tm)
{
	uint64_t days = t / SECONDS_PER_DAY, s = t % SECONDS_PER_DAY;

	civil_from_days((int64_t)days, tm);
	tm->hour = (unsigned)(s / 3600);
	tm->minute = (unsigned)(s / 60 % 60);
	tm->second = (unsigned)(s % 60);
	tm->weekday = (unsigned)((days + 4) % 7); /* 1970-01-01 was a Thursday */
}

static bool is_binary(const struct cmos_rtc *rtc)
{
	return (rtc->cmos[RTC_REG_B] & RTC_B_DM_BINARY) != 0;
}

static bool is_running(const struct cmos_rtc *rtc)
{
	return !(rtc->cmos[RTC_REG_B] & RTC_B_SET);
}

static uint8_t encode(const struct cmos_rtc *rtc, unsigned v)
{
	v %= 100;
	return (uint8_t)(is_binary(rtc) ? v : (v / 10) << 4 | v % 10);
}

/* Non-decimal BCD digits from a guest still decode to something bounded. */
static unsigned decode(const struct cmos_rtc *rtc, uint8_t v)
{
	return is_binary(rtc) ? v : (v >> 4) * 10U + (v & 15U);
}

static uint8_t encode_hour(const struct cmos_rtc *rtc, unsigned h)
{
	if (rtc->cmos[RTC_REG_B] & RTC_B_24H)
		return encode(rtc, h);
	return (uint8_t)(encode(rtc, h % 12 == 0 ? 12 : h % 12) | (h >= 12 ? RTC_HOUR_PM : 0));
}

static unsigned decode_hour(const struct cmos_rtc *rtc, uint8_t v)
{
	if (rtc->cmos[RTC_REG_B] & RTC_B_24H)
		return decode(rtc, v);
	return decode(rtc, v & (uint8_t)~RTC_HOUR_PM) % 12 + (v & RTC_HOUR_PM ? 12U : 0U);
}

/* Guest seconds at clock time `ns`; a guest that set a date before 1970 reads 1970. */
static uint64_t guest_seconds(const struct cmos_rtc *rtc, uint64_t ns)
{
	int64_t t = (int64_t)(rtc->epoch + ns / CLOCK_NS_PER_SEC) + rtc->offset;

	return t > 0 ? (uint64_t)t : 0;
}

uint64_t rtc_time(struct cmos_rtc *rtc)
{
	return guest_seconds(rtc, clock_now_ns(&rtc->clock));
}

/* Is `index` one of the registers the running clock supplies? */
static bool is_time_register(uint8_t index)
{
	switch (index) {
	case RTC_SECONDS:
	case RTC_MINUTES:
	case RTC_HOURS:
	case RTC_DAY_OF_WEEK:
	case RTC_DAY_OF_MONTH:
	case RTC_MONTH:
	case RTC_YEAR:
	case RTC_CENTURY: return true;
	default: return false;
	}
}

static uint8_t time_field(const struct cmos_rtc *rtc, const struct rtc_tm *tm, uint8_t index)
{
	switch (index) {
	case RTC_SECONDS: return encode(rtc, tm->second);
	case RTC_MINUTES: return encode(rtc, tm->minute);
	case RTC_HOURS: return encode_hour(rtc, tm->hour);
	case RTC_DAY_OF_WEEK: return encode(rtc, tm->weekday + 1);
	case RTC_DAY_OF_MONTH: return encode(rtc, tm->day);
	case RTC_MONTH: return encode(rtc, tm->month);
	case RTC_YEAR: return encode(rtc, tm->year % 100);
	default: return encode(rtc, tm->year / 100 % 100); /* RTC_CENTURY */
	}
}

/* Copy the running time into the registers (when SET freezes them, or before one is written). */
static void snapshot(struct cmos_rtc *rtc)
{
	static const uint8_t fields[] = {RTC_SECONDS,      RTC_MINUTES, RTC_HOURS, RTC_DAY_OF_WEEK,
	                                 RTC_DAY_OF_MONTH, RTC_MONTH,   RTC_YEAR,  RTC_CENTURY};
	struct rtc_tm tm;

	tm_from_seconds(rtc_time(rtc), &tm);
	for (size_t i = 0; i < sizeof(fields); i++)
		rtc->cmos[fields[i]] = time_field(rtc, &tm, fields[i]);
}

/* Make the time in the registers the running time (the day of week is derived, as it is
 * only a counter the guest may set to anything). */
static void commit(struct cmos_rtc *rtc)
{
	const uint8_t *c = rtc->cmos;
	unsigned month = decode(rtc, c[RTC_MONTH]), day = decode(rtc, c[RTC_DAY_OF_MONTH]);
	int64_t year = decode(rtc, c[RTC_CENTURY]) * 100 + decode(rtc, c[RTC_YEAR]);
	int64_t t, now;

	month = month < 1 ? 1 : month > 12 ? 12 : month;
	day = day < 1 ? 1 : day > 31 ? 31 : day;
	t = days_from_civil(year, month, day) * SECONDS_PER_DAY +
	    (int64_t)decode_hour(rtc, c[RTC_HOURS]) * 3600 +
	    (int64_t)decode(rtc, c[RTC_MINUTES]) * 60 + decode(rtc, c[RTC_SECONDS]);
	now = (int64_t)(rtc->epoch + clock_now_ns(&rtc->clock) / CLOCK_NS_PER_SEC);
	rtc->offset = t - now;
}

/* Does the alarm match second-of-day `s`? Alarm bytes 11xxxxxx match anything. */
static bool alarm_matches(const struct cmos_rtc *rtc, unsigned s)
{
	const uint8_t *c = rtc->cmos;

	if (c[RTC_SECONDS_ALARM] < RTC_ALARM_ANY && decode(rtc, c[RTC_SECONDS_ALARM]) != s % 60)
		return false;
	if (c[RTC_MINUTES_ALARM] < RTC_ALARM_ANY &&
	    decode(rtc, c[RTC_MINUTES_ALARM]) != s / 60 % 60)
		return false;
	if (c[RTC_HOURS_ALARM] < RTC_ALARM_ANY && decode_hour(rtc, c[RTC_HOURS_ALARM]) != s / 3600)
		return false;
	return true;
}

/* Frequency of the periodic interrupt for rate select `rs` on the 32.768 kHz time base. */
static uint64_t periodic_hz(unsigned rs)
{
	return rs <= 2 ? 512U >> rs : 65536U >> rs;
}

/* Accumulate PF, AF and UF for the clock time between the last update and now. */
static void update_flags(struct cmos_rtc *rtc)
{
	uint64_t now = clock_now_ns(&rtc->clock), s0, s1, hz;
	unsigned rs = rtc->cmos[RTC_REG_A] & RTC_A_RS;

	if (now <= rtc->flags_ns)
		return;
	if ((rtc->cmos[RTC_REG_A] & RTC_A_DV) == RTC_A_DV_NORMAL) {
		if (rs != 0) {
			hz = periodic_hz(rs);
			if (clock_ns_to_ticks(now, hz) > clock_ns_to_ticks(rtc->flags_ns, hz))
				rtc->flags |= RTC_C_PF;
		}
		if (is_running(rtc)) {
			s0 = guest_seconds(rtc, rtc->flags_ns);
			s1 = guest_seconds(rtc, now);
			if (s1 > s0)
				rtc->flags |= RTC_C_UF;
			/* Every second of a day is checked at most once: beyond that, nothing new. */
			for (uint64_t s = s0 + 1; s <= s1 && s <= s0 + SECONDS_PER_DAY; s++)
				if (alarm_matches(rtc, (unsigned)(s % SECONDS_PER_DAY))) {
					rtc->flags |= RTC_C_AF;
					break;
				}
		}
	}
	rtc->flags_ns = now;
}

static bool irqf(const struct cmos_rtc *rtc)
{
	uint8_t b = rtc->cmos[RTC_REG_B];

	return ((rtc->flags & RTC_C_PF) && (b & RTC_B_PIE)) ||
	       ((rtc->flags & RTC_C_AF) && (b & RTC_B_AIE)) ||
	       ((rtc->flags & RTC_C_UF) && (b & RTC_B_UIE));
}

static void drive_irq(struct cmos_rtc *rtc)
{
	bool level = irqf(rtc);

	if (level != rtc->irq_level) {
		rtc->irq_level = level;
		irq_line_set(&rtc->irq, RTC_IRQ, level);
	}
}

void rtc_poll(struct cmos_rtc *rtc)
{
	update_flags(rtc);
	drive_irq(rtc);
}

uint64_t rtc_next_event_ns(struct cmos_rtc *rtc)
{
	uint64_t now = clock_now_ns(&rtc->clock), next = UINT64_MAX, hz, t;
	uint8_t b = rtc->cmos[RTC_REG_B];
	unsigned rs = rtc->cmos[RTC_REG_A] & RTC_A_RS;

	rtc_poll(rtc);
	if (rtc->irq_level || (rtc->cmos[RTC_REG_A] & RTC_A_DV) != RTC_A_DV_NORMAL)
		return UINT64_MAX;
	if ((b & RTC_B_PIE) && rs != 0) {
		hz = periodic_hz(rs);
		next = clock_ticks_to_ns(clock_ns_to_ticks(now, hz) + 1, hz);
	}
	/* Seconds tick on whole seconds of the clock (the offset is whole seconds). */
	if ((b & (RTC_B_UIE | RTC_B_AIE)) && is_running(rtc)) {
		t = (now / CLOCK_NS_PER_SEC + 1) * CLOCK_NS_PER_SEC;
		next = t < next ? t : next;
	}
	return next;
}

static void put16(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void fill_memory_fields(struct cmos_rtc *rtc, const struct cmos_rtc_config *cfg)
{
	uint64_t low = cfg->ram_below_4g, kib, units;
	uint32_t sum = 0;

	kib = low > 0x100000U ? (low - 0x100000U) >> 10 : 0;
	if (kib > 0xFFFFU)
		kib = 0xFFFFU;
	put16(&rtc->cmos[CMOS_BASE_MEM_LO], low >= 0xA0000U ? 640U : (uint32_t)(low >> 10));
	put16(&rtc->cmos[CMOS_EXT_MEM_LO], (uint32_t)kib);
	put16(&rtc->cmos[CMOS_EXT_MEM2_LO], (uint32_t)kib);
	units = low > 0x1000000U ? (low - 0x1000000U) >> 16 : 0;
	put16(&rtc->cmos[CMOS_MEM_16M_LO], (uint32_t)(units > 0xFFFFU ? 0xFFFFU : units));
	units = cfg->ram_above_4g >> 16;
	if (units > 0xFFFFFFU)
		units = 0xFFFFFFU;
	rtc->cmos[CMOS_MEM_4G_LO] = (uint8_t)units;
	rtc->cmos[CMOS_MEM_4G_MID] = (uint8_t)(units >> 8);
	rtc->cmos[CMOS_MEM_4G_HI] = (uint8_t)(units >> 16);
	rtc->cmos[CMOS_EQUIPMENT] = CMOS_EQUIPMENT_FPU;
	rtc->cmos[CMOS_NR_CPUS_M1] = (uint8_t)(cfg->cpu_count > 0 ? cfg->cpu_count - 1 : 0);
	for (unsigned i = 0x10; i < CMOS_CHECKSUM_HI; i++)
		sum += rtc->cmos[i];
	rtc->cmos[CMOS_CHECKSUM_HI] = (uint8_t)(sum >> 8);
	rtc->cmos[CMOS_CHECKSUM_LO] = (uint8_t)sum;
}

void rtc_init(struct cmos_rtc *rtc, const struct cmos_rtc_config *cfg, const struct clock *clock,
              const struct irq_line *irq)
{
	memset(rtc, 0, sizeof(*rtc));
	if (clock)
		rtc->clock = *clock;
	if (irq)
		rtc->irq = *irq;
	rtc->cmos[RTC_REG_A] = RTC_A_RESET;
	rtc->cmos[RTC_REG_B] = RTC_B_RESET;
	rtc->cmos[RTC_REG_D] = RTC_D_VRT;
	if (cfg) {
		rtc->epoch = cfg->epoch_seconds;
		fill_memory_fields(rtc, cfg);
	}
	rtc->flags_ns = clock_now_ns(&rtc->clock);
}

bool rtc_nmi_disabled(const struct cmos_rtc *rtc)
{
	return rtc->nmi_disabled;
}

static uint8_t read_register(struct cmos_rtc *rtc, uint8_t index)
{
	uint64_t ns;
	uint8_t v;
	struct rtc_tm tm;

	switch (index) {
	case RTC_REG_A:
		ns = clock_now_ns(&rtc->clock);
		v = rtc->cmos[RTC_REG_A] & RTC_A_RW;
		if (is_running(rtc) && (v & RTC_A_DV) == RTC_A_DV_NORMAL &&
		    ns % CLOCK_NS_PER_SEC >= CLOCK_NS_PER_SEC - RTC_UIP_NS)
			v |= RTC_A_UIP;
		return v;
	case RTC_REG_C:
		update_flags(rtc);
		v = rtc->flags | (irqf(rtc) ? RTC_C_IRQF : 0);
		rtc->flags = 0; /* reading C clears it and releases IRQ 8 */
		drive_irq(rtc);
		return v;
	default:
		if (is_time_register(index) && is_running(rtc)) {
			tm_from_seconds(rtc_time(rtc), &tm);
			return time_field(rtc, &tm, index);
		}
		return rtc->cmos[index];
	}
}

static void write_register(struct cmos_rtc *rtc, uint8_t index, uint8_t value)
{
	uint8_t old;

	switch (index) {
	case RTC_REG_A:
		update_flags(rtc); /* flags so far count at the old rate */
		rtc->cmos[RTC_REG_A] = value & RTC_A_RW;
		return;
	case RTC_REG_B:
		update_flags(rtc);
		old = rtc->cmos[RTC_REG_B];
		if (value & RTC_B_SET)
			value &= (uint8_t)~RTC_B_UIE; /* SET clears UIE, as the datasheet says */
		if ((value & RTC_B_SET) && !(old & RTC_B_SET))
			snapshot(rtc); /* in the old format: the guest reads what it froze */
		rtc->cmos[RTC_REG_B] = value;
		if (!(value & RTC_B_SET) && (old & RTC_B_SET)) {
			commit(rtc);
			rtc->flags_ns = clock_now_ns(&rtc->clock);
		}
		drive_irq(rtc);
		return;
	case RTC_REG_C:
	case RTC_REG_D: return; /* read-only */
	default:
		if (is_time_register(index) && is_running(rtc)) {
			update_flags(rtc);
			snapshot(rtc);
			rtc->cmos[index] = value;
			commit(rtc);
			rtc->flags_ns = clock_now_ns(&rtc->clock);
			return;
		}
		rtc->cmos[index] = value;
		return;
	}
}

static uint8_t rtc_read_byte(void *opaque, uint16_t offset)
{
	struct cmos_rtc *rtc = opaque;

	return offset == 0 ? 0xFFU : read_register(rtc, rtc->index);
}

static void rtc_write_byte(void *opaque, uint16_t offset, uint8_t value)
{
	struct cmos_rtc *rtc = opaque;

	if (offset == 0) {
		rtc->index = value & RTC_INDEX_MASK;
		rtc->nmi_disabled = (value & RTC_NMI_MASK) != 0;
	} else {
		write_register(rtc, rtc->index, value);
	}
}

static uint32_t rtc_io_read(void *opaque, uint16_t offset, uint8_t size)
{
	return io_bytes_read(rtc_read_byte, opaque, offset, size, RTC_PORT_COUNT);
}

static void rtc_io_write(void *opaque, uint16_t offset, uint8_t size, uint32_t value)
{
	io_bytes_write(rtc_write_byte, opaque, offset, size, RTC_PORT_COUNT, value);
}

const struct io_device_ops rtc_io_ops = {
    .read = rtc_io_read,
    .write = rtc_io_write,
};
