/* Benchmark guest: 64 KiB of text through the synthetic console channel, timed with the TSC. */
#include <stdbool.h>
#include <stdint.h>

#include "flood_text.h"
#include "guest.h"
#include "vsc.h"

/* 64 KiB of ring data toward the monitor (the GPADL allows 26 pages in all), 4 pages back. */
#define SEND_PAGES 17U
#define RECV_PAGES 4U

static struct vsc_bus bus;
static struct vsc_channel console;
static uint8_t ring_pages[SEND_PAGES + RECV_PAGES][VSC_PAGE_SIZE]
    __attribute__((aligned(VSC_PAGE_SIZE)));
static char text[FLOOD_BYTES];

static int fail(const char *why, uint32_t status)
{
	guest_printf("vsc_flood: %s (status %#x)\nvsc_flood: FAIL\n", why, status);
	return 1;
}

/* Append text or a decimal number to a line being built (the guest runtime prints only to COM1). */
static uint32_t put_text(char *line, uint32_t n, const char *s)
{
	while (*s && n < 159)
		line[n++] = *s++;
	return n;
}

static uint32_t put_number(char *line, uint32_t n, uint64_t v)
{
	char digits[20];
	uint32_t k = 0;

	do {
		digits[k++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (k && n < 159)
		line[n++] = digits[--k];
	return n;
}

/* A status line through the channel (the flood's own lines must not go through COM1). */
static void report(struct vsc_channel *ch, const char *s)
{
	uint32_t len = 0;

	while (s[len])
		len++;
	vsc_write_text(ch, s, len);
}

int main(const struct guest_start_info *info)
{
	const struct hv_vmbus_offer *offer;
	struct hv_ring_packet pkt;
	char greeting[128], line[160];
	uint64_t start, cycles;
	uint32_t status, n;
	enum hv_ring_result r;

	(void)info;
	for (uint32_t i = 0; i < FLOOD_BYTES / FLOOD_LINE_BYTES; i++)
		flood_fill_line(text + i * FLOOD_LINE_BYTES, "vsc_flood", i);
	if (vsc_bus_init(&bus, "vsc_flood") != 0)
		return fail("no Hyper-V SynIC", 0);
	status = vsc_bus_connect(&bus);
	if (status != HV_STATUS_SUCCESS)
		return fail("session failed", status);
	offer = vsc_find_offer(&bus, HV_VMBUS_DEVICE_CONSOLE, 0);
	if (!offer)
		return fail("no console offered", 0);
	status = vsc_channel_open(&bus, &console, offer, ring_pages, SEND_PAGES, RECV_PAGES);
	if (status != HV_STATUS_SUCCESS)
		return fail("open failed", status);
	/* Take the greeting out of the way: the flood measures one direction only. */
	vsc_recv(&console, &pkt, greeting, sizeof(greeting), true);

	/* Its own lines go through the channel too: COM1 would add two exits per byte to the count. */
	report(&console, "vsc_flood: 65536 bytes of text through the console channel follow\n");
	start = vsc_rdtsc();
	r = vsc_write_text(&console, text, FLOOD_BYTES);
	/* Done when the monitor has taken everything out of the ring. */
	while (r == HV_RING_OK && hv_ring_has_data(&console.send) &&
	       vsc_tsc_to_us(&bus, vsc_rdtsc() - start) < VSC_TIMEOUT_MS * 1000ULL)
		__asm__ volatile("pause");
	cycles = vsc_rdtsc() - start;
	if (r != HV_RING_OK)
		return fail(hv_ring_result_name(r), 0);
	if (hv_ring_has_data(&console.send))
		return fail("the monitor left text in the ring", 0);
	n = put_text(line, 0, "vsc_flood: 65536 bytes in ");
	n = put_number(line, n, cycles);
	n = put_text(line, n, " TSC cycles, ");
	n = put_number(line, n, console.signals);
	n = put_text(line, n, " signal(s), ");
	n = put_number(line, n, console.waits_full);
	n = put_text(line, n, " wait(s) for space, ");
	n = put_number(line, n, console.flags_seen);
	n = put_text(line, n, " event flag(s)\n");
	vsc_write_text(&console, line, n);
	report(&console, "vsc_flood: PASS\n");
	status = vsc_channel_close(&console);
	if (status != HV_STATUS_SUCCESS)
		return fail("close failed", status);
	return 0;
}
