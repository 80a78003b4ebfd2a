/* Host tests of the channel manager: the control protocol, its refusals, rings, rescinds, queueing. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include <hv/abi/hv_enlightenment.h>

#include "fakes/fake_serial.h"
#include "fakes/fake_synthetic.h"
#include "fakes/fake_vmbus_guest.h"
#include "monitor/lib/errno.h"
#include "monitor/vmbus.h"

/* 64 pages of RAM at GPA 0; page 64 (0x40000) is read-only. */
#define RAM_PAGES    64U
#define RO_PFN       0x40U
#define CON_GPA      0x10000ULL /* console rings: 2 + 2 pages */
#define BLK_GPA      0x20000ULL /* block rings: 3 + 5 pages */
#define CON_RELID    1U
#define BLK_RELID    2U
#define DISK_SECTORS 16U

static struct vmbus *vb;
static struct line_sink sink;
static char lines[4096];
static uint8_t disk[DISK_SECTORS * 512];
static size_t base_free;

static void record_line(void *opaque, const char *line, size_t len)
{
	(void)opaque;
	strncat(lines, line, len);
	strcat(lines, "\n");
}

static void setup(void)
{
	struct vmbus_config cfg;

	fvg_setup(RAM_PAGES);
	fake_serial_reset();
	lines[0] = '\0';
	for (size_t i = 0; i < sizeof(disk); i++)
		disk[i] = (uint8_t)(i / 512 + i * 7);
	cr_assert_eq(line_sink_init(&sink, "guest", record_line, NULL), 0);
	base_free = page_alloc_free_count(fvg_pages());
	cfg = (struct vmbus_config){.partition = fake_part.p,
	                            .vp = fake_part.vp,
	                            .name = "guest",
	                            .hpa_to_hva = fake_host_ops.hpa_to_hva};
	vb = vmbus_create(fvg_pages(), &cfg);
	cr_assert_not_null(vb);
	cr_assert_eq(vmbus_add_console(vb, &sink), 0);
	cr_assert_eq(vmbus_add_block(vb, disk, sizeof(disk), "disk.img"), 0);
	cr_assert_eq(vmbus_attach(vb), 0);
}

static void teardown(void)
{
	vmbus_destroy(vb);
	vb = NULL;
	fvg_teardown();
}

TestSuite(vmbus, .init = setup, .fini = teardown);

/* ---- The child's side ---- */

static union {
	struct hv_vmbus_header h;
	struct hv_vmbus_version_response version;
	struct hv_vmbus_offer offer;
	struct hv_vmbus_gpadl_created created;
	struct hv_vmbus_open_result opened;
	struct hv_vmbus_gpadl_teardown torndown;
	struct hv_vmbus_rescind rescind;
	uint8_t bytes[240];
} reply;
static uint32_t reply_size;

/* The next reply, freeing the slot (and letting queued ones in, as the run loop would). */
static bool next_reply(void)
{
	memset(&reply, 0, sizeof(reply));
	if (!fvg_take(&reply, &reply_size)) {
		vmbus_poll(vb);
		if (!fvg_take(&reply, &reply_size))
			return false;
	}
	vmbus_poll(vb);
	return true;
}

static void expect_reply(uint32_t type)
{
	cr_assert(next_reply(), "a reply of type %u", type);
	cr_assert_eq(reply.h.type, type, "reply type %u, expected %u", reply.h.type, type);
}

static void expect_no_reply(void)
{
	cr_expect_not(next_reply(), "no reply, got type %u", reply.h.type);
}

static void post_ok(const void *msg, uint32_t size)
{
	cr_assert_eq(fvg_post(msg, size), HV_STATUS_SUCCESS);
}

static void contact(void)
{
	struct hv_vmbus_initiate_contact c = {{HV_VMBUS_INITIATE_CONTACT, 0}, HV_VMBUS_VERSION, 0};

	post_ok(&c, sizeof(c));
	expect_reply(HV_VMBUS_VERSION_RESPONSE);
	cr_assert_eq(reply.version.supported, 1);
}

static uint32_t gpadl(uint32_t relid, uint32_t id, uint64_t first_pfn, uint32_t count)
{
	struct hv_vmbus_gpadl_header g = {.header = {HV_VMBUS_GPADL_HEADER, 0},
	                                  .child_relid = relid,
	                                  .gpadl_id = id,
	                                  .page_count = count};

	for (uint32_t i = 0; i < count && i < HV_VMBUS_GPADL_MAX_PAGES; i++)
		g.pfn[i] = first_pfn + i;
	post_ok(&g, sizeof(g));
	expect_reply(HV_VMBUS_GPADL_CREATED);
	cr_expect_eq(reply.created.child_relid, relid);
	cr_expect_eq(reply.created.gpadl_id, id);
	return reply.created.status;
}

