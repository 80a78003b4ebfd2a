/* Unit tests for the multiboot v1 information: the spec's offsets, the memory map, modules and strings. */
#include <criterion/criterion.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "monitor/lib/errno.h"
#include "monitor/loader/multiboot1_info.h"

#define MIB       0x100000ULL
#define GUEST_MEM (16 * MIB)

/* The offsets the specification's "Boot information format" table gives. */
_Static_assert(offsetof(struct multiboot1_info, mem_lower) == 4, "mem_lower");
_Static_assert(offsetof(struct multiboot1_info, cmdline) == 16, "cmdline");
_Static_assert(offsetof(struct multiboot1_info, mods_count) == 20, "mods_count");
_Static_assert(offsetof(struct multiboot1_info, mods_addr) == 24, "mods_addr");
_Static_assert(offsetof(struct multiboot1_info, syms) == 28, "syms");
_Static_assert(offsetof(struct multiboot1_info, mmap_length) == 44, "mmap_length");
_Static_assert(offsetof(struct multiboot1_info, mmap_addr) == 48, "mmap_addr");
_Static_assert(offsetof(struct multiboot1_info, drives_length) == 52, "drives_length");
_Static_assert(offsetof(struct multiboot1_info, config_table) == 60, "config_table");
_Static_assert(offsetof(struct multiboot1_info, boot_loader_name) == 64, "boot_loader_name");
_Static_assert(offsetof(struct multiboot1_info, apm_table) == 68, "apm_table");
_Static_assert(offsetof(struct multiboot1_info, vbe_control_info) == 72, "vbe_control_info");
_Static_assert(offsetof(struct multiboot1_info, vbe_mode) == 80, "vbe_mode");
_Static_assert(offsetof(struct multiboot1_info, framebuffer_addr_lo) == 88, "framebuffer_addr");
_Static_assert(offsetof(struct multiboot1_info, framebuffer_pitch) == 96, "framebuffer_pitch");
_Static_assert(offsetof(struct multiboot1_info, framebuffer_bpp) == 108, "framebuffer_bpp");
_Static_assert(offsetof(struct multiboot1_info, color_info) == 110, "color_info");
_Static_assert(offsetof(struct multiboot1_mmap_entry, base_lo) == 4, "mmap base_addr");
_Static_assert(offsetof(struct multiboot1_mmap_entry, length_lo) == 12, "mmap length");
_Static_assert(offsetof(struct multiboot1_mmap_entry, type) == 20, "mmap type");

static uint8_t *guest;
static char err[256];
static unsigned writes;

static void setup(void)
{
	guest = malloc(GUEST_MEM);
	cr_assert_not_null(guest);
	memset(guest, 0xaa, GUEST_MEM);
	writes = 0;
}

static void teardown(void)
{
	free(guest);
}

TestSuite(multiboot1_info, .init = setup, .fini = teardown);

static int copy_cb(void *ctx, uint64_t gpa, const void *src, size_t len)
{
	uint64_t mem = *(uint64_t *)ctx;

	cr_assert(gpa <= mem && len <= mem - gpa, "write [%#llx, +%#zx) outside RAM",
	          (unsigned long long)gpa, len);
	memcpy(guest + gpa, src, len);
	writes++;
	return 0;
}

static int zero_cb(void *ctx, uint64_t gpa, size_t len)
{
	uint64_t mem = *(uint64_t *)ctx;

	cr_assert(gpa <= mem && len <= mem - gpa, "zero outside RAM");
	memset(guest + gpa, 0, len);
	writes++;
	return 0;
}

static struct multiboot1_info read_info(void)
{
	struct multiboot1_info info;

	memcpy(&info, guest + MULTIBOOT1_INFO_GPA, sizeof(info));
	return info;
}

static struct multiboot1_mmap_entry read_mmap(unsigned i)
{
	struct multiboot1_mmap_entry e;
	struct multiboot1_info info = read_info();

