/* The VID worker of one child partition: creation from an image, the run loop and exit dispatch. */
#include <string.h>

#include "monitor/child.h"
#include "monitor/synic_echo.h"
#include "monitor/platform_msr.h"
#include "monitor/vp_emu.h"
#include "monitor/clock_source.h"
#include "monitor/console.h"
#include "monitor/host_services.h"
#include "monitor/host_timer.h"
#include "monitor/lib/errno.h"
#include "monitor/lib/format.h"
#include "monitor/loader/elf64.h"
#include "monitor/loader/elf64_start.h"
#include "monitor/loader/guest_start.h"
#include "monitor/loader/multiboot1.h"
#include "monitor/loader/multiboot1_start.h"
#include "rom/rom.h"
#include "monitor/timing.h"

#define CPUID1_EDX_APIC         (1U << 9)
#define CPUID1_ECX_X2APIC       (1U << 21)
#define CPUID1_ECX_TSC_DEADLINE (1U << 24)
#define RFLAGS_IF               (1ULL << 9)
#define BSP                     0U /* one VP per partition for now */

static void console_emit(void *opaque, const char *line, size_t len)
{
	(void)opaque;
	console_write(line, len);
	console_write("\n", 1);
}

/* Record how the child ended (stopped or rejected) and say so on the console, naming it. */
static void end_child(struct child *c, enum child_state state, const char *fmt, va_list ap)
{
	fmt_vsnprintf(c->reason, sizeof(c->reason), fmt, ap);
	c->state = state;
	kprintf("monitor: partition %s %s: %s\n", c->name,
	        state == CHILD_REJECTED ? "rejected" : "stopped", c->reason);
}

void child_stop(struct child *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	end_child(c, CHILD_STOPPED, fmt, ap);
	va_end(ap);
}

