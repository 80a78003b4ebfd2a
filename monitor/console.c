/* The monitor console: formatted output on the serial line, and the monitor's panic. */
#include "monitor/console.h"

#include <string.h>

#include "monitor/lib/format.h"
#include "monitor/power.h"
#include "monitor/serial.h"

void console_write(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		serial_putc(s[i]);
}

void kvprintf(const char *fmt, va_list ap)
{
	/* On the stack: exception reports print from IST stacks, and there is one CPU. */
	char line[CONSOLE_LINE_MAX];
	int n = fmt_vsnprintf(line, sizeof(line), fmt, ap);

	if (n < 0)
		return;
	if ((size_t)n < sizeof(line)) {
		console_write(line, (size_t)n);
		return;
	}
	/* Cut, but visibly so: a silently shortened log line misleads whoever reads it. */
	console_write(line, sizeof(line) - 1U);
	console_write(CONSOLE_TRUNCATED_MARK, sizeof(CONSOLE_TRUNCATED_MARK) - 1U);
}

void kprintf(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	kvprintf(fmt, ap);
	va_end(ap);
}

_Noreturn void monitor_panic(const char *fmt, ...)
{
	va_list ap;
	size_t len = strlen(fmt);

	kprintf("PANIC: ");
	va_start(ap, fmt);
	kvprintf(fmt, ap);
	va_end(ap);
	if (len == 0 || fmt[len - 1U] != '\n')
		kprintf("\n");
	machine_exit(MACHINE_EXIT_FAILURE);
}
