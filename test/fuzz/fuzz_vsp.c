/* libFuzzer target: the channel manager and both VSPs against random control messages and rings. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <hv/abi/hv_vmbus.h>

#include "monitor/vmbus.h"
#include "test/fakes/fake_vmbus_guest.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * The child has 48 pages of RAM (page 48 is read-only). Each input first opens both channels
 * the way a driver does (console rings at page 16: 2 + 2 pages; block rings at page 24: 3 + 5
 * pages), unless its first byte says to skip that, then runs steps until the input ends:
 *   0 'M': post a control message: type u32, size byte, then the payload bytes
 *   1 'R': write raw bytes over the ring pages: offset u16 (into pages 16-31), length byte, bytes
 *   2 'P': the child writes a well-formed packet: channel bit, type byte, length byte, bytes
 *   3 'S': signal a connection: byte (0-3: VMBUS_EVENT_CONNECTION_BASE + byte, else raw)
 *   4 'T': take a reply from the message slot (EOM as needed) and let the run loop poll
 *   5 'C': the child reads a packet from a monitor -> child ring: channel bit
 *   6 'H': write a ring header field: channel/ring/field byte, value u32
 *   7 'G': a GPADL_HEADER from fuzz fields: relid byte, id byte, count byte, first page byte,
 *          and a stride byte (0: contiguous)
 *   8 'O': an OPEN_CHANNEL: relid byte, gpadl id byte, send pages byte
 * Nothing is checked but that the monitor stays inside its memory and frees what it took.
 */
#define RAM_PAGES 48U
#define CON_PFN   16U
#define BLK_PFN   24U
#define RING_GPA  (16ULL * 4096)
#define RING_SPAN (16U * 4096)

static uint8_t disk[40 * 512 + 100];
static struct line_sink sink;

static void drop_line(void *opaque, const char *line, size_t len)
{
	(void)opaque;
	(void)line;
	(void)len;
}

struct input {
	const uint8_t *p;
	size_t left;
};

static uint8_t byte(struct input *in)
{
	if (!in->left)
		return 0;
	in->left--;
	return *in->p++;
}

static uint32_t u32(struct input *in)
{
	uint32_t v = 0;

	for (int i = 0; i < 4; i++)
		v |= (uint32_t)byte(in) << (8 * i);
	return v;
}

static void post_gpadl(uint32_t relid, uint32_t id, uint32_t first, uint32_t count, uint32_t stride)
{
	struct hv_vmbus_gpadl_header g = {.header = {HV_VMBUS_GPADL_HEADER, 0},
	                                  .child_relid = relid,
	                                  .gpadl_id = id,
	                                  .page_count = count};

	for (uint32_t i = 0; i < HV_VMBUS_GPADL_MAX_PAGES; i++)
		g.pfn[i] = first + i * (stride ? stride : 1);
	fvg_post(&g, sizeof(g));
}

static void post_open(uint32_t relid, uint32_t id, uint32_t send_pages)
{
	struct hv_vmbus_open_channel o = {.header = {HV_VMBUS_OPEN_CHANNEL, 0},
	                                  .child_relid = relid,
	                                  .gpadl_id = id,
	                                  .send_pages = send_pages};

	fvg_post(&o, sizeof(o));
}

static void drain(struct vmbus *vb)
{
	uint8_t buf[240];
	uint32_t n;

	for (int i = 0; i < 64 && fvg_take(buf, &n); i++)
		vmbus_poll(vb);
}

/* Child views of the four rings: [channel][0: child -> monitor, 1: monitor -> child]. */
static struct hv_ring rings[2][2];

static void open_both(struct vmbus *vb)
{
	struct hv_vmbus_initiate_contact c = {{HV_VMBUS_INITIATE_CONTACT, 0}, HV_VMBUS_VERSION, 0};
	struct hv_vmbus_header req = {HV_VMBUS_REQUEST_OFFERS, 0};

	fvg_post(&c, sizeof(c));
	drain(vb);
	fvg_post(&req, sizeof(req));
	drain(vb);
	fvg_ring_init(&rings[0][0], CON_PFN * 4096ULL, 2);
	fvg_ring_init(&rings[0][1], (CON_PFN + 2) * 4096ULL, 2);
	fvg_ring_init(&rings[1][0], BLK_PFN * 4096ULL, 3);
	fvg_ring_init(&rings[1][1], (BLK_PFN + 3) * 4096ULL, 5);
	post_gpadl(1, 1, CON_PFN, 4, 0);
	drain(vb);
	post_open(1, 1, 2);
	drain(vb);
	post_gpadl(2, 2, BLK_PFN, 8, 0);
	drain(vb);
	post_open(2, 2, 3);
	drain(vb);
}

