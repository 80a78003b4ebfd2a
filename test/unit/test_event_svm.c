/* Host tests of event injection on SVM: windows (V_IRQ/VINTR, IRET), re-injection, NMIs, deadlines. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <string.h>

#include "fakes/fake_hv.h"
#include "fakes/fake_tsc.h"
#include "libhv/core/hv_internal.h"
#include "libhv/svm/svm_internal.h"

static struct hv_partition *part;
static struct hv_vp *vp;

static void create(const struct hv_host_ops *ops)
{
	struct hv_partition_config config = {.name = "events", .max_vps = 1};

	fake_host_reset();
	fake_cpu_reset_amd();
	fake_tsc_set(1000);
	cr_assert_eq(hv_init(ops), HV_STATUS_SUCCESS);
	cr_assert_eq(hv_partition_create(&config, &part), HV_STATUS_SUCCESS);
	cr_assert_eq(hv_vp_create(part, 0, &vp), HV_STATUS_SUCCESS);
}

static void setup(void)
{
	create(&fake_host_ops);
}

static void teardown(void)
{
	if (part)
		cr_expect_eq(hv_partition_delete(part), HV_STATUS_SUCCESS);
	part = NULL;
}

TestSuite(event_svm, .init = setup, .fini = teardown);

/* ---- a scripted guest: what each entry saw, and how each one exits ---- */

#define STEPS 8
/* Changes the exit makes to RFLAGS.IF and the interrupt shadow (0: none). */
#define IF_ON      1
#define IF_OFF     2
#define SHADOW_ON  1
#define SHADOW_OFF 2

struct step {
	uint32_t exit_code;
	uint64_t exit_int_info; /* the event whose delivery this exit cut short */
	int rflags_if;          /* IF_ON, IF_OFF or 0 */
	int shadow;             /* SHADOW_ON, SHADOW_OFF or 0 */
	uint64_t rip_advance;   /* the guest ran on before this exit (an IRET retired, ...) */
	uint64_t tsc_advance;   /* host time that passes in the guest */
};

struct seen {
	uint64_t event_inject, int_control, intercept_misc1;
};

struct script {
	unsigned n;
	struct step steps[STEPS];
	struct seen seen[STEPS];
};

static void play(struct vmcb *v, uint64_t *gprs, void *ctx)
{
	struct script *s = ctx;
	const struct step *st;

	(void)gprs;
	cr_assert(s->n < STEPS && s->steps[s->n].exit_code,
	          "the guest ran more often than scripted");
	st = &s->steps[s->n];
	s->seen[s->n] = (struct seen){v->control.event_inject, v->control.int_control,
	                              v->control.intercept_misc1};
	s->n++;
	v->control.exit_code = st->exit_code;
	v->control.exit_int_info = st->exit_int_info;
	v->control.exit_info1 = 0;
	v->control.exit_info2 = 0;
	v->control.next_rip = v->save.rip + 1;
	if (st->exit_code == SVM_EXIT_NPF) {
		v->control.exit_info1 = SVM_NPF_FINAL_GPA | SVM_NPF_WRITE;
		v->control.exit_info2 = 0x40000000; /* nothing mapped there: the monitor's */
	}
	if (st->rflags_if)
		v->save.rflags = st->rflags_if == IF_ON ? (v->save.rflags | RFLAGS_IF)
		                                        : (v->save.rflags & ~RFLAGS_IF);
	if (st->shadow)
		v->control.int_state = st->shadow == SHADOW_ON ? VMCB_INT_STATE_SHADOW : 0;
	v->save.rip += st->rip_advance;
	fake_tsc_advance(st->tsc_advance);
}

static enum hv_exit_reason run(struct script *s)
{
	struct hv_exit e;

	fake_svm_set_guest(play, s);
	cr_assert_eq(hv_vp_run(vp, &e), HV_STATUS_SUCCESS);
	return e.reason;
}

static void set_reg(uint32_t name, uint64_t value)
{
	union hv_register_value v = {.reg64 = value};

	cr_assert_eq(hv_vp_set_registers(vp, &name, 1, &v), HV_STATUS_SUCCESS);
}

