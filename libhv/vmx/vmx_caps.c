/* Computing VMX controls from the capability MSRs (SDM appendix "VMX Capability Reporting Facility"). */
#include "libhv/vmx/vmcs.h"
#include "libhv/vmx/vmx_caps.h"

uint32_t vmx_adjust_controls(uint64_t capability, uint32_t wanted)
{
	uint32_t must_be_one = (uint32_t)capability;
	uint32_t may_be_one = (uint32_t)(capability >> 32);

	return (wanted | must_be_one) & may_be_one;
}

uint64_t vmx_fix_cr(uint64_t value, uint64_t fixed0, uint64_t fixed1)
{
	return (value | fixed0) & fixed1;
}

/* Set `bits` in *control when the processor allows them; true when all of them could be set. */
static bool try_controls(uint64_t capability, uint32_t *control, uint32_t bits)
{
	uint32_t with = vmx_adjust_controls(capability, *control | bits);

	if ((with & bits) != bits)
		return false;
	*control = with;
	return true;
}

void vmx_configure(const struct vmx_msrs *m, struct vmx_config *c)
{
	const uint32_t pin = VMX_PIN_EXTERNAL_INTERRUPT | VMX_PIN_NMI_EXITING;
	const uint32_t proc = VMX_PROC_HLT_EXITING | VMX_PROC_MWAIT_EXITING |
	                      VMX_PROC_USE_IO_BITMAPS | VMX_PROC_USE_MSR_BITMAPS |
	                      VMX_PROC_MONITOR_EXITING | VMX_PROC_SECONDARY;
	/*
	 * No "acknowledge interrupt on exit": a host interrupt that stops the guest stays pending
	 * in the host's local APIC, and the monitor's own handler takes it (host take_interrupts).
	 * A monitor without take_interrupts gets exit_ack instead (vmx.c): the interrupt is then
	 * consumed at the exit, or it would exit again at every entry.
	 */
	const uint32_t exit = VMX_EXIT_HOST_64BIT | VMX_EXIT_SAVE_EFER | VMX_EXIT_LOAD_EFER |
	                      VMX_EXIT_SAVE_PAT | VMX_EXIT_LOAD_PAT;
	const uint32_t entry = VMX_ENTRY_LOAD_EFER | VMX_ENTRY_LOAD_PAT;

	c->refusal = NULL;
	c->revision = (uint32_t)(m->basic & VMX_BASIC_REVISION_MASK);
	c->pin = c->proc = c->proc2 = c->exit = c->entry = 0;
	if (!try_controls(m->pinbased, &c->pin, pin)) {
		c->refusal = "VMX without external-interrupt and NMI exiting";
		return;
	}
	if (!try_controls(m->procbased, &c->proc, proc)) {
		c->refusal = "VMX without HLT exiting, I/O and MSR bitmaps or secondary controls";
		return;
	}
	c->ept = try_controls(m->procbased2, &c->proc2, VMX_PROC2_ENABLE_EPT) &&
	         (m->ept_vpid & VMX_EPT_CAP_WALK_4) && (m->ept_vpid & VMX_EPT_CAP_WB) &&
	         (m->ept_vpid & VMX_EPT_CAP_INVEPT) &&
	         (m->ept_vpid & (VMX_EPT_CAP_INVEPT_SINGLE | VMX_EPT_CAP_INVEPT_ALL));
	if (!c->ept) {
		c->refusal = "no EPT with 4-level write-back tables and INVEPT";
		return;
	}
	if (!try_controls(m->exit, &c->exit, exit) || !try_controls(m->entry, &c->entry, entry)) {
		c->refusal = "VMX cannot switch EFER and PAT at entry and exit";
		return;
	}
	c->vpid = (m->ept_vpid & VMX_VPID_CAP_INVVPID) &&
	          (m->ept_vpid & (VMX_VPID_CAP_SINGLE | VMX_VPID_CAP_ALL)) &&
	          try_controls(m->procbased2, &c->proc2, VMX_PROC2_ENABLE_VPID);
	c->unrestricted = try_controls(m->procbased2, &c->proc2, VMX_PROC2_UNRESTRICTED);
	/* Without these two, RDTSCP and INVPCID would raise #UD in the guest even where CPUID shows them. */
	try_controls(m->procbased2, &c->proc2, VMX_PROC2_ENABLE_RDTSCP);
	try_controls(m->procbased2, &c->proc2, VMX_PROC2_ENABLE_INVPCID);
	c->ept_ad = (m->ept_vpid & VMX_EPT_CAP_AD) != 0;
	c->ept_1g = (m->ept_vpid & VMX_EPT_CAP_1G) != 0;
	c->ept_execute_only = (m->ept_vpid & VMX_EPT_CAP_EXECUTE_ONLY) != 0;
	c->invept_single = (m->ept_vpid & VMX_EPT_CAP_INVEPT_SINGLE) != 0;
	c->invvpid_single = (m->ept_vpid & VMX_VPID_CAP_SINGLE) != 0;
	c->exit_ack = c->exit;
	try_controls(m->exit, &c->exit_ack, VMX_EXIT_ACK_INTERRUPT);
	/* Guest MOV to/from CR8 must not reach the host's TPR: the VP's CR8 lives in libhv. */
	try_controls(m->procbased, &c->proc,
	             VMX_PROC_CR8_LOAD_EXITING | VMX_PROC_CR8_STORE_EXITING);
	/* Window exits are switched on per entry (vmx.c): only whether they exist is noted here. */
	c->interrupt_window = (m->procbased >> 32) & VMX_PROC_INTERRUPT_WINDOW;
	c->nmi_window = try_controls(m->pinbased, &c->pin, VMX_PIN_VIRTUAL_NMIS) &&
	                ((m->procbased >> 32) & VMX_PROC_NMI_WINDOW);
	/* The preemption timer is switched on per entry too, when the VP has a deadline. */
	c->preemption_timer = (m->pinbased >> 32) & VMX_PIN_PREEMPTION_TIMER;
	c->preemption_timer_shift = (uint8_t)(m->misc & 0x1f);
}

uint32_t vmx_preemption_timer_value(uint64_t deadline, uint64_t now, uint8_t shift)
{
	uint64_t delta, ticks;

	if (deadline <= now)
		return 0;
	delta = deadline - now;
	shift &= 0x1f;
	ticks = delta >> shift;
	if (ticks >= 0xffffffffULL - 1)
		return 0xffffffffU;
	/* Rounded up, plus the first tick, which may come at once. */
	return (uint32_t)ticks + ((delta & ((1ULL << shift) - 1)) ? 2U : 1U);
}
