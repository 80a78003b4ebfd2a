/* The services a monitor that embeds libhv provides to it: pages of host memory and a log. */
#ifndef HV_HOST_H
#define HV_HOST_H

#include <stdarg.h>

#include <hv/types.h>

/**
 * libhv never owns host memory: it asks for it here. A custom monitor fills this table once and
 * passes it to hv_init(). All callbacks may be called only from the thread that calls libhv.
 */
struct hv_host_ops {
	/**
	 * Allocate `count` physically contiguous, zeroed 4 KiB pages whose host-physical address is a
	 * multiple of `align` pages (a power of two). Return the HPA, or 0 when out of memory.
	 */
	hv_hpa_t (*alloc_pages)(size_t count, size_t align);
	/** Give back pages from alloc_pages (same count). */
	void (*free_pages)(hv_hpa_t hpa, size_t count);
	/**
	 * Where the monitor can read and write host-physical memory (identity mapped: return hpa).
	 */
	void *(*hpa_to_hva)(hv_hpa_t hpa);
	/** Log a line (printf-like: %s %c %d %u %x %p with l/ll/z; no trailing newline needed). */
	void (*vlog)(const char *fmt, va_list ap);
	/**
	 * Optional (may be NULL): RDMSR that returns -1 instead of faulting when the MSR does not
	 * exist. libhv uses it for MSRs some processors and emulators lack (AMD's VM_CR on Bochs).
	 */
	int (*rdmsr_safe)(uint32_t msr, uint64_t *value);
	/**
	 * Optional: the host TSC's frequency in Hz as the monitor measured it (the reference TSC
	 * page, TSC_FREQUENCY and the deadlines are computed from it). NULL or 0: libhv does not
	 * advertise the TLFS clocks.
	 */
	uint64_t (*tsc_frequency)(void);
	/**
	 * Optional: make a host interrupt arrive once the TSC reaches `tsc` (0: cancel), replacing
	 * any earlier request. libhv calls it before entering a VP that has a deadline when the
	 * processor has no VMX preemption timer (always on SVM). The interrupt stops the guest.
	 */
	void (*arm_timer)(uint64_t tsc);
	/**
	 * Optional: a host interrupt stopped the guest and is still pending (libhv never
	 * acknowledges one): open the host's interrupt window briefly (STI; NOP; CLI) so the
	 * monitor's own handlers take it. Called with interrupts off, returns with them off.
	 */
	void (*take_interrupts)(void);
};

#endif
