/* The guest side of libhv's channels: Hyper-V detection, SynIC polling, the control session, channel I/O. */
#include "vsc.h"

#include <stddef.h>

#include <hv/abi/hv_hypercall.h>

#include "guest.h"

_Static_assert(offsetof(struct vsc_bus, message_page) % VSC_PAGE_SIZE == 0, "SIMP page-aligned");
_Static_assert(offsetof(struct vsc_bus, event_page) % VSC_PAGE_SIZE == 0, "SIEFP page-aligned");

/* An open-source guest (bit 63) of no registered vendor: the hypervisor only records it. */
#define VSC_GUEST_OS_ID (1ULL << 63 | 0x6c6876ULL << 16)
/* SINT2's vector: unused (polling mode asserts none) but an unmasked SINT needs one >= 16. */
#define VSC_SINT_VECTOR    0x53U
#define VSC_ASSUMED_TSC_HZ 3000000000ULL

static const char *bus_who = "vsc";

uint64_t vsc_rdtsc(void)
{
	uint32_t lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

uint64_t vsc_rdmsr(uint32_t index)
{
	uint32_t lo, hi;

	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(index));
	return ((uint64_t)hi << 32) | lo;
}

void vsc_wrmsr(uint32_t index, uint64_t value)
{
	__asm__ volatile("wrmsr"
	                 :
	                 : "c"(index), "a"((uint32_t)value), "d"((uint32_t)(value >> 32))
	                 : "memory");
}

uint64_t vsc_tsc_to_us(const struct vsc_bus *bus, uint64_t cycles)
{
	uint64_t hz = bus->tsc_hz ? bus->tsc_hz : VSC_ASSUMED_TSC_HZ;

	/* Split so that nothing overflows 64 bits (no 128-bit division in a freestanding guest). */
	return cycles / hz * 1000000U + cycles % hz * 1000000U / hz;
}

static uint64_t gpa_of(const void *p)
{
	return (uint64_t)(uintptr_t)p;
}

static void cpu_relax(void)
{
	__asm__ volatile("pause" ::: "memory");
}

/* Through the hypercall page, the TLFS x64 convention: control in RCX, input in RDX, output in R8. */
static uint64_t hypercall(struct vsc_bus *bus, uint64_t control, uint64_t input, uint64_t output)
{
	register uint64_t r8 __asm__("r8") = output;
	uint64_t result;

	__asm__ volatile("call *%[page]"
	                 : "=a"(result), "+c"(control), "+d"(input), "+r"(r8)
	                 : [page] "r"(bus->hypercall_page)
	                 : "cc", "memory", "r9", "r10", "r11");
	return result;
}

/* A bounded wait: true until VSC_TIMEOUT_MS of TSC time have passed since `start`. */
static bool before_deadline(const struct vsc_bus *bus, uint64_t start)
{
	uint64_t hz = bus->tsc_hz ? bus->tsc_hz : VSC_ASSUMED_TSC_HZ;

	return vsc_rdtsc() - start < hz / 1000U * VSC_TIMEOUT_MS;
}

