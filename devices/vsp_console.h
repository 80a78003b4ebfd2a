/* The synthetic console VSP: a child's text onto the monitor console, the monitor's text back. */
#ifndef DEVICES_VSP_CONSOLE_H
#define DEVICES_VSP_CONSOLE_H

#include <stddef.h>
#include <stdint.h>

#include "devices/line_sink.h"
#include "devices/vsp.h"

/*
 * Child -> monitor: HV_PACKET_DATA_INBAND packets whose payload is text; NUL bytes are the
 * sender's padding and are dropped, the rest goes through the partition's line sink (the same
 * "[name] " prefix and escaping as COM1). Any other packet type, or a payload above
 * VSP_CONSOLE_MAX_PACKET, is a protocol error. Monitor -> child: at open one greeting line,
 * "console: connected to partition NAME\n", then whatever vsp_console_send() is given.
 */
#define VSP_CONSOLE_MAX_PACKET 1024U

struct vsp_console {
	struct line_sink *sink;
	char partition[LINE_SINK_MAX_NAME + 1];
	struct vsp_channel *ch; /* while open */
	uint64_t dropped;       /* bytes vsp_console_send() could not place (ring full) */
	uint8_t buf[VSP_CONSOLE_MAX_PACKET];
};

extern const struct vsp_ops vsp_console_ops;

/* Set up the console of partition `name`, printing through `sink`. */
void vsp_console_init(struct vsp_console *con, struct line_sink *sink, const char *name);

/*
 * Send text to the child, in packets of at most VSP_CONSOLE_MAX_PACKET bytes. Returns the bytes
 * sent: fewer than len when the ring filled up (the rest is counted in `dropped`), 0 when the
 * channel is not open.
 */
size_t vsp_console_send(struct vsp_console *con, const char *text, size_t len);

#endif
