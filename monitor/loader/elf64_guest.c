/* elf64_guest_load(): the ELF64 loader and the start contract, chained for a custom monitor. */
#include "monitor/loader/elf64_guest.h"

#include "monitor/lib/errmsg.h"
#include "monitor/lib/errno.h"
#include "monitor/loader/elf64.h"
#include "monitor/loader/elf64_start.h"
#include "monitor/loader/guest_start.h"

static int copy_to_guest(void *ctx, uint64_t gpa, const void *src, size_t len)
{
	return guest_ram_write(ctx, gpa, src, len);
}

static int zero_guest(void *ctx, uint64_t gpa, size_t len)
{
	return guest_ram_zero(ctx, gpa, len);
}

int elf64_guest_load(const struct guest_ram *ram, struct hv_vp *vp, const void *image, size_t size,
                     const char *args, size_t args_len, char *err, size_t errlen)
{
	struct elf64_image elf;
	int rc;

	if (elf64_inspect(image, size, &elf, err, errlen))
		return -ENOEXEC;
	/* elf64_load() takes a non-const context; guest_ram_write() only reads the struct. */
	if (elf64_load(&elf, image, size, GUEST_START_LOAD_MIN, ram->size, copy_to_guest,
	               zero_guest, (void *)(uintptr_t)ram, err, errlen))
		return -ENOEXEC;
	rc = elf64_start_prepare(ram, vp, elf.entry, args, args_len);
	if (rc)
		errmsg_set(err, errlen, "cannot build the start state (error %u)", (unsigned)-rc);
	return rc;
}
