/* A fake processor for host tests: table-driven CPUID, an MSR store, no-op FPU state switches. */
#include <string.h>

#include "fake_hv.h"
#include "fake_vmx.h"
#include "libhv/vmx/vmx_caps.h"

#define MAX_LEAVES 64
#define MAX_MSRS   64

struct leaf {
	uint32_t leaf, subleaf;
	bool exact;
	struct cpuid_regs r;
};

static struct leaf leaves[MAX_LEAVES];
static unsigned nleaves;
static struct {
	uint32_t msr;
	uint64_t value;
} msrs[MAX_MSRS];
static unsigned nmsrs;
static unsigned fxrstors;

void fake_cpuid_set(uint32_t leaf, uint32_t subleaf, bool exact, struct cpuid_regs r)
{
	for (unsigned i = 0; i < nleaves; i++)
		if (leaves[i].leaf == leaf && leaves[i].subleaf == subleaf) {
			leaves[i].r = r;
			return;
		}
	leaves[nleaves++] = (struct leaf){leaf, subleaf, exact, r};
}

void fake_cpuid_clear_bits(uint32_t leaf, unsigned reg, uint32_t bits)
{
	for (unsigned i = 0; i < nleaves; i++)
		if (leaves[i].leaf == leaf) {
			uint32_t *r = reg == 0   ? &leaves[i].r.eax
			              : reg == 1 ? &leaves[i].r.ebx
			              : reg == 2 ? &leaves[i].r.ecx
			                         : &leaves[i].r.edx;
			*r &= ~bits;
		}
}

static uint32_t str4(const char *s)
{
	uint32_t v;

	memcpy(&v, s, 4);
	return v;
}

void fake_cpu_reset_amd(void)
{
	nleaves = 0;
	nmsrs = 0;
	fxrstors = 0;
	fake_cpuid_set(0, 0, false,
	               (struct cpuid_regs){0xd, str4("Auth"), str4("cAMD"), str4("enti")});
	/* Family 0x17; SSE3, VMX-bit (to prove it is hidden), XSAVE, OSXSAVE, AVX; APIC, SSE2. */
	fake_cpuid_set(
	    1, 0, false,
	    (struct cpuid_regs){0x00800f12, 0x00020800, 0x1e000021 | (1U << 5), 0x178bfbff});
	fake_cpuid_set(7, 0, true, (struct cpuid_regs){0, 0xffffffff, 0xffffffff, 0xffffffff});
	fake_cpuid_set(0xd, 0, false, (struct cpuid_regs){7, 0x340, 0x340, 0});
	fake_cpuid_set(0x80000000U, 0, false, (struct cpuid_regs){0x8000001f, 0, 0, 0});
	/* SVM (ECX[2]), LAHF; NX (EDX[20]), 1 GiB pages (EDX[26]), long mode. */
	fake_cpuid_set(0x80000001U, 0, false,
	               (struct cpuid_regs){0, 0, (1U << 2) | 1U | (1U << 5),
	                                   (1U << 20) | (1U << 26) | (1U << 29)});
	fake_cpuid_set(0x80000008U, 0, false, (struct cpuid_regs){0x3030, 0, 7, 0});
	/* SVM revision 1, 16 ASIDs, NP | NRIPS | flush by ASID. */
	fake_cpuid_set(0x8000000aU, 0, false,
	               (struct cpuid_regs){1, 16, 0, (1U << 0) | (1U << 3) | (1U << 6)});
}

void asm_cpuid(uint32_t leaf, uint32_t subleaf, struct cpuid_regs *out)
{
	for (unsigned i = 0; i < nleaves; i++)
		if (leaves[i].leaf == leaf && (!leaves[i].exact || leaves[i].subleaf == subleaf)) {
			*out = leaves[i].r;
			return;
		}
	*out = (struct cpuid_regs){0, 0, 0, 0};
}

uint64_t fake_msr_value(uint32_t msr)
{
	for (unsigned i = 0; i < nmsrs; i++)
		if (msrs[i].msr == msr)
			return msrs[i].value;
	return 0;
}

uint64_t asm_rdmsr(uint32_t msr)
{
	return fake_msr_value(msr);
}

void asm_wrmsr(uint32_t msr, uint64_t value)
{
	for (unsigned i = 0; i < nmsrs; i++)
		if (msrs[i].msr == msr) {
			msrs[i].value = value;
			return;
		}
	if (nmsrs < MAX_MSRS)
		msrs[nmsrs++] = (__typeof__(msrs[0])){msr, value};
}

