/* Vendor-neutral processor access libhv needs (CPUID, MSRs, control registers, FPU state). */
#ifndef HV_CORE_CPU_H
#define HV_CORE_CPU_H

/*
 * Implemented with real instructions in cpu_hw.c (freestanding build only) and by fakes in
 * test/fakes/ for the host tests: the variant is chosen at link time.
 */

#include <hv/types.h>

struct cpuid_regs {
	uint32_t eax, ebx, ecx, edx;
};

void asm_cpuid(uint32_t leaf, uint32_t subleaf, struct cpuid_regs *out);
uint64_t asm_rdmsr(uint32_t msr);
void asm_wrmsr(uint32_t msr, uint64_t value);
uint64_t asm_read_cr0(void);
uint64_t asm_read_cr3(void);
uint64_t asm_read_cr4(void);
/* FXSAVE/FXRSTOR of the 512-byte, 16-byte aligned legacy area: guests own the vector state. */
void asm_fxsave(void *area);
void asm_fxrstor(const void *area);

#define MSR_EFER           0xC0000080U
#define MSR_PAT            0x00000277U
#define MSR_STAR           0xC0000081U
#define MSR_LSTAR          0xC0000082U
#define MSR_CSTAR          0xC0000083U
#define MSR_SFMASK         0xC0000084U
#define MSR_FS_BASE        0xC0000100U
#define MSR_GS_BASE        0xC0000101U
#define MSR_KERNEL_GS_BASE 0xC0000102U
#define MSR_SYSENTER_CS    0x00000174U
#define MSR_SYSENTER_ESP   0x00000175U
#define MSR_SYSENTER_EIP   0x00000176U
#define MSR_VM_CR          0xC0010114U
#define MSR_VM_HSAVE_PA    0xC0010117U

#define EFER_SCE           (1ULL << 0)
#define EFER_LME           (1ULL << 8)
#define EFER_LMA           (1ULL << 10)
#define EFER_NXE           (1ULL << 11)
#define EFER_SVME          (1ULL << 12)
#define EFER_LMSLE         (1ULL << 13)
#define EFER_FFXSR         (1ULL << 14)
#define EFER_TCE           (1ULL << 15)

#define CR0_PE             (1ULL << 0)
#define CR0_MP             (1ULL << 1)
#define CR0_EM             (1ULL << 2)
#define CR0_TS             (1ULL << 3)
#define CR0_ET             (1ULL << 4)
#define CR0_NE             (1ULL << 5)
#define CR0_WP             (1ULL << 16)
#define CR0_AM             (1ULL << 18)
#define CR0_NW             (1ULL << 29)
#define CR0_CD             (1ULL << 30)
#define CR0_PG             (1ULL << 31)

#define CR4_PAE            (1ULL << 5)
#define CR4_OSFXSR         (1ULL << 9)
#define CR4_OSXMMEXCPT     (1ULL << 10)

#define RFLAGS_FIXED       (1ULL << 1)
#define RFLAGS_TF          (1ULL << 8)
#define RFLAGS_IF          (1ULL << 9)

/* A 48-bit canonical address: bits 63:47 all equal. */
static inline bool x86_is_canonical(uint64_t a)
{
	return (uint64_t)((int64_t)(a << 16) >> 16) == a;
}

/* Each byte of IA32_PAT names a memory type: UC, WC, WT, WP, WB or UC- (0, 1, 4, 5, 6, 7). */
static inline bool x86_is_valid_pat(uint64_t pat)
{
	for (unsigned i = 0; i < 8; i++) {
		uint8_t t = (uint8_t)(pat >> (8 * i));

		if (t == 2 || t == 3 || t > 7)
			return false;
	}
	return true;
}

#define X86_VECTOR_DE 0U
#define X86_VECTOR_UD 6U
#define X86_VECTOR_DF 8U
#define X86_VECTOR_GP 13U
#define X86_VECTOR_PF 14U

#endif
