/* Building the start state of an ELF64 guest: its GDT, page tables, start info and registers. */
#ifndef MONITOR_LOADER_ELF64_START_H
#define MONITOR_LOADER_ELF64_START_H

#include <hv/hv.h>

#include "monitor/guest_ram.h"

/*
 * Write the structures of the start contract (guest_start.h) into the low 1 MiB of `ram` and
 * set the VP's registers: long mode at `entry`. `args` (args_len bytes, not NUL-terminated)
 * becomes the guest's command line. Returns 0, -EFAULT when RAM is too small for the low
 * structures, -E2BIG when args do not fit, -EINVAL when libhv refuses a register value.
 */
int elf64_start_prepare(const struct guest_ram *ram, struct hv_vp *vp, uint64_t entry,
                        const char *args, size_t args_len);

#endif
