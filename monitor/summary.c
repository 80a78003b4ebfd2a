/* Printing the end-of-run summary and deciding whether every partition ended as expected. */
#include "monitor/summary.h"

#include "monitor/clock_source.h"
#include "monitor/cmdline.h"
#include "monitor/console.h"
#include "monitor/exit_stats.h"

bool child_met_expectation(const struct child *c, const struct child_expectation *e)
{
	if (c->state == CHILD_REJECTED)
		return e->expect_stop;
	if (e->expect_stop)
		return c->state == CHILD_STOPPED && !c->exited;
	return c->exited && c->exit_status == e->exit_status;
}

/* Its CPU time (TSC cycles inside its slices) and how it was shared out. */
static void print_cpu_time(const struct child *c)
{
	uint64_t us = clock_ticks_to_ns(c->tsc_cycles, clock_source_tsc_hz()) / 1000;

	kprintf("monitor:     CPU time %llu.%03llu ms in %llu slice(s); %llu HLT(s) gave the CPU "
	        "away; %llu interrupt(s) and %llu NMI(s) injected\n",
	        (unsigned long long)(us / 1000), (unsigned long long)(us % 1000),
	        (unsigned long long)c->slices, (unsigned long long)c->halts,
	        (unsigned long long)c->injected, (unsigned long long)c->nmis);
}

/* One line of totals, then the exits by reason as a table (kvm_stat's view); see exit_stats.h. */
static void print_exits(const struct child *c)
{
	print_cpu_time(c);
	kprintf("monitor:     %llu entries, %llu exits, %llu host TSC cycles",
	        (unsigned long long)c->stats.entries,
	        (unsigned long long)exit_stats_total(&c->stats), (unsigned long long)c->tsc_cycles);
	if (c->emu.stats.emulated || c->emu.stats.faults)
		kprintf("; MMIO emulated=%llu faults=%llu (decode cache %llu hits, %llu misses)",
		        (unsigned long long)c->emu.stats.emulated,
		        (unsigned long long)c->emu.stats.faults,
		        (unsigned long long)c->emu.stats.cache_hits,
		        (unsigned long long)c->emu.stats.cache_misses);
	/* ROM reads are plain RAM reads (no exit); only writes trap, and they change nothing. */
	if (c->rom.writes_discarded)
		kprintf("; ROM writes discarded=%llu", (unsigned long long)c->rom.writes_discarded);
	kprintf("\n");
	vmbus_print_stats(&c->vmbus_stats, "monitor:     ");
	/* -q keeps the verdict lines only; -v lists every reason, zero counts included. */
	if (log_enabled(LOG_LEVEL_INFO))
		exit_stats_print("monitor:       ", &c->stats, log_enabled(LOG_LEVEL_DEBUG));
}

/* Which backend ran them, and the features it used (the banner says the same at boot). */
static void print_backend(void)
{
	const struct hv_capabilities *c = hv_capabilities();

	if (!c)
		return;
	if (c->vendor == HV_VENDOR_INTEL)
		kprintf("monitor:   backend vmx: EPT%s%s%s%s\n", c->vpid ? ", VPID" : "",
		        c->unrestricted_guest ? ", unrestricted guest" : "",
		        c->slat_ad_bits ? ", EPT A/D" : "",
		        c->large_pages_1g ? ", 1 GiB pages" : "");
	else
		kprintf("monitor:   backend svm: NPT%s%s, %u ASIDs\n",
		        c->nrip_save ? ", NRIP save" : "",
		        c->flush_by_asid ? ", flush by ASID" : "", c->asid_count);
}

bool summary_print(const struct child *children, const struct child_expectation *expect, size_t n)
{
	bool all_ok = true;

	size_t partitions = 0;

	for (size_t i = 0; i < n; i++)
		partitions += children[i].state != CHILD_EMPTY;
	kprintf("monitor: summary of %zu partition(s)\n", partitions);
	print_backend();
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
