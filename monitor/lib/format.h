/* fmt_vsnprintf(): the monitor's printf-style formatter (portable: host-tested, used freestanding). */
#ifndef MONITOR_LIB_FORMAT_H
#define MONITOR_LIB_FORMAT_H

#include <stdarg.h>
#include <stddef.h>

/*
 * C99 vsnprintf() semantics for this subset:
 *   conversions  %d %i %u %x %X %p %c %s %%
 *   flags        '-' (left-justify), '0' (pad numbers with zeros), '+', ' ', '#' (0x/0X before
 *                a non-zero %x/%X)
 *   width        digits or '*' (a negative '*' width means '-')
 *   precision    '.' digits or '.*' (negative: as if absent): the maximum bytes of a %s (the
 *                string need not be NUL-terminated within them), the minimum digits of an integer
 *   length       hh h l ll z j t (on %d %i %u %x %X)
 * Differences from glibc: %p prints "0x0" for NULL (glibc: "(nil)"); %s of NULL prints "(null)";
 * widths and precisions are capped at FMT_MAX_WIDTH; a conversion it does not know is copied to
 * the output as written (so the mistake shows) and consumes no argument.
 *
 * Writes at most `size` bytes including the terminating NUL (always written when size > 0; buf
 * may be NULL when size is 0). Returns the length the whole output would have had, excluding the
 * NUL: the output was truncated iff the result is >= size. Returns -1 if that exceeds INT_MAX.
 */
#define FMT_MAX_WIDTH 4096

int fmt_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
    __attribute__((format(printf, 3, 0)));
int fmt_snprintf(char *buf, size_t size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
