/* Host tests of the synthetic block VSP over rings in host memory: requests, bounds, back-pressure. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include <hv/abi/hv_status.h>

#include "devices/vsp_block.h"

#define SECTORS 32U

struct side {
	struct hv_ring_header header;
	uint8_t data[16384];
};

static struct side *to, *from;
static struct vsp_channel ch;
static struct vsp_counters counters;
static struct vsp_block *blk;
static uint8_t disk[SECTORS * 512];
static struct hv_ring child_to, child_from;
static unsigned signals;

static void count_signal(void *opaque)
{
	(void)opaque;
	signals++;
}

static void rings(uint32_t to_size, uint32_t from_size)
{
	cr_assert_eq(hv_ring_attach(&child_to, &to->header, to->data, to_size), HV_RING_OK);
	cr_assert_eq(hv_ring_attach(&child_from, &from->header, from->data, from_size), HV_RING_OK);
	hv_ring_reset(&child_to);
	hv_ring_reset(&child_from);
	ch.in = child_to;
	ch.out = child_from;
}

static void setup(void)
{
	to = calloc(1, sizeof(*to));
	from = calloc(1, sizeof(*from));
	blk = calloc(1, sizeof(*blk));
	cr_assert(to && from && blk);
	for (size_t i = 0; i < sizeof(disk); i++)
		disk[i] = (uint8_t)(i * 13 + i / 512);
	memset(&ch, 0, sizeof(ch));
	memset(&counters, 0, sizeof(counters));
	ch.signal = count_signal;
	ch.counters = &counters;
	signals = 0;
	rings(sizeof(to->data), sizeof(from->data));
	vsp_block_init(blk, disk, SECTORS);
	cr_assert_eq(vsp_block_ops.on_open(blk, &ch), HV_STATUS_SUCCESS);
}

static void teardown(void)
{
	free(to);
	free(from);
	free(blk);
}

TestSuite(vsp_block, .init = setup, .fini = teardown);

static void request(uint16_t type, uint64_t trans, uint32_t op, uint32_t count, uint64_t sector,
                    uint32_t data_len)
{
	static uint8_t pkt[sizeof(struct hv_block_request) + 8192];
	struct hv_block_request req = {op, count, sector};
	bool sig;

	memcpy(pkt, &req, sizeof(req));
	for (uint32_t i = 0; i < data_len; i++)
		pkt[sizeof(req) + i] = (uint8_t)(0xA0 + i % 7);
	cr_assert_eq(hv_ring_write(&child_to, type, HV_PACKET_FLAG_COMPLETION_REQUESTED, trans, pkt,
	                           (uint32_t)sizeof(req) + data_len, &sig),
	             HV_RING_OK);
}

/* The next response: its header, and its data into `data` (may be NULL). */
static struct hv_block_response response(uint64_t trans, uint32_t *data_len, uint8_t *data)
{
	static uint8_t buf[VSP_BLOCK_RESP_MAX];
	struct hv_block_response r;
	struct hv_ring_packet pkt;
	bool sig;

	cr_assert_eq(hv_ring_read(&child_from, &pkt, buf, sizeof(buf), &sig), HV_RING_OK);
	cr_expect_eq(pkt.type, HV_PACKET_COMPLETION);
	cr_expect_eq(pkt.trans_id, trans);
	memcpy(&r, buf, sizeof(r));
	if (data_len)
		*data_len = pkt.length - (uint32_t)sizeof(r);
	if (data)
		memcpy(data, buf + sizeof(r), pkt.length - sizeof(r));
	return r;
}

Test(vsp_block, read_every_size)
{
	uint8_t data[VSP_BLOCK_DATA_MAX];

	for (uint32_t n = 1; n <= HV_BLOCK_MAX_SECTORS; n++) {
		struct hv_block_response r;
		uint32_t len;

		request(HV_PACKET_DATA_INBAND, n, HV_BLOCK_OP_READ, n, SECTORS - n, 0);
		cr_assert_eq(vsp_block_ops.on_packets(blk, &ch), VSP_OK);
		r = response(n, &len, data);
		cr_expect_eq(r.status, HV_BLOCK_OK);
		cr_expect_eq(r.count, n);
		cr_expect_eq(r.sector, SECTORS - n);
		cr_expect_eq(len, n * 512);
		cr_expect_eq(memcmp(data, disk + (SECTORS - n) * 512, n * 512), 0, "%u sectors", n);
	}
	cr_expect_eq(blk->stats.reads, HV_BLOCK_MAX_SECTORS);
	cr_expect_eq(blk->stats.sectors_read, 36);
	cr_expect_eq(counters.packets_in, 8);
	cr_expect_eq(counters.bytes_in, 8 * 16);
	cr_expect_eq(counters.packets_out, 8);
	cr_expect_eq(counters.bytes_out, 8 * 16 + 36 * 512);
}

