/* Short error messages built into a caller's buffer: the few formats parsers of hostile input need. */
#ifndef MONITOR_LIB_ERRMSG_H
#define MONITOR_LIB_ERRMSG_H

#include <stdarg.h>
#include <stddef.h>

/*
 * Writes a message into buf (always NUL-terminated when buflen > 0, truncated if too long; buf may
 * be NULL when buflen is 0). It understands only what the parsers need, so it stays tiny and has no
 * libc dependency: %s (NULL prints "(null)"), %.*s (int length, then a pointer; the bytes are
 * printed with non-printable ones as '?', since they may come from a hostile file), %u (unsigned),
 * %zu (size_t), %llu and %llx (unsigned long long; %llx without "0x"), and %%.
 */
void errmsg_set(char *buf, size_t buflen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void errmsg_vset(char *buf, size_t buflen, const char *fmt, va_list ap)
    __attribute__((format(printf, 3, 0)));

#endif
