/* The monitor's IDT: every vector goes through isr.S's stubs to exception_dispatch() (exceptions.c). */
#ifndef MONITOR_ARCH_IDT_H
#define MONITOR_ARCH_IDT_H

#include <stdint.h>

#define IDT_VECTORS 256U

/*
 * Fill all 256 gates (interrupt gates, DPL 0, CS = GDT_CODE_SELECTOR; #DF, NMI and #MC on their
 * own IST stacks) and load IDTR. Needs gdt_init() first (the IST slots live in the TSS).
 */
void idt_init(void);

/* For the hypervisor layer's host-state fields (the VMCS host IDTR base). */
uint64_t idt_base(void);
uint16_t idt_limit(void);

#endif
