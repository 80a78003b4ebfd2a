/* Freestanding ELF64 loader for guest images: validation of hostile files, then copying segments. */
#ifndef MONITOR_LOADER_ELF64_H
#define MONITOR_LOADER_ELF64_H

#include <stddef.h>
#include <stdint.h>

/* The on-disk structures (System V ABI, "ELF Header" and "Program Header"), little-endian. */
#define ELF64_EI_NIDENT 16U

struct elf64_ehdr {
	uint8_t e_ident[ELF64_EI_NIDENT];
	uint16_t e_type;
	uint16_t e_machine;
	uint32_t e_version;
	uint64_t e_entry;
	uint64_t e_phoff;
	uint64_t e_shoff;
	uint32_t e_flags;
	uint16_t e_ehsize;
	uint16_t e_phentsize;
	uint16_t e_phnum;
	uint16_t e_shentsize;
	uint16_t e_shnum;
	uint16_t e_shstrndx;
};

struct elf64_phdr {
	uint32_t p_type;
	uint32_t p_flags;
	uint64_t p_offset;
	uint64_t p_vaddr;
	uint64_t p_paddr;
	uint64_t p_filesz;
	uint64_t p_memsz;
	uint64_t p_align;
};

_Static_assert(sizeof(struct elf64_ehdr) == 64, "ELF64 header is 64 bytes");
_Static_assert(sizeof(struct elf64_phdr) == 56, "ELF64 program header is 56 bytes");

#define ELF64_EI_CLASS     4U
#define ELF64_EI_DATA      5U
#define ELF64_EI_VERSION   6U
#define ELF64_CLASS64      2U
#define ELF64_DATA2LSB     1U
#define ELF64_EV_CURRENT   1U
#define ELF64_ET_EXEC      2U
#define ELF64_ET_DYN       3U
#define ELF64_EM_X86_64    62U
#define ELF64_PN_XNUM      0xffffU
#define ELF64_PT_LOAD      1U
#define ELF64_PT_DYNAMIC   2U
#define ELF64_PT_INTERP    3U
#define ELF64_PF_X         1U
#define ELF64_PF_W         2U
#define ELF64_PF_R         4U

#define ELF64_MAX_SEGMENTS 16U /* PT_LOAD segments accepted */

/* One PT_LOAD segment: file bytes [offset, offset + filesz) go to GPA [paddr, paddr + memsz). */
struct elf64_segment {
	uint64_t paddr; /* the load address; equal to p_vaddr (see elf64_inspect) */
	uint64_t offset;
	uint64_t filesz;
	uint64_t memsz; /* >= filesz; the rest is zeroed */
	uint32_t flags; /* ELF64_PF_* */
};

struct elf64_image {
	uint64_t entry;
	uint64_t load_lo;  /* lowest paddr of a non-empty segment */
	uint64_t load_end; /* highest paddr + memsz: RAM must reach at least this far */
	size_t nsegments;  /* non-empty PT_LOAD segments, sorted by paddr */
	struct elf64_segment segments[ELF64_MAX_SEGMENTS];
};

/*
 * Validates size bytes at image (any alignment; structures are copied out, never dereferenced in
 * place) as an x86-64 ELF64 ET_EXEC guest image and fills *out. ET_DYN (PIE) is rejected for now:
 * nothing relocates it. Segments load at p_paddr, as multiboot loaders do, and the guest starts with
 * the low 4 GiB identity-mapped (guest_start.h), so p_vaddr must equal p_paddr or code would run at
 * an address other than where it was put. PT_LOAD segments with p_memsz 0 are ignored; the others
 * must lie inside the file, have p_filesz <= p_memsz, not wrap, not overlap, and number at most
 * ELF64_MAX_SEGMENTS. The entry point must fall in the file-backed part of an executable segment.
 * Dynamically linked images (PT_INTERP, PT_DYNAMIC) are rejected. Returns 0, or -ENOEXEC with a
 * one-line reason in err (NUL-terminated, truncated to errlen).
 */
int elf64_inspect(const void *image, size_t size, struct elf64_image *out, char *err,
                  size_t errlen);

typedef int (*elf64_copy_fn)(void *ctx, uint64_t gpa, const void *src, size_t len);
typedef int (*elf64_zero_fn)(void *ctx, uint64_t gpa, size_t len);

/*
 * Loads an image that elf64_inspect() accepted (img came from the same bytes): checks every segment
 * lies inside [load_min, mem_size) and then copies file bytes and zeroes the rest through the
 * callbacks (which return 0 or a negative errno). Returns 0, -ERANGE when a segment does not fit,
 * -EINVAL when img does not match image/size, or the callback's error; err says which segment.
 */
/*
 * Check every segment against the file and against [load_min, mem_size), then copy each one's
 * file bytes and zero the rest. Nothing is written unless every segment passes. Shared by the ELF64
 * and multiboot v1 loaders; returns 0, -EINVAL, -ERANGE or the callback's error.
 */
int elf64_load_segments(const struct elf64_segment *segments, size_t nsegments, const void *image,
                        size_t size, uint64_t load_min, uint64_t mem_size,
                        elf64_copy_fn copy_to_guest, elf64_zero_fn zero_guest, void *ctx, char *err,
                        size_t errlen);

int elf64_load(const struct elf64_image *img, const void *image, size_t size, uint64_t load_min,
               uint64_t mem_size, elf64_copy_fn copy_to_guest, elf64_zero_fn zero_guest, void *ctx,
               char *err, size_t errlen);

#endif
