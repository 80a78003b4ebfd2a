/* The example guests' runtime: port I/O, CPUID, COM1 output, printf and the way out (port 0xF4). */
#ifndef GUEST_H
#define GUEST_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "guest_start.h"

#define GUEST_COM1_PORT       0x3F8U
#define GUEST_DEBUG_EXIT_PORT 0xF4U

/* CPUID.1:ECX bit 31: set by hypervisors for their guests (reserved as 0 on bare metal). */
#define CPUID_1_ECX_HYPERVISOR (1U << 31)

static inline void outb(uint16_t port, uint8_t value)
{
	__asm__ volatile("outb %0, %1" : : "a"(value), "Nd"(port) : "memory");
}

static inline void outw(uint16_t port, uint16_t value)
{
	__asm__ volatile("outw %0, %1" : : "a"(value), "Nd"(port) : "memory");
}

static inline void outl(uint16_t port, uint32_t value)
{
	__asm__ volatile("outl %0, %1" : : "a"(value), "Nd"(port) : "memory");
}

static inline uint8_t inb(uint16_t port)
{
	uint8_t value;
	__asm__ volatile("inb %1, %0" : "=a"(value) : "Nd"(port) : "memory");
	return value;
}

static inline uint16_t inw(uint16_t port)
{
	uint16_t value;
	__asm__ volatile("inw %1, %0" : "=a"(value) : "Nd"(port) : "memory");
	return value;
}

static inline uint32_t inl(uint16_t port)
{
	uint32_t value;
	__asm__ volatile("inl %1, %0" : "=a"(value) : "Nd"(port) : "memory");
	return value;
}

struct cpuid_result {
	uint32_t eax;
	uint32_t ebx;
	uint32_t ecx;
	uint32_t edx;
};

static inline struct cpuid_result cpuid(uint32_t leaf, uint32_t subleaf)
{
	struct cpuid_result r;
	__asm__ volatile("cpuid"
	                 : "=a"(r.eax), "=b"(r.ebx), "=c"(r.ecx), "=d"(r.edx)
	                 : "a"(leaf), "c"(subleaf));
	return r;
}

/* Each guest's entry point, called by crt0 with the start info (RDI as the monitor set it); its
 * return value goes to guest_exit(). */
int main(const struct guest_start_info *info);

/* Write one character to COM1 (polled; "\n" goes out as "\r\n"). Initialises the UART on first use. */
void guest_putc(char c);
void guest_puts(const char *s);

/* A small printf: %s %c %d %i %u %x %X %p %%, with l/ll/z length, '0' and '#' flags and a width. */
void guest_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void guest_vprintf(const char *fmt, va_list ap);

/* Stop this partition: write `value` to the debug-exit port (exit status (value << 1) | 1). */
_Noreturn void guest_exit(uint32_t value);

/* The memory routines the compiler may emit calls to, even freestanding. */
void *memset(void *dst, int c, size_t n);
void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
int memcmp(const void *a, const void *b, size_t n);

/* The start info block, or NULL if `info` is not one (bad magic or version). */
const struct guest_start_info *guest_check_start_info(const struct guest_start_info *info);

#endif
