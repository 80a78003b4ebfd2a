/* The ELF side of the multiboot v1 loader: ELF32 and ELF64 kernels read into one segment list. */
#include "monitor/loader/multiboot1_elf.h"

#include <stdbool.h>
#include <string.h>

#include "monitor/lib/errmsg.h"
#include "monitor/lib/errno.h"

/* One program header of either class, widened. */
struct phdr {
	uint32_t type;
	uint64_t offset, vaddr, paddr, filesz, memsz;
};

/* Either class's ELF header, widened: only what the loader uses. */
struct ehdr {
	unsigned cls;
	uint16_t type, machine, ehsize, phentsize, phnum;
	uint32_t version;
	uint64_t entry, phoff;
};

static int reject(char *err, size_t errlen, const char *msg)
{
	errmsg_set(err, errlen, "%s", msg);
	return -ENOEXEC;
}

bool multiboot1_elf_is_elf(const void *image, size_t size)
{
	return image && size >= 4 && memcmp(image, "\177ELF", 4) == 0;
}

static int read_ehdr(const uint8_t *bytes, size_t size, struct ehdr *eh, char *err, size_t errlen)
{
	if (size < ELF64_EI_NIDENT)
		return reject(err, errlen, "file too small for an ELF header");
	eh->cls = bytes[ELF64_EI_CLASS];
	if (bytes[ELF64_EI_DATA] != ELF64_DATA2LSB)
		return reject(err, errlen,
		              "not a little-endian ELF file (EI_DATA is not ELFDATA2LSB)");
	if (eh->cls == ELF32_CLASS32) {
		struct elf32_ehdr e;

		if (size < sizeof(e))
			return reject(err, errlen, "file too small for an ELF32 header");
		memcpy(&e, bytes, sizeof(e));
		*eh = (struct ehdr){ELF32_CLASS32, e.e_type,      e.e_machine,
		                    e.e_ehsize,    e.e_phentsize, e.e_phnum,
		                    e.e_version,   e.e_entry,     e.e_phoff};
		if (eh->machine != ELF32_EM_386)
			return reject(err, errlen,
			              "ELF32 kernel is not for i386 (e_machine is not EM_386)");
		if (eh->ehsize != sizeof(struct elf32_ehdr) ||
		    eh->phentsize != sizeof(struct elf32_phdr))
			return reject(err, errlen,
			              "ELF32 e_ehsize is not 52 or e_phentsize not 32");
	} else if (eh->cls == ELF64_CLASS64) {
		struct elf64_ehdr e;

		if (size < sizeof(e))
			return reject(err, errlen, "file too small for an ELF64 header");
		memcpy(&e, bytes, sizeof(e));
		*eh = (struct ehdr){ELF64_CLASS64, e.e_type,      e.e_machine,
		                    e.e_ehsize,    e.e_phentsize, e.e_phnum,
		                    e.e_version,   e.e_entry,     e.e_phoff};
		if (eh->machine != ELF64_EM_X86_64)
			return reject(
			    err, errlen,
			    "ELF64 kernel is not for x86-64 (e_machine is not EM_X86_64)");
		if (eh->ehsize != sizeof(struct elf64_ehdr) ||
		    eh->phentsize != sizeof(struct elf64_phdr))
			return reject(err, errlen,
			              "ELF64 e_ehsize is not 64 or e_phentsize not 56");
	} else {
		return reject(err, errlen, "unknown ELF class (EI_CLASS is neither 32 nor 64-bit)");
	}
	if (bytes[ELF64_EI_VERSION] != ELF64_EV_CURRENT || eh->version != ELF64_EV_CURRENT)
		return reject(err, errlen, "unknown ELF version");
	if (eh->type == ELF64_ET_DYN)
		return reject(err, errlen,
		              "ET_DYN (PIE or shared object) kernels are not supported: nothing "
		              "relocates them");
	if (eh->type != ELF64_ET_EXEC)
		return reject(err, errlen, "not an executable ELF file (e_type is not ET_EXEC)");
	if (eh->phnum == 0)
		return reject(err, errlen, "no program headers (nothing to load)");
	if (eh->phnum == ELF64_PN_XNUM)
		return reject(err, errlen,
		              "extended program header numbering (PN_XNUM) not supported");
	return 0;
}

static struct phdr read_phdr(const uint8_t *bytes, const struct ehdr *eh, unsigned i)
{
	if (eh->cls == ELF32_CLASS32) {
		struct elf32_phdr p;

		memcpy(&p, bytes + eh->phoff + (uint64_t)i * sizeof(p), sizeof(p));
		return (struct phdr){p.p_type,  p.p_offset, p.p_vaddr,
		                     p.p_paddr, p.p_filesz, p.p_memsz};
	}
	struct elf64_phdr p;

	memcpy(&p, bytes + eh->phoff + (uint64_t)i * sizeof(p), sizeof(p));
	return (struct phdr){p.p_type, p.p_offset, p.p_vaddr, p.p_paddr, p.p_filesz, p.p_memsz};
}

