/* The partition scheduler: round robin in time slices, wake-ups to the head, idle until the next wake. */
#include "monitor/scheduler.h"

#include <string.h>

#include "devices/clock.h"
#include "monitor/lib/errno.h"

#define DEFAULT_TSC_HZ 1000000000ULL

void sched_init(struct scheduler *s, const struct sched_ops *ops, void *ctx, uint64_t tsc_hz)
{
	if (tsc_hz == 0)
		tsc_hz = DEFAULT_TSC_HZ;
	memset(s, 0, sizeof(*s));
	s->ops = ops;
	s->ctx = ctx;
	s->slice_tsc = clock_ns_to_ticks(SCHED_SLICE_NS, tsc_hz);
	s->min_slice_tsc = clock_ns_to_ticks(SCHED_MIN_SLICE_NS, tsc_hz);
	/* A clock too slow to count a slice would make every slice empty: keep at least a cycle. */
	if (s->slice_tsc == 0)
		s->slice_tsc = 1;
	if (s->min_slice_tsc == 0 || s->min_slice_tsc > s->slice_tsc)
		s->min_slice_tsc = s->slice_tsc;
}

static void push_back(struct scheduler *s, struct sched_entity *e)
{
	s->queue[s->queued++] = e;
}

/* Woken entities go first: a sleeper's timer must not wait behind every spinner's slice. */
static void push_front(struct scheduler *s, struct sched_entity *e)
{
	memmove(&s->queue[1], &s->queue[0], s->queued * sizeof(s->queue[0]));
	s->queue[0] = e;
	s->queued++;
}

static struct sched_entity *pop_front(struct scheduler *s)
{
	struct sched_entity *e = s->queue[0];

	s->queued--;
	memmove(&s->queue[0], &s->queue[1], s->queued * sizeof(s->queue[0]));
	return e;
}

int sched_add(struct scheduler *s, struct sched_entity *e, void *opaque)
{
	if (s->count == SCHED_MAX_ENTITIES)
		return -ENOSPC;
	memset(e, 0, sizeof(*e));
	e->opaque = opaque;
	e->state = SCHED_RUNNABLE;
	s->entities[s->count++] = e;
	push_back(s, e);
	return 0;
}

/*
 * Move every blocked entity whose wake time has come to the head of the run queue, earliest wake
 * first (so among several sleepers the one that has waited longest runs first). Returns the
 * earliest wake time of those still blocked (SCHED_WAKE_NEVER for none).
 */
static uint64_t wake_due(struct scheduler *s, uint64_t now)
{
	uint64_t earliest = SCHED_WAKE_NEVER;
	struct sched_entity *woken[SCHED_MAX_ENTITIES];
	size_t nwoken = 0;

	for (size_t i = 0; i < s->count; i++) {
		struct sched_entity *e = s->entities[i];
		size_t j;

		if (e->state != SCHED_BLOCKED)
			continue;
		if (e->wake_tsc > now) {
			if (e->wake_tsc < earliest)
				earliest = e->wake_tsc;
			continue;
		}
		/* Insertion sort by wake time, latest first: pushing each to the front reverses it. */
		for (j = nwoken; j > 0 && woken[j - 1]->wake_tsc < e->wake_tsc; j--)
			woken[j] = woken[j - 1];
		woken[j] = e;
		nwoken++;
	}
	for (size_t i = 0; i < nwoken; i++) {
		struct sched_entity *e = woken[i];

		e->state = SCHED_RUNNABLE;
		e->woken = true;
		e->wakeups++;
		push_front(s, e);
	}
	return earliest;
}

/* Nothing runnable and nothing will ever wake: the remaining entities can never run again. */
static bool stop_stalled(struct scheduler *s)
{
	bool any = false;

	for (size_t i = 0; i < s->count; i++) {
		struct sched_entity *e = s->entities[i];

		if (e->state != SCHED_BLOCKED)
			continue;
		if (s->ops->stalled)
			s->ops->stalled(s->ctx, e);
		e->state = SCHED_STOPPED;
		any = true;
	}
	return any;
}

/*
 * The slice's end: a full slice, cut short at the next wake-up of a blocked entity, but never
 * shorter than the minimum slice. Overflow-safe: `start` may be anywhere in the TSC's range.
 */
static uint64_t slice_end(const struct scheduler *s, uint64_t start, uint64_t next_wake)
{
	uint64_t full = start > UINT64_MAX - s->slice_tsc ? UINT64_MAX : start + s->slice_tsc;
	uint64_t least =
	    start > UINT64_MAX - s->min_slice_tsc ? UINT64_MAX : start + s->min_slice_tsc;

	if (next_wake >= full)
		return full;
	return next_wake > least ? next_wake : least;
}

static void run_one(struct scheduler *s, uint64_t now, uint64_t next_wake)
{
	struct sched_entity *e = pop_front(s);
	uint64_t end = slice_end(s, now, next_wake);
	struct sched_outcome out;
	uint64_t after;

	if (e->woken) {
		uint64_t delay = now > e->wake_tsc ? now - e->wake_tsc : 0;

		if (delay > e->max_wake_delay_tsc)
			e->max_wake_delay_tsc = delay;
		e->woken = false;
	}
	if (end < now + s->slice_tsc && now <= UINT64_MAX - s->slice_tsc)
		s->stats.preemptions++;
	s->stats.switches++;
	e->slices++;
	out = s->ops->run_slice(s->ctx, e, end);
	after = s->ops->now(s->ctx);
	e->cpu_tsc += after > now ? after - now : 0;

	switch (out.state) {
	case SCHED_RUNNABLE: push_back(s, e); break;
	case SCHED_BLOCKED:
		e->state = SCHED_BLOCKED;
		e->wake_tsc = out.wake_tsc;
		break;
	default: e->state = SCHED_STOPPED; break;
	}
}

bool sched_step(struct scheduler *s)
{
	uint64_t now = s->ops->now(s->ctx);
	uint64_t next_wake = wake_due(s, now);

	if (s->queued) {
		run_one(s, now, next_wake);
		return true;
	}
	if (next_wake == SCHED_WAKE_NEVER)
		return stop_stalled(s); /* false when every entity had stopped already */
	s->stats.idles++;
	s->ops->idle(s->ctx, next_wake);
	{
		uint64_t after = s->ops->now(s->ctx);

		s->stats.idle_tsc += after > now ? after - now : 0;
	}
	return true;
}

void sched_run(struct scheduler *s)
{
	while (sched_step(s))
		;
}
