/* The synthetic block VSP: checked sector reads and writes against the monitor's disk copy. */
#include <string.h>

#include <hv/abi/hv_status.h>

#include "devices/vsp_block.h"

void vsp_block_init(struct vsp_block *blk, uint8_t *disk, uint64_t sectors)
{
	memset(blk, 0, sizeof(*blk));
	blk->disk = disk;
	blk->sectors = sectors;
}

/* What the response ring must hold before a request is taken: the largest response. */
static uint32_t response_room(void)
{
	return vsp_packet_bytes(VSP_BLOCK_RESP_MAX);
}

static uint32_t block_open(void *vsp, struct vsp_channel *ch)
{
	struct vsp_block *blk = vsp;

	/* A ring that can never hold a full read's response would stall the first such read. */
	if (ch->out.size <= response_room())
		return HV_STATUS_INSUFFICIENT_BUFFERS;
	blk->ch = ch;
	blk->waiting = false;
	return HV_STATUS_SUCCESS;
}

/*
 * One request: fill blk->resp and return the response's payload length, or 0 for a packet the
 * device cannot accept (a protocol error).
 */
static uint32_t serve(struct vsp_block *blk, const struct hv_ring_packet *pkt)
{
	struct hv_block_request req;
	struct hv_block_response resp = {0};
	uint32_t data = 0;

	if (pkt->type != HV_PACKET_DATA_INBAND || pkt->length < sizeof(req))
		return 0;
	memcpy(&req, blk->req, sizeof(req));
	resp.sector = req.sector;
	if ((req.op != HV_BLOCK_OP_READ && req.op != HV_BLOCK_OP_WRITE) || req.count == 0 ||
	    req.count > HV_BLOCK_MAX_SECTORS) {
		resp.status = HV_BLOCK_BAD_REQUEST;
		blk->stats.refused++;
	} else if (pkt->length !=
	           sizeof(req) +
	               (req.op == HV_BLOCK_OP_WRITE ? req.count * HV_BLOCK_SECTOR_SIZE : 0U)) {
		return 0; /* the descriptor and the request disagree on the data */
	} else if (req.sector >= blk->sectors || req.count > blk->sectors - req.sector) {
		resp.status = HV_BLOCK_OUT_OF_RANGE;
		blk->stats.refused++;
	} else {
		uint8_t *at = blk->disk + req.sector * HV_BLOCK_SECTOR_SIZE;
		uint32_t bytes = req.count * HV_BLOCK_SECTOR_SIZE;

		resp.status = HV_BLOCK_OK;
		resp.count = req.count;
		if (req.op == HV_BLOCK_OP_READ) {
			memcpy(blk->resp + sizeof(resp), at, bytes);
			data = bytes;
			blk->stats.reads++;
			blk->stats.sectors_read += req.count;
		} else {
			memcpy(at, blk->req + sizeof(req), bytes);
			blk->stats.writes++;
			blk->stats.sectors_written += req.count;
		}
	}
	memcpy(blk->resp, &resp, sizeof(resp));
	return (uint32_t)sizeof(resp) + data;
}

/*
 * Room for the largest response, or else ask the child to signal when it has read enough of
 * the response ring (pending_send_size) and report false.
 */
static bool room_for_response(struct vsp_block *blk, struct vsp_channel *ch)
{
	if (hv_ring_write_space(&ch->out) >= response_room()) {
		if (blk->waiting)
			hv_ring_wait_for_space(&ch->out, 0);
		blk->waiting = false;
		return true;
	}
	if (!blk->waiting)
		blk->stats.waits++;
	blk->waiting = true;
	hv_ring_wait_for_space(&ch->out, response_room());
	/* The child may have read meanwhile (another CPU): look once more after asking. */
	return hv_ring_write_space(&ch->out) >= response_room() ? room_for_response(blk, ch)
	                                                        : false;
}

static enum vsp_result block_packets(void *vsp, struct vsp_channel *ch)
{
	struct vsp_block *blk = vsp;
	uint32_t budget = ch->in.size / 24U + 1U;

	while (budget--) {
		struct hv_ring_packet pkt;
		enum hv_ring_result r;
		uint32_t len;

		/* A response ring with broken indices never has room: that is corruption. */
		if (!vsp_ring_indices_ok(&ch->out) || !vsp_ring_indices_ok(&ch->in))
			return VSP_RING_CORRUPT;
		if (!hv_ring_has_data(&ch->in))
			break;
		if (!room_for_response(blk, ch))
			break;
		r = vsp_read(ch, &pkt, blk->req, sizeof(blk->req));
		if (r == HV_RING_EMPTY)
			break;
		if (r != HV_RING_OK)
			return vsp_result_of(r);
		len = serve(blk, &pkt);
		if (!len)
			return VSP_PROTOCOL;
		r = vsp_write(ch, HV_PACKET_COMPLETION, 0, pkt.trans_id, blk->resp, len);
		if (r != HV_RING_OK)
			return vsp_result_of(r);
	}
	return VSP_OK;
}

static void block_close(void *vsp)
{
	struct vsp_block *blk = vsp;

	blk->ch = NULL;
	blk->waiting = false;
}

const struct vsp_ops vsp_block_ops = {
    .kind = "block",
    .on_open = block_open,
    .on_packets = block_packets,
    .on_close = block_close,
};
