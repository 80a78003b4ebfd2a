/* Printing the end-of-run summary and deciding whether every partition ended as expected. */
#include "monitor/summary.h"

#include "monitor/console.h"

bool child_met_expectation(const struct child *c, const struct child_expectation *e)
{
	if (c->state == CHILD_REJECTED)
		return e->expect_stop;
	if (e->expect_stop)
		return c->state == CHILD_STOPPED && !c->exited;
	return c->exited && c->exit_status == e->exit_status;
}

static void print_exits(const struct child *c)
{
	uint64_t total = 0;

	for (unsigned r = 0; r < HV_EXIT_REASON_COUNT; r++)
		total += c->stats.exits[r];
	kprintf("monitor:     %llu entries, %llu exits:", (unsigned long long)c->stats.entries,
	        (unsigned long long)total);
	for (unsigned r = 0; r < HV_EXIT_REASON_COUNT; r++)
		if (c->stats.exits[r])
			kprintf(" %s=%llu", hv_exit_reason_name((enum hv_exit_reason)r),
			        (unsigned long long)c->stats.exits[r]);
	if (c->emu.stats.emulated || c->emu.stats.faults)
		kprintf("; MMIO emulated=%llu faults=%llu (decode cache %llu hits, %llu misses)",
			(unsigned long long)c->emu.stats.emulated,
			(unsigned long long)c->emu.stats.faults,
			(unsigned long long)c->emu.stats.cache_hits,
			(unsigned long long)c->emu.stats.cache_misses);
	kprintf("; %llu host TSC cycles\n", (unsigned long long)c->tsc_cycles);
}

bool summary_print(const struct child *children, const struct child_expectation *expect, size_t n)
{
	bool all_ok = true;

	size_t partitions = 0;

	for (size_t i = 0; i < n; i++)
		partitions += children[i].state != CHILD_EMPTY;
	kprintf("monitor: summary of %zu partition(s)\n", partitions);
	for (size_t i = 0; i < n; i++) {
		const struct child *c = &children[i];
		bool ok = child_met_expectation(c, &expect[i]);

		if (c->state == CHILD_EMPTY)
			continue; /* a module that is not a partition */
		all_ok = all_ok && ok;
		if (c->state == CHILD_REJECTED)
			kprintf("monitor:   %s: rejected: %s [%s]\n", c->name, c->reason,
			        ok ? "expected" : "UNEXPECTED");
		else if (c->exited)
			kprintf("monitor:   %s: exited with status %u [%s]\n", c->name,
			        c->exit_status, ok ? "expected" : "UNEXPECTED");
		else
			kprintf("monitor:   %s: stopped: %s [%s]\n", c->name, c->reason,
			        ok ? "expected" : "UNEXPECTED");
		if (c->state != CHILD_REJECTED)
			print_exits(c);
	}
	kprintf("monitor: %s\n", all_ok ? "all partitions ended as expected"
	                                : "SOME PARTITIONS DID NOT END AS EXPECTED");
	return all_ok;
}
