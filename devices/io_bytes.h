/* Byte-wide port devices on a wider access: how an ISA bus splits a word or dword into byte cycles. */
#ifndef DEVICES_IO_BYTES_H
#define DEVICES_IO_BYTES_H

#include <stdint.h>

typedef uint8_t (*io_byte_read_fn)(void *opaque, uint16_t offset);
typedef void (*io_byte_write_fn)(void *opaque, uint16_t offset, uint8_t value);

/*
 * An access of `size` bytes at `offset` of a device `count` ports long, as the byte accesses an ISA
 * bus turns it into: byte i goes to offset + i, low byte first. Bytes past the device's last port
 * read as all ones and are dropped on writes (nothing of this device answers there).
 */
uint32_t io_bytes_read(io_byte_read_fn read, void *opaque, uint16_t offset, uint8_t size,
                       uint16_t count);
void io_bytes_write(io_byte_write_fn write, void *opaque, uint16_t offset, uint8_t size,
                    uint16_t count, uint32_t value);

#endif
