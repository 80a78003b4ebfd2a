/* The channel control protocol between a child's VSCs and the monitor's VSPs: a small VMBus subset. */
#ifndef HV_ABI_HV_VMBUS_H
#define HV_ABI_HV_VMBUS_H

#include <stdint.h>

/*
 * Control messages travel as SynIC messages: child -> monitor with HvCallPostMessage on
 * connection HV_VMBUS_MESSAGE_CONNECTION_ID (message type HV_VMBUS_MESSAGE_TYPE), monitor -> child
 * into the SINT HV_VMBUS_SINT message slot. Each starts with struct hv_vmbus_header; the
 * message numbers are VMBus's, the layouts are libhv's own (documented in docs/channels.md)
 * and fit one 240-byte SynIC payload.
 *
 * A session: INITIATE_CONTACT -> VERSION_RESPONSE; REQUEST_OFFERS -> one OFFER_CHANNEL per
 * device, then ALL_OFFERS_DELIVERED; per channel GPADL_HEADER (the ring pages) -> GPADL_CREATED,
 * OPEN_CHANNEL -> OPEN_RESULT; data through the rings, each side signalling the other (child:
 * HvCallSignalEvent on the offer's connection_id; monitor: event flag `child_relid` in SINT
 * HV_VMBUS_SINT's event-flags slot); CLOSE_CHANNEL, GPADL_TEARDOWN -> GPADL_TORNDOWN. When the
 * monitor closes a channel itself (a corrupt ring), it sends RESCIND_OFFER.
 */
/** The connection the child posts control messages to. */
#define HV_VMBUS_MESSAGE_CONNECTION_ID 1U
/** The SynIC message type of every control message. */
#define HV_VMBUS_MESSAGE_TYPE 1U
/** The SINT the monitor's control messages and channel signals arrive on. */
#define HV_VMBUS_SINT 2U
/** libhv's subset, version 1.0 (INITIATE_CONTACT.version). */
#define HV_VMBUS_VERSION 0x00010000U

/** Control message numbers (VMBus's). */
enum hv_vmbus_message {
	HV_VMBUS_OFFER_CHANNEL = 1,        /**< monitor -> child: struct hv_vmbus_offer */
	HV_VMBUS_RESCIND_OFFER = 2,        /**< monitor -> child: struct hv_vmbus_rescind */
	HV_VMBUS_REQUEST_OFFERS = 3,       /**< child -> monitor: the header alone */
	HV_VMBUS_ALL_OFFERS_DELIVERED = 4, /**< monitor -> child: the header alone */
	HV_VMBUS_OPEN_CHANNEL = 5,         /**< child -> monitor: struct hv_vmbus_open_channel */
	HV_VMBUS_OPEN_RESULT = 6,          /**< monitor -> child: struct hv_vmbus_open_result */
	HV_VMBUS_CLOSE_CHANNEL = 7,        /**< child -> monitor: struct hv_vmbus_close_channel */
	HV_VMBUS_GPADL_HEADER = 8,         /**< child -> monitor: struct hv_vmbus_gpadl_header */
	HV_VMBUS_GPADL_CREATED = 10,       /**< monitor -> child: struct hv_vmbus_gpadl_created */
	HV_VMBUS_GPADL_TEARDOWN = 11,      /**< child -> monitor: struct hv_vmbus_gpadl_teardown */
	HV_VMBUS_GPADL_TORNDOWN = 12,      /**< monitor -> child: struct hv_vmbus_gpadl_teardown */
	HV_VMBUS_INITIATE_CONTACT = 14, /**< child -> monitor: struct hv_vmbus_initiate_contact */
	HV_VMBUS_VERSION_RESPONSE = 15, /**< monitor -> child: struct hv_vmbus_version_response */
};

/** The start of every control message. */
struct hv_vmbus_header {
	uint32_t type;     /**< enum hv_vmbus_message */
	uint32_t reserved; /**< 0 */
};

/** The device classes the monitor offers (in place of VMBus's interface GUIDs). */
enum hv_vmbus_device {
	HV_VMBUS_DEVICE_CONSOLE = 1, /**< text both ways: one packet = some bytes of text */
	HV_VMBUS_DEVICE_BLOCK = 2,   /**< 512-byte sectors: struct hv_block_request / response */
};

/** HV_VMBUS_INITIATE_CONTACT: the child starts a session. */
struct hv_vmbus_initiate_contact {
	struct hv_vmbus_header header; /**< the message number */
	uint32_t version;              /**< HV_VMBUS_VERSION */
	uint32_t target_vp;            /**< the VP that takes the channel's signals (0) */
};

/** HV_VMBUS_VERSION_RESPONSE. */
struct hv_vmbus_version_response {
	struct hv_vmbus_header header; /**< the message number */
	uint32_t supported;            /**< 1 when the version is spoken */
	uint32_t reserved;             /**< 0 */
};

/** HV_VMBUS_OFFER_CHANNEL: one device the child may open. */
struct hv_vmbus_offer {
	struct hv_vmbus_header header; /**< the message number */
	uint32_t device;               /**< enum hv_vmbus_device */
	uint32_t child_relid;   /**< the channel's number, also its event flag toward the child */
	uint32_t connection_id; /**< HvCallSignalEvent target toward the monitor */
	uint32_t max_packet;    /**< the largest payload the VSP accepts or sends, bytes */
	uint64_t capacity;      /**< block: sectors; console: 0 */
	char name[32];          /**< for logs: "console", "block:disk.img" */
};

