/* The guest of examples/custom-monitor: reads the custom monitor's counter device through MMIO. */
#include <stdint.h>

#include "guest.h"

/*
 * examples/custom-monitor/custom_monitor.c puts a 32-bit register here that counts its reads and
 * takes a new count on a write. Every access traps and goes through the monitor's emulator. Under
 * the example monitor nothing is there and reads give all ones, so this guest then fails.
 */
#define COUNTER ((volatile uint32_t *)0xfe000000ULL)

int main(const struct guest_start_info *info)
{
	uint32_t a, b, c;

	(void)info;
	guest_puts("counter: reading the custom MMIO device\n");
	a = *COUNTER;
	b = *COUNTER;
	*COUNTER = 41;
	c = *COUNTER;
	guest_printf("counter: read %u, %u, then %u after writing 41\n", a, b, c);
	if (b != a + 1 || c != 42) {
		guest_puts("counter: FAIL\n");
		return 1;
	}
	guest_puts("counter: PASS\n");
	return 0;
}
