/* The guest-visible layout of a VMBus-style ring buffer: header page, packet descriptor, trailer. */
#ifndef HV_ABI_HV_RING_H
#define HV_ABI_HV_RING_H

#include <stdint.h>

/*
 * A channel is two rings, one per direction. Each ring is a 4 KiB header page followed by the
 * data area (a multiple of 4 KiB), both in the child's memory. Indices are byte offsets into the
 * data area, always multiples of 8. The writer owns write_index and pending_send_size, the
 * reader read_index and interrupt_mask; either side may be hostile, so every value read from
 * the other side is checked before use.
 */
/** The header's size: one page, before the data area. */
#define HV_RING_HEADER_SIZE 4096U

/** The header page of one ring (the VMBus layout). */
struct hv_ring_header {
	uint32_t write_index;       /**< where the writer puts the next packet */
	uint32_t read_index;        /**< where the reader takes the next packet */
	uint32_t interrupt_mask;    /**< the reader polls: don't signal it */
	uint32_t pending_send_size; /**< the writer waits for this much free space (0: not) */
	uint32_t reserved[12];      /**< 0 */
	uint32_t feature_bits;      /**< HV_RING_FEATURE_* */
	uint8_t padding[HV_RING_HEADER_SIZE - 68]; /**< to the end of the page */
};
_Static_assert(sizeof(struct hv_ring_header) == HV_RING_HEADER_SIZE, "one page");
_Static_assert(__builtin_offsetof(struct hv_ring_header, feature_bits) == 64, "VMBus layout");

/** The reader honours pending_send_size (signals the writer when that much space frees up). */
#define HV_RING_FEATURE_PENDING_SEND_SIZE 0x1U

/**
 * Every packet starts with this descriptor. The payload starts offset8 * 8 bytes from the
 * descriptor's start, the packet is len8 * 8 bytes long, and an 8-byte trailer follows it
 * (the write index before the packet, in its upper half).
 */
struct hv_packet_descriptor {
	uint16_t type;     /**< HV_PACKET_* */
	uint16_t offset8;  /**< payload offset in 8-byte units, >= 2 */
	uint16_t len8;     /**< packet length in 8-byte units, descriptor included */
	uint16_t flags;    /**< HV_PACKET_FLAG_* */
	uint64_t trans_id; /**< the sender's transaction ID, echoed in completions */
};
_Static_assert(sizeof(struct hv_packet_descriptor) == 16, "VMBus layout");

/** The trailer after each packet: the writer's index before it, in the upper 32 bits. */
#define HV_PACKET_TRAILER_SIZE 8U

/** @{ */
/** Packet types (the VMBus values). */
#define HV_PACKET_DATA_INBAND 6U
#define HV_PACKET_COMPLETION  11U
/** @} */
/** The sender wants a completion packet carrying the same trans_id. */
#define HV_PACKET_FLAG_COMPLETION_REQUESTED 0x1U

#endif
