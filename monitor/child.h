/* A child partition as the monitor runs it (the VID's worker): RAM, devices, lifecycle, exits. */
#ifndef MONITOR_CHILD_H
#define MONITOR_CHILD_H

#include <hv/hv.h>

#include "devices/line_sink.h"
#include "devices/platform.h"
#include "emulator/emu.h"
#include "monitor/guest_ram.h"
#include "monitor/platform_msr.h"
#include "monitor/vp_emu.h"
#include "monitor/loader/multiboot1_info.h"
#include "rom/rom_device.h"
#include "monitor/module_args.h"
#include "monitor/scheduler.h"
#include "monitor/vmbus.h"

#define CHILD_REASON_MAX       160U
#define CHILD_LOGGED_PORTS_MAX 16U

enum child_state {
	CHILD_EMPTY = 0,
	CHILD_READY,   /* created and loaded: can run */
	CHILD_STOPPED, /* ended: by its own exit, or stopped by the monitor */
	CHILD_REJECTED /* never started: the image or its arguments were refused */
};

struct child {
	enum child_state state;
	char name[MODULE_NAME_MAX + 1];
	struct guest_ram ram;
	struct hv_partition *partition;
	struct hv_vp *vp;

	/* The platform (pc-lite, devices/platform.c) and COM1's lines on the monitor console. */
	struct platform platform;
	struct line_sink console;
	struct emu_context emu;          /* MMIO instruction emulation (the VID's job) */
	struct vp_emu_target emu_target; /* what the emulator reaches: the VP, RAM, the MMIO bus */
	struct rom_device rom;     /* 0xC0000-0xFFFFF: reads are RAM, writes are dropped here */
	struct platform_msrs msrs; /* APIC base, MTRRs, ... (monitor/platform_msr.c) */
	struct vmbus *vmbus;       /* its channels to the monitor's VSPs (docs/channels.md) */

	/* How it ended. */
	bool exited;                   /* through the debug-exit port: exit_status is valid */
	uint32_t exit_status;          /* (V << 1) | 1 */
	char reason[CHILD_REASON_MAX]; /* why the monitor stopped it (when !exited) */

	/* Running side by side (monitor/scheduler.h): its slot in the scheduler, and its events. */
	struct sched_entity sched;
	struct hv_interrupt_target irq_target; /* libhv's SynIC raises vectors through this */
	bool halted;          /* in HLT (completed): waits for an interrupt before it runs on */
	bool window_wanted;   /* an interrupt-window exit is requested */
	uint8_t cr8;          /* CR8 as last written to or read from the VP (TPR >> 4) */
	bool cr8_unavailable; /* libhv does not expose CR8: the TPR is not kept in step */
	bool low_vector_logged;

	/* What the summary reports. */
	struct hv_vp_stats stats;
	uint64_t tsc_cycles;            /* host TSC cycles of CPU time: inside its slices */
	uint64_t slices;                /* slices it ran in */
	uint64_t halts;                 /* HLTs that gave the CPU away */
	uint64_t injected;              /* external interrupts injected */
	uint64_t nmis;                  /* NMIs injected */
	struct vmbus_stats vmbus_stats; /* what moved through its channels */

	/* Unclaimed ports are logged once each (then silently answered). */
	uint16_t logged_ports[CHILD_LOGGED_PORTS_MAX];
	uint32_t nlogged_ports;
};

/* A disk image handed to a partition with kind=block: its synthetic block device's contents. */
struct child_disk {
	const void *data;
	size_t size;
	const char *name; /* the module's name, for the channel's */
};

/*
 * Create a partition from a guest image: allocate `args->mem_size` of RAM, map it, build its ROM,
 * placing `option_roms` in it (from 0xC0000, each checked: signature, length, checksum), load the
 * image (a multiboot v1 kernel, given `modules` as its own, or an ELF64 guest), build
 * its start state and its devices. On failure the child is CHILD_REJECTED with `reason` saying
 * why; nothing of it stays allocated.
 */
int child_create(struct child *c, const struct module_args *args, const void *image,
                 size_t image_size, const struct multiboot1_module *modules, size_t nmodules,
                 const struct multiboot1_module *option_roms, size_t nroms,
                 const struct child_disk *disk);

/* Say on the console that the child starts (before its first slice). */
void child_start(struct child *c);

/*
 * Run the child for one time slice: deliver its pending interrupts, enter it with a deadline at
 * `end_tsc` or at its next virtual timer, whichever is first, handle its exits, until the slice
 * ends (SCHED_RUNNABLE), it halts with nothing to deliver (SCHED_BLOCKED, wake_tsc = its next
 * timer event), or it stops (SCHED_STOPPED: then child_finish()).
 */
struct sched_outcome child_run_slice(struct child *c, uint64_t end_tsc);

/* The child has stopped: flush its console, keep its counters, say how it exited. */
void child_finish(struct child *c);

/* Run the child alone until it stops (slices back to back, idling while it halts). */
void child_run(struct child *c);

/* Free the partition and its RAM (the summary fields stay). */
void child_destroy(struct child *c);

/* Mark the child stopped with a reason (printf-like), logged on the console with its name. */
void child_stop(struct child *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
