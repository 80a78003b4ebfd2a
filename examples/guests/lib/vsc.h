/* The guest side of libhv's channels (VSC library): Hyper-V setup, the VMBus-subset session, channel rings. */
#ifndef GUEST_VSC_H
#define GUEST_VSC_H

/*
 * For an identity-mapped, single-VP guest (the ELF64 example guests): a pointer is its GPA.
 * Freestanding: it needs the guest runtime's memcpy/memset, COM1 printf for its error lines and
 * libhv's ABI headers (libhv/include/hv/abi/, self-contained) plus the shared ring code
 * (libhv/core/ring_buffer.c, compiled into the runtime by lib/ring_buffer.c).
 *
 * The protocol is the one in hv/abi/hv_vmbus.h: control messages through HvCallPostMessage
 * toward the monitor and SINT HV_VMBUS_SINT's message slot back; data through two rings per
 * channel, signalled with HvCallSignalEvent (fast) on the offer's connection_id one way and event
 * flag `child_relid` of SINT HV_VMBUS_SINT the other way.
 *
 * No interrupts: the guest runtime has no IDT and runs with RFLAGS.IF clear, so SINT2 is set up
 * with the TLFS polling bit (HV_SINT_POLLING: the SynIC asserts no vector) and the library polls
 * the message slot, the event flags and the rings. Every wait is bounded by a TSC deadline
 * (VSC_TIMEOUT_MS) so that a monitor that never answers makes the guest fail, not hang.
 *
 * Usage: vsc_bus_init(), vsc_bus_connect(), vsc_find_offer(), vsc_channel_open(), then
 * vsc_send()/vsc_flush()/vsc_recv(); vsc_channel_close() at the end.
 */

#include <stdbool.h>
#include <stdint.h>

#include <hv/abi/hv_enlightenment.h>
#include <hv/abi/hv_status.h>
#include <hv/abi/hv_vmbus.h>
#include <hv/ring.h>

#define VSC_PAGE_SIZE     4096U
#define VSC_MAX_OFFERS    8U  /* offers kept from one REQUEST_OFFERS */
#define VSC_MAX_CHANNELS  8U  /* open channels the bus tracks (for rescinds) */
#define VSC_MESSAGE_QUEUE 16U /* control messages received but not yet taken */
#define VSC_TIMEOUT_MS    5000U

/* What a control-protocol wait may end with besides an HV_STATUS_* value. */
#define VSC_ERROR_TIMEOUT 0xffffU /* no answer within VSC_TIMEOUT_MS */

/* One control message as received (payload of a SINT2 message). */
struct vsc_message {
	uint32_t size;
	union {
		struct hv_vmbus_header header;
		uint8_t bytes[HV_MESSAGE_MAX_PAYLOAD];
	} u;
};

struct vsc_channel;

/*
 * The guest's connection to the monitor: the pages the hypervisor writes or reads (page-aligned
 * inside the struct, so the struct itself is 4 KiB-aligned) and the session's state. One per guest.
 */
struct vsc_bus {
	uint8_t hypercall_page[VSC_PAGE_SIZE];
	uint8_t post_page[VSC_PAGE_SIZE]; /* HvCallPostMessage input */
	struct hv_message_page message_page;
	struct hv_event_flags_page event_page;

	bool amd;
	bool ready;      /* vsc_bus_init() succeeded */
	bool connected;  /* VERSION_RESPONSE said yes */
	uint64_t tsc_hz; /* HV_X64_MSR_TSC_FREQUENCY, or an assumed 3 GHz (timeouts only) */
	struct hv_vmbus_offer offers[VSC_MAX_OFFERS];
	uint32_t offer_count;
	struct vsc_message queue[VSC_MESSAGE_QUEUE];
	uint32_t queued;
	struct vsc_channel *channels[VSC_MAX_CHANNELS];
	uint64_t posts, eoms; /* counters for the guests' reports */
} __attribute__((aligned(VSC_PAGE_SIZE)));

/* One open channel: the two rings in `pages` (guest memory, page-aligned, contiguous). */
struct vsc_channel {
	struct vsc_bus *bus;
	struct hv_vmbus_offer offer;
	struct hv_ring send; /* child -> monitor */
	struct hv_ring recv; /* monitor -> child */
	uint8_t *pages;
	uint32_t send_pages, recv_pages; /* header page included */
	uint32_t gpadl_id;
	bool open;
	bool rescinded;
	uint32_t rescind_reason;
	bool signal_owed;    /* a deferred write made the ring non-empty: vsc_flush() signals */
	uint64_t signals;    /* HvCallSignalEvent calls made */
	uint64_t flags_seen; /* times the monitor's event flag was found set */
	uint64_t waits_full; /* writes that had to wait for space */
	uint64_t bytes_sent, bytes_received;
};

/* RDTSC and MSR access (each MSR access is an exit; keep them out of hot paths). */
uint64_t vsc_rdtsc(void);
uint64_t vsc_rdmsr(uint32_t index);
void vsc_wrmsr(uint32_t index, uint64_t value);

/* Milliseconds between two TSC readings (at the bus's TSC frequency). */
uint64_t vsc_tsc_to_us(const struct vsc_bus *bus, uint64_t cycles);

