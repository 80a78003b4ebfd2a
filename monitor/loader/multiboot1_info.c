/* Building the multiboot (v1) information in guest memory: info block, strings, modules, memory map. */
#include "monitor/loader/multiboot1_info.h"

#include <string.h>

#include "monitor/lib/errmsg.h"
#include "monitor/lib/errno.h"

static const char loader_name[] = "libhv";

_Static_assert(MULTIBOOT1_INFO_GPA + sizeof(struct multiboot1_info) <= MULTIBOOT1_LOADER_NAME_GPA,
               "info block fits its slot");
_Static_assert(MULTIBOOT1_MMAP_GPA + MULTIBOOT1_MMAP_MAX * sizeof(struct multiboot1_mmap_entry) <=
                   MULTIBOOT1_MODS_GPA,
               "memory map fits its slot");
_Static_assert(MULTIBOOT1_MODS_GPA + MULTIBOOT1_MODS_MAX * sizeof(struct multiboot1_module_entry) <=
                   MULTIBOOT1_CMDLINE_GPA,
               "module list fits its slot");

static uint64_t align_up(uint64_t v, uint64_t a)
{
	return (v + a - 1) & ~(a - 1);
}

static struct multiboot1_mmap_entry mmap_entry(uint64_t base, uint64_t end, uint32_t type)
{
	return (struct multiboot1_mmap_entry){
	    .size = sizeof(struct multiboot1_mmap_entry) - sizeof(uint32_t),
	    .base_lo = (uint32_t)base,
	    .base_hi = (uint32_t)(base >> 32),
	    .length_lo = (uint32_t)(end - base),
	    .length_hi = (uint32_t)((end - base) >> 32),
	    .type = type,
	};
}

/* The map of the pc-lite platform: low RAM, the EBDA slot, the ROM, RAM from 1 MiB. */
static size_t build_mmap(uint64_t mem_size, struct multiboot1_mmap_entry *map)
{
	size_t n = 0;

	map[n++] = mmap_entry(0, MULTIBOOT1_LOW_RAM_END, MULTIBOOT1_MEMORY_AVAILABLE);
	/* Nothing lives in the EBDA slot; it is reserved because PC software expects it to be. */
	map[n++] = mmap_entry(MULTIBOOT1_LOW_RAM_END, 0xa0000, MULTIBOOT1_MEMORY_RESERVED);
	/* The VGA window 0xa0000-0xbffff is not memory at all and, as on real firmware, not listed. */
	map[n++] =
	    mmap_entry(MULTIBOOT1_ROM_START, MULTIBOOT1_HIGH_RAM_START, MULTIBOOT1_MEMORY_RESERVED);
	if (mem_size > MULTIBOOT1_HIGH_RAM_START)
		map[n++] =
		    mmap_entry(MULTIBOOT1_HIGH_RAM_START, mem_size, MULTIBOOT1_MEMORY_AVAILABLE);
	return n;
}

/* Where each module goes; -ERANGE when one does not fit below min(mem, 4 GiB). */
static int place_modules(const struct multiboot1_info_config *cfg,
                         struct multiboot1_module_entry *mods, uint64_t *end, char *err,
                         size_t errlen)
{
	uint64_t limit =
	    cfg->mem_size < MULTIBOOT1_ADDR_LIMIT ? cfg->mem_size : MULTIBOOT1_ADDR_LIMIT;
	uint64_t at = cfg->kernel_end;

	*end = cfg->kernel_end;
	for (size_t i = 0; i < cfg->nmodules; i++) {
		uint64_t start = align_up(at, MULTIBOOT1_MODULE_ALIGN);

		if (start > limit || cfg->modules[i].size > limit - start) {
			errmsg_set(
			    err, errlen,
			    "module %zu (%zu bytes) does not fit: it would start at 0x%llx and "
			    "RAM usable by the kernel ends at 0x%llx",
			    i, cfg->modules[i].size, (unsigned long long)start,
			    (unsigned long long)limit);
			return -ERANGE;
		}
		mods[i].mod_start = (uint32_t)start;
		mods[i].mod_end = (uint32_t)(start + cfg->modules[i].size);
		at = *end = start + cfg->modules[i].size;
	}
	return 0;
}

static int check_config(const struct multiboot1_info_config *cfg, char *err, size_t errlen)
{
	size_t strings = 0;

	if (cfg->mem_size < MULTIBOOT1_HIGH_RAM_START) {
		errmsg_set(err, errlen, "multiboot kernels need at least 1 MiB of RAM (mem=0x%llx)",
		           (unsigned long long)cfg->mem_size);
		return -ERANGE;
	}
	if (cfg->kernel_end < MULTIBOOT1_HIGH_RAM_START || cfg->kernel_end > cfg->mem_size) {
		errmsg_set(err, errlen, "kernel end 0x%llx is not inside [1 MiB, mem)",
		           (unsigned long long)cfg->kernel_end);
		return -EINVAL;
	}
	if (cfg->cmdline_len >= MULTIBOOT1_CMDLINE_MAX) {
		errmsg_set(err, errlen, "command line of %zu bytes is too long (at most %u)",
		           cfg->cmdline_len, MULTIBOOT1_CMDLINE_MAX - 1);
		return -E2BIG;
	}
	if (cfg->nmodules > MULTIBOOT1_MODS_MAX) {
		errmsg_set(err, errlen, "%zu modules given, at most %u fit the module list",
		           cfg->nmodules, MULTIBOOT1_MODS_MAX);
		return -E2BIG;
	}
	for (size_t i = 0; i < cfg->nmodules; i++) {
		const struct multiboot1_module *m = &cfg->modules[i];

		if ((m->size && !m->data) || (m->string_len && !m->string)) {
			errmsg_set(err, errlen, "module %zu: no data", i);
			return -EINVAL;
		}
		if (m->string_len >= MULTIBOOT1_STRINGS_MAX - strings) {
			errmsg_set(err, errlen,
			           "module strings need more than the %u bytes set aside for them",
			           MULTIBOOT1_STRINGS_MAX);
			return -E2BIG;
		}
		strings += m->string_len + 1;
	}
	return 0;
}

