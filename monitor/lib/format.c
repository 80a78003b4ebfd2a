/* fmt_vsnprintf(): the monitor's printf-style formatter (portable: host-tested, used freestanding). */
#include "monitor/lib/format.h"

#include <stdbool.h>
#include <stdint.h>

/* INT_MAX without <limits.h>, which the freestanding build does not have. */
#define FMT_INT_MAX ((int)(~0U >> 1))

enum fmt_flag {
	FLAG_LEFT = 1U << 0,  /* '-' */
	FLAG_ZERO = 1U << 1,  /* '0' */
	FLAG_PLUS = 1U << 2,  /* '+' */
	FLAG_SPACE = 1U << 3, /* ' ' */
	FLAG_ALT = 1U << 4,   /* '#' */
};

enum fmt_length { LEN_NONE, LEN_HH, LEN_H, LEN_L, LEN_LL, LEN_Z, LEN_J, LEN_T };

struct fmt_spec {
	unsigned flags;
	int width;     /* 0 when absent */
	int precision; /* -1 when absent */
	enum fmt_length length;
};

/* The output cursor: counts every byte, stores those that fit before the NUL's slot. */
struct fmt_out {
	char *buf;
	size_t size;
	size_t len;
};

static void out_char(struct fmt_out *o, char c)
{
	if (o->len + 1U < o->size)
		o->buf[o->len] = c;
	o->len++;
}

static void out_repeat(struct fmt_out *o, char c, int n)
{
	for (int i = 0; i < n; i++)
		out_char(o, c);
}

