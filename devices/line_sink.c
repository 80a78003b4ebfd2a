/* Per-partition output line buffering: prefixing, splitting of long lines and escaping of bytes. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "devices/line_sink.h"
#include "monitor/lib/errno.h"

/* The longest text one byte of input can become: "\xNN". */
#define ESCAPE_LEN 4U

static bool is_printable(uint8_t byte)
{
	return byte >= 0x20U && byte <= 0x7EU;
}

int line_sink_init(struct line_sink *sink, const char *name, line_sink_emit_fn emit,
                   void *emit_opaque)
{
	if (name == NULL || emit == NULL || name[0] == '\0')
		return -EINVAL;
	size_t name_len = 0;
	while (name[name_len] != '\0') {
		if (name_len == LINE_SINK_MAX_NAME)
			return -E2BIG;
		if (!is_printable((uint8_t)name[name_len]))
			return -EINVAL;
		name_len++;
	}

	sink->emit = emit;
	sink->emit_opaque = emit_opaque;
	size_t at = 0;
	sink->line[at++] = '[';
	for (size_t i = 0; i < name_len; i++)
		sink->line[at++] = name[i];
	sink->line[at++] = ']';
	sink->line[at++] = ' ';
	sink->prefix_len = at;
	sink->len = at;
	return 0;
}

static void emit_line(struct line_sink *sink)
{
	sink->line[sink->len] = '\0';
	sink->emit(sink->emit_opaque, sink->line, sink->len);
	sink->len = sink->prefix_len;
}

/* Append `n` characters of text, first emitting the piece so far if they would not fit. */
static void append(struct line_sink *sink, const char *text, size_t n)
{
	if (sink->len - sink->prefix_len + n > LINE_SINK_MAX_TEXT)
		emit_line(sink);
	for (size_t i = 0; i < n; i++)
		sink->line[sink->len++] = text[i];
}

void line_sink_put(struct line_sink *sink, uint8_t byte)
{
	static const char hex[] = "0123456789abcdef";

	if (byte == '\n') {
		emit_line(sink);
	} else if (byte == '\r') {
		/* Dropped: the console ends lines itself, and a lone CR would let a guest overwrite
		 * (and so forge) the prefix on a terminal. */
	} else if (is_printable(byte)) {
		char c = (char)byte;
		append(sink, &c, 1);
	} else {
		char escape[ESCAPE_LEN] = {'\\', 'x', hex[byte >> 4], hex[byte & 0xFU]};
		append(sink, escape, ESCAPE_LEN);
	}
}

void line_sink_tx(void *sink, uint8_t byte)
{
	line_sink_put(sink, byte);
}

void line_sink_flush(struct line_sink *sink)
{
	if (sink->len > sink->prefix_len)
		emit_line(sink);
}
