/* Ports the monitor creates and the connection IDs a child reaches them by (CreatePort + ConnectPort). */
#include "libhv/core/hv_internal.h"

const struct hv_synthetic_port *connection_find(const struct hv_partition *p,
                                                uint32_t connection_id)
{
	if (connection_id == 0)
		return NULL;
	for (uint32_t i = 0; i < HV_PORTS_MAX; i++)
		if (p->synthetic.ports[i].connection_id == connection_id)
			return &p->synthetic.ports[i];
	return NULL;
}

hv_status_t hv_port_create(struct hv_partition *p, const struct hv_port_config *config)
{
	struct hv_synthetic_port *free_port = NULL;

	if (!p || !config || config->connection_id == 0 ||
	    config->connection_id > HV_CONNECTION_ID_MAX)
		return HV_STATUS_INVALID_PARAMETER;
	if (config->type == HV_PORT_TYPE_MESSAGE ? !config->on_message
	    : config->type == HV_PORT_TYPE_EVENT ? !config->on_event
	                                         : true)
		return HV_STATUS_INVALID_PARAMETER;
	/* TLFS HvCallConnectPort: an ID in use is INVALID_CONNECTION_ID. */
	if (connection_find(p, config->connection_id))
		return HV_STATUS_INVALID_CONNECTION_ID;
	for (uint32_t i = 0; i < HV_PORTS_MAX && !free_port; i++)
		if (p->synthetic.ports[i].connection_id == 0)
			free_port = &p->synthetic.ports[i];
	/* HvCallCreatePort answers a full port pool with INSUFFICIENT_MEMORY. */
	if (!free_port)
		return HV_STATUS_INSUFFICIENT_MEMORY;
	*free_port = (struct hv_synthetic_port){
	    .connection_id = config->connection_id,
	    .type = config->type,
	    .on_message = config->type == HV_PORT_TYPE_MESSAGE ? config->on_message : NULL,
	    .on_event = config->type == HV_PORT_TYPE_EVENT ? config->on_event : NULL,
	    .opaque = config->opaque,
	};
	return HV_STATUS_SUCCESS;
}

hv_status_t hv_port_delete(struct hv_partition *p, uint32_t connection_id)
{
	struct hv_synthetic_port *port;

	if (!p)
		return HV_STATUS_INVALID_PARAMETER;
	port = (struct hv_synthetic_port *)connection_find(p, connection_id);
	if (!port)
		return HV_STATUS_INVALID_CONNECTION_ID;
	*port = (struct hv_synthetic_port){0};
	return HV_STATUS_SUCCESS;
}