static struct vmcb *vmcb(void)
{
	return ((struct svm_vp *)vp->vendor)->vmcb;
}

#define HLT(...)                                       \
	{                                              \
		.exit_code = SVM_EXIT_HLT, __VA_ARGS__ \
	}
#define EXIT(code, ...)                          \
	{                                        \
		.exit_code = (code), __VA_ARGS__ \
	}
#define EV(vector, type) ((uint64_t)(vector) | ((uint64_t)(type) << 8) | VMCB_EVENT_VALID)
#define EV_ERR(vector, error) \
	(EV(vector, 3) | VMCB_EVENT_ERROR_VALID | ((uint64_t)(error) << VMCB_EVENT_ERROR_SHIFT))
#define V_IRQ_ARMED(seen) \
	(((seen).int_control & VMCB_INT_V_IRQ) && ((seen).intercept_misc1 & VMCB_INTERCEPT_VINTR))

/* ---- external interrupts and the interrupt window ---- */

Test(event_svm, interrupts_wait_for_rflags_if_through_a_window_exit)
{
	struct script s = {.steps = {EXIT(SVM_EXIT_VINTR, .rflags_if = IF_ON), HLT()}};

	set_reg(HV_X64_REGISTER_RFLAGS, RFLAGS_FIXED); /* IF = 0 */
	cr_expect_not(hv_vp_interrupt_ready(vp));
	cr_expect_eq(hv_vp_inject_interrupt(vp, 0x30), HV_STATUS_INVALID_VP_STATE);
	hv_vp_request_interrupt_window(vp, true);
	cr_expect_eq(run(&s), HV_EXIT_INTERRUPT_WINDOW);
	cr_expect(V_IRQ_ARMED(s.seen[0]), "V_IRQ and the VINTR intercept armed");
	cr_expect_eq((s.seen[0].int_control >> VMCB_INT_V_INTR_PRIO_SHIFT) & 0xf, 0xf);
	cr_expect(s.seen[0].int_control & VMCB_INT_V_IGN_TPR, "the TPR is the monitor's business");
	cr_expect_eq(s.seen[0].event_inject, 0);

	cr_expect(hv_vp_interrupt_ready(vp));
	cr_expect_eq(hv_vp_inject_interrupt(vp, 0x30), HV_STATUS_SUCCESS);
	cr_expect_eq(run(&s), HV_EXIT_HLT);
	cr_expect_eq(s.seen[1].event_inject, EV(0x30, 0), "the vector goes in as INTR");
	cr_expect_not(s.seen[1].int_control & VMCB_INT_V_IRQ, "the window request was consumed");
	cr_expect_not(s.seen[1].intercept_misc1 & VMCB_INTERCEPT_VINTR);
}

Test(event_svm, an_interrupt_shadow_keeps_interrupts_out)
{
	set_reg(HV_X64_REGISTER_RFLAGS, RFLAGS_FIXED | RFLAGS_IF);
	cr_expect(hv_vp_interrupt_ready(vp));
	vmcb()->control.int_state = VMCB_INT_STATE_SHADOW; /* STI; <here> */
	cr_expect_not(hv_vp_interrupt_ready(vp));
	cr_expect_eq(hv_vp_inject_interrupt(vp, 0x30), HV_STATUS_INVALID_VP_STATE);
}

Test(event_svm, a_cancelled_window_is_not_armed)
{
	struct script s = {.steps = {HLT()}};

	hv_vp_request_interrupt_window(vp, true);
	hv_vp_request_interrupt_window(vp, false);
	cr_expect_eq(run(&s), HV_EXIT_HLT);
	cr_expect_not(s.seen[0].int_control & VMCB_INT_V_IRQ);
}

