/* Host tests of the run's verdict: which endings meet which expect= expectations. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>

#include "monitor/summary.h"

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