static uint32_t open_ch(uint32_t relid, uint32_t id, uint32_t send_pages)
{
	struct hv_vmbus_open_channel o = {.header = {HV_VMBUS_OPEN_CHANNEL, 0},
	                                  .child_relid = relid,
	                                  .open_id = 77,
	                                  .gpadl_id = id,
	                                  .send_pages = send_pages};

	post_ok(&o, sizeof(o));
	expect_reply(HV_VMBUS_OPEN_RESULT);
	cr_expect_eq(reply.opened.child_relid, relid);
	cr_expect_eq(reply.opened.open_id, 77);
	return reply.opened.status;
}

/* Child views of the rings: to = child -> monitor, from = monitor -> child. */
static struct hv_ring con_to, con_from, blk_to, blk_from;

static void open_console(void)
{
	fvg_ring_init(&con_to, CON_GPA, 2);
	fvg_ring_init(&con_from, CON_GPA + 0x2000, 2);
	cr_assert_eq(gpadl(CON_RELID, 5, CON_GPA >> 12, 4), HV_STATUS_SUCCESS);
	cr_assert_eq(open_ch(CON_RELID, 5, 2), HV_STATUS_SUCCESS);
}

static void open_block(void)
{
	fvg_ring_init(&blk_to, BLK_GPA, 3);
	fvg_ring_init(&blk_from, BLK_GPA + 0x3000, 5);
	cr_assert_eq(gpadl(BLK_RELID, 9, BLK_GPA >> 12, 8), HV_STATUS_SUCCESS);
	cr_assert_eq(open_ch(BLK_RELID, 9, 3), HV_STATUS_SUCCESS);
}

static void child_write(struct hv_ring *r, uint16_t type, uint64_t trans, const void *p,
                        uint32_t len)
{
	bool sig;

	cr_assert_eq(hv_ring_write(r, type, 0, trans, p, len, &sig), HV_RING_OK);
}

/* Read the greeting the console sends at open. */
static void take_greeting(void)
{
	char text[128] = {0};
	struct hv_ring_packet pkt;
	bool sig;

	cr_assert_eq(hv_ring_read(&con_from, &pkt, text, sizeof(text) - 1, &sig), HV_RING_OK);
	cr_expect_str_eq(text, "console: connected to partition guest\n");
}

/* One block read of `count` sectors at `sector`: the response's status. */
static uint32_t block_read(uint64_t sector, uint32_t count, uint8_t *data)
{
	struct hv_block_request req = {HV_BLOCK_OP_READ, count, sector};
	uint8_t resp[sizeof(struct hv_block_response) + VSP_BLOCK_DATA_MAX];
	struct hv_block_response h;
	struct hv_ring_packet pkt;
	bool sig;

	child_write(&blk_to, HV_PACKET_DATA_INBAND, 0x1234, &req, sizeof(req));
	cr_assert_eq(fvg_signal(VMBUS_EVENT_CONNECTION_BASE + BLK_RELID), HV_STATUS_SUCCESS);
	cr_assert_eq(hv_ring_read(&blk_from, &pkt, resp, sizeof(resp), &sig), HV_RING_OK);
	cr_expect_eq(pkt.type, HV_PACKET_COMPLETION);
	cr_expect_eq(pkt.trans_id, 0x1234);
	memcpy(&h, resp, sizeof(h));
	if (h.status == HV_BLOCK_OK && data)
		memcpy(data, resp + sizeof(h), count * 512);
	return h.status;
}

/* ---- The session ---- */

Test(vmbus, contact_offers_through_a_busy_slot)
{
	struct hv_vmbus_header req = {HV_VMBUS_REQUEST_OFFERS, 0};

	contact();
	post_ok(&req, sizeof(req));
	/* Three replies at once: one in the slot, one in libhv's queue, one in the manager's. */
	cr_expect_eq(vb->queue_count, 1);
	expect_reply(HV_VMBUS_OFFER_CHANNEL);
	cr_expect_eq(reply.offer.device, HV_VMBUS_DEVICE_CONSOLE);
	cr_expect_eq(reply.offer.child_relid, CON_RELID);
	cr_expect_eq(reply.offer.connection_id, VMBUS_EVENT_CONNECTION_BASE + 1);
	cr_expect_eq(reply.offer.max_packet, VSP_CONSOLE_MAX_PACKET);
	cr_expect_str_eq(reply.offer.name, "console");
	expect_reply(HV_VMBUS_OFFER_CHANNEL);
	cr_expect_eq(reply.offer.device, HV_VMBUS_DEVICE_BLOCK);
	cr_expect_eq(reply.offer.child_relid, BLK_RELID);
	cr_expect_eq(reply.offer.capacity, DISK_SECTORS);
	cr_expect_str_eq(reply.offer.name, "block:disk.img");
	expect_reply(HV_VMBUS_ALL_OFFERS_DELIVERED);
	expect_no_reply();
	cr_expect_eq(vb->queue_count, 0);
}

