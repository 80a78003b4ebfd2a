/* asm_<mnemonic> wrappers for the privileged and port-I/O instructions the monitor itself uses. */
#ifndef MONITOR_ARCH_CPU_H
#define MONITOR_ARCH_CPU_H

/*
 * Freestanding only: host tests never include this header, they link the fakes in test/fakes/
 * instead of the *_hw.c files built on it. libhv keeps its own per-vendor headers.
 */

#include <stdint.h>

/* Control register bits (Intel SDM "Control Registers"). */
#define CR0_PE         (1ULL << 0)
#define CR0_MP         (1ULL << 1)
#define CR0_EM         (1ULL << 2)
#define CR0_TS         (1ULL << 3)
#define CR0_ET         (1ULL << 4)
#define CR0_NE         (1ULL << 5)
#define CR0_WP         (1ULL << 16)
#define CR0_NW         (1ULL << 29)
#define CR0_CD         (1ULL << 30)
#define CR0_PG         (1ULL << 31)

#define CR4_PAE        (1ULL << 5)
#define CR4_PGE        (1ULL << 7)
#define CR4_OSFXSR     (1ULL << 9)
#define CR4_OSXMMEXCPT (1ULL << 10)
#define CR4_VMXE       (1ULL << 13)
#define CR4_OSXSAVE    (1ULL << 18)

#define MSR_EFER       0xC0000080U
#define EFER_SCE       (1ULL << 0)
#define EFER_LME       (1ULL << 8)
#define EFER_LMA       (1ULL << 10)
#define EFER_NXE       (1ULL << 11)
#define EFER_SVME      (1ULL << 12)
#define MSR_FS_BASE    0xC0000100U
#define MSR_GS_BASE    0xC0000101U
#define RFLAGS_IF      (1ULL << 9)
#define RFLAGS_ALWAYS  (1ULL << 1) /* reserved bit 1 reads as one */

/* GDTR/IDTR image as LGDT/SGDT and LIDT/SIDT read and write it. */
struct descriptor_table_register {
	uint16_t limit;
	uint64_t base;
} __attribute__((packed));

static inline uint8_t asm_inb(uint16_t port)
{
	uint8_t v;
	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline uint16_t asm_inw(uint16_t port)
{
	uint16_t v;
	__asm__ volatile("inw %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline uint32_t asm_inl(uint16_t port)
{
	uint32_t v;
	__asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline void asm_outb(uint16_t port, uint8_t v)
{
	__asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static inline void asm_outw(uint16_t port, uint16_t v)
{
	__asm__ volatile("outw %0, %1" : : "a"(v), "Nd"(port));
}

static inline void asm_outl(uint16_t port, uint32_t v)
{
	__asm__ volatile("outl %0, %1" : : "a"(v), "Nd"(port));
}

static inline void asm_cpuid(uint32_t leaf, uint32_t subleaf, uint32_t *eax, uint32_t *ebx,
                             uint32_t *ecx, uint32_t *edx)
{
	__asm__ volatile("cpuid"
	                 : "=a"(*eax), "=b"(*ebx), "=c"(*ecx), "=d"(*edx)
	                 : "a"(leaf), "c"(subleaf));
}

/* Raises #GP for an MSR the CPU does not have: use rdmsr_safe() (exceptions.h) when unsure. */
static inline uint64_t asm_rdmsr(uint32_t msr)
{
	uint32_t lo, hi;
	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return ((uint64_t)hi << 32) | lo;
}

static inline void asm_wrmsr(uint32_t msr, uint64_t v)
{
	__asm__ volatile("wrmsr"
	                 :
	                 : "c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32))
	                 : "memory");
}

/* The "memory" clobbers keep the compiler from moving memory accesses across mode changes. */
static inline uint64_t asm_read_cr0(void)
{
	uint64_t v;
	__asm__ volatile("mov %%cr0, %0" : "=r"(v));
	return v;
}

static inline void asm_write_cr0(uint64_t v)
{
	__asm__ volatile("mov %0, %%cr0" : : "r"(v) : "memory");
}

static inline uint64_t asm_read_cr2(void)
{
	uint64_t v;
	__asm__ volatile("mov %%cr2, %0" : "=r"(v));
	return v;
}

static inline uint64_t asm_read_cr3(void)
{
	uint64_t v;
	__asm__ volatile("mov %%cr3, %0" : "=r"(v));
	return v;
}

static inline void asm_write_cr3(uint64_t v)
{
	__asm__ volatile("mov %0, %%cr3" : : "r"(v) : "memory");
}

static inline uint64_t asm_read_cr4(void)
{
	uint64_t v;
	__asm__ volatile("mov %%cr4, %0" : "=r"(v));
	return v;
}

static inline void asm_write_cr4(uint64_t v)
{
	__asm__ volatile("mov %0, %%cr4" : : "r"(v) : "memory");
}

static inline uint64_t asm_read_rflags(void)
{
	uint64_t v;
	__asm__ volatile("pushfq; popq %0" : "=r"(v));
	return v;
}

static inline void asm_cli(void)
{
	__asm__ volatile("cli" : : : "memory");
}

static inline void asm_sti(void)
{
	__asm__ volatile("sti" : : : "memory");
}

static inline void asm_hlt(void)
{
	__asm__ volatile("hlt" : : : "memory");
}

static inline void asm_pause(void)
{
	__asm__ volatile("pause");
}

static inline uint64_t asm_rdtsc(void)
{
	uint32_t lo, hi;
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

static inline void asm_invlpg(const volatile void *va)
{
	__asm__ volatile("invlpg (%0)" : : "r"(va) : "memory");
}

static inline void asm_lgdt(const struct descriptor_table_register *dtr)
{
	__asm__ volatile("lgdt %0" : : "m"(*dtr) : "memory");
}

static inline void asm_sgdt(struct descriptor_table_register *dtr)
{
	__asm__ volatile("sgdt %0" : "=m"(*dtr));
}

static inline void asm_lidt(const struct descriptor_table_register *dtr)
{
	__asm__ volatile("lidt %0" : : "m"(*dtr) : "memory");
}

static inline void asm_sidt(struct descriptor_table_register *dtr)
{
	__asm__ volatile("sidt %0" : "=m"(*dtr));
}

static inline void asm_ltr(uint16_t selector)
{
	__asm__ volatile("ltr %0" : : "r"(selector) : "memory");
}

static inline uint16_t asm_str(void)
{
	uint16_t v;
	__asm__ volatile("str %0" : "=r"(v));
	return v;
}

/* Stop this CPU for good: with interrupts off only an NMI or SMI wakes it, and then it halts again. */
static inline _Noreturn void asm_halt_forever(void)
{
	for (;;) {
		asm_cli();
		asm_hlt();
	}
}

#endif
