/* Host tests of event injection on VMX: window exits, IDT-vectoring re-injection, NMIs, preemption timer. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <string.h>

#include "fakes/fake_hv.h"
#include "fakes/fake_tsc.h"
#include "fakes/fake_vmx.h"
#include "libhv/core/hv_internal.h"
#include "libhv/vmx/vmcs.h"
#include "libhv/vmx/vmx_internal.h"

static struct hv_partition *part;
static struct hv_vp *vp;

static void create(const struct hv_host_ops *ops, bool preemption_timer)
{
	struct hv_partition_config config = {.name = "events", .max_vps = 1};

	fake_host_reset();
	fake_cpu_reset_intel();
	if (!preemption_timer) {
		fake_msr_set(MSR_IA32_VMX_TRUE_PINBASED,
		             0x0000007f00000016ULL & ~((uint64_t)VMX_PIN_PREEMPTION_TIMER << 32));
		fake_msr_set(MSR_IA32_VMX_PINBASED,
		             0x0000007f00000016ULL & ~((uint64_t)VMX_PIN_PREEMPTION_TIMER << 32));
	}
	fake_tsc_set(1000);
	cr_assert_eq(hv_init(ops), HV_STATUS_SUCCESS);
	cr_assert_eq(hv_partition_create(&config, &part), HV_STATUS_SUCCESS);
	cr_assert_eq(hv_vp_create(part, 0, &vp), HV_STATUS_SUCCESS);
}

static void setup(void)
{
	create(&fake_host_ops, true);
}

static void teardown(void)
{
	if (part)
		hv_partition_delete(part);
	part = NULL;
}

TestSuite(event_vmx, .init = setup, .fini = teardown);

/* ---- a scripted guest ---- */

#define STEPS  8
#define IF_ON  1
#define IF_OFF 2

struct step {
	uint32_t reason;
	uint32_t vectoring; /* IDT-vectoring information: the delivery this exit cut short */
	uint32_t vectoring_error;
	uint64_t qualification;
	uint32_t insn_length;
	int rflags_if;     /* IF_ON, IF_OFF or 0 (unchanged) */
	bool set_blocking; /* the exit leaves guest interruptibility `blocking` */
	uint32_t blocking;
	uint64_t tsc_advance; /* host time that passes in the guest */
};

struct seen {
	uint32_t entry_info, entry_error, entry_length;
	uint32_t pin, proc, blocking, timer;
};

struct script {
	unsigned n;
	struct step steps[STEPS];
	struct seen seen[STEPS];
};

static struct script *current;

static int play(uint64_t *gprs, void *ctx)
{
	struct script *s = ctx;
	const struct step *st;

	(void)gprs;
	cr_assert(s->n < STEPS && s->steps[s->n].reason, "the guest ran more often than scripted");
	st = &s->steps[s->n];
	s->seen[s->n] =
	    (struct seen){.entry_info = (uint32_t)fake_vmcs_get(VMCS_ENTRY_INTERRUPTION_INFO),
	                  .entry_error = (uint32_t)fake_vmcs_get(VMCS_ENTRY_EXCEPTION_ERROR_CODE),
	                  .entry_length = (uint32_t)fake_vmcs_get(VMCS_ENTRY_INSTRUCTION_LENGTH),
	                  .pin = (uint32_t)fake_vmcs_get(VMCS_PIN_BASED_CONTROLS),
	                  .proc = (uint32_t)fake_vmcs_get(VMCS_PROC_BASED_CONTROLS),
	                  .blocking = (uint32_t)fake_vmcs_get(VMCS_GUEST_INTERRUPTIBILITY),
	                  .timer = (uint32_t)fake_vmcs_get(VMCS_GUEST_PREEMPTION_TIMER)};
	s->n++;
	fake_vmcs_set(VMCS_EXIT_REASON, st->reason);
	fake_vmcs_set(VMCS_EXIT_QUALIFICATION, st->qualification);
	fake_vmcs_set(VMCS_EXIT_INSTRUCTION_LENGTH, st->insn_length);
	fake_vmcs_set(VMCS_IDT_VECTORING_INFO, st->vectoring);
	fake_vmcs_set(VMCS_IDT_VECTORING_ERROR_CODE, st->vectoring_error);
	fake_vmcs_set(VMCS_EXIT_INTERRUPTION_INFO, 0);
	fake_vmcs_set(VMCS_GUEST_PHYSICAL_ADDRESS, 0x40000000);
	/* The processor clears the entry's event at every exit. */
	fake_vmcs_set(VMCS_ENTRY_INTERRUPTION_INFO, 0);
	if (st->rflags_if) {
		uint64_t rflags = fake_vmcs_get(VMCS_GUEST_RFLAGS);

		fake_vmcs_set(VMCS_GUEST_RFLAGS,
		              st->rflags_if == IF_ON ? rflags | RFLAGS_IF : rflags & ~RFLAGS_IF);
	}
	if (st->set_blocking)
		fake_vmcs_set(VMCS_GUEST_INTERRUPTIBILITY, st->blocking);
	fake_tsc_advance(st->tsc_advance);
	return 0;
}

