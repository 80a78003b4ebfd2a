/* Freestanding multiboot (v1) kernel loader: finding the header, validating a hostile image, loading it. */
#include "monitor/loader/multiboot1.h"

#include <string.h>

#include "monitor/lib/errmsg.h"
#include "monitor/lib/errno.h"
#include "monitor/loader/multiboot1_elf.h"

static uint32_t read_u32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

int multiboot1_find_header(const void *image, size_t size, uint32_t *offset, char *err,
                           size_t errlen)
{
	const uint8_t *bytes = image;
	size_t window = size < MULTIBOOT1_SEARCH ? size : MULTIBOOT1_SEARCH;
	bool bad_checksum = false;
	uint32_t bad_at = 0;

	if (errlen)
		err[0] = '\0';
	for (size_t off = 0; image && off + MULTIBOOT1_HEADER_BASE_SIZE <= window; off += 4) {
		uint32_t magic = read_u32(bytes + off);

		if (magic != MULTIBOOT1_HEADER_MAGIC)
			continue;
		if ((uint32_t)(magic + read_u32(bytes + off + 4) + read_u32(bytes + off + 8)) ==
		    0) {
			*offset = (uint32_t)off;
			return 0;
		}
		if (!bad_checksum)
			bad_at = (uint32_t)off;
		bad_checksum = true;
	}
	if (bad_checksum)
		errmsg_set(err, errlen,
		           "no multiboot header: the magic at offset 0x%llx has a wrong checksum "
		           "(magic + flags + checksum must be 0)",
		           (unsigned long long)bad_at);
	else
		errmsg_set(err, errlen,
		           "no multiboot header (magic 0x1badb002, 4-aligned, in the first 8192 "
		           "bytes)");
	return -ENOENT;
}

bool multiboot1_is_image(const void *image, size_t size)
{
	uint32_t off;

	return multiboot1_find_header(image, size, &off, NULL, 0) == 0;
}

const char *multiboot1_format_name(enum multiboot1_format format)
{
	switch (format) {
	case MULTIBOOT1_FORMAT_AOUT_KLUDGE: return "a.out kludge";
	case MULTIBOOT1_FORMAT_ELF32: return "ELF32";
	case MULTIBOOT1_FORMAT_ELF64: return "ELF64";
	}
	return "unknown";
}

/* Copies out as much of the header as its flags announce; the rest stays 0. */
static int read_header(const uint8_t *bytes, size_t size, uint32_t off, struct multiboot1_header *h,
                       char *err, size_t errlen)
{
	uint32_t flags = read_u32(bytes + off + 4);
	size_t need = MULTIBOOT1_HEADER_BASE_SIZE;

	if (flags & MULTIBOOT1_FLAG_AOUT_KLUDGE)
		need = MULTIBOOT1_HEADER_ADDR_SIZE;
	if (flags & MULTIBOOT1_FLAG_VIDEO_MODE)
		need = MULTIBOOT1_HEADER_VIDEO_SIZE;
	if (off + need > MULTIBOOT1_SEARCH || off + need > size) {
		errmsg_set(
		    err, errlen,
		    "the multiboot header at 0x%llx (%zu bytes with the fields its flags 0x%llx "
		    "announce) runs past %s",
		    (unsigned long long)off, need, (unsigned long long)flags,
		    off + need > size ? "the end of the file" : "the first 8192 bytes");
		return -ENOEXEC;
	}
	memset(h, 0, sizeof(*h));
	memcpy(h, bytes + off, need);
	/* Bits 0-15 are demands: refusing an unknown one is what the specification asks for. */
	if (flags & MULTIBOOT1_FLAGS_REQUIRED & ~MULTIBOOT1_FLAGS_KNOWN_REQ) {
		errmsg_set(err, errlen,
		           "the multiboot header requires features this loader does not know "
		           "(flags 0x%llx, unknown required bits 0x%llx)",
		           (unsigned long long)flags,
		           (unsigned long long)(flags & MULTIBOOT1_FLAGS_REQUIRED &
		                                ~MULTIBOOT1_FLAGS_KNOWN_REQ));
		return -ENOEXEC;
	}
	return 0;
}

/* The header's address fields as one segment ("The address fields of Multiboot header"). */
static int inspect_aout(const struct multiboot1_header *h, uint32_t off, size_t size,
                        struct multiboot1_image *out, char *err, size_t errlen)
{
	uint64_t ha = h->header_addr, la = h->load_addr, le = h->load_end_addr;
	uint64_t be = h->bss_end_addr, ea = h->entry_addr;
	uint64_t load_off, load_size, end;

