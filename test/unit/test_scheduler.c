/* Unit tests for the partition scheduler (monitor/scheduler.c), driven by a fake TSC. */
#include <criterion/criterion.h>
#include <stdint.h>
#include <string.h>

#include "monitor/lib/errno.h"
#include "monitor/scheduler.h"

/* A 1 GHz fake TSC: one cycle per nanosecond, so slices are 10,000,000 cycles. */
#define HZ    1000000000ULL
#define SLICE (SCHED_SLICE_NS)
#define MIN   (SCHED_MIN_SLICE_NS)

enum kind {
	SPINNER, /* runs until the slice ends, `budget` cycles in all, then stops */
	SLEEPER, /* runs `work` cycles, then blocks for `sleep` cycles; stops after `rounds` */
	FOREVER, /* blocks once with no wake time */
};

struct fake {
	enum kind kind;
	uint64_t budget, work, sleep;
	unsigned rounds, done;
	uint64_t overrun; /* how far past the slice's end run_slice returns (a timer's lateness) */
	uint64_t ran;     /* cycles it really ran */
	uint64_t last_end;
	unsigned stalled;
};

struct world {
	uint64_t now;
	unsigned idles;
	uint64_t last_idle_until;
	char trace[256]; /* who ran, one letter per slice ('.' for idle) */
	size_t ntrace;
	struct fake *fakes[8];
};

static struct world w;

static uint64_t fake_now(void *ctx)
{
	return ((struct world *)ctx)->now;
}

static void trace(char c)
{
	if (w.ntrace + 1 < sizeof(w.trace))
		w.trace[w.ntrace++] = c;
}

static char letter(const struct fake *f)
{
	for (unsigned i = 0; i < 8; i++)
		if (w.fakes[i] == f)
			return (char)('A' + i);
	return '?';
}

static struct sched_outcome fake_run(void *ctx, struct sched_entity *e, uint64_t end)
{
	struct world *wd = ctx;
	struct fake *f = e->opaque;
	uint64_t start = wd->now;

	f->last_end = end;
	trace(letter(f));
	switch (f->kind) {
	case SPINNER: {
		uint64_t left = f->budget - f->ran;
		uint64_t slice = end + f->overrun - start;

		if (left <= slice) {
			wd->now += left;
			f->ran += left;
			return (struct sched_outcome){.state = SCHED_STOPPED};
		}
		wd->now += slice;
		f->ran += slice;
		return (struct sched_outcome){.state = SCHED_RUNNABLE};
	}
	case SLEEPER:
		wd->now += f->work;
		f->ran += f->work;
		if (++f->done >= f->rounds)
			return (struct sched_outcome){.state = SCHED_STOPPED};
		return (struct sched_outcome){.state = SCHED_BLOCKED,
		                              .wake_tsc = wd->now + f->sleep};
	case FOREVER:
	default:
		return (struct sched_outcome){.state = SCHED_BLOCKED, .wake_tsc = SCHED_WAKE_NEVER};
	}
}

static void fake_idle(void *ctx, uint64_t until)
{
	struct world *wd = ctx;

	cr_assert_gt(until, wd->now, "idle is asked for a time still to come");
	wd->idles++;
	wd->last_idle_until = until;
	trace('.');
	wd->now = until;
}

static void fake_stalled(void *ctx, struct sched_entity *e)
{
	(void)ctx;
	((struct fake *)e->opaque)->stalled++;
}

static const struct sched_ops ops = {
    .now = fake_now, .run_slice = fake_run, .idle = fake_idle, .stalled = fake_stalled};

static struct scheduler s;
static struct sched_entity ents[8];
static struct fake fakes[8];

static void setup(void)
{
	memset(&w, 0, sizeof(w));
	memset(fakes, 0, sizeof(fakes));
	w.now = 5000; /* not zero: times are absolute TSC values */
	sched_init(&s, &ops, &w, HZ);
}

static void add(unsigned i, struct fake f)
{
	fakes[i] = f;
	w.fakes[i] = &fakes[i];
	cr_assert_eq(sched_add(&s, &ents[i], &fakes[i]), 0);
}