Test(vsp_block, write_then_read_back)
{
	uint8_t data[3 * 512];

	request(HV_PACKET_DATA_INBAND, 1, HV_BLOCK_OP_WRITE, 3, 4, 3 * 512);
	cr_assert_eq(vsp_block_ops.on_packets(blk, &ch), VSP_OK);
	cr_expect_eq(response(1, NULL, NULL).status, HV_BLOCK_OK);
	request(HV_PACKET_DATA_INBAND, 2, HV_BLOCK_OP_READ, 3, 4, 0);
	cr_assert_eq(vsp_block_ops.on_packets(blk, &ch), VSP_OK);
	cr_expect_eq(response(2, NULL, data).status, HV_BLOCK_OK);
	for (uint32_t i = 0; i < sizeof(data); i++)
		cr_assert_eq(data[i], (uint8_t)(0xA0 + i % 7), "byte %u", i);
	cr_expect_eq(disk[4 * 512 + 1], 0xA1, "the disk copy holds the write");
	cr_expect_eq(blk->stats.sectors_written, 3);
}

Test(vsp_block, refusals_get_a_status)
{
	static const struct {
		uint32_t op, count;
		uint64_t sector;
		uint32_t status;
	} cases[] = {
	    {3, 1, 0, HV_BLOCK_BAD_REQUEST},
	    {0, 1, 0, HV_BLOCK_BAD_REQUEST},
	    {HV_BLOCK_OP_READ, 0, 0, HV_BLOCK_BAD_REQUEST},
	    {HV_BLOCK_OP_READ, HV_BLOCK_MAX_SECTORS + 1, 0, HV_BLOCK_BAD_REQUEST},
	    {HV_BLOCK_OP_READ, 0xffffffffU, 0, HV_BLOCK_BAD_REQUEST},
	    {HV_BLOCK_OP_READ, 1, SECTORS, HV_BLOCK_OUT_OF_RANGE},
	    {HV_BLOCK_OP_READ, 2, SECTORS - 1, HV_BLOCK_OUT_OF_RANGE},
	    {HV_BLOCK_OP_READ, 8, UINT64_MAX - 3, HV_BLOCK_OUT_OF_RANGE},
	    {HV_BLOCK_OP_READ, 1, UINT64_MAX / 512 + 1, HV_BLOCK_OUT_OF_RANGE},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct hv_block_response r;
		uint32_t len;

		request(HV_PACKET_DATA_INBAND, i, cases[i].op, cases[i].count, cases[i].sector, 0);
		cr_assert_eq(vsp_block_ops.on_packets(blk, &ch), VSP_OK, "case %zu", i);
		r = response(i, &len, NULL);
		cr_expect_eq(r.status, cases[i].status, "case %zu", i);
		cr_expect_eq(r.count, 0, "case %zu", i);
		cr_expect_eq(len, 0, "case %zu", i);
	}
	/* An out-of-range write changes nothing. */
	request(HV_PACKET_DATA_INBAND, 99, HV_BLOCK_OP_WRITE, 2, SECTORS - 1, 1024);
	cr_assert_eq(vsp_block_ops.on_packets(blk, &ch), VSP_OK);
	cr_expect_eq(response(99, NULL, NULL).status, HV_BLOCK_OUT_OF_RANGE);
	cr_expect_eq(disk[(SECTORS - 1) * 512], (uint8_t)((SECTORS - 1) * 512 * 13 + SECTORS - 1));
	cr_expect_eq(blk->stats.refused, 10);
}

Test(vsp_block, lengths_that_disagree_are_protocol_errors)
{
	static const struct {
		uint32_t op, count, data;
	} cases[] = {
	    {HV_BLOCK_OP_READ, 1, 8},     /* a read with data */
	    {HV_BLOCK_OP_WRITE, 2, 512},  /* shorter than its count */
	    {HV_BLOCK_OP_WRITE, 1, 1024}, /* longer than its count */
	    {HV_BLOCK_OP_WRITE, 1, 0},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		rings(sizeof(to->data), sizeof(from->data));
		request(HV_PACKET_DATA_INBAND, i, cases[i].op, cases[i].count, 0, cases[i].data);
		cr_expect_eq(vsp_block_ops.on_packets(blk, &ch), VSP_PROTOCOL, "case %zu", i);
		cr_expect_not(hv_ring_has_data(&child_from), "no response: case %zu", i);
	}
	rings(sizeof(to->data), sizeof(from->data));
	request(HV_PACKET_COMPLETION, 1, HV_BLOCK_OP_READ, 1, 0, 0);
	cr_expect_eq(vsp_block_ops.on_packets(blk, &ch), VSP_PROTOCOL, "not a data packet");
	rings(sizeof(to->data), sizeof(from->data));
	{
		bool sig;

		cr_assert_eq(
		    hv_ring_write(&child_to, HV_PACKET_DATA_INBAND, 0, 0, "abcdefgh", 8, &sig),
		    HV_RING_OK);
	}
	cr_expect_eq(vsp_block_ops.on_packets(blk, &ch), VSP_PROTOCOL, "shorter than a request");
	rings(sizeof(to->data), sizeof(from->data));
	request(HV_PACKET_DATA_INBAND, 1, HV_BLOCK_OP_WRITE, 8, 0, 8192 - 16);
	cr_expect_eq(vsp_block_ops.on_packets(blk, &ch), VSP_PROTOCOL, "above the largest request");
}

