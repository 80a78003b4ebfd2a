/* The guests' runtime core: the way out through the debug-exit port, and the start-info check. */
#include <stdint.h>

#include "guest.h"

_Noreturn void guest_exit(uint32_t value)
{
	outl(GUEST_DEBUG_EXIT_PORT, value);
	for (;;)
		__asm__ volatile("cli; hlt");
}

const struct guest_start_info *guest_check_start_info(const struct guest_start_info *info)
{
	if (info == NULL || info->magic != GUEST_START_MAGIC || info->version != 1)
		return NULL;
	return info;
}
