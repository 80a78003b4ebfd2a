/* The synthetic interrupt controller: SynIC MSRs, message slots, event flags, SINT interrupts. */
#include <string.h>

#include "libhv/core/guest_memory.h"
#include "libhv/core/hv_internal.h"

/*
 * TLFS "Synthetic Interrupt Controller (SynIC)". Each VP has 16 SINTs; a SINT has a slot in the
 * message page (SIMP) and 2048 flags in the event-flags page (SIEFP). Both pages are guest RAM
 * that libhv writes (the TLFS makes them overlays; like KVM, libhv clears the RAM on enable).
 * libhv never trusts them: every access goes through guest_span(), because the guest (or the
 * monitor's unmap) can take the RAM away at any time.
 */

#define SYNIC_PAGE_RIGHTS (HV_MAP_GPA_READABLE | HV_MAP_GPA_WRITABLE)

static uint64_t sint_get(const struct hv_vp *vp, uint32_t sint)
{
	return vp->synthetic.sint_x[sint] ^ HV_SINT_MASKED;
}

static bool synic_enabled(const struct hv_vp *vp)
{
	return vp->synthetic.scontrol & HV_SYNIC_CONTROL_ENABLE;
}

hv_status_t hv_partition_set_interrupt_target(struct hv_partition *p,
                                              const struct hv_interrupt_target *target)
{
	if (!p || (target && !target->assert_interrupt))
		return HV_STATUS_INVALID_PARAMETER;
	p->synthetic.has_interrupt_target = target != NULL;
	if (target)
		p->synthetic.interrupt_target = *target;
	return HV_STATUS_SUCCESS;
}

void synic_assert_vector(struct hv_vp *vp, uint8_t vector, bool auto_eoi)
{
	struct hv_partition_synthetic *s = &vp->partition->synthetic;

	if (!s->has_interrupt_target) {
		if (!s->warned_no_target)
			hv_log("partition %s: no interrupt target: SynIC vector %u dropped",
			       vp->partition->name, vector);
		s->warned_no_target = true;
		return;
	}
	s->interrupt_target.assert_interrupt(s->interrupt_target.opaque, vp->index, vector,
	                                     auto_eoi);
	vp->interrupt_asserted = true;
}

/* The SINT's vector, unless it is masked or polled (then the guest looks at the page itself). */
static void raise_sint(struct hv_vp *vp, uint32_t sint)
{
	uint64_t v = sint_get(vp, sint);

	if (!synic_enabled(vp) || (v & (HV_SINT_MASKED | HV_SINT_POLLING)))
		return;
	synic_assert_vector(vp, (uint8_t)(v & HV_SINT_VECTOR_MASK), (v & HV_SINT_AUTO_EOI) != 0);
}

static struct hv_message *message_slot(struct hv_vp *vp, uint32_t sint)
{
	void *slot;
	hv_gpa_t gpa =
	    (vp->synthetic.simp & HV_SYNIC_PAGE_PAGE_MASK) + sint * sizeof(struct hv_message);

	if (guest_span(vp->partition, gpa, sizeof(struct hv_message), SYNIC_PAGE_RIGHTS, &slot)) {
		hv_log("partition %s: SynIC message page at GPA %#llx is no longer RAM",
		       vp->partition->name, (unsigned long long)(gpa & HV_SYNIC_PAGE_PAGE_MASK));
		return NULL;
	}
	return slot;
}

/* The type last, after a fence: a guest that polls the slot never sees half a message. */
static void write_slot(struct hv_message *slot, const struct hv_message *msg)
{
	slot->payload_size = msg->payload_size;
	slot->message_flags = 0;
	slot->reserved = 0;
	slot->sender = msg->sender;
	memcpy(slot->payload, msg->payload, msg->payload_size);
	__atomic_thread_fence(__ATOMIC_RELEASE);
	slot->message_type = msg->message_type;
}

