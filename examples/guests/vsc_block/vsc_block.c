/* A block VSC guest: reads the whole synthetic disk (CRC-32 on COM1), writes a pattern back, checks refusals. */
#include <stdbool.h>
#include <stdint.h>

#include "guest.h"
#include "vsc.h"

/* 8 pages each way: 28 KiB of ring data, room for several 4 KiB reads in flight. */
#define SEND_PAGES 8U
#define RECV_PAGES 8U
#define MAX_DATA   (HV_BLOCK_MAX_SECTORS * HV_BLOCK_SECTOR_SIZE)
#define NO_STATUS  0xffffffffU /* the request got no (valid) response */

static struct vsc_bus bus;
static struct vsc_channel disk;
static uint8_t ring_pages[SEND_PAGES + RECV_PAGES][VSC_PAGE_SIZE]
    __attribute__((aligned(VSC_PAGE_SIZE)));
static uint8_t request[sizeof(struct hv_block_request) + MAX_DATA];
static uint8_t response[sizeof(struct hv_block_response) + MAX_DATA];
static uint8_t data[MAX_DATA], saved[HV_BLOCK_SECTOR_SIZE];
static uint32_t crc_table[256];
static uint64_t next_trans_id = 1;
static unsigned failures;

static void check(bool ok, const char *what)
{
	guest_printf("vsc_block: %s: %s\n", what, ok ? "PASS" : "FAIL");
	if (!ok)
		failures++;
}

/* CRC-32 (IEEE 802.3, reflected, as zlib and gzip compute it): the host checks the same value. */
static void crc32_init(void)
{
	for (uint32_t i = 0; i < 256; i++) {
		uint32_t c = i;

		for (int k = 0; k < 8; k++)
			c = (c & 1) ? 0xEDB88320U ^ (c >> 1) : c >> 1;
		crc_table[i] = c;
	}
}

static uint32_t crc32_update(uint32_t crc, const uint8_t *p, uint32_t n)
{
	crc = ~crc;
	while (n--)
		crc = crc_table[(crc ^ *p++) & 0xff] ^ (crc >> 8);
	return ~crc;
}

/*
 * One request, waited for: `op` on `count` sectors at `sector`; a write sends `count` sectors
 * from `in` (count_data of them: the request may lie on purpose), a read fills `out`.
 * Returns the response's status (HV_BLOCK_*) or NO_STATUS.
 */
static uint32_t block_io(uint32_t op, uint64_t sector, uint32_t count, const uint8_t *in,
                         uint32_t data_sectors, uint8_t *out)
{
	struct hv_block_request req = {.op = op, .count = count, .sector = sector};
	struct hv_block_response resp;
	struct hv_ring_packet pkt;
	uint32_t len = sizeof(req) + data_sectors * HV_BLOCK_SECTOR_SIZE;
	uint64_t trans_id = next_trans_id++;
	enum hv_ring_result r;

	memcpy(request, &req, sizeof(req));
	if (data_sectors)
		memcpy(request + sizeof(req), in, data_sectors * HV_BLOCK_SECTOR_SIZE);
	r = vsc_send(&disk, HV_PACKET_DATA_INBAND, HV_PACKET_FLAG_COMPLETION_REQUESTED, trans_id,
	             request, len, false);
	if (r != HV_RING_OK) {
		guest_printf("vsc_block: send: %s\n", hv_ring_result_name(r));
		return NO_STATUS;
	}
	r = vsc_recv(&disk, &pkt, response, sizeof(response), true);
	if (r != HV_RING_OK) {
		guest_printf("vsc_block: receive: %s\n", hv_ring_result_name(r));
		return NO_STATUS;
	}
	if (pkt.type != HV_PACKET_COMPLETION || pkt.trans_id != trans_id ||
	    pkt.length < sizeof(resp)) {
		guest_printf("vsc_block: response type %u trans_id %llu (want %llu) length %u\n",
		             pkt.type, (unsigned long long)pkt.trans_id,
		             (unsigned long long)trans_id, pkt.length);
		return NO_STATUS;
	}
	memcpy(&resp, response, sizeof(resp));
	if (resp.status == HV_BLOCK_OK && op == HV_BLOCK_OP_READ) {
		/* The payload is padded to 8 bytes: at least count sectors must be there. */
		if (resp.count != count ||
		    pkt.length < sizeof(resp) + count * HV_BLOCK_SECTOR_SIZE) {
			guest_printf("vsc_block: read response: %u sector(s), %u bytes\n",
			             resp.count, pkt.length);
			return NO_STATUS;
		}
		memcpy(out, response + sizeof(resp), count * HV_BLOCK_SECTOR_SIZE);
	}
	return resp.status;
}