static enum hv_exit_reason run(struct script *s)
{
	struct hv_exit e;

	current = s;
	fake_vmx_set_guest(play, s);
	cr_assert_eq(hv_vp_run(vp, &e), HV_STATUS_SUCCESS);
	return e.reason;
}

static void set_reg(uint32_t name, uint64_t value)
{
	union hv_register_value v = {.reg64 = value};

	cr_assert_eq(hv_vp_set_registers(vp, &name, 1, &v), HV_STATUS_SUCCESS);
}

static uint64_t reg(uint32_t name)
{
	union hv_register_value v;

	cr_assert_eq(hv_vp_get_registers(vp, &name, 1, &v), HV_STATUS_SUCCESS);
	return v.reg64;
}

#define EXIT(r, ...)                       \
	{                                  \
		.reason = (r), __VA_ARGS__ \
	}
#define HLT(...) EXIT(VMX_EXIT_HLT, .insn_length = 1, __VA_ARGS__)
#define EPT(...) EXIT(VMX_EXIT_EPT_VIOLATION, __VA_ARGS__)
#define EV(vector, type) \
	((uint32_t)(vector) | ((uint32_t)(type) << VMX_INTR_TYPE_SHIFT) | VMX_INTR_VALID)
#define EV_ERR(vector) (EV(vector, VMX_INTR_TYPE_HW_EXCEPTION) | VMX_INTR_ERROR_VALID)

/* ---- the interrupt window ---- */

Test(event_vmx, interrupts_wait_for_rflags_if_through_a_window_exit)
{
	struct script s = {.steps = {EXIT(VMX_EXIT_INTERRUPT_WINDOW, .rflags_if = IF_ON), HLT()}};

	cr_expect_not(hv_vp_interrupt_ready(vp), "IF is 0 after reset");
	cr_expect_eq(hv_vp_inject_interrupt(vp, 0x30), HV_STATUS_INVALID_VP_STATE);
	hv_vp_request_interrupt_window(vp, true);
	cr_expect_eq(run(&s), HV_EXIT_INTERRUPT_WINDOW);
	cr_expect(s.seen[0].proc & VMX_PROC_INTERRUPT_WINDOW, "interrupt-window exiting armed");
	cr_expect_eq(s.seen[0].entry_info, 0);
	cr_expect(hv_vp_interrupt_ready(vp));
	cr_expect_eq(hv_vp_inject_interrupt(vp, 0x30), HV_STATUS_SUCCESS);
	cr_expect_eq(run(&s), HV_EXIT_HLT);
	cr_expect_eq(s.seen[1].entry_info, EV(0x30, VMX_INTR_TYPE_EXTERNAL));
	cr_expect_not(s.seen[1].proc & VMX_PROC_INTERRUPT_WINDOW, "the request was consumed");
}

struct shadow_case {
	uint32_t blocking;
	bool ready;
};

