/* Synthetic timers (STIMER0-3): one-shot and periodic, expiry by SynIC message or direct vector. */
#include "libhv/core/hv_internal.h"

/*
 * TLFS "Synthetic Timers". Times are reference times (core/reference_time.c, 100 ns units).
 * A one-shot timer's COUNT is the absolute expiration time; a periodic timer's is the period.
 * The run loop (core/vp.c) asks hv_synthetic_deadline() for the host TSC of the earliest armed
 * timer and calls hv_synthetic_poll() at each exit, which fires what is due. A timer never
 * fires before its time (the deadline is the first TSC whose reference time has reached it).
 *
 * Message mode writes HVMSG_TIMER_EXPIRED into SINTx's slot; if the slot is busy the timer
 * stays pending (the slot's pending flag is set) and fires again at the guest's EOM or at the
 * next exit. Direct mode asserts the APIC vector through the partition's interrupt target.
 * Every periodic timer is lazy, as on KVM: expirations missed while one was pending or the VP
 * was not running are dropped, and the next expiry is the next period boundary after now.
 */

static struct hv_stimer *timer_of(struct hv_vp *vp, uint32_t index)
{
	return &vp->synthetic.stimer[(index - HV_X64_MSR_STIMER0_CONFIG) / 2];
}

static uint64_t now_ref(struct hv_vp *vp)
{
	return reftime_at(vp->partition, synthetic_read_tsc());
}

static bool is_direct(const struct hv_stimer *t)
{
	return t->config & HV_STIMER_DIRECT_MODE;
}

static uint32_t sint_of(const struct hv_stimer *t)
{
	return (uint32_t)((t->config & HV_STIMER_SINT_MASK) >> HV_STIMER_SINT_SHIFT);
}

/* Reference times saturate: a period that would overflow means "never again". */
static uint64_t sat_add(uint64_t a, uint64_t b)
{
	uint64_t r;

	return __builtin_add_overflow(a, b, &r) ? UINT64_MAX : r;
}

static void disable(struct hv_stimer *t)
{
	t->config &= ~HV_STIMER_ENABLE;
	t->armed = false;
	t->pending = false;
}

/* Deliver one expiry; false when the message could not go in (the timer stays pending). */
static bool deliver(struct hv_vp *vp, struct hv_stimer *t, uint64_t now)
{
	struct hv_message msg = {0};
	struct hv_timer_message_payload payload = {
	    .timer_index = (uint32_t)(t - vp->synthetic.stimer),
	    .expiration_time = t->expiration,
	    .delivery_time = now,
	};

	if (is_direct(t)) {
		synic_assert_vector(
		    vp, (uint8_t)((t->config & HV_STIMER_VECTOR_MASK) >> HV_STIMER_VECTOR_SHIFT),
		    false);
		return true;
	}
	msg.message_type = HVMSG_TIMER_EXPIRED;
	msg.payload_size = sizeof(payload);
	__builtin_memcpy(msg.payload, &payload, sizeof(payload));
	return synic_deliver(vp, sint_of(t), &msg, false) == HV_STATUS_SUCCESS;
}

/* The timer is due (or pending): deliver it, then re-arm a periodic one or retire a one-shot. */
static void fire(struct hv_vp *vp, struct hv_stimer *t, uint64_t now)
{
	if (!deliver(vp, t, now)) {
		t->armed = false;
		t->pending = true;
		return;
	}
	t->pending = false;
	if (!(t->config & HV_STIMER_PERIODIC)) {
		disable(t); /* a one-shot timer disables itself when it expires */
		return;
	}
	t->expiration = sat_add(t->expiration, t->count);
	if (t->expiration <= now) /* lazy: skip to the next period boundary after now */
		t->expiration = sat_add(now, t->count - (now - t->expiration) % t->count);
	t->armed = true;
}

/* Enable took effect: arm from now. A one-shot time already past expires at once. */
static void start(struct hv_vp *vp, struct hv_stimer *t)
{
	uint64_t now = now_ref(vp);

	t->pending = false;
	if (t->count == 0) {
		disable(t);
		return;
	}
	if (t->config & HV_STIMER_PERIODIC)
		t->expiration = sat_add(now, t->count);
	else
		t->expiration = t->count;
	t->armed = true;
	if (t->expiration <= now)
		fire(vp, t, now);
}

