/* Unit tests for the pc-testdev model: scratch lanes, flush port, IRQ-line ports, RAM-like iomem. */
#include <string.h>

#include <criterion/criterion.h>

#include "devices/io_bus.h"
#include "devices/mmio_bus.h"
#include "devices/pc_testdev.h"

static struct pc_testdev dev;
static struct io_bus bus;
static struct mmio_bus mmio;
static unsigned last_line;
static bool last_level;
static int irq_calls;

static void record_irq(void *opaque, unsigned line, bool level)
{
	(void)opaque;
	last_line = line;
	last_level = level;
	irq_calls++;
}

static void setup(void)
{
	struct irq_line irq = {record_irq, NULL};

	irq_calls = 0;
	pc_testdev_init(&dev, &irq);
	io_bus_init(&bus);
	mmio_bus_init(&mmio);
	cr_assert_eq(
	    io_bus_register(&bus, TESTDEV_PORT, TESTDEV_PORT_COUNT, &pc_testdev_io_ops, &dev), 0);
	cr_assert_eq(io_bus_register(&bus, TESTDEV_IRQ_PORT, TESTDEV_IRQ_COUNT,
	                             &pc_testdev_irq_io_ops, &dev),
	             0);
	cr_assert_eq(mmio_bus_register(&mmio, TESTDEV_IOMEM_BASE, TESTDEV_IOMEM_SIZE,
	                               &pc_testdev_iomem_ops, &dev),
	             0);
}

static uint32_t in(uint16_t port, uint8_t size)
{
	uint32_t v;

	cr_assert(io_bus_read(&bus, port, size, &v));
	return v;
}

TestSuite(pc_testdev, .init = setup);

Test(pc_testdev, scratch_in_every_width)
{
	cr_assert(io_bus_write(&bus, 0xE0, 4, 0x12345678));
	cr_assert_eq(in(0xE0, 4), 0x12345678U);
	cr_assert_eq(in(0xE0, 2), 0x5678);
	cr_assert_eq(in(0xE2, 2), 0x1234, "byte lane from port & 3");
	cr_assert_eq(in(0xE3, 1), 0x12);
	cr_assert(io_bus_write(&bus, 0xE1, 1, 0xAB));
	cr_assert_eq(in(0xE0, 4), 0x1234AB78U);
	cr_assert_eq(in(0xE8, 4), 0x1234AB78U, "0xE8 is the same dword");
	cr_assert(io_bus_write(&bus, 0xEB, 1, 0x00));
	cr_assert_eq(in(0xE0, 4), 0x0034AB78U);
	cr_assert_eq(in(0xE3, 4), 0x00, "a dword at lane 3 sees one byte");
}

Test(pc_testdev, flush_port)
{
	cr_assert(io_bus_write(&bus, 0xE4, 4, 0x123000));
	cr_assert(io_bus_write(&bus, 0xE4, 1, 0x45));
	cr_assert_eq(dev.flushes, 1);
	cr_assert_eq(dev.last_flush, 0x123000U);
	cr_assert_eq(in(0xE4, 4), 0xFFFFFFFFU);
}

Test(pc_testdev, irq_lines)
{
	cr_assert(io_bus_write(&bus, 0x200E, 1, 1));
	cr_assert_eq(last_line, 14);
	cr_assert(last_level);
	cr_assert(io_bus_write(&bus, 0x2017, 1, 0));
	cr_assert_eq(last_line, 23);
	cr_assert_not(last_level);
	cr_assert(io_bus_write(&bus, 0x2003, 2, 1));
	cr_assert_eq(irq_calls, 2, "only byte writes are decoded");
	cr_assert_eq(in(0x2000, 1), 0xFF);
}

Test(pc_testdev, iomem_is_ram_like)
{
	uint8_t buf[32], back[32];

	for (unsigned i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)(i * 7 + 1);
	cr_assert(mmio_bus_write(&mmio, TESTDEV_IOMEM_BASE + 0xFFE0, buf, 32));
	cr_assert(mmio_bus_read(&mmio, TESTDEV_IOMEM_BASE + 0xFFE0, back, 32));
	cr_assert_arr_eq(buf, back, 32);
	cr_assert(mmio_bus_read(&mmio, TESTDEV_IOMEM_BASE + 0xFFE1, back, 2));
	cr_assert_eq(back[0], buf[1]);
	cr_assert_not(mmio_bus_read(&mmio, TESTDEV_IOMEM_BASE + 0xFFF8, back, 16),
	              "running past the window is refused by the bus");
}
