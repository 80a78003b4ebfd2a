/* Host tests of the synthetic console VSP over rings in host memory: text both ways, bad packets. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "devices/vsp_console.h"

#define RING_DATA 4096U

struct side {
	struct hv_ring_header header;
	uint8_t data[RING_DATA];
};

static struct side *to, *from; /* child -> monitor, monitor -> child */
static struct vsp_channel ch;
static struct vsp_counters counters;
static struct vsp_console con;
static struct line_sink sink;
static struct hv_ring child_to, child_from;
static char lines[8192];
static unsigned signals;

static void record_line(void *opaque, const char *line, size_t len)
{
	(void)opaque;
	strncat(lines, line, len);
	strcat(lines, "\n");
}

static void count_signal(void *opaque)
{
	cr_expect_eq(opaque, &signals);
	signals++;
}

static void setup(void)
{
	to = calloc(1, sizeof(*to));
	from = calloc(1, sizeof(*from));
	cr_assert(to && from);
	cr_assert_eq(hv_ring_attach(&child_to, &to->header, to->data, RING_DATA), HV_RING_OK);
	cr_assert_eq(hv_ring_attach(&child_from, &from->header, from->data, RING_DATA), HV_RING_OK);
	hv_ring_reset(&child_to);
	hv_ring_reset(&child_from);
	memset(&ch, 0, sizeof(ch));
	memset(&counters, 0, sizeof(counters));
	ch.in = child_to;
	ch.out = child_from;
	ch.signal = count_signal;
	ch.signal_opaque = &signals;
	ch.counters = &counters;
	signals = 0;
	lines[0] = '\0';
	cr_assert_eq(line_sink_init(&sink, "vm1", record_line, NULL), 0);
	vsp_console_init(&con, &sink, "vm1");
}

static void teardown(void)
{
	free(to);
	free(from);
}

TestSuite(vsp_console, .init = setup, .fini = teardown);

static void child_send(uint16_t type, const void *text, uint32_t len)
{
	bool sig;

	cr_assert_eq(hv_ring_write(&child_to, type, 0, 0, text, len, &sig), HV_RING_OK);
}

static size_t child_receive(char *buf, uint32_t cap)
{
	struct hv_ring_packet pkt;
	bool sig;

	if (hv_ring_read(&child_from, &pkt, buf, cap, &sig) != HV_RING_OK)
		return 0;
	cr_expect_eq(pkt.type, HV_PACKET_DATA_INBAND);
	return pkt.length;
}

Test(vsp_console, greeting_at_open)
{
	char buf[128] = {0};

	cr_expect_eq(vsp_console_ops.on_open(&con, &ch), 0);
	cr_expect_eq(signals, 1, "the ring was empty: signalled");
	cr_expect_eq(child_receive(buf, sizeof(buf) - 1), 40, "36 bytes padded to 40");
	cr_expect_str_eq(buf, "console: connected to partition vm1\n");
	cr_expect_eq(counters.packets_out, 1);
	cr_expect_eq(counters.bytes_out, 36);
	cr_expect_eq(counters.signals_out, 1);
}

Test(vsp_console, text_goes_to_the_line_sink_without_padding)
{
	vsp_console_ops.on_open(&con, &ch);
	child_send(HV_PACKET_DATA_INBAND, "one\ntw", 6);
	child_send(HV_PACKET_DATA_INBAND, "o\n\x1b[2J\n", 7);
	cr_expect_eq(vsp_console_ops.on_packets(&con, &ch), VSP_OK);
	cr_expect_str_eq(lines, "[vm1] one\n[vm1] two\n[vm1] \\x1b[2J\n", "escapes stay escaped");
	cr_expect_eq(counters.packets_in, 2);
	cr_expect_eq(counters.bytes_in, 16);
	cr_expect_eq(vsp_console_ops.on_packets(&con, &ch), VSP_OK, "empty ring: nothing to do");
}

Test(vsp_console, send_fills_the_ring_then_counts_drops)
{
	static char text[6000];

	cr_expect_eq(vsp_console_send(&con, "x", 1), 0, "not open");
	vsp_console_ops.on_open(&con, &ch);
	memset(text, 'a', sizeof(text));
	/* 4096 bytes of ring minus the greeting: three 1 KiB packets fit, not four. */
	cr_expect_eq(vsp_console_send(&con, text, sizeof(text)), 3 * VSP_CONSOLE_MAX_PACKET);
	cr_expect_eq(con.dropped, sizeof(text) - 3 * VSP_CONSOLE_MAX_PACKET);
	cr_expect_eq(signals, 1, "only the first packet found the ring empty");
	vsp_console_ops.on_close(&con);
	cr_expect_null(con.ch);
}

Test(vsp_console, bad_packets)
{
	static uint8_t big[VSP_CONSOLE_MAX_PACKET + 8];

	vsp_console_ops.on_open(&con, &ch);
	child_send(HV_PACKET_COMPLETION, "abc", 3);
	cr_expect_eq(vsp_console_ops.on_packets(&con, &ch), VSP_PROTOCOL, "not a data packet");
	hv_ring_reset(&child_to);
	child_send(HV_PACKET_DATA_INBAND, big, sizeof(big));
	cr_expect_eq(vsp_console_ops.on_packets(&con, &ch), VSP_PROTOCOL, "above max_packet");
	hv_ring_reset(&child_to);
	to->header.write_index = 4;
	cr_expect_eq(vsp_console_ops.on_packets(&con, &ch), VSP_RING_CORRUPT);
	to->header.write_index = RING_DATA;
	cr_expect_eq(vsp_console_ops.on_packets(&con, &ch), VSP_RING_CORRUPT);
}

/* A random ring never makes the console read outside it or loop for ever. */
Test(vsp_console, random_rings_terminate)
{
	srand(7);
	vsp_console_ops.on_open(&con, &ch);
	for (int round = 0; round < 2000; round++) {
		enum vsp_result r;

		for (uint32_t i = 0; i < RING_DATA; i++)
			to->data[i] = (uint8_t)rand();
		to->header.write_index = (uint32_t)rand() % RING_DATA & ~7U;
		to->header.read_index = (uint32_t)rand() % RING_DATA & ~7U;
		r = vsp_console_ops.on_packets(&con, &ch);
		cr_assert(r == VSP_OK || r == VSP_RING_CORRUPT || r == VSP_PROTOCOL);
	}
}