static void reject(struct child *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void reject(struct child *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	end_child(c, CHILD_REJECTED, fmt, ap);
	va_end(ap);
}

static int copy_to_guest(void *ctx, uint64_t gpa, const void *src, size_t len)
{
	return guest_ram_write(ctx, gpa, src, len);
}

static int zero_guest(void *ctx, uint64_t gpa, size_t len)
{
	return guest_ram_zero(ctx, gpa, len);
}

/* RAM from GPA 0 to mem, less the PC hole: the legacy video and ROM area above 640 KiB. */
static int setup_devices(struct child *c, const struct module_args *args)
{
	const struct platform_config cfg = {
	    .name = c->name,
	    .ram_size = args->mem_size,
	    .cpu_count = 1,
	    .epoch_seconds = clock_source_epoch_seconds(),
	    .clock = clock_source_clock(),
	    .console_tx = line_sink_tx,
	    .console_opaque = &c->console,
	};

	if (line_sink_init(&c->console, c->name, console_emit, NULL) ||
	    platform_init(&c->platform, &cfg))
		return -EINVAL;
	emu_context_init(&c->emu, c->name);
	platform_msrs_init(&c->msrs);
	/* The local APIC's MSRs (x2APIC, TSC deadline, APIC base) reach the partition's own APIC. */
	platform_msrs_attach(&c->msrs, &c->platform);
	c->emu_target = (struct vp_emu_target){
	    .ram = &c->ram, .mmio = &c->platform.mmio, .io = &c->platform.io, .name = c->name};
	return 0;
}

static void free_resources(struct child *c)
{
	/* Before the partition: the manager deletes its ports and stops using the child's RAM. */
	vmbus_destroy(c->vmbus);
	c->vmbus = NULL;
	if (c->partition)
		hv_partition_delete(c->partition);
	c->partition = NULL;
	c->vp = NULL;
	if (c->ram.hpa)
		page_alloc_free(&monitor_pages, c->ram.hpa, c->ram.size / HV_PAGE_SIZE);
	c->ram.hpa = 0;
	c->ram.hva = NULL;
}

/* Every partition is offered the console VSP; with a disk image also the block VSP. */
static int setup_channels(struct child *c, const struct child_disk *disk)
{
	const struct vmbus_config cfg = {.partition = c->partition,
	                                 .vp = c->vp,
	                                 .name = c->name,
	                                 .hpa_to_hva = monitor_host_ops.hpa_to_hva};

	c->vmbus = vmbus_create(&monitor_pages, &cfg);
	if (!c->vmbus || vmbus_add_console(c->vmbus, &c->console))
		return -ENOMEM;
	if (disk && vmbus_add_block(c->vmbus, disk->data, disk->size, disk->name))
		return -ENOMEM;
	return vmbus_attach(c->vmbus) ? -EIO : 0;
}

/*
 * RAM from GPA 0 to mem, less the PC hole, and the ROM at 0xC0000-0xFFFFF read+execute: reads
 * and fetches cost no exit, writes exit and are discarded (rom/rom_device.c).
 */
static hv_status_t map_ram(struct child *c)
{
	const uint32_t rwx = HV_MAP_GPA_RWX;
	const uint32_t rx = HV_MAP_GPA_READABLE | HV_MAP_GPA_EXECUTABLE;
	hv_status_t st;

	/* The guest's RAM block is all it may ever be given: libhv refuses anything else. */
	st = hv_partition_add_host_range(c->partition, c->ram.hpa, c->ram.size);
	if (st == HV_STATUS_SUCCESS)
		st = hv_gpa_map(c->partition, 0, c->ram.hpa, GUEST_RAM_HOLE_START, rwx);
	if (st == HV_STATUS_SUCCESS)
		st = hv_gpa_map(c->partition, ROM_BIOS_GPA, c->ram.hpa + ROM_BIOS_GPA,
		                ROM_BIOS_SIZE, rx);
	if (st == HV_STATUS_SUCCESS && c->ram.size > GUEST_RAM_HOLE_END)
		st = hv_gpa_map(c->partition, GUEST_RAM_HOLE_END, c->ram.hpa + GUEST_RAM_HOLE_END,
		                c->ram.size - GUEST_RAM_HOLE_END, rwx);
	return st;
}

/*
 * The BIOS area: a reset vector and the ACPI tables, built for this partition, and the option
 * ROMs handed to it (kind=optionrom), each checked before it is placed.
 */
static int build_rom(struct child *c, const struct multiboot1_module *roms, size_t nroms, char *err,
                     size_t errlen)
{
	const struct rom_config cfg = {.nvps = 1, .io_apic_id = 0};
	uint8_t *image =
	    c->ram.hva + ROM_BIOS_GPA; /* the hole is not guest RAM: no guest_ram_ptr */
	uint32_t next = ROM_OPTION_GPA, placed;

	if (rom_build_bios(image, ROM_BIOS_SIZE, &cfg)) {
		fmt_snprintf(err, errlen, "the BIOS image does not build");
		return -EINVAL;
	}
	for (size_t i = 0; i < nroms; i++) {
		if (rom_place_option(image, ROM_BIOS_SIZE, roms[i].data, roms[i].size, &next,
		                     &placed, err, errlen))
			return -ENOEXEC;
		kprintf("monitor: partition %s: option ROM %zu placed at %#x\n", c->name, i,
		        placed);
	}
	rom_device_init(&c->rom, image, ROM_BIOS_SIZE);
	return mmio_bus_register(&c->platform.mmio, ROM_BIOS_GPA, ROM_BIOS_SIZE, &rom_device_ops,
	                         &c->rom);
}

/* A multiboot v1 kernel, started as a multiboot loader starts it (docs/guest-images.md). */
static int load_multiboot1(struct child *c, const struct module_args *args, const void *image,
                           size_t image_size, const struct multiboot1_module *modules,
                           size_t nmodules, char *err, size_t errlen)
{
	struct multiboot1_image mb;
	struct multiboot1_boot boot;
	struct multiboot1_info_config cfg;
	int rc;

	rc = multiboot1_inspect(image, image_size, &mb, err, errlen);
	if (!rc)
		rc = multiboot1_load(&mb, image, image_size, GUEST_START_LOAD_MIN, c->ram.size,
		                     copy_to_guest, zero_guest, &c->ram, err, errlen);
	if (rc)
		return rc;
	cfg = (struct multiboot1_info_config){
	    .mem_size = c->ram.size,
	    .kernel_end = mb.load_end,
	    .cmdline = args->args,
	    .cmdline_len = args->args_len,
	    .modules = modules,
	    .nmodules = nmodules,
	};
	rc = multiboot1_info_build(&cfg, copy_to_guest, zero_guest, &c->ram, &boot, err, errlen);
	if (!rc && multiboot1_start_prepare(&c->ram, c->vp, mb.entry, boot.ebx)) {
		fmt_snprintf(err, errlen, "libhv refused the 32-bit start state");
		rc = -EINVAL;
	}
	return rc;
}

/* A purpose-built ELF64 guest, started in long mode (monitor/loader/guest_start.h). */
static int load_elf64(struct child *c, const struct module_args *args, const void *image,
                      size_t image_size, char *err, size_t errlen)
{
	struct elf64_image elf;
	int rc;

	rc = elf64_inspect(image, image_size, &elf, err, errlen);
	if (!rc)
		rc = elf64_load(&elf, image, image_size, GUEST_START_LOAD_MIN, c->ram.size,
		                copy_to_guest, zero_guest, &c->ram, err, errlen);
	if (!rc && elf64_start_prepare(&c->ram, c->vp, elf.entry, args->args, args->args_len)) {
		fmt_snprintf(err, errlen, "libhv refused the long-mode start state");
		rc = -EINVAL;
	}
	return rc;
}

/* libhv's SynIC and synthetic timers raise their vectors in this partition's local APIC. */
static void assert_interrupt(void *opaque, uint32_t vp_index, uint8_t vector, bool auto_eoi)
{
	struct child *c = opaque;

	platform_assert_vector(&c->platform, vp_index, vector, auto_eoi);
}

int child_create(struct child *c, const struct module_args *args, const void *image,
                 size_t image_size, const struct multiboot1_module *modules, size_t nmodules,
                 const struct multiboot1_module *option_roms, size_t nroms,
                 const struct child_disk *disk)
{
	struct hv_partition_config config = {.name = args->name, .max_vps = 1};
	bool multiboot = multiboot1_is_image(image, image_size);
	struct elf64_image elf;
	char err[160];
	hv_status_t st;
	int rc;

	memset(c, 0, sizeof(*c));
	memcpy(c->name, args->name, sizeof(c->name));
	c->name[sizeof(c->name) - 1] = '\0';

	/* Refuse a bad image before any memory is spent on it. */
	if (!multiboot && elf64_inspect(image, image_size, &elf, err, sizeof(err))) {
		reject(c, "not a loadable guest image (neither multiboot v1 nor ELF64): %s", err);
		return -ENOEXEC;
	}
	if (!multiboot && nmodules)
		kprintf("monitor: partition %s: %zu file(s) given with for= are ignored: only "
		        "multiboot "
		        "v1 kernels receive files\n",
		        c->name, nmodules);
	if (setup_devices(c, args)) {
		reject(c, "cannot set up its devices");
		return -EINVAL;
	}

	/* One contiguous, 2 MiB aligned block, so that libhv can map most of it with large pages. */
	c->ram.size = args->mem_size;
	c->ram.hpa = page_alloc_pages(&monitor_pages, c->ram.size / HV_PAGE_SIZE, 512);
	if (!c->ram.hpa) {
		reject(c, "not enough host memory for mem=%llu MiB",
		       (unsigned long long)(c->ram.size >> 20));
		return -ENOMEM;
	}
	c->ram.hva = monitor_host_ops.hpa_to_hva(c->ram.hpa);

	st = hv_partition_create(&config, &c->partition);
	if (st == HV_STATUS_SUCCESS)
		st = map_ram(c);
	if (st == HV_STATUS_SUCCESS)
		st = hv_vp_create(c->partition, 0, &c->vp);
	c->irq_target =
	    (struct hv_interrupt_target){.assert_interrupt = assert_interrupt, .opaque = c};
	if (st == HV_STATUS_SUCCESS)
		st = hv_partition_set_interrupt_target(c->partition, &c->irq_target);
	/* The local APIC's timer input, which the TLFS's APIC_FREQUENCY MSR reports. */
	if (st == HV_STATUS_SUCCESS)
		st = hv_partition_set_apic_frequency(c->partition, LAPIC_BUS_HZ);
	/* A SynIC echo service every partition can reach (the enlightened guest's round trip). */
	if (st == HV_STATUS_SUCCESS && synic_echo_attach(c->partition, c->vp))
		st = HV_STATUS_OPERATION_FAILED;
	c->emu_target.vp = c->vp;
	if (st != HV_STATUS_SUCCESS) {
		free_resources(c);
		reject(c, "libhv refused to build it: %s", hv_status_name(st));
		return -ENOMEM;
	}
	if (setup_channels(c, disk)) {
		free_resources(c);
		reject(c, "cannot set up its channels (not enough host memory for its disk?)");
		return -ENOMEM;
	}
	if (build_rom(c, option_roms, nroms, err, sizeof(err))) {
		free_resources(c);
		reject(c, "its ROM: %s", err);
		return -EINVAL;
	}
	rc = multiboot
	         ? load_multiboot1(c, args, image, image_size, modules, nmodules, err, sizeof(err))
	         : load_elf64(c, args, image, image_size, err, sizeof(err));
	if (rc) {
		free_resources(c);
		reject(c, "%s image does not load into mem=%llu MiB: %s",
		       multiboot ? "multiboot v1" : "ELF64",
		       (unsigned long long)(c->ram.size >> 20), err);
		return -ENOEXEC;
	}
	c->state = CHILD_READY;
	return 0;
}

/* An unclaimed port is answered like an empty bus and logged once per port. */
static void note_unclaimed(struct child *c, const struct hv_exit *e)
{
	for (uint32_t i = 0; i < c->nlogged_ports; i++)
		if (c->logged_ports[i] == e->io.port)
			return;
	if (c->nlogged_ports == CHILD_LOGGED_PORTS_MAX)
		return;
	c->logged_ports[c->nlogged_ports++] = e->io.port;
	kprintf("monitor: partition %s: %s of %u byte(s) at unclaimed port %#x (RIP %#llx)%s\n",
	        c->name, e->io.is_write ? "write" : "read", e->io.size, e->io.port,
	        (unsigned long long)e->rip,
	        c->nlogged_ports == CHILD_LOGGED_PORTS_MAX ? "; further ports are not logged" : "");
}

static void handle_io(struct child *c, struct hv_exit *e)
{
	uint32_t status;

	if (e->io.is_string) {
		/* INS/OUTS: the emulator walks the guest's memory and drives the port bus. */
		int rc = emu_port_string_exit(&c->emu, &vp_emu_ops, &c->emu_target);

		if (rc < 0)
			child_stop(
			    c, "string port I/O at port %#x, RIP %#llx could not be emulated (%d)",
			    e->io.port, (unsigned long long)e->rip, rc);
		else if (debug_exit_requested(&c->platform.debug_exit, &status)) {
			c->exited = true;
			c->exit_status = status;
			c->state = CHILD_STOPPED;
		}
		return;
	}
	if (e->io.is_write) {
		if (!io_bus_write(&c->platform.io, e->io.port, e->io.size, e->io.value))
			note_unclaimed(c, e);
	} else if (!io_bus_read(&c->platform.io, e->io.port, e->io.size, &e->io.value)) {
		e->io.value = io_bus_unclaimed_value(e->io.size);
		note_unclaimed(c, e);
	}
	if (debug_exit_requested(&c->platform.debug_exit, &status)) {
		c->exited = true;
		c->exit_status = status;
		c->state = CHILD_STOPPED;
		return;
	}
	if (hv_vp_complete(c->vp, e) != HV_STATUS_SUCCESS)
		child_stop(c, "port I/O at RIP %#llx could not be completed",
		           (unsigned long long)e->rip);
}

static const char *access_name(uint8_t access)
{
	return access == HV_ACCESS_EXECUTE ? "execute"
	       : access == HV_ACCESS_WRITE ? "write"
	                                   : "read";
}

/*
 * A data access where no RAM is mapped, or a write to a device's read-only mapping (the ROM), is
 * emulated against the device bus (unclaimed addresses read all ones). Running code where there
 * is no RAM, page tables there, and writes to other read-only RAM stop the partition.
 */
static void handle_memory_access(struct child *c, const struct hv_exit *e)
{
	int rc;

	if (e->memory.access != HV_ACCESS_EXECUTE && !e->memory.during_guest_walk &&
	    (!e->memory.mapped || mmio_bus_claims(&c->platform.mmio, e->memory.gpa, 1))) {
		struct emu_fault fault = {.gpa = e->memory.gpa,
		                          .gva = e->memory.gva,
		                          .gva_valid = e->memory.gva_valid,
		                          .access = e->memory.access};

		rc = emu_mmio_exit_fault(&c->emu, &vp_emu_ops, &c->emu_target, &fault);
		if (rc < 0)
			child_stop(
			    c,
			    "the MMIO access to GPA %#llx at RIP %#llx could not be emulated (%d)",
			    (unsigned long long)e->memory.gpa, (unsigned long long)e->rip, rc);
		return;
	}
	child_stop(c, "%s access to GPA %#llx %s at RIP %#llx%s", access_name(e->memory.access),
	           (unsigned long long)e->memory.gpa,
	           e->memory.mapped ? "(not permitted there)" : "(no RAM there)",
	           (unsigned long long)e->rip,
	           e->memory.during_guest_walk ? ", during its page-table walk" : "");
}

static void handle_msr(struct child *c, struct hv_exit *e)
{
	bool read = e->reason == HV_EXIT_MSR_READ;
	int rc = read ? platform_msr_read(&c->msrs, e->msr.index, &e->msr.value)
	              : platform_msr_write(&c->msrs, e->msr.index, e->msr.value);

	if (!rc) {
		hv_vp_complete(c->vp, e);
		return;
	}
	/* An MSR the platform lacks, or a value it refuses: #GP(0), as on hardware. */
	kprintf("monitor: partition %s: %s of MSR %#x%s at RIP %#llx: #GP injected\n", c->name,
	        read ? "RDMSR" : "WRMSR", e->msr.index,
	        rc == -ENOENT ? " (not on this platform)" : " (value refused)",
	        (unsigned long long)e->rip);
	hv_vp_inject_exception(c->vp, 13, true, 0);
}

/*
 * CPUID as libhv filtered it, plus what this platform adds: the local APIC it models, with its
 * x2APIC MSRs and TSC-deadline timer (devices/lapic.c).
 */
static void handle_cpuid(struct child *c, struct hv_exit *e)
{
	if (e->cpuid.leaf == 1) {
		e->cpuid.edx |= CPUID1_EDX_APIC;
		e->cpuid.ecx |= CPUID1_ECX_X2APIC | CPUID1_ECX_TSC_DEADLINE;
		e->cpuid.ebx &= 0x00ffffffU; /* initial APIC ID 0 */
	}
	hv_vp_complete(c->vp, e);
}

static bool guest_interrupts_enabled(struct child *c)
{
	const uint32_t name = HV_X64_REGISTER_RFLAGS;
	union hv_register_value v = {0};

	return hv_vp_get_registers(c->vp, &name, 1, &v) == HV_STATUS_SUCCESS &&
	       (v.reg64 & RFLAGS_IF);
}

/*
 * HLT: the VP gives the CPU away until an interrupt. With interrupts off only an NMI could wake
 * it, and nothing on this platform sends one unasked: that is a guest that has ended (or hung),
 * and it is stopped rather than kept blocked for ever.
 */
static void handle_hlt(struct child *c, struct hv_exit *e)
{
	if (hv_vp_complete(c->vp, e) != HV_STATUS_SUCCESS) {
		child_stop(c, "HLT at RIP %#llx could not be completed",
		           (unsigned long long)e->rip);
		return;
	}
	if (!guest_interrupts_enabled(c)) {
		if (platform_take_nmi(&c->platform, BSP) &&
		    hv_vp_inject_nmi(c->vp) == HV_STATUS_SUCCESS) {
			c->nmis++;
			return; /* the NMI wakes it at once */
		}
		child_stop(c, "HLT with interrupts disabled at RIP %#llx: nothing can wake it",
		           (unsigned long long)e->rip);
		return;
	}
	c->halted = true;
}

static void handle_exit(struct child *c, struct hv_exit *e)
{
	switch (e->reason) {
	case HV_EXIT_IO: handle_io(c, e); break;
	case HV_EXIT_CPUID: handle_cpuid(c, e); break;
	case HV_EXIT_MSR_READ:
	case HV_EXIT_MSR_WRITE: handle_msr(c, e); break;
	case HV_EXIT_MEMORY_ACCESS: handle_memory_access(c, e); break;
	case HV_EXIT_HLT: handle_hlt(c, e); break;
	case HV_EXIT_INTERRUPT_WINDOW:
		c->window_wanted = false; /* libhv dropped the request with this exit */
		break;
	case HV_EXIT_INTERRUPT_ASSERTED:
	case HV_EXIT_DEADLINE: break; /* the next round of the loop looks at the controllers */
	case HV_EXIT_SHUTDOWN:
		child_stop(c, "triple fault (shutdown) at RIP %#llx", (unsigned long long)e->rip);
		break;
	case HV_EXIT_INVALID_STATE:
		child_stop(c, "the processor refused to enter it (error %#x): %s", e->invalid.error,
		           e->invalid.detail ? e->invalid.detail : "no detail");
		break;
	default:
		child_stop(c, "unhandled exit %s (code %#llx, info %#llx/%#llx) at RIP %#llx",
		           hv_exit_reason_name(e->reason), (unsigned long long)e->vendor_code,
		           (unsigned long long)e->unsupported.info1,
		           (unsigned long long)e->unsupported.info2, (unsigned long long)e->rip);
		break;
	}
}

/*
 * Keep the local APIC's TPR and the VP's CR8 in step (CR8 is TPR[7:4]): the guest may write
 * either. Before an entry the APIC's value goes to CR8 when it changed; after an exit a CR8 that
 * differs from what was written is the guest's MOV to CR8, and goes to the APIC.
 */
static void tpr_to_cr8(struct child *c)
{
	const uint32_t name = HV_X64_REGISTER_CR8;
	uint8_t cr8 = (uint8_t)(platform_tpr(&c->platform, BSP) >> 4);
	union hv_register_value v = {.reg64 = cr8};

	if (c->cr8_unavailable || cr8 == c->cr8)
		return;
	if (hv_vp_set_registers(c->vp, &name, 1, &v) == HV_STATUS_SUCCESS)
		c->cr8 = cr8;
	else
		c->cr8_unavailable = true;
}

static void cr8_to_tpr(struct child *c)
{
	const uint32_t name = HV_X64_REGISTER_CR8;
	union hv_register_value v = {0};

	if (c->cr8_unavailable)
		return;
	if (hv_vp_get_registers(c->vp, &name, 1, &v) != HV_STATUS_SUCCESS) {
		c->cr8_unavailable = true;
		return;
	}
	if ((uint8_t)(v.reg64 & 0xF) != c->cr8) {
		c->cr8 = (uint8_t)(v.reg64 & 0xF);
		platform_set_tpr(&c->platform, BSP, (uint8_t)(c->cr8 << 4));
	}
}

static void want_window(struct child *c, bool on)
{
	if (c->window_wanted != on)
		hv_vp_request_interrupt_window(c->vp, on);
	c->window_wanted = on;
}

/*
 * Hand the controllers' pending events to libhv: an NMI, then the highest vector when the VP can
 * take it now, else an interrupt-window request. True when an event is on its way into the VP
 * (what wakes a halted VP).
 */
static bool deliver_events(struct child *c)
{
	bool given = false;
	int vector;

	if (platform_take_nmi(&c->platform, BSP) && hv_vp_inject_nmi(c->vp) == HV_STATUS_SUCCESS) {
		c->nmis++;
		given = true;
	}
	vector = platform_pending_vector(&c->platform, BSP);
	if (vector < 0) {
		want_window(c, false);
		return given;
	}
	/* A halted VP wakes for a maskable interrupt only when it has interrupts on. */
	if (c->halted && !given && !guest_interrupts_enabled(c))
		return false;
	if (!hv_vp_interrupt_ready(c->vp)) {
		want_window(c, true);
		return true;
	}
	want_window(c, false);
	platform_vector_taken(&c->platform, BSP, (uint8_t)vector);
	if (hv_vp_inject_interrupt(c->vp, (uint8_t)vector) == HV_STATUS_SUCCESS) {
		c->injected++;
		return true;
	}
	/* Vectors 0-31 are exceptions: a controller programmed there (a PIC left at the BIOS's
	 * base 8) cannot deliver; the interrupt is lost, as the guest asked for, and said once. */
	if (!c->low_vector_logged)
		kprintf(
		    "monitor: partition %s: interrupt vector %d is an exception vector: dropped\n",
		    c->name, vector);
	c->low_vector_logged = true;
	return given;
}

/* How long a vector waiting for an interrupt window may wait before the monitor looks again. */
#define WINDOW_RECHECK_NS 1000000ULL

/* The TSC at which the partition's next virtual timer is due; SCHED_WAKE_NEVER for none. */
static uint64_t next_event_tsc(struct child *c)
{
	uint64_t ns = platform_next_event_ns(&c->platform);
	uint64_t tsc = ns == UINT64_MAX ? SCHED_WAKE_NEVER : clock_source_ns_to_tsc(ns);
	uint64_t synthetic = hv_vp_next_timer_tsc(c->vp); /* libhv's STIMERs, 0 for none */

	return synthetic && synthetic < tsc ? synthetic : tsc;
}

static struct sched_outcome outcome(enum sched_state state, uint64_t wake_tsc)
{
	return (struct sched_outcome){.state = state, .wake_tsc = wake_tsc};
}

/* Halted with nothing to deliver: sleep until its next timer, or stop when none can come. */
static struct sched_outcome block(struct child *c)
{
	uint64_t wake = next_event_tsc(c);

	if (wake == SCHED_WAKE_NEVER) {
		child_stop(c, "HLT with nothing to wake it (no timer armed, no interrupt pending)");
		return outcome(SCHED_STOPPED, 0);
	}
	c->halts++;
	return outcome(SCHED_BLOCKED, wake);
}

void child_start(struct child *c)
{
	kprintf("monitor: starting partition %s (%llu MiB)\n", c->name,
	        (unsigned long long)(c->ram.size >> 20));
}

struct sched_outcome child_run_slice(struct child *c, uint64_t end_tsc)
{
	uint64_t start = timing_cycles();
	struct sched_outcome out = outcome(SCHED_STOPPED, 0);
	struct hv_exit exit;

	c->slices++;
	while (c->state == CHILD_READY) {
		uint64_t deadline = end_tsc, timer;
		hv_status_t st;

		platform_set_current_cpu(&c->platform, BSP);
		platform_poll(&c->platform);
		/* A halted VP's synthetic timers fire here; a running one's inside hv_vp_run. */
		if (c->halted)
			hv_vp_poll_timers(c->vp);
		if (deliver_events(c))
			c->halted = false;
		if (c->halted) {
			out = block(c);
			break;
		}
		/* Stop at the slice's end, or earlier when a virtual timer is due. */
		timer = next_event_tsc(c);
		if (timer < deadline)
			deadline = timer;
		/*
		 * While a vector waits for the guest's interrupt window, look again after at most
		 * WINDOW_RECHECK_NS even if the processor never reports the window (Bochs 2.7's SVM
		 * does not exit for V_IRQ at a guest's STI): the vector is then late by that much,
		 * not by the rest of the slice. A guest that keeps interrupts off costs one exit per
		 * period, nothing more.
		 */
		if (c->window_wanted) {
			uint64_t recheck =
			    timing_cycles() +
			    clock_ns_to_ticks(WINDOW_RECHECK_NS, clock_source_tsc_hz());

			if (recheck < deadline)
				deadline = recheck;
		}
		hv_vp_set_deadline(c->vp, deadline ? deadline : 1);
		tpr_to_cr8(c);
		st = hv_vp_run(c->vp, &exit);
		if (st != HV_STATUS_SUCCESS) {
			child_stop(c, "hv_vp_run failed: %s", hv_status_name(st));
			break;
		}
		cr8_to_tpr(c);
		handle_exit(c, &exit);
		/* Answers to its channel messages that waited for a free slot (after its EOM). */
		vmbus_poll(c->vmbus);
		/* The slice is over: by its deadline exit, or by any exit that came after it. */
		if (c->state == CHILD_READY && !c->halted && timing_cycles() >= end_tsc) {
			out = outcome(SCHED_RUNNABLE, 0);
			break;
		}
	}
	c->tsc_cycles += timing_cycles() - start;
	return out;
}

void child_finish(struct child *c)
{
	line_sink_flush(&c->console);
	if (c->vp)
		c->stats = *hv_vp_stats(c->vp);
	vmbus_get_stats(c->vmbus, &c->vmbus_stats);
	if (c->exited)
		kprintf("monitor: partition %s exited with status %u\n", c->name, c->exit_status);
}

void child_run(struct child *c)
{
	struct sched_outcome out = {.state = SCHED_RUNNABLE};

	child_start(c);
	while (out.state != SCHED_STOPPED) {
		if (out.state == SCHED_BLOCKED)
			host_timer_idle_until(out.wake_tsc);
		out = child_run_slice(
		    c, timing_cycles() + clock_ns_to_ticks(SCHED_SLICE_NS, clock_source_tsc_hz()));
	}
	child_finish(c);
}

void child_destroy(struct child *c)
{
	free_resources(c);
}
