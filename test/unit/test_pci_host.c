/* Unit tests for PCI configuration mechanism #1: the host bridge's space, all ones elsewhere. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>

#include "devices/io_bus.h"
#include "devices/pci_host.h"

static struct pci_host pci;
static struct io_bus bus;

static void setup(void)
{
	pci_host_init(&pci);
	io_bus_init(&bus);
	cr_assert_eq(io_bus_register(&bus, 0xCF8, 4, &pci_host_address_io_ops, &pci), 0);
	cr_assert_eq(io_bus_register(&bus, 0xCFC, 4, &pci_host_data_io_ops, &pci), 0);
}

static uint32_t cfg_read(unsigned bus_nr, unsigned dev, unsigned fn, unsigned reg, uint8_t size)
{
	uint32_t v;

	cr_assert(io_bus_write(&bus, 0xCF8, 4,
	                       0x80000000U | bus_nr << 16 | dev << 11 | fn << 8 | (reg & 0xFC)));
	cr_assert(io_bus_read(&bus, (uint16_t)(0xCFC + (reg & 3)), size, &v));
	return v;
}

TestSuite(pci_host, .init = setup);

struct config_case {
	unsigned reg;
	uint8_t size;
	uint32_t value;
};

ParameterizedTestParameters(pci_host, host_bridge_config)
{
	static struct config_case cases[] = {
	    {0x00, 4, 0x12378086U}, {0x00, 2, 0x8086},      {0x02, 2, 0x1237}, {0x04, 2, 0x0006},
	    {0x06, 2, 0x0280},      {0x08, 4, 0x06000002U}, {0x0B, 1, 0x06},   {0x0A, 1, 0x00},
	    {0x0E, 1, 0x00},        {0x10, 4, 0},           {0x2C, 4, 0},      {0x3C, 4, 0},
	    {0xFC, 4, 0},           {0xFF, 1, 0},
	};
	return cr_make_param_array(struct config_case, cases, sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct config_case *c, pci_host, host_bridge_config, .init = setup)
{
	cr_assert_eq(cfg_read(0, 0, 0, c->reg, c->size), c->value, "reg %#x", c->reg);
}

Test(pci_host, every_other_function_reads_all_ones)
{
	cr_assert_eq(cfg_read(0, 1, 0, 0, 4), 0xFFFFFFFFU);
	cr_assert_eq(cfg_read(0, 0, 1, 0, 4), 0xFFFFFFFFU);
	cr_assert_eq(cfg_read(0, 31, 7, 0, 2), 0xFFFF);
	cr_assert_eq(cfg_read(1, 0, 0, 0, 4), 0xFFFFFFFFU);
	cr_assert_eq(cfg_read(255, 0, 0, 0x40, 1), 0xFF);
}

Test(pci_host, disabled_address_reads_all_ones)
{
	uint32_t v;

	cr_assert(io_bus_write(&bus, 0xCF8, 4, 0x00000000U));
	cr_assert(io_bus_read(&bus, 0xCFC, 4, &v));
	cr_assert_eq(v, 0xFFFFFFFFU);
}

Test(pci_host, address_register)
{
	uint32_t v;

	cr_assert(io_bus_write(&bus, 0xCF8, 4, 0xFFFFFFFFU));
	cr_assert(io_bus_read(&bus, 0xCF8, 4, &v));
	cr_assert_eq(v, 0x80FFFFFCU, "reserved bits read 0");
	cr_assert(io_bus_write(&bus, 0xCF8, 1, 0));
	cr_assert(io_bus_read(&bus, 0xCF8, 4, &v));
	cr_assert_eq(v, 0x80FFFFFCU, "byte writes are not CONFIG_ADDRESS");
	cr_assert(io_bus_read(&bus, 0xCF8, 2, &v));
	cr_assert_eq(v, 0xFFFF);
}

Test(pci_host, read_only_fields_ignore_writes)
{
	cr_assert(io_bus_write(&bus, 0xCF8, 4, 0x80000000U));
	cr_assert(io_bus_write(&bus, 0xCFC, 4, 0));
	cr_assert_eq(cfg_read(0, 0, 0, 0, 4), 0x12378086U);
	cr_assert(io_bus_write(&bus, 0xCF8, 4, 0x8000000CU));
	cr_assert(io_bus_write(&bus, 0xCFC, 4, 0xFFFFFFFFU));
	cr_assert_eq(cfg_read(0, 0, 0, 0x0C, 4), 0x0000FF00U, "only the latency timer is RW");
	cr_assert(io_bus_write(&bus, 0xCF8, 4, 0x80000058U));
	cr_assert(io_bus_write(&bus, 0xCFC, 4, 0xFFFFFFFFU));
	cr_assert_eq(cfg_read(0, 0, 0, 0x58, 4), 0xFFFFFF00U, "PAM0-2 are stored");
	cr_assert(io_bus_write(&bus, 0xCF8, 4, 0x80000004U));
	cr_assert(io_bus_write(&bus, 0xCFE, 2, 0));
	cr_assert_eq(cfg_read(0, 0, 0, 0x06, 2), 0x0280);
}
