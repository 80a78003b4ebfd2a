/* The machine state a multiboot (v1) kernel starts in: 32-bit protected mode, flat, paging off. */
#ifndef MONITOR_LOADER_MULTIBOOT1_START_H
#define MONITOR_LOADER_MULTIBOOT1_START_H

#include <hv/hv.h>

#include "monitor/guest_ram.h"

/*
 * The GDT this loader leaves behind (at MULTIBOOT1_GDT_GPA, below the info block; see
 * multiboot1_info.h for the rest of the low layout). The specification says the kernel must load
 * its own GDT before it reloads a segment register; a valid one here means a kernel that reloads
 * early (or reads GDTR) still finds descriptors matching the hidden state.
 */
#define MULTIBOOT1_GDT_GPA       0x1000U
#define MULTIBOOT1_TSS_GPA       0x1080U /* 104 zero bytes: TR must name a busy TSS for VMX */
#define MULTIBOOT1_TSS_LIMIT     0x67U
#define MULTIBOOT1_CODE_SELECTOR 0x08U
#define MULTIBOOT1_DATA_SELECTOR 0x10U
#define MULTIBOOT1_TSS_SELECTOR  0x18U
#define MULTIBOOT1_GDT_ENTRIES   4U

/*
 * Writes the GDT and TSS into `ram` and sets the VP's registers as the specification's "Machine
 * state" section describes: EAX = MULTIBOOT1_BOOT_MAGIC, EBX = info_gpa, EIP = entry; CS a flat
 * 32-bit execute/read code segment (base 0, limit 4 GiB), DS/ES/FS/GS/SS flat 32-bit read/write
 * data; CR0 = PE|ET|NE (paging off); CR3 = CR4 = EFER = 0; EFLAGS = 0x2 (VM and IF clear); IDTR
 * limit 0; TR a busy 32-bit TSS; LDTR unusable; ESP = MULTIBOOT1_STACK_TOP (the specification
 * leaves it undefined); other general registers 0. Returns 0, -EFAULT when RAM does not cover the
 * GDT and TSS, -EINVAL when libhv refuses a value.
 */
int multiboot1_start_prepare(const struct guest_ram *ram, struct hv_vp *vp, uint32_t entry,
                             uint32_t info_gpa);

#endif
