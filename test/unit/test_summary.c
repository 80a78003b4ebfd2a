/* Host tests of the run's summary: the verdicts for expect=, and each partition's lines. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <string.h>

#include "monitor/summary.h"
#include "test/fakes/fake_serial.h"

struct verdict_case {
	enum child_state state;
	bool exited;
	uint32_t status;
	bool expect_stop;
	uint32_t expect_status;
	bool met;
};

ParameterizedTestParameters(summary, verdicts)
{
	static struct verdict_case cases[] = {
	    {CHILD_STOPPED, true, 1, false, 1, true},
	    {CHILD_STOPPED, true, 3, false, 1, false},
	    {CHILD_STOPPED, true, 11, false, 11, true},
	    {CHILD_STOPPED, false, 0, false, 1, false}, /* stopped by the monitor, exit expected */
	    {CHILD_STOPPED, false, 0, true, 0, true},   /* a hostile guest, stopped as expected */
	    {CHILD_STOPPED, true, 1, true, 0, false},   /* a hostile guest that got away */
	    {CHILD_REJECTED, false, 0, false, 1, false},
	    {CHILD_REJECTED, false, 0, true, 0, true},
	    {CHILD_READY, false, 0, false, 1, false}, /* never ran to the end */
	};
	return cr_make_param_array(struct verdict_case, cases, sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct verdict_case *v, summary, verdicts)
{
	struct child c = {.state = v->state, .exited = v->exited, .exit_status = v->status};
	struct child_expectation e = {.expect_stop = v->expect_stop,
	                              .exit_status = v->expect_status};

	cr_expect_eq(child_met_expectation(&c, &e), v->met);
}

/* The summary's per-partition lines: CPU time from the TSC cycles of its slices (fake 1 GHz TSC). */
Test(summary, shows_cpu_time_and_exits_by_reason)
{
	static struct child c;
	struct child_expectation e = {.exit_status = 1};
	const char *out;

	memset(&c, 0, sizeof(c));
	c.state = CHILD_STOPPED;
	c.exited = true;
	c.exit_status = 1;
	memcpy(c.name, "sleeper", 8);
	c.tsc_cycles = 12345678; /* 12.345678 ms at 1 GHz */
	c.slices = 42;
	c.halts = 40;
	c.injected = 41;
	c.stats.entries = 90;
	c.stats.exits[HV_EXIT_HLT] = 40;
	c.stats.exits[HV_EXIT_DEADLINE] = 7;
	c.stats.exits[HV_EXIT_INTERRUPT_WINDOW] = 3;
	fake_serial_reset();
	cr_expect(summary_print(&c, &e, 1));
	out = fake_serial_output();
	cr_expect(strstr(out, "monitor:   sleeper: exited with status 1 [expected]") != NULL, "%s",
	          out);
	cr_expect(strstr(out, "CPU time 12.345 ms in 42 slice(s); 40 HLT(s) gave the CPU away; "
	                      "41 interrupt(s) and 0 NMI(s) injected") != NULL,
	          "%s", out);
	cr_expect(strstr(out, "90 entries, 50 exits, 12345678 host TSC cycles") != NULL, "%s", out);
	cr_expect(strstr(out, "deadline") != NULL, "the new exit reasons are in the table: %s",
	          out);
	cr_expect(strstr(out, "interrupt-window") != NULL, "%s", out);
}
