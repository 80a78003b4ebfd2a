/* The partition scheduler: time slices on one physical CPU, blocking until a wake time, idling. */
#ifndef MONITOR_SCHEDULER_H
#define MONITOR_SCHEDULER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Portable and free of hardware: time comes from ops->now() and the work from ops->run_slice(),
 * so host tests drive it with a fake clock (test/unit/test_scheduler.c). All times are host TSC
 * values (cycles); docs/scheduling.md explains the policy.
 *
 * The policy, in short: round robin over runnable entities with a fixed slice
 * (SCHED_SLICE_NS). An entity that blocks (a VP in HLT) names the TSC at which it must wake;
 * when that time comes it goes to the head of the run queue, and the entity running then is
 * preempted at that time, but never before it has had SCHED_MIN_SLICE_NS of its slice. So a
 * spinning entity delays a sleeper's wake by at most SCHED_MIN_SLICE_NS (less than one slice),
 * and a sleeper with very short timers cannot make the others switch more often than that.
 * When every entity is blocked the scheduler idles until the earliest wake time.
 */

/* The time slice: 10 ms, Linux's and Xen's order of magnitude (long enough that switches cost
 * well under 1% of the CPU, short enough that a spinner delays nobody noticeably). */
#define SCHED_SLICE_NS 10000000ULL
/* The shortest slice a wake-up preempts: 1 ms (a bound on how often wake-ups force switches). */
#define SCHED_MIN_SLICE_NS 1000000ULL
/* A wake time that never comes: the entity waits for something other than time. */
#define SCHED_WAKE_NEVER UINT64_MAX
/* How many entities one scheduler holds. */
#define SCHED_MAX_ENTITIES 64U

enum sched_state {
	SCHED_RUNNABLE = 0, /* wants the CPU */
	SCHED_BLOCKED,      /* waits for wake_tsc (a HLT until its next virtual timer) */
	SCHED_STOPPED       /* ended: never runs again */
};

/* What one slice ended with: the entity's new state and, when blocked, when to wake it. */
struct sched_outcome {
	enum sched_state state;
	uint64_t wake_tsc; /* SCHED_BLOCKED: the TSC at which it becomes runnable again */
};

/* One schedulable thing (a child partition's VP); the caller owns the memory. */
struct sched_entity {
	void *opaque; /* the caller's (the child) */
	enum sched_state state;
	uint64_t wake_tsc;           /* while SCHED_BLOCKED */
	uint64_t cpu_tsc;            /* TSC cycles spent inside its slices (its CPU time) */
	uint64_t slices;             /* slices it was given */
	uint64_t wakeups;            /* times it went from blocked to runnable */
	uint64_t max_wake_delay_tsc; /* the longest it waited for the CPU after its wake time */
	bool woken; /* woken, not yet run since: its wait is still being measured */
};

struct sched_ops {
	/* The host TSC now (never going backwards). */
	uint64_t (*now)(void *ctx);
	/*
	 * Run `e` until it blocks or stops, or until the TSC reaches `end_tsc` (the slice's end: it
	 * may return a little after it, as a timer would). Returns its new state.
	 */
	struct sched_outcome (*run_slice)(void *ctx, struct sched_entity *e, uint64_t end_tsc);
	/* Every entity is blocked: wait (the CPU halted) until the TSC reaches `until_tsc`. */
	void (*idle)(void *ctx, uint64_t until_tsc);
	/*
	 * Optional: every live entity is blocked and none will ever wake. `e` is one of them; the
	 * scheduler marks it stopped after the call (the caller says why in its log).
	 */
	void (*stalled)(void *ctx, struct sched_entity *e);
};

struct sched_stats {
	uint64_t switches;    /* slices given (each one a switch to some entity) */
	uint64_t preemptions; /* slices cut short by a wake-up */
	uint64_t idles;       /* times the CPU was idle */
	uint64_t idle_tsc;    /* TSC cycles spent idle */
};

struct scheduler {
	const struct sched_ops *ops;
	void *ctx;
	uint64_t slice_tsc;     /* SCHED_SLICE_NS in TSC cycles */
	uint64_t min_slice_tsc; /* SCHED_MIN_SLICE_NS in TSC cycles */
	struct sched_entity *entities[SCHED_MAX_ENTITIES];
	size_t count;
	/* The run queue: the runnable entities in the order they get the CPU. */
	struct sched_entity *queue[SCHED_MAX_ENTITIES];
	size_t queued;
	struct sched_stats stats;
};

/*
 * Set up an empty scheduler. `tsc_hz`: the TSC's frequency, to turn the slice lengths into cycles
 * (0 is taken as 1 GHz).
 */
void sched_init(struct scheduler *s, const struct sched_ops *ops, void *ctx, uint64_t tsc_hz);

/* Add a runnable entity at the tail of the run queue; -ENOSPC when SCHED_MAX_ENTITIES are in. */
int sched_add(struct scheduler *s, struct sched_entity *e, void *opaque);

/*
 * One decision: wake the blocked entities whose time has come, then give the head of the run
 * queue one slice, or idle when nothing is runnable. False once every entity has stopped.
 */
bool sched_step(struct scheduler *s);

/* sched_step() until every entity has stopped. */
void sched_run(struct scheduler *s);

#endif