/*
 * Detect Hyper-V (CPUID 0x40000000 "Microsoft Hv", interface "Hv#1", the hypercall and SynIC
 * MSRs advertised), set GUEST_OS_ID and the hypercall page, and enable the SynIC: message page,
 * event-flags page, SINT HV_VMBUS_SINT unmasked in polling mode, SCONTROL. Returns 0, or -1
 * after printing why on COM1 (prefixed by `who`).
 */
int vsc_bus_init(struct vsc_bus *bus, const char *who);

/*
 * The session: INITIATE_CONTACT -> VERSION_RESPONSE, REQUEST_OFFERS -> OFFER_CHANNEL... ->
 * ALL_OFFERS_DELIVERED. Returns HV_STATUS_SUCCESS, the PostMessage status that failed (no
 * channel service: HV_STATUS_INVALID_CONNECTION_ID), HV_STATUS_NOT_ACKNOWLEDGED when the
 * version is refused, or VSC_ERROR_TIMEOUT.
 */
uint32_t vsc_bus_connect(struct vsc_bus *bus);

/* The n-th offer of a device class (enum hv_vmbus_device), or NULL. */
const struct hv_vmbus_offer *vsc_find_offer(const struct vsc_bus *bus, uint32_t device, uint32_t n);

/* HvCallPostMessage of one control message (`size` <= 240 bytes), retrying while the monitor
 * answers INSUFFICIENT_BUFFERS (draining the message slot meanwhile). Returns the HV status. */
uint32_t vsc_post(struct vsc_bus *bus, const void *msg, uint32_t size);

/*
 * Wait for a control message of `type` (for a channel's messages, about `relid`; pass
 * VSC_ANY_RELID for any) and copy it to *out. Other messages stay queued. False on timeout.
 */
#define VSC_ANY_RELID 0xffffffffU
bool vsc_wait_message(struct vsc_bus *bus, uint32_t type, uint32_t relid, struct vsc_message *out);

/* Move what is in the message slot to the queue (EOM when the monitor has more); note rescinds. */
void vsc_poll_messages(struct vsc_bus *bus);

/*
 * GPADL_HEADER for `count` page frame numbers -> the GPADL_CREATED status (0 success), or
 * VSC_ERROR_TIMEOUT, or the PostMessage status if that failed.
 */
uint32_t vsc_gpadl(struct vsc_bus *bus, uint32_t relid, uint32_t gpadl_id, const uint64_t *pfns,
                   uint32_t count);

/* OPEN_CHANNEL -> the OPEN_RESULT status (or VSC_ERROR_TIMEOUT / a PostMessage status). */
uint32_t vsc_open_request(struct vsc_bus *bus, uint32_t relid, uint32_t open_id, uint32_t gpadl_id,
                          uint32_t send_pages);

/*
 * Open a channel on `offer`: reset both ring headers in `pages` (send_pages + recv_pages pages,
 * page-aligned, contiguous; each count includes its ring's header page and is at least 2), send
 * the GPADL, open. Returns HV_STATUS_SUCCESS or the failing status (see vsc_gpadl/vsc_open_request).
 */
uint32_t vsc_channel_open(struct vsc_bus *bus, struct vsc_channel *ch,
                          const struct hv_vmbus_offer *offer, void *pages, uint32_t send_pages,
                          uint32_t recv_pages);

/* CLOSE_CHANNEL, then GPADL_TEARDOWN -> GPADL_TORNDOWN. Returns the status (0, or TIMEOUT). */
uint32_t vsc_channel_close(struct vsc_channel *ch);

/* HvCallSignalEvent (fast) on the channel's connection_id. Returns the HV status. */
uint32_t vsc_signal(struct vsc_channel *ch);

/*
 * Write one packet. If the ring is full, ask the monitor to signal when the space is there
 * (pending_send_size), signal any owed signal, and wait. `defer`: do not signal now even if the
 * ring rules say so; remember it for vsc_flush() (batching several packets into one exit).
 * Returns HV_RING_OK, HV_RING_INVALID (too large for this ring), HV_RING_CORRUPT (the monitor
 * broke the ring, or the channel was rescinded) or HV_RING_FULL (timed out waiting for space).
 */
enum hv_ring_result vsc_send(struct vsc_channel *ch, uint16_t type, uint16_t flags,
                             uint64_t trans_id, const void *payload, uint32_t len, bool defer);

/* Signal the monitor if a deferred write owes it a signal. */
void vsc_flush(struct vsc_channel *ch);

/*
 * Read one packet into buf (capacity cap), waiting up to VSC_TIMEOUT_MS when `wait`. Signals
 * the monitor when the read frees the space it waits for. HV_RING_EMPTY on timeout (or when not
 * waiting), HV_RING_CORRUPT when rescinded or the monitor broke the ring.
 */
enum hv_ring_result vsc_recv(struct vsc_channel *ch, struct hv_ring_packet *packet, void *buf,
                             uint32_t cap, bool wait);

/* Console helper: send `len` bytes of text as packets of at most the offer's max_packet, with
 * one signal per batch (when the ring fills up or at the end). HV_RING_OK or the first error. */
enum hv_ring_result vsc_write_text(struct vsc_channel *ch, const char *text, uint32_t len);

#endif
