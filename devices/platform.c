/* Builds a partition's PC platform and routes its interrupts: lines to PIC and IOAPIC, messages to the local APICs. */
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

/* The APIC to deliver a lowest-priority message to: the lowest PPR among those addressed. */
static struct lapic *lowest_priority(struct platform *p, const bool hit[])
{
	struct lapic *best = NULL;

	for (unsigned i = 0; i < p->nr_cpus; i++)
		if (hit[i] && (!best || lapic_ppr(&p->lapic[i]) < lapic_ppr(best)))
			best = &p->lapic[i];
	return best;
}

/*
 * Deliver one interrupt message to the APICs `hit` marks. Fixed and lowest-priority carry
 * `vector` (`level`: TMR set, the EOI is broadcast); NMI; INIT, SIPI, SMI are counted and
 * ignored (one VP boots, the others are not started by IPI yet). True when an APIC took it.
 */
static bool deliver(struct platform *p, const bool hit[], uint32_t mode, uint8_t vector, bool level,
                    struct lapic *sender)
{
	struct lapic *target;
	bool taken = false;

	switch (mode) {
	case LAPIC_DM_LOWEST:
		target = lowest_priority(p, hit);
		return target && lapic_accept(target, vector, level, false);
	case LAPIC_DM_FIXED:
		for (unsigned i = 0; i < p->nr_cpus; i++)
			if (hit[i] && lapic_accept(&p->lapic[i], vector, level, false))
				taken = true;
		return taken;
	case LAPIC_DM_NMI:
		for (unsigned i = 0; i < p->nr_cpus; i++)
			if (hit[i]) {
				lapic_accept_nmi(&p->lapic[i]);
				taken = true;
			}
		return taken;
	default:
		if (sender)
			sender->ipis_ignored++;
		return false;
	}
}

/* An I/O APIC redirection entry fires: physical or logical 8-bit destination. */
static bool ioapic_deliver(void *opaque, uint64_t entry)
{
	struct platform *p = opaque;
	bool hit[PLATFORM_MAX_CPUS] = {false};
	bool logical = (entry & IOAPIC_RTE_DESTMODE) != 0;
	uint32_t dest = (uint32_t)(entry >> 56);

	for (unsigned i = 0; i < p->nr_cpus; i++)
		hit[i] = lapic_matches(&p->lapic[i], dest, logical);
	/* ExtINT entries mean "ask the PIC": the PIC reaches VP 0 through LINT0 instead. */
	return deliver(p, hit, (uint32_t)(entry & IOAPIC_RTE_DELMODE),
	               (uint8_t)(entry & IOAPIC_RTE_VECTOR), (entry & IOAPIC_RTE_LEVEL) != 0, NULL);
}

/* A local APIC's EOI of a level-triggered vector reaches the I/O APIC. */
static void lapic_eoi_broadcast(void *opaque, uint8_t vector)
{
	struct platform *p = opaque;

	ioapic_eoi(&p->ioapic, vector);
}

/* An IPI from `from`: destination shorthand or field picks the APICs. Edge-triggered: a
 * level-triggered IPI is only meaningful for INIT, which is not modelled. */
static void lapic_send_ipi(void *opaque, struct lapic *from, uint32_t icr, uint32_t dest)
{
	struct platform *p = opaque;
	bool hit[PLATFORM_MAX_CPUS] = {false};
	bool logical = (icr & LAPIC_ICR_LOGICAL) != 0;

	for (unsigned i = 0; i < p->nr_cpus; i++) {
		struct lapic *to = &p->lapic[i];

		switch (icr & LAPIC_ICR_SHORTHAND) {
		case LAPIC_SH_SELF: hit[i] = to == from; break;
		case LAPIC_SH_ALL: hit[i] = true; break;
		case LAPIC_SH_ALL_BUT_SELF: hit[i] = to != from; break;
		default: hit[i] = lapic_matches(to, dest, logical); break;
		}
	}
	deliver(p, hit, icr & LAPIC_ICR_DELMODE, (uint8_t)(icr & LAPIC_ICR_VECTOR), false, from);
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
	ioapic_set_bus(&p->ioapic, &(struct ioapic_bus){ioapic_deliver, p});
	for (unsigned i = 0; i < p->nr_cpus; i++) {
		lapic_init(&p->lapic[i], (uint8_t)i, &cfg->clock);
		lapic_set_bus(&p->lapic[i],
		              &(struct lapic_bus){lapic_eoi_broadcast, lapic_send_ipi, p});
		p->pending[i] = -1;
	}
	/* The PIC's INTR reaches VP 0's LINT0 in ExtINT mode, as firmware leaves it. */
	lapic_set_virtual_wire(&p->lapic[0]);
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
	for (unsigned i = 0; i < p->nr_cpus; i++)
		lapic_update(&p->lapic[i]);
}

