/* Unit tests for the monitor's own command line (monitor/cmdline.c): tables of good and bad lines. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <string.h>

#include "monitor/cmdline.h"
#include "monitor/lib/errno.h"
#include "test/fakes/fake_serial.h"

/* Strings inline: Criterion may run each parameter in a fresh process image. */
struct good_case {
	char line[48];
	enum log_level level;
};

ParameterizedTestParameters(cmdline, good)
{
	static struct good_case cases[] = {
	    {"", LOG_LEVEL_INFO},
	    {"   \t ", LOG_LEVEL_INFO},
	    {"-v", LOG_LEVEL_DEBUG},
	    {"verbose", LOG_LEVEL_DEBUG},
	    {"-q", LOG_LEVEL_QUIET},
	    {"quiet", LOG_LEVEL_QUIET},
	    {"loglevel=debug", LOG_LEVEL_DEBUG},
	    {"loglevel=info", LOG_LEVEL_INFO},
	    {"loglevel=quiet", LOG_LEVEL_QUIET},
	    {"loglevel=0", LOG_LEVEL_QUIET},
	    {"loglevel=1", LOG_LEVEL_INFO},
	    {"loglevel=2", LOG_LEVEL_DEBUG},
	    {"/boot/monitor.elf -v", LOG_LEVEL_DEBUG}, /* a loader that passes the path */
	    {"/boot/monitor.elf", LOG_LEVEL_INFO},
	    {"-v -q", LOG_LEVEL_QUIET}, /* the last word wins */
	    {"  loglevel=debug\t-q  -v ", LOG_LEVEL_DEBUG},
	};
	return cr_make_param_array(struct good_case, cases, sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct good_case *c, cmdline, good)
{
	struct monitor_cmdline o = {.log_level = LOG_LEVEL_QUIET};
	char err[160];

	cr_assert_eq(cmdline_parse(c->line, strlen(c->line), &o, err, sizeof(err)), 0, "%s: %s",
	             c->line, err);
	cr_expect_eq(o.log_level, c->level, "%s", c->line);
	cr_expect_str_empty(err);
}

struct bad_case {
	char line[48];
	char word[24]; /* the message must name it */
};

ParameterizedTestParameters(cmdline, bad)
{
	static struct bad_case cases[] = {
	    {"-x", "\"-x\""},
	    {"-vv", "\"-vv\""},
	    {"loglevel=", "\"loglevel=\""},
	    {"loglevel=loud", "\"loglevel=loud\""},
	    {"loglevel=3", "\"loglevel=3\""},
	    {"LOGLEVEL=debug", "\"LOGLEVEL=debug\""},          /* keys are case-sensitive */
	    {"-v /boot/monitor.elf", "\"/boot/monitor.elf\""}, /* a path only as the first word */
	    {"loglevel", "\"loglevel\""},
	    {"-v \x1b[2J", "\"?[2J\""}, /* a hostile byte is not echoed to the console */
	};
	return cr_make_param_array(struct bad_case, cases, sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct bad_case *c, cmdline, bad)
{
	struct monitor_cmdline o = {.log_level = LOG_LEVEL_QUIET};
	char err[160];

	cr_assert_eq(cmdline_parse(c->line, strlen(c->line), &o, err, sizeof(err)), -EINVAL, "%s",
	             c->line);
	cr_expect_eq(o.log_level, LOG_LEVEL_QUIET, "%s: *out must stay untouched", c->line);
	cr_expect(strstr(err, c->word) != NULL, "%s: message \"%s\" lacks %s", c->line, err,
	          c->word);
}

Test(cmdline, length_not_nul)
{
	struct monitor_cmdline o;
	char err[160];

	/* Only len bytes count: "-v" followed by garbage the parser must not read. */
	cr_assert_eq(cmdline_parse("-vXYZ", 2, &o, err, sizeof(err)), 0);
	cr_expect_eq(o.log_level, LOG_LEVEL_DEBUG);
	cr_assert_eq(cmdline_parse(NULL, 0, &o, err, sizeof(err)), 0);
	cr_expect_eq(o.log_level, LOG_LEVEL_INFO);
	cr_assert_eq(cmdline_parse("-v\0-q", 5, &o, err, sizeof(err)), -EINVAL);
}

Test(cmdline, apply_keeps_defaults_on_error)
{
	fake_serial_reset();
	monitor_cmdline.log_level = LOG_LEVEL_INFO;
	cmdline_apply("-v", 2);
	cr_expect(log_enabled(LOG_LEVEL_DEBUG));
	cmdline_apply("loglevel=loud", 13);
	cr_expect_eq(monitor_cmdline.log_level, LOG_LEVEL_DEBUG, "a bad line changes nothing");
	cr_expect(strstr(fake_serial_output(), "command line ignored: unknown option") != NULL);
	cmdline_apply("-q", 2);
	cr_expect(log_enabled(LOG_LEVEL_QUIET));
	cr_expect(!log_enabled(LOG_LEVEL_INFO));
	monitor_cmdline.log_level = LOG_LEVEL_INFO;
}
