/* Unit tests for the port-I/O bus: registration rules, dispatch, straddling and unclaimed ports. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>

#include "devices/io_bus.h"
#include "monitor/lib/errno.h"

/* A device that records its last access and answers reads with a fixed pattern plus the offset. */
struct recorder {
	int reads;
	int writes;
	uint16_t offset;
	uint8_t size;
	uint32_t value;
};

static uint32_t recorder_read(void *opaque, uint16_t offset, uint8_t size)
{
	struct recorder *rec = opaque;
	rec->reads++;
	rec->offset = offset;
	rec->size = size;
	/* Stray upper bits on purpose: the bus must mask them. */
	return 0xA5A5A500U | offset;
}

static void recorder_write(void *opaque, uint16_t offset, uint8_t size, uint32_t value)
{
	struct recorder *rec = opaque;
	rec->writes++;
	rec->offset = offset;
	rec->size = size;
	rec->value = value;
}

static const struct io_device_ops recorder_ops = {
    .read = recorder_read,
    .write = recorder_write,
};

static const struct io_device_ops no_read_ops = {.write = recorder_write};
static const struct io_device_ops no_write_ops = {.read = recorder_read};

Test(io_bus, empty_bus_claims_nothing)
{
	struct io_bus bus;
	io_bus_init(&bus);
	uint32_t value = 0;
	cr_assert_not(io_bus_read(&bus, 0x3F8, 1, &value));
	cr_assert_eq(value, 0xFF);
	cr_assert_not(io_bus_read(&bus, 0, 2, &value));
	cr_assert_eq(value, 0xFFFF);
	cr_assert_not(io_bus_read(&bus, 0xFFFF, 4, &value));
	cr_assert_eq(value, 0xFFFFFFFFU);
	cr_assert_not(io_bus_write(&bus, 0x80, 1, 0x12));
}

Test(io_bus, unclaimed_value_is_all_ones_of_the_size)
{
	cr_assert_eq(io_bus_unclaimed_value(1), 0xFFU);
	cr_assert_eq(io_bus_unclaimed_value(2), 0xFFFFU);
	cr_assert_eq(io_bus_unclaimed_value(4), 0xFFFFFFFFU);
	cr_assert_eq(io_size_mask(1), 0xFFU);
	cr_assert_eq(io_size_mask(2), 0xFFFFU);
	cr_assert_eq(io_size_mask(4), 0xFFFFFFFFU);
}

Test(io_bus, dispatches_with_offset_and_masks)
{
	struct io_bus bus;
	struct recorder rec = {0};
	io_bus_init(&bus);
	cr_assert_eq(io_bus_register(&bus, 0x3F8, 8, &recorder_ops, &rec), 0);

	uint32_t value;
	cr_assert(io_bus_read(&bus, 0x3FD, 1, &value));
	cr_assert_eq(rec.offset, 5);
	cr_assert_eq(rec.size, 1);
	cr_assert_eq(value, 0x05);
	cr_assert(io_bus_read(&bus, 0x3F9, 2, &value));
	cr_assert_eq(value, 0xA501);
	cr_assert(io_bus_read(&bus, 0x3F8, 4, &value));
	cr_assert_eq(value, 0xA5A5A500U);

	cr_assert(io_bus_write(&bus, 0x3FB, 1, 0x12345683U));
	cr_assert_eq(rec.offset, 3);
	cr_assert_eq(rec.value, 0x83, "a byte write must reach the device masked");
	cr_assert(io_bus_write(&bus, 0x3FB, 2, 0x12345683U));
	cr_assert_eq(rec.value, 0x5683);
	cr_assert(io_bus_write(&bus, 0x3FB, 4, 0x12345683U));
	cr_assert_eq(rec.value, 0x12345683U);

	cr_assert_not(io_bus_read(&bus, 0x3F7, 1, &value));
	cr_assert_not(io_bus_read(&bus, 0x400, 1, &value));
	cr_assert_eq(rec.reads, 3);
	cr_assert_eq(rec.writes, 3);
}

Test(io_bus, bad_sizes_are_never_dispatched)
{
	static const uint8_t sizes[] = {0, 3, 5, 8, 255};
	struct io_bus bus;
	struct recorder rec = {0};
	io_bus_init(&bus);
	cr_assert_eq(io_bus_register(&bus, 0x60, 4, &recorder_ops, &rec), 0);
	for (size_t i = 0; i < sizeof(sizes); i++) {
		uint32_t value = 0;
		cr_assert_not(io_bus_read(&bus, 0x60, sizes[i], &value));
		cr_assert_eq(value, 0xFFFFFFFFU);
		cr_assert_not(io_bus_write(&bus, 0x60, sizes[i], 1));
	}
	cr_assert_eq(rec.reads + rec.writes, 0);
}

Test(io_bus, straddling_access_goes_to_the_first_port_owner)
{
	struct io_bus bus;
	struct recorder first = {0}, second = {0};
	io_bus_init(&bus);
	cr_assert_eq(io_bus_register(&bus, 0x10, 4, &recorder_ops, &first), 0);
	cr_assert_eq(io_bus_register(&bus, 0x14, 4, &recorder_ops, &second), 0);
	uint32_t value;
	cr_assert(io_bus_read(&bus, 0x13, 4, &value));
	cr_assert_eq(first.reads, 1);
	cr_assert_eq(first.offset, 3);
	cr_assert_eq(first.size, 4);
	cr_assert_eq(second.reads, 0);
	/* And an access at the last port of the I/O space. */
	struct recorder top = {0};
	cr_assert_eq(io_bus_register(&bus, 0xFFFF, 1, &recorder_ops, &top), 0);
	cr_assert(io_bus_write(&bus, 0xFFFF, 4, 0xDEADBEEFU));
	cr_assert_eq(top.offset, 0);
	cr_assert_eq(top.value, 0xDEADBEEFU);
}