Test(event_svm, bad_arguments_are_refused)
{
	set_reg(HV_X64_REGISTER_RFLAGS, RFLAGS_FIXED | RFLAGS_IF);
	cr_expect_eq(hv_vp_inject_interrupt(vp, 31), HV_STATUS_INVALID_PARAMETER);
	cr_expect_eq(hv_vp_inject_interrupt(NULL, 0x30), HV_STATUS_INVALID_PARAMETER);
	cr_expect_eq(hv_vp_inject_nmi(NULL), HV_STATUS_INVALID_PARAMETER);
	cr_expect_not(hv_vp_interrupt_ready(NULL));
	hv_vp_request_interrupt_window(NULL, true); /* no crash */
	hv_vp_set_deadline(NULL, 1);
	cr_expect_eq(hv_vp_inject_interrupt(vp, 0x30), HV_STATUS_SUCCESS);
	cr_expect_eq(hv_vp_inject_interrupt(vp, 0x31), HV_STATUS_INVALID_VP_STATE,
	             "one vector at a time: the first is not delivered yet");
}

/* ---- priorities ---- */

Test(event_svm, exception_then_nmi_then_interrupt)
{
	/* The NMI handler runs with IF=0 and HLTs; its IRET opens the window. */
	struct script s = {.steps = {HLT(), HLT(.rflags_if = IF_OFF),
	                             EXIT(SVM_EXIT_VINTR, .rflags_if = IF_ON), HLT()}};

	set_reg(HV_X64_REGISTER_RFLAGS, RFLAGS_FIXED | RFLAGS_IF);
	cr_expect_eq(hv_vp_inject_interrupt(vp, 0x40), HV_STATUS_SUCCESS);
	cr_expect_eq(hv_vp_inject_nmi(vp), HV_STATUS_SUCCESS);
	cr_expect_eq(hv_vp_inject_exception(vp, 13, true, 0x18), HV_STATUS_SUCCESS);
	cr_expect_not(hv_vp_interrupt_ready(vp), "older and higher-priority events first");
	cr_expect_eq(run(&s), HV_EXIT_HLT);
	cr_expect_eq(s.seen[0].event_inject, EV_ERR(13, 0x18), "the exception first");
	cr_expect(V_IRQ_ARMED(s.seen[0]), "the vector waits for its own window");
	cr_expect_eq(run(&s), HV_EXIT_HLT);
	cr_expect_eq(s.seen[1].event_inject, EV(2, 2), "then the NMI");
	/* The window exit for the monitor's vector is libhv's own: it does not reach the monitor. */
	cr_expect_eq(run(&s), HV_EXIT_HLT);
	cr_expect_eq(s.seen[2].event_inject, 0);
	cr_expect(V_IRQ_ARMED(s.seen[2]));
	cr_expect_eq(s.seen[3].event_inject, EV(0x40, 0), "then the interrupt");
	cr_expect_eq(s.n, 4);
	cr_expect_eq(hv_vp_stats(vp)->exits[HV_EXIT_INTERRUPT_WINDOW], 1);
}

/* ---- re-injection after a delivery an exit cut short ---- */

Test(event_svm, an_interrupted_interrupt_is_delivered_again_before_anything_new)
{
	struct script s = {.steps = {EXIT(SVM_EXIT_NPF, .exit_int_info = EV(0x30, 0)), HLT()}};

	set_reg(HV_X64_REGISTER_RFLAGS, RFLAGS_FIXED | RFLAGS_IF);
	cr_expect_eq(hv_vp_inject_interrupt(vp, 0x30), HV_STATUS_SUCCESS);
	cr_expect_eq(run(&s), HV_EXIT_MEMORY_ACCESS, "the IDT or stack is not RAM: the monitor's");
	cr_expect_not(hv_vp_interrupt_ready(vp), "0x30 is still owed");
	cr_expect_eq(hv_vp_inject_nmi(vp), HV_STATUS_SUCCESS);
	cr_expect_eq(run(&s), HV_EXIT_HLT);
	cr_expect_eq(s.seen[1].event_inject, EV(0x30, 0), "re-injected before the NMI");
}

Test(event_svm, an_interrupted_exception_keeps_its_error_code)
{
	struct script s = {.steps = {EXIT(SVM_EXIT_NPF, .exit_int_info = EV_ERR(14, 2)), HLT()}};

	cr_expect_eq(run(&s), HV_EXIT_MEMORY_ACCESS);
	cr_expect_eq(run(&s), HV_EXIT_HLT);
	cr_expect_eq(s.seen[1].event_inject, EV_ERR(14, 2));
}

