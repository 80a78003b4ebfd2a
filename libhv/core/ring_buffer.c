/* One VMBus-style ring: packets in, packets out, and when to signal, against a hostile peer. */
#include <string.h>

#include <hv/ring.h>

/*
 * The header is shared with the other side: every access is a single 32-bit load or store
 * (never torn, never repeated by the compiler), ordered so that data is in place before the
 * index that publishes it, and an index is read before the data it covers.
 */
static uint32_t load_index(const uint32_t *p)
{
	return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}

static void store_index(uint32_t *p, uint32_t v)
{
	__atomic_store_n(p, v, __ATOMIC_RELEASE);
}

const char *hv_ring_result_name(enum hv_ring_result r)
{
	switch (r) {
	case HV_RING_OK: return "ok";
	case HV_RING_EMPTY: return "empty";
	case HV_RING_FULL: return "full";
	case HV_RING_TOO_LARGE: return "too large";
	case HV_RING_CORRUPT: return "corrupt";
	case HV_RING_INVALID: return "invalid";
	}
	return "?";
}

enum hv_ring_result hv_ring_attach(struct hv_ring *ring, struct hv_ring_header *header, void *data,
                                   uint32_t size)
{
	if (!ring || !header || !data || size < 64 || size % 8 != 0 || size > 0x80000000U)
		return HV_RING_INVALID;
	ring->header = header;
	ring->data = data;
	ring->size = size;
	return HV_RING_OK;
}

void hv_ring_reset(struct hv_ring *ring)
{
	store_index(&ring->header->write_index, 0);
	store_index(&ring->header->read_index, 0);
	store_index(&ring->header->interrupt_mask, 0);
	store_index(&ring->header->pending_send_size, 0);
	store_index(&ring->header->feature_bits, HV_RING_FEATURE_PENDING_SEND_SIZE);
}

/* An index the other side may have written: inside the data area and 8-byte aligned. */
static bool index_ok(const struct hv_ring *ring, uint32_t index)
{
	return index < ring->size && index % 8 == 0;
}

/* Bytes between the read and the write index (what the reader has not taken yet). */
static uint32_t used_bytes(const struct hv_ring *ring, uint32_t w, uint32_t r)
{
	return w >= r ? w - r : ring->size - (r - w);
}

/* Copy out of / into the data area starting at `offset`, wrapping at its end. */
static void copy_from_ring(const struct hv_ring *ring, uint32_t offset, void *dst, uint32_t len)
{
	uint32_t first = ring->size - offset < len ? ring->size - offset : len;

	memcpy(dst, ring->data + offset, first);
	memcpy((uint8_t *)dst + first, ring->data, len - first);
}

static void copy_to_ring(struct hv_ring *ring, uint32_t offset, const void *src, uint32_t len)
{
	uint32_t first = ring->size - offset < len ? ring->size - offset : len;

	memcpy(ring->data + offset, src, first);
	memcpy(ring->data, (const uint8_t *)src + first, len - first);
}

static uint32_t advance(const struct hv_ring *ring, uint32_t index, uint32_t by)
{
	/* index < size and by <= size, both below 2^31: no overflow. */
	index += by;
	return index >= ring->size ? index - ring->size : index;
}