Test(vmbus, wrong_version_and_messages_before_contact)
{
	struct hv_vmbus_initiate_contact c = {{HV_VMBUS_INITIATE_CONTACT, 0}, 0x20000, 0};
	struct hv_vmbus_header req = {HV_VMBUS_REQUEST_OFFERS, 0};

	post_ok(&c, sizeof(c));
	expect_reply(HV_VMBUS_VERSION_RESPONSE);
	cr_expect_eq(reply.version.supported, 0);
	post_ok(&c, 8); /* too short to carry a version */
	expect_reply(HV_VMBUS_VERSION_RESPONSE);
	cr_expect_eq(reply.version.supported, 0);
	post_ok(&req, sizeof(req));
	expect_no_reply();
	cr_expect_eq(gpadl(CON_RELID, 1, CON_GPA >> 12, 4), HV_STATUS_OPERATION_DENIED);
	cr_expect_eq(open_ch(CON_RELID, 1, 2), HV_STATUS_OPERATION_DENIED);
	cr_expect(
	    strstr(fake_serial_output(),
	           "monitor: partition guest: vmbus: REQUEST_OFFERS before INITIATE_CONTACT") !=
	    NULL);
}

Test(vmbus, foreign_short_and_unknown_messages_are_dropped)
{
	struct hv_vmbus_header h = {HV_VMBUS_OFFER_CHANNEL, 0}; /* the monitor's message */

	contact();
	cr_expect_eq(fvg_post_typed(7, &h, sizeof(h)), HV_STATUS_SUCCESS);
	cr_expect_eq(fvg_post(&h, 4), HV_STATUS_SUCCESS);
	cr_expect_eq(fvg_post(&h, sizeof(h)), HV_STATUS_SUCCESS);
	h.type = 0xdeadbeef;
	cr_expect_eq(fvg_post(&h, sizeof(h)), HV_STATUS_SUCCESS);
	expect_no_reply();
	cr_expect_eq(vb->messages_refused, 4);
}

/* ---- GPADLs ---- */

Test(vmbus, gpadl_refusals)
{
	struct hv_vmbus_gpadl_header g = {.header = {HV_VMBUS_GPADL_HEADER, 0},
	                                  .child_relid = CON_RELID,
	                                  .gpadl_id = 3,
	                                  .page_count = 4};

	contact();
	cr_expect_eq(gpadl(CON_RELID, 1, CON_GPA >> 12, 0), HV_STATUS_INVALID_PARAMETER);
	cr_expect_eq(gpadl(CON_RELID, 1, CON_GPA >> 12, HV_VMBUS_GPADL_MAX_PAGES + 1),
	             HV_STATUS_INVALID_PARAMETER);
	cr_expect_eq(gpadl(0, 1, CON_GPA >> 12, 4), HV_STATUS_NOT_FOUND);
	cr_expect_eq(gpadl(3, 1, CON_GPA >> 12, 4), HV_STATUS_NOT_FOUND);
	cr_expect_eq(gpadl(CON_RELID, 1, RAM_PAGES - 2, 4), HV_STATUS_ACCESS_DENIED,
	             "read-only and unmapped pages");
	cr_expect_eq(gpadl(CON_RELID, 1, RO_PFN, 1), HV_STATUS_ACCESS_DENIED, "read-only page");
	cr_expect_eq(gpadl(CON_RELID, 1, 0x100000, 2), HV_STATUS_ACCESS_DENIED, "no RAM there");
	cr_expect_eq(gpadl(CON_RELID, 1, (UINT64_MAX >> 12) + 1, 1), HV_STATUS_INVALID_PARAMETER,
	             "a page number that wraps");
	/* Shorter than its page list, and shorter than its fixed part. */
	post_ok(&g, offsetof(struct hv_vmbus_gpadl_header, pfn) + 3 * 8);
	expect_reply(HV_VMBUS_GPADL_CREATED);
	cr_expect_eq(reply.created.status, HV_STATUS_INVALID_PARAMETER);
	post_ok(&g, 12);
	expect_reply(HV_VMBUS_GPADL_CREATED);
	cr_expect_eq(reply.created.status, HV_STATUS_INVALID_PARAMETER);
	/* One GPADL per channel. */
	cr_expect_eq(gpadl(CON_RELID, 1, CON_GPA >> 12, 4), HV_STATUS_SUCCESS);
	cr_expect_eq(gpadl(CON_RELID, 2, CON_GPA >> 12, 4), HV_STATUS_OPERATION_DENIED);
	cr_expect(strstr(fake_serial_output(), "GPADL 1 for channel 1 refused: a page is not the "
	                                       "child's writable RAM (") != NULL,
	          "%s", fake_serial_output());
}

