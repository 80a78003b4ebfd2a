/* The monitor's <string.h>: the memory and string routines the compiler may call, and shared code uses. */
#ifndef MONITOR_LIBC_STRING_H
#define MONITOR_LIBC_STRING_H

/*
 * Freestanding builds find this header through -Imonitor/libc/include; host builds of the same
 * portable code get glibc's, so only standard C semantics may be relied on.
 */

#include <stddef.h>

void *memcpy(void *restrict dst, const void *restrict src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
void *memchr(const void *s, int c, size_t n);
size_t strlen(const char *s);
size_t strnlen(const char *s, size_t maxlen);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strchr(const char *s, int c);
char *strrchr(const char *s, int c);

#endif
