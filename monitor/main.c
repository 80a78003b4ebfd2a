/* The example monitor: boots, detects the processor, and runs the multiboot2 modules side by side. */
#include <string.h>

#include <hv/hv.h>

#include "monitor/arch/boot.h"
#include "monitor/child.h"
#include "monitor/clock_source.h"
#include "monitor/cmdline.h"
#include "monitor/console.h"
#include "monitor/host_services.h"
#include "monitor/host_timer.h"
#include "monitor/lib/format.h"
#include "monitor/module_args.h"
#include "monitor/multiboot2.h"
#include "monitor/power.h"
#include "monitor/scheduler.h"
#include "monitor/summary.h"
#include "monitor/timing.h"

/* The boot page tables map the low 4 GiB 1:1 (entry.S): the allocator stays below. */
#define MAPPED_LIMIT (4ULL << 30)
#define INFO_MAX     (1U << 20)

static struct mb2_boot_info boot;
static struct child children[MB2_MAX_MODULES];
static struct child_expectation expectations[MB2_MAX_MODULES];

static void *identity(uint64_t hpa)
{
	return (void *)(uintptr_t)hpa;
}

static void parse_boot_info(uint32_t magic, uint64_t info_phys)
{
	uint32_t total_size;

	if (magic != MB2_BOOTLOADER_MAGIC)
		monitor_panic("not started by a multiboot2 loader (EAX %#x)", magic);
	memcpy(&total_size, identity(info_phys), sizeof(total_size));
	if (total_size < 16 || total_size > INFO_MAX)
		monitor_panic("multiboot2 information block of %u bytes: not believable",
		              total_size);
	if (mb2_parse(identity(info_phys), total_size, &boot))
		monitor_panic("multiboot2 information block: %s", boot.error);
}

/* Everything the page allocator must never hand out: low memory, us, the modules, the info block. */
static void init_memory(uint64_t info_phys)
{
	struct page_range reserved[3 + MB2_MAX_MODULES];
	size_t n = 0;

	reserved[n++] = (struct page_range){0, 1ULL << 20};
	reserved[n++] = (struct page_range){(uintptr_t)__monitor_start, (uintptr_t)__monitor_end};
	reserved[n++] = (struct page_range){info_phys, info_phys + boot.total_size};
	for (size_t i = 0; i < boot.nmodules; i++)
		reserved[n++] = (struct page_range){boot.modules[i].start, boot.modules[i].end};

	monitor_pages.phys_to_virt = identity;
	monitor_pages.max_addr = MAPPED_LIMIT;
	if (page_alloc_init(&monitor_pages, boot.regions, boot.nregions, reserved, n))
		monitor_panic("no usable memory in the multiboot2 memory map");
	kprintf("monitor: %zu MiB free for partitions and libhv\n",
	        page_alloc_free_count(&monitor_pages) >> 8);
}

static const char *yes_no(bool b)
{
	return b ? "yes" : "no";
}

static void print_capabilities(const struct hv_capabilities *c)
{
	kprintf("monitor: cpu: %s family %#x model %#x stepping %u%s%s\n", c->vendor_string,
	        c->family, c->model, c->stepping, c->brand[0] ? " - " : "", c->brand);
	if (c->vendor == HV_VENDOR_AMD && c->asid_count) /* SVM is there */
		kprintf("monitor: backend svm (AMD SVM revision %u): NPT %s, NRIP save %s, "
		        "decode assists %s, VMCB clean bits %s, flush by ASID %s, %u ASIDs, "
		        "1 GiB pages %s\n",
		        c->svm_revision, yes_no(c->nested_paging), yes_no(c->nrip_save),
		        yes_no(c->decode_assists), yes_no(c->vmcb_clean_bits),
		        yes_no(c->flush_by_asid), c->asid_count, yes_no(c->large_pages_1g));
	if (c->vendor == HV_VENDOR_INTEL && c->vmcs_revision) /* VMX is there */
		kprintf("monitor: backend vmx (Intel VMX, VMCS revision %#x): EPT %s, VPID %s, "
		        "unrestricted guest %s, EPT A/D %s, 1 GiB pages %s, preemption timer %s\n",
		        c->vmcs_revision, yes_no(c->nested_paging), yes_no(c->vpid),
		        yes_no(c->unrestricted_guest), yes_no(c->slat_ad_bits),
		        yes_no(c->large_pages_1g), yes_no(c->preemption_timer));
}

/*
 * One time source for every guest clock: the TSC, measured against the PIT. The host timer (the
 * local APIC's) is armed in TSC values, so it comes after.
 */
