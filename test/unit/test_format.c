/* Unit tests for fmt_vsnprintf()/fmt_snprintf() (monitor/lib/format.c), with glibc as the oracle. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>

#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "monitor/lib/format.h"

/* How the single argument of an oracle case is passed, so both formatters see the same type. */
enum arg_kind {
	ARG_NONE,
	ARG_INT,
	ARG_UINT,
	ARG_LONG,
	ARG_ULONG,
	ARG_LLONG,
	ARG_ULLONG,
	ARG_SIZE,
	ARG_PTRDIFF,
	ARG_INTMAX,
	ARG_UINTMAX,
	ARG_STR,
	ARG_PTR,
};

/* Arrays, not pointers: Criterion hands parameters to another process. */
struct oracle_case {
	char fmt[24];
	enum arg_kind kind;
	long long s;
	unsigned long long u;
	char str[24];
};

#define S(f, k, v)                            \
	{                                     \
		.fmt = f, .kind = k, .s = (v) \
	}
#define U(f, k, v)                            \
	{                                     \
		.fmt = f, .kind = k, .u = (v) \
	}
#define STR(f, v)                                   \
	{                                           \
		.fmt = f, .kind = ARG_STR, .str = v \
	}
#define NOARG(f)                           \
	{                                  \
		.fmt = f, .kind = ARG_NONE \
	}

static struct oracle_case oracle_cases[] = {
    /* %d %i: sign, width, flags, precision */
    S("%d", ARG_INT, 0),
    S("%d", ARG_INT, 42),
    S("%d", ARG_INT, -42),
    S("%d", ARG_INT, INT_MAX),
    S("%d", ARG_INT, INT_MIN),
    S("%i", ARG_INT, -7),
    S("[%5d]", ARG_INT, 42),
    S("[%-5d]", ARG_INT, 42),
    S("[%05d]", ARG_INT, -42),
    S("[%-05d]", ARG_INT, 42),
    S("[%+d]", ARG_INT, 42),
    S("[%+d]", ARG_INT, -1),
    S("[% d]", ARG_INT, 42),
    S("[%+ d]", ARG_INT, 42),
    S("[% 5d]", ARG_INT, -3),
    S("[%.3d]", ARG_INT, 7),
    S("[%.3d]", ARG_INT, -7),
    S("[%8.3d]", ARG_INT, -7),
    S("[%-8.3d]", ARG_INT, 7),
    S("[%08.3d]", ARG_INT, 7),
    S("[%.0d]", ARG_INT, 0),
    S("[%5.0d]", ARG_INT, 0),
    S("[%+.0d]", ARG_INT, 0),
    S("[%.d]", ARG_INT, 0),
    S("[%1d]", ARG_INT, 12345),
    /* %u %x %X */
    U("%u", ARG_UINT, 0),
    U("%u", ARG_UINT, UINT_MAX),
    U("[%+u]", ARG_UINT, 5),
    U("%x", ARG_UINT, 0xdeadbeefU),
    U("%X", ARG_UINT, 0xdeadbeefU),
    U("[%#x]", ARG_UINT, 0),
    U("[%#x]", ARG_UINT, 255),
    U("[%#X]", ARG_UINT, 255),
    U("[%#010x]", ARG_UINT, 255),
    U("[%-#10x]", ARG_UINT, 255),
    U("[%08X]", ARG_UINT, 0xabcU),
    U("[%.8x]", ARG_UINT, 0xabcU),
    U("[%#.8x]", ARG_UINT, 0xabcU),
    U("[%#.0x]", ARG_UINT, 0),
    U("[%#5x]", ARG_UINT, 0),
    /* length modifiers */
    S("%hhd", ARG_INT, 200),
    S("%hhd", ARG_INT, -128),
    U("%hhu", ARG_UINT, 300),
    U("%hhx", ARG_UINT, 0x1ff),
    S("%hd", ARG_INT, 70000),
    S("%hd", ARG_INT, -32768),
    U("%hu", ARG_UINT, UINT_MAX),
    U("%hx", ARG_UINT, 0x12345),
    S("%ld", ARG_LONG, LONG_MIN),
    S("%ld", ARG_LONG, LONG_MAX),
    S("%li", ARG_LONG, -1),
    U("%lu", ARG_ULONG, ULONG_MAX),
    U("%lx", ARG_ULONG, 0x123456789abcdefUL),
    S("%lld", ARG_LLONG, LLONG_MIN),
    S("%lli", ARG_LLONG, LLONG_MAX),
    U("%llu", ARG_ULLONG, ULLONG_MAX),
    U("%llx", ARG_ULLONG, ULLONG_MAX),
    U("%#llX", ARG_ULLONG, 0xfedcba9876543210ULL),
    U("[%020llu]", ARG_ULLONG, 12345678901234ULL),
    U("%zu", ARG_SIZE, SIZE_MAX),
    U("%zx", ARG_SIZE, 0x1000),
    U("%zd", ARG_SIZE, (size_t)-1),
    S("%td", ARG_PTRDIFF, -5),
    U("%tx", ARG_PTRDIFF, 0x7f),
    S("%jd", ARG_INTMAX, INTMAX_MIN),
    U("%ju", ARG_UINTMAX, UINTMAX_MAX),
    /* %c */
    S("%c", ARG_INT, 'A'),
    S("[%3c]", ARG_INT, 'x'),
    S("[%-3c]", ARG_INT, 'y'),
    /* %s */
    STR("%s", "hello"),
    STR("[%s]", ""),
    STR("[%10s]", "hello"),
    STR("[%-10s]", "hello"),
    STR("[%.3s]", "hello"),
    STR("[%10.3s]", "hello"),
    STR("[%-10.3s]", "hello"),
    STR("[%.0s]", "hello"),
    STR("[%.10s]", "hello"),
    STR("[%2s]", "hello"),
    /* %p (non-NULL: glibc writes "(nil)" for NULL, we write 0x0) */
    U("%p", ARG_PTR, 0x1234),
    U("%p", ARG_PTR, 0xffff800000000000ULL),
    U("[%20p]", ARG_PTR, 0xdeadbeef),
    U("[%-20p]", ARG_PTR, 0xdeadbeef),
    /* %% and plain text */
    NOARG("%%"),
    NOARG("100%% sure"),
    NOARG(""),
    NOARG("no conversions at all"),
};

