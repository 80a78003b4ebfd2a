/* The monitor's final 64-bit GDT and TSS: flat code/data segments, a TR for VMX, IST stacks. */
#ifndef MONITOR_ARCH_GDT_H
#define MONITOR_ARCH_GDT_H

#include <stdint.h>

/* Selectors (TI = 0, RPL = 0, as VMX requires of the host selector fields). */
#define GDT_CODE_SELECTOR 0x08U /* 64-bit code, DPL 0 */
#define GDT_DATA_SELECTOR 0x10U /* flat read/write data, DPL 0: DS, ES, SS, FS, GS */
#define GDT_TSS_SELECTOR  0x18U /* 64-bit TSS (a 16-byte descriptor: slots 3 and 4) */

/*
 * Interrupt stack table slots (1-7; 0 means "no IST"). Exceptions that can arrive with a broken
 * stack get their own: #DF (a stack overflow faults on the guard page, the push of that #PF's
 * frame faults again, which is #DF), NMI and #MC (they can interrupt anything, including the
 * instant a stack is being switched).
 */
#define GDT_IST_DOUBLE_FAULT  1U
#define GDT_IST_NMI           2U
#define GDT_IST_MACHINE_CHECK 3U

/*
 * TSS limit: 0x67 (104 bytes, no I/O permission bitmap). A VM exit on Intel sets the host TR limit
 * to 0x67, so using exactly that size keeps the limit the same before and after.
 */
#define GDT_TSS_LIMIT 0x67U

/*
 * Build the GDT and TSS, load GDTR, reload CS and the data segment registers, and load TR.
 * Called once by arch_init() before anything else that depends on segments.
 */
void gdt_init(void);

/* For the hypervisor layer's host-state fields (VMCS host area, or VMSAVE'd host state). */
uint16_t gdt_code_selector(void);
uint16_t gdt_data_selector(void);
uint16_t gdt_tr_selector(void);
uint64_t gdt_tss_base(void);
uint64_t gdt_base(void);
uint16_t gdt_limit(void);

#endif
