/* The MC146818-style CMOS RTC at 0x70/0x71: time from the clock, 128 bytes of CMOS, the PC's fields. */
#ifndef DEVICES_CMOS_RTC_H
#define DEVICES_CMOS_RTC_H

#include <stdbool.h>
#include <stdint.h>

#include "devices/clock.h"
#include "devices/io_bus.h"
#include "devices/irq.h"

#define RTC_PORT       0x70U
#define RTC_PORT_COUNT 2U
#define RTC_IRQ        8U
#define CMOS_SIZE      128U

#define RTC_INDEX_MASK 0x7FU
#define RTC_NMI_MASK   0x80U /* port 0x70 bit 7: NMI disabled while set */

/* Clock registers. */
#define RTC_SECONDS       0x00U
#define RTC_SECONDS_ALARM 0x01U
#define RTC_MINUTES       0x02U
#define RTC_MINUTES_ALARM 0x03U
#define RTC_HOURS         0x04U
#define RTC_HOURS_ALARM   0x05U
#define RTC_DAY_OF_WEEK   0x06U /* 1 = Sunday */
#define RTC_DAY_OF_MONTH  0x07U
#define RTC_MONTH         0x08U
#define RTC_YEAR          0x09U
#define RTC_REG_A         0x0AU
#define RTC_REG_B         0x0BU
#define RTC_REG_C         0x0CU
#define RTC_REG_D         0x0DU
#define RTC_CENTURY       0x32U /* the IBM PC/AT's century byte */

#define RTC_A_UIP         0x80U /* update in progress: the 244 us before each second ticks */
#define RTC_A_DV          0x70U
#define RTC_A_DV_NORMAL   0x20U /* 32.768 kHz time base, running */
#define RTC_A_RS          0x0FU
#define RTC_A_RW          0x7FU
#define RTC_A_RESET       0x26U /* 32.768 kHz, 1024 Hz periodic rate */
#define RTC_UIP_NS        244000U
#define RTC_B_SET         0x80U
#define RTC_B_PIE         0x40U
#define RTC_B_AIE         0x20U
#define RTC_B_UIE         0x10U
#define RTC_B_SQWE        0x08U
#define RTC_B_DM_BINARY   0x04U
#define RTC_B_24H         0x02U
#define RTC_B_DSE         0x01U
#define RTC_B_RESET       0x02U /* 24-hour, BCD, no interrupts: what PC BIOSes leave */
#define RTC_C_IRQF        0x80U
#define RTC_C_PF          0x40U
#define RTC_C_AF          0x20U
#define RTC_C_UF          0x10U
#define RTC_D_VRT         0x80U /* valid RAM and time: the battery is good */
#define RTC_HOUR_PM       0x80U /* 12-hour mode */
#define RTC_ALARM_ANY     0xC0U /* an alarm byte of 11xxxxxx matches every value */

/* The PC's CMOS memory fields. */
#define CMOS_DIAG          0x0EU
#define CMOS_SHUTDOWN      0x0FU
#define CMOS_EQUIPMENT     0x14U
#define CMOS_BASE_MEM_LO   0x15U /* KiB below 640 KiB */
#define CMOS_BASE_MEM_HI   0x16U
#define CMOS_EXT_MEM_LO    0x17U /* KiB above 1 MiB, at most 65535 */
#define CMOS_EXT_MEM_HI    0x18U
#define CMOS_CHECKSUM_HI   0x2EU /* sum of 0x10-0x2D, big-endian */
#define CMOS_CHECKSUM_LO   0x2FU
#define CMOS_EXT_MEM2_LO   0x30U /* the same as 0x17/0x18 */
#define CMOS_EXT_MEM2_HI   0x31U
#define CMOS_MEM_16M_LO    0x34U /* 64 KiB units between 16 MiB and 4 GiB, at most 0xFFFF */
#define CMOS_MEM_16M_HI    0x35U
#define CMOS_MEM_4G_LO     0x5BU /* 64 KiB units above 4 GiB, 24 bits */
#define CMOS_MEM_4G_MID    0x5CU
#define CMOS_MEM_4G_HI     0x5DU
#define CMOS_NR_CPUS_M1    0x5FU /* processors minus one (QEMU/SeaBIOS convention) */
#define CMOS_EQUIPMENT_FPU 0x02U

/* What the platform knows at init. */
struct cmos_rtc_config {
	uint64_t epoch_seconds; /* Unix time at clock time 0 */
	uint64_t ram_below_4g;  /* bytes of RAM from GPA 0 */
	uint64_t ram_above_4g;  /* bytes of RAM from 4 GiB */
	unsigned cpu_count;
};

/* Fields are private to cmos_rtc.c. */
struct cmos_rtc {
	uint8_t index;
	bool nmi_disabled;
	uint8_t cmos[CMOS_SIZE]; /* the clock registers here hold the frozen time while SET */
	int64_t offset;          /* guest time minus (epoch + clock), seconds */
	uint64_t epoch;
	uint64_t flags_ns; /* the clock time up to which register C's flags are computed */
	uint8_t flags;     /* PF/AF/UF pending since the last read of register C */
	bool irq_level;
	struct clock clock;
	struct irq_line irq;
};

/* Power-on state with the memory fields and checksum filled from `cfg`. */
void rtc_init(struct cmos_rtc *rtc, const struct cmos_rtc_config *cfg, const struct clock *clock,
              const struct irq_line *irq);

/* Register at RTC_PORT, count RTC_PORT_COUNT, opaque = the struct cmos_rtc. Port 0x70 is
 * write-only (reads all ones); wider accesses split into byte cycles. */
extern const struct io_device_ops rtc_io_ops;

/* The NMI mask bit as the guest last wrote it. */
bool rtc_nmi_disabled(const struct cmos_rtc *rtc);

/* The guest-visible time, in seconds since 1970. */
uint64_t rtc_time(struct cmos_rtc *rtc);

/* Bring register C's flags and IRQ 8 up to date from the clock (IRQ 8 follows IRQF). */
void rtc_poll(struct cmos_rtc *rtc);

/*
 * The earliest clock time at which IRQ 8 may rise by time alone (the next periodic tick with
 * PIE, the next second with UIE or AIE — an alarm is checked at each second); UINT64_MAX when
 * no interrupt is enabled, the time base is stopped, or IRQ 8 is already high (it stays high
 * until register C is read).
 */
uint64_t rtc_next_event_ns(struct cmos_rtc *rtc);

#endif