static int format_both(const struct oracle_case *c, char *buf, size_t size, bool ours)
{
	int (*f)(char *, size_t, const char *, ...) = ours ? fmt_snprintf : snprintf;

	switch (c->kind) {
	case ARG_NONE: return f(buf, size, c->fmt);
	case ARG_INT: return f(buf, size, c->fmt, (int)c->s);
	case ARG_UINT: return f(buf, size, c->fmt, (unsigned)c->u);
	case ARG_LONG: return f(buf, size, c->fmt, (long)c->s);
	case ARG_ULONG: return f(buf, size, c->fmt, (unsigned long)c->u);
	case ARG_LLONG: return f(buf, size, c->fmt, c->s);
	case ARG_ULLONG: return f(buf, size, c->fmt, c->u);
	case ARG_SIZE: return f(buf, size, c->fmt, (size_t)c->u);
	case ARG_PTRDIFF: return f(buf, size, c->fmt, (ptrdiff_t)(c->s ? c->s : (long long)c->u));
	case ARG_INTMAX: return f(buf, size, c->fmt, (intmax_t)c->s);
	case ARG_UINTMAX: return f(buf, size, c->fmt, (uintmax_t)c->u);
	case ARG_STR: return f(buf, size, c->fmt, c->str);
	case ARG_PTR: return f(buf, size, c->fmt, (void *)(uintptr_t)c->u);
	}
	return -2;
}

ParameterizedTestParameters(format, matches_libc)
{
	return cr_make_param_array(struct oracle_case, oracle_cases,
	                           sizeof(oracle_cases) / sizeof(oracle_cases[0]));
}

/* Same text and return value as glibc, whole and truncated to every interesting buffer size. */
ParameterizedTest(struct oracle_case *c, format, matches_libc)
{
	static const size_t sizes[] = {0, 1, 2, 3, 5, 8, 16, 128};

	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		char ours[130];
		char libc[130];

		memset(ours, 'X', sizeof(ours));
		memset(libc, 'X', sizeof(libc));
		int n_ours = format_both(c, ours, sizes[i], true);
		int n_libc = format_both(c, libc, sizes[i], false);

		cr_assert_eq(n_ours, n_libc, "\"%s\" size %zu: returned %d, libc %d", c->fmt,
		             sizes[i], n_ours, n_libc);
		cr_assert_eq(memcmp(ours, libc, sizeof(ours)), 0,
		             "\"%s\" size %zu: wrote \"%.*s\", libc \"%.*s\"", c->fmt, sizes[i],
		             (int)sizes[i], ours, (int)sizes[i], libc);
	}
}