static void step(struct vmbus *vb, struct input *in)
{
	switch (byte(in) % 9) {
	case 0: {
		uint32_t type = u32(in) % 20, n = byte(in) % 241;
		uint8_t msg[240] = {0};

		memcpy(msg, &type, sizeof(type));
		for (uint32_t i = 4; i < n; i++)
			msg[i] = byte(in);
		fvg_post(msg, n);
		break;
	}
	case 1: {
		uint32_t off = (byte(in) | (uint32_t)byte(in) << 8) % RING_SPAN, n = byte(in);
		uint8_t *at = fvg_ptr(RING_GPA + off);

		for (uint32_t i = 0; i < n && off + i < RING_SPAN; i++)
			at[i] = byte(in);
		break;
	}
	case 2: {
		uint8_t buf[256];
		uint32_t ch = byte(in) & 1, type = byte(in), n = byte(in);
		bool sig;

		for (uint32_t i = 0; i < n; i++)
			buf[i] = byte(in);
		if (rings[ch][0].header)
			hv_ring_write(&rings[ch][0],
			              (uint16_t)(type & 1 ? HV_PACKET_DATA_INBAND : type), 0, type,
			              buf, n, &sig);
		break;
	}
	case 3: {
		uint8_t b = byte(in);

		fvg_signal(b < 4 ? VMBUS_EVENT_CONNECTION_BASE + b : b);
		break;
	}
	case 4: drain(vb); break;
	case 5: {
		static uint8_t buf[8192];
		struct hv_ring_packet pkt;
		uint32_t ch = byte(in) & 1;
		bool sig;

		if (rings[ch][1].header &&
		    hv_ring_read(&rings[ch][1], &pkt, buf, sizeof(buf), &sig) == HV_RING_OK && sig)
			fvg_signal(VMBUS_EVENT_CONNECTION_BASE + 1 + ch);
		break;
	}
	case 6: {
		uint8_t sel = byte(in);
		struct hv_ring *r = &rings[sel & 1][(sel >> 1) & 1];
		uint32_t v = u32(in);

		if (!r->header)
			break;
		switch ((sel >> 2) % 5) {
		case 0: r->header->write_index = v; break;
		case 1: r->header->read_index = v; break;
		case 2: r->header->interrupt_mask = v; break;
		case 3: r->header->pending_send_size = v; break;
		default: r->header->feature_bits = v; break;
		}
		break;
	}
	case 7: {
		uint32_t relid = byte(in) % 4, id = byte(in) % 4, count = byte(in) % 30;
		uint32_t first = byte(in), stride = byte(in) % 3;

		post_gpadl(relid, id, first, count, stride);
		break;
	}
	default: {
		uint32_t relid = byte(in) % 4, id = byte(in) % 4, send = byte(in) % 12;

		post_open(relid, id, send);
		break;
	}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct input in = {data, size};
	struct vmbus_config cfg;
	struct vmbus *vb;
	size_t free_before;

	fvg_setup(RAM_PAGES);
	free_before = page_alloc_free_count(fvg_pages());
	cfg = (struct vmbus_config){.partition = fake_part.p,
	                            .vp = fake_part.vp,
	                            .name = "fuzz",
	                            .hpa_to_hva = fake_host_ops.hpa_to_hva};
	vb = vmbus_create(fvg_pages(), &cfg);
	if (!vb || line_sink_init(&sink, "fuzz", drop_line, NULL) || vmbus_add_console(vb, &sink) ||
	    vmbus_add_block(vb, disk, sizeof(disk), "disk") || vmbus_attach(vb))
		abort();
	memset(rings, 0, sizeof(rings));
	if (!(byte(&in) & 1))
		open_both(vb);
	for (int steps = 0; in.left && steps < 256; steps++)
		step(vb, &in);
	vmbus_destroy(vb);
	if (page_alloc_free_count(fvg_pages()) != free_before)
		abort(); /* the manager leaked monitor memory */
	fvg_teardown();
	return 0;
}
