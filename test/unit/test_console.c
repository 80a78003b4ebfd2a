/* Unit tests for the console (monitor/console.c) against the serial and power fakes. */
#include <criterion/criterion.h>

#include <signal.h>
#include <stdarg.h>
#include <string.h>

#include "monitor/console.h"
#include "monitor/power.h"
#include "test/fakes/fake_power.h"
#include "test/fakes/fake_serial.h"

static void reset_fakes(void)
{
	fake_serial_reset();
	fake_power_reset();
}

TestSuite(console, .init = reset_fakes);

Test(console, write_sends_bytes_unchanged)
{
	console_write("a\nb\0c", 5);
	cr_assert_eq(fake_serial_length(), 5U);
	cr_assert_eq(memcmp(fake_serial_output(), "a\nb\0c", 5), 0);
	console_write("", 0);
	cr_assert_eq(fake_serial_length(), 5U);
}

Test(console, kprintf_formats)
{
	kprintf("x=%d %s %#llx\n", -5, "ok", 0x1234ULL);
	cr_assert_str_eq(fake_serial_output(), "x=-5 ok 0x1234\n");
	kprintf("%s", "");
	cr_assert_eq(fake_serial_length(), strlen("x=-5 ok 0x1234\n"));
}

static void call_kvprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void call_kvprintf(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	kvprintf(fmt, ap);
	va_end(ap);
}

Test(console, kvprintf_formats)
{
	call_kvprintf("[%5s|%-3u]", "ab", 7U);
	cr_assert_str_eq(fake_serial_output(), "[   ab|7  ]");
}

/* The longest line that fits goes out whole, with no truncation mark. */
Test(console, line_that_fits_is_not_marked)
{
	char line[CONSOLE_LINE_MAX];

	memset(line, 'a', sizeof(line) - 1U);
	line[sizeof(line) - 1U] = '\0';
	kprintf("%s", line);
	cr_assert_eq(fake_serial_length(), CONSOLE_LINE_MAX - 1U);
	cr_assert_str_eq(fake_serial_output(), line);
}

Test(console, long_line_is_cut_visibly)
{
	char line[CONSOLE_LINE_MAX + 100];

	memset(line, 'b', sizeof(line) - 1U);
	line[sizeof(line) - 1U] = '\0';
	kprintf("%s", line);

	size_t mark = strlen(CONSOLE_TRUNCATED_MARK);
	const char *out = fake_serial_output();

	cr_assert_eq(fake_serial_length(), CONSOLE_LINE_MAX - 1U + mark);
	cr_assert_eq(strspn(out, "b"), CONSOLE_LINE_MAX - 1U);
	cr_assert_str_eq(out + CONSOLE_LINE_MAX - 1U, CONSOLE_TRUNCATED_MARK);
}

static void panic_with_number(void *ctx)
{
	(void)ctx;
	monitor_panic("something broke: %d", 42);
}

Test(console, panic_prints_and_exits_with_failure)
{
	cr_assert(fake_power_call(panic_with_number, NULL));
	cr_assert_str_eq(fake_serial_output(), "PANIC: something broke: 42\n");
	cr_assert_eq(fake_power_last_code(), MACHINE_EXIT_FAILURE);
	cr_assert_eq(fake_power_exit_count(), 1U);
}

static void panic_with_newline(void *ctx)
{
	(void)ctx;
	monitor_panic("ends with a newline\n");
}

Test(console, panic_adds_no_second_newline)
{
	cr_assert(fake_power_call(panic_with_newline, NULL));
	cr_assert_str_eq(fake_serial_output(), "PANIC: ends with a newline\n");
}

static void print_only(void *ctx)
{
	kprintf("%s", (const char *)ctx);
}

Test(console, fake_power_call_without_exit)
{
	cr_assert_not(fake_power_call(print_only, "fine\n"));
	cr_assert_str_eq(fake_serial_output(), "fine\n");
	cr_assert_eq(fake_power_last_code(), -1);
	cr_assert_eq(fake_power_exit_count(), 0U);
}

/* Outside fake_power_call() a machine_exit() aborts the test process, as documented. */
Test(console, panic_outside_fake_power_call_aborts, .signal = SIGABRT)
{
	monitor_panic("no catcher");
}

Test(console, machine_exit_status_convention)
{
	cr_assert_eq(MACHINE_EXIT_QEMU_STATUS(MACHINE_EXIT_SUCCESS), 33);
	cr_assert_eq(MACHINE_EXIT_QEMU_STATUS(MACHINE_EXIT_FAILURE), 35);
}
