/* The monitor's string and memory routines (no libc, no SSE): plain C and REP MOVSB/STOSB. */
#include <string.h>

#include <stdint.h>

/*
 * memcpy/memmove/memset use the string instructions: they are short, obviously correct and fast
 * on CPUs with "enhanced REP MOVSB/STOSB". They also keep GCC from recognising a byte loop here as
 * a memcpy/memset idiom and compiling it into a call to the very function being defined.
 * The SysV ABI guarantees DF = 0 on function entry.
 */

void *memcpy(void *restrict dst, const void *restrict src, size_t n)
{
	void *d = dst;

	__asm__ volatile("rep movsb" : "+D"(d), "+S"(src), "+c"(n) : : "memory");
	return dst;
}

void *memmove(void *dst, const void *src, size_t n)
{
	uintptr_t d = (uintptr_t)dst;
	uintptr_t s = (uintptr_t)src;

	if (d - s >= n) {
		/* dst is below src, or past its end: a forward copy never reads what it wrote. */
		return memcpy(dst, src, n);
	}
	/* dst overlaps the tail of src: copy backwards, from the last byte down (DF set for it). */
	void *dl = (char *)dst + n - 1;
	const void *sl = (const char *)src + n - 1;

	__asm__ volatile("std\n\trep movsb\n\tcld" : "+D"(dl), "+S"(sl), "+c"(n) : : "memory");
	return dst;
}

void *memset(void *dst, int c, size_t n)
{
	void *d = dst;

	__asm__ volatile("rep stosb" : "+D"(d), "+c"(n) : "a"((unsigned char)c) : "memory");
	return dst;
}

int memcmp(const void *a, const void *b, size_t n)
{
	const unsigned char *x = a;
	const unsigned char *y = b;

	for (size_t i = 0; i < n; i++) {
		if (x[i] != y[i])
			return x[i] < y[i] ? -1 : 1;
	}
	return 0;
}

void *memchr(const void *s, int c, size_t n)
{
	const unsigned char *p = s;

	for (size_t i = 0; i < n; i++) {
		if (p[i] == (unsigned char)c)
			return (void *)(uintptr_t)(p + i);
	}
	return NULL;
}

size_t strlen(const char *s)
{
	size_t n = 0;

	while (s[n])
		n++;
	return n;
}

size_t strnlen(const char *s, size_t maxlen)
{
	size_t n = 0;

	while (n < maxlen && s[n])
		n++;
	return n;
}

/* Comparisons are of unsigned char values, as the C standard specifies. */
int strcmp(const char *a, const char *b)
{
	const unsigned char *x = (const unsigned char *)a;
	const unsigned char *y = (const unsigned char *)b;

	while (*x && *x == *y) {
		x++;
		y++;
	}
	return (*x > *y) - (*x < *y);
}

int strncmp(const char *a, const char *b, size_t n)
{
	const unsigned char *x = (const unsigned char *)a;
	const unsigned char *y = (const unsigned char *)b;

	for (size_t i = 0; i < n; i++) {
		if (x[i] != y[i])
			return (x[i] > y[i]) - (x[i] < y[i]);
		if (!x[i])
			break;
	}
	return 0;
}

/* strchr(s, '\0') finds the terminator, as the standard requires. */
char *strchr(const char *s, int c)
{
	for (;; s++) {
		if (*s == (char)c)
			return (char *)(uintptr_t)s;
		if (!*s)
			return NULL;
	}
}

char *strrchr(const char *s, int c)
{
	const char *last = NULL;

	for (;; s++) {
		if (*s == (char)c)
			last = s;
		if (!*s)
			return (char *)(uintptr_t)last;
	}
}
