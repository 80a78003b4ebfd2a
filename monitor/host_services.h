/* The monitor's side of libhv's host interface: pages from the monitor's allocator, and its console. */
#ifndef MONITOR_HOST_SERVICES_H
#define MONITOR_HOST_SERVICES_H

#include <hv/host.h>

#include "monitor/page_alloc.h"

/* The monitor's one page allocator (set up by monitor_main from the multiboot2 memory map). */
extern struct page_alloc monitor_pages;

/* The table handed to hv_init(): alloc/free from monitor_pages, identity-mapped access, kvprintf. */
extern const struct hv_host_ops monitor_host_ops;

#endif