/* Move SINT `sint`'s queued message into its slot if the guest has freed it. */
static void retry_sint(struct hv_vp *vp, uint32_t sint)
{
	struct hv_message *slot;

	if (!(vp->synthetic.queued & (1U << sint)) || !synic_enabled(vp) ||
	    !(vp->synthetic.simp & HV_SYNIC_PAGE_ENABLE) || (sint_get(vp, sint) & HV_SINT_MASKED))
		return;
	slot = message_slot(vp, sint);
	if (!slot || slot->message_type != HVMSG_NONE)
		return;
	write_slot(slot, &vp->synthetic.queue[sint]);
	vp->synthetic.queued &= (uint16_t) ~(1U << sint);
	raise_sint(vp, sint);
}

void synic_retry(struct hv_vp *vp)
{
	for (uint32_t sint = 0; vp->synthetic.queued && sint < HV_SYNIC_SINT_COUNT; sint++)
		retry_sint(vp, sint);
}

hv_status_t synic_deliver(struct hv_vp *vp, uint32_t sint, const struct hv_message *msg, bool queue)
{
	struct hv_message *slot;

	if (!synic_enabled(vp) || !(vp->synthetic.simp & HV_SYNIC_PAGE_ENABLE) ||
	    (sint_get(vp, sint) & HV_SINT_MASKED))
		return HV_STATUS_INVALID_SYNIC_STATE;
	/* An older message waiting for this SINT goes first. */
	retry_sint(vp, sint);
	slot = message_slot(vp, sint);
	if (!slot)
		return HV_STATUS_INVALID_SYNIC_STATE;
	if (slot->message_type != HVMSG_NONE || (vp->synthetic.queued & (1U << sint))) {
		/* TLFS "Message Buffers": the guest sees the flag and writes EOM once it frees the slot. */
		slot->message_flags |= HV_MESSAGE_FLAG_PENDING;
		if (!queue || (vp->synthetic.queued & (1U << sint)))
			return HV_STATUS_INSUFFICIENT_BUFFERS;
		vp->synthetic.queue[sint] = *msg;
		vp->synthetic.queued |= (uint16_t)(1U << sint);
		return HV_STATUS_SUCCESS;
	}
	write_slot(slot, msg);
	raise_sint(vp, sint);
	return HV_STATUS_SUCCESS;
}

hv_status_t hv_vp_post_message(struct hv_vp *vp, uint32_t sint, uint32_t message_type,
                               const void *payload, uint32_t size)
{
	struct hv_message msg = {0};

	if (!vp || sint >= HV_SYNIC_SINT_COUNT || message_type == HVMSG_NONE ||
	    (message_type & HVMSG_HYPERVISOR) || size > HV_MESSAGE_MAX_PAYLOAD ||
	    (size && !payload))
		return HV_STATUS_INVALID_PARAMETER;
	msg.message_type = message_type;
	msg.payload_size = (uint8_t)size;
	if (size)
		memcpy(msg.payload, payload, size);
	return synic_deliver(vp, sint, &msg, true);
}

hv_status_t hv_vp_signal_event(struct hv_vp *vp, uint32_t sint, uint32_t flag, bool *newly_set)
{
	hv_gpa_t gpa;
	uint64_t *word, bit, old;

	if (newly_set)
		*newly_set = false;
	if (!vp || sint >= HV_SYNIC_SINT_COUNT || flag >= HV_EVENT_FLAGS_PER_SINT)
		return HV_STATUS_INVALID_PARAMETER;
	/* TLFS "Event Flag Delivery": a masked SINT is INVALID_SYNIC_STATE, like a disabled page. */
	if (!synic_enabled(vp) || !(vp->synthetic.siefp & HV_SYNIC_PAGE_ENABLE) ||
	    (sint_get(vp, sint) & HV_SINT_MASKED))
		return HV_STATUS_INVALID_SYNIC_STATE;
	gpa = (vp->synthetic.siefp & HV_SYNIC_PAGE_PAGE_MASK) +
	      sint * (HV_EVENT_FLAGS_PER_SINT / 8) + (flag / 64) * 8;
	if (guest_span(vp->partition, gpa, 8, SYNIC_PAGE_RIGHTS, (void **)&word)) {
		hv_log("partition %s: SynIC event-flags page at GPA %#llx is no longer RAM",
		       vp->partition->name, (unsigned long long)(gpa & HV_SYNIC_PAGE_PAGE_MASK));
		return HV_STATUS_INVALID_SYNIC_STATE;
	}
	bit = 1ULL << (flag % 64);
	old = __atomic_fetch_or(word, bit, __ATOMIC_SEQ_CST);
	/* Only a flag that went from clear to set interrupts: the guest scans all flags anyway. */
	if (!(old & bit)) {
		raise_sint(vp, sint);
		if (newly_set)
			*newly_set = true;
	}
	return HV_STATUS_SUCCESS;
}

