/* Unit tests for platform_init: the device map, IRQ routing to PIC and IOAPIC, per-CPU LAPIC. */
#include <string.h>

#include <criterion/criterion.h>
#include <criterion/parameterized.h>

#include "devices/platform.h"
#include "monitor/lib/errno.h"

static uint64_t now_ns;
static struct platform p;
static char out[64];
static size_t nr_out;
static unsigned irq_seen[24];

static uint64_t fake_now(void *opaque)
{
	(void)opaque;
	return now_ns;
}

static void tx(void *opaque, uint8_t byte)
{
	(void)opaque;
	if (nr_out < sizeof(out))
		out[nr_out++] = (char)byte;
}

static void sink(void *opaque, unsigned line, bool level)
{
	(void)opaque;
	cr_assert_lt(line, 24);
	if (level)
		irq_seen[line]++;
}

static struct platform_config config(void)
{
	return (struct platform_config){
	    .name = "plat",
	    .ram_size = 32ULL << 20,
	    .cpu_count = 2,
	    .epoch_seconds = 1709214330ULL,
	    .clock = {.now_ns = fake_now},
	    .irq = {sink, NULL},
	    .console_tx = tx,
	};
}

static void setup(void)
{
	struct platform_config cfg = config();

	now_ns = 0;
	nr_out = 0;
	memset(irq_seen, 0, sizeof(irq_seen));
	cr_assert_eq(platform_init(&p, &cfg), 0);
}

TestSuite(platform, .init = setup);

/* A port of each device and what it answers right after init. */
struct port_case {
	uint16_t port;
	uint8_t size;
	uint32_t value;
};

