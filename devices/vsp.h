/* The interface between the channel manager and a VSP (a synthetic device behind one channel). */
#ifndef DEVICES_VSP_H
#define DEVICES_VSP_H

#include <stdbool.h>
#include <stdint.h>

#include <hv/ring.h>

/*
 * A VSP sees a channel as two ring views over the child's pages and a way to signal the child;
 * it knows nothing of SynIC, GPADLs or libhv's partitions (monitor/vmbus.c owns those), so it
 * builds and is tested on the host alone. The child is hostile: a VSP checks every packet and
 * reports a broken ring or a packet it cannot accept; the channel manager then closes that
 * channel only (docs/channels.md).
 */

/** What moved through one channel (the exit summary adds them up per partition). */
struct vsp_counters {
	uint64_t signals_in;             /* the child signalled the channel (HvCallSignalEvent) */
	uint64_t signals_out;            /* the VSP signalled the child (event flag) */
	uint64_t packets_in, bytes_in;   /* packets read from the child, their payload bytes */
	uint64_t packets_out, bytes_out; /* packets written to the child, their payload bytes */
};

/** A VSP's verdict on the packets it was given. */
enum vsp_result {
	VSP_OK = 0,
	VSP_RING_CORRUPT, /* a ring broke the format (hv_ring said HV_RING_CORRUPT) */
	VSP_PROTOCOL,     /* a packet the device cannot accept (type, length, ...) */
};

typedef void (*vsp_signal_fn)(void *opaque);

/** One open channel as a VSP sees it. */
struct vsp_channel {
	struct hv_ring in;    /* child -> monitor */
	struct hv_ring out;   /* monitor -> child */
	vsp_signal_fn signal; /* set the channel's event flag in the child */
	void *signal_opaque;
	struct vsp_counters *counters;
};

/** A VSP's entry points; `vsp` is its own state. */
struct vsp_ops {
	const char *kind; /* "console", "block": for logs */
	/*
	 * The channel was opened (rings attached). Return 0 (HV_STATUS_SUCCESS) or an HV_STATUS_*
	 * value for OPEN_RESULT, e.g. when a ring is too small for the device's largest packet.
	 */
	uint32_t (*on_open)(void *vsp, struct vsp_channel *ch);
	/* The child signalled: take what is in the ring (and finish what waited for space). */
	enum vsp_result (*on_packets)(void *vsp, struct vsp_channel *ch);
	/* The channel is closed (by the child, or by the monitor after an error). */
	void (*on_close)(void *vsp);
};

/*
 * Read one packet from ch->in, counting it and signalling the child when this read freed the
 * space it waits for. Returns hv_ring's result (HV_RING_EMPTY when nothing is there).
 */
enum hv_ring_result vsp_read(struct vsp_channel *ch, struct hv_ring_packet *packet, void *buf,
                             uint32_t cap);

/* Write one packet to ch->out, counting it and signalling the child when the ring says so. */
enum hv_ring_result vsp_write(struct vsp_channel *ch, uint16_t type, uint16_t flags,
                              uint64_t trans_id, const void *payload, uint32_t len);

/* Both indices of a ring inside its data area and 8-byte aligned (what the ring code checks). */
bool vsp_ring_indices_ok(const struct hv_ring *ring);

/* Ring bytes one packet with `len` payload bytes takes: descriptor, padded payload, trailer. */
uint32_t vsp_packet_bytes(uint32_t len);

/* The ring result as a VSP verdict: CORRUPT -> VSP_RING_CORRUPT, else VSP_PROTOCOL. */
enum vsp_result vsp_result_of(enum hv_ring_result r);

/* "ring corrupt", "protocol error", "ok". */
const char *vsp_result_name(enum vsp_result r);

#endif