int vsc_bus_init(struct vsc_bus *bus, const char *who)
{
	struct cpuid_result r = cpuid(1, 0), features;
	uint32_t vendor;

	bus_who = who;
	if (!(r.ecx & CPUID_1_ECX_HYPERVISOR)) {
		guest_printf("%s: no hypervisor bit in CPUID.1:ECX\n", who);
		return -1;
	}
	r = cpuid(HV_CPUID_VENDOR_AND_MAX, 0);
	if (r.ebx != HV_CPUID_SIGNATURE_EBX || r.ecx != HV_CPUID_SIGNATURE_ECX ||
	    r.edx != HV_CPUID_SIGNATURE_EDX || r.eax < HV_CPUID_FEATURES) {
		guest_printf("%s: not Hyper-V (CPUID 0x40000000: max %#x)\n", who, r.eax);
		return -1;
	}
	if (cpuid(HV_CPUID_INTERFACE, 0).eax != HV_CPUID_INTERFACE_HV1) {
		guest_printf("%s: interface is not Hv#1\n", who);
		return -1;
	}
	features = cpuid(HV_CPUID_FEATURES, 0);
	if (!(features.eax & HV_FEATURE_HYPERCALL_MSRS) ||
	    !(features.eax & HV_FEATURE_SYNIC_MSRS)) {
		guest_printf("%s: hypercall or SynIC MSRs not offered (features %#x)\n", who,
		             features.eax);
		return -1;
	}
	if (!(features.ebx & HV_PRIV_POST_MESSAGES) || !(features.ebx & HV_PRIV_SIGNAL_EVENTS)) {
		guest_printf("%s: PostMessage/SignalEvent not allowed (privileges %#x)\n", who,
		             features.ebx);
		return -1;
	}
	vendor = cpuid(0, 0).ebx;
	bus->amd = vendor == 0x68747541U /* "Auth" */ || vendor == 0x6f677948U /* "Hygo" */;
	bus->tsc_hz = (features.eax & HV_FEATURE_FREQUENCY_MSRS)
	                  ? vsc_rdmsr(HV_X64_MSR_TSC_FREQUENCY)
	                  : VSC_ASSUMED_TSC_HZ;

	vsc_wrmsr(HV_X64_MSR_GUEST_OS_ID, VSC_GUEST_OS_ID);
	vsc_wrmsr(HV_X64_MSR_HYPERCALL, gpa_of(bus->hypercall_page) | HV_HYPERCALL_MSR_ENABLE);
	if (!(vsc_rdmsr(HV_X64_MSR_HYPERCALL) & HV_HYPERCALL_MSR_ENABLE)) {
		guest_printf("%s: the hypercall page was not enabled\n", who);
		return -1;
	}

	/* The monitor writes the pages; enabling clears them (libhv does, as KVM). */
	vsc_wrmsr(HV_X64_MSR_SIMP, gpa_of(&bus->message_page) | HV_SYNIC_PAGE_ENABLE);
	vsc_wrmsr(HV_X64_MSR_SIEFP, gpa_of(&bus->event_page) | HV_SYNIC_PAGE_ENABLE);
	vsc_wrmsr(HV_X64_MSR_SINT0 + HV_VMBUS_SINT, VSC_SINT_VECTOR | HV_SINT_POLLING);
	vsc_wrmsr(HV_X64_MSR_SCONTROL, HV_SYNIC_CONTROL_ENABLE);
	if (vsc_rdmsr(HV_X64_MSR_SCONTROL) != HV_SYNIC_CONTROL_ENABLE ||
	    vsc_rdmsr(HV_X64_MSR_SIMP) != (gpa_of(&bus->message_page) | HV_SYNIC_PAGE_ENABLE) ||
	    (vsc_rdmsr(HV_X64_MSR_SINT0 + HV_VMBUS_SINT) & HV_SINT_MASKED)) {
		guest_printf("%s: the SynIC did not take its settings\n", who);
		return -1;
	}
	bus->ready = true;
	return 0;
}

/* Which channel `relid` names, if it is one of ours. */
static struct vsc_channel *channel_of(struct vsc_bus *bus, uint32_t relid)
{
	for (uint32_t i = 0; i < VSC_MAX_CHANNELS; i++)
		if (bus->channels[i] && bus->channels[i]->offer.child_relid == relid)
			return bus->channels[i];
	return NULL;
}

/* A rescind closes our side at once: later sends and receives fail instead of waiting. */
static void note_rescind(struct vsc_bus *bus, const struct vsc_message *m)
{
	struct hv_vmbus_rescind rescind;
	struct vsc_channel *ch;

	if (m->size < sizeof(rescind))
		return;
	memcpy(&rescind, m->u.bytes, sizeof(rescind));
	ch = channel_of(bus, rescind.child_relid);
	if (ch) {
		ch->rescinded = true;
		ch->open = false;
		ch->rescind_reason = rescind.reason;
	}
}