/* A string and its NUL; strings that hold a NUL end there for the kernel, which is its business. */
static int put_string(elf64_copy_fn copy, void *ctx, uint32_t gpa, const char *s, size_t len)
{
	int rc = len ? copy(ctx, gpa, s, len) : 0;

	return rc ? rc : copy(ctx, gpa + (uint32_t)len, "", 1);
}

int multiboot1_info_build(const struct multiboot1_info_config *cfg, elf64_copy_fn copy_to_guest,
                          elf64_zero_fn zero_guest, void *ctx, struct multiboot1_boot *out,
                          char *err, size_t errlen)
{
	struct multiboot1_mmap_entry map[MULTIBOOT1_MMAP_MAX];
	struct multiboot1_module_entry mods[MULTIBOOT1_MODS_MAX];
	struct multiboot1_info info;
	uint64_t upper_end, modules_end;
	uint32_t str_at = MULTIBOOT1_STRINGS_GPA;
	size_t nmap;
	int rc;

	if (errlen)
		err[0] = '\0';
	if (!cfg || !out || !copy_to_guest || !zero_guest || (cfg->nmodules && !cfg->modules) ||
	    (cfg->cmdline_len && !cfg->cmdline)) {
		errmsg_set(err, errlen, "multiboot1_info_build: bad arguments");
		return -EINVAL;
	}
	memset(mods, 0, sizeof(mods));
	rc = check_config(cfg, err, errlen);
	if (!rc)
		rc = place_modules(cfg, mods, &modules_end, err, errlen);
	if (rc)
		return rc;

	memset(&info, 0, sizeof(info));
	nmap = build_mmap(cfg->mem_size, map);
	upper_end = cfg->mem_size < MULTIBOOT1_ADDR_LIMIT ? cfg->mem_size : MULTIBOOT1_ADDR_LIMIT;
	info.flags = MULTIBOOT1_INFO_MEMORY | MULTIBOOT1_INFO_CMDLINE | MULTIBOOT1_INFO_MODS |
	             MULTIBOOT1_INFO_MMAP | MULTIBOOT1_INFO_LOADER_NAME;
	info.mem_lower = (uint32_t)(MULTIBOOT1_LOW_RAM_END >> 10);
	info.mem_upper = (uint32_t)((upper_end - MULTIBOOT1_HIGH_RAM_START) >> 10);
	info.cmdline = MULTIBOOT1_CMDLINE_GPA;
	info.mods_count = (uint32_t)cfg->nmodules;
	info.mods_addr = MULTIBOOT1_MODS_GPA;
	info.mmap_length = (uint32_t)(nmap * sizeof(map[0]));
	info.mmap_addr = MULTIBOOT1_MMAP_GPA;
	info.boot_loader_name = MULTIBOOT1_LOADER_NAME_GPA;

	/* The whole low area first, so no stale bytes from an earlier use of the RAM show through. */
	rc = zero_guest(ctx, MULTIBOOT1_INFO_GPA, MULTIBOOT1_LOW_END - MULTIBOOT1_INFO_GPA);
	if (!rc)
		rc = copy_to_guest(ctx, MULTIBOOT1_INFO_GPA, &info, sizeof(info));
	if (!rc)
		rc = copy_to_guest(ctx, MULTIBOOT1_LOADER_NAME_GPA, loader_name,
		                   sizeof(loader_name));
	if (!rc)
		rc = copy_to_guest(ctx, MULTIBOOT1_MMAP_GPA, map, nmap * sizeof(map[0]));
	if (!rc)
		rc = put_string(copy_to_guest, ctx, MULTIBOOT1_CMDLINE_GPA, cfg->cmdline,
		                cfg->cmdline_len);
	for (size_t i = 0; !rc && i < cfg->nmodules; i++) {
		const struct multiboot1_module *m = &cfg->modules[i];

		mods[i].string = str_at;
		rc = put_string(copy_to_guest, ctx, str_at, m->string, m->string_len);
		str_at += (uint32_t)m->string_len + 1;
		if (!rc && m->size)
			rc = copy_to_guest(ctx, mods[i].mod_start, m->data, m->size);
	}
	if (!rc && cfg->nmodules)
		rc = copy_to_guest(ctx, MULTIBOOT1_MODS_GPA, mods, cfg->nmodules * sizeof(mods[0]));
	if (rc) {
		errmsg_set(err, errlen,
		           "writing the multiboot information into guest memory failed");
		return rc;
	}
	out->eax = MULTIBOOT1_BOOT_MAGIC;
	out->ebx = MULTIBOOT1_INFO_GPA;
	out->modules_end = modules_end;
	return 0;
}
