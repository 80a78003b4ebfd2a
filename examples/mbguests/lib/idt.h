/* A 32-bit IDT for the multiboot v1 guests: every vector enters one C dispatcher through a stub. */
#ifndef MBGUEST_IDT_H
#define MBGUEST_IDT_H

#include <stdint.h>

/* What the stubs (idt_stubs.S) push, lowest address first: PUSHA's registers, then the vector,
 * the error code (0 for vectors without one), and the processor's EIP, CS, EFLAGS. */
struct int_frame {
	uint32_t edi, esi, ebp, esp, ebx, edx, ecx, eax;
	uint32_t vector, error;
	uint32_t eip, cs, eflags;
};

typedef void (*int_handler_fn)(struct int_frame *f);

/*
 * Loads an IDT with all 256 vectors present (interrupt gates: IF is clear on entry). Exceptions
 * (0-31) without a handler print the vector, error code and EIP and end the guest with status
 * 0xE00 | vector. Other vectors without a handler are counted as unexpected.
 */
void idt_init(void);
void idt_set_handler(uint8_t vector, int_handler_fn fn);

/* Interrupts that arrived on a vector with no handler, and the last such vector. */
uint32_t idt_unexpected_count(void);
uint8_t idt_unexpected_last(void);

#endif
