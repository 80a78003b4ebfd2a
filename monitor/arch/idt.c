/* The monitor's IDT: every vector goes through isr.S's stubs to exception_dispatch() (exceptions.c). */
#include "monitor/arch/idt.h"

#include "monitor/arch/cpu.h"
#include "monitor/arch/exceptions.h"
#include "monitor/arch/gdt.h"

/* 64-bit interrupt gate (Intel SDM "64-Bit Mode IDT"), low quadword; the high one is offset 63:32. */
#define GATE_OFFSET_LOW_MASK  0x000000000000FFFFULL /* offset 15:0 */
#define GATE_SELECTOR_SHIFT   16U
#define GATE_IST_SHIFT        32U
#define GATE_TYPE_SHIFT       40U
#define GATE_TYPE_INTERRUPT   0xEULL /* IF cleared on entry: the handlers are not reentrant */
#define GATE_P                (1ULL << 47)
#define GATE_OFFSET_MID_SHIFT 32U /* offset 31:16 moves to bits 63:48 */
#define GATE_OFFSET_MID_MASK  0xFFFF000000000000ULL

/* isr.S: 256 stubs of ISR_STUB_SIZE bytes each, stub n for vector n. */
#define ISR_STUB_SIZE 16U
extern const char isr_stub_table[];

static uint64_t idt[IDT_VECTORS * 2U] __attribute__((aligned(16)));

static unsigned ist_for_vector(unsigned vector)
{
	switch (vector) {
	case EXCEPTION_DF: return GDT_IST_DOUBLE_FAULT;
	case EXCEPTION_NMI: return GDT_IST_NMI;
	case EXCEPTION_MC: return GDT_IST_MACHINE_CHECK;
	default: return 0;
	}
}

void idt_init(void)
{
	for (unsigned v = 0; v < IDT_VECTORS; v++) {
		uint64_t offset = (uint64_t)(uintptr_t)(isr_stub_table + v * ISR_STUB_SIZE);

		idt[2U * v] = (offset & GATE_OFFSET_LOW_MASK) |
		              ((uint64_t)GDT_CODE_SELECTOR << GATE_SELECTOR_SHIFT) |
		              ((uint64_t)ist_for_vector(v) << GATE_IST_SHIFT) |
		              (GATE_TYPE_INTERRUPT << GATE_TYPE_SHIFT) | GATE_P |
		              ((offset << GATE_OFFSET_MID_SHIFT) & GATE_OFFSET_MID_MASK);
		idt[2U * v + 1U] = offset >> 32;
	}

	struct descriptor_table_register idtr = {
	    .limit = (uint16_t)(sizeof(idt) - 1U),
	    .base = (uint64_t)(uintptr_t)idt,
	};
	asm_lidt(&idtr);
}

uint64_t idt_base(void)
{
	return (uint64_t)(uintptr_t)idt;
}

uint16_t idt_limit(void)
{
	return (uint16_t)(sizeof(idt) - 1U);
}