Test(format, int64_extremes)
{
	char buf[64];

	cr_assert_eq(fmt_snprintf(buf, sizeof(buf), "%" PRId64, INT64_MIN), 20);
	cr_assert_str_eq(buf, "-9223372036854775808");
	fmt_snprintf(buf, sizeof(buf), "%" PRIu64 " %" PRIx64, UINT64_MAX, UINT64_MAX);
	cr_assert_str_eq(buf, "18446744073709551615 ffffffffffffffff");
	fmt_snprintf(buf, sizeof(buf), "%" PRIi64, INT64_MAX);
	cr_assert_str_eq(buf, "9223372036854775807");
}

Test(format, null_string_and_pointer)
{
	char buf[32];
	const char *volatile null_str = NULL;
	void *volatile null_ptr = NULL;

	fmt_snprintf(buf, sizeof(buf), "[%s]", null_str);
	cr_assert_str_eq(buf, "[(null)]");
	fmt_snprintf(buf, sizeof(buf), "[%.3s]", null_str);
	cr_assert_str_eq(buf, "[(nu]");
	fmt_snprintf(buf, sizeof(buf), "[%p]", null_ptr);
	cr_assert_str_eq(buf, "[0x0]");
}

Test(format, star_width_and_precision)
{
	char buf[32];

	fmt_snprintf(buf, sizeof(buf), "[%*d]", 5, 42);
	cr_assert_str_eq(buf, "[   42]");
	fmt_snprintf(buf, sizeof(buf), "[%*d]", -5, 42);
	cr_assert_str_eq(buf, "[42   ]");
	fmt_snprintf(buf, sizeof(buf), "[%-*d]", -5, 42);
	cr_assert_str_eq(buf, "[42   ]");
	fmt_snprintf(buf, sizeof(buf), "[%.*d]", 4, 42);
	cr_assert_str_eq(buf, "[0042]");
	fmt_snprintf(buf, sizeof(buf), "[%.*s]", 2, "hello");
	cr_assert_str_eq(buf, "[he]");
	fmt_snprintf(buf, sizeof(buf), "[%.*s]", -1, "hello");
	cr_assert_str_eq(buf, "[hello]");
	fmt_snprintf(buf, sizeof(buf), "[%*.*s]", 6, 3, "hello");
	cr_assert_str_eq(buf, "[   hel]");
	/* -INT_MIN does not fit an int: it must cap like any huge width, left-justified. */
	volatile int min_width = INT_MIN;
	cr_assert_eq(fmt_snprintf(buf, sizeof(buf), "[%*d]", min_width, 1), FMT_MAX_WIDTH + 2);
	cr_assert_eq(strncmp(buf, "[1   ", 5), 0);
	cr_assert_eq(strlen(buf), sizeof(buf) - 1U);
}

/* %.*s must not read past the precision: ASan reports it if it does (no NUL in the buffer). */
Test(format, precision_bounds_the_read)
{
	char *bytes = malloc(3);
	char buf[16];

	cr_assert_not_null(bytes);
	memcpy(bytes, "abc", 3);
	cr_assert_eq(fmt_snprintf(buf, sizeof(buf), "<%.*s>", 3, bytes), 5);
	cr_assert_str_eq(buf, "<abc>");
	free(bytes);
}

Test(format, several_arguments)
{
	char buf[64];
	int n = fmt_snprintf(buf, sizeof(buf), "a=%d b=%s c=%#x d=%c e=%zu%%", -1, "two", 3, '4',
	                     (size_t)5);

	cr_assert_str_eq(buf, "a=-1 b=two c=0x3 d=4 e=5%");
	cr_assert_eq(n, (int)strlen(buf));
}

struct bad_format_case {
	char fmt[16];
	char expected[24];
};

