/* The real instructions behind core/cpu.h (freestanding build only; host tests link fakes). */
#include "libhv/core/cpu.h"

void asm_cpuid(uint32_t leaf, uint32_t subleaf, struct cpuid_regs *out)
{
	__asm__ volatile("cpuid"
	                 : "=a"(out->eax), "=b"(out->ebx), "=c"(out->ecx), "=d"(out->edx)
	                 : "a"(leaf), "c"(subleaf));
}

uint64_t asm_rdmsr(uint32_t msr)
{
	uint32_t lo, hi;

	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return ((uint64_t)hi << 32) | lo;
}

void asm_wrmsr(uint32_t msr, uint64_t value)
{
	__asm__ volatile("wrmsr" ::"c"(msr), "a"((uint32_t)value), "d"((uint32_t)(value >> 32))
	                 : "memory");
}

uint64_t asm_read_cr0(void)
{
	uint64_t v;

	__asm__ volatile("mov %%cr0, %0" : "=r"(v));
	return v;
}

uint64_t asm_read_cr3(void)
{
	uint64_t v;

	__asm__ volatile("mov %%cr3, %0" : "=r"(v));
	return v;
}

uint64_t asm_read_cr4(void)
{
	uint64_t v;

	__asm__ volatile("mov %%cr4, %0" : "=r"(v));
	return v;
}

void asm_fxsave(void *area)
{
	__asm__ volatile("fxsave64 (%0)" ::"r"(area) : "memory");
}

void asm_fxrstor(const void *area)
{
	__asm__ volatile("fxrstor64 (%0)" ::"r"(area) : "memory");
}
