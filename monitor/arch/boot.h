/* What entry.S and linker.ld hand to C code, and the two C functions entry.S calls. */
#ifndef MONITOR_ARCH_BOOT_H
#define MONITOR_ARCH_BOOT_H

#include <stdint.h>

/* From linker.ld: the loaded image is [__monitor_start, __monitor_end), page-aligned at both ends. */
extern char __monitor_start[];
extern char __monitor_end[];
extern char __bss_start[];
extern char __bss_end[];

/*
 * From entry.S, all in .bss: the boot page tables (identity map of [0, 4 GiB), 2 MiB pages, except
 * the 2 MiB page around boot_stack_guard, which boot_pt maps with 4 KiB pages), and the 64 KiB boot
 * stack monitor_main() runs on, with an unmapped guard page below it.
 */
extern uint64_t boot_pml4[512];
extern uint64_t boot_pdpt[512];
extern uint64_t boot_pd[4 * 512];
extern uint64_t boot_pt[512];
extern char boot_stack_guard[4096];
extern char boot_stack[];
extern char boot_stack_top[];

/*
 * Called by entry.S in 64-bit mode before monitor_main(): brings up COM1 (serial_init()), the final
 * GDT with its TSS (gdt_init()) and the IDT (idt_init()), and masks the legacy PIC, so that
 * kprintf() works and any exception is reported from monitor_main()'s first instruction on.
 */
void arch_init(void);

/*
 * The monitor proper (monitor/main.c). mb2_magic is what the loader left in EAX (0x36d76289 for a
 * multiboot2 loader; check it), mb2_info_phys the physical (= virtual) address of the boot
 * information. Should not return; if it does, entry.S halts the CPU.
 */
void monitor_main(uint32_t mb2_magic, uint64_t mb2_info_phys);

#endif