/* Registration cases against a bus that already holds [0x100, 0x110). */
struct register_case {
	uint16_t base;
	uint32_t count; /* wider than the API so a case can say "0x10000" in words */
	int expected;
};

ParameterizedTestParameters(io_bus, register_rules)
{
	static struct register_case cases[] = {
	    {0x0F0, 0x10, 0},          /* ends just below */
	    {0x110, 0x10, 0},          /* starts just above */
	    {0x0F0, 0x11, -EEXIST},    /* last port overlaps */
	    {0x10F, 0x01, -EEXIST},    /* first port overlaps */
	    {0x100, 0x10, -EEXIST},    /* identical */
	    {0x104, 0x02, -EEXIST},    /* inside */
	    {0x000, 0xFFFF, -EEXIST},  /* covers it */
	    {0x100, 0x00, -EINVAL},    /* empty */
	    {0xFFFF, 0x01, 0},         /* the last port */
	    {0xFFFF, 0x02, -EINVAL},   /* one past the end */
	    {0xFFF0, 0xFFFF, -EINVAL}, /* far past the end */
	    {0x0001, 0xFFFF, -EEXIST}, /* ends exactly at 0xFFFF: legal, but overlaps */
	    {0x0002, 0xFFFF, -EINVAL}, /* one past the end */
	    {0x0000, 0x0001, 0},       /* port 0 */
	};
	return cr_make_param_array(struct register_case, cases, sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct register_case *c, io_bus, register_rules)
{
	struct io_bus bus;
	struct recorder rec = {0};
	io_bus_init(&bus);
	cr_assert_eq(io_bus_register(&bus, 0x100, 0x10, &recorder_ops, &rec), 0);
	int ret = io_bus_register(&bus, c->base, (uint16_t)c->count, &recorder_ops, &rec);
	cr_assert_eq(ret, c->expected, "base %#x count %#x: got %d, want %d", c->base, c->count,
	             ret, c->expected);
	/* A refused registration leaves the bus as it was. */
	if (ret != 0)
		cr_assert_eq(bus.nr_ranges, 1);
}

Test(io_bus, missing_handlers_are_refused)
{
	struct io_bus bus;
	io_bus_init(&bus);
	cr_assert_eq(io_bus_register(&bus, 0x10, 1, NULL, NULL), -EINVAL);
	cr_assert_eq(io_bus_register(&bus, 0x10, 1, &no_read_ops, NULL), -EINVAL);
	cr_assert_eq(io_bus_register(&bus, 0x10, 1, &no_write_ops, NULL), -EINVAL);
	cr_assert_eq(bus.nr_ranges, 0);
}

Test(io_bus, table_full)
{
	struct io_bus bus;
	struct recorder rec = {0};
	io_bus_init(&bus);
	for (uint32_t i = 0; i < IO_BUS_MAX_DEVICES; i++)
		cr_assert_eq(
		    io_bus_register(&bus, (uint16_t)(0x1000 + 4 * i), 2, &recorder_ops, &rec), 0);
	cr_assert_eq(io_bus_register(&bus, 0x9000, 1, &recorder_ops, &rec), -ENOSPC);
	/* Overlap is reported before fullness: the more useful diagnosis. */
	cr_assert_eq(io_bus_register(&bus, 0x1000, 1, &recorder_ops, &rec), -EEXIST);
}

/* Ranges registered in scrambled order; every port of the space must find exactly its owner. */
Test(io_bus, lookup_finds_the_owner_of_every_port)
{
	static const uint16_t bases[] = {0x3F8, 0x20, 0xF4,  0xCF8, 0x40,
	                                 0x70,  0xA0, 0x510, 0x61,  0};
	static const uint16_t counts[] = {8, 2, 4, 8, 4, 2, 2, 2, 1, 1};
	struct recorder recs[10] = {0};
	struct io_bus bus;
	io_bus_init(&bus);
	for (size_t i = 0; i < 10; i++)
		cr_assert_eq(io_bus_register(&bus, bases[i], counts[i], &recorder_ops, &recs[i]),
		             0);

	for (uint32_t port = 0; port <= 0xFFFF; port++) {
		int owner = -1;
		for (int i = 0; i < 10; i++)
			if (port >= bases[i] && port < (uint32_t)bases[i] + counts[i])
				owner = i;
		int before = owner >= 0 ? recs[owner].reads : 0;
		uint32_t value;
		bool claimed = io_bus_read(&bus, (uint16_t)port, 1, &value);
		cr_assert_eq(claimed, owner >= 0, "port %#x", port);
		if (owner >= 0) {
			cr_assert_eq(recs[owner].reads, before + 1, "port %#x", port);
			cr_assert_eq(recs[owner].offset, port - bases[owner]);
		} else {
			cr_assert_eq(value, 0xFF);
		}
	}
}
