/* Scheduler benchmark: the cost of one scheduling decision (a switch), with spinners and sleepers. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "monitor/scheduler.h"

/*
 * The slices do no work: run_slice only moves a fake 1 GHz TSC to the slice's end (a spinner) or
 * blocks for a few hundred microseconds (a sleeper), so what is measured is sched_step() alone:
 * waking the due sleepers, choosing the next entity, the slice's end, the accounting. For the
 * host-instruction count of the scheduler's part alone, run under callgrind and divide
 * sched_step's inclusive cost by the number of steps printed:
 *   valgrind --tool=callgrind --toggle-collect=sched_step build/bench/bench_scheduler 4 0
 * (arguments: spinners, sleepers). The world switch into a guest is not part of this figure:
 * hypercall_bench and the exit-path figures in docs/testing.md give that.
 */
#define STEPS 1000000U

static uint64_t fake_tsc;

static uint64_t now(void *ctx)
{
	(void)ctx;
	return fake_tsc;
}

/* opaque NULL: a spinner; otherwise a sleeper, which blocks for 300 us after 2 us of work. */
static struct sched_outcome run_slice(void *ctx, struct sched_entity *e, uint64_t end)
{
	(void)ctx;
	if (e->opaque) {
		fake_tsc += 2000;
		return (struct sched_outcome){.state = SCHED_BLOCKED,
		                              .wake_tsc = fake_tsc + 300000};
	}
	fake_tsc = end;
	return (struct sched_outcome){.state = SCHED_RUNNABLE};
}

static void idle(void *ctx, uint64_t until)
{
	(void)ctx;
	fake_tsc = until;
}

static const struct sched_ops ops = {.now = now, .run_slice = run_slice, .idle = idle};

static double wall_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e9 + t.tv_nsec;
}

static void measure(unsigned spinners, unsigned sleepers)
{
	static struct scheduler s;
	static struct sched_entity e[SCHED_MAX_ENTITIES];
	static int sleeper_tag;
	double start;
	unsigned i;

	fake_tsc = 1000;
	sched_init(&s, &ops, NULL, 1000000000ULL);
	for (i = 0; i < spinners + sleepers && i < SCHED_MAX_ENTITIES; i++)
		sched_add(&s, &e[i], i < spinners ? NULL : &sleeper_tag);
	start = wall_ns();
	for (i = 0; i < STEPS; i++)
		sched_step(&s);
	printf("%2u spinner(s), %2u sleeper(s): %6.1f ns per step; %u steps = %llu slices "
	       "(%llu cut short by a wake-up), %llu idles\n",
	       spinners, sleepers, (wall_ns() - start) / STEPS, STEPS,
	       (unsigned long long)s.stats.switches, (unsigned long long)s.stats.preemptions,
	       (unsigned long long)s.stats.idles);
}

/* With two arguments (spinners, sleepers): that one mix only, for callgrind. */
int main(int argc, char **argv)
{
	if (argc > 2) {
		unsigned spinners = 0, sleepers = 0;

		if (sscanf(argv[1], "%u", &spinners) != 1 ||
		    sscanf(argv[2], "%u", &sleepers) != 1) {
			fprintf(stderr, "usage: %s [SPINNERS SLEEPERS]\n", argv[0]);
			return 2;
		}
		measure(spinners, sleepers);
		return 0;
	}
	measure(1, 0);
	measure(4, 0);
	measure(2, 2);
	measure(8, 8);
	measure(0, 4);
	return 0;
}
