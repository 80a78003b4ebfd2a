/* A hostile guest: reads guest-physical memory with nothing behind it; the monitor must stop it. */
#include <stdint.h>

#include "guest.h"

/*
 * Inside the identity-mapped low 4 GiB (so the guest's own paging lets the access through and it
 * reaches the SLAT), far above any RAM a demo partition gets, and clear of the IOAPIC
 * (0xFEC00000) and local APIC (0xFEE00000) windows the platform does emulate.
 */
#define WILD_GPA 0xE0000000ULL

int main(const struct guest_start_info *info)
{
	info = guest_check_start_info(info);
	if (info != NULL && info->mem_size > WILD_GPA) {
		guest_printf("wild_access: %#lx is inside my %#lx bytes of RAM; nothing to test\n",
		             (unsigned long)WILD_GPA, (unsigned long)info->mem_size);
		return 0x7E;
	}
	guest_printf("wild_access: reading GPA %#lx, beyond my RAM: the monitor should stop me\n",
	             (unsigned long)WILD_GPA);

	uint32_t value = *(volatile const uint32_t *)(uintptr_t)WILD_GPA;

	guest_printf("wild_access: read %#x and kept running: the platform did not stop me\n",
	             value);
	return 0x7F;
}