/* ---- Opening ---- */

Test(vmbus, open_refusals)
{
	struct hv_vmbus_open_channel o = {.header = {HV_VMBUS_OPEN_CHANNEL, 0},
	                                  .child_relid = CON_RELID,
	                                  .gpadl_id = 5,
	                                  .send_pages = 2};

	contact();
	cr_expect_eq(open_ch(CON_RELID, 5, 2), HV_STATUS_NOT_FOUND, "no GPADL yet");
	cr_assert_eq(gpadl(CON_RELID, 5, CON_GPA >> 12, 4), HV_STATUS_SUCCESS);
	cr_expect_eq(open_ch(7, 5, 2), HV_STATUS_NOT_FOUND);
	cr_expect_eq(open_ch(CON_RELID, 6, 2), HV_STATUS_NOT_FOUND, "another GPADL id");
	cr_expect_eq(open_ch(CON_RELID, 5, 0), HV_STATUS_INVALID_PARAMETER);
	cr_expect_eq(open_ch(CON_RELID, 5, 1), HV_STATUS_INVALID_PARAMETER, "a 1-page ring");
	cr_expect_eq(open_ch(CON_RELID, 5, 3), HV_STATUS_INVALID_PARAMETER, "1 page left");
	cr_expect_eq(open_ch(CON_RELID, 5, 4), HV_STATUS_INVALID_PARAMETER, "nothing left");
	cr_expect_eq(open_ch(CON_RELID, 5, 0xffffffffU), HV_STATUS_INVALID_PARAMETER);
	post_ok(&o, sizeof(o) - 8);
	expect_reply(HV_VMBUS_OPEN_RESULT);
	cr_expect_eq(reply.opened.status, HV_STATUS_INVALID_PARAMETER, "message too short");

	fvg_ring_init(&con_to, CON_GPA, 2);
	fvg_ring_init(&con_from, CON_GPA + 0x2000, 2);
	cr_expect_eq(open_ch(CON_RELID, 5, 2), HV_STATUS_SUCCESS);
	cr_expect_eq(open_ch(CON_RELID, 5, 2), HV_STATUS_OPERATION_DENIED, "double open");
	cr_expect_eq(vmbus_channel(vb, CON_RELID)->opens, 1);
}

Test(vmbus, rings_must_be_contiguous_and_big_enough)
{
	struct hv_vmbus_gpadl_header g = {.header = {HV_VMBUS_GPADL_HEADER, 0},
	                                  .child_relid = BLK_RELID,
	                                  .gpadl_id = 4,
	                                  .page_count = 4,
	                                  .pfn = {0x20, 0x22, 0x23, 0x24}};

	contact();
	post_ok(&g, sizeof(g));
	expect_reply(HV_VMBUS_GPADL_CREATED);
	cr_assert_eq(reply.created.status, HV_STATUS_SUCCESS);
	cr_expect_eq(open_ch(BLK_RELID, 4, 2), HV_STATUS_INVALID_PARAMETER, "a gap in a ring");
	cr_expect(strstr(fake_serial_output(), "a ring's pages are not contiguous") != NULL);
	/* Contiguous now, but a 1-page data area cannot hold a full read's response. */
	g.pfn[1] = 0x21;
	g.gpadl_id = 8;
	{
		struct hv_vmbus_gpadl_teardown t = {{HV_VMBUS_GPADL_TEARDOWN, 0}, BLK_RELID, 4};

		post_ok(&t, sizeof(t));
		expect_reply(HV_VMBUS_GPADL_TORNDOWN);
	}
	post_ok(&g, sizeof(g));
	expect_reply(HV_VMBUS_GPADL_CREATED);
	cr_assert_eq(reply.created.status, HV_STATUS_SUCCESS);
	cr_expect_eq(open_ch(BLK_RELID, 8, 2), HV_STATUS_INSUFFICIENT_BUFFERS);
}

