/* Parser for the multiboot2 boot information block a multiboot2 loader (GRUB) hands the monitor. */
#include "monitor/multiboot2.h"

#include <string.h>

#include "monitor/lib/errno.h"

/*
 * Layout (Multiboot2 specification, "Boot information format"): a fixed part of total_size and a
 * reserved word, then tags, each starting 8-aligned with a type and a size that counts its own
 * 8-byte header but not the padding after it. Nothing here is trusted: all reads go through
 * memcpy at offsets already checked against the block's size, so an unaligned or short block is an
 * error and never a fault.
 */
#define MB2_FIXED_SIZE       8U
#define MB2_TAG_HEADER_SIZE  8U
#define MB2_MODULE_TAG_FIXED 16U /* header, mod_start, mod_end; the string follows */
#define MB2_MMAP_TAG_FIXED   16U /* header, entry_size, entry_version; entries follow */
#define MB2_MMAP_ENTRY_SIZE  24U /* base_addr, length, type, reserved */
#define MB2_BASIC_MEM_SIZE   16U

static uint32_t read_u32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static uint64_t read_u64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static int fail(struct mb2_boot_info *out, const char *msg)
{
	out->error = msg;
	return -EINVAL;
}

/* A string field occupies the rest of its tag; it must end with a NUL inside the tag. */
static bool find_string(const uint8_t *s, size_t room, const char **str, size_t *len)
{
	const uint8_t *nul = room ? memchr(s, 0, room) : NULL;

	if (!nul)
		return false;
	*str = (const char *)s;
	*len = (size_t)(nul - s);
	return true;
}

static int parse_mmap(const uint8_t *tag, uint32_t size, struct mb2_boot_info *out)
{
	uint32_t entry_size, entry_version;
	size_t body, count;

	if (out->has_mmap)
		return fail(out, "multiboot2: more than one memory map tag");
	if (size < MB2_MMAP_TAG_FIXED)
		return fail(out, "multiboot2: memory map tag too small for its header");
	entry_size = read_u32(tag + 8);
	entry_version = read_u32(tag + 12);
	if (entry_version != 0)
		return fail(out, "multiboot2: memory map entry_version is not 0");
	/* Later versions may grow an entry, never shrink it; 8-alignment keeps entries in step. */
	if (entry_size < MB2_MMAP_ENTRY_SIZE || entry_size % 8U != 0)
		return fail(out,
		            "multiboot2: memory map entry_size smaller than an entry or unaligned");
	body = size - MB2_MMAP_TAG_FIXED;
	if (body % entry_size != 0)
		return fail(out, "multiboot2: memory map size is not a whole number of entries");
	count = body / entry_size;

	out->has_mmap = true;
	for (size_t i = 0; i < count; i++) {
		const uint8_t *e = tag + MB2_MMAP_TAG_FIXED + i * entry_size;
		struct mb2_mem_region r = {
		    .base = read_u64(e),
		    .length = read_u64(e + 8),
		    .type = read_u32(e + 16),
		};
		uint64_t end;

		if (__builtin_add_overflow(r.base, r.length, &end))
			return fail(out, "multiboot2: memory map entry wraps past 2^64");
		if (out->nregions == MB2_MAX_REGIONS) {
			/* Dropping entries only loses memory, never hands out something that is not RAM. */
			out->mmap_truncated = true;
			continue;
		}
		out->regions[out->nregions++] = r;
	}
	return 0;
}

static int parse_module(const uint8_t *tag, uint32_t size, struct mb2_boot_info *out)
{
	struct mb2_module m;

	if (out->nmodules == MB2_MAX_MODULES)
		return fail(out, "multiboot2: too many modules");
	if (size < MB2_MODULE_TAG_FIXED)
		return fail(out, "multiboot2: module tag too small");
	m.start = read_u32(tag + 8);
	m.end = read_u32(tag + 12);
	if (m.end < m.start)
		return fail(out, "multiboot2: module ends before it starts");
	if (!find_string(tag + MB2_MODULE_TAG_FIXED, size - MB2_MODULE_TAG_FIXED, &m.cmdline,
	                 &m.cmdline_len))
		return fail(out,
		            "multiboot2: module command line not NUL-terminated inside its tag");
	/* Two modules sharing bytes would hand one partition's image to another: refuse. */
	for (size_t i = 0; i < out->nmodules; i++) {
		const struct mb2_module *o = &out->modules[i];
		if (m.start < o->end && o->start < m.end)
			return fail(out, "multiboot2: two modules overlap");
	}
	out->modules[out->nmodules++] = m;
	return 0;
}

