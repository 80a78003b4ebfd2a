/* Freestanding ELF64 loader for guest images: validation of hostile files, then copying segments. */
#include "monitor/loader/elf64.h"

#include <stdbool.h>
#include <string.h>

#include "monitor/lib/errmsg.h"
#include "monitor/lib/errno.h"

#define RANGE "[0x%llx, 0x%llx)"

static int reject(char *err, size_t errlen, const char *msg)
{
	errmsg_set(err, errlen, "%s", msg);
	return -ENOEXEC;
}

static int check_ident(const struct elf64_ehdr *eh, char *err, size_t errlen)
{
	if (memcmp(eh->e_ident, "\177ELF", 4) != 0)
		return reject(err, errlen, "not an ELF file (bad magic)");
	if (eh->e_ident[ELF64_EI_CLASS] != ELF64_CLASS64)
		return reject(err, errlen, "not a 64-bit ELF file (EI_CLASS is not ELFCLASS64)");
	if (eh->e_ident[ELF64_EI_DATA] != ELF64_DATA2LSB)
		return reject(err, errlen,
		              "not a little-endian ELF file (EI_DATA is not ELFDATA2LSB)");
	if (eh->e_ident[ELF64_EI_VERSION] != ELF64_EV_CURRENT || eh->e_version != ELF64_EV_CURRENT)
		return reject(err, errlen, "unknown ELF version");
	if (eh->e_machine != ELF64_EM_X86_64)
		return reject(err, errlen, "not an x86-64 ELF file (e_machine is not EM_X86_64)");
	if (eh->e_type == ELF64_ET_DYN)
		return reject(
		    err, errlen,
		    "ET_DYN (PIE or shared object) images are not supported: link the guest "
		    "as ET_EXEC (-no-pie, -static)");
	if (eh->e_type != ELF64_ET_EXEC)
		return reject(err, errlen, "not an executable ELF file (e_type is not ET_EXEC)");
	if (eh->e_ehsize != sizeof(struct elf64_ehdr))
		return reject(err, errlen, "e_ehsize is not 64");
	return 0;
}

/* Checks one PT_LOAD header against the file and records it; empty segments are dropped. */
static int take_segment(const struct elf64_phdr *ph, unsigned idx, size_t size,
                        struct elf64_image *out, char *err, size_t errlen)
{
	uint64_t file_end, mem_end, vend;

	if (__builtin_add_overflow(ph->p_offset, ph->p_filesz, &file_end) || file_end > size) {
		errmsg_set(err, errlen,
		           "program header %u: file bytes " RANGE " run past the end of the file "
		           "(%zu bytes)",
		           idx, (unsigned long long)ph->p_offset,
		           (unsigned long long)(ph->p_offset + ph->p_filesz), size);
		return -ENOEXEC;
	}
	if (ph->p_filesz > ph->p_memsz) {
		errmsg_set(err, errlen,
		           "program header %u: p_filesz 0x%llx is larger than p_memsz 0x%llx", idx,
		           (unsigned long long)ph->p_filesz, (unsigned long long)ph->p_memsz);
		return -ENOEXEC;
	}
	if (__builtin_add_overflow(ph->p_paddr, ph->p_memsz, &mem_end) ||
	    __builtin_add_overflow(ph->p_vaddr, ph->p_memsz, &vend)) {
		errmsg_set(err, errlen, "program header %u: address + p_memsz wraps past 2^64",
		           idx);
		return -ENOEXEC;
	}
	if (ph->p_memsz == 0)
		return 0;
	if (ph->p_vaddr != ph->p_paddr) {
		errmsg_set(err, errlen,
		           "program header %u: p_vaddr 0x%llx differs from p_paddr 0x%llx (the "
		           "guest starts "
		           "identity-mapped, so they must agree)",
		           idx, (unsigned long long)ph->p_vaddr, (unsigned long long)ph->p_paddr);
		return -ENOEXEC;
	}
	if (out->nsegments == ELF64_MAX_SEGMENTS) {
		errmsg_set(err, errlen, "more than %u PT_LOAD segments", ELF64_MAX_SEGMENTS);
		return -ENOEXEC;
	}
	out->segments[out->nsegments++] = (struct elf64_segment){
	    .paddr = ph->p_paddr,
	    .offset = ph->p_offset,
	    .filesz = ph->p_filesz,
	    .memsz = ph->p_memsz,
	    .flags = ph->p_flags,
	};
	return 0;
}

/* Sorts by address (at most 16 entries: insertion sort), then adjacent pairs must not overlap. */
static int check_overlap(struct elf64_image *out, char *err, size_t errlen)
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
			errmsg_set(err, errlen, "segments " RANGE " and " RANGE " overlap",
			           (unsigned long long)a->paddr,
			           (unsigned long long)(a->paddr + a->memsz),
			           (unsigned long long)b->paddr,
			           (unsigned long long)(b->paddr + b->memsz));
			return -ENOEXEC;
		}
	}
	return 0;
}

