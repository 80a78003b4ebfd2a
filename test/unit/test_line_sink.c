/* Unit tests for output line buffering: prefixes, CR, escaping of hostile bytes, long lines, flush. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <stdio.h>

#include "devices/line_sink.h"
#include "monitor/lib/errno.h"

#define MAX_LINES 64

static char lines[MAX_LINES][LINE_SINK_MAX_PREFIX + LINE_SINK_MAX_TEXT + 1];
static size_t nr_lines;
static struct line_sink sink;

static void record_line(void *opaque, const char *line, size_t len)
{
	cr_assert_eq(opaque, &nr_lines);
	cr_assert_eq(strlen(line), len, "line must be NUL-terminated at len");
	cr_assert_leq(len, sizeof(lines[0]) - 1);
	for (size_t i = 0; i < len; i++)
		cr_assert(line[i] >= 0x20 && line[i] <= 0x7E, "byte %#x at %zu reached the console",
		          (unsigned)(uint8_t)line[i], i);
	cr_assert_lt(nr_lines, MAX_LINES);
	memcpy(lines[nr_lines], line, len + 1);
	nr_lines++;
}

static void setup(void)
{
	nr_lines = 0;
	cr_assert_eq(line_sink_init(&sink, "hello", record_line, &nr_lines), 0);
}

static void put_all(const char *text, size_t len)
{
	for (size_t i = 0; i < len; i++)
		line_sink_put(&sink, (uint8_t)text[i]);
}

TestSuite(line_sink, .init = setup);

Test(line_sink, complete_lines_get_the_prefix)
{
	put_all("one\ntwo\r\n\nthree", 15);
	cr_assert_eq(nr_lines, 3);
	cr_assert_str_eq(lines[0], "[hello] one");
	cr_assert_str_eq(lines[1], "[hello] two");
	cr_assert_str_eq(lines[2], "[hello] ", "an empty line is kept");
	line_sink_flush(&sink);
	cr_assert_eq(nr_lines, 4);
	cr_assert_str_eq(lines[3], "[hello] three");
	line_sink_flush(&sink);
	cr_assert_eq(nr_lines, 4, "a second flush has nothing to emit");
}

Test(line_sink, uart_callback_shape)
{
	line_sink_tx(&sink, 'h');
	line_sink_tx(&sink, 'i');
	line_sink_tx(&sink, '\n');
	cr_assert_eq(nr_lines, 1);
	cr_assert_str_eq(lines[0], "[hello] hi");
}

Test(line_sink, carriage_returns_are_dropped)
{
	put_all("\r\r\rabc\rdef\r", 11);
	line_sink_flush(&sink);
	cr_assert_eq(nr_lines, 1);
	cr_assert_str_eq(lines[0], "[hello] abcdef");
	put_all("\r", 1);
	line_sink_flush(&sink);
	cr_assert_eq(nr_lines, 1, "a line of only CRs is nothing");
}

/* `shown` is an array, not a pointer: Criterion runs each parameter in a fresh worker process,
 * where a pointer into the parent's address space is not valid. */
struct escape_case {
	uint8_t byte;
	char shown[8];
};

ParameterizedTestParameters(line_sink, hostile_bytes)
{
	static struct escape_case cases[] = {
	    {0x1B, "\\x1b"}, {0x00, "\\x00"}, {0x07, "\\x07"}, {0x08, "\\x08"},
	    {0x09, "\\x09"}, {0x0B, "\\x0b"}, {0x0C, "\\x0c"}, {0x7F, "\\x7f"},
	    {0x80, "\\x80"}, {0x9B, "\\x9b"}, {0xC3, "\\xc3"}, {0xFF, "\\xff"},
	    {0x20, " "},     {0x7E, "~"},     {'\\', "\\"},    {'A', "A"},
	};
	return cr_make_param_array(struct escape_case, cases, sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct escape_case *c, line_sink, hostile_bytes)
{
	char expected[64];
	line_sink_put(&sink, c->byte);
	line_sink_put(&sink, '\n');
	cr_assert_eq(nr_lines, 1);
	snprintf(expected, sizeof(expected), "[hello] %s", c->shown);
	cr_assert_str_eq(lines[0], expected, "byte %#x", c->byte);
}

Test(line_sink, every_byte_value_is_safe)
{
	for (unsigned b = 0; b < 256; b++)
		line_sink_put(&sink, (uint8_t)b);
	line_sink_flush(&sink);
	/* record_line checked every character; 256 bytes minus '\n' and '\r' make several pieces. */
	cr_assert_geq(nr_lines, 3);
}

Test(line_sink, long_lines_come_in_pieces)
{
	char text[LINE_SINK_MAX_TEXT * 2 + 10];
	for (size_t i = 0; i < sizeof(text); i++)
		text[i] = (char)('a' + i % 26);
	put_all(text, sizeof(text));
	line_sink_put(&sink, '\n');
	cr_assert_eq(nr_lines, 3);
	cr_assert_eq(strlen(lines[0]), 8 + LINE_SINK_MAX_TEXT);
	cr_assert_eq(strlen(lines[1]), 8 + LINE_SINK_MAX_TEXT);
	cr_assert_eq(strlen(lines[2]), 8 + 10);
	cr_assert(strncmp(lines[0], "[hello] abc", 11) == 0);
	cr_assert(strncmp(lines[1] + 8, text + LINE_SINK_MAX_TEXT, LINE_SINK_MAX_TEXT) == 0);
	cr_assert(strncmp(lines[2] + 8, text + 2 * LINE_SINK_MAX_TEXT, 10) == 0);
}

Test(line_sink, exactly_full_line_is_one_line)
{
	for (size_t i = 0; i < LINE_SINK_MAX_TEXT; i++)
		line_sink_put(&sink, 'x');
	line_sink_put(&sink, '\n');
	cr_assert_eq(nr_lines, 1);
	cr_assert_eq(strlen(lines[0]), 8 + LINE_SINK_MAX_TEXT);
}

Test(line_sink, escapes_are_not_split)
{
	for (size_t i = 0; i < LINE_SINK_MAX_TEXT - 2; i++)
		line_sink_put(&sink, 'x');
	line_sink_put(&sink, 0x1B);
	line_sink_flush(&sink);
	cr_assert_eq(nr_lines, 2);
	cr_assert_eq(strlen(lines[0]), 8 + LINE_SINK_MAX_TEXT - 2);
	cr_assert_str_eq(lines[1], "[hello] \\x1b");
}

Test(line_sink, names)
{
	struct line_sink other;
	char long_name[LINE_SINK_MAX_NAME + 2];
	memset(long_name, 'n', sizeof(long_name) - 1);
	long_name[sizeof(long_name) - 1] = '\0';
	cr_assert_eq(line_sink_init(&other, long_name, record_line, &nr_lines), -E2BIG);
	long_name[LINE_SINK_MAX_NAME] = '\0';
	cr_assert_eq(line_sink_init(&other, long_name, record_line, &nr_lines), 0);
	line_sink_put(&other, 'z');
	line_sink_flush(&other);
	cr_assert_eq(strlen(lines[0]), LINE_SINK_MAX_NAME + 3 + 1);
	cr_assert_eq(line_sink_init(&other, "", record_line, &nr_lines), -EINVAL);
	cr_assert_eq(line_sink_init(&other, NULL, record_line, &nr_lines), -EINVAL);
	cr_assert_eq(line_sink_init(&other, "a\x1b[2J", record_line, &nr_lines), -EINVAL);
	cr_assert_eq(line_sink_init(&other, "ok", NULL, NULL), -EINVAL);
}