/* Every sector, in requests of the largest size: the CRC-32 of the device and the rate. */
static void read_everything(uint64_t capacity)
{
	uint32_t crc = 0;
	uint64_t start = vsc_rdtsc(), cycles, us, done = 0;

	while (done < capacity) {
		uint32_t n = capacity - done < HV_BLOCK_MAX_SECTORS ? (uint32_t)(capacity - done)
		                                                    : HV_BLOCK_MAX_SECTORS;
		uint32_t status = block_io(HV_BLOCK_OP_READ, done, n, NULL, 0, data);

		if (status != HV_BLOCK_OK) {
			guest_printf("vsc_block: read at sector %llu: status %#x\n",
			             (unsigned long long)done, status);
			break;
		}
		crc = crc32_update(crc, data, n * HV_BLOCK_SECTOR_SIZE);
		done += n;
	}
	cycles = vsc_rdtsc() - start;
	us = vsc_tsc_to_us(&bus, cycles);
	check(done == capacity, "every sector read");
	guest_printf("vsc_block: read %llu sectors (%llu bytes), crc32 %08x\n",
	             (unsigned long long)done, (unsigned long long)done * HV_BLOCK_SECTOR_SIZE,
	             crc);
	guest_printf("vsc_block: %llu sectors in %llu TSC cycles (%llu us): %llu sectors/s\n",
	             (unsigned long long)done, (unsigned long long)cycles, (unsigned long long)us,
	             us ? (unsigned long long)(done * 1000000U / us) : 0ULL);
}

static void fill_pattern(uint8_t *p, uint64_t sector, uint32_t count)
{
	for (uint32_t i = 0; i < count * HV_BLOCK_SECTOR_SIZE; i++)
		p[i] = (uint8_t)((sector * 31U + i) ^ 0xA5U);
}

/* Write a pattern at `sector`, read it back, compare; the sector before must not change. */
static void write_and_verify(uint64_t sector, uint32_t count, const char *what)
{
	static uint8_t pattern[MAX_DATA];
	uint32_t before_status = NO_STATUS, st;

	if (sector > 0)
		before_status = block_io(HV_BLOCK_OP_READ, sector - 1, 1, NULL, 0, saved);
	fill_pattern(pattern, sector, count);
	st = block_io(HV_BLOCK_OP_WRITE, sector, count, pattern, count, NULL);
	if (st != HV_BLOCK_OK)
		guest_printf("vsc_block: write %u at %llu: status %#x\n", count,
		             (unsigned long long)sector, st);
	memset(data, 0, sizeof(data));
	st = st == HV_BLOCK_OK ? block_io(HV_BLOCK_OP_READ, sector, count, NULL, 0, data) : st;
	check(st == HV_BLOCK_OK && memcmp(data, pattern, count * HV_BLOCK_SECTOR_SIZE) == 0, what);
	if (before_status == HV_BLOCK_OK) {
		st = block_io(HV_BLOCK_OP_READ, sector - 1, 1, NULL, 0, data);
		check(st == HV_BLOCK_OK && memcmp(data, saved, HV_BLOCK_SECTOR_SIZE) == 0,
		      "the sector before the write unchanged");
	}
}

static void expect_refusal(uint32_t op, uint64_t sector, uint32_t count, uint32_t data_sectors,
                           uint32_t want, const char *what)
{
	static uint8_t zeros[MAX_DATA];
	uint32_t st = block_io(op, sector, count, zeros, data_sectors, data);

	if (st != want)
		guest_printf("vsc_block: %s: status %#x, want %#x\n", what, st, want);
	check(st == want, what);
}

