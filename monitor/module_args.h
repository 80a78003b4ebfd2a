/* Parser for a boot module's command line: "[PATH] name=NAME mem=SIZE for=NAME -- ARGS". */
#ifndef MONITOR_MODULE_ARGS_H
#define MONITOR_MODULE_ARGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "monitor/loader/guest_start.h"

#define MODULE_NAME_MAX    31U                            /* characters of [A-Za-z0-9_.-] */
#define MODULE_ARGS_MAX    (GUEST_START_CMDLINE_MAX - 1U) /* so ARGS and its NUL fit the start page */
#define MODULE_MEM_DEFAULT (16ULL << 20)
#define MODULE_MEM_MIN     (1ULL << 20)
#define MODULE_MEM_MAX     (64ULL << 30)

/*
 * A module either starts a partition (no for=) or is a file handed to partition for_name. Strings
 * that point into the parsed command line are not NUL-terminated: use their lengths.
 */
struct module_args {
	const char *path; /* the first word, when it is not key=value; NULL when absent */
	size_t path_len;

	char name[MODULE_NAME_MAX + 1]; /* NUL-terminated; from name= or the path's basename */
	bool name_from_path;

	uint64_t mem_size; /* bytes; MODULE_MEM_DEFAULT unless mem= was given */
	bool mem_given;

	char for_name[MODULE_NAME_MAX + 1]; /* the receiving partition, when has_for */
	bool has_for;

	bool has_kind; /* kind= was given (only with for=) */
	bool
	    option_rom; /* kind=optionrom: the file goes into the partition's ROM, not its modules */
	bool block_device; /* kind=block: the file backs the partition's synthetic block device */

	bool has_expect;        /* expect= was given (what the run summary checks) */
	bool expect_stop;       /* expect=stopped: the monitor must stop it */
	uint32_t expect_status; /* expect=N: the exit status it must end with */

	/* Everything after a standalone "--" (and the blanks after it), verbatim. */
	const char *args;
	size_t args_len; /* 0 when there was no "--" or nothing after it */
	bool has_args;   /* a "--" was present */
};

/*
 * Parses len bytes at cmdline (NUL bytes are not expected; the multiboot2 parser stops at the
 * first). Returns 0, or -EINVAL with a message naming the offending key or word written to err.
 * Unknown keys, repeated keys, empty or malformed values and stray words are all errors.
 */
int module_args_parse(const char *cmdline, size_t len, struct module_args *out, char *err,
                      size_t errlen);

/*
 * A size as mem= takes it: decimal digits with an optional K, M or G suffix (either case), a whole
 * number of 4 KiB pages within [MODULE_MEM_MIN, MODULE_MEM_MAX]. Returns 0 or -EINVAL (err says why;
 * key names the key in the message, e.g. "mem").
 */
int module_args_parse_size(const char *s, size_t len, const char *key, uint64_t *out, char *err,
                           size_t errlen);

/* 1..MODULE_NAME_MAX characters, each of [A-Za-z0-9_.-]. */
bool module_name_is_valid(const char *s, size_t len);

#endif
