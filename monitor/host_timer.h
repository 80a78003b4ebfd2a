/* The monitor's host timer interrupt: the local APIC timer, armed for a TSC value, and idling. */
#ifndef MONITOR_HOST_TIMER_H
#define MONITOR_HOST_TIMER_H

#include <stdbool.h>
#include <stdint.h>

/*
 * The monitor runs with interrupts off (IF=0) except inside host_timer_take_interrupts() and
 * host_timer_idle_until(): the only host interrupt it enables is its own local APIC timer
 * (HOST_TIMER_VECTOR), and the legacy 8259s are remapped to vectors 0x20-0x2F and masked. A
 * timer interrupt that arrives while a guest runs stops the guest (an exit); the handler runs
 * when the monitor next opens its interrupt window. monitor/arch/host_timer.c; test/fakes/.
 */

#define HOST_TIMER_VECTOR    0xF0U /* high priority class: nothing else is enabled anyway */
#define HOST_SPURIOUS_VECTOR 0xFFU /* the APIC's spurious vector (low nibble all ones, for P6) */

enum host_timer_mode {
	HOST_TIMER_NONE =
	    0, /* no local APIC: deadlines then rely on polling (libhv's VMX preemption timer) */
	HOST_TIMER_ONESHOT,     /* the APIC timer's count-down, calibrated against the TSC */
	HOST_TIMER_TSC_DEADLINE /* IA32_TSC_DEADLINE: the TSC value itself (CPUID.1:ECX[24]) */
};

/*
 * Enable the host's local APIC (its page mapped uncached), install the timer and spurious
 * handlers, and pick the timer's mode: TSC-deadline when the processor has it, else one-shot,
 * calibrated against the TSC (`tsc_hz`). Returns the mode.
 */
enum host_timer_mode host_timer_init(uint64_t tsc_hz);

/* The mode host_timer_init() chose, and the one-shot count rate in Hz (0 otherwise). */
enum host_timer_mode host_timer_mode(void);
uint64_t host_timer_count_hz(void);
const char *host_timer_mode_name(enum host_timer_mode mode);

/*
 * Make the timer interrupt arrive once the TSC reaches `tsc` (0: cancel), replacing any earlier
 * request (struct hv_host_ops.arm_timer). In one-shot mode a deadline further away than the
 * counter reaches fires early: callers check the TSC and arm again.
 */
void host_timer_arm(uint64_t tsc);

/* STI; NOP; CLI: let pending host interrupts be taken (struct hv_host_ops.take_interrupts). */
void host_timer_take_interrupts(void);

/* Halt the CPU (interrupts on only while halted) until the TSC reaches `tsc`. */
void host_timer_idle_until(uint64_t tsc);

/* How many timer interrupts the handler has taken (for tests and the summary). */
uint64_t host_timer_fired(void);

#endif
