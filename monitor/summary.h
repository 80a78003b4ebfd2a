/* The end-of-run report: how each partition ended, its exits by reason, and the overall verdict. */
#ifndef MONITOR_SUMMARY_H
#define MONITOR_SUMMARY_H

#include <stdbool.h>
#include <stddef.h>

#include "monitor/child.h"

/* What a partition is expected to do (module key expect=): exit with a status, or be stopped. */
struct child_expectation {
	bool expect_stop;     /* expect=stopped: the monitor must stop it (a hostile guest) */
	uint32_t exit_status; /* otherwise: the exit status (default 1, i.e. it wrote 0 to 0xF4) */
};

bool child_met_expectation(const struct child *c, const struct child_expectation *e);

/* Print the summary of `n` children; true when every one met its expectation. */
bool summary_print(const struct child *children, const struct child_expectation *expect, size_t n);

#endif
