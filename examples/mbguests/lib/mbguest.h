/* What the multiboot v1 example guests share: port I/O, COM1 output, the exit port, small helpers. */
#ifndef MBGUEST_H
#define MBGUEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

static inline void outb(uint16_t port, uint8_t v)
{
	__asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static inline uint8_t inb(uint16_t port)
{
	uint8_t v;
	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline void outw(uint16_t port, uint16_t v)
{
	__asm__ volatile("outw %0, %1" : : "a"(v), "Nd"(port));
}

static inline uint16_t inw(uint16_t port)
{
	uint16_t v;
	__asm__ volatile("inw %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline void outl(uint16_t port, uint32_t v)
{
	__asm__ volatile("outl %0, %1" : : "a"(v), "Nd"(port));
}

static inline uint32_t inl(uint16_t port)
{
	uint32_t v;
	__asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

/* COM1 output: strings, and unsigned numbers in hex or decimal (32-bit: no libgcc needed). */
void put_str(const char *s);
void put_hex(uint32_t v);
void put_dec(uint32_t v);
void put_line(const char *s);

/* A check: prints "ok"/"FAIL" with the label and counts failures. */
void check(bool ok, const char *label);
unsigned failures(void);

/* Writes `status` to the debug-exit port 0xf4 (exit status (status << 1) | 1) and halts. */
void mbguest_exit(uint32_t status) __attribute__((noreturn));

int memcmp(const void *a, const void *b, size_t n);
void *memset(void *d, int c, size_t n);
void *memcpy(void *d, const void *s, size_t n);
size_t strlen(const char *s);

#endif
