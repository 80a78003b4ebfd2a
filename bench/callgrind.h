/* The benchmarks' one way to count host instructions: run a command under callgrind, read its total. */
#ifndef BENCH_CALLGRIND_H
#define BENCH_CALLGRIND_H

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

/*
 * Run `valgrind --tool=callgrind OPTIONS --callgrind-out-file=... COMMAND` (COMMAND's output is
 * discarded) and return the instructions callgrind collected, or -1 when valgrind failed or
 * collected nothing. OPTIONS say what to collect (--toggle-collect=FN, --collect-atstart=no
 * with client requests, ...); the caller divides by the calls it made.
 */
static inline double callgrind_total(const char *options, const char *command)
{
	char cmd[2048], out[256], line[512];
	unsigned long long total = 0;
	FILE *f;

	snprintf(out, sizeof(out), "/tmp/libhv-bench.%d.cg", (int)getpid());
	snprintf(cmd, sizeof(cmd),
	         "valgrind --tool=callgrind %s --callgrind-out-file=%s %s >/dev/null 2>&1", options,
	         out, command);
	if (system(cmd) != 0)
		return -1;
	f = fopen(out, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "totals: %llu", &total) == 1 ||
		    sscanf(line, "summary: %llu", &total) == 1)
			break;
	fclose(f);
	remove(out);
	return total ? (double)total : -1;
}

#endif
