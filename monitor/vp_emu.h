/* struct emu_ops for any monitor: one VP's registers through libhv, its guest_ram, and an MMIO bus. */
#ifndef MONITOR_VP_EMU_H
#define MONITOR_VP_EMU_H

#include <hv/hv.h>

#include "devices/io_bus.h"
#include "devices/mmio_bus.h"
#include "emulator/emu.h"
#include "monitor/guest_ram.h"

/*
 * What the emulator works on: pass a pointer to one of these as the opaque argument of
 * emu_mmio_exit(&ctx, &vp_emu_ops, &target, gpa). The fields are the caller's and must outlive
 * the call. RAM operands and guest page tables go through guest_ram_ptr(), device accesses to
 * `mmio`; unclaimed MMIO reads all ones and drops writes, as on a PC, with a log line for the
 * first VP_EMU_LOGGED_MAX of them.
 */
#define VP_EMU_LOGGED_MAX 8U

struct vp_emu_target {
	struct hv_vp *vp;
	const struct guest_ram *ram;
	struct mmio_bus *mmio;
	struct io_bus *io; /* for INS/OUTS (emu_port_string_exit); may be NULL: then refused */
	const char *name;  /* the partition's, for log lines */
	uint32_t unclaimed_seen; /* unclaimed MMIO accesses so far */
	/* The pages of the first unclaimed accesses, each logged once. */
	hv_gpa_t logged_pages[VP_EMU_LOGGED_MAX];
	uint32_t nlogged;
};

/* The table; XMM moves are supported, YMM is not exposed (XSAVE is hidden from children). */
extern const struct emu_ops vp_emu_ops;

#endif
