/* memset/memcpy/memmove/memcmp: the compiler may emit calls to these even in a freestanding guest. */
#include <stddef.h>
#include <stdint.h>

#include "guest.h"

/*
 * String instructions rather than C loops: at -O2 GCC recognises a byte loop as memset/memcpy and
 * would compile these functions into calls to themselves.
 */

void *memset(void *dst, int c, size_t n)
{
	void *d = dst;
	__asm__ volatile("cld; rep stosb" : "+D"(d), "+c"(n) : "a"(c) : "memory", "cc");
	return dst;
}

void *memcpy(void *dst, const void *src, size_t n)
{
	void *d = dst;
	__asm__ volatile("cld; rep movsb" : "+D"(d), "+S"(src), "+c"(n) : : "memory", "cc");
	return dst;
}

void *memmove(void *dst, const void *src, size_t n)
{
	if ((uintptr_t)dst <= (uintptr_t)src || (uintptr_t)dst >= (uintptr_t)src + n)
		return memcpy(dst, src, n);
	/* Overlapping with dst above src: copy backwards, from the last byte down. */
	unsigned char *d = (unsigned char *)dst + n - 1;
	const unsigned char *s = (const unsigned char *)src + n - 1;
	__asm__ volatile("std; rep movsb; cld" : "+D"(d), "+S"(s), "+c"(n) : : "memory", "cc");
	return dst;
}

int memcmp(const void *a, const void *b, size_t n)
{
	const unsigned char *x = a, *y = b;
	for (size_t i = 0; i < n; i++) {
		if (x[i] != y[i])
			return x[i] < y[i] ? -1 : 1;
	}
	return 0;
}