	/* Walk the map as the specification tells a kernel to: next = this + size + 4. */
	uint32_t at = info.mmap_addr;
	for (unsigned k = 0; k < i; k++) {
		memcpy(&e, guest + at, sizeof(e));
		at += e.size + 4;
	}
	cr_assert_lt(at, info.mmap_addr + info.mmap_length);
	memcpy(&e, guest + at, sizeof(e));
	return e;
}

static uint64_t u64(uint32_t lo, uint32_t hi)
{
	return (uint64_t)hi << 32 | lo;
}

Test(multiboot1_info, flags_memory_and_strings)
{
	uint64_t mem = GUEST_MEM;
	struct multiboot1_info_config cfg = {.mem_size = mem,
	                                     .kernel_end = MIB + 0x4321,
	                                     .cmdline = "fast verbose",
	                                     .cmdline_len = 12};
	struct multiboot1_boot boot;
	struct multiboot1_info info;

	cr_assert_eq(multiboot1_info_build(&cfg, copy_cb, zero_cb, &mem, &boot, err, sizeof(err)),
	             0, "%s", err);
	cr_expect_eq(boot.eax, 0x2badb002);
	cr_expect_eq(boot.ebx, MULTIBOOT1_INFO_GPA);
	cr_expect_eq(boot.modules_end, MIB + 0x4321);
	info = read_info();
	cr_expect_eq(info.flags, (1U << 0) | (1U << 2) | (1U << 3) | (1U << 6) | (1U << 9));
	cr_expect_eq(info.mem_lower, 639);
	cr_expect_eq(info.mem_upper, (GUEST_MEM - MIB) / 1024);
	cr_expect_str_eq((char *)guest + info.cmdline, "fast verbose");
	cr_expect_str_eq((char *)guest + info.boot_loader_name, "libhv");
	cr_expect_eq(info.mods_count, 0);
	cr_expect_eq(info.boot_device, 0, "no boot device (flag 1 clear)");
	cr_expect_eq(info.framebuffer_type, 0);
	cr_expect_lt(info.cmdline, 0x9fc00);
	cr_expect_lt(info.mmap_addr, 0x9fc00);
	cr_expect(guest[MIB] == 0xaa, "the kernel's memory is not touched");
}

Test(multiboot1_info, memory_map_of_the_platform)
{
	uint64_t mem = GUEST_MEM;
	struct multiboot1_info_config cfg = {.mem_size = mem, .kernel_end = MIB + 0x1000};
	struct multiboot1_boot boot;
	struct multiboot1_mmap_entry e;
	struct {
		uint64_t base, end;
		uint32_t type;
	} want[] = {
	    {0, 0x9fc00, 1},
	    {0x9fc00, 0xa0000, 2},
	    {0xc0000, 0x100000, 2},
	    {0x100000, GUEST_MEM, 1},
	};

	cr_assert_eq(multiboot1_info_build(&cfg, copy_cb, zero_cb, &mem, &boot, err, sizeof(err)),
	             0, "%s", err);
	cr_assert_eq(read_info().mmap_length, 4 * 24);
	for (unsigned i = 0; i < 4; i++) {
		e = read_mmap(i);
		cr_expect_eq(e.size, 20);
		cr_expect_eq(u64(e.base_lo, e.base_hi), want[i].base, "entry %u", i);
		cr_expect_eq(u64(e.base_lo, e.base_hi) + u64(e.length_lo, e.length_hi), want[i].end,
		             "entry %u", i);
		cr_expect_eq(e.type, want[i].type, "entry %u", i);
	}
	cr_expect(MULTIBOOT1_LOW_END <= 0x9fc00, "the low structures are in low RAM");
}

