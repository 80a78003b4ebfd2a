/* The monitor's own command line (the multiboot2 "multiboot2 /boot/monitor.elf ARGS" line): log level. */
#ifndef MONITOR_CMDLINE_H
#define MONITOR_CMDLINE_H

#include <stdbool.h>
#include <stddef.h>

/*
 * How much the monitor says. Errors, guest output, why a partition stopped and the verdict are
 * printed at every level: a harness reads them. INFO adds the banner-level progress lines and the
 * per-partition exit table; DEBUG adds details meant for someone chasing a problem.
 */
enum log_level {
	LOG_LEVEL_QUIET = 0,
	LOG_LEVEL_INFO = 1,
	LOG_LEVEL_DEBUG = 2,
};

struct monitor_cmdline {
	enum log_level log_level; /* LOG_LEVEL_INFO unless the command line says otherwise */
};

/*
 * The words, separated by blanks: "-v" or "verbose" (debug), "-q" or "quiet" (quiet),
 * "loglevel=quiet|info|debug" or "loglevel=0|1|2". A first word starting with '/' is the
 * monitor's path, which some loaders include, and is skipped. Later words override earlier ones.
 * Anything else is an error: -EINVAL with a message naming the word in err, and *out is left
 * as the defaults. len bytes at s, not NUL-terminated (s may be NULL when len is 0).
 */
int cmdline_parse(const char *s, size_t len, struct monitor_cmdline *out, char *err, size_t errlen);

/* The options in force; the defaults until cmdline_apply() runs. */
extern struct monitor_cmdline monitor_cmdline;

/*
 * Parse the boot loader's command line into monitor_cmdline (the example monitor calls it with
 * mb2_boot_info.cmdline right after parsing the boot information). A bad line is reported on the
 * console and the defaults stay: a typo in grub.cfg must not stop the machine.
 */
void cmdline_apply(const char *s, size_t len);

/* True when messages of `level` are to be printed. */
bool log_enabled(enum log_level level);

#endif