Test(event_svm, an_exception_overtaking_an_interrupted_interrupt_requeues_it)
{
	/* The #GP handler runs with IF=0 and HLTs; its IRET opens the window. */
	struct script s = {.steps = {EXIT(SVM_EXIT_NPF, .exit_int_info = EV(0x30, 0)),
	                             HLT(.rflags_if = IF_OFF),
	                             EXIT(SVM_EXIT_VINTR, .rflags_if = IF_ON), HLT()}};

	set_reg(HV_X64_REGISTER_RFLAGS, RFLAGS_FIXED | RFLAGS_IF);
	cr_expect_eq(run(&s), HV_EXIT_MEMORY_ACCESS);
	cr_expect_eq(hv_vp_inject_exception(vp, 13, true, 0), HV_STATUS_SUCCESS);
	cr_expect_eq(run(&s), HV_EXIT_HLT);
	cr_expect_eq(s.seen[1].event_inject, EV_ERR(13, 0), "a benign event: handled serially");
	cr_expect(V_IRQ_ARMED(s.seen[1]), "the interrupt waits for the guest to take it again");
	cr_expect_eq(run(&s), HV_EXIT_HLT);
	cr_expect_eq(s.seen[3].event_inject, EV(0x30, 0), "and is not lost");
}

/* The SDM's double-fault table: the first event being delivered, then a new exception. */
struct double_fault_case {
	uint8_t first, second;
	uint8_t expected; /* 0xff: triple fault */
};

