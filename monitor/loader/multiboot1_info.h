/* The multiboot (v1) information a kernel finds at EBX: structure, low-memory layout, and its builder. */
#ifndef MONITOR_LOADER_MULTIBOOT1_INFO_H
#define MONITOR_LOADER_MULTIBOOT1_INFO_H

#include <stddef.h>
#include <stdint.h>

#include "monitor/loader/elf64.h"
#include "monitor/loader/multiboot1.h"

/*
 * Boot information format (Multiboot Specification 0.6.96, "Boot information format"). Every
 * field is at the offset the specification's table gives; 64-bit quantities are split into
 * halves so that the structure has no padding and the same layout under -m32 and -m64.
 */
struct multiboot1_info {
	uint32_t flags;       /* 0: MULTIBOOT1_INFO_* */
	uint32_t mem_lower;   /* 4: KiB from 0 (at most 640) */
	uint32_t mem_upper;   /* 8: KiB from 1 MiB to the first hole */
	uint32_t boot_device; /* 12 */
	uint32_t cmdline;     /* 16: physical address of a C string */
	uint32_t mods_count;  /* 20 */
	uint32_t mods_addr;   /* 24: struct multiboot1_module_entry[mods_count] */
	uint32_t syms[4];     /* 28: a.out or ELF section symbols (never given) */
	uint32_t mmap_length; /* 44: bytes of memory map */
	uint32_t mmap_addr;   /* 48 */
	uint32_t drives_length;
	uint32_t drives_addr;
	uint32_t config_table;
	uint32_t boot_loader_name; /* 64 */
	uint32_t apm_table;
	uint32_t vbe_control_info; /* 72 */
	uint32_t vbe_mode_info;
	uint16_t vbe_mode; /* 80 */
	uint16_t vbe_interface_seg;
	uint16_t vbe_interface_off;
	uint16_t vbe_interface_len;
	uint32_t framebuffer_addr_lo; /* 88 */
	uint32_t framebuffer_addr_hi;
	uint32_t framebuffer_pitch; /* 96 */
	uint32_t framebuffer_width;
	uint32_t framebuffer_height;
	uint8_t framebuffer_bpp; /* 108 */
	uint8_t framebuffer_type;
	uint8_t color_info[6]; /* 110 */
};

_Static_assert(sizeof(struct multiboot1_info) == 116, "multiboot info through color_info");

#define MULTIBOOT1_INFO_MEMORY      (1U << 0) /* mem_lower, mem_upper */
#define MULTIBOOT1_INFO_BOOT_DEVICE (1U << 1)
#define MULTIBOOT1_INFO_CMDLINE     (1U << 2)
#define MULTIBOOT1_INFO_MODS        (1U << 3)
#define MULTIBOOT1_INFO_MMAP        (1U << 6)
#define MULTIBOOT1_INFO_LOADER_NAME (1U << 9)

/* One module: [mod_start, mod_end) holds its bytes; string is its NUL-terminated command line. */
struct multiboot1_module_entry {
	uint32_t mod_start;
	uint32_t mod_end;
	uint32_t string;
	uint32_t reserved;
};

_Static_assert(sizeof(struct multiboot1_module_entry) == 16, "multiboot module entry");

/*
 * One memory map entry. size counts the bytes after itself (20), so that mmap_addr points at the
 * size field of the first entry and the next entry starts at entry + size + 4.
 */
struct multiboot1_mmap_entry {
	uint32_t size;
	uint32_t base_lo, base_hi;
	uint32_t length_lo, length_hi;
	uint32_t type; /* MULTIBOOT1_MEMORY_* */
};

_Static_assert(sizeof(struct multiboot1_mmap_entry) == 24, "multiboot memory map entry");

#define MULTIBOOT1_MEMORY_AVAILABLE 1U
#define MULTIBOOT1_MEMORY_RESERVED  2U