static void out_bytes(struct fmt_out *o, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		out_char(o, s[i]);
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Digits of a width or precision, saturating at FMT_MAX_WIDTH rather than overflowing int. */
static int parse_number(const char **p)
{
	int v = 0;

	while (is_digit(**p)) {
		v = v * 10 + (**p - '0');
		if (v > FMT_MAX_WIDTH)
			v = FMT_MAX_WIDTH;
		(*p)++;
	}
	return v;
}

static int clamp_width(int v)
{
	return v > FMT_MAX_WIDTH ? FMT_MAX_WIDTH : v;
}

/* Spaces needed to bring `len` bytes of content up to the spec's width. */
static int pad_needed(const struct fmt_spec *spec, size_t len)
{
	return (size_t)spec->width > len ? spec->width - (int)len : 0;
}

static void out_padded(struct fmt_out *o, const struct fmt_spec *spec, const char *s, size_t n)
{
	int pad = pad_needed(spec, n);

	if (!(spec->flags & FLAG_LEFT))
		out_repeat(o, ' ', pad);
	out_bytes(o, s, n);
	if (spec->flags & FLAG_LEFT)
		out_repeat(o, ' ', pad);
}

static void out_string(struct fmt_out *o, const struct fmt_spec *spec, const char *s)
{
	size_t n = 0;

	if (!s)
		s = "(null)";
	/* Never read past the precision: the caller may pass a buffer with no NUL in it. */
	while ((spec->precision < 0 || n < (size_t)spec->precision) && s[n])
		n++;
	out_padded(o, spec, s, n);
}

/*
 * An integer: [padding][sign or 0x][zeros][digits][padding]. A precision asks for a minimum
 * number of digits and turns the '0' flag off; precision 0 prints no digits for the value 0.
 */
static void out_integer(struct fmt_out *o, const struct fmt_spec *spec, uintmax_t magnitude,
                        const char *prefix, unsigned base, bool upper)
{
	const char *digit_chars = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char digits[3 * sizeof(uintmax_t)];
	int ndigits = 0;
	int prefix_len = 0;

	while (prefix[prefix_len])
		prefix_len++;
	if (magnitude != 0 || spec->precision != 0) {
		do {
			digits[ndigits++] = digit_chars[magnitude % base];
			magnitude /= base;
		} while (magnitude);
	}

	int zeros = spec->precision > ndigits ? spec->precision - ndigits : 0;
	int content = prefix_len + zeros + ndigits;

	if ((spec->flags & (FLAG_ZERO | FLAG_LEFT)) == FLAG_ZERO && spec->precision < 0 &&
	    spec->width > content) {
		zeros += spec->width - content;
		content = spec->width;
	}

	int pad = spec->width > content ? spec->width - content : 0;

	if (!(spec->flags & FLAG_LEFT))
		out_repeat(o, ' ', pad);
	out_bytes(o, prefix, (size_t)prefix_len);
	out_repeat(o, '0', zeros);
	while (ndigits)
		out_char(o, digits[--ndigits]);
	if (spec->flags & FLAG_LEFT)
		out_repeat(o, ' ', pad);
}

/* The argument of a signed conversion, promoted as the length modifier says. */
static intmax_t fetch_signed(va_list *ap, enum fmt_length length)
{
	switch (length) {
	case LEN_HH: return (signed char)va_arg(*ap, int);
	case LEN_H: return (short)va_arg(*ap, int);
	case LEN_L: return va_arg(*ap, long);
	case LEN_LL: return va_arg(*ap, long long);
	/* %zd takes the signed type of size_t's width: the same bits, reinterpreted. */
	case LEN_Z: return (intmax_t)(ptrdiff_t)va_arg(*ap, size_t);
	case LEN_J: return va_arg(*ap, intmax_t);
	case LEN_T: return va_arg(*ap, ptrdiff_t);
	case LEN_NONE: break;
	}
	return va_arg(*ap, int);
}

static uintmax_t fetch_unsigned(va_list *ap, enum fmt_length length)
{
	switch (length) {
	case LEN_HH: return (unsigned char)va_arg(*ap, unsigned);
	case LEN_H: return (unsigned short)va_arg(*ap, unsigned);
	case LEN_L: return va_arg(*ap, unsigned long);
	case LEN_LL: return va_arg(*ap, unsigned long long);
	case LEN_Z: return va_arg(*ap, size_t);
	case LEN_J: return va_arg(*ap, uintmax_t);
	case LEN_T: return (uintmax_t)(size_t)va_arg(*ap, ptrdiff_t);
	case LEN_NONE: break;
	}
	return va_arg(*ap, unsigned);
}

static enum fmt_length parse_length(const char **p)
{
	switch (**p) {
	case 'h':
		(*p)++;
		if (**p == 'h') {
			(*p)++;
			return LEN_HH;
		}
		return LEN_H;
	case 'l':
		(*p)++;
		if (**p == 'l') {
			(*p)++;
			return LEN_LL;
		}
		return LEN_L;
	case 'z': (*p)++; return LEN_Z;
	case 'j': (*p)++; return LEN_J;
	case 't': (*p)++; return LEN_T;
	default: return LEN_NONE;
	}
}

static unsigned parse_flags(const char **p)
{
	unsigned flags = 0;

	for (;; (*p)++) {
		switch (**p) {
		case '-': flags |= FLAG_LEFT; break;
		case '0': flags |= FLAG_ZERO; break;
		case '+': flags |= FLAG_PLUS; break;
		case ' ': flags |= FLAG_SPACE; break;
		case '#': flags |= FLAG_ALT; break;
		default: return flags;
		}
	}
}

/*
 * Parse the spec after a '%' (flags, width, precision, length), consuming '*' arguments. `p` is
 * left on the conversion character.
 */
static void parse_spec(const char **p, va_list *ap, struct fmt_spec *spec)
{
	spec->flags = parse_flags(p);
	spec->width = 0;
	spec->precision = -1;
	if (**p == '*') {
		int w = va_arg(*ap, int);

		(*p)++;
		if (w < 0) {
			spec->flags |= FLAG_LEFT;
			/* -INT_MIN overflows: any value below -FMT_MAX_WIDTH caps the same. */
			w = w < -FMT_MAX_WIDTH ? FMT_MAX_WIDTH : -w;
		}
		spec->width = clamp_width(w);
	} else {
		spec->width = parse_number(p);
	}
	if (**p == '.') {
		(*p)++;
		if (**p == '*') {
			int prec = va_arg(*ap, int);

			(*p)++;
			spec->precision = prec < 0 ? -1 : clamp_width(prec);
		} else {
			spec->precision = parse_number(p); /* "." alone means 0 */
		}
	}
	spec->length = parse_length(p);
}

static void convert_signed(struct fmt_out *o, const struct fmt_spec *spec, intmax_t v)
{
	/* The magnitude of INTMAX_MIN does not fit intmax_t: negate in the unsigned type. */
	uintmax_t magnitude = v < 0 ? (uintmax_t)0 - (uintmax_t)v : (uintmax_t)v;
	const char *sign = v < 0                        ? "-"
	                   : (spec->flags & FLAG_PLUS)  ? "+"
	                   : (spec->flags & FLAG_SPACE) ? " "
	                                                : "";

	out_integer(o, spec, magnitude, sign, 10, false);
}

int fmt_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct fmt_out o = {.buf = buf, .size = size, .len = 0};
	va_list args;

	/* A va_list parameter cannot portably be passed on by address: work on a copy. */
	va_copy(args, ap);
	for (const char *p = fmt; *p; p++) {
		if (*p != '%') {
			out_char(&o, *p);
			continue;
		}

		const char *start = p++;
		struct fmt_spec spec;

		parse_spec(&p, &args, &spec);
		switch (*p) {
		case 'd':
		case 'i': convert_signed(&o, &spec, fetch_signed(&args, spec.length)); break;
		case 'u':
			out_integer(&o, &spec, fetch_unsigned(&args, spec.length), "", 10, false);
			break;
		case 'x':
		case 'X': {
			uintmax_t v = fetch_unsigned(&args, spec.length);
			const char *prefix = "";

			if ((spec.flags & FLAG_ALT) && v != 0)
				prefix = *p == 'x' ? "0x" : "0X";
			out_integer(&o, &spec, v, prefix, 16, *p == 'X');
			break;
		}
		case 'p': {
			uintptr_t v = (uintptr_t)va_arg(args, void *);

			out_integer(&o, &spec, v, "0x", 16, false);
			break;
		}
		case 'c': {
			char c = (char)va_arg(args, int);

			out_padded(&o, &spec, &c, 1);
			break;
		}
		case 's': out_string(&o, &spec, va_arg(args, const char *)); break;
		case '%': out_char(&o, '%'); break;
		default:
			/* Unknown, or the format ended inside the spec: show what was written. */
			out_bytes(&o, start, (size_t)(p - start) + (*p ? 1U : 0U));
			if (!*p)
				p--;
			break;
		}
	}
	va_end(args);

	if (size > 0)
		buf[o.len < size ? o.len : size - 1U] = '\0';
	return o.len > (size_t)FMT_INT_MAX ? -1 : (int)o.len;
}

int fmt_snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = fmt_vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}
