/* Unit tests for the multiboot2 boot information parser, on hand-built (and hand-broken) blocks. */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "monitor/lib/errno.h"
#include "monitor/multiboot2.h"

/* A block under construction; the buffer is 8-aligned like a real one, and oversized on purpose. */
struct blk {
	_Alignas(8) uint8_t b[8192];
	size_t len;
};

static void put32(struct blk *k, size_t off, uint32_t v)
{
	memcpy(k->b + off, &v, 4);
}

static void blk_begin(struct blk *k)
{
	memset(k, 0, sizeof(*k));
	k->len = 8;
}

/* Appends a tag with the given body and returns its offset; pads to 8 as a loader does. */
static size_t blk_tag(struct blk *k, uint32_t type, const void *body, size_t body_len)
{
	size_t off = k->len;

	put32(k, off, type);
	put32(k, off + 4, (uint32_t)(8 + body_len));
	if (body_len)
		memcpy(k->b + off + 8, body, body_len);
	k->len = (off + 8 + body_len + 7) & ~(size_t)7;
	return off;
}

static size_t blk_string_tag(struct blk *k, uint32_t type, const char *s)
{
	return blk_tag(k, type, s, strlen(s) + 1);
}

static size_t blk_module(struct blk *k, uint32_t start, uint32_t end, const char *cmd)
{
	uint8_t body[256];
	size_t n = strlen(cmd) + 1;

	memcpy(body, &start, 4);
	memcpy(body + 4, &end, 4);
	memcpy(body + 8, cmd, n);
	return blk_tag(k, MB2_TAG_MODULE, body, 8 + n);
}

struct mm_entry {
	uint64_t base, len;
	uint32_t type;
};

static size_t blk_mmap(struct blk *k, const struct mm_entry *e, size_t n, uint32_t entry_size)
{
	uint8_t body[4096];
	uint32_t ver = 0;

	memset(body, 0, sizeof(body));
	memcpy(body, &entry_size, 4);
	memcpy(body + 4, &ver, 4);
	for (size_t i = 0; i < n; i++) {
		uint8_t *p = body + 8 + i * entry_size;
		memcpy(p, &e[i].base, 8);
		memcpy(p + 8, &e[i].len, 8);
		memcpy(p + 16, &e[i].type, 4);
	}
	return blk_tag(k, MB2_TAG_MMAP, body, 8 + n * entry_size);
}

static void blk_end(struct blk *k)
{
	blk_tag(k, MB2_TAG_END, NULL, 0);
	put32(k, 0, (uint32_t)k->len);
}

static struct mb2_boot_info info;

static int parse(struct blk *k)
{
	return mb2_parse(k->b, k->len, &info);
}

static void expect_error(struct blk *k, const char *fragment)
{
	int rc = parse(k);

	cr_assert_eq(rc, -EINVAL, "expected failure (%s), got %d", fragment, rc);
	cr_assert_not_null(info.error);
	cr_assert(strstr(info.error, fragment), "error '%s' lacks '%s'", info.error, fragment);
}

/* A block shaped like GRUB's for the monitor: command line, loader name, meminfo, map, modules. */
static void build_grub_like(struct blk *k)
{
	static const struct mm_entry map[] = {
	    {0, 0x9fc00, 1},          {0x9fc00, 0x400, 2},     {0xf0000, 0x10000, 2},
	    {0x100000, 0x7ee0000, 1}, {0x7fe0000, 0x20000, 2}, {0xfffc0000, 0x40000, 2},
	};
	uint8_t rsdp[20] = {'R', 'S', 'D', ' ', 'P', 'T', 'R', ' '};
	uint32_t mem[2] = {639, 130944};

	blk_begin(k);
	blk_string_tag(k, MB2_TAG_CMDLINE, "console=com1");
	blk_string_tag(k, MB2_TAG_BOOTLOADER, "GRUB 2.06");
	blk_module(k, 0x200000, 0x201234, "/boot/hello.elf name=hello mem=16M");
	blk_module(k, 0x202000, 0x202000, "/boot/empty");
	blk_tag(k, MB2_TAG_BASIC_MEM, mem, sizeof(mem));
	blk_tag(k, 8, "\x01\x02\x03", 3); /* framebuffer-ish: unknown to the parser, skipped */
	blk_mmap(k, map, 6, 24);
	blk_tag(k, MB2_TAG_ACPI_OLD, rsdp, sizeof(rsdp));
	blk_end(k);
}

