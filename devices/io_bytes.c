/* Splits wide port accesses into byte accesses for byte-wide device models. */
#include "devices/io_bytes.h"

uint32_t io_bytes_read(io_byte_read_fn read, void *opaque, uint16_t offset, uint8_t size,
                       uint16_t count)
{
	uint32_t value = 0;

	for (uint32_t i = 0; i < size && i < 4; i++) {
		uint32_t port = (uint32_t)offset + i;
		uint8_t byte = port < count ? read(opaque, (uint16_t)port) : 0xFFU;

		value |= (uint32_t)byte << (8 * i);
	}
	return value;
}

void io_bytes_write(io_byte_write_fn write, void *opaque, uint16_t offset, uint8_t size,
                    uint16_t count, uint32_t value)
{
	for (uint32_t i = 0; i < size && i < 4; i++) {
		uint32_t port = (uint32_t)offset + i;

		if (port < count)
			write(opaque, (uint16_t)port, (uint8_t)(value >> (8 * i)));
	}
}