Test(vmbus, console_text_both_ways_and_counters)
{
	struct vmbus_stats stats;

	contact();
	open_console();
	cr_expect(fvg_event_take(CON_RELID), "the greeting was signalled");
	take_greeting();
	child_write(&con_to, HV_PACKET_DATA_INBAND, 0, "hello\nwor", 9);
	child_write(&con_to, HV_PACKET_DATA_INBAND, 0, "ld\n", 3);
	cr_expect_eq(fvg_signal(VMBUS_EVENT_CONNECTION_BASE + CON_RELID), HV_STATUS_SUCCESS);
	cr_expect_str_eq(lines, "[guest] hello\n[guest] world\n");
	cr_expect_not(hv_ring_has_data(&con_to));

	vmbus_get_stats(vb, &stats);
	cr_expect_eq(stats.channels[0].counters.signals_in, 1);
	cr_expect_eq(stats.channels[0].counters.signals_out, 1);
	cr_expect_eq(stats.channels[0].counters.packets_in, 2);
	cr_expect_eq(stats.channels[0].counters.bytes_in, 16 + 8, "payloads padded to 8");
	cr_expect_eq(stats.channels[0].counters.packets_out, 1);
	cr_expect_eq(stats.channels[0].counters.bytes_out, 38);
	cr_expect_eq(stats.total.signals_in, 1);
	cr_expect_eq(stats.messages_in, 3);
	cr_expect_eq(stats.messages_out, 3);
	fake_serial_reset();
	vmbus_print_stats(&stats, "monitor:     ");
	cr_expect_str_eq(fake_serial_output(),
	                 "monitor:     channels: 3 message(s) in (0 refused), 3 out; 1 signal(s) "
	                 "in, 1 out; 2 packet(s) / 24 bytes in, 1 / 38 bytes out\n"
	                 "monitor:       console: 1 signal(s) in, 1 out; 2 packet(s) / 24 bytes "
	                 "in, 1 / 38 bytes out\n");
}

Test(vmbus, a_partition_that_never_speaks_prints_nothing)
{
	struct vmbus_stats stats;

	vmbus_get_stats(vb, &stats);
	fake_serial_reset();
	vmbus_print_stats(&stats, "x");
	cr_expect_eq(fake_serial_length(), 0);
	vmbus_get_stats(NULL, &stats);
	cr_expect_eq(stats.nchannels, 0);
}

Test(vmbus, block_read_write_and_bounds)
{
	uint8_t data[VSP_BLOCK_DATA_MAX], pattern[2 * 512];
	struct hv_block_request w = {HV_BLOCK_OP_WRITE, 2, 14};
	uint8_t wpkt[sizeof(w) + sizeof(pattern)];

	contact();
	open_block();
	cr_expect_eq(block_read(0, 8, data), HV_BLOCK_OK);
	cr_expect_eq(memcmp(data, disk, 8 * 512), 0);
	cr_expect_eq(block_read(15, 1, data), HV_BLOCK_OK);
	cr_expect_eq(memcmp(data, disk + 15 * 512, 512), 0);
	cr_expect_eq(block_read(15, 2, data), HV_BLOCK_OUT_OF_RANGE);
	cr_expect_eq(block_read(16, 1, data), HV_BLOCK_OUT_OF_RANGE);
	cr_expect_eq(block_read(UINT64_MAX, 2, data), HV_BLOCK_OUT_OF_RANGE);
	cr_expect_eq(block_read(0, 0, data), HV_BLOCK_BAD_REQUEST);
	cr_expect_eq(block_read(0, 9, data), HV_BLOCK_BAD_REQUEST);

	memset(pattern, 0x5a, sizeof(pattern));
	memcpy(wpkt, &w, sizeof(w));
	memcpy(wpkt + sizeof(w), pattern, sizeof(pattern));
	child_write(&blk_to, HV_PACKET_DATA_INBAND, 1, wpkt, sizeof(wpkt));
	cr_expect_eq(fvg_signal(VMBUS_EVENT_CONNECTION_BASE + BLK_RELID), HV_STATUS_SUCCESS);
	{
		struct hv_block_response r;
		struct hv_ring_packet pkt;
		bool sig;

		cr_assert_eq(hv_ring_read(&blk_from, &pkt, &r, sizeof(r), &sig), HV_RING_OK);
		cr_expect_eq(r.status, HV_BLOCK_OK);
		cr_expect_eq(r.count, 2);
	}
	cr_expect_eq(block_read(14, 2, data), HV_BLOCK_OK);
	cr_expect_eq(memcmp(data, pattern, sizeof(pattern)), 0, "the write stayed");
	cr_expect_neq(disk[14 * 512], 0x5a, "the module itself is untouched: the VSP has a copy");
}

/* ---- Malformed rings: each closes that channel only ---- */

enum corruption {
	WRITE_INDEX_OUT_OF_RANGE,
	WRITE_INDEX_MISALIGNED,
	READ_INDEX_OUT_OF_RANGE,
	DESC_OFFSET_TOO_SMALL,
	DESC_LEN_BELOW_OFFSET,
	DESC_LEN_OVERRUNS,
	USED_BELOW_A_PACKET,
	PACKET_TOO_LARGE,
	WRONG_PACKET_TYPE,
	CORRUPTIONS
};

