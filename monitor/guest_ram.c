/* Bounds- and overflow-checked access to a child partition's RAM. */
#include <string.h>

#include "monitor/guest_ram.h"
#include "monitor/lib/errno.h"

void *guest_ram_ptr(const struct guest_ram *ram, hv_gpa_t gpa, uint64_t len)
{
	uint64_t end;

	if (__builtin_add_overflow(gpa, len, &end) || end > ram->size)
		return NULL;
	if (len && gpa < GUEST_RAM_HOLE_END && end > GUEST_RAM_HOLE_START)
		return NULL;
	return ram->hva + gpa;
}

int guest_ram_write(const struct guest_ram *ram, hv_gpa_t gpa, const void *src, uint64_t len)
{
	void *dst = guest_ram_ptr(ram, gpa, len);

	if (!dst)
		return -EFAULT;
	memcpy(dst, src, len);
	return 0;
}

int guest_ram_zero(const struct guest_ram *ram, hv_gpa_t gpa, uint64_t len)
{
	void *dst = guest_ram_ptr(ram, gpa, len);

	if (!dst)
		return -EFAULT;
	memset(dst, 0, len);
	return 0;
}
