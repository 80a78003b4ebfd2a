/* The synthetic console VSP: text packets from the child to its line sink, and text back. */
#include <string.h>

#include "devices/vsp_console.h"

void vsp_console_init(struct vsp_console *con, struct line_sink *sink, const char *name)
{
	size_t n = 0;

	memset(con, 0, sizeof(*con));
	con->sink = sink;
	while (name && name[n] && n < LINE_SINK_MAX_NAME) {
		con->partition[n] = name[n];
		n++;
	}
}

size_t vsp_console_send(struct vsp_console *con, const char *text, size_t len)
{
	size_t sent = 0;

	if (!con->ch)
		return 0;
	while (sent < len) {
		uint32_t chunk = len - sent > VSP_CONSOLE_MAX_PACKET ? VSP_CONSOLE_MAX_PACKET
		                                                     : (uint32_t)(len - sent);

		if (vsp_write(con->ch, HV_PACKET_DATA_INBAND, 0, 0, text + sent, chunk) !=
		    HV_RING_OK)
			break;
		sent += chunk;
	}
	con->dropped += len - sent;
	return sent;
}

static uint32_t console_open(void *vsp, struct vsp_channel *ch)
{
	static const char hello[] = "console: connected to partition ";
	struct vsp_console *con = vsp;
	char line[sizeof(hello) + LINE_SINK_MAX_NAME + 1];
	size_t n = sizeof(hello) - 1, name_len = strlen(con->partition);

	con->ch = ch;
	memcpy(line, hello, n);
	memcpy(line + n, con->partition, name_len);
	n += name_len;
	line[n++] = '\n';
	vsp_console_send(con, line, n);
	return 0;
}

static enum vsp_result console_packets(void *vsp, struct vsp_channel *ch)
{
	struct vsp_console *con = vsp;
	/* Each packet takes at least 24 ring bytes: a peer that keeps refilling cannot hold us. */
	uint32_t budget = ch->in.size / 24U + 1U;

	while (budget--) {
		struct hv_ring_packet pkt;
		enum hv_ring_result r = vsp_read(ch, &pkt, con->buf, sizeof(con->buf));

		if (r == HV_RING_EMPTY)
			break;
		if (r != HV_RING_OK)
			return vsp_result_of(r);
		if (pkt.type != HV_PACKET_DATA_INBAND)
			return VSP_PROTOCOL;
		for (uint32_t i = 0; i < pkt.length; i++)
			if (con->buf[i])
				line_sink_put(con->sink, con->buf[i]);
	}
	return VSP_OK;
}

static void console_close(void *vsp)
{
	struct vsp_console *con = vsp;

	con->ch = NULL;
}

const struct vsp_ops vsp_console_ops = {
    .kind = "console",
    .on_open = console_open,
    .on_packets = console_packets,
    .on_close = console_close,
};
