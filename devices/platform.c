/* Builds a partition's PC platform and routes its interrupt lines to the PIC and the IOAPIC. */
#include <string.h>

#include "devices/platform.h"
#include "monitor/lib/errno.h"

/* The models' interrupt lines: the PIC takes ISA IRQs, the IOAPIC every line (IRQ 0 on input 2). */
static void platform_irq_set(void *opaque, unsigned line, bool level)
{
	struct platform *p = opaque;

	if (line < PIC_LINES)
		pic_set_irq(&p->pic, line, level);
	ioapic_set_irq(&p->ioapic, line == 0 ? PLATFORM_IRQ0_GSI : line, level);
	irq_line_set(&p->sink, line, level);
}

/* The LAPIC page is per processor: route it to the current VP's APIC. */
static void lapic_route_read(void *opaque, uint64_t offset, void *buf, unsigned len)
{
	struct platform *p = opaque;

	lapic_mmio_ops.read(&p->lapic[p->current_cpu], offset, buf, len);
}

static void lapic_route_write(void *opaque, uint64_t offset, const void *buf, unsigned len)
{
	struct platform *p = opaque;

	lapic_mmio_ops.write(&p->lapic[p->current_cpu], offset, buf, len);
}

static const struct mmio_device_ops lapic_route_ops = {
    .read = lapic_route_read,
    .write = lapic_route_write,
};

static int register_io(struct platform *p)
{
	static const struct {
		uint16_t base, count;
		const struct io_device_ops *ops;
		size_t offset; /* of the device in struct platform */
	} ports[] = {
	    {PIC_MASTER_PORT, PIC_PORT_COUNT, &pic_chip_io_ops,
	     offsetof(struct platform, pic.chip[0])},
	    {PIT_PORT, PIT_PORT_COUNT, &pit_io_ops, offsetof(struct platform, pit)},
	    {PIT_SPEAKER_PORT, 1, &pit_port61_io_ops, offsetof(struct platform, pit)},
	    {RTC_PORT, RTC_PORT_COUNT, &rtc_io_ops, offsetof(struct platform, rtc)},
	    {POST_PORT, POST_PORT_COUNT, &post_port_io_ops, offsetof(struct platform, post)},
	    {PIC_SLAVE_PORT, PIC_PORT_COUNT, &pic_chip_io_ops,
	     offsetof(struct platform, pic.chip[1])},
	    {TESTDEV_PORT, TESTDEV_PORT_COUNT, &pc_testdev_io_ops,
	     offsetof(struct platform, testdev)},
	    {DEBUG_EXIT_PORT, DEBUG_EXIT_PORT_COUNT, &debug_exit_io_ops,
	     offsetof(struct platform, debug_exit)},
	    {PLATFORM_COM1_PORT, UART16550_PORT_COUNT, &uart16550_io_ops,
	     offsetof(struct platform, com1)},
	    {PIC_ELCR_PORT, PIC_ELCR_COUNT, &pic_elcr_io_ops, offsetof(struct platform, pic)},
	    {FW_CFG_PORT, FW_CFG_PORT_COUNT, &fw_cfg_io_ops, offsetof(struct platform, fw_cfg)},
	    {PM_TIMER_PORT, PM_TIMER_PORT_COUNT, &pm_timer_io_ops,
	     offsetof(struct platform, pm_timer)},
	    {PCI_CONFIG_ADDRESS_PORT, PCI_CONFIG_PORT_COUNT, &pci_host_address_io_ops,
	     offsetof(struct platform, pci)},
	    {PCI_CONFIG_DATA_PORT, PCI_CONFIG_PORT_COUNT, &pci_host_data_io_ops,
	     offsetof(struct platform, pci)},
	    {TESTDEV_IRQ_PORT, TESTDEV_IRQ_COUNT, &pc_testdev_irq_io_ops,
	     offsetof(struct platform, testdev)},
	};

	for (size_t i = 0; i < sizeof(ports) / sizeof(ports[0]); i++)
		if (io_bus_register(&p->io, ports[i].base, ports[i].count, ports[i].ops,
		                    (char *)p + ports[i].offset))
			return -EINVAL;
	return 0;
}

static int register_mmio(struct platform *p)
{
	if (mmio_bus_register(&p->mmio, IOAPIC_BASE, IOAPIC_SIZE, &ioapic_mmio_ops, &p->ioapic) ||
	    mmio_bus_register(&p->mmio, LAPIC_BASE, LAPIC_SIZE, &lapic_route_ops, p) ||
	    mmio_bus_register(&p->mmio, TESTDEV_IOMEM_BASE, TESTDEV_IOMEM_SIZE,
	                      &pc_testdev_iomem_ops, &p->testdev) ||
	    mmio_bus_register(&p->mmio, MMIO_SCRATCH_BASE, MMIO_SCRATCH_SIZE, &mmio_scratch_ops,
	                      &p->scratch))
		return -EINVAL;
	return 0;
}

int platform_init(struct platform *p, const struct platform_config *cfg)
{
	struct cmos_rtc_config rtc_cfg;
	size_t name_len = 0;

	if (!p || !cfg || cfg->ram_size == 0 || cfg->cpu_count == 0 ||
	    cfg->cpu_count > PLATFORM_MAX_CPUS)
		return -EINVAL;
	memset(p, 0, sizeof(*p));
	if (cfg->name)
		while (name_len < PLATFORM_NAME_MAX && cfg->name[name_len])
			name_len++;
	memcpy(p->name, cfg->name ? cfg->name : "", name_len);
	p->sink = cfg->irq;
	p->lines = (struct irq_line){platform_irq_set, p};
	p->nr_cpus = cfg->cpu_count;

	uart16550_init(&p->com1, cfg->console_tx, cfg->console_opaque);
	debug_exit_init(&p->debug_exit);
	mmio_scratch_init(&p->scratch);
	pic_init(&p->pic);
	pit_init(&p->pit, &cfg->clock, &p->lines);
	rtc_cfg = (struct cmos_rtc_config){
	    .epoch_seconds = cfg->epoch_seconds,
	    .ram_below_4g = cfg->ram_size,
	    .ram_above_4g = cfg->ram_above_4g,
	    .cpu_count = cfg->cpu_count,
	};
	rtc_init(&p->rtc, &rtc_cfg, &cfg->clock, &p->lines);
	ioapic_init(&p->ioapic, PLATFORM_IOAPIC_ID);
	for (unsigned i = 0; i < p->nr_cpus; i++)
		lapic_init(&p->lapic[i], (uint8_t)i, &cfg->clock);
	fw_cfg_init(&p->fw_cfg, cfg->ram_size + cfg->ram_above_4g, (uint16_t)cfg->cpu_count);
	pc_testdev_init(&p->testdev, &p->lines);
	pm_timer_init(&p->pm_timer, &cfg->clock);
	post_port_init(&p->post);
	pci_host_init(&p->pci);

	io_bus_init(&p->io);
	mmio_bus_init(&p->mmio);
	if (register_io(p) || register_mmio(p))
		return -EINVAL;
	return 0;
}

void platform_poll(struct platform *p)
{
	bool com1 = uart16550_irq_pending(&p->com1);

	pit_poll(&p->pit);
	rtc_poll(&p->rtc);
	if (com1 != p->com1_irq) {
		p->com1_irq = com1;
		irq_line_set(&p->lines, PLATFORM_COM1_IRQ, com1);
	}
}

void platform_set_current_cpu(struct platform *p, unsigned cpu)
{
	if (cpu < p->nr_cpus)
		p->current_cpu = cpu;
}
