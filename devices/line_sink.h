/* Per-partition output line buffering: turns a guest's byte stream into safe, prefixed console lines. */
#ifndef DEVICES_LINE_SINK_H
#define DEVICES_LINE_SINK_H

#include <stddef.h>
#include <stdint.h>

/* The longest partition name in a prefix, and the most characters of guest text in one line. */
#define LINE_SINK_MAX_NAME 32U
#define LINE_SINK_MAX_TEXT 200U

/*
 * Receives one line: "[name] " and then at most LINE_SINK_MAX_TEXT characters of text, without a
 * newline (the console adds its own), NUL-terminated at line[len]. Every character is printable
 * ASCII (0x20-0x7E). The buffer is only valid during the call.
 */
typedef void (*line_sink_emit_fn)(void *opaque, const char *line, size_t len);

/* "[" name "] " */
#define LINE_SINK_MAX_PREFIX (LINE_SINK_MAX_NAME + 3U)

/* Fields are private to line_sink.c. */
struct line_sink {
	line_sink_emit_fn emit;
	void *emit_opaque;
	size_t prefix_len;
	size_t len; /* prefix plus text buffered so far */
	char line[LINE_SINK_MAX_PREFIX + LINE_SINK_MAX_TEXT + 1U];
};

/*
 * Start a sink for partition `name` (1 to LINE_SINK_MAX_NAME printable ASCII characters, since it
 * goes on the console verbatim). Returns 0, -EINVAL (bad name, NULL emit) or -E2BIG (name too long).
 */
int line_sink_init(struct line_sink *sink, const char *name, line_sink_emit_fn emit,
                   void *emit_opaque);

/*
 * Take one byte of guest output. '\n' ends a line (an empty one too); '\r' is dropped; any other
 * byte outside 0x20-0x7E is shown as \xNN, so a guest cannot drive the console's escape
 * sequences. A line with more than LINE_SINK_MAX_TEXT characters of text is emitted in pieces;
 * an escape is never split across two pieces.
 */
void line_sink_put(struct line_sink *sink, uint8_t byte);

/* line_sink_put() in the shape of a UART's transmit callback: pass the sink as opaque. */
void line_sink_tx(void *sink, uint8_t byte);

/* Emit the partial last line, if any (when the partition stops). */
void line_sink_flush(struct line_sink *sink);

#endif
