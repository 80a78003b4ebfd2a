/* COM1 output, checks and the exit port for the multiboot v1 example guests. */
#include "mbguest.h"

#define COM1     0x3f8
#define LSR_THRE 0x20
#define LSR_TEMT 0x40

static unsigned nfail;

static void put_char(char c)
{
	/* Wait for room in the transmitter (a monitor's UART is ready at once; real ones are not). */
	for (int i = 0; i < 100000 && !(inb(COM1 + 5) & LSR_THRE); i++)
		;
	outb(COM1, (uint8_t)c);
}

void put_str(const char *s)
{
	while (*s)
		put_char(*s++);
}

void put_line(const char *s)
{
	put_str(s);
	put_char('\n');
}

void put_hex(uint32_t v)
{
	put_str("0x");
	for (int shift = 28; shift >= 0; shift -= 4)
		put_char("0123456789abcdef"[(v >> shift) & 0xf]);
}

void put_dec(uint32_t v)
{
	char buf[11];
	int i = 0;

	do {
		buf[i++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (i)
		put_char(buf[--i]);
}

void check(bool ok, const char *label)
{
	put_str(ok ? "ok   " : "FAIL ");
	put_line(label);
	if (!ok)
		nfail++;
}

unsigned failures(void)
{
	return nfail;
}

void mbguest_exit(uint32_t status)
{
	outl(0xf4, status);
	/*
	 * Still running: no debug-exit device here. Bare Bochs (the interrupt guests' reference run,
	 * test/integration/interrupts.sh) ends on "Shutdown" written to its port 0x8900, once the
	 * UART has sent the last line; elsewhere the port is unclaimed and the guest halts below.
	 */
	for (int i = 0; i < 1000000 && !(inb(COM1 + 5) & LSR_TEMT); i++)
		;
	for (const char *s = "Shutdown"; *s; s++)
		outb(0x8900, (uint8_t)*s);
	for (;;)
		__asm__ volatile("cli; hlt");
}

int memcmp(const void *a, const void *b, size_t n)
{
	const uint8_t *x = a, *y = b;

	for (size_t i = 0; i < n; i++)
		if (x[i] != y[i])
			return x[i] < y[i] ? -1 : 1;
	return 0;
}

void *memset(void *d, int c, size_t n)
{
	uint8_t *p = d;

	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)c;
	return d;
}

void *memcpy(void *d, const void *s, size_t n)
{
	uint8_t *p = d;
	const uint8_t *q = s;

	for (size_t i = 0; i < n; i++)
		p[i] = q[i];
	return d;
}

size_t strlen(const char *s)
{
	size_t n = 0;

	while (s[n])
		n++;
	return n;
}