Test(multiboot2, grub_like_block)
{
	struct blk k;

	build_grub_like(&k);
	cr_assert_eq(parse(&k), 0, "%s", info.error);
	cr_assert_null(info.error);
	cr_assert_eq(info.total_size, k.len);
	cr_assert_eq(info.cmdline_len, 12);
	cr_assert_str_eq(info.cmdline, "console=com1");
	cr_assert_str_eq(info.bootloader, "GRUB 2.06");
	cr_assert(info.has_basic_mem);
	cr_assert_eq(info.mem_lower_kib, 639);
	cr_assert_eq(info.mem_upper_kib, 130944);
	cr_assert(info.has_mmap);
	cr_assert_not(info.mmap_truncated);
	cr_assert_eq(info.nregions, 6);
	cr_assert_eq(info.regions[3].base, 0x100000);
	cr_assert_eq(info.regions[3].length, 0x7ee0000);
	cr_assert_eq(info.regions[3].type, MB2_MEM_AVAILABLE);
	cr_assert_eq(info.regions[5].type, 2);
	cr_assert_eq(info.nmodules, 2);
	cr_assert_eq(info.modules[0].start, 0x200000);
	cr_assert_eq(info.modules[0].end, 0x201234);
	cr_assert_str_eq(info.modules[0].cmdline, "/boot/hello.elf name=hello mem=16M");
	cr_assert_eq(info.modules[0].cmdline_len, strlen("/boot/hello.elf name=hello mem=16M"));
	cr_assert_eq(info.modules[1].start, info.modules[1].end);
	cr_assert_eq(info.rsdp_len, 20);
	cr_assert_eq(memcmp(info.rsdp, "RSD PTR ", 8), 0);
	/* Strings point into the block itself, not a copy. */
	cr_assert((const uint8_t *)info.cmdline > k.b &&
	          (const uint8_t *)info.cmdline < k.b + k.len);
}

Test(multiboot2, minimal_block_has_nothing)
{
	struct blk k;

	blk_begin(&k);
	blk_end(&k);
	cr_assert_eq(k.len, 16);
	cr_assert_eq(parse(&k), 0, "%s", info.error);
	cr_assert_null(info.cmdline);
	cr_assert_null(info.bootloader);
	cr_assert_not(info.has_mmap);
	cr_assert_not(info.has_basic_mem);
	cr_assert_eq(info.nmodules, 0);
	cr_assert_null(info.rsdp);
}

Test(multiboot2, empty_strings_are_fine)
{
	struct blk k;

	blk_begin(&k);
	blk_string_tag(&k, MB2_TAG_CMDLINE, "");
	blk_module(&k, 0x1000, 0x2000, "");
	blk_end(&k);
	cr_assert_eq(parse(&k), 0, "%s", info.error);
	cr_assert_eq(info.cmdline_len, 0);
	cr_assert_str_eq(info.modules[0].cmdline, "");
}

Test(multiboot2, avail_may_exceed_total_size)
{
	struct blk k;

	build_grub_like(&k);
	cr_assert_eq(mb2_parse(k.b, sizeof(k.b), &info), 0, "%s", info.error);
}

Test(multiboot2, new_rsdp_wins_over_old_in_either_order)
{
	uint8_t old[20] = {1}, new_[36] = {2};
	struct blk k;

	blk_begin(&k);
	blk_tag(&k, MB2_TAG_ACPI_NEW, new_, sizeof(new_));
	blk_tag(&k, MB2_TAG_ACPI_OLD, old, sizeof(old));
	blk_end(&k);
	cr_assert_eq(parse(&k), 0, "%s", info.error);
	cr_assert_eq(info.rsdp_len, 36);
	cr_assert_eq(((const uint8_t *)info.rsdp)[0], 2);

	blk_begin(&k);
	blk_tag(&k, MB2_TAG_ACPI_OLD, old, sizeof(old));
	blk_tag(&k, MB2_TAG_ACPI_NEW, new_, sizeof(new_));
	blk_end(&k);
	cr_assert_eq(parse(&k), 0, "%s", info.error);
	cr_assert_eq(info.rsdp_len, 36);
}

Test(multiboot2, short_rsdp_tags_rejected)
{
	uint8_t body[36] = {0};
	struct blk k;

	blk_begin(&k);
	blk_tag(&k, MB2_TAG_ACPI_OLD, body, 19);
	blk_end(&k);
	expect_error(&k, "RSDP tag too small");

	blk_begin(&k);
	blk_tag(&k, MB2_TAG_ACPI_NEW, body, 35);
	blk_end(&k);
	expect_error(&k, "RSDP tag too small");
}

