/* The command line of a multiboot v1 guest: where the loader put it, and its key=value words. */
#ifndef MBGUEST_ARGS_H
#define MBGUEST_ARGS_H

#include <stdbool.h>
#include <stdint.h>

#define MB_BOOT_MAGIC 0x2badb002U

/*
 * The command line from the multiboot information, or "" when there is none (wrong magic, no
 * cmdline flag). The monitor passes the module line's ARGS; QEMU and GRUB put the kernel's path
 * first: words without '=' are ignored by the lookups below.
 */
const char *mb_cmdline(uint32_t magic, const void *info);

/* The value of `key=` as a decimal number, or `dflt` if absent or not a number below 2^32. */
uint32_t arg_u32(const char *cmdline, const char *key, uint32_t dflt);
/* Whether `key=value` is one of the words. */
bool arg_is(const char *cmdline, const char *key, const char *value);

#endif
