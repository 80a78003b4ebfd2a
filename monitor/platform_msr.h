/* The model-specific registers of the child platform that libhv leaves to the monitor. */
#ifndef MONITOR_PLATFORM_MSR_H
#define MONITOR_PLATFORM_MSR_H

#include <stdint.h>

#define MSR_IA32_TSC              0x010U
#define MSR_IA32_PLATFORM_ID      0x017U
#define MSR_IA32_APIC_BASE        0x01bU
#define MSR_IA32_FEATURE_CONTROL  0x03aU
#define MSR_IA32_BIOS_SIGN_ID     0x08bU
#define MSR_IA32_MTRRCAP          0x0feU
#define MSR_IA32_MISC_ENABLE      0x1a0U
#define MSR_IA32_MTRR_PHYS_FIRST  0x200U /* base/mask pairs up to 0x20f */
#define MSR_IA32_MTRR_PHYS_LAST   0x20fU
#define MSR_IA32_MTRR_FIX64K      0x250U
#define MSR_IA32_MTRR_FIX16K_80   0x258U
#define MSR_IA32_MTRR_FIX16K_A0   0x259U
#define MSR_IA32_MTRR_FIX4K_FIRST 0x268U
#define MSR_IA32_MTRR_FIX4K_LAST  0x26fU
#define MSR_IA32_MTRR_DEF_TYPE    0x2ffU
#define MSR_IA32_TSC_DEADLINE     0x6e0U
#define MSR_X2APIC_FIRST          0x800U /* x2APIC registers up to 0x8ff (devices/lapic.h) */
#define MSR_X2APIC_LAST           0x8ffU

#define APIC_BASE_BSP             (1ULL << 8)
#define APIC_BASE_X2APIC          (1ULL << 10)
#define APIC_BASE_ENABLE          (1ULL << 11)
#define APIC_BASE_DEFAULT         0xfee00000ULL
#define MTRR_VARIABLE_COUNT       8U

struct platform;

/* Per partition (one VP for now). */
struct platform_msrs {
	struct platform *platform; /* whose local APICs the APIC MSRs reach; NULL: none */
	uint64_t apic_base;        /* IA32_APIC_BASE while no platform is attached */
	uint64_t mtrr_def_type;
	uint64_t mtrr_variable[2 * MTRR_VARIABLE_COUNT];
	uint64_t mtrr_fixed[11];
	uint64_t tsc_writes_ignored;
};

/* The state after reset: the LAPIC enabled at its default base, MTRRs off, no platform. */
void platform_msrs_init(struct platform_msrs *m);

/*
 * Route the local APIC's MSRs to `p`'s APIC of the current VP (platform_set_current_cpu):
 * IA32_APIC_BASE with its xAPIC/x2APIC transitions, the x2APIC registers 0x800-0x8FF and
 * IA32_TSC_DEADLINE. Without it, IA32_APIC_BASE is a plain register here (EN only) and the
 * others do not exist.
 */
void platform_msrs_attach(struct platform_msrs *m, struct platform *p);

/*
 * RDMSR/WRMSR of `index`. 0 on success; -ENOENT for an MSR the platform does not have and
 * -EINVAL for a value the register refuses: both mean #GP(0) for the guest, as on hardware.
 */
int platform_msr_read(struct platform_msrs *m, uint32_t index, uint64_t *value);
int platform_msr_write(struct platform_msrs *m, uint32_t index, uint64_t value);

#endif
