/* The physical page allocator: 4 KiB pages of host RAM, from the firmware's memory map. */
#ifndef MONITOR_PAGE_ALLOC_H
#define MONITOR_PAGE_ALLOC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "monitor/multiboot2.h"

#define PAGE_ALLOC_PAGE_SIZE 4096ULL

/* RAM at or above this is ignored unless the caller sets max_addr: it bounds the bookkeeping. */
#define PAGE_ALLOC_DEFAULT_MAX_ADDR (1ULL << 40)

/* A byte range [start, end) that the allocator must never hand out; rounded outward to pages. */
struct page_range {
	uint64_t start;
	uint64_t end;
};

/*
 * The allocator keeps two bitmaps with one bit per page from the lowest to the highest usable
 * page: "usable" (RAM it owns) and "free". The second one alone cannot tell a reserved page from an
 * allocated one, and freeing a reserved page must be caught, not obeyed. Both bitmaps live in
 * usable RAM that the allocator takes for itself at init.
 */
struct page_alloc {
	/*
	 * Set by the caller before page_alloc_init(). phys_to_virt gives the monitor's pointer to a
	 * host-physical address; a range allocated as one run must be contiguous through it (the
	 * monitor maps RAM 1:1; host tests back "physical" memory with an arena). max_addr: RAM at
	 * or above it is ignored (0 means PAGE_ALLOC_DEFAULT_MAX_ADDR); set it to what the monitor
	 * has mapped.
	 */
	void *(*phys_to_virt)(uint64_t hpa);
	uint64_t max_addr;

	/* Filled in by page_alloc_init(). */
	uint64_t first_pfn;   /* page frame number of bit 0 */
	uint64_t npages;      /* bits in each bitmap */
	uint64_t *usable_map; /* bit set: RAM the allocator owns */
	uint64_t *free_map;   /* bit set: free (implies usable) */
	uint64_t map_hpa;     /* where the bitmaps are */
	uint64_t map_pages;   /* pages they occupy (reserved) */
	size_t total_pages;   /* usable pages, after the bitmaps took theirs */
	size_t free_pages;
	uint64_t hint; /* bit index where the next search starts */
};

/*
 * Usable RAM = regions of type MB2_MEM_AVAILABLE (rounded inward to pages, clipped below max_addr)
 * minus every other region and every reserved range (both rounded outward), minus page 0. The caller
 * reserves the monitor image, each module, the multiboot2 info block and the first MiB. Returns 0,
 * -EINVAL (no phys_to_virt, a reserved range with end < start) or -ENOMEM (no usable page, or no
 * room for the bitmaps).
 */
int page_alloc_init(struct page_alloc *pa, const struct mb2_mem_region *regions, size_t nregions,
                    const struct page_range *reserved, size_t nreserved);

/*
 * count contiguous zeroed pages whose first address is a multiple of align_pages pages (a power of
 * two; 0 means 1). Returns the host-physical address, or 0 when no such run exists (page 0 is never
 * handed out, so 0 is unambiguous).
 */
uint64_t page_alloc_pages(struct page_alloc *pa, size_t count, size_t align_pages);

/*
 * Returns count pages at hpa to the allocator. Every one of them must be allocated now: freeing a
 * free page, a reserved one or one outside managed memory is a monitor bug, answered with -EINVAL
 * and no change at all (never a corrupted bitmap).
 */
int page_alloc_free(struct page_alloc *pa, uint64_t hpa, size_t count);

size_t page_alloc_free_count(const struct page_alloc *pa);
size_t page_alloc_total_count(const struct page_alloc *pa);

#endif
