/* boot_setup(): from the multiboot2 hand-over to a parsed boot block and a working page allocator (uses the linker's symbols, so freestanding only). */
#include <string.h>

#include "monitor/arch/boot.h"
#include "monitor/boot_setup.h"
#include "monitor/cmdline.h"
#include "monitor/console.h"
#include "monitor/host_services.h"

/* The boot page tables map the low 4 GiB 1:1 (entry.S): the allocator stays below. */
#define MAPPED_LIMIT (4ULL << 30)
/* More than this is not a boot information block a loader would build. */
#define INFO_MAX (1U << 20)

static void *identity(uint64_t hpa)
{
	return (void *)(uintptr_t)hpa;
}

void boot_setup(uint32_t mb2_magic, uint64_t mb2_info_phys, struct mb2_boot_info *boot)
{
	struct page_range reserved[3 + MB2_MAX_MODULES];
	uint32_t total_size;
	size_t n = 0;

	if (mb2_magic != MB2_BOOTLOADER_MAGIC)
		monitor_panic("not started by a multiboot2 loader (EAX %#x)", mb2_magic);
	memcpy(&total_size, identity(mb2_info_phys), sizeof(total_size));
	if (total_size < 16 || total_size > INFO_MAX)
		monitor_panic("multiboot2 information block of %u bytes: not believable",
		              total_size);
	if (mb2_parse(identity(mb2_info_phys), total_size, boot))
		monitor_panic("multiboot2 information block: %s", boot->error);
	/* Before anything else is printed, so that -q and -v apply to all of it. */
	cmdline_apply(boot->cmdline, boot->cmdline_len);

	reserved[n++] = (struct page_range){0, 1ULL << 20};
	reserved[n++] = (struct page_range){(uintptr_t)__monitor_start, (uintptr_t)__monitor_end};
	reserved[n++] = (struct page_range){mb2_info_phys, mb2_info_phys + boot->total_size};
	for (size_t i = 0; i < boot->nmodules; i++)
		reserved[n++] = (struct page_range){boot->modules[i].start, boot->modules[i].end};
	monitor_pages.phys_to_virt = identity;
	monitor_pages.max_addr = MAPPED_LIMIT;
	if (page_alloc_init(&monitor_pages, boot->regions, boot->nregions, reserved, n))
		monitor_panic("no usable memory in the multiboot2 memory map");
	if (log_enabled(LOG_LEVEL_DEBUG))
		kprintf("monitor: %zu MiB free for partitions and libhv, %zu module(s)\n",
		        page_alloc_free_count(&monitor_pages) >> 8, boot->nmodules);
}
