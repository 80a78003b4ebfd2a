/* The monitor's final 64-bit GDT and TSS: flat code/data segments, a TR for VMX, IST stacks. */
#include "monitor/arch/gdt.h"

#include <stddef.h>

#include "monitor/arch/cpu.h"

/* Segment descriptor fields (Intel SDM "Segment Descriptors"), in the 64-bit descriptor word. */
#define DESC_LIMIT_LOW_MASK        0x000000000000FFFFULL
#define DESC_BASE_LOW_SHIFT        16U /* base bits 23:0 at 39:16 */
#define DESC_BASE_LOW_MASK         0x000000FFFFFF0000ULL
#define DESC_TYPE_SHIFT            40U
#define DESC_S                     (1ULL << 44) /* code/data (1) or system (0) */
#define DESC_P                     (1ULL << 47)
#define DESC_LIMIT_HIGH            0x000F000000000000ULL /* limit bits 19:16 */
#define DESC_L                     (1ULL << 53)          /* 64-bit code */
#define DESC_DB                    (1ULL << 54)
#define DESC_G                     (1ULL << 55)
#define DESC_BASE_MID_SHIFT        32U /* base bits 31:24 at 63:56 */
#define DESC_BASE_MID_MASK         0xFF00000000000000ULL

#define DESC_TYPE_CODE_XR_ACCESSED 0xBULL /* execute/read, accessed */
#define DESC_TYPE_DATA_RW_ACCESSED 0x3ULL /* read/write, accessed */
#define DESC_TYPE_TSS64_AVAILABLE  0x9ULL

/*
 * Accessed bits are preset so the CPU never writes the GDT when loading a selector, and because
 * VMX guest-state checks want them set for the copies of these descriptors a guest might get.
 */
#define GDT_CODE_DESC                                                                              \
	(DESC_LIMIT_LOW_MASK | DESC_LIMIT_HIGH | (DESC_TYPE_CODE_XR_ACCESSED << DESC_TYPE_SHIFT) | \
	 DESC_S | DESC_P | DESC_L | DESC_G)
#define GDT_DATA_DESC                                                                              \
	(DESC_LIMIT_LOW_MASK | DESC_LIMIT_HIGH | (DESC_TYPE_DATA_RW_ACCESSED << DESC_TYPE_SHIFT) | \
	 DESC_S | DESC_P | DESC_DB | DESC_G)

#define GDT_ENTRIES 5U /* null, code, data, TSS (two slots) */

/* Intel SDM "Task Management in 64-bit Mode": the 64-bit TSS. */
struct tss64 {
	uint32_t reserved_0x00;
	uint64_t rsp[3]; /* stacks for privilege changes: unused, the monitor runs only at CPL 0 */
	uint64_t reserved_0x1c;
	uint64_t ist[7]; /* ist[0] is IST slot 1 */
	uint64_t reserved_0x5c;
	uint16_t reserved_0x64;
	uint16_t iomap_base; /* >= limit: no I/O permission bitmap */
} __attribute__((packed));

_Static_assert(sizeof(struct tss64) == GDT_TSS_LIMIT + 1U, "64-bit TSS is 104 bytes");
_Static_assert(offsetof(struct tss64, ist) == 0x24, "IST1 at offset 0x24");
_Static_assert(offsetof(struct tss64, iomap_base) == 0x66, "I/O map base at offset 0x66");

#define IST_STACK_SIZE 8192U

static uint64_t gdt[GDT_ENTRIES] __attribute__((aligned(16)));
static struct tss64 tss __attribute__((aligned(16)));

/* One stack per IST slot; big enough for the exception report (kprintf formats on the stack). */
static uint8_t ist_stacks[3][IST_STACK_SIZE] __attribute__((aligned(16)));

static uint64_t tss_descriptor_low(uint64_t base, uint32_t limit)
{
	return ((uint64_t)limit & DESC_LIMIT_LOW_MASK) |
	       (((uint64_t)limit << 32) & DESC_LIMIT_HIGH) |
	       ((base << DESC_BASE_LOW_SHIFT) & DESC_BASE_LOW_MASK) |
	       ((base << DESC_BASE_MID_SHIFT) & DESC_BASE_MID_MASK) |
	       (DESC_TYPE_TSS64_AVAILABLE << DESC_TYPE_SHIFT) | DESC_P;
}

void gdt_init(void)
{
	uint64_t tss_base = (uint64_t)(uintptr_t)&tss;

	/* The CPU pushes the exception frame below the IST pointer: point at each stack's top. */
	tss.ist[GDT_IST_DOUBLE_FAULT - 1U] = (uint64_t)(uintptr_t)(ist_stacks[0] + IST_STACK_SIZE);
	tss.ist[GDT_IST_NMI - 1U] = (uint64_t)(uintptr_t)(ist_stacks[1] + IST_STACK_SIZE);
	tss.ist[GDT_IST_MACHINE_CHECK - 1U] = (uint64_t)(uintptr_t)(ist_stacks[2] + IST_STACK_SIZE);
	tss.iomap_base = (uint16_t)sizeof(tss);

	gdt[0] = 0;
	gdt[GDT_CODE_SELECTOR / 8U] = GDT_CODE_DESC;
	gdt[GDT_DATA_SELECTOR / 8U] = GDT_DATA_DESC;
	gdt[GDT_TSS_SELECTOR / 8U] = tss_descriptor_low(tss_base, GDT_TSS_LIMIT);
	gdt[GDT_TSS_SELECTOR / 8U + 1U] = tss_base >> 32; /* base bits 63:32; the rest reserved */

	struct descriptor_table_register gdtr = {
	    .limit = (uint16_t)(sizeof(gdt) - 1U),
	    .base = (uint64_t)(uintptr_t)gdt,
	};
	asm_lgdt(&gdtr);

	/* CS can only be reloaded by a far transfer: return to the next instruction through LRETQ. */
	__asm__ volatile("pushq %[cs]\n\t"
	                 "leaq 1f(%%rip), %%rax\n\t"
	                 "pushq %%rax\n\t"
	                 "lretq\n"
	                 "1:\n\t"
	                 "movl %[ds], %%eax\n\t"
	                 "movl %%eax, %%ds\n\t"
	                 "movl %%eax, %%es\n\t"
	                 "movl %%eax, %%ss\n\t"
	                 "movl %%eax, %%fs\n\t"
	                 "movl %%eax, %%gs\n\t"
	                 :
	                 : [cs] "i"(GDT_CODE_SELECTOR), [ds] "i"(GDT_DATA_SELECTOR)
	                 : "rax", "memory");

	/* LTR marks the descriptor busy; it is loaded once and never again. */
	asm_ltr(GDT_TSS_SELECTOR);
}

uint16_t gdt_code_selector(void)
{
	return GDT_CODE_SELECTOR;
}

uint16_t gdt_data_selector(void)
{
	return GDT_DATA_SELECTOR;
}

uint16_t gdt_tr_selector(void)
{
	return GDT_TSS_SELECTOR;
}

uint64_t gdt_tss_base(void)
{
	return (uint64_t)(uintptr_t)&tss;
}

uint64_t gdt_base(void)
{
	return (uint64_t)(uintptr_t)gdt;
}

uint16_t gdt_limit(void)
{
	return (uint16_t)(sizeof(gdt) - 1U);
}
