/* Unit tests for the module command line parser: tables of good and bad lines. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "monitor/lib/errno.h"
#include "monitor/module_args.h"

#define M (1ULL << 20)

/*
 * Criterion may run each parameter in a fresh process image, where pointers into the parent's data
 * mean nothing: the cases hold their strings inline. "" means absent, except for args (has_args).
 */
struct good_case {
	char line[64];
	char path[32];
	char name[32];
	bool name_from_path;
	uint64_t mem;
	char for_name[32];
	bool has_args;
	char args[32];
};

static const struct good_case good_cases[] = {
    {"/boot/hello.elf name=hello mem=64M -- a b  c", "/boot/hello.elf", "hello", false, 64 * M, "",
     true, "a b  c"},
    {"/boot/hello.elf", "/boot/hello.elf", "hello", true, 16 * M, "", false, ""},
    {"/boot/hello.elf mem=2G", "/boot/hello.elf", "hello", true, 2048 * M, "", false, ""},
    {"name=x", "", "x", false, 16 * M, "", false, ""},
    {"  \tname=x\t mem=1m  ", "", "x", false, M, "", false, ""},
    {"hello.elf", "hello.elf", "hello", true, 16 * M, "", false, ""},
    {"/boot/a.b.elf", "/boot/a.b.elf", "a.b", true, 16 * M, "", false, ""},
    {"/boot/noext", "/boot/noext", "noext", true, 16 * M, "", false, ""},
    {"/boot/.hidden", "/boot/.hidden", ".hidden", true, 16 * M, "", false, ""},
    {"/x name=A_b-c.9 mem=1024K", "/x", "A_b-c.9", false, M, "", false, ""},
    {"/x name=n mem=64G", "/x", "n", false, 64ULL << 30, "", false, ""},
    {"/x name=n mem=1048576", "/x", "n", false, M, "", false, ""},
    {"/boot/data.bin name=d for=hello", "/boot/data.bin", "d", false, 16 * M, "hello", false, ""},
    {"/boot/data.bin for=hello", "/boot/data.bin", "data", true, 16 * M, "hello", false, ""},
    {"/boot/data.bin for=hello -- module string", "/boot/data.bin", "data", true, 16 * M, "hello",
     true, "module string"},
    {"/x name=n --", "/x", "n", false, 16 * M, "", true, ""},
    {"/x name=n --   ", "/x", "n", false, 16 * M, "", true, ""},
    {"/x name=n -- -- name=y mem=zz", "/x", "n", false, 16 * M, "", true, "-- name=y mem=zz"},
    {"/x name=n -- trailing  ", "/x", "n", false, 16 * M, "", true, "trailing  "},
    {"name=n -- x", "", "n", false, 16 * M, "", true, "x"},
    {"/x name=0123456789012345678901234567890", "/x", "0123456789012345678901234567890", false,
     16 * M, "", false, ""},
};

ParameterizedTestParameters(module_args, good)
{
	return cr_make_param_array(struct good_case, good_cases,
	                           sizeof(good_cases) / sizeof(good_cases[0]));
}

ParameterizedTest(const struct good_case *c, module_args, good)
{
	struct module_args a;
	char err[160];
	int rc = module_args_parse(c->line, strlen(c->line), &a, err, sizeof(err));

	cr_assert_eq(rc, 0, "'%s': %s", c->line, err);
	if (c->path[0]) {
		cr_assert_not_null(a.path);
		cr_assert_eq(a.path_len, strlen(c->path));
		cr_assert_eq(memcmp(a.path, c->path, a.path_len), 0);
	} else {
		cr_assert_null(a.path);
	}
	cr_assert_str_eq(a.name, c->name);
	cr_assert_eq(a.name_from_path, c->name_from_path, "'%s'", c->line);
	cr_assert_eq(a.mem_size, c->mem, "'%s'", c->line);
	cr_assert_eq(a.mem_given, c->mem != 16 * M);
	cr_assert_eq(a.has_for, c->for_name[0] != '\0');
	if (c->for_name[0])
		cr_assert_str_eq(a.for_name, c->for_name);
	cr_assert_eq(a.has_args, c->has_args);
	if (c->has_args) {
		cr_assert_eq(a.args_len, strlen(c->args), "'%s'", c->line);
		cr_assert_eq(memcmp(a.args, c->args, a.args_len), 0);
		/* Verbatim: a pointer into the line itself. */
		cr_assert(a.args >= c->line && a.args + a.args_len == c->line + strlen(c->line));
	}
}

struct bad_case {
	char line[64];
	char fragment[40]; /* the message must contain it */
};