static void init_clock(void)
{
	uint64_t hz = clock_source_calibrate();
	enum host_timer_mode mode;

	if (hz)
		kprintf("monitor: TSC measured at %llu.%03llu MHz against the PIT\n",
		        (unsigned long long)(hz / 1000000), (unsigned long long)(hz / 1000 % 1000));
	else
		kprintf("monitor: the PIT did not answer: TSC assumed to run at 1 GHz\n");
	mode = host_timer_init(clock_source_tsc_hz());
	if (mode == HOST_TIMER_ONESHOT)
		kprintf("monitor: host timer: %s at %llu.%03llu MHz\n", host_timer_mode_name(mode),
		        (unsigned long long)(host_timer_count_hz() / 1000000),
		        (unsigned long long)(host_timer_count_hz() / 1000 % 1000));
	else
		kprintf("monitor: host timer: %s\n", host_timer_mode_name(mode));
	kprintf("monitor: time slice %llu ms\n", (unsigned long long)(SCHED_SLICE_NS / 1000000));
}

/* The scheduler's view of the children (monitor/scheduler.h): the TSC, slices, idling. */
static uint64_t sched_now(void *ctx)
{
	(void)ctx;
	return timing_cycles();
}

static struct sched_outcome sched_run_child(void *ctx, struct sched_entity *e, uint64_t end_tsc)
{
	struct child *c = e->opaque;
	struct sched_outcome out;

	(void)ctx;
	out = child_run_slice(c, end_tsc);
	if (out.state == SCHED_STOPPED) {
		/* Its RAM goes back at once: the others may still need pages (summary fields stay). */
		child_finish(c);
		child_destroy(c);
	}
	return out;
}

static void sched_idle(void *ctx, uint64_t until_tsc)
{
	(void)ctx;
	host_timer_idle_until(until_tsc);
}

static const struct sched_ops child_sched_ops = {
    .now = sched_now, .run_slice = sched_run_child, .idle = sched_idle};

static struct scheduler scheduler;

/* Every created child, side by side until each has stopped. */
static void run_children(size_t n)
{
	sched_init(&scheduler, &child_sched_ops, NULL, clock_source_tsc_hz());
	for (size_t i = 0; i < n; i++) {
		if (children[i].state != CHILD_READY)
			continue;
		child_start(&children[i]);
		if (sched_add(&scheduler, &children[i].sched, &children[i])) {
			child_stop(&children[i], "more partitions than the scheduler holds");
			child_destroy(&children[i]);
		}
	}
	sched_run(&scheduler);
	kprintf("monitor: scheduler: %llu slices, %llu cut short by a wake-up, idle %llu times "
	        "(%llu ms)\n",
	        (unsigned long long)scheduler.stats.switches,
	        (unsigned long long)scheduler.stats.preemptions,
	        (unsigned long long)scheduler.stats.idles,
	        (unsigned long long)(clock_ticks_to_ns(scheduler.stats.idle_tsc,
	                                               clock_source_tsc_hz()) /
	                             1000000));
}

static void init_hypervisor(void)
{
	struct hv_capabilities caps;
	hv_status_t st;

	hv_detect(&caps);
	print_capabilities(&caps);
	if (!caps.usable) {
		kprintf("monitor: cannot run partitions on this processor: %s\n", caps.refusal);
		machine_exit(MACHINE_EXIT_FAILURE);
	}
	st = hv_init(&monitor_host_ops);
	if (st != HV_STATUS_SUCCESS) {
		kprintf("monitor: hv_init failed: %s\n", hv_status_name(st));
		machine_exit(MACHINE_EXIT_FAILURE);
	}
	kprintf("monitor: hypervisor on (%s)\n", caps.backend);
}

/* Parse one module's command line; false (and a rejected child) when it is malformed. */
/* Every module's parsed line (or a parse failure), so that files can find their partition. */
static struct module_args module_lines[MB2_MAX_MODULES];
static bool module_ok[MB2_MAX_MODULES];

/* Parse every module line first; a malformed one makes a rejected child with the reason. */
static void parse_module_lines(size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const struct mb2_module *m = &boot.modules[i];
		struct module_args *args = &module_lines[i];
		char err[160];

		expectations[i] = (struct child_expectation){.exit_status = 1};
		module_ok[i] =
		    !module_args_parse(m->cmdline, m->cmdline_len, args, err, sizeof(err));
		if (!module_ok[i]) {
			struct child *c = &children[i];

			c->state = CHILD_REJECTED;
			fmt_snprintf(c->name, sizeof(c->name), "module%zu", i);
			fmt_snprintf(c->reason, sizeof(c->reason), "bad module line: %s", err);
			kprintf("monitor: module %zu (\"%s\") rejected: %s\n", i, m->cmdline, err);
			continue;
		}
		expectations[i].expect_stop = args->expect_stop;
		if (args->has_expect && !args->expect_stop)
			expectations[i].exit_status = args->expect_status;
	}
}

