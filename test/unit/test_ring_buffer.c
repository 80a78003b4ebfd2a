/* Host tests of the VMBus-style ring (core/ring_buffer.c): packets, wrap-around, signalling, and every malformed ring. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <stdlib.h>
#include <string.h>

#include <hv/ring.h>

#define DATA_SIZE 256U

static struct hv_ring_header header;
static uint8_t data[DATA_SIZE];
static struct hv_ring ring;

static void setup(void)
{
	memset(&header, 0xa5, sizeof(header));
	memset(data, 0xcc, sizeof(data));
	cr_assert_eq(hv_ring_attach(&ring, &header, data, DATA_SIZE), HV_RING_OK);
	hv_ring_reset(&ring);
}

TestSuite(ring, .init = setup);

static enum hv_ring_result put(uint32_t len, uint8_t fill, bool *signal)
{
	uint8_t payload[512];

	memset(payload, fill, sizeof(payload));
	return hv_ring_write(&ring, HV_PACKET_DATA_INBAND, 0, 0x1000U + fill, payload, len, signal);
}

Test(ring, attach_refuses_bad_rings)
{
	struct hv_ring r;

	cr_expect_eq(hv_ring_attach(&r, &header, data, 0), HV_RING_INVALID);
	cr_expect_eq(hv_ring_attach(&r, &header, data, 60), HV_RING_INVALID, "below 64 bytes");
	cr_expect_eq(hv_ring_attach(&r, &header, data, 100), HV_RING_INVALID,
	             "not a multiple of 8");
	cr_expect_eq(hv_ring_attach(&r, NULL, data, 256), HV_RING_INVALID);
	cr_expect_eq(hv_ring_attach(&r, &header, NULL, 256), HV_RING_INVALID);
	cr_expect_eq(hv_ring_attach(NULL, &header, data, 256), HV_RING_INVALID);
}

Test(ring, reset_gives_an_empty_unmasked_ring)
{
	cr_expect_eq(header.write_index, 0);
	cr_expect_eq(header.read_index, 0);
	cr_expect_eq(header.interrupt_mask, 0);
	cr_expect_eq(header.pending_send_size, 0);
	cr_expect_eq(header.feature_bits, HV_RING_FEATURE_PENDING_SEND_SIZE);
	cr_expect_not(hv_ring_has_data(&ring));
	cr_expect_eq(hv_ring_write_space(&ring), DATA_SIZE - 8);
}

Test(ring, a_packet_has_descriptor_padded_payload_and_trailer)
{
	struct hv_packet_descriptor d;
	uint64_t trailer;
	bool signal;

	cr_assert_eq(put(5, 0x11, &signal), HV_RING_OK);
	memcpy(&d, data, sizeof(d));
	cr_expect_eq(d.type, HV_PACKET_DATA_INBAND);
	cr_expect_eq(d.offset8, 2);
	cr_expect_eq(d.len8, 3, "16-byte descriptor and 5 bytes padded to 8");
	cr_expect_eq(d.trans_id, 0x1011);
	cr_expect_eq(data[16], 0x11);
	cr_expect_eq(data[20], 0x11);
	cr_expect_eq(data[21], 0, "padding is zero");
	cr_expect_eq(data[23], 0);
	memcpy(&trailer, data + 24, 8);
	cr_expect_eq(trailer, 0, "the trailer holds the previous write index in its upper half");
	cr_expect_eq(header.write_index, 32);
}

Test(ring, round_trip_of_every_small_length)
{
	for (uint32_t len = 0; len <= 64; len++) {
		uint8_t in[64], out[64];
		struct hv_ring_packet p;
		bool signal;

		for (uint32_t i = 0; i < len; i++)
			in[i] = (uint8_t)(len * 7 + i);
		cr_assert_eq(hv_ring_write(&ring, 6, 1, len, in, len, &signal), HV_RING_OK);
		memset(out, 0xee, sizeof(out));
		cr_assert_eq(hv_ring_read(&ring, &p, out, sizeof(out), &signal), HV_RING_OK);
		cr_expect_eq(p.type, 6);
		cr_expect_eq(p.flags, 1);
		cr_expect_eq(p.trans_id, len);
		cr_expect_eq(p.length, (len + 7) & ~7U);
		cr_expect_arr_eq(out, in, len, "length %u", len);
		for (uint32_t i = len; i < p.length; i++)
			cr_expect_eq(out[i], 0, "padding reads as zero");
		cr_expect_not(hv_ring_has_data(&ring));
	}
}

/* Many packets of changing sizes through a small ring: every wrap position is crossed. */
Test(ring, wrap_around_keeps_every_byte)
{
	uint32_t written = 0, read = 0;
	uint8_t out[128];

	for (unsigned round = 0; round < 400; round++) {
		uint32_t len = (round * 37U) % 90U;
		uint8_t in[96];
		struct hv_ring_packet p;
		bool signal;

		for (uint32_t i = 0; i < len; i++)
			in[i] = (uint8_t)(round + i);
		cr_assert_eq(hv_ring_write(&ring, 6, 0, round, in, len, &signal), HV_RING_OK);
		written++;
		cr_assert_eq(hv_ring_read(&ring, &p, out, sizeof(out), &signal), HV_RING_OK);
		read++;
		cr_assert_eq(p.trans_id, round);
		cr_assert_arr_eq(out, in, len, "round %u", round);
		cr_assert(header.write_index < DATA_SIZE && header.write_index % 8 == 0);
	}
	cr_expect_eq(written, read);
}

