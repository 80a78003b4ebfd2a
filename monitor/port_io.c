/* Port-I/O exits on a port bus, finished through libhv. */
#include "monitor/lib/errno.h"
#include "monitor/port_io.h"

int vp_port_io(struct hv_vp *vp, struct io_bus *bus, struct hv_exit *exit)
{
	if (exit->io.is_string)
		return -ENOTSUP;
	if (exit->io.is_write)
		io_bus_write(bus, exit->io.port, exit->io.size, exit->io.value);
	else if (!io_bus_read(bus, exit->io.port, exit->io.size, &exit->io.value))
		exit->io.value = io_bus_unclaimed_value(exit->io.size);
	return hv_vp_complete(vp, exit) == HV_STATUS_SUCCESS ? 0 : -EINVAL;
}