/*
 * The files handed to partition `name` with for=, in module order. Their string is the text after
 * "--" on their line (a multiboot loader would pass the path and arguments; GRUB's module2 keeps
 * only the arguments).
 */
static size_t files_for(const char *name, bool option_roms, struct multiboot1_module *out,
                        size_t max)
{
	size_t count = 0;

	for (size_t i = 0; i < boot.nmodules && count < max; i++) {
		const struct module_args *a = &module_lines[i];

		if (!module_ok[i] || !a->has_for || strcmp(a->for_name, name) ||
		    a->option_rom != option_roms || a->block_device)
			continue;
		out[count++] = (struct multiboot1_module){
		    .data = identity(boot.modules[i].start),
		    .size = boot.modules[i].end - boot.modules[i].start,
		    .string = a->args,
		    .string_len = a->args_len,
		};
	}
	return count;
}

/* The disk image handed to partition `name` with kind=block; a second one is reported and ignored. */
static bool disk_for(const char *name, struct child_disk *out)
{
	bool found = false;

	for (size_t i = 0; i < boot.nmodules; i++) {
		const struct module_args *a = &module_lines[i];

		if (!module_ok[i] || !a->has_for || !a->block_device || strcmp(a->for_name, name))
			continue;
		if (found) {
			kprintf("monitor: module %zu: partition %s has a block device already: "
			        "ignored\n",
			        i, name);
			continue;
		}
		*out = (struct child_disk){.data = identity(boot.modules[i].start),
		                           .size = boot.modules[i].end - boot.modules[i].start,
		                           .name = a->name[0] ? a->name : "disk"};
		found = true;
	}
	return found;
}

/* A file for= a partition that no module line creates is a mistake worth saying. */
static void check_files_have_partitions(size_t n)
{
	for (size_t i = 0; i < n; i++) {
		bool found = false;

		if (!module_ok[i] || !module_lines[i].has_for)
			continue;
		for (size_t j = 0; j < n; j++)
			found = found || (module_ok[j] && !module_lines[j].has_for &&
			                  !strcmp(module_lines[j].name, module_lines[i].for_name));
		kprintf("monitor: module %zu is a file for partition %s%s\n", i,
		        module_lines[i].for_name,
		        found ? "" : ", which no module creates: ignored");
	}
}

void monitor_main(uint32_t mb2_magic, uint64_t mb2_info_phys)
{
	static struct multiboot1_module files[MB2_MAX_MODULES];
	static struct multiboot1_module roms[MB2_MAX_MODULES];
	size_t n;
	bool ok;

	kprintf("\nlibhv monitor: a hypervisor library and the monitor built from it\n");
	parse_boot_info(mb2_magic, mb2_info_phys);
	cmdline_apply(boot.cmdline, boot.cmdline_len);
	init_memory(mb2_info_phys);
	init_clock();
	init_hypervisor();

	n = boot.nmodules;
	if (n == 0) {
		kprintf("monitor: no modules: nothing to run (add module2 lines to grub.cfg)\n");
		machine_exit(MACHINE_EXIT_FAILURE);
	}
	kprintf("monitor: %zu module(s)\n", n);
	parse_module_lines(n);
	check_files_have_partitions(n);
	for (size_t i = 0; i < n; i++) {
		const struct mb2_module *m = &boot.modules[i];
		size_t nfiles, nroms;
		struct child_disk disk;
		bool has_disk;

		if (!module_ok[i] || module_lines[i].has_for)
			continue;
		nfiles = files_for(module_lines[i].name, false, files, MB2_MAX_MODULES);
		nroms = files_for(module_lines[i].name, true, roms, MB2_MAX_MODULES);
		has_disk = disk_for(module_lines[i].name, &disk);
		child_create(&children[i], &module_lines[i], identity(m->start), m->end - m->start,
		             files, nfiles, roms, nroms, has_disk ? &disk : NULL);
	}
	run_children(n);
	ok = summary_print(children, expectations, n);
	machine_exit(ok ? MACHINE_EXIT_SUCCESS : MACHINE_EXIT_FAILURE);
}
