/* What every VSP does around the ring code (devices/vsp.h): counting packets and bytes, signalling. */
#include "devices/vsp.h"

static void signal_child(struct vsp_channel *ch)
{
	ch->counters->signals_out++;
	ch->signal(ch->signal_opaque);
}

enum hv_ring_result vsp_read(struct vsp_channel *ch, struct hv_ring_packet *packet, void *buf,
                             uint32_t cap)
{
	bool signal = false;
	enum hv_ring_result r = hv_ring_read(&ch->in, packet, buf, cap, &signal);

	if (r != HV_RING_OK)
		return r;
	ch->counters->packets_in++;
	ch->counters->bytes_in += packet->length;
	/* The child waits for room in its send ring (pending_send_size) and this read made it. */
	if (signal)
		signal_child(ch);
	return r;
}

enum hv_ring_result vsp_write(struct vsp_channel *ch, uint16_t type, uint16_t flags,
                              uint64_t trans_id, const void *payload, uint32_t len)
{
	bool signal = false;
	enum hv_ring_result r =
	    hv_ring_write(&ch->out, type, flags, trans_id, payload, len, &signal);

	if (r != HV_RING_OK)
		return r;
	ch->counters->packets_out++;
	ch->counters->bytes_out += len;
	if (signal)
		signal_child(ch);
	return r;
}

bool vsp_ring_indices_ok(const struct hv_ring *ring)
{
	uint32_t w = __atomic_load_n(&ring->header->write_index, __ATOMIC_ACQUIRE);
	uint32_t r = __atomic_load_n(&ring->header->read_index, __ATOMIC_ACQUIRE);

	return w < ring->size && r < ring->size && w % 8 == 0 && r % 8 == 0;
}

uint32_t vsp_packet_bytes(uint32_t len)
{
	return (uint32_t)sizeof(struct hv_packet_descriptor) + ((len + 7U) & ~7U) +
	       HV_PACKET_TRAILER_SIZE;
}

enum vsp_result vsp_result_of(enum hv_ring_result r)
{
	return r == HV_RING_CORRUPT ? VSP_RING_CORRUPT : VSP_PROTOCOL;
}

const char *vsp_result_name(enum vsp_result r)
{
	switch (r) {
	case VSP_OK: return "ok";
	case VSP_RING_CORRUPT: return "ring corrupt";
	case VSP_PROTOCOL: return "protocol error";
	}
	return "?";
}
