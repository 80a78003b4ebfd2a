/* What the processor's VMX capability MSRs allow, and the controls libhv settles on from them. */
#ifndef HV_VMX_VMX_CAPS_H
#define HV_VMX_VMX_CAPS_H

#include <stdbool.h>
#include <stdint.h>

#define MSR_IA32_FEATURE_CONTROL        0x03aU
#define MSR_IA32_VMX_BASIC              0x480U
#define MSR_IA32_VMX_PINBASED           0x481U
#define MSR_IA32_VMX_PROCBASED          0x482U
#define MSR_IA32_VMX_EXIT               0x483U
#define MSR_IA32_VMX_ENTRY              0x484U
#define MSR_IA32_VMX_MISC               0x485U
#define MSR_IA32_VMX_CR0_FIXED0         0x486U
#define MSR_IA32_VMX_CR0_FIXED1         0x487U
#define MSR_IA32_VMX_CR4_FIXED0         0x488U
#define MSR_IA32_VMX_CR4_FIXED1         0x489U
#define MSR_IA32_VMX_PROCBASED2         0x48bU
#define MSR_IA32_VMX_EPT_VPID_CAP       0x48cU
#define MSR_IA32_VMX_TRUE_PINBASED      0x48dU
#define MSR_IA32_VMX_TRUE_PROCBASED     0x48eU
#define MSR_IA32_VMX_TRUE_EXIT          0x48fU
#define MSR_IA32_VMX_TRUE_ENTRY         0x490U

#define FEATURE_CONTROL_LOCKED          (1ULL << 0)
#define FEATURE_CONTROL_VMX_OUTSIDE_SMX (1ULL << 2)

#define VMX_BASIC_REVISION_MASK         0x7fffffffULL
#define VMX_BASIC_TRUE_CONTROLS         (1ULL << 55)

/* IA32_VMX_EPT_VPID_CAP */
#define VMX_EPT_CAP_EXECUTE_ONLY  (1ULL << 0)
#define VMX_EPT_CAP_WALK_4        (1ULL << 6)
#define VMX_EPT_CAP_WB            (1ULL << 14)
#define VMX_EPT_CAP_2M            (1ULL << 16)
#define VMX_EPT_CAP_1G            (1ULL << 17)
#define VMX_EPT_CAP_INVEPT        (1ULL << 20)
#define VMX_EPT_CAP_AD            (1ULL << 21)
#define VMX_EPT_CAP_INVEPT_SINGLE (1ULL << 25)
#define VMX_EPT_CAP_INVEPT_ALL    (1ULL << 26)
#define VMX_VPID_CAP_INVVPID      (1ULL << 32)
#define VMX_VPID_CAP_SINGLE       (1ULL << 41)
#define VMX_VPID_CAP_ALL          (1ULL << 42)

/* The raw capability MSRs (the TRUE ones where the processor has them). */
struct vmx_msrs {
	uint64_t basic;
	uint64_t pinbased, procbased, procbased2, exit, entry;
	uint64_t misc;
	uint64_t cr0_fixed0, cr0_fixed1, cr4_fixed0, cr4_fixed1;
	uint64_t ept_vpid;
};

/* The controls and features libhv will use. */
struct vmx_config {
	uint32_t revision;
	uint32_t pin, proc, proc2, exit, entry;
	bool ept, vpid, unrestricted, ept_ad, ept_1g, ept_execute_only, preemption_timer;
	bool invept_single, invvpid_single;
	bool interrupt_window; /* interrupt-window exiting */
	bool nmi_window;       /* virtual NMIs and NMI-window exiting */
	uint32_t exit_ack; /* exit controls with "acknowledge interrupt on exit" where allowed */
	uint8_t preemption_timer_shift; /* the timer counts TSC >> this */
	const char *refusal;            /* set when VMX cannot be used: why */
};

/*
 * A control value the processor accepts: every bit it requires set, every bit it forbids
 * clear. The low half of a capability MSR is allowed-0 (must be 1), the high half allowed-1.
 */
uint32_t vmx_adjust_controls(uint64_t capability, uint32_t wanted);

/* Settle on controls from the capability MSRs; config->refusal says why when it cannot. */
void vmx_configure(const struct vmx_msrs *msrs, struct vmx_config *config);

/* CR0/CR4 values the processor accepts in VMX operation: (value | fixed0) & fixed1. */
uint64_t vmx_fix_cr(uint64_t value, uint64_t fixed0, uint64_t fixed1);

#endif

/*
 * The VMX-preemption timer value that makes the guest exit at or after `deadline` when entered
 * at TSC `now`: the timer counts down by one each time TSC bit `shift` toggles, so the first
 * tick may come early; one tick more than the rounded-up difference keeps the exit from ever
 * coming before the deadline. Saturates at the 32-bit field's largest value; 0 when it passed.
 */
uint32_t vmx_preemption_timer_value(uint64_t deadline, uint64_t now, uint8_t shift);