Test(multiboot2, null_or_tiny_input)
{
	uint8_t b[8] = {8, 0, 0, 0};

	cr_assert_eq(mb2_parse(NULL, 100, &info), -EINVAL);
	cr_assert_eq(mb2_parse(b, 0, &info), -EINVAL);
	cr_assert_eq(mb2_parse(b, 7, &info), -EINVAL);
	cr_assert(strstr(info.error, "fixed part"));
	cr_assert_eq(mb2_parse(b, 8, &info), -EINVAL);
	cr_assert(strstr(info.error, "too small"));
}

Test(multiboot2, total_size_larger_than_avail)
{
	struct blk k;

	build_grub_like(&k);
	cr_assert_eq(mb2_parse(k.b, k.len - 1, &info), -EINVAL);
	cr_assert(strstr(info.error, "total_size larger"));
	put32(&k, 0, 0xffffffffu);
	expect_error(&k, "total_size larger");
}

/* Every prefix of a valid block, offered as the whole readable block, must fail cleanly. */
Test(multiboot2, every_truncation_rejected)
{
	struct blk k;

	build_grub_like(&k);
	for (size_t n = 0; n < k.len; n++) {
		/* A fresh heap copy of exactly n bytes, so ASan sees any read past them. */
		uint8_t *copy = malloc(n ? n : 1);
		memcpy(copy, k.b, n);
		cr_assert_eq(mb2_parse(copy, n, &info), -EINVAL, "prefix %zu accepted", n);
		/* Same bytes, but total_size shrunk to match: the end tag is then missing. */
		if (n >= 8) {
			uint32_t t = (uint32_t)n;
			memcpy(copy, &t, 4);
			cr_assert_eq(mb2_parse(copy, n, &info), -EINVAL, "shrunk %zu accepted", n);
		}
		free(copy);
	}
}

Test(multiboot2, missing_end_tag)
{
	struct blk k;

	blk_begin(&k);
	blk_string_tag(&k, MB2_TAG_CMDLINE, "x");
	put32(&k, 0, (uint32_t)k.len);
	expect_error(&k, "no end tag");

	/* Zero padding after the last tag looks like an end tag of size 0, which is invalid. */
	k.len += 16;
	put32(&k, 0, (uint32_t)k.len);
	expect_error(&k, "smaller than a tag header");
}

Test(multiboot2, end_tag_with_wrong_size)
{
	struct blk k;

	blk_begin(&k);
	blk_tag(&k, MB2_TAG_END, "\0\0\0\0\0\0\0", 8);
	put32(&k, 0, (uint32_t)k.len);
	expect_error(&k, "end tag size");
}

Test(multiboot2, data_after_end_tag_ignored)
{
	struct blk k;

	blk_begin(&k);
	blk_end(&k);
	k.len += 8;
	put32(&k, 0, (uint32_t)k.len);
	cr_assert_eq(parse(&k), 0, "%s", info.error);
}

Test(multiboot2, zero_and_small_tag_sizes)
{
	for (uint32_t sz = 0; sz < 8; sz++) {
		struct blk k;
		size_t off;

		blk_begin(&k);
		off = blk_string_tag(&k, MB2_TAG_CMDLINE, "abc");
		blk_end(&k);
		put32(&k, off + 4, sz);
		expect_error(&k, "smaller than a tag header");
	}
}

Test(multiboot2, lying_tag_sizes)
{
	static const uint32_t lies[] = {17, 24, 25, 100, 0x7fffffffu, 0xfffffff8u, 0xffffffffu};

	for (size_t i = 0; i < sizeof(lies) / sizeof(lies[0]); i++) {
		struct blk k;
		size_t off;

		blk_begin(&k);
		off = blk_string_tag(&k, MB2_TAG_CMDLINE, "abc"); /* 12 bytes, padded to 16 */
		blk_end(&k);
		put32(&k, off + 4, lies[i]);
		cr_assert_eq(parse(&k), -EINVAL, "size %u accepted", lies[i]);
	}
}

Test(multiboot2, tag_size_swallowing_end_tag)
{
	struct blk k;
	size_t off;

	/* The command line's size now covers the end tag: there is no end tag left to find. */
	blk_begin(&k);
	off = blk_string_tag(&k, MB2_TAG_CMDLINE, "abc");
	blk_end(&k);
	put32(&k, off + 4, (uint32_t)(k.len - off));
	expect_error(&k, "no end tag");
}