/** HV_VMBUS_RESCIND_OFFER: the monitor closed the channel itself. */
struct hv_vmbus_rescind {
	struct hv_vmbus_header header; /**< the message number */
	uint32_t child_relid;          /**< the channel (from its offer) */
	uint32_t reason;               /**< HV_VMBUS_RESCIND_* */
};
/** RESCIND_OFFER.reason: the child's ring broke the format. */
#define HV_VMBUS_RESCIND_CORRUPT_RING 1U
/** RESCIND_OFFER.reason: a packet the device cannot accept. */
#define HV_VMBUS_RESCIND_PROTOCOL 2U

/*
 * The ring pages of a channel: `page_count` guest page frame numbers, in order. The first
 * `send_pages` pages are the child -> monitor ring (header page, then data), the rest the
 * monitor -> child ring. Every page must be guest RAM: the monitor checks each one.
 */
/** The most pages one GPADL_HEADER names (it fits one SynIC message). */
#define HV_VMBUS_GPADL_MAX_PAGES 26U
/** HV_VMBUS_GPADL_HEADER: the pages of a channel's two rings (see the comment above). */
struct hv_vmbus_gpadl_header {
	struct hv_vmbus_header header;          /**< the message number */
	uint32_t child_relid;                   /**< the channel (from its offer) */
	uint32_t gpadl_id;                      /**< chosen by the child, unique per channel */
	uint32_t page_count;                    /**< entries of pfn that are used */
	uint32_t reserved;                      /**< 0 */
	uint64_t pfn[HV_VMBUS_GPADL_MAX_PAGES]; /**< guest page frame numbers, send ring first */
};

/** HV_VMBUS_GPADL_CREATED: the answer to a GPADL_HEADER. */
struct hv_vmbus_gpadl_created {
	struct hv_vmbus_header header; /**< the message number */
	uint32_t child_relid;          /**< the channel (from its offer) */
	uint32_t gpadl_id;             /**< the GPADL, chosen by the child */
	uint32_t status;               /**< 0 success, else an HV_STATUS_* value */
	uint32_t reserved;             /**< 0 */
};

/** HV_VMBUS_OPEN_CHANNEL: attach a GPADL's rings to an offered channel. */
struct hv_vmbus_open_channel {
	struct hv_vmbus_header header; /**< the message number */
	uint32_t child_relid;          /**< the channel (from its offer) */
	uint32_t open_id;              /**< chosen by the child, echoed in the result */
	uint32_t gpadl_id;             /**< the GPADL, chosen by the child */
	uint32_t send_pages; /**< pages of the child -> monitor ring, header page included */
	uint32_t target_vp;  /**< the VP that takes the channel's signals (0) */
	uint32_t reserved;   /**< 0 */
};

/** HV_VMBUS_OPEN_RESULT: the answer to an OPEN_CHANNEL. */
struct hv_vmbus_open_result {
	struct hv_vmbus_header header; /**< the message number */
	uint32_t child_relid;          /**< the channel (from its offer) */
	uint32_t open_id;              /**< chosen by the child, echoed in the result */
	uint32_t status;               /**< 0 success, else an HV_STATUS_* value */
	uint32_t reserved;             /**< 0 */
};

/** HV_VMBUS_CLOSE_CHANNEL: the child closes a channel (no answer). */
struct hv_vmbus_close_channel {
	struct hv_vmbus_header header; /**< the message number */
	uint32_t child_relid;          /**< the channel (from its offer) */
	uint32_t reserved;             /**< 0 */
};

/** HV_VMBUS_GPADL_TEARDOWN (child) and HV_VMBUS_GPADL_TORNDOWN (monitor's answer). */
struct hv_vmbus_gpadl_teardown {
	struct hv_vmbus_header header; /**< the message number */
	uint32_t child_relid;          /**< the channel (from its offer) */
	uint32_t gpadl_id;             /**< the GPADL, chosen by the child */
};

_Static_assert(sizeof(struct hv_vmbus_gpadl_header) <= 240, "one SynIC message");
_Static_assert(sizeof(struct hv_vmbus_offer) <= 240, "one SynIC message");

/* ---- The block device's packets (HV_PACKET_DATA_INBAND payloads) ---- */
/** @{ */
/** The block device: sector size, the most sectors per request, ops and statuses. */
#define HV_BLOCK_SECTOR_SIZE  512U
#define HV_BLOCK_MAX_SECTORS  8U /* per request */
#define HV_BLOCK_OP_READ      1U
#define HV_BLOCK_OP_WRITE     2U
#define HV_BLOCK_OK           0U
#define HV_BLOCK_OUT_OF_RANGE 1U /* a sector past the device's end */
#define HV_BLOCK_BAD_REQUEST  2U /* unknown op, count 0 or above the maximum */
/* A packet whose length disagrees with its op and count is a protocol error: RESCIND_OFFER. */

/** @} */

/** A block request (the payload of an HV_PACKET_DATA_INBAND packet). */
struct hv_block_request {
	uint32_t op;     /**< HV_BLOCK_OP_* */
	uint32_t count;  /**< sectors, 1..HV_BLOCK_MAX_SECTORS */
	uint64_t sector; /**< the first sector */
	                 /* write: count * 512 bytes of data follow */
};

/** The answer to a request (the payload of an HV_PACKET_COMPLETION packet, same trans_id). */
struct hv_block_response {
	uint32_t status; /**< HV_BLOCK_* */
	uint32_t count;  /**< sectors done */
	uint64_t sector; /**< the first sector */
	                 /* read: count * 512 bytes of data follow */
};

#endif
