/* The ACPI power-management timer at port 0x608: a free-running 24-bit counter at 3.579545 MHz. */
#ifndef DEVICES_PM_TIMER_H
#define DEVICES_PM_TIMER_H

#include <stdint.h>

#include "devices/clock.h"
#include "devices/io_bus.h"

#define PM_TIMER_PORT       0x608U /* PM1a block at 0x600 as QEMU's PIIX4 places it: PM_TMR at +8 */
#define PM_TIMER_PORT_COUNT 4U
#define PM_TIMER_HZ         3579545U
#define PM_TIMER_MASK       0x00FFFFFFU /* 24 bits: the FADT says TMR_VAL_EXT = 0 */

struct pm_timer {
	struct clock clock;
};

void pm_timer_init(struct pm_timer *pm, const struct clock *clock);

/* Register at PM_TIMER_PORT, count PM_TIMER_PORT_COUNT, opaque = the pm_timer. Reads of any width
 * return the counter's bytes from lane (port & 3) up (bits 31:24 read 0); writes are ignored. */
extern const struct io_device_ops pm_timer_io_ops;

/* The counter now. */
uint32_t pm_timer_value(const struct pm_timer *pm);

#endif
