/* The platform's MSRs: APIC base and the local APIC's MSRs (routed to devices/lapic.c), MTRRs, TSC, identification. */
#include <stdbool.h>

#include "devices/platform.h"
#include "monitor/lib/errno.h"
#include "monitor/platform_msr.h"
#include "monitor/timing.h"

/* MTRRcap: 8 variable ranges, fixed ranges, write-combining; no SMRR. */
#define MTRRCAP_VALUE ((uint64_t)MTRR_VARIABLE_COUNT | (1ULL << 8) | (1ULL << 10))
/* MTRRdefType: type in 7:0 (UC 0, WC 1, WT 4, WP 5, WB 6), FE bit 10, E bit 11. */
#define MTRR_DEF_TYPE_WRITABLE 0xcffULL
/* APIC base: the BSP flag is read-only, EN and the base (bits 35:12) are writable. */
#define APIC_BASE_WRITABLE (APIC_BASE_ENABLE | 0xffffff000ULL)

void platform_msrs_init(struct platform_msrs *m)
{
	*m = (struct platform_msrs){.apic_base =
	                                APIC_BASE_DEFAULT | APIC_BASE_ENABLE | APIC_BASE_BSP};
}

void platform_msrs_attach(struct platform_msrs *m, struct platform *p)
{
	m->platform = p;
}

/* The local APIC of the VP now running, or NULL when no platform is attached. */
static struct lapic *current_lapic(const struct platform_msrs *m)
{
	return m->platform ? &m->platform->lapic[m->platform->current_cpu] : NULL;
}

static bool is_lapic_msr(uint32_t index)
{
	return index == MSR_IA32_TSC_DEADLINE ||
	       (index >= MSR_X2APIC_FIRST && index <= MSR_X2APIC_LAST);
}

static bool is_memory_type(uint8_t t)
{
	return t == 0 || t == 1 || t == 4 || t == 5 || t == 6;
}

static int fixed_index(uint32_t index)
{
	if (index == MSR_IA32_MTRR_FIX64K)
		return 0;
	if (index == MSR_IA32_MTRR_FIX16K_80 || index == MSR_IA32_MTRR_FIX16K_A0)
		return 1 + (int)(index - MSR_IA32_MTRR_FIX16K_80);
	if (index >= MSR_IA32_MTRR_FIX4K_FIRST && index <= MSR_IA32_MTRR_FIX4K_LAST)
		return 3 + (int)(index - MSR_IA32_MTRR_FIX4K_FIRST);
	return -1;
}

int platform_msr_read(struct platform_msrs *m, uint32_t index, uint64_t *value)
{
	int f = fixed_index(index);
	struct lapic *apic = current_lapic(m);

	if (apic && is_lapic_msr(index))
		return lapic_msr_read(apic, index, value);
	if (apic && index == MSR_IA32_APIC_BASE) {
		*value = lapic_base_msr(apic);
		return 0;
	}

	if (f >= 0) {
		*value = m->mtrr_fixed[f];
		return 0;
	}
	if (index >= MSR_IA32_MTRR_PHYS_FIRST && index <= MSR_IA32_MTRR_PHYS_LAST) {
		*value = m->mtrr_variable[index - MSR_IA32_MTRR_PHYS_FIRST];
		return 0;
	}
	switch (index) {
	case MSR_IA32_TSC: *value = timing_cycles(); return 0; /* RDTSC is not intercepted either */
	case MSR_IA32_PLATFORM_ID: *value = 0; return 0;
	case MSR_IA32_BIOS_SIGN_ID: *value = 0; return 0; /* no microcode update loaded */
	case MSR_IA32_APIC_BASE: *value = m->apic_base; return 0;
	/* Locked, with VMX off: the child sees no VMX in CPUID either. */
	case MSR_IA32_FEATURE_CONTROL: *value = 1; return 0;
	case MSR_IA32_MTRRCAP: *value = MTRRCAP_VALUE; return 0;
	case MSR_IA32_MISC_ENABLE: *value = 1; return 0; /* fast strings */
	case MSR_IA32_MTRR_DEF_TYPE: *value = m->mtrr_def_type; return 0;
	default: return -ENOENT;
	}
}

int platform_msr_write(struct platform_msrs *m, uint32_t index, uint64_t value)
{
	int f = fixed_index(index);
	struct lapic *apic = current_lapic(m);

	if (apic && is_lapic_msr(index))
		return lapic_msr_write(apic, index, value);
	if (apic && index == MSR_IA32_APIC_BASE)
		return lapic_set_base_msr(apic, value);

	if (f >= 0) {
		for (unsigned i = 0; i < 8; i++)
			if (!is_memory_type((uint8_t)(value >> (8 * i))))
				return -EINVAL;
		m->mtrr_fixed[f] = value;
		return 0;
	}
	if (index >= MSR_IA32_MTRR_PHYS_FIRST && index <= MSR_IA32_MTRR_PHYS_LAST) {
		/* Bases carry a memory type in 7:0; masks have only bit 11 (valid) below bit 12. */
		bool is_base = ((index - MSR_IA32_MTRR_PHYS_FIRST) & 1) == 0;

		if (is_base ? !is_memory_type((uint8_t)value) || (value & 0xf00) : (value & 0x7ff))
			return -EINVAL;
		m->mtrr_variable[index - MSR_IA32_MTRR_PHYS_FIRST] = value;
		return 0;
	}
	switch (index) {
	case MSR_IA32_APIC_BASE:
		/* The LAPIC model stays at 0xFEE00000: moving it is refused rather than half done. */
		if ((value & ~(APIC_BASE_WRITABLE | APIC_BASE_BSP)) ||
		    (value & 0xffffff000ULL) != APIC_BASE_DEFAULT)
			return -EINVAL;
		m->apic_base = (value & APIC_BASE_ENABLE) | APIC_BASE_DEFAULT | APIC_BASE_BSP;
		return 0;
	case MSR_IA32_MTRR_DEF_TYPE:
		if ((value & ~MTRR_DEF_TYPE_WRITABLE) || !is_memory_type((uint8_t)value))
			return -EINVAL;
		m->mtrr_def_type = value;
		return 0;
	case MSR_IA32_TSC:
		/* A TSC offset per partition is a later step: the write is counted, not obeyed. */
		m->tsc_writes_ignored++;
		return 0;
	case MSR_IA32_MISC_ENABLE:
	case MSR_IA32_BIOS_SIGN_ID:
		return 0; /* accepted and ignored, as kernels write them on every CPU */
	default: return -ENOENT;
	}
}
