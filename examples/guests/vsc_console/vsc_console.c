/* A console VSC guest: text through the synthetic console channel, and the mistakes the monitor must survive. */
#include <stdbool.h>
#include <stdint.h>

#include "guest.h"
#include "vsc.h"

/* The console VSP's line at open (devices/vsp_console.h): this prefix, the partition's name, "\n". */
#define GREETING_PREFIX "console: connected to partition "

/* Ring pages: 17 toward the monitor (64 KiB of data), 4 back; identity-mapped, so GPA = address. */
#define SEND_PAGES 17U
#define RECV_PAGES 4U

static struct vsc_bus bus;
static struct vsc_channel console;
static uint8_t ring_pages[SEND_PAGES + RECV_PAGES][VSC_PAGE_SIZE]
    __attribute__((aligned(VSC_PAGE_SIZE)));
static char greeting[128];
static unsigned failures;

static void check(bool ok, const char *what)
{
	guest_printf("vsc_console: %s: %s\n", what, ok ? "PASS" : "FAIL");
	if (!ok)
		failures++;
}

static uint32_t text_length(const char *s)
{
	uint32_t n = 0;

	while (s[n])
		n++;
	return n;
}

/* The greeting the VSP writes at open: one text packet, checked and kept NUL-terminated. */
static void check_greeting(void)
{
	struct hv_ring_packet pkt;
	enum hv_ring_result r = vsc_recv(&console, &pkt, greeting, sizeof(greeting) - 1, true);
	uint32_t len;

	if (r != HV_RING_OK) {
		guest_printf("vsc_console: no greeting: %s\n", hv_ring_result_name(r));
		check(false, "greeting received at open");
		return;
	}
	/* The payload is padded to 8 bytes with NULs: the text ends at the first one. */
	greeting[pkt.length] = '\0';
	len = text_length(greeting);
	guest_printf("vsc_console: greeting (%u bytes): %s", len, greeting);
	check(pkt.type == HV_PACKET_DATA_INBAND && len > sizeof(GREETING_PREFIX) &&
	          memcmp(greeting, GREETING_PREFIX, sizeof(GREETING_PREFIX) - 1) == 0 &&
	          greeting[len - 1] == '\n',
	      "greeting received at open");
}

/* Lines through the channel: the monitor prints them with this partition's prefix. */
static void write_lines(void)
{
	static const char lines[] =
	    "vsc_console: line 1 through the console channel\n"
	    "vsc_console: line 2 through the console channel\n"
	    "vsc_console: line 3, with a tab\tand the end of the test text\n";
	enum hv_ring_result r = vsc_write_text(&console, lines, sizeof(lines) - 1);

	check(r == HV_RING_OK, "3 lines written to the console channel");
}

/* A GPADL naming a page past the end of RAM must be refused with a status, not a fault. */
static void check_gpadl_outside_ram(const struct hv_vmbus_offer *offer, uint64_t mem_size)
{
	uint64_t pfns[2] = {(uint64_t)(uintptr_t)ring_pages / VSC_PAGE_SIZE,
	                    mem_size / VSC_PAGE_SIZE + 16};
	uint32_t status = vsc_gpadl(&bus, offer->child_relid, 0x7000, pfns, 2);

	guest_printf("vsc_console: GPADL with page %#llx (RAM ends at %#llx): status %#x\n",
	             (unsigned long long)pfns[1] * VSC_PAGE_SIZE, (unsigned long long)mem_size,
	             status);
	check(status != HV_STATUS_SUCCESS && status != VSC_ERROR_TIMEOUT,
	      "GPADL with a page outside guest RAM refused");
}

/* Opening an open channel again is refused; the channel keeps working. */
static void check_second_open(void)
{
	uint32_t status = vsc_open_request(&bus, console.offer.child_relid, 0x51, console.gpadl_id,
	                                   console.send_pages);
	static const char after[] = "vsc_console: still writing after the refused second open\n";

	guest_printf("vsc_console: second OPEN_CHANNEL: status %#x\n", status);
	check(status != HV_STATUS_SUCCESS && status != VSC_ERROR_TIMEOUT,
	      "second open of the same channel refused");
	check(vsc_write_text(&console, after, sizeof(after) - 1) == HV_RING_OK,
	      "channel still open after the refused open");
}

