/* The ELF side of the multiboot v1 loader: ELF32 and ELF64 kernels read into one segment list. */
#ifndef MONITOR_LOADER_MULTIBOOT1_ELF_H
#define MONITOR_LOADER_MULTIBOOT1_ELF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "monitor/loader/multiboot1.h"

/* The 32-bit on-disk structures (System V ABI, "ELF Header" and "Program Header"), little-endian. */
struct elf32_ehdr {
	uint8_t e_ident[ELF64_EI_NIDENT];
	uint16_t e_type;
	uint16_t e_machine;
	uint32_t e_version;
	uint32_t e_entry;
	uint32_t e_phoff;
	uint32_t e_shoff;
	uint32_t e_flags;
	uint16_t e_ehsize;
	uint16_t e_phentsize;
	uint16_t e_phnum;
	uint16_t e_shentsize;
	uint16_t e_shnum;
	uint16_t e_shstrndx;
};

struct elf32_phdr {
	uint32_t p_type;
	uint32_t p_offset;
	uint32_t p_vaddr;
	uint32_t p_paddr;
	uint32_t p_filesz;
	uint32_t p_memsz;
	uint32_t p_flags;
	uint32_t p_align;
};

_Static_assert(sizeof(struct elf32_ehdr) == 52, "ELF32 header is 52 bytes");
_Static_assert(sizeof(struct elf32_phdr) == 32, "ELF32 program header is 32 bytes");

#define ELF32_CLASS32 1U
#define ELF32_EM_386  3U

/* True when the file starts with the ELF magic (any class). */
bool multiboot1_elf_is_elf(const void *image, size_t size);

/*
 * Reads an ELF32 (EM_386) or ELF64 (EM_X86_64) ET_EXEC kernel into out->format, out->entry and
 * the segment list (see multiboot1_inspect() for the rules). Returns 0 or -ENOEXEC with err set.
 */
int multiboot1_elf_inspect(const void *image, size_t size, struct multiboot1_image *out, char *err,
                           size_t errlen);

#endif
