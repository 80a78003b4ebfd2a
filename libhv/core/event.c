/* Event injection policy: which event enters the guest next, windows, double faults, deadlines. */
#include "libhv/core/cpu.h"
#include "libhv/core/hv_internal.h"

/*
 * The backends own the mechanism (VMCS/VMCB fields, window exits, timers); this file owns the
 * policy, the same for both vendors: an event whose delivery an exit cut short goes in first,
 * then a queued exception, then an NMI, then the monitor's external interrupt (Intel SDM
 * "Event Injection"; AMD APM "Event Injection" and "Interrupt and Exception Priorities").
 */

bool hv_exception_has_error_code(uint8_t vector)
{
	switch (vector) {
	case 8:
	case 10:
	case 11:
	case 12:
	case 13:
	case 14:
	case 17:
	case 21:
	case 29:
	case 30: return true;
	default: return false;
	}
}

/* The classes of the SDM's "Conditions for Generating a Double Fault" table. */
enum exception_class { CLASS_BENIGN, CLASS_CONTRIBUTORY, CLASS_PAGE_FAULT };

static enum exception_class class_of(uint8_t vector)
{
	switch (vector) {
	case 0:  /* #DE */
	case 10: /* #TS */
	case 11: /* #NP */
	case 12: /* #SS */
	case 13: /* #GP */ return CLASS_CONTRIBUTORY;
	case 14: return CLASS_PAGE_FAULT;
	default: return CLASS_BENIGN;
	}
}

static struct hv_event exception_event(uint8_t vector, bool has_error, uint32_t error)
{
	return (struct hv_event){.valid = true,
	                         .type = HV_EVENT_EXCEPTION,
	                         .vector = vector,
	                         .has_error = has_error,
	                         .error = has_error ? error : 0};
}

/*
 * An event owed to the guest that is not a hardware exception (an external interrupt or NMI
 * whose delivery was cut short) goes back where it came from when an exception overtakes it:
 * it is delivered later, when the guest can take it again. A software interrupt or exception
 * is dropped: RIP still points at its instruction, which runs again after the handler.
 */
static void requeue(struct hv_vp *vp, const struct hv_event *e)
{
	struct hv_vp_events *ev = &vp->events;

	if (e->type == HV_EVENT_NMI) {
		ev->nmi_pending = true;
	} else if (e->type == HV_EVENT_EXTERNAL && !ev->vector_pending) {
		ev->vector_pending = true;
		ev->vector = e->vector;
	}
}

/*
 * Combine the first event (being delivered, or already queued) with a new exception: contributory
 * after contributory, or contributory or #PF after #PF, is a #DF(0); any exception while
 * delivering #DF is a triple fault; otherwise the new one is delivered (serially).
 */
void hv_event_queue_exception(struct hv_vp *vp, uint8_t vector, bool has_error, uint32_t error)
{
	struct hv_vp_events *ev = &vp->events;
	struct hv_event second = exception_event(vector, has_error, error);
	struct hv_event first = {0};

	if (ev->exception.valid) {
		first = ev->exception;
	} else if (ev->reinject.valid) {
		first = ev->reinject;
		ev->reinject.valid = false;
		if (first.type != HV_EVENT_EXCEPTION) {
			requeue(vp, &first);
			first.valid = false;
		}
	}
	if (first.valid) {
		enum exception_class a = class_of(first.vector);
		enum exception_class b = class_of(vector);

		/* SDM "Interrupt 8": any exception while calling the #DF handler shuts down. */
		if (first.vector == X86_VECTOR_DF) {
			ev->triple_fault = true;
			ev->exception.valid = false;
			return;
		}
		if ((a == CLASS_CONTRIBUTORY && b == CLASS_CONTRIBUTORY) ||
		    (a == CLASS_PAGE_FAULT && b != CLASS_BENIGN))
			second = exception_event(X86_VECTOR_DF, true, 0);
	}
	ev->exception = second;
}