int platform_pending_vector(struct platform *p, unsigned cpu)
{
	struct lapic *apic;
	bool intr;
	int v;

	if (cpu >= p->nr_cpus)
		return -1;
	apic = &p->lapic[cpu];
	p->pending_from_pic[cpu] = false;
	if (cpu == 0) {
		/* The PIC's INTR is wired to VP 0's LINT0: in ExtINT mode the PIC answers the
		 * INTA cycle; in Fixed or NMI mode LINT0 raises its own LVT vector. */
		intr = pic_int_output(&p->pic);
		lapic_set_lint(apic, 0, intr);
		if (intr && lapic_lint0_extint(apic)) {
			p->pending_from_pic[cpu] = true;
			p->pending[cpu] = pic_pending_vector(&p->pic);
			return p->pending[cpu];
		}
	}
	v = lapic_pending_vector(apic);
	p->pending[cpu] = v;
	return v;
}

void platform_vector_taken(struct platform *p, unsigned cpu, uint8_t vector)
{
	if (cpu >= p->nr_cpus || p->pending[cpu] != (int)vector)
		return;
	p->pending[cpu] = -1;
	if (p->pending_from_pic[cpu])
		pic_acknowledge(&p->pic); /* the INTA cycle */
	else
		lapic_vector_taken(&p->lapic[cpu], vector);
}

bool platform_take_nmi(struct platform *p, unsigned cpu)
{
	return cpu < p->nr_cpus && lapic_take_nmi(&p->lapic[cpu]);
}

/* Could OUT0's edges interrupt anyone? Not with IRQ 0 masked at the PIC and IOAPIC pin 2. */
static bool pit_can_interrupt(const struct platform *p)
{
	return !(p->pic.chip[0].imr & 1U) ||
	       !(ioapic_entry(&p->ioapic, PLATFORM_IRQ0_GSI) & IOAPIC_RTE_MASKED);
}

uint64_t platform_next_event_ns(struct platform *p)
{
	uint64_t next = UINT64_MAX, t;

	if (pit_can_interrupt(p) && pit_next_edge_ns(&p->pit, &t) && t < next)
		next = t;
	t = rtc_next_event_ns(&p->rtc);
	next = t < next ? t : next;
	for (unsigned i = 0; i < p->nr_cpus; i++) {
		t = lapic_next_event_ns(&p->lapic[i]);
		next = t < next ? t : next;
	}
	return next;
}

void platform_assert_vector(struct platform *p, unsigned cpu, uint8_t vector, bool auto_eoi)
{
	if (cpu < p->nr_cpus)
		lapic_accept(&p->lapic[cpu], vector, false, auto_eoi);
}

uint8_t platform_tpr(struct platform *p, unsigned cpu)
{
	return cpu < p->nr_cpus ? lapic_tpr(&p->lapic[cpu]) : 0;
}

void platform_set_tpr(struct platform *p, unsigned cpu, uint8_t tpr)
{
	if (cpu < p->nr_cpus)
		lapic_set_tpr(&p->lapic[cpu], tpr);
}

void platform_set_current_cpu(struct platform *p, unsigned cpu)
{
	if (cpu < p->nr_cpus)
		p->current_cpu = cpu;
}