ParameterizedTestParameters(platform, port_map)
{
	static struct port_case cases[] = {
	    {0x21, 1, 0x00},         /* PIC master IMR */
	    {0xA1, 1, 0x00},         /* PIC slave IMR */
	    {0x4D0, 1, 0x00},        /* ELCR */
	    {0x43, 1, 0xFF},         /* PIT control: write-only */
	    {0x70, 1, 0xFF},         /* RTC index: write-only */
	    {0x80, 1, 0x00},         /* POST */
	    {0xE0, 4, 0x00},         /* pc-testdev scratch */
	    {0xF4, 1, 0xFF},         /* debug exit */
	    {0x3FD, 1, 0x60},        /* COM1 LSR */
	    {0x511, 1, 'Q'},         /* fw_cfg data, signature selected */
	    {0x608, 4, 0x00},        /* PM timer at time 0 */
	    {0xCFC, 4, 0xFFFFFFFFU}, /* PCI data, address disabled */
	};
	return cr_make_param_array(struct port_case, cases, sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct port_case *c, platform, port_map, .init = setup)
{
	uint32_t v;

	cr_assert(io_bus_read(&p.io, c->port, c->size, &v), "port %#x is claimed", c->port);
	cr_assert_eq(v, c->value, "port %#x", c->port);
}

Test(platform, mmio_map)
{
	uint32_t v;

	cr_assert(mmio_bus_write(&p.mmio, IOAPIC_BASE, &(uint32_t){1}, 4));
	cr_assert(mmio_bus_read(&p.mmio, IOAPIC_BASE + 0x10, &v, 4));
	cr_assert_eq(v, IOAPIC_VERSION);
	cr_assert(mmio_bus_read(&p.mmio, LAPIC_BASE + LAPIC_VERSION, &v, 4));
	cr_assert_eq(v, LAPIC_VERSION_VALUE);
	cr_assert(mmio_bus_claims(&p.mmio, TESTDEV_IOMEM_BASE, 4));
	cr_assert(mmio_bus_claims(&p.mmio, MMIO_SCRATCH_BASE, 4));
	cr_assert_not(mmio_bus_claims(&p.mmio, 0xFED00000ULL, 4));
}

Test(platform, lapic_follows_the_current_cpu)
{
	uint32_t v;

	cr_assert(mmio_bus_read(&p.mmio, LAPIC_BASE + LAPIC_ID, &v, 4));
	cr_assert_eq(v, 0);
	platform_set_current_cpu(&p, 1);
	cr_assert(mmio_bus_read(&p.mmio, LAPIC_BASE + LAPIC_ID, &v, 4));
	cr_assert_eq(v, 0x01000000U);
	platform_set_current_cpu(&p, 2);
	cr_assert_eq(p.current_cpu, 1, "no third CPU");
}

Test(platform, console_and_debug_exit)
{
	uint32_t status;

	cr_assert(io_bus_write(&p.io, 0x3F8, 1, 'h'));
	cr_assert_eq(nr_out, 1);
	cr_assert_eq(out[0], 'h');
	cr_assert(io_bus_write(&p.io, 0xF4, 4, 0x10));
	cr_assert(debug_exit_requested(&p.debug_exit, &status));
	cr_assert_eq(status, 0x21);
}

Test(platform, testdev_lines_reach_pic_and_ioapic)
{
	uint32_t v;

	/* IOAPIC pin 14: level, unmasked. */
	cr_assert(mmio_bus_write(&p.mmio, IOAPIC_BASE, &(uint32_t){0x10 + 2 * 14}, 4));
	cr_assert(mmio_bus_write(&p.mmio, IOAPIC_BASE + 0x10, &(uint32_t){0x8000 | 0x60}, 4));
	cr_assert(io_bus_write(&p.io, 0x200E, 1, 1));
	cr_assert(mmio_bus_read(&p.mmio, IOAPIC_BASE + 0x10, &v, 4));
	cr_assert_eq(v, 0xC060U, "remote IRR: the line reached the IOAPIC");
	cr_assert(io_bus_read(&p.io, 0xA0, 1, &v));
	cr_assert_eq(v, 0x40, "and the slave PIC's IRR");
	cr_assert_eq(irq_seen[14], 1, "and the config's sink");
}

Test(platform, pit_irq0_goes_to_ioapic_pin_2)
{
	/* PIT channel 0, mode 2, count 1000; the IOAPIC entry for pin 2 level-triggered so its
	 * remote IRR shows the line. */
	cr_assert(mmio_bus_write(&p.mmio, IOAPIC_BASE, &(uint32_t){0x10 + 2 * 2}, 4));
	cr_assert(mmio_bus_write(&p.mmio, IOAPIC_BASE + 0x10, &(uint32_t){0x8000 | 0x30}, 4));
	cr_assert(io_bus_write(&p.io, 0x43, 1, 0x34));
	cr_assert(io_bus_write(&p.io, 0x40, 1, 0xE8));
	cr_assert(io_bus_write(&p.io, 0x40, 1, 0x03));
	now_ns = 10000000; /* 10 ms: about 11 periods */
	platform_poll(&p);
	cr_assert_geq(irq_seen[0], 1);
	cr_assert_eq(ioapic_entry(&p.ioapic, 2) & IOAPIC_RTE_REMOTE_IRR, IOAPIC_RTE_REMOTE_IRR);
	uint32_t v;
	cr_assert(io_bus_read(&p.io, 0x20, 1, &v));
	cr_assert_eq(v & 1, 1, "IRQ 0 latched in the master's IRR");
}

Test(platform, cmos_and_fw_cfg_see_the_ram)
{
	uint32_t lo, hi;

	cr_assert(io_bus_write(&p.io, 0x70, 1, 0x30));
	cr_assert(io_bus_read(&p.io, 0x71, 1, &lo));
	cr_assert(io_bus_write(&p.io, 0x70, 1, 0x31));
	cr_assert(io_bus_read(&p.io, 0x71, 1, &hi));
	cr_assert_eq(lo | hi << 8, 31 * 1024);
	cr_assert(io_bus_write(&p.io, 0x510, 2, FW_CFG_NB_CPUS));
	cr_assert(io_bus_read(&p.io, 0x511, 1, &lo));
	cr_assert_eq(lo, 2);
}

Test(platform, bad_configs)
{
	struct platform_config cfg = config();

	cfg.cpu_count = 0;
	cr_assert_eq(platform_init(&p, &cfg), -EINVAL);
	cfg.cpu_count = PLATFORM_MAX_CPUS + 1;
	cr_assert_eq(platform_init(&p, &cfg), -EINVAL);
	cfg = config();
	cfg.ram_size = 0;
	cr_assert_eq(platform_init(&p, &cfg), -EINVAL);
	cr_assert_eq(platform_init(&p, NULL), -EINVAL);
	cfg = config();
	cfg.name = NULL;
	cfg.irq = (struct irq_line){0};
	cfg.clock = (struct clock){0};
	cfg.console_tx = NULL;
	cr_assert_eq(platform_init(&p, &cfg), 0, "optional parts may be left out");
	cr_assert(io_bus_write(&p.io, 0x3F8, 1, 'x'));
	platform_poll(&p);
}