Test(multiboot2, padding_past_total_size)
{
	struct blk k;
	size_t off;

	/* A 9-byte unknown tag ending exactly at total_size: its padding would run past the block. */
	blk_begin(&k);
	off = blk_tag(&k, 77, "x", 1);
	put32(&k, 0, (uint32_t)(off + 9));
	k.len = off + 9;
	expect_error(&k, "no end tag");
}

Test(multiboot2, unterminated_strings)
{
	static const uint32_t types[] = {MB2_TAG_CMDLINE, MB2_TAG_BOOTLOADER};

	for (size_t i = 0; i < 2; i++) {
		struct blk k;

		blk_begin(&k);
		blk_tag(&k, types[i], "abcd", 4); /* no NUL; padding zeros lie outside the tag */
		blk_end(&k);
		expect_error(&k, "not NUL-terminated");

		blk_begin(&k);
		blk_tag(&k, types[i], NULL, 0); /* no room for even the NUL */
		blk_end(&k);
		expect_error(&k, "not NUL-terminated");
	}
}

Test(multiboot2, module_tags)
{
	struct blk k;
	size_t off;

	blk_begin(&k);
	off = blk_module(&k, 0x1000, 0x2000, "abc");
	blk_end(&k);
	put32(&k, off + 4, 19); /* string "abc" without its NUL */
	expect_error(&k, "module command line not NUL-terminated");

	blk_begin(&k);
	off = blk_module(&k, 0x1000, 0x2000, "");
	blk_end(&k);
	put32(&k, off + 4, 16); /* no string at all */
	expect_error(&k, "module command line");
	put32(&k, off + 4, 12); /* not even mod_end */
	expect_error(&k, "module tag too small");

	blk_begin(&k);
	blk_module(&k, 0x3000, 0x2000, "x");
	blk_end(&k);
	expect_error(&k, "ends before it starts");
}

Test(multiboot2, overlapping_modules)
{
	struct blk k;

	blk_begin(&k);
	blk_module(&k, 0x1000, 0x3000, "a");
	blk_module(&k, 0x2fff, 0x4000, "b");
	blk_end(&k);
	expect_error(&k, "overlap");

	blk_begin(&k);
	blk_module(&k, 0x1000, 0x3000, "a");
	blk_module(&k, 0x3000, 0x4000, "b"); /* touching is fine: end is exclusive */
	blk_module(&k, 0x4000, 0x4000, "c"); /* empty module */
	blk_end(&k);
	cr_assert_eq(parse(&k), 0, "%s", info.error);
	cr_assert_eq(info.nmodules, 3);
}

Test(multiboot2, module_count_limit)
{
	struct blk k;

	blk_begin(&k);
	for (uint32_t i = 0; i < MB2_MAX_MODULES; i++)
		blk_module(&k, 0x100000 + i * 0x1000, 0x100000 + i * 0x1000 + 0x800, "m");
	blk_end(&k);
	cr_assert_eq(parse(&k), 0, "%s", info.error);
	cr_assert_eq(info.nmodules, MB2_MAX_MODULES);

	blk_begin(&k);
	for (uint32_t i = 0; i <= MB2_MAX_MODULES; i++)
		blk_module(&k, 0x100000 + i * 0x1000, 0x100000 + i * 0x1000 + 0x800, "m");
	blk_end(&k);
	expect_error(&k, "too many modules");
}

Test(multiboot2, mmap_entry_size_checks)
{
	struct mm_entry e[2] = {{0x100000, 0x100000, 1}, {0x200000, 0x1000, 2}};
	struct blk k;
	size_t off;

	blk_begin(&k);
	blk_mmap(&k, e, 2, 32); /* larger entries than we know (a later version) are fine */
	blk_end(&k);
	cr_assert_eq(parse(&k), 0, "%s", info.error);
	cr_assert_eq(info.nregions, 2);
	cr_assert_eq(info.regions[1].base, 0x200000);
	cr_assert_eq(info.regions[1].type, 2);

	static const uint32_t bad_sizes[] = {0, 8, 16, 20, 23, 28, 0x80000000u};
	for (size_t i = 0; i < sizeof(bad_sizes) / sizeof(bad_sizes[0]); i++) {
		blk_begin(&k);
		off = blk_mmap(&k, e, 2, 24);
		blk_end(&k);
		put32(&k, off + 8, bad_sizes[i]);
		expect_error(&k, "memory map"); /* entry_size, or the size no longer divides */
	}

	blk_begin(&k);
	off = blk_mmap(&k, e, 2, 24);
	blk_end(&k);
	put32(&k, off + 12, 1);
	expect_error(&k, "entry_version");

	/* A tag size that ends mid-entry. */
	blk_begin(&k);
	off = blk_mmap(&k, e, 2, 24);
	blk_end(&k);
	put32(&k, off + 4, 16 + 24 + 8);
	expect_error(&k, "whole number of entries");

	blk_begin(&k);
	off = blk_mmap(&k, e, 2, 24);
	blk_end(&k);
	put32(&k, off + 4, 12);
	expect_error(&k, "memory map tag too small");
}

