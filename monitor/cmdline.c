/* Parsing the monitor's own command line into its options (today: the log level). */
#include <string.h>

#include "monitor/cmdline.h"
#include "monitor/console.h"
#include "monitor/lib/errmsg.h"
#include "monitor/lib/errno.h"

struct monitor_cmdline monitor_cmdline = {.log_level = LOG_LEVEL_INFO};

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

static bool word_is(const char *w, size_t n, const char *lit)
{
	return n == strlen(lit) && memcmp(w, lit, n) == 0;
}

/* One word; false when it is not one the monitor knows. */
static bool parse_word(const char *w, size_t n, struct monitor_cmdline *o)
{
	static const char key[] = "loglevel=";
	const size_t klen = sizeof(key) - 1;

	if (word_is(w, n, "-v") || word_is(w, n, "verbose")) {
		o->log_level = LOG_LEVEL_DEBUG;
		return true;
	}
	if (word_is(w, n, "-q") || word_is(w, n, "quiet")) {
		o->log_level = LOG_LEVEL_QUIET;
		return true;
	}
	if (n <= klen || memcmp(w, key, klen) != 0)
		return false;
	w += klen;
	n -= klen;
	if (word_is(w, n, "quiet") || word_is(w, n, "0"))
		o->log_level = LOG_LEVEL_QUIET;
	else if (word_is(w, n, "info") || word_is(w, n, "1"))
		o->log_level = LOG_LEVEL_INFO;
	else if (word_is(w, n, "debug") || word_is(w, n, "2"))
		o->log_level = LOG_LEVEL_DEBUG;
	else
		return false;
	return true;
}

int cmdline_parse(const char *s, size_t len, struct monitor_cmdline *out, char *err, size_t errlen)
{
	struct monitor_cmdline o = {.log_level = LOG_LEVEL_INFO};
	bool first = true;
	size_t i = 0;

	errmsg_set(err, errlen, "%s", "");
	while (i < len) {
		size_t start;

		while (i < len && is_blank(s[i]))
			i++;
		start = i;
		while (i < len && !is_blank(s[i]) && s[i] != '\0')
			i++;
		if (i < len && s[i] == '\0') {
			errmsg_set(err, errlen, "a NUL byte inside the command line");
			return -EINVAL;
		}
		if (i == start)
			break;
		if (!(first && s[start] == '/') && !parse_word(&s[start], i - start, &o)) {
			errmsg_set(
			    err, errlen,
			    "unknown option \"%.*s\" (known: -v, -q, loglevel=quiet|info|debug)",
			    (int)(i - start), &s[start]);
			return -EINVAL;
		}
		first = false;
	}
	*out = o;
	return 0;
}

void cmdline_apply(const char *s, size_t len)
{
	char err[160];

	if (cmdline_parse(s, len, &monitor_cmdline, err, sizeof(err)))
		kprintf("monitor: command line ignored: %s\n", err);
}

bool log_enabled(enum log_level level)
{
	return monitor_cmdline.log_level >= level;
}
