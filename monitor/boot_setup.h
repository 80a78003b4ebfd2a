/* Start-up shared by every monitor built on the runtime: the multiboot2 hand-over and the page allocator. */
#ifndef MONITOR_BOOT_SETUP_H
#define MONITOR_BOOT_SETUP_H

#include <stdint.h>

#include "monitor/multiboot2.h"

/*
 * Call first thing in monitor_main() with its two arguments. Checks the loader's magic and the
 * size of the information block, parses it (mb2_parse) into *boot, applies the monitor's own
 * command line (cmdline_apply: -v, -q, loglevel=), and builds monitor_pages
 * (monitor/host_services.h) from its memory map, never handing out the first MiB, the monitor
 * image, the information block or any module. Below 4 GiB only: the boot page tables map that
 * 1:1, so an HPA is its own pointer. Anything wrong here is fatal (monitor_panic): without a
 * trustworthy memory map nothing is safe. Module and command-line strings in *boot point into
 * the information block, which stays reserved.
 */
void boot_setup(uint32_t mb2_magic, uint64_t mb2_info_phys, struct mb2_boot_info *boot);

#endif
