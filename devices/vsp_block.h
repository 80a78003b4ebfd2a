/* The synthetic block VSP: 512-byte sectors read from and written to a disk image in monitor memory. */
#ifndef DEVICES_VSP_BLOCK_H
#define DEVICES_VSP_BLOCK_H

#include <stdint.h>

#include <hv/abi/hv_vmbus.h>

#include "devices/vsp.h"

/*
 * Requests and responses as hv_vmbus.h lays them out. A request is an HV_PACKET_DATA_INBAND
 * packet: struct hv_block_request, then count * 512 bytes for a write. Every request gets one
 * HV_PACKET_COMPLETION with the request's trans_id: struct hv_block_response, then count * 512
 * bytes for a read that succeeded. An unknown op or a count of 0 or above HV_BLOCK_MAX_SECTORS
 * is answered HV_BLOCK_BAD_REQUEST; sectors past the end HV_BLOCK_OUT_OF_RANGE (nothing done).
 * A packet of another type, or whose length is not what its op and count imply, is a protocol
 * error (the channel is closed). When the response ring has no room for the largest response,
 * the VSP stops taking requests, asks for the space (pending_send_size) and goes on when the
 * child signals that it read some.
 */
#define VSP_BLOCK_DATA_MAX (HV_BLOCK_MAX_SECTORS * HV_BLOCK_SECTOR_SIZE)
#define VSP_BLOCK_REQ_MAX  (sizeof(struct hv_block_request) + VSP_BLOCK_DATA_MAX)
#define VSP_BLOCK_RESP_MAX (sizeof(struct hv_block_response) + VSP_BLOCK_DATA_MAX)
/* The largest payload either way, for the offer's max_packet. */
#define VSP_BLOCK_MAX_PACKET ((uint32_t)VSP_BLOCK_REQ_MAX)

struct vsp_block_stats {
	uint64_t reads, writes; /* requests done */
	uint64_t sectors_read, sectors_written;
	uint64_t refused; /* answered BAD_REQUEST or OUT_OF_RANGE */
	uint64_t waits;   /* times the response ring was full */
};

struct vsp_block {
	uint8_t *disk; /* sectors * 512 bytes, the monitor's copy */
	uint64_t sectors;
	struct vsp_channel *ch; /* while open */
	bool waiting;           /* pending_send_size is set on the response ring */
	struct vsp_block_stats stats;
	uint8_t req[VSP_BLOCK_REQ_MAX];
	uint8_t resp[VSP_BLOCK_RESP_MAX];
};

extern const struct vsp_ops vsp_block_ops;

/* A device over `disk` (sectors * 512 bytes, owned by the caller and kept while it lives). */
void vsp_block_init(struct vsp_block *blk, uint8_t *disk, uint64_t sectors);

#endif
