/* Short error messages built into a caller's buffer: the few formats parsers of hostile input need. */
#include "monitor/lib/errmsg.h"

#include <stdint.h>

struct errmsg_out {
	char *buf;
	size_t len; /* usable bytes, the last one kept for the NUL */
	size_t pos;
};

static void put_char(struct errmsg_out *o, char c)
{
	if (o->pos + 1 < o->len)
		o->buf[o->pos++] = c;
}

/* Bytes from a hostile file are printed as '?' unless plainly printable, so a log stays one line. */
static void put_bytes(struct errmsg_out *o, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		put_char(o, (c >= 0x20 && c < 0x7f) ? (char)c : '?');
	}
}

static void put_str(struct errmsg_out *o, const char *s)
{
	if (!s)
		s = "(null)";
	while (*s)
		put_char(o, *s++);
}

static void put_u64(struct errmsg_out *o, unsigned long long v, unsigned base)
{
	char tmp[24];
	size_t n = 0;

	do {
		unsigned d = (unsigned)(v % base);
		tmp[n++] = (char)(d < 10 ? '0' + d : 'a' + d - 10);
		v /= base;
	} while (v);
	while (n)
		put_char(o, tmp[--n]);
}

void errmsg_vset(char *buf, size_t buflen, const char *fmt, va_list ap)
{
	struct errmsg_out o = {.buf = buf, .len = buflen, .pos = 0};

	if (!buf || !buflen)
		return;
	for (const char *p = fmt; *p; p++) {
		if (*p != '%') {
			put_char(&o, *p);
			continue;
		}
		p++;
		if (*p == 's') {
			put_str(&o, va_arg(ap, const char *));
		} else if (p[0] == '.' && p[1] == '*' && p[2] == 's') {
			int n = va_arg(ap, int);
			const char *s = va_arg(ap, const char *);
			if (s && n > 0)
				put_bytes(&o, s, (size_t)n);
			p += 2;
		} else if (*p == 'u') {
			put_u64(&o, va_arg(ap, unsigned), 10);
		} else if (p[0] == 'z' && p[1] == 'u') {
			put_u64(&o, va_arg(ap, size_t), 10);
			p++;
		} else if (p[0] == 'l' && p[1] == 'l' && (p[2] == 'u' || p[2] == 'x')) {
			put_u64(&o, va_arg(ap, unsigned long long), p[2] == 'x' ? 16 : 10);
			p += 2;
		} else if (*p == '%') {
			put_char(&o, '%');
		} else {
			/* An unsupported conversion is a bug in the caller: show it rather than guess. */
			put_str(&o, "<bad format>");
			break;
		}
	}
	buf[o.pos] = '\0';
}

void errmsg_set(char *buf, size_t buflen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	errmsg_vset(buf, buflen, fmt, ap);
	va_end(ap);
}
