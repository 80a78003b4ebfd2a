/* Freestanding multiboot (v1) kernel loader: finding the header, validating a hostile image, loading it. */
#ifndef MONITOR_LOADER_MULTIBOOT1_H
#define MONITOR_LOADER_MULTIBOOT1_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "monitor/loader/elf64.h"

/*
 * The OS image header (Multiboot Specification 0.6.96, "OS image format", "The layout of Multiboot
 * header"): 4-byte aligned and wholly inside the first MULTIBOOT1_SEARCH bytes of the file; magic +
 * flags + checksum is 0 modulo 2^32. The address fields are present when MULTIBOOT1_FLAG_AOUT_KLUDGE
 * is set, the video fields when MULTIBOOT1_FLAG_VIDEO_MODE is.
 */
#define MULTIBOOT1_HEADER_MAGIC 0x1badb002U
#define MULTIBOOT1_BOOT_MAGIC   0x2badb002U /* EAX when the kernel starts */
#define MULTIBOOT1_SEARCH       8192U

struct multiboot1_header {
	uint32_t magic;
	uint32_t flags;
	uint32_t checksum;
	/* valid when flags has MULTIBOOT1_FLAG_AOUT_KLUDGE */
	uint32_t header_addr; /* the physical address the magic is loaded to */
	uint32_t load_addr;   /* the physical address of the first byte loaded */
	uint32_t
	    load_end_addr; /* end of the bytes loaded from the file; 0: to the end of the file */
	uint32_t bss_end_addr; /* end of the zeroed area after them; 0: no bss */
	uint32_t entry_addr;
	/* valid when flags has MULTIBOOT1_FLAG_VIDEO_MODE */
	uint32_t mode_type;
	uint32_t width;
	uint32_t height;
	uint32_t depth;
};

_Static_assert(sizeof(struct multiboot1_header) == 48, "multiboot header with every field");

#define MULTIBOOT1_HEADER_BASE_SIZE  12U /* magic, flags, checksum */
#define MULTIBOOT1_HEADER_ADDR_SIZE  32U /* ... through entry_addr */
#define MULTIBOOT1_HEADER_VIDEO_SIZE 48U /* ... through depth */

/* Header flags. Bits 0-15 are requirements: a loader must refuse a kernel asking for one it lacks. */
#define MULTIBOOT1_FLAG_PAGE_ALIGN  (1U << 0)  /* modules page-aligned (this loader always does) */
#define MULTIBOOT1_FLAG_MEMORY_INFO (1U << 1)  /* mem_* and the memory map (always given) */
#define MULTIBOOT1_FLAG_VIDEO_MODE  (1U << 2)  /* a video mode: accepted and ignored (no display) */
#define MULTIBOOT1_FLAG_AOUT_KLUDGE (1U << 16) /* the address fields say how to load the file */
#define MULTIBOOT1_FLAGS_REQUIRED   0x0000ffffU
#define MULTIBOOT1_FLAGS_KNOWN_REQ  0x00000007U

enum multiboot1_format {
	MULTIBOOT1_FORMAT_AOUT_KLUDGE = 1, /* loaded by the header's address fields */
	MULTIBOOT1_FORMAT_ELF32,           /* EM_386 ELF32, PT_LOAD segments at p_paddr */
	MULTIBOOT1_FORMAT_ELF64,           /* EM_X86_64 ELF64, PT_LOAD segments at p_paddr */
};

#define MULTIBOOT1_MAX_SEGMENTS ELF64_MAX_SEGMENTS
#define MULTIBOOT1_ADDR_LIMIT   0x100000000ULL /* a kernel that starts with paging off sees 4 GiB */

/* File bytes [offset, offset + filesz) go to GPA [paddr, paddr + filesz); the rest to memsz is zeroed. */

struct multiboot1_image {
	enum multiboot1_format format;
	uint32_t header_offset;          /* of the magic in the file */
	struct multiboot1_header header; /* copied out; fields past what flags announce are 0 */
	uint32_t entry;                  /* physical: EIP at start */
	uint64_t load_lo;                /* lowest GPA written */
	uint64_t load_end;               /* one past the highest GPA written (bss included) */
	size_t nsegments;                /* sorted by paddr, not overlapping */
	struct elf64_segment segments[MULTIBOOT1_MAX_SEGMENTS];
};

/*
 * Finds the first valid header in the first MULTIBOOT1_SEARCH bytes of image (size bytes, any
 * alignment): a 4-aligned magic whose checksum holds and whose first 12 bytes lie inside both the
 * file and the search window. Returns 0 with its file offset in *offset, or -ENOENT (err says
 * whether a magic with a wrong checksum was seen, which helps someone who miscomputed it).
 */
int multiboot1_find_header(const void *image, size_t size, uint32_t *offset, char *err,
                           size_t errlen);

/* True when multiboot1_find_header() finds a header: the file is meant as a multiboot v1 kernel. */
bool multiboot1_is_image(const void *image, size_t size);

/*
 * Validates a multiboot v1 kernel and fills *out. The header's required flags (bits 0-15) must be
 * ones this loader provides (page-aligned modules, memory information; a video mode request is
 * accepted and ignored, since partitions have no display). With MULTIBOOT1_FLAG_AOUT_KLUDGE, or
 * when the file is not ELF, the header's address fields say what to load: header_addr must lie in
 * [load_addr, load_end), the file must hold the bytes, bss_end_addr must be 0 or >= load_end, and
 * entry_addr must be inside the loaded bytes. Otherwise the file must be an ELF32 (EM_386) or
 * ELF64 (EM_X86_64) ET_EXEC whose PT_LOAD segments (loaded at p_paddr, non-overlapping, at most
 * MULTIBOOT1_MAX_SEGMENTS) lie inside the file; e_entry is taken as a virtual address and
 * translated to a physical one through the segment holding it (as GRUB does for higher-half
 * kernels) and must fall in bytes loaded from the file. Everything must lie below 4 GiB. Returns 0
 * or -ENOEXEC with a one-line reason in err.
 */
int multiboot1_inspect(const void *image, size_t size, struct multiboot1_image *out, char *err,
                       size_t errlen);

/*
 * Loads an inspected image into guest memory through the callbacks (the ELF64 loader's): checks
 * first that every segment lies inside [load_min, mem_size), then copies file bytes and zeroes the
 * rest. Returns 0, -ERANGE when something does not fit (nothing written), -EINVAL when img does
 * not match image/size, or a callback's error.
 */
int multiboot1_load(const struct multiboot1_image *img, const void *image, size_t size,
                    uint64_t load_min, uint64_t mem_size, elf64_copy_fn copy_to_guest,
                    elf64_zero_fn zero_guest, void *ctx, char *err, size_t errlen);

/* A short name for the format ("a.out kludge", "ELF32", "ELF64"). */
const char *multiboot1_format_name(enum multiboot1_format format);

#endif
