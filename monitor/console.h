/* The monitor console: formatted output on the serial line, and the monitor's panic. */
#ifndef MONITOR_CONSOLE_H
#define MONITOR_CONSOLE_H

#include <stdarg.h>
#include <stddef.h>

/*
 * Portable code: it reaches the hardware only through serial_putc() and machine_exit(), which host
 * tests replace with test/fakes/. Single CPU, no locking: callers must not print from an interrupt
 * handler while other output may be under way (exception reports end the run, so that is fine).
 */

/* Longest kprintf() line; a longer one is cut there and marked with CONSOLE_TRUNCATED_MARK. */
#define CONSOLE_LINE_MAX       512
#define CONSOLE_TRUNCATED_MARK "[...]\n"

/* Write n bytes as they are (NUL bytes included; '\n' goes out as "\r\n", see serial.h). */
void console_write(const char *s, size_t n);

/* printf-style output (the conversions of fmt_vsnprintf(), monitor/lib/format.h). */
void kprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The same with a va_list: its signature fits struct hv_host_ops.vlog. */
void kvprintf(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));

/*
 * A monitor bug (never a guest's doing: a guest's mistake fails only its partition). Prints
 * "PANIC: " and the message on its own line (a newline is added unless fmt ends with one), then
 * machine_exit(MACHINE_EXIT_FAILURE).
 */
_Noreturn void monitor_panic(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