static struct bad_format_case bad_format_cases[] = {
    {"[%q]", "[%q]"}, {"[%5q]", "[%5q]"}, {"[%ly]", "[%ly]"},
    {"abc%", "abc%"}, {"abc%5", "abc%5"}, {"abc%-0", "abc%-0"},
};

ParameterizedTestParameters(format, unknown_conversion_is_shown)
{
	return cr_make_param_array(struct bad_format_case, bad_format_cases,
	                           sizeof(bad_format_cases) / sizeof(bad_format_cases[0]));
}

/* A conversion it does not know is copied out as written and consumes no argument. */
ParameterizedTest(struct bad_format_case *c, format, unknown_conversion_is_shown)
{
	char buf[32];
	/* A non-literal format keeps GCC from rejecting the deliberate mistakes at compile time. */
	int n = fmt_snprintf(buf, sizeof(buf), c->fmt, 0);

	cr_assert_str_eq(buf, c->expected);
	cr_assert_eq(n, (int)strlen(c->expected));
}

/* The argument an unknown conversion did not consume goes to the next conversion. */
Test(format, unknown_conversion_consumes_no_argument)
{
	char buf[16];
	const char *volatile fmt = "%q%d";

	fmt_snprintf(buf, sizeof(buf), fmt, 7);
	cr_assert_str_eq(buf, "%q7");
}

Test(format, size_zero_writes_nothing)
{
	char buf[4] = {'X', 'X', 'X', 'X'};

	cr_assert_eq(fmt_snprintf(NULL, 0, "hello %d", 12), 8);
	cr_assert_eq(fmt_snprintf(buf, 0, "hello"), 5);
	cr_assert_eq(buf[0], 'X');
}

Test(format, truncation_terminates_and_stays_in_bounds)
{
	char buf[8];

	memset(buf, 'X', sizeof(buf));
	cr_assert_eq(fmt_snprintf(buf, 4, "%s", "abcdefgh"), 8);
	cr_assert_str_eq(buf, "abc");
	cr_assert_eq(buf[4], 'X');

	cr_assert_eq(fmt_snprintf(buf, 1, "%d", 12345), 5);
	cr_assert_eq(buf[0], '\0');

	/* Exactly fitting: size == length + 1 is not truncated. */
	cr_assert_eq(fmt_snprintf(buf, 6, "%05d", 42), 5);
	cr_assert_str_eq(buf, "00042");
	cr_assert_eq(fmt_snprintf(buf, 5, "%05d", 42), 5);
	cr_assert_str_eq(buf, "0004");
}

Test(format, width_is_capped)
{
	char buf[8];
	/* volatile and non-literal: GCC would (rightly) reject these at compile time otherwise. */
	const char *volatile huge = "%999999999d";
	volatile int max = INT_MAX;

	cr_assert_eq(fmt_snprintf(buf, sizeof(buf), huge, 1), FMT_MAX_WIDTH);
	cr_assert_eq(fmt_snprintf(buf, sizeof(buf), "%*d", max, 1), FMT_MAX_WIDTH);
	cr_assert_eq(fmt_snprintf(buf, sizeof(buf), "%.*d", max, 1), FMT_MAX_WIDTH);
	cr_assert_str_eq(buf, "0000000");
}

static int call_vsnprintf(char *buf, size_t size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int call_vsnprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	va_list again;
	char second[64];

	va_start(ap, fmt);
	va_copy(again, ap);
	int n = fmt_vsnprintf(buf, size, fmt, ap);
	/* It works on a copy of its va_list: a caller may not reuse `ap`, but a va_copy is intact. */
	int m = fmt_vsnprintf(second, sizeof(second), fmt, again);
	va_end(again);
	va_end(ap);
	cr_assert_eq(n, m);
	cr_assert_eq(strncmp(buf, second, size ? size - 1 : 0), 0);
	return n;
}

Test(format, vsnprintf_with_va_list)
{
	char buf[32];

	cr_assert_eq(call_vsnprintf(buf, sizeof(buf), "%s-%llu-%c", "x", 99ULL, 'z'), 6);
	cr_assert_str_eq(buf, "x-99-z");
	cr_assert_eq(call_vsnprintf(buf, 3, "%s-%llu-%c", "x", 99ULL, 'z'), 6);
	cr_assert_str_eq(buf, "x-");
}
