/* A partition's exits as a table, by reason with counts and shares (in the manner of kvm_stat). */
#ifndef MONITOR_EXIT_STATS_H
#define MONITOR_EXIT_STATS_H

#include <stdbool.h>

#include <hv/hv.h>

/*
 * Print `stats` as one table on the console, every line prefixed with `indent` (for example
 * "monitor:     "): a header, one row per reason with its count and its share of all exits in
 * percent with one decimal, most frequent first (equal counts in enum order), and a total row.
 * Reasons with no exit are left out unless `all_reasons`. No floating point: the monitor is
 * built without SSE.
 */
void exit_stats_print(const char *indent, const struct hv_vp_stats *stats, bool all_reasons);

/* The sum of all exit counters. */
uint64_t exit_stats_total(const struct hv_vp_stats *stats);

/* count/total in tenths of a percent, rounded to nearest (0 when total is 0). */
uint64_t exit_stats_permille(uint64_t count, uint64_t total);

#endif
