/* The per-partition exit table at the end of a run: exits by reason, count and share. */
#include "monitor/exit_stats.h"

#include "monitor/console.h"

uint64_t exit_stats_total(const struct hv_vp_stats *stats)
{
	uint64_t total = 0;

	for (unsigned r = 0; r < HV_EXIT_REASON_COUNT; r++)
		total += stats->exits[r];
	return total;
}

uint64_t exit_stats_permille(uint64_t count, uint64_t total)
{
	if (total == 0)
		return 0;
	/* Divide first when the product could overflow: counts that large need no rounding. */
	if (count > UINT64_MAX / 1000)
		return count / (total / 1000 ? total / 1000 : 1);
	return (count * 1000 + total / 2) / total;
}

void exit_stats_print(const char *indent, const struct hv_vp_stats *stats, bool all_reasons)
{
	unsigned order[HV_EXIT_REASON_COUNT];
	uint64_t total = exit_stats_total(stats);
	unsigned n = 0;

	/* Most frequent first, as kvm_stat sorts; an insertion sort of at most 16 rows. */
	for (unsigned r = 0; r < HV_EXIT_REASON_COUNT; r++) {
		unsigned i = n++;

		if (r == HV_EXIT_NONE || (!all_reasons && stats->exits[r] == 0)) {
			n--;
			continue;
		}
		while (i > 0 && stats->exits[order[i - 1]] < stats->exits[r]) {
			order[i] = order[i - 1];
			i--;
		}
		order[i] = r;
	}
	kprintf("%s%-18s %12s %8s\n", indent, "exit reason", "count", "share");
	for (unsigned i = 0; i < n; i++) {
		uint64_t c = stats->exits[order[i]];
		uint64_t pm = exit_stats_permille(c, total);

		kprintf("%s%-18s %12llu %5llu.%llu%%\n", indent,
		        hv_exit_reason_name((enum hv_exit_reason)order[i]), (unsigned long long)c,
		        (unsigned long long)(pm / 10), (unsigned long long)(pm % 10));
	}
	kprintf("%s%-18s %12llu %8s\n", indent, "total", (unsigned long long)total,
	        total ? "100.0%" : "-");
}