Test(ring, full_refuses_without_writing_and_never_fills_completely)
{
	struct hv_ring_packet p;
	uint8_t out[64];
	bool signal;
	unsigned n = 0;

	/* 24-byte packets (8 payload + 16 descriptor) + 8 trailer = 32 bytes each in 256 bytes. */
	while (put(8, (uint8_t)n, &signal) == HV_RING_OK)
		n++;
	cr_expect_eq(n, 7, "the eighth would make the indices equal (empty)");
	cr_expect_neq(header.write_index, header.read_index);
	uint32_t w = header.write_index;
	cr_expect_eq(put(8, 0x99, &signal), HV_RING_FULL);
	cr_expect_eq(header.write_index, w, "nothing written");
	for (unsigned i = 0; i < n; i++) {
		cr_assert_eq(hv_ring_read(&ring, &p, out, sizeof(out), &signal), HV_RING_OK);
		cr_expect_eq(out[0], (uint8_t)i, "in order");
	}
	cr_expect_eq(hv_ring_read(&ring, &p, out, sizeof(out), &signal), HV_RING_EMPTY);
}

Test(ring, a_packet_larger_than_any_ring_is_invalid)
{
	bool signal;

	cr_expect_eq(put(DATA_SIZE, 1, &signal), HV_RING_INVALID);
	cr_expect_eq(put(DATA_SIZE - 24, 1, &signal), HV_RING_INVALID, "exactly full is too much");
	cr_expect_eq(put(DATA_SIZE - 32, 1, &signal), HV_RING_OK, "the largest that fits");
}

Test(ring, writer_signals_only_empty_to_nonempty_and_unmasked)
{
	struct hv_ring_packet p;
	uint8_t out[64];
	bool signal;

	cr_assert_eq(put(8, 1, &signal), HV_RING_OK);
	cr_expect(signal, "empty -> non-empty");
	cr_assert_eq(put(8, 2, &signal), HV_RING_OK);
	cr_expect_not(signal, "the reader has not caught up: it will find this one");
	cr_assert_eq(hv_ring_read(&ring, &p, out, sizeof(out), &signal), HV_RING_OK);
	cr_assert_eq(hv_ring_read(&ring, &p, out, sizeof(out), &signal), HV_RING_OK);

	cr_expect_not(hv_ring_set_masked(&ring, true));
	cr_assert_eq(put(8, 3, &signal), HV_RING_OK);
	cr_expect_not(signal, "masked: the reader polls");
	cr_expect(hv_ring_set_masked(&ring, false),
	          "unmasking reports the data that came meanwhile");
	cr_assert_eq(hv_ring_read(&ring, &p, out, sizeof(out), &signal), HV_RING_OK);
	cr_expect_not(hv_ring_set_masked(&ring, false), "nothing new");
}

Test(ring, reader_signals_when_its_read_frees_the_pending_space)
{
	struct hv_ring_packet p;
	uint8_t out[64];
	bool signal;

	while (put(8, 0, &signal) == HV_RING_OK)
		;
	/* 7 packets use 224 bytes: 32 free. The writer waits for 64 (room for a 48-byte packet). */
	hv_ring_wait_for_space(&ring, 64);
	cr_assert_eq(hv_ring_read(&ring, &p, out, sizeof(out), &signal), HV_RING_OK);
	cr_expect_not(signal, "64 free: not more than 64 yet");
	cr_assert_eq(hv_ring_read(&ring, &p, out, sizeof(out), &signal), HV_RING_OK);
	cr_expect(signal, "96 free: this read crossed the threshold");
	cr_assert_eq(hv_ring_read(&ring, &p, out, sizeof(out), &signal), HV_RING_OK);
	cr_expect_not(signal, "already signalled for this threshold");

	hv_ring_wait_for_space(&ring, 0);
	header.feature_bits = 0;
	hv_ring_wait_for_space(&ring, 200);
	cr_assert_eq(hv_ring_read(&ring, &p, out, sizeof(out), &signal), HV_RING_OK);
	cr_expect_not(signal, "without the feature bit the reader never signals");
}

Test(ring, a_payload_larger_than_the_buffer_stays_in_the_ring)
{
	struct hv_ring_packet p;
	uint8_t out[64];
	bool signal;

	cr_assert_eq(put(40, 7, &signal), HV_RING_OK);
	cr_expect_eq(hv_ring_read(&ring, &p, out, 16, &signal), HV_RING_TOO_LARGE);
	cr_expect_eq(p.length, 40);
	cr_expect_eq(header.read_index, 0, "not consumed");
	cr_expect_eq(hv_ring_read(&ring, &p, out, sizeof(out), &signal), HV_RING_OK);
	cr_expect_eq(out[39], 7);
}