static const char *const corruption_names[] = {
    "write index out of range", "write index misaligned", "read index out of range",
    "offset8 below 2",          "len8 below offset8",     "len8 overruns the ring",
    "less than a packet",       "payload above max",      "wrong packet type"};

/* Break the console's child -> monitor ring one way; true when it is a format error. */
static bool corrupt(enum corruption c)
{
	struct hv_packet_descriptor *d = (struct hv_packet_descriptor *)con_to.data;
	static uint8_t big[2048];

	switch (c) {
	case WRITE_INDEX_OUT_OF_RANGE: con_to.header->write_index = 4096; return true;
	case WRITE_INDEX_MISALIGNED: con_to.header->write_index = 12; return true;
	case READ_INDEX_OUT_OF_RANGE: con_to.header->read_index = 0x10000000; return true;
	case DESC_OFFSET_TOO_SMALL:
		child_write(&con_to, HV_PACKET_DATA_INBAND, 0, "abcdefgh", 8);
		d->offset8 = 1;
		return true;
	case DESC_LEN_BELOW_OFFSET:
		child_write(&con_to, HV_PACKET_DATA_INBAND, 0, "abcdefgh", 8);
		d->len8 = 1;
		return true;
	case DESC_LEN_OVERRUNS:
		child_write(&con_to, HV_PACKET_DATA_INBAND, 0, "abcdefgh", 8);
		d->len8 = 200;
		return true;
	case USED_BELOW_A_PACKET: con_to.header->write_index = 16; return true;
	case PACKET_TOO_LARGE:
		child_write(&con_to, HV_PACKET_DATA_INBAND, 0, big, sizeof(big));
		return false;
	case WRONG_PACKET_TYPE:
		child_write(&con_to, HV_PACKET_COMPLETION, 0, "abcdefgh", 8);
		return false;
	default: return false;
	}
}

Test(vmbus, every_malformed_ring_closes_only_its_channel)
{
	for (int c = 0; c < CORRUPTIONS; c++) {
		uint8_t data[512];
		bool format;
		char line[128];

		if (c) {
			teardown();
			setup();
		}
		contact();
		open_console();
		open_block();
		take_greeting();
		format = corrupt(c);
		cr_expect_eq(fvg_signal(VMBUS_EVENT_CONNECTION_BASE + CON_RELID),
		             HV_STATUS_SUCCESS);
		expect_reply(HV_VMBUS_RESCIND_OFFER);
		cr_expect_eq(reply.rescind.child_relid, CON_RELID, "%s", corruption_names[c]);
		cr_expect_eq(reply.rescind.reason,
		             format ? HV_VMBUS_RESCIND_CORRUPT_RING : HV_VMBUS_RESCIND_PROTOCOL,
		             "%s", corruption_names[c]);
		snprintf(line, sizeof(line),
		         "monitor: partition guest: channel 1 (console): %s: closed\n",
		         format ? "ring corrupt" : "protocol error");
		cr_expect(strstr(fake_serial_output(), line) != NULL, "%s: %s", corruption_names[c],
		          fake_serial_output());
		cr_expect_eq(vmbus_channel(vb, CON_RELID)->state, VMBUS_CHANNEL_RESCINDED);

		/* Later signals are ignored; the other channel goes on. */
		cr_expect_eq(fvg_signal(VMBUS_EVENT_CONNECTION_BASE + CON_RELID),
		             HV_STATUS_SUCCESS);
		cr_expect_eq(vmbus_channel(vb, CON_RELID)->signals_ignored, 1);
		cr_expect_eq(block_read(3, 1, data), HV_BLOCK_OK, "%s", corruption_names[c]);
		cr_expect_eq(memcmp(data, disk + 3 * 512, 512), 0);
		cr_expect_eq(vmbus_channel(vb, BLK_RELID)->state, VMBUS_CHANNEL_OPEN);
		/* The rescinded channel cannot be opened again, but its GPADL can be torn down. */
		cr_expect_eq(open_ch(CON_RELID, 5, 2), HV_STATUS_OPERATION_DENIED);
		{
			struct hv_vmbus_close_channel cl = {
			    {HV_VMBUS_CLOSE_CHANNEL, 0}, CON_RELID, 0};
			struct hv_vmbus_gpadl_teardown t = {
			    {HV_VMBUS_GPADL_TEARDOWN, 0}, CON_RELID, 5};

			post_ok(&cl, sizeof(cl));
			expect_no_reply();
			post_ok(&t, sizeof(t));
			expect_reply(HV_VMBUS_GPADL_TORNDOWN);
		}
	}
}

