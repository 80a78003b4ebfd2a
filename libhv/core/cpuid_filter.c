/* CPUID as a child partition sees it: the host's answers, filtered to what libhv virtualizes. */
#include "libhv/core/cpu.h"
#include "libhv/core/hv_internal.h"

/* CPUID.1 */
#define CPUID1_ECX_MONITOR    (1U << 3)
#define CPUID1_ECX_VMX        (1U << 5)
#define CPUID1_ECX_SMX        (1U << 6)
#define CPUID1_ECX_EST        (1U << 7)
#define CPUID1_ECX_TM2        (1U << 8)
#define CPUID1_ECX_FMA        (1U << 12)
#define CPUID1_ECX_PDCM       (1U << 15)
#define CPUID1_ECX_X2APIC     (1U << 21)
#define CPUID1_ECX_TSC_DL     (1U << 24)
#define CPUID1_ECX_XSAVE      (1U << 26)
#define CPUID1_ECX_OSXSAVE    (1U << 27)
#define CPUID1_ECX_AVX        (1U << 28)
#define CPUID1_ECX_F16C       (1U << 29)
#define CPUID1_ECX_HYPERVISOR (1U << 31)
#define CPUID1_EDX_APIC       (1U << 9)
#define CPUID1_EDX_ACPI       (1U << 22)
#define CPUID1_EDX_TM         (1U << 29)

/*
 * Leaf 7.0 EBX bits a guest may use without anything from libhv: FSGSBASE, BMI1, SMEP, BMI2,
 * ERMS, RDSEED, ADX, SMAP, CLFLUSHOPT, CLWB, SHA. Everything VEX/EVEX-encoded needs XSAVE
 * state management that libhv does not do yet, so AVX and later are hidden.
 */
#define CPUID7_EBX_ALLOWED                                                                     \
	((1U << 0) | (1U << 3) | (1U << 7) | (1U << 8) | (1U << 9) | (1U << 18) | (1U << 19) | \
	 (1U << 20) | (1U << 23) | (1U << 24) | (1U << 29))

/* 0x80000001 ECX: LAHF/SAHF, LZCNT, SSE4A, PREFETCHW. SVM is never shown (no nesting). */
#define CPUID81_ECX_ALLOWED ((1U << 0) | (1U << 5) | (1U << 6) | (1U << 8))

/* 0x80000007 EDX: invariant TSC only. */
#define CPUID87_EDX_INVARIANT_TSC (1U << 8)

void hv_cpuid_default(const struct hv_vp *vp, uint32_t leaf, uint32_t subleaf, uint32_t out[4])
{
	struct cpuid_regs r = {0, 0, 0, 0};
	struct cpuid_regs max;

	if (leaf >= 0x40000000U && leaf <= 0x4fffffffU) {
		/* The hypervisor's own range: the TLFS enlightenment leaves (core/cpuid_hv.c). */
		hv_cpuid_hv_leaf(vp, leaf, out);
		return;
	}
	asm_cpuid(leaf & 0x80000000U, 0, &max);
	if (leaf > max.eax) {
		out[0] = out[1] = out[2] = out[3] = 0;
		return;
	}
	asm_cpuid(leaf, subleaf, &r);

	switch (leaf) {
	case 0x1:
		r.ecx &= ~(CPUID1_ECX_MONITOR | CPUID1_ECX_VMX | CPUID1_ECX_SMX | CPUID1_ECX_EST |
		           CPUID1_ECX_TM2 | CPUID1_ECX_FMA | CPUID1_ECX_PDCM | CPUID1_ECX_X2APIC |
		           CPUID1_ECX_TSC_DL | CPUID1_ECX_XSAVE | CPUID1_ECX_OSXSAVE |
		           CPUID1_ECX_AVX | CPUID1_ECX_F16C);
		r.ecx |= CPUID1_ECX_HYPERVISOR;
		/* No local APIC model yet: a guest must not believe it has one. */
		r.edx &= ~(CPUID1_EDX_APIC | CPUID1_EDX_ACPI | CPUID1_EDX_TM);
		/* One logical processor; the initial APIC ID is the VP index. */
		r.ebx = (r.ebx & 0xffffU) | (1U << 16) | (vp->index << 24);
		break;
	case 0x4:
		/* Cache parameters stay; the core and thread counts describe this partition. */
		r.eax &= 0x3fffU;
		break;
	case 0x5: /* MONITOR/MWAIT: refused */
	case 0x6: /* thermal and power management */
	case 0xa: /* performance monitoring */
	case 0xb: /* topology */
	case 0xd: /* XSAVE: hidden */
	case 0x1f: r.eax = r.ebx = r.ecx = r.edx = 0; break;
	case 0x7:
		if (subleaf == 0) {
			r.eax = 0;
			r.ebx &= CPUID7_EBX_ALLOWED;
		} else {
			r.eax = r.ebx = 0;
		}
		r.ecx = r.edx = 0;
		break;
	case 0x80000001U: r.ecx &= CPUID81_ECX_ALLOWED; break;
	case 0x80000007U:
		r.eax = r.ebx = r.ecx = 0;
		r.edx &= CPUID87_EDX_INVARIANT_TSC;
		break;
	case 0x80000008U:
		r.ecx = 0; /* one core */
		break;
	case 0x8000000aU: /* SVM features: no nested virtualization */
		r.eax = r.ebx = r.ecx = r.edx = 0;
		break;
	default: break;
	}
	out[0] = r.eax;
	out[1] = r.ebx;
	out[2] = r.ecx;
	out[3] = r.edx;
}