/* What a hostile peer can put in the header or a descriptor, and what each side must answer. */
struct bad_ring {
	const char *what;
	uint32_t write_index, read_index;
	uint16_t offset8, len8; /* written at read_index when len8 or offset8 is non-zero */
	enum hv_ring_result read_result, write_result;
};

static const struct bad_ring bad_rings[] = {
    {"write index past the end", DATA_SIZE, 0, 0, 0, HV_RING_CORRUPT, HV_RING_CORRUPT},
    {"write index far out", 0xfffffff8U, 0, 0, 0, HV_RING_CORRUPT, HV_RING_CORRUPT},
    {"write index misaligned", 12, 0, 0, 0, HV_RING_CORRUPT, HV_RING_CORRUPT},
    {"read index past the end", 0, DATA_SIZE + 8, 0, 0, HV_RING_CORRUPT, HV_RING_CORRUPT},
    {"read index misaligned", 0, 4, 0, 0, HV_RING_CORRUPT, HV_RING_CORRUPT},
    {"fewer bytes than a descriptor and trailer", 16, 0, 2, 2, HV_RING_CORRUPT, HV_RING_OK},
    {"payload offset inside the descriptor", 64, 0, 1, 4, HV_RING_CORRUPT, HV_RING_OK},
    {"packet shorter than its offset", 64, 0, 4, 3, HV_RING_CORRUPT, HV_RING_OK},
    {"packet longer than the data written", 64, 0, 2, 8, HV_RING_CORRUPT, HV_RING_OK},
    {"packet longer than the ring", 64, 0, 2, 0xffff, HV_RING_CORRUPT, HV_RING_OK},
    {"zero-length packet", 64, 0, 0, 0, HV_RING_CORRUPT, HV_RING_OK},
    {"wrapped data with a lying length", 8, 200, 2, 40, HV_RING_CORRUPT, HV_RING_OK},
};

ParameterizedTestParameters(ring, hostile_rings_are_reported_not_followed)
{
	return cr_make_param_array(struct bad_ring, bad_rings,
	                           sizeof(bad_rings) / sizeof(bad_rings[0]));
}

ParameterizedTest(const struct bad_ring *c, ring, hostile_rings_are_reported_not_followed)
{
	struct hv_ring_packet p;
	uint8_t out[DATA_SIZE];
	bool signal = true;

	header.write_index = c->write_index;
	header.read_index = c->read_index;
	if (c->read_index < DATA_SIZE && c->read_index % 8 == 0) {
		struct hv_packet_descriptor d = {.type = 6, .offset8 = c->offset8, .len8 = c->len8};

		memset(data, 0, sizeof(data));
		for (unsigned i = 0; i < sizeof(d); i++)
			data[(c->read_index + i) % DATA_SIZE] = ((uint8_t *)&d)[i];
	}
	cr_expect_eq(hv_ring_read(&ring, &p, out, sizeof(out), &signal), c->read_result, "%s",
	             c->what);
	cr_expect_not(signal, "%s: no signal", c->what);
	cr_expect_eq(header.read_index, c->read_index, "%s: nothing consumed", c->what);
	cr_expect_eq(put(8, 1, &signal), c->write_result, "%s: the writer's view", c->what);
	if (c->write_result != HV_RING_OK)
		cr_expect_eq(hv_ring_write_space(&ring), 0, "%s: no space in a corrupt ring",
		             c->what);
}

/* Random headers and data: every answer is one of the results, nothing is read out of bounds
 * (ASan watches), and a successful read leaves a valid index behind. */
Test(ring, random_garbage_never_escapes_the_ring)
{
	srand(12345);
	for (unsigned round = 0; round < 20000; round++) {
		struct hv_ring_packet p;
		uint8_t out[DATA_SIZE];
		bool signal;

		for (unsigned i = 0; i < sizeof(data); i++)
			data[i] = (uint8_t)rand();
		header.write_index = (uint32_t)rand() % (DATA_SIZE + 16) & ~(rand() % 2 ? 7U : 0U);
		header.read_index = (uint32_t)rand() % (DATA_SIZE + 16) & ~(rand() % 2 ? 7U : 0U);
		for (unsigned n = 0; n < 4; n++) {
			enum hv_ring_result r = hv_ring_read(&ring, &p, out, sizeof(out), &signal);

			cr_assert(r == HV_RING_OK || r == HV_RING_EMPTY || r == HV_RING_CORRUPT,
			          "round %u: %s", round, hv_ring_result_name(r));
			if (r != HV_RING_OK)
				break;
			cr_assert(p.length <= DATA_SIZE);
			cr_assert(header.read_index < DATA_SIZE && header.read_index % 8 == 0);
		}
	}
}

Test(ring, result_names)
{
	cr_expect_str_eq(hv_ring_result_name(HV_RING_CORRUPT), "corrupt");
	cr_expect_str_eq(hv_ring_result_name((enum hv_ring_result)99), "?");
}