bool hv_event_prepare_entry(struct hv_vp *vp)
{
	const struct hv_vendor_ops *vendor = hv_globals.vendor;
	struct hv_vp_events *ev = &vp->events;
	struct hv_interruptibility st;
	struct hv_event chosen = {0};

	if (ev->triple_fault)
		return false;
	vendor->get_interruptibility(vp, &st);
	if (ev->reinject.valid) {
		chosen = ev->reinject;
		ev->reinject.valid = false;
	} else if (ev->exception.valid) {
		chosen = ev->exception;
		ev->exception.valid = false;
	} else if (ev->nmi_pending && !st.nmi_blocked) {
		chosen = (struct hv_event){.valid = true, .type = HV_EVENT_NMI, .vector = 2};
		ev->nmi_pending = false;
	} else if (ev->vector_pending && st.interrupts_enabled && !st.shadow) {
		chosen = (struct hv_event){
		    .valid = true, .type = HV_EVENT_EXTERNAL, .vector = ev->vector};
		ev->vector_pending = false;
	}
	vendor->set_event(vp, chosen.valid ? &chosen : NULL);
	/* A vector handed over but not deliverable yet waits for the window like the monitor does. */
	vendor->set_windows(vp, ev->window_requested || ev->vector_pending, ev->nmi_pending);
	return true;
}

void hv_event_after_exit(struct hv_vp *vp)
{
	struct hv_vp_events *ev = &vp->events;

	if (ev->interrupted.valid) {
		ev->reinject = ev->interrupted;
		ev->interrupted.valid = false;
	}
}

bool hv_event_window_exit(struct hv_vp *vp)
{
	bool asked = vp->events.window_requested;

	vp->events.window_requested = false;
	return asked;
}

static uint64_t earliest(uint64_t a, uint64_t b)
{
	if (!a)
		return b;
	if (!b)
		return a;
	return a < b ? a : b;
}

void hv_event_arm_deadline(struct hv_vp *vp, uint64_t now)
{
	const struct hv_host_ops *host = hv_globals.host;
	uint64_t deadline = earliest(vp->events.deadline, hv_synthetic_deadline(vp));

	if (hv_globals.vendor->arm_deadline(vp, deadline, now))
		return;
	/*
	 * Before every entry with a deadline: the monitor may have used its timer for something
	 * else since (host.h: each call replaces the earlier request). Cancelled once when none.
	 */
	if (host->arm_timer && (deadline || hv_globals.host_timer)) {
		host->arm_timer(deadline);
		hv_globals.host_timer = deadline;
	}
}

/* ---- the public API (hv.h, "Events and time") ---- */

/*
 * The TPR is not looked at: the monitor's local APIC owns it (it reads CR8 through the
 * register interface and masks by priority before it calls this).
 */
bool hv_vp_interrupt_ready(struct hv_vp *vp)
{
	const struct hv_vp_events *ev;
	struct hv_interruptibility st;

	if (!vp || vp->failed)
		return false;
	ev = &vp->events;
	/* One event enters per entry: anything older or of higher priority goes first. */
	if (ev->triple_fault || ev->reinject.valid || ev->exception.valid || ev->vector_pending)
		return false;
	hv_globals.vendor->get_interruptibility(vp, &st);
	if (ev->nmi_pending && !st.nmi_blocked)
		return false;
	return st.interrupts_enabled && !st.shadow;
}

hv_status_t hv_vp_inject_interrupt(struct hv_vp *vp, uint8_t vector)
{
	if (!vp || vector < 32)
		return HV_STATUS_INVALID_PARAMETER;
	if (!hv_vp_interrupt_ready(vp))
		return HV_STATUS_INVALID_VP_STATE;
	vp->events.vector_pending = true;
	vp->events.vector = vector;
	return HV_STATUS_SUCCESS;
}

void hv_vp_request_interrupt_window(struct hv_vp *vp, bool on)
{
	if (vp)
		vp->events.window_requested = on;
}

hv_status_t hv_vp_inject_nmi(struct hv_vp *vp)
{
	if (!vp)
		return HV_STATUS_INVALID_PARAMETER;
	vp->events.nmi_pending = true;
	return HV_STATUS_SUCCESS;
}

void hv_vp_set_deadline(struct hv_vp *vp, uint64_t tsc)
{
	if (vp)
		vp->events.deadline = tsc;
}

hv_status_t hv_vp_inject_exception(struct hv_vp *vp, uint8_t vector, bool has_error_code,
                                   uint32_t error_code)
{
	if (!vp || vector >= 32 || vector == 2 ||
	    has_error_code != hv_exception_has_error_code(vector))
		return HV_STATUS_INVALID_PARAMETER;
	hv_event_queue_exception(vp, vector, has_error_code, error_code);
	return HV_STATUS_SUCCESS;
}