Test(vmbus, block_protocol_errors_close_the_block_channel_only)
{
	struct hv_block_request rd = {HV_BLOCK_OP_READ, 1, 0};
	uint8_t longer[sizeof(rd) + 8] = {0};

	contact();
	open_console();
	open_block();
	take_greeting();
	memcpy(longer, &rd, sizeof(rd));
	child_write(&blk_to, HV_PACKET_DATA_INBAND, 1, longer, sizeof(longer));
	cr_expect_eq(fvg_signal(VMBUS_EVENT_CONNECTION_BASE + BLK_RELID), HV_STATUS_SUCCESS);
	expect_reply(HV_VMBUS_RESCIND_OFFER);
	cr_expect_eq(reply.rescind.child_relid, BLK_RELID);
	cr_expect_eq(reply.rescind.reason, HV_VMBUS_RESCIND_PROTOCOL);
	cr_expect(strstr(fake_serial_output(),
	                 "channel 2 (block:disk.img): protocol error: closed") != NULL);
	child_write(&con_to, HV_PACKET_DATA_INBAND, 0, "still here\n", 11);
	cr_expect_eq(fvg_signal(VMBUS_EVENT_CONNECTION_BASE + CON_RELID), HV_STATUS_SUCCESS);
	cr_expect_str_eq(lines, "[guest] still here\n");
	/* A new session offers the console only. */
	contact();
	{
		struct hv_vmbus_header req = {HV_VMBUS_REQUEST_OFFERS, 0};

		post_ok(&req, sizeof(req));
		expect_reply(HV_VMBUS_OFFER_CHANNEL);
		cr_expect_eq(reply.offer.child_relid, CON_RELID);
		expect_reply(HV_VMBUS_ALL_OFFERS_DELIVERED);
	}
}

Test(vmbus, close_reopen_and_teardown)
{
	struct hv_vmbus_close_channel cl = {{HV_VMBUS_CLOSE_CHANNEL, 0}, CON_RELID, 0};
	struct hv_vmbus_gpadl_teardown t = {{HV_VMBUS_GPADL_TEARDOWN, 0}, CON_RELID, 5};

	contact();
	open_console();
	post_ok(&t, sizeof(t));
	expect_no_reply(); /* in use by the open channel */
	post_ok(&cl, sizeof(cl));
	expect_no_reply();
	cr_expect_eq(vmbus_channel(vb, CON_RELID)->state, VMBUS_CHANNEL_OFFERED);
	cr_expect_eq(fvg_signal(VMBUS_EVENT_CONNECTION_BASE + CON_RELID), HV_STATUS_SUCCESS);
	cr_expect_eq(vmbus_channel(vb, CON_RELID)->signals_ignored, 1, "closed: ignored");
	post_ok(&cl, sizeof(cl)); /* not open any more: refused and logged */
	expect_no_reply();
	cr_expect(strstr(fake_serial_output(), "CLOSE_CHANNEL 1: not open: dropped") != NULL);
	cr_expect_eq(open_ch(CON_RELID, 5, 2), HV_STATUS_SUCCESS, "the GPADL still holds");
	post_ok(&cl, sizeof(cl));
	t.gpadl_id = 6;
	post_ok(&t, sizeof(t));
	expect_no_reply(); /* no such GPADL */
	t.gpadl_id = 5;
	post_ok(&t, sizeof(t));
	expect_reply(HV_VMBUS_GPADL_TORNDOWN);
	cr_expect_eq(reply.torndown.child_relid, CON_RELID);
	cr_expect_eq(reply.torndown.gpadl_id, 5);
	cr_expect_eq(open_ch(CON_RELID, 5, 2), HV_STATUS_NOT_FOUND, "torn down");
	cr_expect_eq(vmbus_channel(vb, CON_RELID)->opens, 2);
}

Test(vmbus, a_full_reply_queue_pushes_back_on_the_child)
{
	struct hv_vmbus_initiate_contact c = {{HV_VMBUS_INITIATE_CONTACT, 0}, HV_VMBUS_VERSION, 0};
	unsigned accepted = 0, taken = 0;

	/* The slot, libhv's one waiting message, then the manager's queue. */
	while (fvg_post(&c, sizeof(c)) == HV_STATUS_SUCCESS && accepted < 100)
		accepted++;
	cr_expect_eq(accepted, 2 + VMBUS_QUEUE_MAX);
	cr_expect_eq(fvg_post(&c, sizeof(c)), HV_STATUS_INSUFFICIENT_BUFFERS);
	while (next_reply()) {
		cr_expect_eq(reply.h.type, HV_VMBUS_VERSION_RESPONSE);
		taken++;
	}
	cr_expect_eq(taken, accepted, "every reply arrives, none twice");
	/* REQUEST_OFFERS needs room for all its replies at once. */
	for (unsigned i = 0; i < VMBUS_QUEUE_MAX; i++)
		post_ok(&c, sizeof(c));
	{
		struct hv_vmbus_header req = {HV_VMBUS_REQUEST_OFFERS, 0};

		cr_expect_eq(fvg_post(&req, sizeof(req)), HV_STATUS_INSUFFICIENT_BUFFERS);
	}
}

