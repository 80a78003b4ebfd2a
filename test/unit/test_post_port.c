/* Unit tests for the POST port: recorded codes, read-back, history. */
#include <criterion/criterion.h>

#include "devices/io_bus.h"
#include "devices/post_port.h"

Test(post_port, records_and_reads_back)
{
	struct post_port post;
	struct io_bus bus;
	uint32_t v;

	post_port_init(&post);
	io_bus_init(&bus);
	cr_assert_eq(io_bus_register(&bus, POST_PORT, POST_PORT_COUNT, &post_port_io_ops, &post),
	             0);
	cr_assert(io_bus_read(&bus, 0x80, 1, &v));
	cr_assert_eq(v, 0);
	cr_assert(io_bus_write(&bus, 0x80, 1, 0x55));
	cr_assert(io_bus_write(&bus, 0x80, 4, 0x12345678));
	cr_assert(io_bus_read(&bus, 0x80, 1, &v));
	cr_assert_eq(v, 0x78);
	cr_assert(io_bus_read(&bus, 0x80, 2, &v));
	cr_assert_eq(v, 0xFF78, "only data lines 7:0 are latched");
	cr_assert_eq(post_port_writes(&post), 2);
	cr_assert_eq(post_port_recent(&post, 0), 0x78);
	cr_assert_eq(post_port_recent(&post, 1), 0x55);
	cr_assert_eq(post_port_recent(&post, 2), 0);
	for (unsigned i = 0; i < 40; i++)
		cr_assert(io_bus_write(&bus, 0x80, 1, i));
	cr_assert_eq(post_port_last(&post), 39);
	cr_assert_eq(post_port_recent(&post, POST_HISTORY - 1), 39 - (POST_HISTORY - 1));
	cr_assert_eq(post_port_recent(&post, POST_HISTORY), 0);
}