static int check_load(const struct phdr *ph, unsigned i, size_t size, char *err, size_t errlen)
{
	uint64_t end;

	if (__builtin_add_overflow(ph->offset, ph->filesz, &end) || end > size) {
		errmsg_set(
		    err, errlen,
		    "program header %u: file bytes [0x%llx, +0x%llx) run past the end of the "
		    "file (%zu bytes)",
		    i, (unsigned long long)ph->offset, (unsigned long long)ph->filesz, size);
		return -ENOEXEC;
	}
	if (ph->filesz > ph->memsz) {
		errmsg_set(err, errlen,
		           "program header %u: p_filesz 0x%llx is larger than p_memsz 0x%llx", i,
		           (unsigned long long)ph->filesz, (unsigned long long)ph->memsz);
		return -ENOEXEC;
	}
	if (__builtin_add_overflow(ph->vaddr, ph->memsz, &end)) {
		errmsg_set(err, errlen, "program header %u: p_vaddr + p_memsz wraps", i);
		return -ENOEXEC;
	}
	if (__builtin_add_overflow(ph->paddr, ph->memsz, &end) || end > MULTIBOOT1_ADDR_LIMIT) {
		errmsg_set(
		    err, errlen,
		    "program header %u: [0x%llx, +0x%llx) reaches past 4 GiB, where a kernel "
		    "started with paging off cannot go",
		    i, (unsigned long long)ph->paddr, (unsigned long long)ph->memsz);
		return -ENOEXEC;
	}
	return 0;
}

/* Sorts by address (insertion sort: at most 16), then adjacent pairs must not overlap. */
static int sort_and_check(struct multiboot1_image *out, char *err, size_t errlen)
{
	for (size_t i = 1; i < out->nsegments; i++) {
		struct elf64_segment s = out->segments[i];
		size_t j = i;
		for (; j > 0 && out->segments[j - 1].paddr > s.paddr; j--)
			out->segments[j] = out->segments[j - 1];
		out->segments[j] = s;
	}
	for (size_t i = 1; i < out->nsegments; i++) {
		const struct elf64_segment *a = &out->segments[i - 1], *b = &out->segments[i];
		if (a->paddr + a->memsz > b->paddr) {
			errmsg_set(err, errlen,
			           "segments at 0x%llx and 0x%llx overlap in physical memory",
			           (unsigned long long)a->paddr, (unsigned long long)b->paddr);
			return -ENOEXEC;
		}
	}
	return 0;
}

/*
 * The entry point as the processor will see it, paging off: e_entry translated through the segment
 * whose virtual file bytes hold it (GRUB does the same, so higher-half kernels whose e_entry is
 * virtual still start); a physical e_entry inside a segment's file bytes is taken as it is.
 */
static int find_entry(const struct phdr *loads, size_t n, uint64_t e_entry, uint32_t *entry,
                      char *err, size_t errlen)
{
	for (size_t i = 0; i < n; i++)
		if (e_entry >= loads[i].vaddr && e_entry - loads[i].vaddr < loads[i].filesz) {
			*entry = (uint32_t)(loads[i].paddr + (e_entry - loads[i].vaddr));
			return 0;
		}
	for (size_t i = 0; i < n; i++)
		if (e_entry >= loads[i].paddr && e_entry - loads[i].paddr < loads[i].filesz) {
			*entry = (uint32_t)e_entry;
			return 0;
		}
	errmsg_set(err, errlen,
	           "entry point 0x%llx is not inside the file bytes of a PT_LOAD segment",
	           (unsigned long long)e_entry);
	return -ENOEXEC;
}

int multiboot1_elf_inspect(const void *image, size_t size, struct multiboot1_image *out, char *err,
                           size_t errlen)
{
	const uint8_t *bytes = image;
	struct phdr loads[MULTIBOOT1_MAX_SEGMENTS];
	struct ehdr eh;
	uint64_t ph_end;
	int rc;

	rc = read_ehdr(bytes, size, &eh, err, errlen);
	if (rc)
		return rc;
	/* phnum < 2^16 and phentsize <= 56: the product cannot overflow. */
	if (__builtin_add_overflow(eh.phoff, (uint64_t)eh.phnum * eh.phentsize, &ph_end) ||
	    ph_end > size) {
		errmsg_set(
		    err, errlen,
		    "program headers (e_phoff 0x%llx, %u entries) run past the end of the file "
		    "(%zu bytes)",
		    (unsigned long long)eh.phoff, (unsigned)eh.phnum, size);
		return -ENOEXEC;
	}
	out->format = eh.cls == ELF32_CLASS32 ? MULTIBOOT1_FORMAT_ELF32 : MULTIBOOT1_FORMAT_ELF64;
	out->nsegments = 0;
	for (unsigned i = 0; i < eh.phnum; i++) {
		struct phdr ph = read_phdr(bytes, &eh, i);

		if (ph.type == ELF64_PT_INTERP || ph.type == ELF64_PT_DYNAMIC)
			return reject(
			    err, errlen,
			    "dynamically linked (PT_INTERP or PT_DYNAMIC): kernels must be "
			    "static");
		if (ph.type != ELF64_PT_LOAD)
			continue;
		rc = check_load(&ph, i, size, err, errlen);
		if (rc)
			return rc;
		if (ph.memsz == 0)
			continue;
		if (out->nsegments == MULTIBOOT1_MAX_SEGMENTS) {
			errmsg_set(err, errlen, "more than %u PT_LOAD segments",
			           MULTIBOOT1_MAX_SEGMENTS);
			return -ENOEXEC;
		}
		loads[out->nsegments] = ph;
		out->segments[out->nsegments++] = (struct elf64_segment){
		    .paddr = ph.paddr, .offset = ph.offset, .filesz = ph.filesz, .memsz = ph.memsz};
	}
	if (out->nsegments == 0)
		return reject(err, errlen, "no PT_LOAD segment with memory");
	rc = find_entry(loads, out->nsegments, eh.entry, &out->entry, err, errlen);
	if (rc)
		return rc;
	return sort_and_check(out, err, errlen);
}
