/* Reading and writing one VMBus-style ring: the code a VSP (monitor) and a VSC (guest) share. */
#ifndef HV_RING_H
#define HV_RING_H

#include <stdbool.h>
#include <stdint.h>

#include <hv/abi/hv_ring.h>

/*
 * One direction of a channel, as one side sees it. The header and data area live in memory the
 * other side can change at any moment, so each call reads the indices once, checks them, and
 * works on its own copies; a packet's descriptor is copied out before it is believed. Nothing
 * here allocates, logs or depends on libhv's state: a freestanding guest compiles this file as
 * is (it needs only memcpy).
 *
 * Signalling follows the VMBus rules: a writer signals only when the ring went from empty to
 * non-empty and the reader has not masked interrupts; a reader signals the writer only when
 * its read freed the space the writer said it waits for (pending_send_size).
 */
/** One direction of a channel as this side maps it (see the comment above). */
struct hv_ring {
	struct hv_ring_header *header; /**< the shared header page */
	uint8_t *data;                 /**< the data area, right after the header in guest memory */
	uint32_t size;                 /**< bytes in the data area */
};

/** What a ring operation found. */
enum hv_ring_result {
	HV_RING_OK = 0,    /**< done */
	HV_RING_EMPTY,     /**< read: no packet */
	HV_RING_FULL,      /**< write: not enough free space (the packet was not written) */
	HV_RING_TOO_LARGE, /**< read: the payload is larger than the buffer (left in the ring) */
	/** the other side broke the format: an index out of range or misaligned, a descriptor
	 *  that lies about its lengths. The channel should be closed. */
	HV_RING_CORRUPT,
	HV_RING_INVALID, /**< a bad argument from this side (payload too large for any ring, ...) */
};

/** Short names for logs ("corrupt", ...). */
const char *hv_ring_result_name(enum hv_ring_result r);

/**
 * Attach to a ring whose header page and data area are already mapped here. `size` must be a
 * multiple of 8 and at least 64 bytes (HV_RING_INVALID otherwise). Does not touch the header.
 */
enum hv_ring_result hv_ring_attach(struct hv_ring *ring, struct hv_ring_header *header, void *data,
                                   uint32_t size);

/** Set up a new ring's header (both indices 0, unmasked, pending-send-size supported). */
void hv_ring_reset(struct hv_ring *ring);

/** A packet as read out of a ring. */
struct hv_ring_packet {
	uint16_t type;     /**< descriptor type */
	uint16_t flags;    /**< descriptor flags */
	uint64_t trans_id; /**< descriptor transaction ID */
	uint32_t length;   /**< payload bytes (a multiple of 8: the sender's padding included) */
};

/**
 * Write one packet: descriptor, `len` payload bytes padded to 8, trailer. HV_RING_FULL when it
 * does not fit now (nothing written); HV_RING_INVALID when it could never fit. *signal says
 * whether the reader must be told (ring was empty and not masked).
 */
enum hv_ring_result hv_ring_write(struct hv_ring *ring, uint16_t type, uint16_t flags,
                                  uint64_t trans_id, const void *payload, uint32_t len,
                                  bool *signal);

/**
 * Read the next packet into *packet and its payload into `buf` (capacity `cap`). HV_RING_EMPTY
 * when there is none; HV_RING_TOO_LARGE when the payload does not fit (packet->length says how
 * much is needed; the packet stays). *signal says whether the writer must be told (this read
 * freed the space it waits for).
 */
enum hv_ring_result hv_ring_read(struct hv_ring *ring, struct hv_ring_packet *packet, void *buf,
                                 uint32_t cap, bool *signal);

/** Bytes a writer could use now (free space minus what must stay free); 0 for a corrupt ring. */
uint32_t hv_ring_write_space(const struct hv_ring *ring);

/** True when a packet (or garbage) is waiting. */
bool hv_ring_has_data(const struct hv_ring *ring);

/**
 * Reader side: mask (stop being signalled, for polling) or unmask. Unmasking returns true when
 * data arrived meanwhile: the reader must look again, since the writer saw the mask and did
 * not signal.
 */
bool hv_ring_set_masked(struct hv_ring *ring, bool masked);

/** Writer side: ask to be signalled when `bytes` of space are free (0 cancels). */
void hv_ring_wait_for_space(struct hv_ring *ring, uint32_t bytes);

#endif
