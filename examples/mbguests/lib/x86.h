/* Processor instructions the interrupt and timer guests use: CPUID, TSC, MSRs, IF, HLT, 64/32 division. */
#ifndef MBGUEST_X86_H
#define MBGUEST_X86_H

#include <stdbool.h>
#include <stdint.h>

struct cpuid_regs {
	uint32_t eax, ebx, ecx, edx;
};

static inline struct cpuid_regs cpuid(uint32_t leaf, uint32_t subleaf)
{
	struct cpuid_regs r;

	__asm__ volatile("cpuid"
	                 : "=a"(r.eax), "=b"(r.ebx), "=c"(r.ecx), "=d"(r.edx)
	                 : "a"(leaf), "c"(subleaf));
	return r;
}

#define CPUID1_ECX_X2APIC       (1U << 21)
#define CPUID1_ECX_TSC_DEADLINE (1U << 24)
#define CPUID1_EDX_TSC          (1U << 4)
#define CPUID1_EDX_MSR          (1U << 5)
#define CPUID1_EDX_APIC         (1U << 9)

/* RDTSC is not ordered with the loads around it; LFENCE in front keeps a sample after them. */
static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;

	__asm__ volatile("lfence; rdtsc" : "=a"(lo), "=d"(hi) : : "memory");
	return ((uint64_t)hi << 32) | lo;
}

static inline uint64_t rdmsr(uint32_t msr)
{
	uint32_t lo, hi;

	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return ((uint64_t)hi << 32) | lo;
}

static inline void wrmsr(uint32_t msr, uint64_t v)
{
	__asm__ volatile("wrmsr"
	                 :
	                 : "c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32))
	                 : "memory");
}

/* WRMSR that reports a #GP instead of taking it (idt.c skips the instruction): false if it faulted. */
bool wrmsr_safe(uint32_t msr, uint64_t v);

static inline void irq_enable(void)
{
	__asm__ volatile("sti" : : : "memory");
}

static inline void irq_disable(void)
{
	__asm__ volatile("cli" : : : "memory");
}

static inline bool irq_enabled(void)
{
	uint32_t flags;

	__asm__ volatile("pushfl; popl %0" : "=r"(flags));
	return flags & (1U << 9);
}

/*
 * STI; HLT: the STI shadow holds interrupts off until HLT has begun, so an interrupt that
 * arrives after the caller's last check (made with IF clear) still wakes the HLT. Returns with
 * interrupts enabled.
 */
static inline void sti_hlt(void)
{
	__asm__ volatile("sti; hlt" : : : "memory");
}

static inline void cpu_relax(void)
{
	__asm__ volatile("pause" : : : "memory");
}

static inline uint32_t mmio_read32(uint32_t pa)
{
	return *(volatile uint32_t *)pa;
}

static inline void mmio_write32(uint32_t pa, uint32_t v)
{
	*(volatile uint32_t *)pa = v;
}

/* n / d for a 64-bit n without libgcc's __udivdi3: two DIVs, high half first. */
static inline uint64_t udiv64(uint64_t n, uint32_t d)
{
	uint32_t hi = (uint32_t)(n >> 32), lo = (uint32_t)n, qhi, qlo, r;

	qhi = hi / d;
	r = hi % d;
	__asm__("divl %4" : "=a"(qlo), "=d"(r) : "0"(lo), "1"(r), "rm"(d));
	return ((uint64_t)qhi << 32) | qlo;
}

#endif
