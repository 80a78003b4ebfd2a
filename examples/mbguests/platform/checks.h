/* The platform guest's device checks (devices.c), called from main's check_devices(). */
#ifndef PLATFORM_CHECKS_H
#define PLATFORM_CHECKS_H

#include <stdint.h>

/*
 * Each prints its "ok"/"FAIL" lines through check(). `mem_upper` is the multiboot info's KiB
 * above 1 MiB, `cpus` the enabled processors the MADT lists (0 if it was not found).
 */
void check_pm_timer(void);
void check_pic(void);
void check_pit(void);
void check_rtc(uint32_t mem_upper);
void check_ioapic(void);
void check_lapic(void);
void check_fw_cfg(uint32_t mem_upper, uint32_t cpus);
void check_pci(void);
void check_unclaimed_io(void);
void check_testdev(void);

#endif