static int parse_tag(const uint8_t *tag, uint32_t type, uint32_t size, struct mb2_boot_info *out)
{
	const uint8_t *body = tag + MB2_TAG_HEADER_SIZE;
	size_t room = size - MB2_TAG_HEADER_SIZE;

	switch (type) {
	case MB2_TAG_CMDLINE:
		if (!find_string(body, room, &out->cmdline, &out->cmdline_len))
			return fail(out,
			            "multiboot2: command line not NUL-terminated inside its tag");
		return 0;
	case MB2_TAG_BOOTLOADER:
		if (!find_string(body, room, &out->bootloader, &out->bootloader_len))
			return fail(
			    out, "multiboot2: bootloader name not NUL-terminated inside its tag");
		return 0;
	case MB2_TAG_MODULE: return parse_module(tag, size, out);
	case MB2_TAG_BASIC_MEM:
		if (size < MB2_BASIC_MEM_SIZE)
			return fail(out, "multiboot2: basic memory tag too small");
		out->has_basic_mem = true;
		out->mem_lower_kib = read_u32(body);
		out->mem_upper_kib = read_u32(body + 4);
		return 0;
	case MB2_TAG_MMAP: return parse_mmap(tag, size, out);
	case MB2_TAG_ACPI_OLD:
		if (room < MB2_RSDP_V1_SIZE)
			return fail(out, "multiboot2: ACPI RSDP tag too small");
		if (out->rsdp_len < MB2_RSDP_V2_SIZE) { /* a new RSDP seen earlier wins */
			out->rsdp = body;
			out->rsdp_len = room;
		}
		return 0;
	case MB2_TAG_ACPI_NEW:
		if (room < MB2_RSDP_V2_SIZE)
			return fail(out, "multiboot2: ACPI 2.0 RSDP tag too small");
		out->rsdp = body;
		out->rsdp_len = room;
		return 0;
	default: return 0; /* framebuffer, EFI, APM, ...: not the monitor's business */
	}
}

int mb2_parse(const void *info, size_t avail, struct mb2_boot_info *out)
{
	const uint8_t *base = info;
	size_t total, off;

	memset(out, 0, sizeof(*out));
	if (!info || avail < MB2_FIXED_SIZE)
		return fail(out, "multiboot2: info block shorter than its fixed part");
	total = read_u32(base);
	out->total_size = (uint32_t)total;
	if (total > avail)
		return fail(out, "multiboot2: total_size larger than the readable block");
	if (total < MB2_FIXED_SIZE + MB2_TAG_HEADER_SIZE)
		return fail(out, "multiboot2: total_size too small to hold the end tag");

	for (off = MB2_FIXED_SIZE;;) {
		uint32_t type, size;
		int rc;

		/* off <= total holds here: it only grows by checked sizes rounded up to 8. */
		if (total - off < MB2_TAG_HEADER_SIZE)
			return fail(out, "multiboot2: no end tag before total_size");
		type = read_u32(base + off);
		size = read_u32(base + off + 4);
		if (size < MB2_TAG_HEADER_SIZE)
			return fail(out, "multiboot2: tag size smaller than a tag header");
		if (size > total - off)
			return fail(out, "multiboot2: tag runs past total_size");
		if (type == MB2_TAG_END) {
			if (size != MB2_TAG_HEADER_SIZE)
				return fail(out, "multiboot2: end tag size is not 8");
			break;
		}
		rc = parse_tag(base + off, type, size, out);
		if (rc)
			return rc;
		/* The next tag starts 8-aligned; padding past total_size is caught at the loop head. */
		off += ((size_t)size + 7U) & ~(size_t)7U;
		if (off > total)
			return fail(out, "multiboot2: no end tag before total_size");
	}
	return 0;
}
