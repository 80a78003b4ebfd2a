/* A child partition's RAM as the monitor sees it, and the one checked accessor into it. */
#ifndef MONITOR_GUEST_RAM_H
#define MONITOR_GUEST_RAM_H

#include <hv/types.h>

/*
 * The RAM of a child is one host-physically contiguous block backing GPAs [0, size); the PC
 * hole [GUEST_RAM_HOLE_START, GUEST_RAM_HOLE_END) is backed but not mapped into the guest.
 */
#define GUEST_RAM_HOLE_START 0xa0000ULL
#define GUEST_RAM_HOLE_END   0x100000ULL

struct guest_ram {
	uint8_t *hva;
	hv_hpa_t hpa;
	uint64_t size;
};

/*
 * The monitor's pointer to guest bytes [gpa, gpa+len), or NULL when any of them is not guest
 * RAM (outside [0, size), in the PC hole, or the sum overflows). Every guest-supplied address
 * goes through here.
 */
void *guest_ram_ptr(const struct guest_ram *ram, hv_gpa_t gpa, uint64_t len);

/* Copy into / zero guest RAM; -EFAULT when guest_ram_ptr() refuses the range. */
int guest_ram_write(const struct guest_ram *ram, hv_gpa_t gpa, const void *src, uint64_t len);
int guest_ram_zero(const struct guest_ram *ram, hv_gpa_t gpa, uint64_t len);

#endif