/* SIMP / SIEFP: reserved bits give #GP; enabling clears the page, which must be writable RAM. */
static enum syn_msr write_synic_page(struct hv_vp *vp, uint64_t *msr, uint64_t value)
{
	void *page;

	if (value & HV_SYNIC_PAGE_RESERVED)
		return SYN_MSR_GP;
	if (value & HV_SYNIC_PAGE_ENABLE) {
		if (guest_span(vp->partition, value & HV_SYNIC_PAGE_PAGE_MASK, HV_PAGE_SIZE,
		               SYNIC_PAGE_RIGHTS, &page)) {
			hv_log("partition %s: SynIC page at GPA %#llx is not writable RAM",
			       vp->partition->name,
			       (unsigned long long)(value & HV_SYNIC_PAGE_PAGE_MASK));
			return SYN_MSR_GP;
		}
		memset(page, 0, HV_PAGE_SIZE);
	}
	*msr = value;
	return SYN_MSR_DONE;
}

/*
 * SINTx: reserved bits give #GP, and so does an unmasked SINT with a vector below 16 (KVM
 * accepts such a vector while the SINT is masked, and so does libhv).
 */
static enum syn_msr write_sint(struct hv_vp *vp, uint32_t sint, uint64_t value)
{
	if (value & HV_SINT_RESERVED)
		return SYN_MSR_GP;
	if (!(value & HV_SINT_MASKED) && (value & HV_SINT_VECTOR_MASK) < HV_SINT_MIN_VECTOR)
		return SYN_MSR_GP;
	vp->synthetic.sint_x[sint] = value ^ HV_SINT_MASKED;
	/* Unmasking may let a queued message through. */
	retry_sint(vp, sint);
	return SYN_MSR_DONE;
}

static enum syn_msr synic_write(struct hv_vp *vp, uint32_t index, uint64_t value)
{
	struct hv_vp_synthetic *s = &vp->synthetic;

	switch (index) {
	case HV_X64_MSR_SCONTROL:
		if (value & ~HV_SYNIC_CONTROL_ENABLE)
			return SYN_MSR_GP;
		s->scontrol = value;
		synic_retry(vp);
		return SYN_MSR_DONE;
	case HV_X64_MSR_SVERSION: return SYN_MSR_GP; /* read-only */
	case HV_X64_MSR_SIEFP: return write_synic_page(vp, &s->siefp, value);
	case HV_X64_MSR_SIMP: return write_synic_page(vp, &s->simp, value);
	case HV_X64_MSR_EOM:
		/* The guest freed a slot whose pending flag was set: deliver what waits. */
		synic_retry(vp);
		stimer_retry(vp);
		return SYN_MSR_DONE;
	default: return write_sint(vp, index - HV_X64_MSR_SINT0, value);
	}
}

enum syn_msr synic_msr(struct hv_vp *vp, uint32_t index, bool write, uint64_t *value)
{
	const struct hv_vp_synthetic *s = &vp->synthetic;

	if (!(index >= HV_X64_MSR_SCONTROL && index <= HV_X64_MSR_EOM) &&
	    !(index >= HV_X64_MSR_SINT0 && index <= HV_X64_MSR_SINT15))
		return SYN_MSR_UNKNOWN;
	if (write)
		return synic_write(vp, index, *value);
	switch (index) {
	case HV_X64_MSR_SCONTROL: *value = s->scontrol; break;
	case HV_X64_MSR_SVERSION: *value = HV_SYNIC_VERSION; break;
	case HV_X64_MSR_SIEFP: *value = s->siefp; break;
	case HV_X64_MSR_SIMP: *value = s->simp; break;
	case HV_X64_MSR_EOM: *value = 0; break; /* write-only: reads 0, as on KVM */
	default: *value = sint_get(vp, index - HV_X64_MSR_SINT0); break;
	}
	return SYN_MSR_DONE;
}