ParameterizedTestParameters(event_svm, double_fault_rules)
{
	static struct double_fault_case cases[] = {
	    {14, 13, 8},   /* #PF then contributory: #DF */
	    {14, 14, 8},   /* #PF then #PF: #DF */
	    {13, 13, 8},   /* contributory then contributory: #DF */
	    {0, 11, 8},    /* #DE then #NP */
	    {13, 14, 14},  /* contributory then #PF: serially */
	    {1, 13, 13},   /* benign then contributory: serially */
	    {6, 14, 14},   /* #UD then #PF: serially */
	    {14, 6, 6},    /* #PF then benign: serially */
	    {8, 13, 0xff}, /* anything while delivering #DF: triple fault */
	    {8, 14, 0xff}, {8, 6, 0xff},
	};
	return cr_make_param_array(struct double_fault_case, cases,
	                           sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct double_fault_case *c, event_svm, double_fault_rules)
{
	bool first_err = hv_exception_has_error_code(c->first);
	bool second_err = hv_exception_has_error_code(c->second);
	struct script s = {
	    .steps = {EXIT(SVM_EXIT_NPF,
	                   .exit_int_info = first_err ? EV_ERR(c->first, 4) : EV(c->first, 3)),
	              HLT()}};
	enum hv_exit_reason r;

	cr_assert_eq(run(&s), HV_EXIT_MEMORY_ACCESS);
	cr_assert_eq(hv_vp_inject_exception(vp, c->second, second_err, second_err ? 6 : 0),
	             HV_STATUS_SUCCESS);
	r = run(&s);
	if (c->expected == 0xff) {
		cr_expect_eq(r, HV_EXIT_SHUTDOWN, "%u then %u: triple fault", c->first, c->second);
		cr_expect_eq(s.n, 1, "no entry after a triple fault");
		return;
	}
	cr_expect_eq(r, HV_EXIT_HLT);
	if (c->expected == 8)
		cr_expect_eq(s.seen[1].event_inject, EV_ERR(8, 0), "%u then %u: #DF(0)", c->first,
		             c->second);
	else
		cr_expect_eq(s.seen[1].event_inject & 0x7ffULL, (uint64_t)c->expected | (3U << 8),
		             "%u then %u: the second alone", c->first, c->second);
}

Test(event_svm, two_queued_exceptions_merge_too)
{
	struct script s = {.steps = {HLT()}};

	cr_expect_eq(hv_vp_inject_exception(vp, 13, true, 0), HV_STATUS_SUCCESS);
	cr_expect_eq(hv_vp_inject_exception(vp, 11, true, 8), HV_STATUS_SUCCESS);
	cr_expect_eq(run(&s), HV_EXIT_HLT);
	cr_expect_eq(s.seen[0].event_inject, EV_ERR(8, 0));
}

/* ---- NMIs ---- */

Test(event_svm, nmis_are_blocked_until_the_handler_irets)
{
	/* The handler's IRET exits before it runs; it restores IF=1 and the guest runs on. */
	struct script s = {.steps = {HLT(), HLT(), EXIT(SVM_EXIT_IRET),
	                             EXIT(SVM_EXIT_VINTR, .rflags_if = IF_ON, .rip_advance = 0x40),
	                             HLT()}};

	cr_expect_eq(hv_vp_inject_nmi(vp), HV_STATUS_SUCCESS);
	cr_expect_eq(run(&s), HV_EXIT_HLT);
	cr_expect_eq(s.seen[0].event_inject, EV(2, 2));
	/* The guest is in its NMI handler now: a second NMI waits for the IRET. */
	cr_expect_eq(hv_vp_inject_nmi(vp), HV_STATUS_SUCCESS);
	cr_expect_eq(hv_vp_inject_nmi(vp), HV_STATUS_SUCCESS, "merged with the pending one");
	cr_expect_eq(run(&s), HV_EXIT_HLT);
	cr_expect_eq(s.seen[1].event_inject, 0, "blocked");
	cr_expect(s.seen[1].intercept_misc1 & VMCB_INTERCEPT_IRET, "IRET is the NMI window");
	cr_expect_eq(run(&s), HV_EXIT_HLT, "the IRET and window exits stay inside libhv");
	cr_expect_eq(s.seen[3].event_inject, 0, "not while the IRET has not run: still blocked");
	cr_expect(V_IRQ_ARMED(s.seen[3]), "the next window shows the IRET retired");
	cr_expect_not(s.seen[3].intercept_misc1 & VMCB_INTERCEPT_IRET);
	cr_expect_eq(s.seen[4].event_inject, EV(2, 2), "delivered once, after the IRET");
	cr_expect_not(V_IRQ_ARMED(s.seen[4]), "no window wanted any more");
	cr_expect_eq(s.n, 5);
	cr_expect_eq(hv_vp_stats(vp)->exits[HV_EXIT_INTERRUPT_WINDOW], 1);
}

/* An IRET that returns with IF=0 gives no window: the NMI waits for the next exit elsewhere. */
Test(event_svm, after_an_iret_to_if_clear_the_nmi_waits_for_an_exit_past_it)
{
	struct script s = {.steps = {HLT(), HLT(), EXIT(SVM_EXIT_IRET, .rflags_if = IF_OFF),
	                             EXIT(SVM_EXIT_CPUID, .rip_advance = 0x40), HLT()}};

	cr_expect_eq(hv_vp_inject_nmi(vp), HV_STATUS_SUCCESS);
	cr_expect_eq(run(&s), HV_EXIT_HLT);
	cr_expect_eq(hv_vp_inject_nmi(vp), HV_STATUS_SUCCESS);
	cr_expect_eq(run(&s), HV_EXIT_HLT);
	cr_expect_eq(run(&s), HV_EXIT_CPUID, "the monitor's exit, after the IRET retired");
	cr_expect_eq(s.seen[3].event_inject, 0, "blocked until then");
	cr_expect_eq(run(&s), HV_EXIT_HLT);
	cr_expect_eq(s.seen[4].event_inject, EV(2, 2), "then delivered");
	cr_expect_eq(s.n, 5);
}

Test(event_svm, an_nmi_whose_delivery_was_cut_short_is_not_blocking)
{
	struct script s = {.steps = {EXIT(SVM_EXIT_NPF, .exit_int_info = EV(2, 2)), HLT(), HLT()}};

	cr_expect_eq(hv_vp_inject_nmi(vp), HV_STATUS_SUCCESS);
	cr_expect_eq(run(&s), HV_EXIT_MEMORY_ACCESS);
	cr_expect_eq(run(&s), HV_EXIT_HLT);
	cr_expect_eq(s.seen[1].event_inject, EV(2, 2), "re-injected");
	/* Delivered now: the next NMI must wait for the IRET. */
	cr_expect_eq(hv_vp_inject_nmi(vp), HV_STATUS_SUCCESS);
	cr_expect_eq(run(&s), HV_EXIT_HLT);
	cr_expect_eq(s.seen[2].event_inject, 0);
}

Test(event_svm, an_nmi_waits_for_an_interrupt_shadow)
{
	struct script s = {.steps = {HLT(.shadow = SHADOW_OFF), HLT()}};

	vmcb()->control.int_state = VMCB_INT_STATE_SHADOW; /* MOV SS; <here> */
	cr_expect_eq(hv_vp_inject_nmi(vp), HV_STATUS_SUCCESS);
	cr_expect_eq(run(&s), HV_EXIT_HLT);
	cr_expect_eq(s.seen[0].event_inject, 0, "no NMI inside a shadow");
	cr_expect_eq(run(&s), HV_EXIT_HLT);
	cr_expect_eq(s.seen[1].event_inject, EV(2, 2), "at the next entry after it");
}

/* ---- deadlines and host interrupts ---- */

Test(event_svm, a_deadline_arms_the_host_timer_and_ends_the_run)
{
	struct script s = {.steps = {EXIT(SVM_EXIT_INTR, .tsc_advance = 2000),
	                             EXIT(SVM_EXIT_INTR, .tsc_advance = 3000), HLT()}};

	hv_vp_set_deadline(vp, 5000);
	cr_expect_eq(run(&s), HV_EXIT_DEADLINE);
	cr_expect_eq(fake_host_armed_timer(), 5000);
	cr_expect_eq(fake_host_arm_timer_calls(), 2, "armed before each entry");
	cr_expect_eq(fake_host_take_interrupts_calls(), 2, "each host interrupt let in");
	cr_expect_eq(s.n, 2, "an early interrupt re-enters; the one at the deadline ends the run");
	cr_expect(fake_svm_last_host_interrupts(), "VMRUN with the host's IF set");
	/* The deadline was consumed: the next run cancels the host timer. */
	cr_expect_eq(run(&s), HV_EXIT_HLT);
	cr_expect_eq(fake_host_armed_timer(), 0);
	cr_expect_eq(hv_vp_stats(vp)->exits[HV_EXIT_DEADLINE], 1);
}

Test(event_svm, a_deadline_already_past_returns_before_entering)
{
	struct script s = {.steps = {HLT()}};

	hv_vp_set_deadline(vp, 999);
	cr_expect_eq(run(&s), HV_EXIT_DEADLINE);
	cr_expect_eq(s.n, 0);
	cr_expect_eq(hv_vp_stats(vp)->entries, 0);
}

Test(event_svm, an_asserted_interrupt_ends_the_run)
{
	struct script s = {.steps = {HLT()}};

	vp->interrupt_asserted = true;
	cr_expect_eq(run(&s), HV_EXIT_INTERRUPT_ASSERTED);
	cr_expect_eq(s.n, 0);
	cr_expect_not(vp->interrupt_asserted);
	cr_expect_eq(run(&s), HV_EXIT_HLT);
}

Test(event_svm, without_take_interrupts_host_interrupts_stay_masked)
{
	struct script s = {.steps = {HLT()}};

	teardown();
	create(&fake_host_ops_no_timer);
	hv_vp_set_deadline(vp, 5000);
	cr_expect_eq(run(&s), HV_EXIT_HLT);
	cr_expect_not(fake_svm_last_host_interrupts());
}

/* ---- CR8 ---- */

Test(event_svm, cr8_is_v_tpr)
{
	union hv_register_value v;
	uint32_t name = HV_X64_REGISTER_CR8;

	set_reg(HV_X64_REGISTER_CR8, 9);
	cr_expect_eq(vmcb()->control.int_control & VMCB_INT_V_TPR_MASK, 9);
	cr_expect(vmcb()->control.int_control & VMCB_INT_V_INTR_MASKING, "other bits kept");
	cr_assert_eq(hv_vp_get_registers(vp, &name, 1, &v), HV_STATUS_SUCCESS);
	cr_expect_eq(v.reg64, 9);
	v.reg64 = 16;
	cr_expect_eq(hv_vp_set_registers(vp, &name, 1, &v), HV_STATUS_INVALID_REGISTER_VALUE);
}