	if (ha < la) {
		errmsg_set(err, errlen,
		           "a.out kludge: header_addr 0x%llx is below load_addr 0x%llx",
		           (unsigned long long)ha, (unsigned long long)la);
		return -ENOEXEC;
	}
	/* The header sits header_addr - load_addr bytes after the first byte loaded. */
	if (ha - la > off) {
		errmsg_set(
		    err, errlen,
		    "a.out kludge: header_addr - load_addr = 0x%llx puts the start of the load "
		    "before the start of the file (the header is at offset 0x%llx)",
		    (unsigned long long)(ha - la), (unsigned long long)off);
		return -ENOEXEC;
	}
	load_off = off - (ha - la);
	if (le == 0) {
		load_size = size - load_off;
	} else {
		if (le <= la) {
			errmsg_set(
			    err, errlen,
			    "a.out kludge: load_end_addr 0x%llx is not above load_addr 0x%llx",
			    (unsigned long long)le, (unsigned long long)la);
			return -ENOEXEC;
		}
		load_size = le - la;
		if (load_size > size - load_off) {
			errmsg_set(
			    err, errlen,
			    "a.out kludge: load_end_addr 0x%llx needs 0x%llx bytes from offset "
			    "0x%llx, but the file has %zu bytes",
			    (unsigned long long)le, (unsigned long long)load_size,
			    (unsigned long long)load_off, size);
			return -ENOEXEC;
		}
	}
	if (ha - la + MULTIBOOT1_HEADER_ADDR_SIZE > load_size) {
		errmsg_set(err, errlen,
		           "a.out kludge: header_addr 0x%llx does not lie inside the loaded bytes "
		           "[0x%llx, +0x%llx)",
		           (unsigned long long)ha, (unsigned long long)la,
		           (unsigned long long)load_size);
		return -ENOEXEC;
	}
	/* la < 2^32 and load_size <= size: the sum cannot wrap a 64-bit value on this host. */
	if (load_size > MULTIBOOT1_ADDR_LIMIT || la + load_size > MULTIBOOT1_ADDR_LIMIT) {
		errmsg_set(err, errlen,
		           "a.out kludge: the loaded bytes [0x%llx, +0x%llx) reach past 4 GiB",
		           (unsigned long long)la, (unsigned long long)load_size);
		return -ENOEXEC;
	}
	end = la + load_size;
	if (be != 0 && be < end) {
		errmsg_set(
		    err, errlen,
		    "a.out kludge: bss_end_addr 0x%llx lies inside the bytes loaded from the "
		    "file (they end at 0x%llx)",
		    (unsigned long long)be, (unsigned long long)end);
		return -ENOEXEC;
	}
	if (ea < la || ea >= end) {
		errmsg_set(err, errlen,
		           "a.out kludge: entry_addr 0x%llx is not inside the loaded bytes "
		           "[0x%llx, 0x%llx)",
		           (unsigned long long)ea, (unsigned long long)la, (unsigned long long)end);
		return -ENOEXEC;
	}
	out->format = MULTIBOOT1_FORMAT_AOUT_KLUDGE;
	out->entry = (uint32_t)ea;
	out->nsegments = 1;
	out->segments[0] = (struct elf64_segment){
	    .paddr = la, .offset = load_off, .filesz = load_size, .memsz = (be ? be : end) - la};
	return 0;
}

int multiboot1_inspect(const void *image, size_t size, struct multiboot1_image *out, char *err,
                       size_t errlen)
{
	const uint8_t *bytes = image;
	uint32_t off;
	int rc;

	memset(out, 0, sizeof(*out));
	if (errlen)
		err[0] = '\0';
	if (multiboot1_find_header(image, size, &off, err, errlen))
		return -ENOEXEC;
	out->header_offset = off;
	rc = read_header(bytes, size, off, &out->header, err, errlen);
	if (rc)
		return rc;
	if (out->header.flags & MULTIBOOT1_FLAG_AOUT_KLUDGE)
		rc = inspect_aout(&out->header, off, size, out, err, errlen);
	else if (multiboot1_elf_is_elf(image, size))
		rc = multiboot1_elf_inspect(image, size, out, err, errlen);
	else {
		errmsg_set(
		    err, errlen,
		    "not an ELF file and the multiboot header has no address fields (flag 16): "
		    "nothing says where to load it");
		return -ENOEXEC;
	}
	if (rc)
		return rc;
	out->load_lo = out->segments[0].paddr;
	out->load_end =
	    out->segments[out->nsegments - 1].paddr + out->segments[out->nsegments - 1].memsz;
	return 0;
}

int multiboot1_load(const struct multiboot1_image *img, const void *image, size_t size,
                    uint64_t load_min, uint64_t mem_size, elf64_copy_fn copy_to_guest,
                    elf64_zero_fn zero_guest, void *ctx, char *err, size_t errlen)
{
	if (errlen)
		err[0] = '\0';
	if (!img || !image || img->nsegments == 0 || img->nsegments > MULTIBOOT1_MAX_SEGMENTS) {
		errmsg_set(err, errlen, "multiboot1_load: no image");
		return -EINVAL;
	}
	/* ELF32, ELF64 and a.out-kludge kernels all end as a segment list: one loader for them all. */
	return elf64_load_segments(img->segments, img->nsegments, image, size, load_min, mem_size,
	                           copy_to_guest, zero_guest, ctx, err, errlen);
}