/*
 * The low-memory layout this loader uses (all below 640 KiB, in RAM the memory map reports as
 * available: the kernel must treat it as in use until it has read what it wants, as under GRUB):
 *
 *   0x1000  GDT of the start state (multiboot1_start.h) and, at 0x1080, its TSS
 *   0x2000  struct multiboot1_info                                  (MULTIBOOT1_INFO_GPA)
 *   0x2100  boot loader name, "libhv"                               (MULTIBOOT1_LOADER_NAME_GPA)
 *   0x2200  memory map, at most MULTIBOOT1_MMAP_MAX entries          (MULTIBOOT1_MMAP_GPA)
 *   0x2400  module list, at most MULTIBOOT1_MODS_MAX entries         (MULTIBOOT1_MODS_GPA)
 *   0x3000  the kernel's command line, < 4 KiB with its NUL          (MULTIBOOT1_CMDLINE_GPA)
 *   0x4000  the modules' strings, packed, 16 KiB in all              (MULTIBOOT1_STRINGS_GPA)
 *   0x8000  a 4 KiB stack; ESP starts at 0x9000 (the spec leaves ESP undefined: the kernel
 *           must set up its own, but one that pushes first is not sent into the ROM)
 *
 * The modules' contents go above the kernel: the first at the 4 KiB boundary at or above the
 * kernel's highest loaded byte (bss included), each next one at the 4 KiB boundary after the
 * previous one's end, as GRUB places them; all must end inside RAM and below 4 GiB.
 */
#define MULTIBOOT1_INFO_GPA        0x2000U
#define MULTIBOOT1_LOADER_NAME_GPA 0x2100U
#define MULTIBOOT1_MMAP_GPA        0x2200U
#define MULTIBOOT1_MODS_GPA        0x2400U
#define MULTIBOOT1_CMDLINE_GPA     0x3000U
#define MULTIBOOT1_STRINGS_GPA     0x4000U
#define MULTIBOOT1_STACK_TOP       0x9000U
#define MULTIBOOT1_LOW_END         0x9000U /* RAM must reach this far */

#define MULTIBOOT1_MMAP_MAX        8U
#define MULTIBOOT1_MODS_MAX        64U
#define MULTIBOOT1_CMDLINE_MAX     (MULTIBOOT1_STRINGS_GPA - MULTIBOOT1_CMDLINE_GPA) /* with NUL */
#define MULTIBOOT1_STRINGS_MAX     (0x8000U - MULTIBOOT1_STRINGS_GPA) /* all, with NULs */
#define MULTIBOOT1_MODULE_ALIGN    0x1000U

/* The platform's memory as the map reports it (docs/guest-images.md). */
#define MULTIBOOT1_LOW_RAM_END    0x9fc00ULL /* the top 1 KiB below 640 KiB: an EBDA's place */
#define MULTIBOOT1_ROM_START      0xc0000ULL /* option ROMs and the BIOS image (rom/rom.h) */
#define MULTIBOOT1_HIGH_RAM_START 0x100000ULL

/* A file handed to the partition (for=NAME): its bytes and its string (not NUL-terminated). */
struct multiboot1_module {
	const void *data;
	size_t size;
	const char *string;
	size_t string_len;
};

struct multiboot1_info_config {
	uint64_t mem_size;   /* RAM from GPA 0; at least 1 MiB */
	uint64_t kernel_end; /* multiboot1_image.load_end: modules go above it */
	const char *cmdline; /* the kernel's command line (the module's ARGS), not NUL-terminated */
	size_t cmdline_len;
	const struct multiboot1_module *modules;
	size_t nmodules;
};

/* What the kernel starts with: EAX, EBX, and where the modules ended (for the caller's log). */
struct multiboot1_boot {
	uint32_t eax;         /* MULTIBOOT1_BOOT_MAGIC */
	uint32_t ebx;         /* MULTIBOOT1_INFO_GPA */
	uint64_t modules_end; /* one past the last module byte; kernel_end when there is none */
};

/*
 * Writes the boot information into guest memory through the callbacks (the loader's), after
 * checking that all of it fits: flags MEMORY | CMDLINE | MODS | MMAP | LOADER_NAME; mem_lower 639
 * KiB, mem_upper up to the end of RAM (capped at 4 GiB); the memory map [0, 0x9fc00) available,
 * [0x9fc00, 0xa0000) and [0xc0000, 0x100000) reserved, [1 MiB, mem) available; the command line;
 * one module entry per cfg->modules, whose bytes are copied above the kernel (see the layout).
 * Returns 0, -ERANGE when RAM is too small (for the low structures or the modules), -E2BIG when
 * the command line, the module strings or the number of modules exceeds the layout, -EINVAL on a
 * bad argument, or a callback's error; err says which. Nothing is written unless all fits.
 */
int multiboot1_info_build(const struct multiboot1_info_config *cfg, elf64_copy_fn copy_to_guest,
                          elf64_zero_fn zero_guest, void *ctx, struct multiboot1_boot *out,
                          char *err, size_t errlen);

#endif
