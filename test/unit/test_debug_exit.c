/* Unit tests for the isa-debug-exit port: status encoding, every size and offset, reads. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>

#include "devices/debug_exit.h"
#include "devices/io_bus.h"

struct exit_case {
	uint16_t port;
	uint8_t size;
	uint32_t value;
	uint32_t status;
};

ParameterizedTestParameters(debug_exit, status_encoding)
{
	static struct exit_case cases[] = {
	    {0xF4, 4, 0, 1},
	    {0xF4, 4, 1, 3},
	    {0xF4, 1, 0x7F, 0xFF},
	    {0xF4, 1, 0x3FF, 0x1FF},    /* a byte write sees only the low byte */
	    {0xF4, 2, 0x12345, 0x468B}, /* 0x2345 << 1 | 1 */
	    {0xF4, 4, 0x12345678U, 0x2468ACF1U},
	    {0xF4, 4, 0xFFFFFFFFU, 0xFFFFFFFFU}, /* bit 31 is shifted out */
	    {0xF5, 1, 2, 5},                     /* any of the four ports */
	    {0xF7, 4, 3, 7},                     /* a straddling write still counts */
	};
	return cr_make_param_array(struct exit_case, cases, sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct exit_case *c, debug_exit, status_encoding)
{
	struct debug_exit dev;
	struct io_bus bus;
	debug_exit_init(&dev);
	io_bus_init(&bus);
	cr_assert_eq(
	    io_bus_register(&bus, DEBUG_EXIT_PORT, DEBUG_EXIT_PORT_COUNT, &debug_exit_io_ops, &dev),
	    0);
	uint32_t status = 0xABCD;
	cr_assert_not(debug_exit_requested(&dev, &status));
	cr_assert_eq(status, 0xABCD, "no status before a request");
	cr_assert(io_bus_write(&bus, c->port, c->size, c->value));
	cr_assert(debug_exit_requested(&dev, &status));
	cr_assert_eq(status, c->status, "port %#x size %u value %#x: status %#x", c->port, c->size,
	             c->value, status);
	cr_assert(debug_exit_requested(&dev, NULL));
}

Test(debug_exit, reads_are_all_ones_and_request_nothing)
{
	struct debug_exit dev;
	struct io_bus bus;
	debug_exit_init(&dev);
	io_bus_init(&bus);
	cr_assert_eq(
	    io_bus_register(&bus, DEBUG_EXIT_PORT, DEBUG_EXIT_PORT_COUNT, &debug_exit_io_ops, &dev),
	    0);
	static const uint8_t sizes[] = {1, 2, 4};
	for (uint16_t port = DEBUG_EXIT_PORT; port < DEBUG_EXIT_PORT + DEBUG_EXIT_PORT_COUNT;
	     port++) {
		for (size_t s = 0; s < sizeof(sizes); s++) {
			uint32_t value;
			cr_assert(io_bus_read(&bus, port, sizes[s], &value));
			cr_assert_eq(value, io_size_mask(sizes[s]));
		}
	}
	cr_assert_not(debug_exit_requested(&dev, NULL));
}

Test(debug_exit, first_request_wins)
{
	struct debug_exit dev;
	debug_exit_init(&dev);
	debug_exit_io_ops.write(&dev, 0, 4, 5);
	debug_exit_io_ops.write(&dev, 1, 4, 9);
	uint32_t status;
	cr_assert(debug_exit_requested(&dev, &status));
	cr_assert_eq(status, 11);
	debug_exit_init(&dev);
	cr_assert_not(debug_exit_requested(&dev, &status));
}