Test(vsp_block, corrupt_rings)
{
	request(HV_PACKET_DATA_INBAND, 1, HV_BLOCK_OP_READ, 1, 0, 0);
	from->header.read_index = 3;
	cr_expect_eq(vsp_block_ops.on_packets(blk, &ch), VSP_RING_CORRUPT, "response ring");
	from->header.read_index = 0;
	to->header.write_index = sizeof(to->data);
	cr_expect_eq(vsp_block_ops.on_packets(blk, &ch), VSP_RING_CORRUPT, "request ring");
	to->header.write_index = 40;
	((struct hv_packet_descriptor *)to->data)->len8 = 0xffff;
	cr_expect_eq(vsp_block_ops.on_packets(blk, &ch), VSP_RING_CORRUPT, "a lying descriptor");
}

Test(vsp_block, small_response_ring_refused_at_open)
{
	rings(sizeof(to->data), 4096);
	cr_expect_eq(vsp_block_ops.on_open(blk, &ch), HV_STATUS_INSUFFICIENT_BUFFERS);
	rings(sizeof(to->data), vsp_packet_bytes(VSP_BLOCK_RESP_MAX));
	cr_expect_eq(vsp_block_ops.on_open(blk, &ch), HV_STATUS_INSUFFICIENT_BUFFERS,
	             "exactly one response: never fits (equal indices mean empty)");
	rings(sizeof(to->data), vsp_packet_bytes(VSP_BLOCK_RESP_MAX) + 8);
	cr_expect_eq(vsp_block_ops.on_open(blk, &ch), HV_STATUS_SUCCESS);
}

Test(vsp_block, full_response_ring_waits_and_resumes)
{
	uint32_t need = vsp_packet_bytes(VSP_BLOCK_RESP_MAX);

	/* Two full responses fit in 12 KiB; ask for four. */
	rings(sizeof(to->data), 12288);
	for (int i = 0; i < 4; i++)
		request(HV_PACKET_DATA_INBAND, (uint64_t)i, HV_BLOCK_OP_READ, 8, 0, 0);
	cr_expect_eq(vsp_block_ops.on_packets(blk, &ch), VSP_OK);
	cr_expect_eq(blk->stats.reads, 2);
	cr_expect(blk->waiting);
	cr_expect_eq(from->header.pending_send_size, need);
	cr_expect_eq(vsp_block_ops.on_packets(blk, &ch), VSP_OK, "a spurious signal: still full");
	cr_expect_eq(blk->stats.reads, 2);
	response(0, NULL, NULL);
	cr_expect_eq(vsp_block_ops.on_packets(blk, &ch), VSP_OK);
	cr_expect_eq(blk->stats.reads, 3);
	response(1, NULL, NULL);
	response(2, NULL, NULL);
	cr_expect_eq(vsp_block_ops.on_packets(blk, &ch), VSP_OK);
	cr_expect_eq(blk->stats.reads, 4);
	cr_expect_not(blk->waiting);
	cr_expect_eq(from->header.pending_send_size, 0, "the wait is cancelled");
	response(3, NULL, NULL);
}

Test(vsp_block, reading_a_request_signals_a_waiting_child)
{
	/* The child waits for room in its request ring; the VSP's read makes it. */
	rings(64 + 8, sizeof(from->data));
	request(HV_PACKET_DATA_INBAND, 1, HV_BLOCK_OP_READ, 1, 0, 0);
	hv_ring_wait_for_space(&child_to, 40);
	cr_expect_eq(vsp_block_ops.on_packets(blk, &ch), VSP_OK);
	cr_expect_eq(counters.signals_out, 2, "one for the response, one for the freed space");
	cr_expect_eq(signals, 2);
}