Test(multiboot2, mmap_empty_and_duplicate)
{
	struct mm_entry e = {0x100000, 0x1000, 1};
	struct blk k;

	blk_begin(&k);
	blk_mmap(&k, &e, 0, 24);
	blk_end(&k);
	cr_assert_eq(parse(&k), 0, "%s", info.error);
	cr_assert(info.has_mmap);
	cr_assert_eq(info.nregions, 0);

	blk_begin(&k);
	blk_mmap(&k, &e, 1, 24);
	blk_mmap(&k, &e, 1, 24);
	blk_end(&k);
	expect_error(&k, "more than one memory map");
}

Test(multiboot2, mmap_wrapping_entry)
{
	struct mm_entry e[2] = {{0x100000, 0x1000, 1}, {0xfffffffffffff000ull, 0x2000, 1}};
	struct blk k;

	blk_begin(&k);
	blk_mmap(&k, e, 2, 24);
	blk_end(&k);
	expect_error(&k, "wraps");

	e[1].len = 0x1000; /* ends exactly at 2^64: not representable as an end address */
	blk_begin(&k);
	blk_mmap(&k, e, 2, 24);
	blk_end(&k);
	expect_error(&k, "wraps");

	e[1].len = 0xfff;
	blk_begin(&k);
	blk_mmap(&k, e, 2, 24);
	blk_end(&k);
	cr_assert_eq(parse(&k), 0, "%s", info.error);
}

Test(multiboot2, mmap_too_many_entries_truncates)
{
	struct mm_entry e[MB2_MAX_REGIONS + 10];
	struct blk k;

	for (size_t i = 0; i < MB2_MAX_REGIONS + 10; i++)
		e[i] = (struct mm_entry){i * 0x10000, 0x10000, (uint32_t)(1 + i % 2)};
	blk_begin(&k);
	blk_mmap(&k, e, MB2_MAX_REGIONS + 10, 24);
	blk_end(&k);
	cr_assert_eq(parse(&k), 0, "%s", info.error);
	cr_assert(info.mmap_truncated);
	cr_assert_eq(info.nregions, MB2_MAX_REGIONS);
	cr_assert_eq(info.regions[MB2_MAX_REGIONS - 1].base, (MB2_MAX_REGIONS - 1) * 0x10000ull);
}

Test(multiboot2, basic_mem_too_small)
{
	struct blk k;

	blk_begin(&k);
	blk_tag(&k, MB2_TAG_BASIC_MEM, "\1\0\0\0", 4);
	blk_end(&k);
	expect_error(&k, "basic memory tag too small");
}

Test(multiboot2, unaligned_block_reads_are_safe)
{
	struct blk k;
	uint8_t *shifted = malloc(sizeof(k.b) + 1);

	build_grub_like(&k);
	memcpy(shifted + 1, k.b, k.len);
	cr_assert_eq(mb2_parse(shifted + 1, k.len, &info), 0, "%s", info.error);
	cr_assert_str_eq(info.bootloader, "GRUB 2.06");
	free(shifted);
}

Test(multiboot2, many_tiny_unknown_tags)
{
	struct blk k;

	blk_begin(&k);
	while (k.len < sizeof(k.b) - 16)
		blk_tag(&k, 0x1234, NULL, 0);
	blk_end(&k);
	cr_assert_eq(parse(&k), 0, "%s", info.error);
}

Test(multiboot2, random_corruption_never_crashes)
{
	struct blk k;
	uint32_t seed = 12345;

	for (int round = 0; round < 20000; round++) {
		build_grub_like(&k);
		int flips = 1 + round % 4;
		for (int f = 0; f < flips; f++) {
			seed = seed * 1103515245u + 12345u;
			size_t pos = (seed >> 8) % k.len;
			seed = seed * 1103515245u + 12345u;
			k.b[pos] = (uint8_t)(seed >> 16);
		}
		uint8_t *copy = malloc(k.len);
		memcpy(copy, k.b, k.len);
		int rc = mb2_parse(copy, k.len, &info);
		cr_assert(rc == 0 || rc == -EINVAL);
		cr_assert((rc == 0) == (info.error == NULL));
		free(copy);
	}
}