void vsc_poll_messages(struct vsc_bus *bus)
{
	struct hv_message *slot = &bus->message_page.sint_message[HV_VMBUS_SINT];

	while (slot->message_type != HVMSG_NONE) {
		uint32_t type = slot->message_type;
		struct vsc_message *m;

		/* The type is written last by the SynIC: read the rest only after it. */
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		if (bus->queued == VSC_MESSAGE_QUEUE) {
			/* Nobody is taking them: drop the oldest rather than stall the monitor. */
			guest_printf("%s: control message queue full, dropping type %u\n", bus_who,
			             bus->queue[0].u.header.type);
			memmove(&bus->queue[0], &bus->queue[1],
			        sizeof(bus->queue[0]) * (VSC_MESSAGE_QUEUE - 1));
			bus->queued--;
		}
		m = &bus->queue[bus->queued];
		m->size = slot->payload_size > HV_MESSAGE_MAX_PAYLOAD ? HV_MESSAGE_MAX_PAYLOAD
		                                                      : slot->payload_size;
		memcpy(m->u.bytes, slot->payload, m->size);
		/* Only well-formed channel messages are kept; the SINT may carry other services. */
		if (!(type & HVMSG_HYPERVISOR) && m->size >= sizeof(struct hv_vmbus_header)) {
			bus->queued++;
			if (m->u.header.type == HV_VMBUS_RESCIND_OFFER)
				note_rescind(bus, m);
		}
		/* TLFS "Message Buffers": free the slot, then EOM if the monitor has another waiting. */
		slot->message_type = HVMSG_NONE;
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		if (slot->message_flags & HV_MESSAGE_FLAG_PENDING) {
			vsc_wrmsr(HV_X64_MSR_EOM, 0);
			bus->eoms++;
		}
	}
}

/* The channel number a queued message is about (offers carry it elsewhere), or VSC_ANY_RELID. */
static uint32_t message_relid(const struct vsc_message *m)
{
	uint32_t relid;

	if (m->u.header.type == HV_VMBUS_OFFER_CHANNEL) {
		if (m->size < offsetof(struct hv_vmbus_offer, connection_id))
			return VSC_ANY_RELID;
		memcpy(&relid, m->u.bytes + offsetof(struct hv_vmbus_offer, child_relid), 4);
		return relid;
	}
	if (m->u.header.type == HV_VMBUS_VERSION_RESPONSE ||
	    m->u.header.type == HV_VMBUS_ALL_OFFERS_DELIVERED || m->size < 12)
		return VSC_ANY_RELID;
	/* Every other message has child_relid right after the header. */
	memcpy(&relid, m->u.bytes + sizeof(struct hv_vmbus_header), 4);
	return relid;
}

/* Take the oldest queued message whose type is one of `types` (and about `relid`). */
static bool take_message(struct vsc_bus *bus, const uint32_t *types, uint32_t ntypes,
                         uint32_t relid, struct vsc_message *out)
{
	uint64_t start = vsc_rdtsc();

	do {
		vsc_poll_messages(bus);
		for (uint32_t i = 0; i < bus->queued; i++) {
			const struct vsc_message *m = &bus->queue[i];
			bool wanted = false;

			for (uint32_t t = 0; t < ntypes; t++)
				wanted = wanted || m->u.header.type == types[t];
			if (!wanted || (relid != VSC_ANY_RELID && message_relid(m) != relid))
				continue;
			*out = *m;
			memmove(&bus->queue[i], &bus->queue[i + 1],
			        sizeof(bus->queue[0]) * (bus->queued - i - 1));
			bus->queued--;
			return true;
		}
		cpu_relax();
	} while (before_deadline(bus, start));
	return false;
}

bool vsc_wait_message(struct vsc_bus *bus, uint32_t type, uint32_t relid, struct vsc_message *out)
{
	return take_message(bus, &type, 1, relid, out);
}

