/* A small printf for the example guests, writing to COM1. */
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>

#include "guest.h"

static void put_padding(char pad, int count)
{
	while (count-- > 0)
		guest_putc(pad);
}

static void put_unsigned(uint64_t value, unsigned base, bool upper, char pad, int width)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char buf[24];
	int n = 0;
	do {
		buf[n++] = digits[value % base];
		value /= base;
	} while (value != 0);
	put_padding(pad, width - n);
	while (n > 0)
		guest_putc(buf[--n]);
}

static void put_signed(int64_t value, char pad, int width)
{
	if (value < 0) {
		/* Negate in unsigned arithmetic so INT64_MIN does not overflow. */
		uint64_t magnitude = 0 - (uint64_t)value;
		if (pad == '0') {
			guest_putc('-');
			put_unsigned(magnitude, 10, false, pad, width - 1);
		} else {
			int n = 1;
			for (uint64_t v = magnitude; v >= 10; v /= 10)
				n++;
			put_padding(' ', width - n - 1);
			guest_putc('-');
			put_unsigned(magnitude, 10, false, ' ', 0);
		}
	} else {
		put_unsigned((uint64_t)value, 10, false, pad, width);
	}
}

void guest_vprintf(const char *fmt, va_list ap)
{
	for (; *fmt != '\0'; fmt++) {
		if (*fmt != '%') {
			guest_putc(*fmt);
			continue;
		}
		fmt++;
		char pad = ' ';
		bool alternate = false;
		for (;; fmt++) {
			if (*fmt == '0')
				pad = '0';
			else if (*fmt == '#')
				alternate = true;
			else
				break;
		}
		int width = 0;
		while (*fmt >= '0' && *fmt <= '9')
			width = width * 10 + (*fmt++ - '0');
		int longs = 0;
		while (*fmt == 'l' || *fmt == 'z') {
			/* size_t is unsigned long on x86-64, so 'z' is one 'l'. */
			longs++;
			fmt++;
		}

		switch (*fmt) {
		case 'd':
		case 'i': put_signed(longs ? va_arg(ap, long) : va_arg(ap, int), pad, width); break;
		case 'u':
			put_unsigned(longs ? va_arg(ap, unsigned long) : va_arg(ap, unsigned), 10,
			             false, pad, width);
			break;
		case 'x':
		case 'X':
			if (alternate) {
				guest_puts(*fmt == 'X' ? "0X" : "0x");
				width -= 2;
			}
			put_unsigned(longs ? va_arg(ap, unsigned long) : va_arg(ap, unsigned), 16,
			             *fmt == 'X', pad, width);
			break;
		case 'p':
			guest_puts("0x");
			put_unsigned((uintptr_t)va_arg(ap, void *), 16, false, '0', 16);
			break;
		case 'c': guest_putc((char)va_arg(ap, int)); break;
		case 's': {
			const char *s = va_arg(ap, const char *);
			guest_puts(s != NULL ? s : "(null)");
			break;
		}
		case '%': guest_putc('%'); break;
		case '\0':
			/* A lone '%' at the end: stop rather than read past the string. */
			return;
		default:
			guest_putc('%');
			guest_putc(*fmt);
			break;
		}
	}
}

void guest_printf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	guest_vprintf(fmt, ap);
	va_end(ap);
}
