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
#define HV_VMBUS_MESSAGE_CONNECTION_ID 1U
#define HV_VMBUS_MESSAGE_TYPE          1U
#define HV_VMBUS_SINT                  2U
#define HV_VMBUS_VERSION               0x00010000U /* libhv's subset, version 1.0 */

enum hv_vmbus_message {
	HV_VMBUS_OFFER_CHANNEL = 1,
	HV_VMBUS_RESCIND_OFFER = 2,
	HV_VMBUS_REQUEST_OFFERS = 3,
	HV_VMBUS_ALL_OFFERS_DELIVERED = 4,
	HV_VMBUS_OPEN_CHANNEL = 5,
	HV_VMBUS_OPEN_RESULT = 6,
	HV_VMBUS_CLOSE_CHANNEL = 7,
	HV_VMBUS_GPADL_HEADER = 8,
	HV_VMBUS_GPADL_CREATED = 10,
	HV_VMBUS_GPADL_TEARDOWN = 11,
	HV_VMBUS_GPADL_TORNDOWN = 12,
	HV_VMBUS_INITIATE_CONTACT = 14,
	HV_VMBUS_VERSION_RESPONSE = 15,
};

struct hv_vmbus_header {
	uint32_t type; /* enum hv_vmbus_message */
	uint32_t reserved;
};

/* The device classes the monitor offers (in place of VMBus's interface GUIDs). */
enum hv_vmbus_device {
	HV_VMBUS_DEVICE_CONSOLE = 1, /* text both ways: one packet = some bytes of text */
	HV_VMBUS_DEVICE_BLOCK = 2,   /* 512-byte sectors: struct hv_block_request / response */
};

struct hv_vmbus_initiate_contact {
	struct hv_vmbus_header header;
	uint32_t version; /* HV_VMBUS_VERSION */
	uint32_t target_vp;
};

struct hv_vmbus_version_response {
	struct hv_vmbus_header header;
	uint32_t supported; /* 1 when the version is spoken */
	uint32_t reserved;
};

struct hv_vmbus_offer {
	struct hv_vmbus_header header;
	uint32_t device;        /* enum hv_vmbus_device */
	uint32_t child_relid;   /* the channel's number, also its event flag toward the child */
	uint32_t connection_id; /* HvCallSignalEvent target toward the monitor */
	uint32_t max_packet;    /* the largest payload the VSP accepts or sends, bytes */
	uint64_t capacity;      /* block: sectors; console: 0 */
	char name[32];          /* for logs: "console", "block:disk.img" */
};

struct hv_vmbus_rescind {
	struct hv_vmbus_header header;
	uint32_t child_relid;
	uint32_t reason; /* HV_VMBUS_RESCIND_* */
};
#define HV_VMBUS_RESCIND_CORRUPT_RING 1U /* the child's ring broke the format */
#define HV_VMBUS_RESCIND_PROTOCOL     2U /* a packet the device cannot accept */

/*
 * The ring pages of a channel: `page_count` guest page frame numbers, in order. The first
 * `send_pages` pages are the child -> monitor ring (header page, then data), the rest the
 * monitor -> child ring. Every page must be guest RAM: the monitor checks each one.
 */
#define HV_VMBUS_GPADL_MAX_PAGES 26U
struct hv_vmbus_gpadl_header {
	struct hv_vmbus_header header;
	uint32_t child_relid;
	uint32_t gpadl_id; /* chosen by the child, unique per channel */
	uint32_t page_count;
	uint32_t reserved;
	uint64_t pfn[HV_VMBUS_GPADL_MAX_PAGES];
};

struct hv_vmbus_gpadl_created {
	struct hv_vmbus_header header;
	uint32_t child_relid;
	uint32_t gpadl_id;
	uint32_t status; /* 0 success, else an HV_STATUS_* value */
	uint32_t reserved;
};

struct hv_vmbus_open_channel {
	struct hv_vmbus_header header;
	uint32_t child_relid;
	uint32_t open_id;
	uint32_t gpadl_id;
	uint32_t send_pages; /* pages of the child -> monitor ring, header page included */
	uint32_t target_vp;
	uint32_t reserved;
};

struct hv_vmbus_open_result {
	struct hv_vmbus_header header;
	uint32_t child_relid;
	uint32_t open_id;
	uint32_t status; /* 0 success, else an HV_STATUS_* value */
	uint32_t reserved;
};

struct hv_vmbus_close_channel {
	struct hv_vmbus_header header;
	uint32_t child_relid;
	uint32_t reserved;
};

struct hv_vmbus_gpadl_teardown {
	struct hv_vmbus_header header;
	uint32_t child_relid;
	uint32_t gpadl_id;
};

_Static_assert(sizeof(struct hv_vmbus_gpadl_header) <= 240, "one SynIC message");
_Static_assert(sizeof(struct hv_vmbus_offer) <= 240, "one SynIC message");

/* ---- The block device's packets (HV_PACKET_DATA_INBAND payloads) ---- */
#define HV_BLOCK_SECTOR_SIZE  512U
#define HV_BLOCK_MAX_SECTORS  8U /* per request */
#define HV_BLOCK_OP_READ      1U
#define HV_BLOCK_OP_WRITE     2U
#define HV_BLOCK_OK           0U
#define HV_BLOCK_OUT_OF_RANGE 1U /* a sector past the device's end */
#define HV_BLOCK_BAD_REQUEST  2U /* unknown op, count 0 or above the maximum */
/* A packet whose length disagrees with its op and count is a protocol error: RESCIND_OFFER. */

struct hv_block_request {
	uint32_t op;    /* HV_BLOCK_OP_* */
	uint32_t count; /* sectors, 1..HV_BLOCK_MAX_SECTORS */
	uint64_t sector;
	/* write: count * 512 bytes of data follow */
};

struct hv_block_response {
	uint32_t status; /* HV_BLOCK_* */
	uint32_t count;  /* sectors done */
	uint64_t sector;
	/* read: count * 512 bytes of data follow */
};

#endif