uint32_t vsc_post(struct vsc_bus *bus, const void *msg, uint32_t size)
{
	struct hv_input_post_message *in = (struct hv_input_post_message *)bus->post_page;
	uint64_t start = vsc_rdtsc();
	uint32_t status;

	if (size > HV_MESSAGE_PAYLOAD_BYTES)
		return HV_STATUS_INVALID_PARAMETER;
	do {
		/* Rewritten each try: the input page is ours, but keep each call self-contained. */
		memset(in, 0, sizeof(*in));
		in->connection_id = HV_VMBUS_MESSAGE_CONNECTION_ID;
		in->message_type = HV_VMBUS_MESSAGE_TYPE;
		in->payload_size = size;
		memcpy(in->payload, msg, size);
		status = (uint32_t)(hypercall(bus, HVCALL_POST_MESSAGE, gpa_of(in), 0) &
		                    HV_HYPERCALL_RESULT_STATUS_MASK);
		bus->posts++;
		if (status != HV_STATUS_INSUFFICIENT_BUFFERS)
			return status;
		/* The monitor's answers wait for our slot: empty it, then try again. */
		vsc_poll_messages(bus);
		cpu_relax();
	} while (before_deadline(bus, start));
	return status;
}

uint32_t vsc_bus_connect(struct vsc_bus *bus)
{
	static const uint32_t offer_types[] = {HV_VMBUS_OFFER_CHANNEL,
	                                       HV_VMBUS_ALL_OFFERS_DELIVERED};
	struct hv_vmbus_initiate_contact contact = {
	    .header.type = HV_VMBUS_INITIATE_CONTACT, .version = HV_VMBUS_VERSION, .target_vp = 0};
	struct hv_vmbus_header request = {.type = HV_VMBUS_REQUEST_OFFERS};
	struct hv_vmbus_version_response response;
	struct vsc_message m;
	uint32_t status;

	if (!bus->ready)
		return HV_STATUS_INVALID_SYNIC_STATE;
	status = vsc_post(bus, &contact, sizeof(contact));
	if (status != HV_STATUS_SUCCESS)
		return status;
	if (!vsc_wait_message(bus, HV_VMBUS_VERSION_RESPONSE, VSC_ANY_RELID, &m))
		return VSC_ERROR_TIMEOUT;
	memset(&response, 0, sizeof(response));
	memcpy(&response, m.u.bytes, m.size < sizeof(response) ? m.size : sizeof(response));
	if (response.supported != 1)
		return HV_STATUS_NOT_ACKNOWLEDGED;
	bus->connected = true;

	bus->offer_count = 0;
	status = vsc_post(bus, &request, sizeof(request));
	if (status != HV_STATUS_SUCCESS)
		return status;
	for (;;) {
		struct hv_vmbus_offer offer;

		if (!take_message(bus, offer_types, 2, VSC_ANY_RELID, &m))
			return VSC_ERROR_TIMEOUT;
		if (m.u.header.type == HV_VMBUS_ALL_OFFERS_DELIVERED)
			return HV_STATUS_SUCCESS;
		/* An offer we cannot use (short, or a flag number past the SINT's 2048) is skipped. */
		if (m.size < sizeof(offer) || bus->offer_count == VSC_MAX_OFFERS)
			continue;
		memcpy(&offer, m.u.bytes, sizeof(offer));
		offer.name[sizeof(offer.name) - 1] = '\0';
		if (offer.child_relid >= HV_EVENT_FLAGS_PER_SINT)
			continue;
		bus->offers[bus->offer_count++] = offer;
	}
}

const struct hv_vmbus_offer *vsc_find_offer(const struct vsc_bus *bus, uint32_t device, uint32_t n)
{
	for (uint32_t i = 0; i < bus->offer_count; i++)
		if (bus->offers[i].device == device && n-- == 0)
			return &bus->offers[i];
	return NULL;
}

