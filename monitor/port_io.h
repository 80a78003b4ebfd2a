/* Finishing a port-I/O exit against a port bus: the few lines every monitor would otherwise repeat. */
#ifndef MONITOR_PORT_IO_H
#define MONITOR_PORT_IO_H

#include <hv/hv.h>

#include "devices/io_bus.h"

/*
 * Perform the IN or OUT of `exit` on `bus` and step the VP past it. Unclaimed ports read all
 * ones and drop writes, as an empty PC bus does. Returns 0, or -ENOTSUP for string I/O
 * (INS/OUTS, which needs the emulator) and -EINVAL when libhv refuses the completion.
 */
int vp_port_io(struct hv_vp *vp, struct io_bus *bus, struct hv_exit *exit);

#endif