TestSuite(scheduler, .init = setup);

Test(scheduler, slice_lengths_follow_the_tsc_frequency)
{
	cr_expect_eq(s.slice_tsc, 10000000ULL);
	cr_expect_eq(s.min_slice_tsc, 1000000ULL);
	sched_init(&s, &ops, &w, 3000000000ULL);
	cr_expect_eq(s.slice_tsc, 30000000ULL, "10 ms of a 3 GHz TSC");
	sched_init(&s, &ops, &w, 0);
	cr_expect_eq(s.slice_tsc, 10000000ULL, "an unknown frequency is taken as 1 GHz");
}

Test(scheduler, round_robin_between_spinners_is_fair)
{
	add(0, (struct fake){.kind = SPINNER, .budget = 20 * SLICE});
	add(1, (struct fake){.kind = SPINNER, .budget = 20 * SLICE});
	add(2, (struct fake){.kind = SPINNER, .budget = 20 * SLICE});
	sched_run(&s);
	cr_expect_eq(strncmp(w.trace, "ABCABCABCABC", 12), 0, "trace %s", w.trace);
	for (unsigned i = 0; i < 3; i++) {
		cr_expect_eq(ents[i].state, SCHED_STOPPED);
		cr_expect_eq(ents[i].slices, 20U, "each had 20 full slices");
		cr_expect_eq(ents[i].cpu_tsc, 20 * SLICE, "CPU time is exactly what it ran");
	}
	cr_expect_eq(s.stats.switches, 60U);
	cr_expect_eq(s.stats.preemptions, 0U);
	cr_expect_eq(w.idles, 0U);
}

Test(scheduler, a_spinner_does_not_delay_a_sleepers_wake_beyond_a_slice)
{
	/* B sleeps 3.3 ms between tiny bursts of work while A spins for a whole second. */
	add(0, (struct fake){.kind = SPINNER, .budget = 100 * SLICE});
	add(1, (struct fake){.kind = SLEEPER, .work = 2000, .sleep = 3300000, .rounds = 50});
	sched_run(&s);
	cr_expect_eq(ents[1].state, SCHED_STOPPED);
	cr_expect_eq(ents[1].wakeups, 49U);
	cr_expect_leq(ents[1].max_wake_delay_tsc, SLICE, "woken within one slice");
	cr_expect_leq(ents[1].max_wake_delay_tsc, MIN, "in fact within the minimum slice");
	cr_expect_gt(s.stats.preemptions, 0U, "wake-ups cut the spinner's slices");
	cr_expect_eq(fakes[0].ran, 100 * SLICE, "the spinner still gets all its work done");
}

Test(scheduler, a_late_timer_still_bounds_the_delay)
{
	/* The spinner's slices end 200 us late (a coarse host timer): still within one slice. */
	add(0, (struct fake){.kind = SPINNER, .budget = 50 * SLICE, .overrun = 200000});
	add(1, (struct fake){.kind = SLEEPER, .work = 1000, .sleep = 7000000, .rounds = 20});
	sched_run(&s);
	cr_expect_leq(ents[1].max_wake_delay_tsc, SLICE);
	cr_expect_geq(ents[1].max_wake_delay_tsc, 200000U, "the overrun is measured");
}

Test(scheduler, wake_ups_never_cut_a_slice_below_the_minimum)
{
	/* B wakes every 10 us; A must still get at least MIN cycles per slice. */
	add(0, (struct fake){.kind = SPINNER, .budget = 10 * SLICE});
	add(1, (struct fake){.kind = SLEEPER, .work = 100, .sleep = 10000, .rounds = 1000});
	sched_run(&s);
	cr_expect_eq(fakes[0].ran, 10 * SLICE);
	cr_expect_leq(ents[0].slices, 10 * SLICE / MIN + 1, "A had %llu slices",
	              (unsigned long long)ents[0].slices);
	cr_expect_leq(ents[1].max_wake_delay_tsc, MIN);
}

