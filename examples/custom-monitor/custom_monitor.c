/* A whole monitor on the installed libhv: one partition from the first module, with a device of its own. */
#include <string.h>

#include "monitor/runtime.h"

/* Our own device: a 32-bit register that counts its reads (the guest sees 1, 2, 3...); a write sets it. */
#define COUNTER_GPA 0xfe000000ULL
static uint32_t counter;

static void counter_read(void *opaque, uint64_t offset, void *buf, unsigned len)
{
	uint32_t value = ++*(uint32_t *)opaque;

	memcpy(buf, (const uint8_t *)&value + offset, len); /* the bus keeps offset + len <= 4 */
}

static void counter_write(void *opaque, uint64_t offset, const void *buf, unsigned len)
{
	memcpy((uint8_t *)opaque + offset, buf, len);
}

static const struct mmio_device_ops counter_ops = {counter_read, counter_write};

static struct mb2_boot_info boot;
static struct io_bus io;
static struct mmio_bus mmio;
static struct uart16550 com1;
static struct debug_exit exit_port;
static struct line_sink out;
static struct emu_context emu;

static void print_line(void *opaque, const char *line, size_t len)
{
	(void)opaque;
	kprintf("%.*s\n", (int)len, line);
}

static void check(hv_status_t st, const char *what)
{
	if (st != HV_STATUS_SUCCESS)
		monitor_panic("%s: %s", what, hv_status_name(st));
}

void monitor_main(uint32_t mb2_magic, uint64_t mb2_info_phys)
{
	struct hv_partition *p;
	struct hv_vp *vp;
	struct module_args args;
	struct guest_ram ram;
	struct hv_exit e;
	const char *why = NULL;
	uint32_t status = 0;
	char err[160];

	kprintf("\ncustom monitor: built on the installed libhv\n");
	boot_setup(mb2_magic, mb2_info_phys, &boot); /* memory map, page allocator, -v/loglevel= */
	check(hv_init(&monitor_host_ops), "hv_init");
	const struct mb2_module *m = &boot.modules[0];
	if (!boot.nmodules ||
	    module_args_parse(m->cmdline, m->cmdline_len, &args, err, sizeof(err)))
		monitor_panic("the first module must be a guest: %s", boot.nmodules ? err : "none");

	/* RAM: one 2 MiB aligned block, GPA 0 up, less the PC hole; the only host memory it may get. */
	ram = (struct guest_ram){.size = args.mem_size};
	ram.hpa = page_alloc_pages(&monitor_pages, ram.size / HV_PAGE_SIZE, 512);
	ram.hva = monitor_host_ops.hpa_to_hva(ram.hpa);
	check(ram.hpa ? 0 : HV_STATUS_INSUFFICIENT_MEMORY, "guest RAM");
	check(hv_partition_create(&(struct hv_partition_config){args.name, 1}, &p), "partition");
	check(hv_partition_add_host_range(p, ram.hpa, ram.size), "host range");
	check(hv_gpa_map(p, 0, ram.hpa, GUEST_RAM_HOLE_START, HV_MAP_GPA_RWX), "low RAM");
	check(hv_gpa_map(p, GUEST_RAM_HOLE_END, ram.hpa + GUEST_RAM_HOLE_END,
	                 ram.size - GUEST_RAM_HOLE_END, HV_MAP_GPA_RWX),
	      "RAM");
	check(hv_vp_create(p, 0, &vp), "VP");
	if (elf64_guest_load(&ram, vp, (const void *)(uintptr_t)m->start, m->end - m->start,
	                     args.args, args.args_len, err, sizeof(err)))
		monitor_panic("%s: %s", args.name, err);

	/* Devices: COM1 and the exit port on the port bus, our counter on the MMIO bus. */
	line_sink_init(&out, args.name, print_line, NULL);
	uart16550_init(&com1, line_sink_tx, &out);
	if (io_bus_register(&io, 0x3f8, UART16550_PORT_COUNT, &uart16550_io_ops, &com1) ||
	    io_bus_register(&io, DEBUG_EXIT_PORT, DEBUG_EXIT_PORT_COUNT, &debug_exit_io_ops,
	                    &exit_port) ||
	    mmio_bus_register(&mmio, COUNTER_GPA, 4, &counter_ops, &counter))
		monitor_panic("cannot register the devices");
	emu_context_init(&emu, args.name);
	struct vp_emu_target target = {.vp = vp, .ram = &ram, .mmio = &mmio, .name = args.name};

	/* libhv finishes hypercalls and its own MSRs and CPUID leaves; the rest is ours. */
	while (!why && !debug_exit_requested(&exit_port, &status)) {
		check(hv_vp_run(vp, &e), "hv_vp_run");
		if (e.reason == HV_EXIT_IO && vp_port_io(vp, &io, &e))
			why = "string port I/O";
		else if (e.reason == HV_EXIT_CPUID)
			hv_vp_complete(vp, &e); /* libhv's filtered answer */
		else if (e.reason == HV_EXIT_MSR_READ || e.reason == HV_EXIT_MSR_WRITE)
			hv_vp_inject_exception(vp, 13, true, 0);
		else if (e.reason ==
		         HV_EXIT_MEMORY_ACCESS) /* no RAM there: MMIO, for the emulator */
			why = e.memory.mapped || e.memory.access == HV_ACCESS_EXECUTE ||
			              emu_mmio_exit(&emu, &vp_emu_ops, &target, e.memory.gpa) < 0
			          ? "a memory access outside RAM and MMIO"
			          : NULL;
		else if (e.reason != HV_EXIT_IO)
			why = hv_exit_reason_name(e.reason);
	}
	line_sink_flush(&out);
	if (why)
		kprintf("custom: %s stopped: %s at RIP %#llx\n", args.name, why,
		        (unsigned long long)e.rip);
	else
		kprintf("custom: %s exited with status %u\n", args.name, status);
	kprintf("custom: the counter stands at %u; %llu MMIO accesses emulated\n", counter,
	        (unsigned long long)emu.stats.emulated);
	exit_stats_print("custom:   ", hv_vp_stats(vp), false);
	hv_partition_delete(p);
	machine_exit(!why && status == 1 ? MACHINE_EXIT_SUCCESS : MACHINE_EXIT_FAILURE);
}
