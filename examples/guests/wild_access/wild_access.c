/* A hostile guest: touches guest-physical memory with nothing behind it, then tries to run code there. */
#include <stdint.h>

#include "guest.h"

/*
 * Inside the identity-mapped low 4 GiB (so the guest's own paging lets the access through and it
 * reaches the SLAT), far above any RAM a demo partition gets, and clear of every device window.
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

	/* A PC answers reads where nothing is with all ones and drops writes: so must the monitor. */
	*(volatile uint32_t *)(uintptr_t)WILD_GPA = 0x12345678;
	uint32_t value = *(volatile const uint32_t *)(uintptr_t)WILD_GPA;

	guest_printf("wild_access: GPA %#lx reads %#x after a write: %s\n", (unsigned long)WILD_GPA,
	             value, value == 0xffffffffU ? "PASS" : "FAIL");
	if (value != 0xffffffffU)
		return 0x7D;

	/* Running code from there is an attack on the monitor's emulator: it must stop me. */
	guest_printf("wild_access: jumping to GPA %#lx: the monitor should stop me\n",
	             (unsigned long)WILD_GPA);
	((void (*)(void))(uintptr_t)WILD_GPA)();
	guest_printf(
	    "wild_access: returned from a jump into nothing: the monitor did not stop me\n");
	return 0x7F;
}