int main(const struct guest_start_info *info)
{
	const struct hv_vmbus_offer *offer;
	uint64_t capacity;
	uint32_t status;

	(void)info;
	crc32_init();
	if (vsc_bus_init(&bus, "vsc_block") != 0) {
		guest_puts("vsc_block: FAIL\n");
		return 1;
	}
	status = vsc_bus_connect(&bus);
	if (status != HV_STATUS_SUCCESS) {
		guest_printf("vsc_block: session failed: status %#x%s\nvsc_block: FAIL\n", status,
		             status == HV_STATUS_INVALID_CONNECTION_ID ? " (no channel service)"
		                                                       : "");
		return 1;
	}
	offer = vsc_find_offer(&bus, HV_VMBUS_DEVICE_BLOCK, 0);
	check(offer != NULL, "block device offered");
	if (!offer) {
		guest_puts("vsc_block: FAIL\n");
		return 1;
	}
	capacity = offer->capacity;
	guest_printf("vsc_block: device '%s': relid %u, %llu sectors, max_packet %u\n", offer->name,
	             offer->child_relid, (unsigned long long)capacity, offer->max_packet);
	check(capacity > 0 && offer->max_packet >= sizeof(request), "capacity and packet size");
	status = vsc_channel_open(&bus, &disk, offer, ring_pages, SEND_PAGES, RECV_PAGES);
	check(status == HV_STATUS_SUCCESS, "block channel opened");
	if (status != HV_STATUS_SUCCESS || capacity == 0) {
		guest_printf("vsc_block: open: status %#x\nvsc_block: FAIL\n", status);
		return 1;
	}

	read_everything(capacity);
	write_and_verify(1, 1, "one sector written and read back");
	if (capacity >= 16)
		write_and_verify(capacity / 2 - 1, HV_BLOCK_MAX_SECTORS,
		                 "8 sectors written and read back");
	write_and_verify(capacity - 1, 1, "the last sector written and read back");

	expect_refusal(HV_BLOCK_OP_READ, capacity, 1, 0, HV_BLOCK_OUT_OF_RANGE,
	               "read past the end: OUT_OF_RANGE");
	expect_refusal(HV_BLOCK_OP_READ, capacity - 1, 2, 0, HV_BLOCK_OUT_OF_RANGE,
	               "read across the end: OUT_OF_RANGE");
	expect_refusal(HV_BLOCK_OP_WRITE, ~0ULL - 1, 2, 2, HV_BLOCK_OUT_OF_RANGE,
	               "write at a sector that wraps: OUT_OF_RANGE");
	expect_refusal(7, 0, 1, 0, HV_BLOCK_BAD_REQUEST, "unknown op: BAD_REQUEST");
	expect_refusal(HV_BLOCK_OP_READ, 0, 0, 0, HV_BLOCK_BAD_REQUEST, "count 0: BAD_REQUEST");
	expect_refusal(HV_BLOCK_OP_READ, 0, HV_BLOCK_MAX_SECTORS + 1, 0, HV_BLOCK_BAD_REQUEST,
	               "count above the maximum: BAD_REQUEST");
	status = block_io(HV_BLOCK_OP_READ, 0, 1, NULL, 0, data);
	check(status == HV_BLOCK_OK, "the channel still serves after the refusals");

	guest_printf("vsc_block: %llu signal(s) sent, %llu event flag(s) seen, %llu wait(s) for "
	             "space, %llu bytes sent, %llu received\n",
	             (unsigned long long)disk.signals, (unsigned long long)disk.flags_seen,
	             (unsigned long long)disk.waits_full, (unsigned long long)disk.bytes_sent,
	             (unsigned long long)disk.bytes_received);
	status = vsc_channel_close(&disk);
	check(status == HV_STATUS_SUCCESS, "channel closed (GPADL torn down)");
	guest_puts(failures ? "vsc_block: FAIL\n" : "vsc_block: PASS\n");
	return failures ? 1 : 0;
}
