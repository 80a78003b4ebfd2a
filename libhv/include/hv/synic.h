/* The root's side of the SynIC: ports a child reaches, messages and events sent to a child, clocks. */
#ifndef HV_SYNIC_H
#define HV_SYNIC_H

/*
 * In Hyper-V the root creates a port in its own partition (HvCallCreatePort) and connects the
 * child to it (HvCallConnectPort); the child then reaches the port with HvCallPostMessage or
 * HvCallSignalEvent and the connection ID. libhv folds the two into hv_port_create(): the port
 * lives in the monitor (a callback), the connection in the child. Toward the child the monitor
 * uses hv_vp_post_message() and hv_vp_signal_event(), the analogues of the root's
 * HvCallPostMessageDirect and HvCallSignalEventDirect: they write the child's SynIC message and
 * event-flag pages and raise the SINT through the partition's hv_interrupt_target (hv.h).
 */

#include <stdbool.h>

#include <hv/abi/hv_status.h>
#include <hv/types.h>

struct hv_partition;
struct hv_vp;

/** @{ */
/** Port types (TLFS HV_PORT_TYPE). */
#define HV_PORT_TYPE_MESSAGE 1U /**< HvCallPostMessage reaches it */
#define HV_PORT_TYPE_EVENT   2U /**< HvCallSignalEvent reaches it */
/** @} */

/** The most ports (connections) one partition can have. */
#define HV_PORTS_MAX 16U
/** Connection IDs are 24 bits wide (TLFS HV_CONNECTION_ID); 0 is not a valid ID here. */
#define HV_CONNECTION_ID_MAX 0x00FFFFFFU

/**
 * A message the child posted to a message port (HvCallPostMessage), called during the
 * hypercall with a copy of the payload (valid only during the call; `size` <= 240). Return
 * HV_STATUS_SUCCESS when the monitor took it, HV_STATUS_INSUFFICIENT_BUFFERS when it cannot now
 * (the child sees that status and retries). The callback may call hv_vp_post_message() and
 * hv_vp_signal_event() (an echo, say); any other status is reported as INSUFFICIENT_BUFFERS.
 */
typedef hv_status_t (*hv_port_message_fn)(void *opaque, uint32_t connection_id,
                                          uint32_t message_type, const void *payload,
                                          uint32_t size);
/** The child signalled an event port (HvCallSignalEvent); `flag` is the flag number (0). */
typedef void (*hv_port_event_fn)(void *opaque, uint32_t connection_id, uint16_t flag);

/** What hv_port_create() needs. */
struct hv_port_config {
	uint32_t connection_id;        /**< the ID the child uses: 1..HV_CONNECTION_ID_MAX */
	uint32_t type;                 /**< HV_PORT_TYPE_MESSAGE or HV_PORT_TYPE_EVENT */
	hv_port_message_fn on_message; /**< required for a message port */
	hv_port_event_fn on_event;     /**< required for an event port */
	void *opaque;                  /**< passed back to the callback */
};

/**
 * Create a port in the monitor and connect the partition to it under config->connection_id
 * (HvCallCreatePort + HvCallConnectPort). HV_STATUS_INVALID_PARAMETER for a NULL argument, an
 * unknown type, a missing callback or an ID of 0 or above HV_CONNECTION_ID_MAX;
 * HV_STATUS_INVALID_CONNECTION_ID when the ID is in use already; HV_STATUS_INSUFFICIENT_MEMORY
 * when the partition has HV_PORTS_MAX ports.
 */
hv_status_t hv_port_create(struct hv_partition *partition, const struct hv_port_config *config);

/**
 * Delete the port behind a connection (HvCallDeletePort): the child's later calls to it get
 * HV_STATUS_INVALID_CONNECTION_ID. HV_STATUS_INVALID_CONNECTION_ID when there is none.
 */
hv_status_t hv_port_delete(struct hv_partition *partition, uint32_t connection_id);

/**
 * Send a message to SINT `sint` of the VP (HvCallPostMessageDirect): `size` bytes of payload
 * (<= 240) with `message_type` (non-zero, bit 31 clear: the hypervisor's types are refused).
 * The message goes into the SINT's slot of the VP's message page and the SINT's vector is
 * asserted (unless the SINT polls). When the slot is busy, the message waits in libhv (one per
 * SINT), the slot's pending flag is set, and the guest's EOM delivers it.
 * HV_STATUS_INVALID_PARAMETER: NULL vp, sint >= 16, a bad type, size > 240, payload NULL with
 * size; HV_STATUS_INVALID_SYNIC_STATE: the VP's SynIC or message page is disabled or the SINT
 * is masked; HV_STATUS_INSUFFICIENT_BUFFERS: a message for that SINT is waiting already.
 */
hv_status_t hv_vp_post_message(struct hv_vp *vp, uint32_t sint, uint32_t message_type,
                               const void *payload, uint32_t size);

/**
 * Set event flag `flag` (0-2047) of SINT `sint` in the VP's event-flags page
 * (HvCallSignalEventDirect); if the flag was clear, the SINT's vector is asserted.
 * HV_STATUS_INVALID_PARAMETER: NULL vp, sint >= 16, flag >= 2048; HV_STATUS_INVALID_SYNIC_STATE:
 * the SynIC or the event-flags page is disabled or the SINT is masked. *newly_set (may be
 * NULL) tells whether the flag was clear before.
 */
hv_status_t hv_vp_signal_event(struct hv_vp *vp, uint32_t sint, uint32_t flag, bool *newly_set);

/**
 * The local APIC timer's input frequency the monitor emulates, in Hz, for
 * HV_X64_MSR_APIC_FREQUENCY. The frequency MSRs are advertised only once this is set and the
 * host gave libhv a TSC frequency (hv_host_ops.tsc_frequency). 0 withdraws it.
 */
hv_status_t hv_partition_set_apic_frequency(struct hv_partition *partition, uint64_t hz);

/**
 * The partition's reference time now (100 ns units since the partition was created), as the
 * guest's HV_X64_MSR_TIME_REF_COUNT reads it; 0 when libhv has no TSC frequency.
 */
uint64_t hv_partition_reference_time(struct hv_partition *partition);

/**
 * The host TSC at which the VP's earliest armed synthetic timer expires, 0 when none is armed.
 * hv_vp_run() fires timers itself while the VP runs; a monitor that lets a halted VP sleep must
 * wake it no later than this and call hv_vp_poll_timers().
 */
uint64_t hv_vp_next_timer_tsc(struct hv_vp *vp);

/**
 * Fire the VP's synthetic timers that are due now and retry SynIC messages waiting for a free
 * slot, outside hv_vp_run() (for a halted VP). Their vectors go out through the partition's
 * hv_interrupt_target as usual; returns true when one was asserted.
 */
bool hv_vp_poll_timers(struct hv_vp *vp);

#endif
