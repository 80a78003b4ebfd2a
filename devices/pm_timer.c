/* The ACPI PM timer: the clock divided down to 3.579545 MHz and wrapped at 24 bits. */
#include "devices/pm_timer.h"

void pm_timer_init(struct pm_timer *pm, const struct clock *clock)
{
	pm->clock = clock ? *clock : (struct clock){0};
}

uint32_t pm_timer_value(const struct pm_timer *pm)
{
	return (uint32_t)clock_ns_to_ticks(clock_now_ns(&pm->clock), PM_TIMER_HZ) & PM_TIMER_MASK;
}

static uint32_t pm_timer_io_read(void *opaque, uint16_t offset, uint8_t size)
{
	(void)size; /* the bus masks the result to the access width */
	return pm_timer_value(opaque) >> (8U * (offset & 3U));
}

static void pm_timer_io_write(void *opaque, uint16_t offset, uint8_t size, uint32_t value)
{
	(void)opaque;
	(void)offset;
	(void)size;
	(void)value;
}

const struct io_device_ops pm_timer_io_ops = {
    .read = pm_timer_io_read,
    .write = pm_timer_io_write,
};
