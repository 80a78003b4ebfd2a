/* Parser for the multiboot2 boot information block a multiboot2 loader (GRUB) hands the monitor. */
#ifndef MONITOR_MULTIBOOT2_H
#define MONITOR_MULTIBOOT2_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MB2_BOOTLOADER_MAGIC 0x36d76289U /* in EAX at entry */

/* Tag types of the boot information block (Multiboot2 specification, "Boot information format"). */
#define MB2_TAG_END        0U
#define MB2_TAG_CMDLINE    1U
#define MB2_TAG_BOOTLOADER 2U
#define MB2_TAG_MODULE     3U
#define MB2_TAG_BASIC_MEM  4U
#define MB2_TAG_MMAP       6U
#define MB2_TAG_ACPI_OLD   14U
#define MB2_TAG_ACPI_NEW   15U

#define MB2_MEM_AVAILABLE  1U /* memory map entry type for usable RAM; every other type is not */

#define MB2_MAX_REGIONS    64U /* memory map entries kept; more set mmap_truncated */
#define MB2_MAX_MODULES    32U /* more modules than this is an error: each one would be a partition */

#define MB2_RSDP_V1_SIZE   20U /* ACPI RSDP revision 0 */
#define MB2_RSDP_V2_SIZE   36U /* ACPI RSDP revision 2+ (XSDT address, extended checksum) */

/* One memory map entry: [base, base + length), both bytes. */
struct mb2_mem_region {
	uint64_t base;
	uint64_t length;
	uint32_t type; /* MB2_MEM_AVAILABLE or anything else (reserved, ACPI, NVS, bad) */
};

/* One boot module: physical [start, end); the loader places modules page-aligned below 4 GiB. */
struct mb2_module {
	uint32_t start;
	uint32_t end;
	const char *cmdline; /* into the info block, NUL-terminated at cmdline[cmdline_len] */
	size_t cmdline_len;
};

/*
 * What mb2_parse() found. Strings point into the info block (which must stay where it is while they
 * are used); each is NUL-terminated inside its tag, and its length excludes the NUL.
 */
struct mb2_boot_info {
	uint32_t total_size; /* bytes of the info block, from its header */

	const char *cmdline; /* NULL when the loader passed no command line tag */
	size_t cmdline_len;
	const char *bootloader; /* NULL when absent */
	size_t bootloader_len;

	/* Tag 4: KiB below 1 MiB and KiB above 1 MiB up to the first hole. A fallback only. */
	bool has_basic_mem;
	uint32_t mem_lower_kib;
	uint32_t mem_upper_kib;

	/* Tag 6: the memory map, in the loader's order (unsorted, possibly overlapping). */
	bool has_mmap;
	bool mmap_truncated; /* more than MB2_MAX_REGIONS entries: the rest were dropped */
	size_t nregions;
	struct mb2_mem_region regions[MB2_MAX_REGIONS];

	size_t nmodules;
	struct mb2_module modules[MB2_MAX_MODULES];

	/* Tags 14/15: a copy of the RSDP inside the block; the newer tag wins when both are present. */
	const void *rsdp;
	size_t rsdp_len; /* MB2_RSDP_V1_SIZE or more; 0 when absent */

	const char *error; /* on failure: a static message saying what was wrong; NULL on success */
};

/*
 * Parses the boot information block at info, of which at most avail bytes may be read (the monitor
 * passes the header's total_size once it has checked it is sane). Every length inside the block is
 * checked against it. Unknown tags are skipped; the end tag is required. Returns 0, or -EINVAL with
 * out->error set; out is fully written either way.
 */
int mb2_parse(const void *info, size_t avail, struct mb2_boot_info *out);

#endif