Test(scheduler, several_sleepers_wake_in_wake_time_order)
{
	add(0, (struct fake){.kind = SPINNER, .budget = 3 * SLICE});
	add(1, (struct fake){.kind = SLEEPER, .work = 10, .sleep = 500000, .rounds = 2});
	add(2, (struct fake){.kind = SLEEPER, .work = 10, .sleep = 400000, .rounds = 2});
	sched_run(&s);
	/* A, B, C first; B and C block; A runs its minimum slice; C (due earlier) then B. */
	cr_expect_eq(strncmp(w.trace, "ABCACB", 6), 0, "trace %s", w.trace);
}

Test(scheduler, idles_until_the_earliest_wake_when_all_are_blocked)
{
	add(0, (struct fake){.kind = SLEEPER, .work = 1000, .sleep = 5000000, .rounds = 3});
	add(1, (struct fake){.kind = SLEEPER, .work = 1000, .sleep = 2000000, .rounds = 3});
	sched_run(&s);
	cr_expect_eq(ents[0].state, SCHED_STOPPED);
	cr_expect_eq(ents[1].state, SCHED_STOPPED);
	cr_expect_geq(w.idles, 3U);
	cr_expect_eq(s.stats.idles, w.idles);
	cr_expect_gt(s.stats.idle_tsc, 0U);
	/* First idle: A blocked until 5000+1000+5000000, B until 5000+2000+2000000: B's comes first. */
	cr_expect_eq(strncmp(w.trace, "AB.B", 4), 0, "trace %s", w.trace);
	cr_expect_eq(ents[0].cpu_tsc, 3000U, "idle time is nobody's CPU time");
	cr_expect_eq(ents[1].cpu_tsc, 3000U);
	cr_expect_eq(ents[0].max_wake_delay_tsc, 0U, "an idle CPU runs a sleeper on time");
}

Test(scheduler, stops_when_every_entity_has_stopped)
{
	add(0, (struct fake){.kind = SPINNER, .budget = 1000});
	cr_expect(sched_step(&s));
	cr_expect_eq(ents[0].state, SCHED_STOPPED);
	cr_expect_not(sched_step(&s), "nothing left to run");
	cr_expect_not(sched_step(&s), "and it stays so");
}

Test(scheduler, an_empty_scheduler_has_nothing_to_do)
{
	cr_expect_not(sched_step(&s));
	cr_expect_eq(w.idles, 0U);
}

Test(scheduler, blocked_forever_with_nothing_runnable_is_stopped_as_stalled)
{
	add(0, (struct fake){.kind = FOREVER});
	add(1, (struct fake){.kind = SPINNER, .budget = 3 * SLICE});
	sched_run(&s);
	cr_expect_eq(fakes[0].stalled, 1U, "reported once");
	cr_expect_eq(ents[0].state, SCHED_STOPPED);
	cr_expect_eq(fakes[1].ran, 3 * SLICE, "the stalled one did not stop the other early");
	cr_expect_eq(w.idles, 0U, "never idles waiting for a wake that cannot come");
}

Test(scheduler, a_blocked_entity_with_a_past_wake_time_runs_again_at_once)
{
	add(0, (struct fake){.kind = SLEEPER, .work = 10, .sleep = 0, .rounds = 5});
	sched_run(&s);
	cr_expect_eq(fakes[0].done, 5U);
	cr_expect_eq(w.idles, 0U);
}

Test(scheduler, refuses_more_than_it_can_hold)
{
	static struct sched_entity many[SCHED_MAX_ENTITIES + 1];

	for (unsigned i = 0; i < SCHED_MAX_ENTITIES; i++)
		cr_assert_eq(sched_add(&s, &many[i], NULL), 0);
	cr_expect_eq(sched_add(&s, &many[SCHED_MAX_ENTITIES], NULL), -ENOSPC);
}

Test(scheduler, slice_end_never_wraps_near_the_top_of_the_tsc)
{
	w.now = UINT64_MAX - 100;
	add(0, (struct fake){.kind = SPINNER, .budget = 50});
	cr_expect(sched_step(&s));
	cr_expect_eq(fakes[0].last_end, UINT64_MAX, "saturated, not wrapped");
}