Test(multiboot1_info, ram_of_exactly_one_mib_and_more_than_4g)
{
	uint64_t mem = MIB;
	struct multiboot1_info_config cfg = {.mem_size = MIB, .kernel_end = MIB};
	struct multiboot1_boot boot;

	cr_assert_eq(multiboot1_info_build(&cfg, copy_cb, zero_cb, &mem, &boot, err, sizeof(err)),
	             0, "%s", err);
	cr_expect_eq(read_info().mem_upper, 0);
	cr_expect_eq(read_info().mmap_length, 3 * 24, "no RAM above 1 MiB: no entry for it");

	/* 6 GiB of RAM: mem_upper stops at 4 GiB, the map tells the whole truth. */
	cfg.mem_size = 6ULL << 30;
	mem = GUEST_MEM; /* the callbacks only see the low area here */
	cr_assert_eq(multiboot1_info_build(&cfg, copy_cb, zero_cb, &mem, &boot, err, sizeof(err)),
	             0, "%s", err);
	cr_expect_eq(read_info().mem_upper, ((4ULL << 30) - MIB) / 1024);
	struct multiboot1_mmap_entry e = read_mmap(3);
	cr_expect_eq(u64(e.length_lo, e.length_hi), (6ULL << 30) - MIB);
}

Test(multiboot1_info, modules_page_aligned_above_the_kernel_without_overlap)
{
	static uint8_t a[5000], b[1], c[8192];
	struct multiboot1_module mods[4] = {
	    {a, sizeof(a), "first.bin arg", 13},
	    {b, sizeof(b), "second", 6},
	    {NULL, 0, NULL, 0}, /* empty file, empty string */
	    {c, sizeof(c), "fourth", 6},
	};
	uint64_t mem = GUEST_MEM;
	struct multiboot1_info_config cfg = {
	    .mem_size = mem, .kernel_end = 3 * MIB + 0x10, .modules = mods, .nmodules = 4};
	struct multiboot1_boot boot;
	struct multiboot1_module_entry e[4];
	struct multiboot1_info info;

	memset(a, 1, sizeof(a));
	b[0] = 2;
	memset(c, 3, sizeof(c));
	cr_assert_eq(multiboot1_info_build(&cfg, copy_cb, zero_cb, &mem, &boot, err, sizeof(err)),
	             0, "%s", err);
	info = read_info();
	cr_assert_eq(info.mods_count, 4);
	memcpy(e, guest + info.mods_addr, sizeof(e));
	cr_expect_eq(e[0].mod_start, 3 * MIB + 0x1000, "first page boundary above the kernel");
	for (unsigned i = 0; i < 4; i++) {
		cr_expect_eq(e[i].mod_start % 4096, 0, "module %u page-aligned", i);
		cr_expect_eq(e[i].mod_end - e[i].mod_start, mods[i].size);
		cr_expect_eq(e[i].reserved, 0);
		cr_expect_eq(
		    memcmp(guest + e[i].mod_start, mods[i].data ? mods[i].data : "", mods[i].size),
		    0);
		cr_expect_eq(strlen((char *)guest + e[i].string), mods[i].string_len);
		if (i)
			cr_expect_geq(e[i].mod_start, e[i - 1].mod_end, "module %u after %u", i,
			              i - 1);
	}
	cr_expect_str_eq((char *)guest + e[0].string, "first.bin arg");
	cr_expect_str_eq((char *)guest + e[3].string, "fourth");
	cr_expect_eq(boot.modules_end, e[3].mod_end);
	cr_expect_eq(*(char *)(guest + info.cmdline), '\0', "an empty command line");
}

Test(multiboot1_info, modules_that_do_not_fit_write_nothing)
{
	static uint8_t big[2 * MIB];
	struct multiboot1_module mods[2] = {{big, sizeof(big), "a", 1}, {big, sizeof(big), "b", 1}};
	uint64_t mem = 4 * MIB;
	struct multiboot1_info_config cfg = {
	    .mem_size = mem, .kernel_end = MIB + 0x10000, .modules = mods, .nmodules = 2};
	struct multiboot1_boot boot;

	cr_expect_eq(multiboot1_info_build(&cfg, copy_cb, zero_cb, &mem, &boot, err, sizeof(err)),
	             -ERANGE);
	cr_expect(strstr(err, "module 1"), "%s", err);
	cr_expect_eq(writes, 0);
	cfg.nmodules = 1;
	cr_expect_eq(multiboot1_info_build(&cfg, copy_cb, zero_cb, &mem, &boot, err, sizeof(err)),
	             0, "%s", err);
}