uint64_t asm_read_cr0(void)
{
	return CR0_PE | CR0_PG | CR0_ET | CR0_NE;
}

uint64_t asm_read_cr3(void)
{
	return 0x1000;
}

uint64_t asm_read_cr4(void)
{
	return CR4_PAE | CR4_OSFXSR;
}

void asm_fxsave(void *area)
{
	(void)area;
}

void asm_fxrstor(const void *area)
{
	(void)area;
	fxrstors++;
}

unsigned fake_fxrstor_count(void)
{
	return fxrstors;
}

void fake_msr_set(uint32_t msr, uint64_t value)
{
	asm_wrmsr(msr, value);
}

/* An Intel processor like Bochs's corei7_skylake_x: VMX with EPT (A/D, 1 GiB), VPID, UG. */
void fake_cpu_reset_intel(void)
{
	nleaves = 0;
	nmsrs = 0;
	fxrstors = 0;
	fake_cpuid_set(0, 0, false,
	               (struct cpuid_regs){0x16, str4("Genu"), str4("ntel"), str4("ineI")});
	/* Family 6; VMX (ECX[5]) and XSAVE/AVX to prove they are hidden; APIC, SSE2. */
	fake_cpuid_set(
	    1, 0, false,
	    (struct cpuid_regs){0x00050654, 0x00100800, 0x1e000021 | (1U << 5), 0x178bfbff});
	fake_cpuid_set(0x80000000U, 0, false, (struct cpuid_regs){0x80000008, 0, 0, 0});
	fake_cpuid_set(0x80000001U, 0, false,
	               (struct cpuid_regs){0, 0, 1U, (1U << 20) | (1U << 26) | (1U << 29)});
	fake_cpuid_set(0x80000008U, 0, false, (struct cpuid_regs){0x3027, 0, 0, 0});
	fake_msr_set(MSR_IA32_FEATURE_CONTROL, 0x5);
	fake_msr_set(MSR_IA32_VMX_BASIC, 0x00d810000000002bULL);
	fake_msr_set(MSR_IA32_VMX_TRUE_PINBASED, 0x0000007f00000016ULL);
	fake_msr_set(MSR_IA32_VMX_PINBASED, 0x0000007f00000016ULL);
	fake_msr_set(MSR_IA32_VMX_TRUE_PROCBASED, 0xfff9fffe04006172ULL);
	fake_msr_set(MSR_IA32_VMX_PROCBASED, 0xfff9fffe0401e172ULL);
	fake_msr_set(MSR_IA32_VMX_PROCBASED2, 0x000010ae00000000ULL);
	fake_msr_set(MSR_IA32_VMX_TRUE_EXIT, 0x003fffff00036dfbULL);
	fake_msr_set(MSR_IA32_VMX_EXIT, 0x003fffff00036dffULL);
	fake_msr_set(MSR_IA32_VMX_TRUE_ENTRY, 0x0000ffff000011fbULL);
	fake_msr_set(MSR_IA32_VMX_ENTRY, 0x0000ffff000011ffULL);
	fake_msr_set(MSR_IA32_VMX_MISC, 0x25);
	fake_msr_set(MSR_IA32_VMX_CR0_FIXED0, 0x80000021ULL);
	fake_msr_set(MSR_IA32_VMX_CR0_FIXED1, 0xffffffffULL);
	fake_msr_set(MSR_IA32_VMX_CR4_FIXED0, 0x2000ULL);
	fake_msr_set(MSR_IA32_VMX_CR4_FIXED1, 0x003767ffULL);
	fake_msr_set(MSR_IA32_VMX_EPT_VPID_CAP,
	             VMX_EPT_CAP_EXECUTE_ONLY | VMX_EPT_CAP_WALK_4 | VMX_EPT_CAP_WB |
	                 VMX_EPT_CAP_2M | VMX_EPT_CAP_1G | VMX_EPT_CAP_INVEPT | VMX_EPT_CAP_AD |
	                 VMX_EPT_CAP_INVEPT_SINGLE | VMX_EPT_CAP_INVEPT_ALL | VMX_VPID_CAP_INVVPID |
	                 VMX_VPID_CAP_SINGLE | VMX_VPID_CAP_ALL);
	fake_msr_set(MSR_PAT, 0x0007040600070406ULL);
	fake_msr_set(MSR_EFER, 0xd00);
}