ParameterizedTestParameters(event_vmx, shadows_keep_interrupts_out)
{
	static struct shadow_case cases[] = {
	    {0, true},
	    {VMX_BLOCKING_STI, false},
	    {VMX_BLOCKING_MOV_SS, false},
	    {VMX_BLOCKING_NMI, true}, /* NMI blocking does not hold external interrupts */
	};
	return cr_make_param_array(struct shadow_case, cases, sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct shadow_case *c, event_vmx, shadows_keep_interrupts_out)
{
	set_reg(HV_X64_REGISTER_RFLAGS, RFLAGS_FIXED | RFLAGS_IF);
	fake_vmcs_set(VMCS_GUEST_INTERRUPTIBILITY, c->blocking);
	cr_expect_eq(hv_vp_interrupt_ready(vp), c->ready, "blocking %#x", c->blocking);
}

Test(event_vmx, completing_an_instruction_ends_the_sti_shadow)
{
	struct script s = {
	    .steps = {HLT(.rflags_if = IF_ON, .set_blocking = true, .blocking = VMX_BLOCKING_STI)}};
	struct hv_exit e = {.reason = HV_EXIT_HLT, .insn_length = 1};

	cr_expect_eq(run(&s), HV_EXIT_HLT, "STI; HLT");
	cr_expect_not(hv_vp_interrupt_ready(vp), "HLT sits in the STI shadow");
	cr_expect_eq(hv_vp_complete(vp, &e), HV_STATUS_SUCCESS);
	cr_expect(hv_vp_interrupt_ready(vp));
}

/* ---- re-injection from IDT-vectoring information ---- */

Test(event_vmx, a_faulting_delivery_is_reinjected_with_its_error_code)
{
	struct script s = {.steps = {EPT(.vectoring = EV_ERR(14), .vectoring_error = 2), HLT()}};

	cr_expect_eq(run(&s), HV_EXIT_MEMORY_ACCESS);
	cr_expect_eq(run(&s), HV_EXIT_HLT);
	cr_expect_eq(s.seen[1].entry_info, EV_ERR(14));
	cr_expect_eq(s.seen[1].entry_error, 2);
}

Test(event_vmx, a_software_interrupt_is_reinjected_with_its_length)
{
	struct script s = {
	    .steps = {EPT(.vectoring = EV(0x80, VMX_INTR_TYPE_SW_INTERRUPT), .insn_length = 2),
	              HLT()}};

	cr_expect_eq(run(&s), HV_EXIT_MEMORY_ACCESS);
	cr_expect_eq(run(&s), HV_EXIT_HLT);
	cr_expect_eq(s.seen[1].entry_info, EV(0x80, VMX_INTR_TYPE_SW_INTERRUPT));
	cr_expect_eq(s.seen[1].entry_length, 2, "INT 0x80 is two bytes");
}

Test(event_vmx, an_interrupted_interrupt_goes_before_a_new_exception_is_merged)
{
	struct script s = {.steps = {EPT(.vectoring = EV(0x30, VMX_INTR_TYPE_EXTERNAL)),
	                             HLT(.rflags_if = IF_OFF),
	                             EXIT(VMX_EXIT_INTERRUPT_WINDOW, .rflags_if = IF_ON), HLT()}};

	set_reg(HV_X64_REGISTER_RFLAGS, RFLAGS_FIXED | RFLAGS_IF);
	cr_expect_eq(run(&s), HV_EXIT_MEMORY_ACCESS);
	cr_expect_not(hv_vp_interrupt_ready(vp));
	/* The monitor decides the access faults: #PF overtakes the interrupt, which is kept. */
	cr_expect_eq(hv_vp_inject_exception(vp, 14, true, 2), HV_STATUS_SUCCESS);
	cr_expect_eq(run(&s), HV_EXIT_HLT);
	cr_expect_eq(s.seen[1].entry_info, EV_ERR(14));
	cr_expect(s.seen[1].proc & VMX_PROC_INTERRUPT_WINDOW);
	cr_expect_eq(run(&s), HV_EXIT_HLT);
	cr_expect_eq(s.seen[3].entry_info, EV(0x30, VMX_INTR_TYPE_EXTERNAL));
}

Test(event_vmx, a_fault_while_delivering_a_double_fault_shuts_down)
{
	struct script s = {.steps = {EPT(.vectoring = EV_ERR(8)), HLT()}};

	cr_expect_eq(run(&s), HV_EXIT_MEMORY_ACCESS);
	cr_expect_eq(hv_vp_inject_exception(vp, 13, true, 0), HV_STATUS_SUCCESS);
	cr_expect_eq(run(&s), HV_EXIT_SHUTDOWN);
	cr_expect_eq(s.n, 1);
	cr_expect_not(hv_vp_interrupt_ready(vp));
	cr_expect_eq(run(&s), HV_EXIT_SHUTDOWN, "and stays down");
}

/* ---- NMIs ---- */

Test(event_vmx, virtual_nmi_blocking_holds_an_nmi_until_the_nmi_window)
{
	struct script s = {.steps = {HLT(.set_blocking = true, .blocking = VMX_BLOCKING_NMI), HLT(),
	                             EXIT(VMX_EXIT_NMI_WINDOW, .set_blocking = true, .blocking = 0),
	                             HLT()}};

	cr_expect(fake_vmcs_get(VMCS_PIN_BASED_CONTROLS) & VMX_PIN_VIRTUAL_NMIS);
	cr_expect_eq(hv_vp_inject_nmi(vp), HV_STATUS_SUCCESS);
	cr_expect_eq(run(&s), HV_EXIT_HLT);
	cr_expect_eq(s.seen[0].entry_info, EV(2, VMX_INTR_TYPE_NMI));
	/* The processor set blocking by NMI when it delivered it (the script plays that). */
	cr_expect_eq(hv_vp_inject_nmi(vp), HV_STATUS_SUCCESS);
	cr_expect_eq(run(&s), HV_EXIT_HLT);
	cr_expect_eq(s.seen[1].entry_info, 0, "blocked");
	cr_expect(s.seen[1].proc & VMX_PROC_NMI_WINDOW, "NMI-window exiting armed");
	cr_expect_eq(run(&s), HV_EXIT_HLT, "the NMI-window exit stays inside libhv");
	cr_expect_eq(s.seen[3].entry_info, EV(2, VMX_INTR_TYPE_NMI));
	cr_expect_not(s.seen[3].proc & VMX_PROC_NMI_WINDOW);
}

Test(event_vmx, a_mov_ss_shadow_holds_an_nmi)
{
	struct script s = {.steps = {HLT()}};

	fake_vmcs_set(VMCS_GUEST_INTERRUPTIBILITY, VMX_BLOCKING_MOV_SS);
	cr_expect_eq(hv_vp_inject_nmi(vp), HV_STATUS_SUCCESS);
	cr_expect_eq(run(&s), HV_EXIT_HLT);
	cr_expect_eq(s.seen[0].entry_info, 0);
	cr_expect(s.seen[0].proc & VMX_PROC_NMI_WINDOW);
}

Test(event_vmx, an_iret_cut_short_blocks_nmis_again)
{
	struct script s = {
	    .steps = {EPT(.qualification = VMX_EPT_WRITE | VMX_EPT_NMI_UNBLOCKED_BY_IRET)}};

	cr_expect_eq(run(&s), HV_EXIT_MEMORY_ACCESS);
	cr_expect(fake_vmcs_get(VMCS_GUEST_INTERRUPTIBILITY) & VMX_BLOCKING_NMI,
	          "the IRET runs again: the NMI handler has not ended");
}

/* ---- deadlines ---- */

Test(event_vmx, the_preemption_timer_implements_the_deadline)
{
	struct script s = {
	    .steps = {EXIT(VMX_EXIT_PREEMPTION_TIMER, .tsc_advance = 100000), HLT()}};

	hv_vp_set_deadline(vp, 1000 + 64000);
	cr_expect_eq(run(&s), HV_EXIT_DEADLINE);
	cr_expect(s.seen[0].pin & VMX_PIN_PREEMPTION_TIMER);
	/* The fake processor's IA32_VMX_MISC says TSC >> 5: 64000 ticks are 2000 (+1, early tick). */
	cr_expect_eq(s.seen[0].timer, 2001);
	cr_expect_eq(fake_host_arm_timer_calls(), 0, "the host's timer is not needed");
	cr_expect_eq(run(&s), HV_EXIT_HLT);
	cr_expect_not(s.seen[1].pin & VMX_PIN_PREEMPTION_TIMER, "no deadline: timer off");
}

Test(event_vmx, an_early_timer_exit_re_enters_until_the_deadline)
{
	struct script s = {.steps = {EXIT(VMX_EXIT_PREEMPTION_TIMER, .tsc_advance = 40000),
	                             EXIT(VMX_EXIT_PREEMPTION_TIMER, .tsc_advance = 40000)}};

	hv_vp_set_deadline(vp, 1000 + 64000);
	cr_expect_eq(run(&s), HV_EXIT_DEADLINE);
	cr_expect_eq(s.n, 2);
	cr_expect_eq(s.seen[1].timer, (24000 >> 5) + 1, "recomputed from the TSC at each entry");
}

Test(event_vmx, without_a_preemption_timer_the_host_timer_is_armed)
{
	struct script s = {.steps = {EXIT(VMX_EXIT_EXTERNAL_INTERRUPT, .tsc_advance = 10000)}};

	teardown();
	create(&fake_host_ops, false);
	hv_vp_set_deadline(vp, 5000);
	cr_expect_eq(run(&s), HV_EXIT_DEADLINE);
	cr_expect_eq(fake_host_armed_timer(), 5000);
	cr_expect_eq(fake_host_take_interrupts_calls(), 1);
	cr_expect_not(s.seen[0].pin & VMX_PIN_PREEMPTION_TIMER);
}

struct timer_case {
	uint64_t deadline, now;
	uint8_t shift;
	uint32_t expected;
};

ParameterizedTestParameters(event_vmx, preemption_timer_value)
{
	static struct timer_case cases[] = {
	    {1000, 1000, 5, 0},             /* due now */
	    {1000, 2000, 5, 0},             /* past */
	    {1001, 1000, 5, 2},             /* less than one tick: one, plus the early one */
	    {1032, 1000, 5, 2},             /* exactly one tick */
	    {1033, 1000, 5, 3},             /* a bit more: rounded up */
	    {1000 + 64000, 1000, 0, 64001}, /* shift 0: TSC rate */
	    {~0ULL, 0, 0, 0xffffffffU},     /* saturates */
	};
	return cr_make_param_array(struct timer_case, cases, sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct timer_case *c, event_vmx, preemption_timer_value)
{
	cr_expect_eq(vmx_preemption_timer_value(c->deadline, c->now, c->shift), c->expected,
	             "deadline %llu now %llu shift %u", (unsigned long long)c->deadline,
	             (unsigned long long)c->now, c->shift);
}

/* ---- host interrupts ---- */

Test(event_vmx, host_interrupts_are_left_pending_when_the_host_can_take_them)
{
	cr_expect_not(fake_vmcs_get(VMCS_EXIT_CONTROLS) & VMX_EXIT_ACK_INTERRUPT);
	teardown();
	create(&fake_host_ops_no_timer, true);
	cr_expect(fake_vmcs_get(VMCS_EXIT_CONTROLS) & VMX_EXIT_ACK_INTERRUPT,
	          "acknowledged (and dropped) without take_interrupts, or they would exit forever");
}

/* ---- CR8 ---- */

Test(event_vmx, cr8_lives_in_libhv_and_its_accesses_exit)
{
	uint32_t name = HV_X64_REGISTER_CR8;
	union hv_register_value v = {.reg64 = 16};

	cr_expect(fake_vmcs_get(VMCS_PROC_BASED_CONTROLS) & VMX_PROC_CR8_LOAD_EXITING);
	cr_expect(fake_vmcs_get(VMCS_PROC_BASED_CONTROLS) & VMX_PROC_CR8_STORE_EXITING);
	set_reg(HV_X64_REGISTER_CR8, 7);
	cr_expect_eq(reg(HV_X64_REGISTER_CR8), 7);
	cr_expect_eq(hv_vp_set_registers(vp, &name, 1, &v), HV_STATUS_INVALID_REGISTER_VALUE);
}

Test(event_vmx, a_guest_mov_to_cr8_updates_the_vp)
{
	/* MOV CR8, RBX: CR number 8, type 0 (to), register 3. */
	struct script s = {
	    .steps = {EXIT(VMX_EXIT_CR_ACCESS, .qualification = 8 | (3 << 8), .insn_length = 4),
	              HLT()}};

	set_reg(HV_X64_REGISTER_RBX, 5);
	cr_expect_eq(run(&s), HV_EXIT_HLT);
	cr_expect_eq(reg(HV_X64_REGISTER_CR8), 5);
}
