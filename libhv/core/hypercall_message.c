/* HvCallPostMessage and HvCallSignalEvent: validated in full; no connection exists before SynIC. */
#include <string.h>

#include "libhv/core/hv_internal.h"
#include "libhv/core/hypercall.h"

/*
 * Connections are what the monitor will create for its VSPs (HvCallCreatePort/ConnectPort in
 * the root's terms). There are none yet, so every well-formed call ends in
 * HV_STATUS_INVALID_CONNECTION_ID; the checks before the lookup are the ones that will stay.
 */
static bool connection_exists(const struct hv_partition *p, uint32_t connection_id)
{
	(void)p;
	(void)connection_id;
	return false;
}

/* Fast calls and misaligned blocks were refused by the decoder (slow only, 8-byte aligned). */
hv_status_t hc_post_message(struct hc_call *c)
{
	struct hv_input_post_message in;

	memcpy(&in, c->input, sizeof(in));
	if (in.payload_size > HV_MESSAGE_PAYLOAD_BYTES)
		return HV_STATUS_INVALID_HYPERCALL_INPUT;
	if (!connection_exists(c->vp->partition, in.connection_id))
		return HV_STATUS_INVALID_CONNECTION_ID;
	return HV_STATUS_INSUFFICIENT_BUFFERS; /* unreachable until connections exist */
}

/*
 * The flag number selects an event flag of the port; ports have one flag for now, so any other
 * number is an invalid port. Reserved bits (connection ID 31:24, the last 16 bits) must be 0.
 */
hv_status_t hc_signal_event(struct hc_call *c)
{
	struct hv_input_signal_event in;

	memcpy(&in, c->input, sizeof(in));
	if (in.flag_number != 0)
		return HV_STATUS_INVALID_PORT_ID;
	if ((in.connection_id & ~HV_CONNECTION_ID_MASK) || in.reserved)
		return HV_STATUS_INVALID_HYPERCALL_INPUT;
	if (!connection_exists(c->vp->partition, in.connection_id))
		return HV_STATUS_INVALID_CONNECTION_ID;
	return HV_STATUS_INSUFFICIENT_BUFFERS; /* unreachable until connections exist */
}
