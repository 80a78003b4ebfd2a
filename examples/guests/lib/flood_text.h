/* The benchmark text both flood guests send (uart_flood by COM1, vsc_flood by channel): the same bytes. */
#ifndef GUESTS_LIB_FLOOD_TEXT_H
#define GUESTS_LIB_FLOOD_TEXT_H

#include <stdint.h>

#define FLOOD_BYTES      (64U * 1024U)
#define FLOOD_LINE_BYTES 64U

/* Line i: "NAME NNNNN:" then letters up to byte 63, then "\n" (exactly FLOOD_LINE_BYTES). */
static inline void flood_fill_line(char *line, const char *name, uint32_t i)
{
	uint32_t n = 0;

	while (*name)
		line[n++] = *name++;
	line[n++] = ' ';
	for (uint32_t div = 10000; div; div /= 10)
		line[n++] = (char)('0' + i / div % 10);
	line[n++] = ':';
	while (n < FLOOD_LINE_BYTES - 1) {
		line[n] = (char)('a' + (n + i) % 26);
		n++;
	}
	line[n] = '\n';
}

#endif