static const struct bad_case bad_cases[] = {
    {"", "name= missing"},
    {"   ", "name= missing"},
    {"-- args", "name= missing"},
    {"mem=16M", "name= missing"},
    {"/boot/bad name.elf", "unexpected word 'name.elf'"},
    {"/boot/x name=a stray", "unexpected word 'stray'"},
    {"/boot/x nmae=a", "unknown key 'nmae='"},
    {"/boot/x =a", "unknown key '='"},
    {"/boot/x MEM=1M name=a", "unknown key 'MEM='"},
    {"/boot/x name=a name=b", "name= given twice"},
    {"/boot/x name=a mem=1M mem=2M", "mem= given twice"},
    {"/boot/x name=a for=b for=c", "for= given twice"},
    {"/boot/x name=", "name= has no value"},
    {"/boot/x mem=", "mem= has no value"},
    {"/boot/x for=", "for= has no value"},
    {"/boot/x name=a/b", "name=a/b: a name is"},
    {"/boot/x name=a$b", "name=a$b: a name is"},
    {"/boot/x name=01234567890123456789012345678901", "name=0123"},
    {"/boot/x for=bad!", "for=bad!: a name is"},
    {"/boot/x name=a mem=16", "mem=16: out of range"},
    {"/boot/x name=a mem=0", "mem=0: out of range"},
    {"/boot/x name=a mem=0M", "mem=0M: out of range"},
    {"/boot/x name=a mem=1023K", "mem=1023K: out of range"},
    {"/boot/x name=a mem=65G", "mem=65G: out of range"},
    {"/boot/x name=a mem=65537M", "mem=65537M: out of range"},
    {"/boot/x name=a mem=16T", "mem=16T: not a size"},
    {"/boot/x name=a mem=M", "mem=M: not a size"},
    {"/boot/x name=a mem=16MB", "mem=16MB: not a size"},
    {"/boot/x name=a mem=-16M", "mem=-16M: not a size"},
    {"/boot/x name=a mem=0x1000000", "mem=0x1000000: not a size"},
    {"/boot/x name=a mem=16M=", "not a size"},
    {"/boot/x name=a mem=1048577", "not a whole number of 4K pages"},
    {"/boot/x name=a mem=99999999999999999999999", "number too large"},
    {"/boot/x name=a mem=18446744073709551615G", "number too large"},
    {"/boot/x name=a mem=17592186044416M", "number too large"},
    {"/boot/x name=a for=b mem=16M", "mem= does not apply"},
    {"/boot/", "gives no valid name"},
    {"/boot/a b", "unexpected word 'b'"},
    {"/boot/0123456789012345678901234567890123.elf", "gives no valid name"},
    {"/boot/bad$name.elf", "gives no valid name"},
    {"/boot/weird=path.elf", "gives no valid name"}, /* a path, not a key: it has a '/' */
    {"/boot/x name=a expect=", "expect= has no value"},
    {"/boot/x name=a expect=stop", "expect=stop: 'stopped' or"},
    {"/boot/x name=a expect=-1", "expect=-1: 'stopped' or"},
    {"/boot/x name=a expect=2", "an exit status is odd"},
    {"/boot/x name=a expect=8589934593", "expect=8589934593"},
    {"/boot/x name=a expect=1 expect=3", "expect= given twice"},
    {"/boot/x name=a kind=optionrom", "kind= applies only to a file"},
    {"/boot/x for=a kind=rom", "'module', 'optionrom' or 'block'"},
    {"/boot/x for=a kind=module kind=module", "kind= given twice"},
};

ParameterizedTestParameters(module_args, bad)
{
	return cr_make_param_array(struct bad_case, bad_cases,
	                           sizeof(bad_cases) / sizeof(bad_cases[0]));
}

ParameterizedTest(const struct bad_case *c, module_args, bad)
{
	struct module_args a;
	char err[160];
	int rc = module_args_parse(c->line, strlen(c->line), &a, err, sizeof(err));

	cr_assert_eq(rc, -EINVAL, "'%s' accepted", c->line);
	cr_assert(strstr(err, c->fragment), "'%s': message '%s' lacks '%s'", c->line, err,
	          c->fragment);
}

Test(module_args, args_length_limit)
{
	size_t prefix = strlen("name=a -- ");
	char *line = malloc(prefix + MODULE_ARGS_MAX + 2);
	struct module_args a;
	char err[160];

	memcpy(line, "name=a -- ", prefix);
	memset(line + prefix, 'x', MODULE_ARGS_MAX + 1);
	cr_assert_eq(MODULE_ARGS_MAX, 4031);
	cr_assert_eq(module_args_parse(line, prefix + MODULE_ARGS_MAX, &a, err, sizeof(err)), 0,
	             "%s", err);
	cr_assert_eq(a.args_len, MODULE_ARGS_MAX);
	cr_assert_eq(module_args_parse(line, prefix + MODULE_ARGS_MAX + 1, &a, err, sizeof(err)),
	             -EINVAL);
	cr_assert(strstr(err, "more than the 4031 allowed"), "%s", err);
	free(line);
}