uint32_t vsc_gpadl(struct vsc_bus *bus, uint32_t relid, uint32_t gpadl_id, const uint64_t *pfns,
                   uint32_t count)
{
	struct hv_vmbus_gpadl_header msg = {.header.type = HV_VMBUS_GPADL_HEADER,
	                                    .child_relid = relid,
	                                    .gpadl_id = gpadl_id,
	                                    .page_count = count};
	struct hv_vmbus_gpadl_created created;
	struct vsc_message m;
	uint32_t status;

	if (count == 0 || count > HV_VMBUS_GPADL_MAX_PAGES)
		return HV_STATUS_INVALID_PARAMETER;
	memcpy(msg.pfn, pfns, count * sizeof(uint64_t));
	status = vsc_post(
	    bus, &msg,
	    (uint32_t)(offsetof(struct hv_vmbus_gpadl_header, pfn) + count * sizeof(uint64_t)));
	if (status != HV_STATUS_SUCCESS)
		return status;
	if (!vsc_wait_message(bus, HV_VMBUS_GPADL_CREATED, relid, &m) || m.size < sizeof(created))
		return VSC_ERROR_TIMEOUT;
	memcpy(&created, m.u.bytes, sizeof(created));
	if (created.gpadl_id != gpadl_id) {
		guest_printf("%s: GPADL_CREATED for id %u, expected %u\n", bus_who,
		             created.gpadl_id, gpadl_id);
		return HV_STATUS_INVALID_PARAMETER;
	}
	return created.status;
}

uint32_t vsc_open_request(struct vsc_bus *bus, uint32_t relid, uint32_t open_id, uint32_t gpadl_id,
                          uint32_t send_pages)
{
	struct hv_vmbus_open_channel msg = {.header.type = HV_VMBUS_OPEN_CHANNEL,
	                                    .child_relid = relid,
	                                    .open_id = open_id,
	                                    .gpadl_id = gpadl_id,
	                                    .send_pages = send_pages,
	                                    .target_vp = 0};
	struct hv_vmbus_open_result result;
	struct vsc_message m;
	uint32_t status = vsc_post(bus, &msg, sizeof(msg));

	if (status != HV_STATUS_SUCCESS)
		return status;
	if (!vsc_wait_message(bus, HV_VMBUS_OPEN_RESULT, relid, &m) || m.size < sizeof(result))
		return VSC_ERROR_TIMEOUT;
	memcpy(&result, m.u.bytes, sizeof(result));
	if (result.open_id != open_id) {
		guest_printf("%s: OPEN_RESULT for open id %u, expected %u\n", bus_who,
		             result.open_id, open_id);
		return HV_STATUS_INVALID_PARAMETER;
	}
	return result.status;
}

/* Tear a GPADL down and wait for the monitor's answer (TORNDOWN). */
static uint32_t gpadl_teardown(struct vsc_bus *bus, uint32_t relid, uint32_t gpadl_id)
{
	struct hv_vmbus_gpadl_teardown msg = {
	    .header.type = HV_VMBUS_GPADL_TEARDOWN, .child_relid = relid, .gpadl_id = gpadl_id};
	struct vsc_message m;
	uint32_t status = vsc_post(bus, &msg, sizeof(msg));

	if (status != HV_STATUS_SUCCESS)
		return status;
	return vsc_wait_message(bus, HV_VMBUS_GPADL_TORNDOWN, relid, &m) ? HV_STATUS_SUCCESS
	                                                                 : VSC_ERROR_TIMEOUT;
}