Test(vmbus, replies_wait_for_a_masked_sint)
{
	struct hv_vmbus_initiate_contact c = {{HV_VMBUS_INITIATE_CONTACT, 0}, HV_VMBUS_VERSION, 0};
	uint64_t v = FVG_VECTOR | HV_SINT_MASKED;

	cr_assert(fake_synthetic_msr(HV_X64_MSR_SINT0 + HV_VMBUS_SINT, true, &v));
	post_ok(&c, sizeof(c));
	cr_expect_eq(vb->queue_count, 1);
	cr_expect(strstr(fake_serial_output(), "SINT 2 cannot take messages") != NULL);
	expect_no_reply();
	v = FVG_VECTOR;
	cr_assert(fake_synthetic_msr(HV_X64_MSR_SINT0 + HV_VMBUS_SINT, true, &v));
	expect_reply(HV_VMBUS_VERSION_RESPONSE);
}

Test(vmbus, a_full_response_ring_waits_for_the_child)
{
	struct hv_block_request rd = {HV_BLOCK_OP_READ, 8, 0};
	uint8_t resp[VSP_BLOCK_RESP_MAX];
	struct hv_ring_packet pkt;
	unsigned got = 0;
	bool sig;

	contact();
	open_block();
	/* 16 KiB of responses hold 3 full reads; ask for 6. */
	for (int i = 0; i < 6; i++)
		child_write(&blk_to, HV_PACKET_DATA_INBAND, (uint64_t)i, &rd, sizeof(rd));
	cr_expect_eq(fvg_signal(VMBUS_EVENT_CONNECTION_BASE + BLK_RELID), HV_STATUS_SUCCESS);
	cr_expect_eq(vb->block.stats.reads, 3);
	cr_expect(vb->block.waiting);
	cr_expect_eq(blk_from.header->pending_send_size, vsp_packet_bytes(VSP_BLOCK_RESP_MAX));
	/* The child reads; the read that frees the space asks it to signal. */
	while (got < 6) {
		enum hv_ring_result r = hv_ring_read(&blk_from, &pkt, resp, sizeof(resp), &sig);

		cr_assert_eq(r, HV_RING_OK, "response %u", got);
		cr_expect_eq(pkt.trans_id, got);
		got++;
		if (sig)
			cr_expect_eq(fvg_signal(VMBUS_EVENT_CONNECTION_BASE + BLK_RELID),
			             HV_STATUS_SUCCESS);
	}
	cr_expect_eq(vb->block.stats.reads, 6);
	cr_expect_eq(vb->block.stats.waits, 3,
	             "full after 3 responses, then after the 4th and 5th");
	cr_expect_not(vb->block.waiting);
	cr_expect_eq(blk_from.header->pending_send_size, 0);
}

Test(vmbus, ports_and_memory)
{
	struct vmbus_config cfg = {.partition = fake_part.p,
	                           .vp = fake_part.vp,
	                           .name = "guest",
	                           .hpa_to_hva = fake_host_ops.hpa_to_hva};
	struct vmbus *other;

	cr_expect_eq(fvg_signal(VMBUS_EVENT_CONNECTION_BASE + 3), HV_STATUS_INVALID_CONNECTION_ID,
	             "two channels, two event ports");
	cr_expect_eq(vmbus_add_channel(vb, 1, "late", &vsp_console_ops, NULL, 0, 0), -EINVAL,
	             "after attach");
	cr_expect_eq(vmbus_add_block(vb, disk, sizeof(disk), "again"), -EEXIST);
	cr_expect_null(vmbus_create(fvg_pages(), NULL));
	cfg.vp = NULL;
	cr_expect_null(vmbus_create(fvg_pages(), &cfg));
	cfg.vp = fake_part.vp;
	other = vmbus_create(fvg_pages(), &cfg);
	cr_assert_not_null(other);
	cr_expect_eq(vmbus_attach(other), -EIO, "the connection is taken");
	cr_expect_eq(vmbus_add_block(other, disk, 0, "empty"), -EINVAL);
	cr_expect_eq(vmbus_add_block(other, disk, 1000, "odd"), 0);
	cr_expect_eq(other->block.sectors, 2, "the last sector padded");
	cr_expect_eq(other->block.disk[1000], 0);
	vmbus_destroy(other);
	vmbus_destroy(vb);
	vb = NULL;
	cr_expect_eq(page_alloc_free_count(fvg_pages()), base_free, "everything freed");
}
