/* VSP benchmark: the monitor's cost of one console packet and of one block read, signal to return. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "fakes/fake_vmbus_guest.h"
#include "monitor/vmbus.h"

/*
 * The child's side runs on the host fakes (fake_vmbus_guest.c): it writes a packet into its
 * ring and signals through the hypercall decoder (HvCallSignalEvent, fast), which runs the
 * VSP inside the call as hv_vp_run() would. The wall time includes the child's side. For the
 * monitor's instruction count alone, run under callgrind and read the VSP entry point's
 * inclusive cost per call:
 *   valgrind --tool=callgrind --toggle-collect=console_packets build/bench/vsp_bench console
 *   valgrind --tool=callgrind --toggle-collect=block_packets build/bench/vsp_bench block
 * (--toggle-collect=on_event adds the manager's dispatch around it.)
 */
#define CALLS 100000U

static struct hv_ring con_to, blk_to, blk_from;
static struct vmbus *vb;
static struct line_sink sink;
static uint8_t disk[64 * 512];

static double now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e9 + t.tv_nsec;
}

static void drop_line(void *opaque, const char *line, size_t len)
{
	(void)opaque;
	(void)line;
	(void)len;
}

static void drain(void)
{
	uint8_t buf[240];
	uint32_t n;

	while (fvg_take(buf, &n))
		vmbus_poll(vb);
}

static void post_gpadl_open(uint32_t relid, uint64_t pfn, uint32_t pages, uint32_t send)
{
	struct hv_vmbus_gpadl_header g = {.header = {HV_VMBUS_GPADL_HEADER, 0},
	                                  .child_relid = relid,
	                                  .gpadl_id = relid,
	                                  .page_count = pages};
	struct hv_vmbus_open_channel o = {.header = {HV_VMBUS_OPEN_CHANNEL, 0},
	                                  .child_relid = relid,
	                                  .gpadl_id = relid,
	                                  .send_pages = send};

	for (uint32_t i = 0; i < pages; i++)
		g.pfn[i] = pfn + i;
	fvg_post(&g, sizeof(g));
	drain();
	fvg_post(&o, sizeof(o));
	drain();
}

static int setup(void)
{
	struct hv_vmbus_initiate_contact c = {{HV_VMBUS_INITIATE_CONTACT, 0}, HV_VMBUS_VERSION, 0};
	struct hv_ring con_from;
	struct vmbus_config cfg;

	fvg_setup(64);
	cfg = (struct vmbus_config){.partition = fake_part.p,
	                            .vp = fake_part.vp,
	                            .name = "bench",
	                            .hpa_to_hva = fake_host_ops.hpa_to_hva};
	vb = vmbus_create(fvg_pages(), &cfg);
	if (!vb || line_sink_init(&sink, "bench", drop_line, NULL) ||
	    vmbus_add_console(vb, &sink) || vmbus_add_block(vb, disk, sizeof(disk), "disk") ||
	    vmbus_attach(vb))
		return -1;
	fvg_post(&c, sizeof(c));
	drain();
	fvg_ring_init(&con_to, 0x10000, 4);
	fvg_ring_init(&con_from, 0x14000, 4);
	fvg_ring_init(&blk_to, 0x20000, 4);
	fvg_ring_init(&blk_from, 0x24000, 8);
	post_gpadl_open(1, 0x10, 8, 4);
	post_gpadl_open(2, 0x20, 12, 4);
	return vmbus_channel(vb, 1)->state == VMBUS_CHANNEL_OPEN &&
	               vmbus_channel(vb, 2)->state == VMBUS_CHANNEL_OPEN
	           ? 0
	           : -1;
}

/* One line of console text (a typical printf), written and signalled. */
static void console_once(void)
{
	static const char line[] = "[  0.123456] virtio-less console line\n";
	bool sig;

	hv_ring_write(&con_to, HV_PACKET_DATA_INBAND, 0, 0, line, sizeof(line) - 1, &sig);
	fvg_signal(VMBUS_EVENT_CONNECTION_BASE + 1);
}

/* One 1-sector read: request, signal, the child takes the response. */
static void block_once(void)
{
	struct hv_block_request req = {HV_BLOCK_OP_READ, 1, 5};
	static uint8_t resp[VSP_BLOCK_RESP_MAX];
	struct hv_ring_packet pkt;
	bool sig;

	hv_ring_write(&blk_to, HV_PACKET_DATA_INBAND, 0, 1, &req, sizeof(req), &sig);
	fvg_signal(VMBUS_EVENT_CONNECTION_BASE + 2);
	hv_ring_read(&blk_from, &pkt, resp, sizeof(resp), &sig);
}

static void measure(const char *name, void (*fn)(void))
{
	double start = now_ns();

	for (unsigned i = 0; i < CALLS; i++)
		fn();
	printf("%-32s %7.1f ns per call (child side included)\n", name, (now_ns() - start) / CALLS);
}

/* With an argument ("console" or "block"), only that one: one figure per callgrind run. */
int main(int argc, char **argv)
{
	const char *only = argc > 1 ? argv[1] : "";
	struct vmbus_stats stats;

	if (setup()) {
		fprintf(stderr, "vsp_bench: the channels did not open\n");
		return 1;
	}
	if (!*only || !strcmp(only, "console"))
		measure("console packet (38 bytes)", console_once);
	if (!*only || !strcmp(only, "block"))
		measure("block read (1 sector)", block_once);
	vmbus_get_stats(vb, &stats);
	printf("moved: %llu packets / %llu bytes in, %llu / %llu bytes out, %llu signals out\n",
	       (unsigned long long)stats.total.packets_in, (unsigned long long)stats.total.bytes_in,
	       (unsigned long long)stats.total.packets_out,
	       (unsigned long long)stats.total.bytes_out,
	       (unsigned long long)stats.total.signals_out);
	vmbus_destroy(vb);
	fvg_teardown();
	return 0;
}
