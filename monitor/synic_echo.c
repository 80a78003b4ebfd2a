/* A demo VSP on the SynIC: echoes a child's messages back and answers its events with a flag. */
#include "monitor/synic_echo.h"

#include "monitor/console.h"

/* The child posted: send the same message back to its SINT (busy slot: it waits for EOM). */
static hv_status_t echo_message(void *opaque, uint32_t connection_id, uint32_t message_type,
                                const void *payload, uint32_t size)
{
	(void)connection_id;
	return hv_vp_post_message(opaque, SYNIC_ECHO_SINT, message_type, payload, size);
}

/* The child signalled: set our flag in its event-flags page. */
static void echo_event(void *opaque, uint32_t connection_id, uint16_t flag)
{
	(void)connection_id;
	(void)flag;
	hv_vp_signal_event(opaque, SYNIC_ECHO_SINT, SYNIC_ECHO_EVENT_FLAG, NULL);
}

int synic_echo_attach(struct hv_partition *p, struct hv_vp *vp)
{
	const struct hv_port_config ports[] = {
	    {.connection_id = SYNIC_ECHO_MESSAGE_CONNECTION,
	     .type = HV_PORT_TYPE_MESSAGE,
	     .on_message = echo_message,
	     .opaque = vp},
	    {.connection_id = SYNIC_ECHO_EVENT_CONNECTION,
	     .type = HV_PORT_TYPE_EVENT,
	     .on_event = echo_event,
	     .opaque = vp},
	};

	for (unsigned i = 0; i < sizeof(ports) / sizeof(ports[0]); i++) {
		hv_status_t st = hv_port_create(p, &ports[i]);

		if (st != HV_STATUS_SUCCESS) {
			kprintf("monitor: partition %s: SynIC echo port %#x: %s\n",
			        hv_partition_name(p), ports[i].connection_id, hv_status_name(st));
			return -1;
		}
	}
	return 0;
}