/*
 * Break the ring on purpose (a write index that is not a multiple of 8) and signal: the monitor
 * must close this channel with RESCIND_OFFER, and this partition must keep running.
 */
static void check_corrupt_ring(void)
{
	struct hv_vmbus_rescind rescind = {0};
	struct vsc_message m;
	bool got;

	__atomic_store_n(&console.send.header->write_index,
	                 __atomic_load_n(&console.send.header->read_index, __ATOMIC_ACQUIRE) + 3,
	                 __ATOMIC_RELEASE);
	vsc_signal(&console);
	got = vsc_wait_message(&bus, HV_VMBUS_RESCIND_OFFER, console.offer.child_relid, &m);
	if (got)
		memcpy(&rescind, m.u.bytes, m.size < sizeof(rescind) ? m.size : sizeof(rescind));
	guest_printf("vsc_console: after a misaligned write_index: %s (reason %u)\n",
	             got ? "RESCIND_OFFER" : "no rescind", rescind.reason);
	check(got && rescind.reason == HV_VMBUS_RESCIND_CORRUPT_RING,
	      "corrupt ring: channel rescinded");
	check(console.rescinded &&
	          vsc_send(&console, HV_PACKET_DATA_INBAND, 0, 0, "x", 1, false) == HV_RING_CORRUPT,
	      "rescinded channel refuses further writes");
}

int main(const struct guest_start_info *raw_info)
{
	const struct guest_start_info *info = guest_check_start_info(raw_info);
	const struct hv_vmbus_offer *offer;
	uint32_t status;

	if (vsc_bus_init(&bus, "vsc_console") != 0) {
		guest_puts("vsc_console: FAIL\n");
		return 1;
	}
	check(true, "Hyper-V, hypercall page and SynIC (SINT2 polled) set up");
	status = vsc_bus_connect(&bus);
	if (status != HV_STATUS_SUCCESS) {
		guest_printf("vsc_console: session failed: status %#x%s\n", status,
		             status == HV_STATUS_INVALID_CONNECTION_ID ? " (no channel service)"
		                                                       : "");
		check(false, "session: version and offers");
		guest_puts("vsc_console: FAIL\n");
		return 1;
	}
	guest_printf("vsc_console: %u offer(s)\n", bus.offer_count);
	for (uint32_t i = 0; i < bus.offer_count; i++)
		guest_printf("vsc_console: offer relid %u device %u connection %#x max_packet %u "
		             "capacity %llu name '%s'\n",
		             bus.offers[i].child_relid, bus.offers[i].device,
		             bus.offers[i].connection_id, bus.offers[i].max_packet,
		             (unsigned long long)bus.offers[i].capacity, bus.offers[i].name);
	offer = vsc_find_offer(&bus, HV_VMBUS_DEVICE_CONSOLE, 0);
	check(offer != NULL, "console offered");
	if (!offer) {
		guest_puts("vsc_console: FAIL\n");
		return 1;
	}

	check_gpadl_outside_ram(offer, info ? info->mem_size : 0x100000000ULL);
	status = vsc_channel_open(&bus, &console, offer, ring_pages, SEND_PAGES, RECV_PAGES);
	guest_printf("vsc_console: open: status %#x\n", status);
	check(status == HV_STATUS_SUCCESS, "console channel opened");
	if (status == HV_STATUS_SUCCESS) {
		check_greeting();
		write_lines();
		check_second_open();
		check_corrupt_ring();
		guest_printf("vsc_console: %llu signal(s) sent, %llu event flag(s) seen, %llu "
		             "byte(s) written, %llu control message(s) posted\n",
		             (unsigned long long)console.signals,
		             (unsigned long long)console.flags_seen,
		             (unsigned long long)console.bytes_sent, (unsigned long long)bus.posts);
	}
	/* Still here after the monitor closed a channel on us: the partition goes on. */
	guest_puts("vsc_console: the partition runs on after the rescind\n");
	guest_puts(failures ? "vsc_console: FAIL\n" : "vsc_console: PASS\n");
	return failures ? 1 : 0;
}
