/* An ELF64 guest in one call: check the image, copy it into guest RAM, build its start state. */
#ifndef MONITOR_LOADER_ELF64_GUEST_H
#define MONITOR_LOADER_ELF64_GUEST_H

#include <stddef.h>

#include <hv/hv.h>

#include "monitor/guest_ram.h"

/*
 * elf64_inspect(), elf64_load() into [GUEST_START_LOAD_MIN, ram->size) and elf64_start_prepare()
 * in a row, for monitors that need no more control than that. `image` is untrusted (a boot
 * module); `args` (args_len bytes, not NUL-terminated) becomes the guest's command line. The
 * RAM must already be mapped and the VP created. Returns 0, or -ENOEXEC (not a loadable image,
 * or it does not fit the RAM), -E2BIG / -EFAULT / -EINVAL (no start state), with a one-line
 * reason in err.
 */
int elf64_guest_load(const struct guest_ram *ram, struct hv_vp *vp, const void *image, size_t size,
                     const char *args, size_t args_len, char *err, size_t errlen);

#endif