Test(multiboot1_info, limits_of_the_layout)
{
	static char line[MULTIBOOT1_CMDLINE_MAX];
	static struct multiboot1_module many[MULTIBOOT1_MODS_MAX + 1];
	static char long_string[MULTIBOOT1_STRINGS_MAX];
	uint64_t mem = GUEST_MEM;
	struct multiboot1_info_config cfg = {.mem_size = mem, .kernel_end = MIB};
	struct multiboot1_boot boot;

	memset(line, 'x', sizeof(line));
	cfg.cmdline = line;
	cfg.cmdline_len = sizeof(line) - 1;
	cr_expect_eq(multiboot1_info_build(&cfg, copy_cb, zero_cb, &mem, &boot, err, sizeof(err)),
	             0, "%s", err);
	cr_expect_eq(strlen((char *)guest + MULTIBOOT1_CMDLINE_GPA), sizeof(line) - 1);
	cfg.cmdline_len = sizeof(line);
	cr_expect_eq(multiboot1_info_build(&cfg, copy_cb, zero_cb, &mem, &boot, err, sizeof(err)),
	             -E2BIG);
	cfg.cmdline_len = 0;

	cfg.modules = many;
	cfg.nmodules = MULTIBOOT1_MODS_MAX;
	cr_expect_eq(multiboot1_info_build(&cfg, copy_cb, zero_cb, &mem, &boot, err, sizeof(err)),
	             0, "%s", err);
	cfg.nmodules = MULTIBOOT1_MODS_MAX + 1;
	cr_expect_eq(multiboot1_info_build(&cfg, copy_cb, zero_cb, &mem, &boot, err, sizeof(err)),
	             -E2BIG);

	memset(long_string, 's', sizeof(long_string));
	many[0].string = long_string;
	many[0].string_len = sizeof(long_string);
	cfg.nmodules = 1;
	cr_expect_eq(multiboot1_info_build(&cfg, copy_cb, zero_cb, &mem, &boot, err, sizeof(err)),
	             -E2BIG);
	many[0].string_len = sizeof(long_string) - 1;
	cr_expect_eq(multiboot1_info_build(&cfg, copy_cb, zero_cb, &mem, &boot, err, sizeof(err)),
	             0, "%s", err);
}

Test(multiboot1_info, bad_configurations)
{
	uint64_t mem = GUEST_MEM;
	struct multiboot1_info_config cfg = {.mem_size = MIB - 4096, .kernel_end = MIB};
	struct multiboot1_boot boot;

	cr_expect_eq(multiboot1_info_build(&cfg, copy_cb, zero_cb, &mem, &boot, err, sizeof(err)),
	             -ERANGE);
	cfg.mem_size = 2 * MIB;
	cfg.kernel_end = 3 * MIB;
	cr_expect_eq(multiboot1_info_build(&cfg, copy_cb, zero_cb, &mem, &boot, err, sizeof(err)),
	             -EINVAL);
	cfg.kernel_end = MIB;
	cfg.cmdline_len = 3; /* and no pointer */
	cr_expect_eq(multiboot1_info_build(&cfg, copy_cb, zero_cb, &mem, &boot, err, sizeof(err)),
	             -EINVAL);
	cr_expect_eq(multiboot1_info_build(NULL, copy_cb, zero_cb, &mem, &boot, err, sizeof(err)),
	             -EINVAL);
	cr_expect_eq(writes, 0);
}