uint32_t vsc_channel_open(struct vsc_bus *bus, struct vsc_channel *ch,
                          const struct hv_vmbus_offer *offer, void *pages, uint32_t send_pages,
                          uint32_t recv_pages)
{
	static uint32_t next_gpadl_id = 1;
	uint64_t pfns[HV_VMBUS_GPADL_MAX_PAGES];
	uint32_t total = send_pages + recv_pages, status, slot = VSC_MAX_CHANNELS;
	uint8_t *base = pages;

	memset(ch, 0, sizeof(*ch));
	if (!offer || !pages || gpa_of(pages) % VSC_PAGE_SIZE != 0 || send_pages < 2 ||
	    recv_pages < 2 || total > HV_VMBUS_GPADL_MAX_PAGES)
		return HV_STATUS_INVALID_PARAMETER;
	for (uint32_t i = 0; i < VSC_MAX_CHANNELS && slot == VSC_MAX_CHANNELS; i++)
		if (!bus->channels[i])
			slot = i;
	if (slot == VSC_MAX_CHANNELS)
		return HV_STATUS_INSUFFICIENT_MEMORY;
	ch->bus = bus;
	ch->offer = *offer;
	ch->pages = base;
	ch->send_pages = send_pages;
	ch->recv_pages = recv_pages;
	ch->gpadl_id = next_gpadl_id++;
	memset(base, 0, (uint64_t)total * VSC_PAGE_SIZE);
	hv_ring_attach(&ch->send, (struct hv_ring_header *)base, base + VSC_PAGE_SIZE,
	               (send_pages - 1) * VSC_PAGE_SIZE);
	hv_ring_attach(&ch->recv, (struct hv_ring_header *)(base + send_pages * VSC_PAGE_SIZE),
	               base + (send_pages + 1) * VSC_PAGE_SIZE, (recv_pages - 1) * VSC_PAGE_SIZE);
	hv_ring_reset(&ch->send);
	hv_ring_reset(&ch->recv);
	for (uint32_t i = 0; i < total; i++)
		pfns[i] = gpa_of(base) / VSC_PAGE_SIZE + i;
	/* Registered before the open: a rescind may come as soon as the channel exists. */
	bus->channels[slot] = ch;

	status = vsc_gpadl(bus, offer->child_relid, ch->gpadl_id, pfns, total);
	if (status == HV_STATUS_SUCCESS) {
		status = vsc_open_request(bus, offer->child_relid, ch->gpadl_id, ch->gpadl_id,
		                          send_pages);
		if (status != HV_STATUS_SUCCESS)
			gpadl_teardown(bus, offer->child_relid, ch->gpadl_id);
	}
	if (status != HV_STATUS_SUCCESS) {
		bus->channels[slot] = NULL;
		return status;
	}
	ch->open = !ch->rescinded;
	return ch->open ? HV_STATUS_SUCCESS : HV_STATUS_INVALID_PARAMETER;
}

uint32_t vsc_channel_close(struct vsc_channel *ch)
{
	struct hv_vmbus_close_channel msg = {.header.type = HV_VMBUS_CLOSE_CHANNEL,
	                                     .child_relid = ch->offer.child_relid};
	struct vsc_bus *bus = ch->bus;
	uint32_t status = HV_STATUS_SUCCESS;

	/* A rescinded channel is already closed on the monitor's side, its GPADL with it. */
	if (ch->open) {
		ch->open = false;
		status = vsc_post(bus, &msg, sizeof(msg));
		if (status == HV_STATUS_SUCCESS)
			status = gpadl_teardown(bus, ch->offer.child_relid, ch->gpadl_id);
	}
	for (uint32_t i = 0; i < VSC_MAX_CHANNELS; i++)
		if (bus->channels[i] == ch)
			bus->channels[i] = NULL;
	return status;
}

uint32_t vsc_signal(struct vsc_channel *ch)
{
	struct hv_input_signal_event in = {.connection_id = ch->offer.connection_id,
	                                   .flag_number = 0};
	uint64_t value;

	memcpy(&value, &in, sizeof(value));
	ch->signals++;
	ch->signal_owed = false;
	return (uint32_t)(hypercall(ch->bus, HVCALL_SIGNAL_EVENT | HV_HYPERCALL_FAST, value, 0) &
	                  HV_HYPERCALL_RESULT_STATUS_MASK);
}

void vsc_flush(struct vsc_channel *ch)
{
	if (ch->signal_owed)
		vsc_signal(ch);
}

