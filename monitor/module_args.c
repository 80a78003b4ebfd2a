/* Parser for a boot module's command line: "[PATH] name=NAME mem=SIZE for=NAME expect=E -- ARGS". */
#include "monitor/module_args.h"

#include <string.h>

#include "monitor/lib/errmsg.h"
#include "monitor/lib/errno.h"

/* Words longer than this are cut in messages; the whole line can be 4 KiB. */
#define QUOTE_MAX 40

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

static int quote_len(size_t n)
{
	return (int)(n > QUOTE_MAX ? QUOTE_MAX : n);
}

bool module_name_is_valid(const char *s, size_t len)
{
	if (len == 0 || len > MODULE_NAME_MAX)
		return false;
	for (size_t i = 0; i < len; i++) {
		char c = s[i];
		bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		          (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-';
		if (!ok)
			return false;
	}
	return true;
}

int module_args_parse_size(const char *s, size_t len, const char *key, uint64_t *out, char *err,
                           size_t errlen)
{
	uint64_t v = 0, shift = 0;
	size_t i = 0, digits;

	while (i < len && s[i] >= '0' && s[i] <= '9') {
		if (__builtin_mul_overflow(v, 10, &v) ||
		    __builtin_add_overflow(v, s[i] - '0', &v)) {
			errmsg_set(err, errlen, "%s=%.*s: number too large", key, quote_len(len),
			           s);
			return -EINVAL;
		}
		i++;
	}
	digits = i;
	if (i < len && i + 1 == len) {
		switch (s[i]) {
		case 'K':
		case 'k':
			shift = 10;
			i++;
			break;
		case 'M':
		case 'm':
			shift = 20;
			i++;
			break;
		case 'G':
		case 'g':
			shift = 30;
			i++;
			break;
		default: break;
		}
	}
	if (digits == 0 || i != len) {
		errmsg_set(err, errlen,
		           "%s=%.*s: not a size (decimal digits with an optional K, M or G)", key,
		           quote_len(len), s);
		return -EINVAL;
	}
	if (v > (UINT64_MAX >> shift)) {
		errmsg_set(err, errlen, "%s=%.*s: number too large", key, quote_len(len), s);
		return -EINVAL;
	}
	v <<= shift;
	if (v < MODULE_MEM_MIN || v > MODULE_MEM_MAX) {
		errmsg_set(err, errlen, "%s=%.*s: out of range (1M to 64G)", key, quote_len(len),
		           s);
		return -EINVAL;
	}
	if (v % 4096U) {
		errmsg_set(err, errlen, "%s=%.*s: not a whole number of 4K pages", key,
		           quote_len(len), s);
		return -EINVAL;
	}
	*out = v;
	return 0;
}

/* Copies a validated name value into dst (MODULE_NAME_MAX + 1 bytes). */
static int take_name(const char *key, const char *v, size_t vlen, char *dst, char *err,
                     size_t errlen)
{
	if (!module_name_is_valid(v, vlen)) {
		errmsg_set(err, errlen, "%s=%.*s: a name is 1-31 characters of A-Z a-z 0-9 _ . -",
		           key, quote_len(vlen), v);
		return -EINVAL;
	}
	memcpy(dst, v, vlen);
	dst[vlen] = '\0';
	return 0;
}

/*
 * expect=stopped (the monitor must stop this partition: a hostile guest) or expect=N, the exit
 * status the guest must end with (decimal, as the summary prints it; odd, as (V << 1) | 1 is).
 */
static int take_expect(const char *v, size_t vlen, struct module_args *out, char *err,
                       size_t errlen)
{
	uint64_t n = 0;

	if (vlen == 7 && !memcmp(v, "stopped", 7)) {
		out->expect_stop = true;
		return 0;
	}
	for (size_t i = 0; i < vlen; i++) {
		if (v[i] < '0' || v[i] > '9' || n > 0xffffffffULL / 10) {
			errmsg_set(err, errlen, "expect=%.*s: 'stopped' or an exit status number",
			           quote_len(vlen), v);
			return -EINVAL;
		}
		n = n * 10 + (uint64_t)(v[i] - '0');
	}
	if (n > 0xffffffffULL || !(n & 1)) {
		errmsg_set(err, errlen,
		           "expect=%.*s: an exit status is odd ((V << 1) | 1), 32 bits",
		           quote_len(vlen), v);
		return -EINVAL;
	}
	out->expect_status = (uint32_t)n;
	return 0;
}

static int take_pair(struct module_args *out, const char *w, size_t wlen, char *err, size_t errlen)
{
	const char *eq = memchr(w, '=', wlen);
	size_t klen = (size_t)(eq - w), vlen = wlen - klen - 1;
	const char *v = eq + 1;
	enum { KEY_NAME, KEY_MEM, KEY_FOR, KEY_EXPECT, KEY_KIND } key;
	static const char *const key_names[] = {"name", "mem", "for", "expect", "kind"};
	bool seen;

	if (klen == 4 && !memcmp(w, "name", 4))
		key = KEY_NAME;
	else if (klen == 3 && !memcmp(w, "mem", 3))
		key = KEY_MEM;
	else if (klen == 3 && !memcmp(w, "for", 3))
		key = KEY_FOR;
	else if (klen == 6 && !memcmp(w, "expect", 6))
		key = KEY_EXPECT;
	else if (klen == 4 && !memcmp(w, "kind", 4))
		key = KEY_KIND;
	else {
		errmsg_set(
		    err, errlen,
		    "unknown key '%.*s=' (known: name=, mem=, for=, expect=, kind=, then --)",
		    quote_len(klen), w);
		return -EINVAL;
	}
	seen = key == KEY_NAME   ? out->name[0] != '\0'
	       : key == KEY_MEM  ? out->mem_given
	       : key == KEY_FOR  ? out->has_for
	       : key == KEY_KIND ? out->has_kind
	                         : out->has_expect;
	if (seen) {
		errmsg_set(err, errlen, "%s= given twice", key_names[key]);
		return -EINVAL;
	}
	if (vlen == 0) {
		errmsg_set(err, errlen, "%s= has no value", key_names[key]);
		return -EINVAL;
	}
	switch (key) {
	case KEY_NAME: return take_name("name", v, vlen, out->name, err, errlen);
	case KEY_FOR:
		out->has_for = true;
		return take_name("for", v, vlen, out->for_name, err, errlen);
	case KEY_EXPECT: out->has_expect = true; return take_expect(v, vlen, out, err, errlen);
	case KEY_KIND:
		/* What a file for a partition is: one of its multiboot modules, or an option ROM. */
		out->has_kind = true;
		if (vlen == 6 && !memcmp(v, "module", 6))
			return 0;
		if (vlen == 9 && !memcmp(v, "optionrom", 9)) {
			out->option_rom = true;
			return 0;
		}
		/* The backing image of the partition's synthetic block device (docs/channels.md). */
		if (vlen == 5 && !memcmp(v, "block", 5)) {
			out->block_device = true;
			return 0;
		}
		errmsg_set(err, errlen, "kind=%.*s: 'module', 'optionrom' or 'block'",
		           quote_len(vlen), v);
		return -EINVAL;
	default:
		out->mem_given = true;
		return module_args_parse_size(v, vlen, "mem", &out->mem_size, err, errlen);
	}
}

/* name= was not given: the path's basename without its extension, if that is a valid name. */
static int name_from_path(struct module_args *out, char *err, size_t errlen)
{
	const char *base, *dot;
	size_t blen;

	if (!out->path) {
		errmsg_set(err, errlen, "name= missing (and no path to take a name from)");
		return -EINVAL;
	}
	base = out->path;
	for (size_t i = 0; i < out->path_len; i++)
		if (out->path[i] == '/')
			base = out->path + i + 1;
	blen = out->path_len - (size_t)(base - out->path);
	dot = NULL;
	for (size_t i = 0; i < blen; i++)
		if (base[i] == '.')
			dot = base + i;
	if (dot && dot != base)
		blen = (size_t)(dot - base);
	if (!module_name_is_valid(base, blen)) {
		errmsg_set(err, errlen,
		           "name= missing and the path '%.*s' gives no valid name (1-31 of A-Z a-z "
		           "0-9 _ . -)",
		           quote_len(out->path_len), out->path);
		return -EINVAL;
	}
	memcpy(out->name, base, blen);
	out->name[blen] = '\0';
	out->name_from_path = true;
	return 0;
}

int module_args_parse(const char *cmdline, size_t len, struct module_args *out, char *err,
                      size_t errlen)
{
	size_t i = 0;
	bool first = true;
	int rc;

	memset(out, 0, sizeof(*out));
	if (errlen)
		err[0] = '\0';
	if (!cmdline && len) {
		errmsg_set(err, errlen, "no command line");
		return -EINVAL;
	}
	for (;;) {
		const char *w;
		size_t wlen;

		while (i < len && is_blank(cmdline[i]))
			i++;
		if (i == len)
			break;
		w = cmdline + i;
		while (i < len && !is_blank(cmdline[i]))
			i++;
		wlen = (size_t)(cmdline + i - w);

		if (wlen == 2 && w[0] == '-' && w[1] == '-') {
			/* The rest belongs to the partition, exactly as written after the blanks. */
			while (i < len && is_blank(cmdline[i]))
				i++;
			out->has_args = true;
			out->args = cmdline + i;
			out->args_len = len - i;
			if (out->args_len > MODULE_ARGS_MAX) {
				errmsg_set(
				    err, errlen,
				    "arguments after -- are %zu bytes, more than the %u allowed",
				    out->args_len, MODULE_ARGS_MAX);
				return -EINVAL;
			}
			break;
		}
		/* Key names never contain '/', so a first word with one is a path even with '='. */
		if (first && (!memchr(w, '=', wlen) || memchr(w, '/', wlen))) {
			out->path = w;
			out->path_len = wlen;
		} else if (!memchr(w, '=', wlen)) {
			errmsg_set(err, errlen, "unexpected word '%.*s' (expected key=value or --)",
			           quote_len(wlen), w);
			return -EINVAL;
		} else {
			rc = take_pair(out, w, wlen, err, errlen);
			if (rc)
				return rc;
		}
		first = false;
	}

	if (out->has_kind && !out->has_for) {
		errmsg_set(err, errlen,
		           "kind= applies only to a file handed to a partition (for=)");
		return -EINVAL;
	}
	if (out->has_for && out->mem_given) {
		errmsg_set(err, errlen,
		           "mem= does not apply to a file handed to a partition (for=)");
		return -EINVAL;
	}
	if (!out->mem_given)
		out->mem_size = MODULE_MEM_DEFAULT;
	/*
	 * GRUB's module2 passes only what follows the path, so a file for a partition (for=) often
	 * has neither: it needs no name of its own.
	 */
	if (!out->name[0] && !(out->has_for && !out->path))
		return name_from_path(out, err, errlen);
	return 0;
}
