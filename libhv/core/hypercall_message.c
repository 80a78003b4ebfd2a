/* HvCallPostMessage and HvCallSignalEvent: a child reaching the monitor's ports by connection ID. */
#include <stddef.h>
#include <string.h>

#include "libhv/core/hv_internal.h"
#include "libhv/core/hypercall.h"

/*
 * The order of the checks, and so which status a call with several faults gets:
 *   payload_size > 240                      INVALID_HYPERCALL_INPUT (the reference, after
 *                                           QEMU; the TLFS lists INVALID_PARAMETER)
 *   reserved bits (connection ID 31:24, the RsvdZ word)   INVALID_HYPERCALL_INPUT
 *   message type 0 or with bit 31 set       INVALID_PARAMETER (TLFS: those types are the
 *                                           hypervisor's, 0 marks an empty slot)
 *   no connection with that ID              INVALID_CONNECTION_ID
 *   the port is not a message port          INVALID_PORT_ID (TLFS)
 *   the monitor cannot take it now          INSUFFICIENT_BUFFERS ("no message buffers")
 * Fast calls and misaligned blocks were refused by the decoder (slow only, 8-byte aligned).
 */
hv_status_t hc_post_message(struct hc_call *c)
{
	/* The 16-byte header; the payload is read where it is, in libhv's copy of the input. */
	struct {
		uint32_t connection_id, reserved, message_type, payload_size;
	} in;
	const struct hv_synthetic_port *port;
	hv_status_t st;

	_Static_assert(offsetof(struct hv_input_post_message, payload) == sizeof(in), "header");
	memcpy(&in, c->input, sizeof(in));
	if (in.payload_size > HV_MESSAGE_PAYLOAD_BYTES)
		return HV_STATUS_INVALID_HYPERCALL_INPUT;
	if ((in.connection_id & ~HV_CONNECTION_ID_MASK) || in.reserved)
		return HV_STATUS_INVALID_HYPERCALL_INPUT;
	if (in.message_type == HVMSG_NONE || (in.message_type & HVMSG_HYPERVISOR))
		return HV_STATUS_INVALID_PARAMETER;
	port = connection_find(c->vp->partition, in.connection_id);
	if (!port)
		return HV_STATUS_INVALID_CONNECTION_ID;
	if (port->type != HV_PORT_TYPE_MESSAGE)
		return HV_STATUS_INVALID_PORT_ID;
	/* c->input is libhv's own copy: the guest cannot change the payload under the monitor. */
	st = port->on_message(port->opaque, in.connection_id, in.message_type,
	                      c->input + offsetof(struct hv_input_post_message, payload),
	                      in.payload_size);
	return st == HV_STATUS_SUCCESS ? HV_STATUS_SUCCESS : HV_STATUS_INSUFFICIENT_BUFFERS;
}

/*
 * The flag number selects an event flag of the port; ports have one flag, so any other number
 * is an invalid port (the reference, after KVM; the TLFS says INVALID_PARAMETER for a flag at or
 * above the port's flag count). Reserved bits (connection ID 31:24, the last 16 bits) must be 0.
 * A connection to a message port is INVALID_PORT_ID (TLFS: "not an event port").
 */
hv_status_t hc_signal_event(struct hc_call *c)
{
	struct hv_input_signal_event in;
	const struct hv_synthetic_port *port;

	memcpy(&in, c->input, sizeof(in));
	if (in.flag_number != 0)
		return HV_STATUS_INVALID_PORT_ID;
	if ((in.connection_id & ~HV_CONNECTION_ID_MASK) || in.reserved)
		return HV_STATUS_INVALID_HYPERCALL_INPUT;
	port = connection_find(c->vp->partition, in.connection_id);
	if (!port)
		return HV_STATUS_INVALID_CONNECTION_ID;
	if (port->type != HV_PORT_TYPE_EVENT)
		return HV_STATUS_INVALID_PORT_ID;
	port->on_event(port->opaque, in.connection_id, in.flag_number);
	return HV_STATUS_SUCCESS;
}