Test(module_args, only_len_bytes_are_read)
{
	/* Exactly-sized heap copies: the parser must not look for a NUL past len. */
	const char *src = "/boot/hello.elf name=hello mem=64M -- run";
	for (size_t n = 0; n <= strlen(src); n++) {
		char *copy = malloc(n ? n : 1);
		struct module_args a;
		char err[160];
		memcpy(copy, src, n);
		int rc = module_args_parse(copy, n, &a, err, sizeof(err));
		cr_assert(rc == 0 || rc == -EINVAL);
		cr_assert(rc != 0 || a.name[0]);
		free(copy);
	}
}

Test(module_args, messages_quote_hostile_bytes_safely)
{
	const char line[] = "/x name=a\x01\x1b[2J";
	struct module_args a;
	char err[160];

	cr_assert_eq(module_args_parse(line, sizeof(line) - 1, &a, err, sizeof(err)), -EINVAL);
	for (const char *p = err; *p; p++)
		cr_assert(*p >= 0x20 && *p < 0x7f, "control byte in message '%s'", err);
	/* A tiny buffer still gets a terminated (truncated) message; none at all is fine too. */
	char small[8];
	cr_assert_eq(module_args_parse("nope", 4, &a, small, sizeof(small)), 0);
	cr_assert_eq(module_args_parse("x y", 3, &a, small, sizeof(small)), -EINVAL);
	cr_assert_eq(strlen(small), 7);
	cr_assert_eq(module_args_parse("x y", 3, &a, NULL, 0), -EINVAL);
}

Test(module_args, size_helper_and_name_check)
{
	uint64_t v = 0;
	char err[120];

	cr_assert_eq(module_args_parse_size("64M", 3, "mem", &v, err, sizeof(err)), 0);
	cr_assert_eq(v, 64 * M);
	cr_assert_eq(module_args_parse_size("1g", 2, "mem", &v, err, sizeof(err)), 0);
	cr_assert_eq(v, 1024 * M);
	cr_assert_eq(module_args_parse_size("64M", 2, "mem", &v, err, sizeof(err)), -EINVAL);
	cr_assert(module_name_is_valid("a", 1));
	cr_assert_not(module_name_is_valid("", 0));
	cr_assert_not(module_name_is_valid("a b", 3));
}

Test(module_args, a_file_for_a_partition_needs_no_name)
{
	struct module_args a;
	char err[160];

	cr_assert_eq(module_args_parse("for=hello", 9, &a, err, sizeof(err)), 0, "%s", err);
	cr_expect(a.has_for);
	cr_expect_str_eq(a.for_name, "hello");
	cr_expect_str_eq(a.name, "");
}

Test(module_args, expect_key)
{
	struct module_args a;
	char err[160];
	const char *stop = "/boot/x name=a expect=stopped";
	const char *status = "/boot/x name=a expect=4294967295 -- expect=9";

	cr_assert_eq(module_args_parse(stop, strlen(stop), &a, err, sizeof(err)), 0, "%s", err);
	cr_expect(a.has_expect && a.expect_stop);
	cr_assert_eq(module_args_parse(status, strlen(status), &a, err, sizeof(err)), 0, "%s", err);
	cr_expect(a.has_expect && !a.expect_stop);
	cr_expect_eq(a.expect_status, 0xffffffffU);
	cr_assert_eq(module_args_parse("/x name=a", 9, &a, err, sizeof(err)), 0);
	cr_expect_not(a.has_expect, "absent unless given");
}

Test(module_args, kind_optionrom)
{
	struct module_args a;
	char err[160];
	const char *rom = "for=linux kind=optionrom";
	const char *mod = "for=linux kind=module -- x";

	cr_assert_eq(module_args_parse(rom, strlen(rom), &a, err, sizeof(err)), 0, "%s", err);
	cr_expect(a.option_rom);
	cr_assert_eq(module_args_parse(mod, strlen(mod), &a, err, sizeof(err)), 0, "%s", err);
	cr_expect_not(a.option_rom);
	cr_expect_not(a.block_device);
}

Test(module_args, kind_block)
{
	struct module_args a;
	char err[160];
	const char *blk = "/boot/disk.img name=disk for=linux kind=block";
	const char *alone = "/boot/disk.img name=disk kind=block";
	const char *twice = "/boot/disk.img for=linux kind=block kind=optionrom";

	cr_assert_eq(module_args_parse(blk, strlen(blk), &a, err, sizeof(err)), 0, "%s", err);
	cr_expect(a.block_device);
	cr_expect_not(a.option_rom);
	cr_expect(a.has_for);
	cr_expect_str_eq(a.for_name, "linux");
	cr_expect_str_eq(a.name, "disk");
	cr_expect_eq(module_args_parse(alone, strlen(alone), &a, err, sizeof(err)), -EINVAL);
	cr_expect(strstr(err, "kind= applies only to a file") != NULL, "%s", err);
	cr_expect_eq(module_args_parse(twice, strlen(twice), &a, err, sizeof(err)), -EINVAL);
	cr_expect(strstr(err, "kind= given twice") != NULL, "%s", err);
}