enum hv_ring_result hv_ring_write(struct hv_ring *ring, uint16_t type, uint16_t flags,
                                  uint64_t trans_id, const void *payload, uint32_t len,
                                  bool *signal)
{
	static const uint8_t zeros[8];
	struct hv_packet_descriptor desc;
	uint32_t w, r, padded, packet, total, used;
	uint64_t trailer;

	*signal = false;
	padded = (len + 7U) & ~7U;
	if (len > 0xffffU * 8U - sizeof(desc) || padded < len)
		return HV_RING_INVALID;
	packet = (uint32_t)sizeof(desc) + padded;
	total = packet + HV_PACKET_TRAILER_SIZE;
	/* The ring is never filled completely: equal indices mean empty. */
	if (total >= ring->size)
		return HV_RING_INVALID;
	w = load_index(&ring->header->write_index);
	r = load_index(&ring->header->read_index);
	if (!index_ok(ring, w) || !index_ok(ring, r))
		return HV_RING_CORRUPT;
	used = used_bytes(ring, w, r);
	if (ring->size - used <= total)
		return HV_RING_FULL;

	desc = (struct hv_packet_descriptor){.type = type,
	                                     .offset8 = (uint16_t)(sizeof(desc) / 8),
	                                     .len8 = (uint16_t)(packet / 8),
	                                     .flags = flags,
	                                     .trans_id = trans_id};
	copy_to_ring(ring, w, &desc, sizeof(desc));
	if (len)
		copy_to_ring(ring, advance(ring, w, sizeof(desc)), payload, len);
	copy_to_ring(ring, advance(ring, w, (uint32_t)sizeof(desc) + len), zeros, padded - len);
	trailer = (uint64_t)w << 32;
	copy_to_ring(ring, advance(ring, w, packet), &trailer, sizeof(trailer));
	store_index(&ring->header->write_index, advance(ring, w, total));

	/*
	 * Tell the reader only when the ring was empty before this packet (otherwise it has not
	 * finished the earlier ones and will find this one too) and it has not masked interrupts.
	 * The full fence orders the index store above before the loads below: a reader that
	 * unmasks then re-checks the ring cannot miss both the packet and the signal.
	 */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	*signal = load_index(&ring->header->interrupt_mask) == 0 &&
	          load_index(&ring->header->read_index) == w;
	return HV_RING_OK;
}

enum hv_ring_result hv_ring_read(struct hv_ring *ring, struct hv_ring_packet *packet, void *buf,
                                 uint32_t cap, bool *signal)
{
	struct hv_packet_descriptor desc;
	uint32_t w, r, used, offset, length, consumed, pending, space_before;

	*signal = false;
	w = load_index(&ring->header->write_index);
	r = load_index(&ring->header->read_index);
	if (!index_ok(ring, w) || !index_ok(ring, r))
		return HV_RING_CORRUPT;
	used = used_bytes(ring, w, r);
	if (used == 0)
		return HV_RING_EMPTY;
	if (used < sizeof(desc) + HV_PACKET_TRAILER_SIZE)
		return HV_RING_CORRUPT;
	/* Believe the descriptor only after copying it: the writer may change it under us. */
	copy_from_ring(ring, r, &desc, sizeof(desc));
	offset = (uint32_t)desc.offset8 * 8U;
	length = (uint32_t)desc.len8 * 8U;
	if (offset < sizeof(desc) || length < offset || length > used - HV_PACKET_TRAILER_SIZE)
		return HV_RING_CORRUPT;
	packet->type = desc.type;
	packet->flags = desc.flags;
	packet->trans_id = desc.trans_id;
	packet->length = length - offset;
	if (packet->length > cap)
		return HV_RING_TOO_LARGE;
	copy_from_ring(ring, advance(ring, r, offset), buf, packet->length);

	consumed = length + HV_PACKET_TRAILER_SIZE;
	space_before = ring->size - used;
	store_index(&ring->header->read_index, advance(ring, r, consumed));

	/*
	 * Tell the writer only when it asked (pending_send_size) and this read is the one that
	 * freed enough: before it the space was short, after it there is enough.
	 */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	pending = load_index(&ring->header->pending_send_size);
	if ((load_index(&ring->header->feature_bits) & HV_RING_FEATURE_PENDING_SEND_SIZE) &&
	    pending != 0)
		*signal = space_before <= pending && space_before + consumed > pending;
	return HV_RING_OK;
}

uint32_t hv_ring_write_space(const struct hv_ring *ring)
{
	uint32_t w = load_index(&ring->header->write_index);
	uint32_t r = load_index(&ring->header->read_index);
	uint32_t free_bytes;

	if (!index_ok(ring, w) || !index_ok(ring, r))
		return 0;
	free_bytes = ring->size - used_bytes(ring, w, r);
	/* One byte short of full is the most a writer may use (equal indices mean empty). */
	return free_bytes > 8 ? free_bytes - 8 : 0;
}

bool hv_ring_has_data(const struct hv_ring *ring)
{
	return load_index(&ring->header->write_index) != load_index(&ring->header->read_index);
}

bool hv_ring_set_masked(struct hv_ring *ring, bool masked)
{
	store_index(&ring->header->interrupt_mask, masked ? 1U : 0U);
	if (masked)
		return false;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	return hv_ring_has_data(ring);
}

void hv_ring_wait_for_space(struct hv_ring *ring, uint32_t bytes)
{
	store_index(&ring->header->pending_send_size, bytes);
}