int elf64_inspect(const void *image, size_t size, struct elf64_image *out, char *err, size_t errlen)
{
	const uint8_t *bytes = image;
	struct elf64_ehdr eh;
	uint64_t ph_bytes, ph_end;
	int rc;

	memset(out, 0, sizeof(*out));
	if (errlen)
		err[0] = '\0';
	if (!image || size < sizeof(eh))
		return reject(err, errlen, "file too small for an ELF header");
	memcpy(&eh, bytes, sizeof(eh));
	rc = check_ident(&eh, err, errlen);
	if (rc)
		return rc;

	if (eh.e_phnum == 0)
		return reject(err, errlen, "no program headers (nothing to load)");
	if (eh.e_phnum == ELF64_PN_XNUM)
		return reject(err, errlen,
		              "extended program header numbering (PN_XNUM) not supported");
	if (eh.e_phentsize != sizeof(struct elf64_phdr))
		return reject(err, errlen, "e_phentsize is not 56");
	ph_bytes = (uint64_t)eh.e_phnum * sizeof(struct elf64_phdr); /* < 2^22: no overflow */
	if (__builtin_add_overflow(eh.e_phoff, ph_bytes, &ph_end) || ph_end > size) {
		errmsg_set(
		    err, errlen,
		    "program headers (e_phoff 0x%llx, %u entries) run past the end of the file "
		    "(%zu bytes)",
		    (unsigned long long)eh.e_phoff, (unsigned)eh.e_phnum, size);
		return -ENOEXEC;
	}

	for (unsigned i = 0; i < eh.e_phnum; i++) {
		struct elf64_phdr ph;

		memcpy(&ph, bytes + eh.e_phoff + (uint64_t)i * sizeof(ph), sizeof(ph));
		if (ph.p_type == ELF64_PT_INTERP || ph.p_type == ELF64_PT_DYNAMIC)
			return reject(
			    err, errlen,
			    "dynamically linked (PT_INTERP or PT_DYNAMIC): guests must be "
			    "static");
		if (ph.p_type != ELF64_PT_LOAD)
			continue;
		rc = take_segment(&ph, i, size, out, err, errlen);
		if (rc)
			return rc;
	}
	if (out->nsegments == 0)
		return reject(err, errlen, "no PT_LOAD segment with memory");
	rc = check_overlap(out, err, errlen);
	if (rc)
		return rc;

	out->entry = eh.e_entry;
	for (size_t i = 0; i < out->nsegments; i++) {
		const struct elf64_segment *s = &out->segments[i];
		/* Zero-filled memory is no place to start: the entry must be in bytes from the file. */
		if ((s->flags & ELF64_PF_X) && eh.e_entry >= s->paddr &&
		    eh.e_entry - s->paddr < s->filesz)
			break;
		if (i + 1 == out->nsegments) {
			errmsg_set(
			    err, errlen,
			    "entry point 0x%llx is not inside the file bytes of an executable "
			    "segment",
			    (unsigned long long)eh.e_entry);
			return -ENOEXEC;
		}
	}
	out->load_lo = out->segments[0].paddr;
	out->load_end =
	    out->segments[out->nsegments - 1].paddr + out->segments[out->nsegments - 1].memsz;
	return 0;
}

int elf64_load_segments(const struct elf64_segment *segments, size_t nsegments, const void *image,
                        size_t size, uint64_t load_min, uint64_t mem_size,
                        elf64_copy_fn copy_to_guest, elf64_zero_fn zero_guest, void *ctx, char *err,
                        size_t errlen)
{
	const uint8_t *bytes = image;
	int rc;

	/* All checks first: a partly loaded guest would be worse than none. */
	for (size_t i = 0; i < nsegments; i++) {
		const struct elf64_segment *s = &segments[i];
		uint64_t end;

		if (s->offset > size || s->filesz > size - s->offset || s->filesz > s->memsz ||
		    __builtin_add_overflow(s->paddr, s->memsz, &end)) {
			errmsg_set(err, errlen, "segment %zu does not match the image", i);
			return -EINVAL;
		}
		if (s->paddr < load_min || end > mem_size) {
			errmsg_set(err, errlen,
			           "segment " RANGE
			           " is outside the partition's loadable memory " RANGE,
			           (unsigned long long)s->paddr, (unsigned long long)end,
			           (unsigned long long)load_min, (unsigned long long)mem_size);
			return -ERANGE;
		}
	}
	for (size_t i = 0; i < nsegments; i++) {
		const struct elf64_segment *s = &segments[i];

		rc = s->filesz ? copy_to_guest(ctx, s->paddr, bytes + s->offset, (size_t)s->filesz)
		               : 0;
		if (!rc && s->memsz > s->filesz)
			rc = zero_guest(ctx, s->paddr + s->filesz, (size_t)(s->memsz - s->filesz));
		if (rc) {
			errmsg_set(err, errlen,
			           "writing segment at 0x%llx into guest memory failed",
			           (unsigned long long)s->paddr);
			return rc;
		}
	}
	return 0;
}

int elf64_load(const struct elf64_image *img, const void *image, size_t size, uint64_t load_min,
               uint64_t mem_size, elf64_copy_fn copy_to_guest, elf64_zero_fn zero_guest, void *ctx,
               char *err, size_t errlen)
{
	if (errlen)
		err[0] = '\0';
	if (!img || !image || img->nsegments > ELF64_MAX_SEGMENTS) {
		errmsg_set(err, errlen, "elf64_load: no image");
		return -EINVAL;
	}
	return elf64_load_segments(img->segments, img->nsegments, image, size, load_min, mem_size,
	                           copy_to_guest, zero_guest, ctx, err, errlen);
}