/* TLFS: SINTx 0 cannot be used by an enabled message-mode timer: it is disabled instead. */
static bool can_enable(const struct hv_stimer *t)
{
	return is_direct(t) || sint_of(t) != 0;
}

static enum syn_msr write_config(struct hv_vp *vp, struct hv_stimer *t, uint64_t value)
{
	uint64_t vector = (value & HV_STIMER_VECTOR_MASK) >> HV_STIMER_VECTOR_SHIFT;

	if (value & HV_STIMER_RESERVED)
		return SYN_MSR_GP;
	if ((value & HV_STIMER_DIRECT_MODE) && vector < HV_SINT_MIN_VECTOR)
		return SYN_MSR_GP;
	t->config = value;
	t->armed = false;
	t->pending = false;
	if (!can_enable(t))
		t->config &= ~HV_STIMER_ENABLE;
	if (t->config & HV_STIMER_ENABLE)
		start(vp, t);
	return SYN_MSR_DONE;
}

static void write_count(struct hv_vp *vp, struct hv_stimer *t, uint64_t value)
{
	t->count = value;
	t->armed = false;
	t->pending = false;
	if (value == 0)
		t->config &= ~HV_STIMER_ENABLE; /* a count of 0 stops the timer */
	else if ((t->config & HV_STIMER_AUTO_ENABLE) && can_enable(t))
		t->config |= HV_STIMER_ENABLE;
	if (t->config & HV_STIMER_ENABLE)
		start(vp, t);
}

/* The timers exist only with the reference time (CPUID says so): otherwise every access is #GP. */
enum syn_msr stimer_msr(struct hv_vp *vp, uint32_t index, bool write, uint64_t *value)
{
	struct hv_stimer *t;
	bool is_config;

	if (index < HV_X64_MSR_STIMER0_CONFIG || index > HV_X64_MSR_STIMER3_COUNT)
		return SYN_MSR_UNKNOWN;
	if (!reftime_available(vp->partition))
		return SYN_MSR_GP;
	t = timer_of(vp, index);
	is_config = ((index - HV_X64_MSR_STIMER0_CONFIG) % 2) == 0;
	if (!write) {
		*value = is_config ? t->config : t->count;
		return SYN_MSR_DONE;
	}
	if (is_config)
		return write_config(vp, t, *value);
	write_count(vp, t, *value);
	return SYN_MSR_DONE;
}

static void poll_timers(struct hv_vp *vp, uint64_t now)
{
	for (uint32_t i = 0; i < HV_STIMER_COUNT; i++) {
		struct hv_stimer *t = &vp->synthetic.stimer[i];

		if (t->pending || (t->armed && now >= t->expiration))
			fire(vp, t, now);
	}
}

void stimer_retry(struct hv_vp *vp)
{
	if (reftime_available(vp->partition))
		poll_timers(vp, now_ref(vp));
}

uint64_t hv_synthetic_deadline(struct hv_vp *vp)
{
	uint64_t earliest = UINT64_MAX;

	if (!reftime_available(vp->partition))
		return 0;
	for (uint32_t i = 0; i < HV_STIMER_COUNT; i++) {
		const struct hv_stimer *t = &vp->synthetic.stimer[i];

		if (t->armed && t->expiration < earliest)
			earliest = t->expiration;
	}
	if (earliest == UINT64_MAX)
		return 0;
	earliest = reftime_to_tsc(vp->partition, earliest);
	/* 0 means "none": a timer due at TSC 0 is due now, and TSC 1 is just as good. */
	return earliest == UINT64_MAX ? 0 : (earliest ? earliest : 1);
}

void hv_synthetic_poll(struct hv_vp *vp, uint64_t now)
{
	synic_retry(vp);
	if (reftime_available(vp->partition))
		poll_timers(vp, reftime_at(vp->partition, now));
}

uint64_t hv_vp_next_timer_tsc(struct hv_vp *vp)
{
	return vp ? hv_synthetic_deadline(vp) : 0;
}

bool hv_vp_poll_timers(struct hv_vp *vp)
{
	bool asserted;

	if (!vp)
		return false;
	hv_synthetic_poll(vp, synthetic_read_tsc());
	/* The monitor hears of it here, not through hv_vp_run's HV_EXIT_INTERRUPT_ASSERTED. */
	asserted = vp->interrupt_asserted;
	vp->interrupt_asserted = false;
	return asserted;
}