/* Consume the monitor's event flag for this channel (a hint: the rings say what happened). */
static bool take_event_flag(struct vsc_channel *ch)
{
	uint32_t relid = ch->offer.child_relid;
	uint64_t *word = &ch->bus->event_page.flags[HV_VMBUS_SINT][relid / 64];
	uint64_t bit = 1ULL << (relid % 64);

	if (!(__atomic_load_n(word, __ATOMIC_ACQUIRE) & bit))
		return false;
	__atomic_fetch_and(word, ~bit, __ATOMIC_SEQ_CST);
	ch->flags_seen++;
	return true;
}

enum hv_ring_result vsc_send(struct vsc_channel *ch, uint16_t type, uint16_t flags,
                             uint64_t trans_id, const void *payload, uint32_t len, bool defer)
{
	uint32_t need = (uint32_t)sizeof(struct hv_packet_descriptor) + ((len + 7U) & ~7U) +
	                HV_PACKET_TRAILER_SIZE;
	uint64_t start = 0;
	bool waited = false;

	for (;;) {
		bool signal;
		enum hv_ring_result r;

		if (ch->rescinded || !ch->open)
			return HV_RING_CORRUPT;
		r = hv_ring_write(&ch->send, type, flags, trans_id, payload, len, &signal);
		if (r == HV_RING_OK) {
			if (waited)
				hv_ring_wait_for_space(&ch->send, 0);
			ch->bytes_sent += len;
			if (signal)
				ch->signal_owed = true;
			if (!defer)
				vsc_flush(ch);
			return r;
		}
		if (r != HV_RING_FULL)
			return r;
		if (!waited) {
			/* Ask for a signal when the packet fits, and make sure the monitor knows there is
			 * something to read: a deferred signal is owed now. */
			waited = true;
			ch->waits_full++;
			start = vsc_rdtsc();
			hv_ring_wait_for_space(&ch->send, need);
			vsc_flush(ch);
		}
		/* The monitor's flag, or the space itself (the flag is only a hint). */
		while (!take_event_flag(ch) && hv_ring_write_space(&ch->send) < need) {
			vsc_poll_messages(ch->bus);
			if (ch->rescinded)
				return HV_RING_CORRUPT;
			if (!before_deadline(ch->bus, start)) {
				hv_ring_wait_for_space(&ch->send, 0);
				return HV_RING_FULL;
			}
			cpu_relax();
		}
	}
}

enum hv_ring_result vsc_recv(struct vsc_channel *ch, struct hv_ring_packet *packet, void *buf,
                             uint32_t cap, bool wait)
{
	uint64_t start = vsc_rdtsc();

	for (;;) {
		bool signal;
		enum hv_ring_result r;

		if (ch->rescinded)
			return HV_RING_CORRUPT;
		r = hv_ring_read(&ch->recv, packet, buf, cap, &signal);
		if (r == HV_RING_OK) {
			ch->bytes_received += packet->length;
			if (signal)
				vsc_signal(ch);
			return r;
		}
		if (r != HV_RING_EMPTY || !wait)
			return r;
		while (!take_event_flag(ch) && !hv_ring_has_data(&ch->recv)) {
			vsc_poll_messages(ch->bus);
			if (ch->rescinded)
				return HV_RING_CORRUPT;
			if (!before_deadline(ch->bus, start))
				return HV_RING_EMPTY;
			cpu_relax();
		}
	}
}

enum hv_ring_result vsc_write_text(struct vsc_channel *ch, const char *text, uint32_t len)
{
	/* A packet no larger than the VSP takes, nor than a quarter of the ring (room to batch). */
	uint32_t chunk = ch->offer.max_packet;

	if (chunk == 0 || chunk > ch->send.size / 4)
		chunk = ch->send.size / 4;
	while (len) {
		uint32_t n = len < chunk ? len : chunk;
		enum hv_ring_result r = vsc_send(ch, HV_PACKET_DATA_INBAND, 0, 0, text, n, true);

		if (r != HV_RING_OK)
			return r;
		text += n;
		len -= n;
	}
	vsc_flush(ch);
	return HV_RING_OK;
}
