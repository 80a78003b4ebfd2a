/* libFuzzer target: random instruction bytes, register state, CPU mode and MMIO contents through emu_mmio_exit(). */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <hv/exit.h>

#include "emulator/emu.h"
#include "test/fakes/fake_emu_guest.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * Input: [0] mode, [1] switches, [2] RFLAGS low byte, [3..18] one selector per GPR, [19..33] the
 * instruction, then the device's bytes. A selector points a register at the device window, at
 * RAM, near a page boundary, or at an arbitrary value, so that most inputs reach memory.
 */
#define HDR 34U

static uint64_t reg_value(uint8_t sel, unsigned r)
{
	unsigned p = sel & 0x3f;

	switch (sel >> 6) {
	case 0: return FAKE_EMU_MMIO_BASE + p * 64;
	case 1: return 0x10000 + p * 0x1000 - 8; /* RAM, near page ends */
	case 2: return p;                        /* small counts and offsets */
	default: return 0x9e3779b97f4a7c15ULL * (p + 1) ^ ((uint64_t)r << 56);
	}
}

static void apply_mode(struct fake_emu_guest *g, uint8_t m)
{
	static const enum fake_emu_paging paging[] = {
	    FAKE_PAGING_4L,   FAKE_PAGING_5L,   FAKE_PAGING_PAE, FAKE_PAGING_32,
	    FAKE_PAGING_NONE, FAKE_PAGING_NONE, FAKE_PAGING_4L,  FAKE_PAGING_NONE};
	static const unsigned code[] = {8, 8, 4, 4, 4, 2, 4, 2};
	unsigned i = m & 7;

	fake_emu_reset(g, paging[i], code[i]);
	if (i == 7) /* 16-bit protected mode */
		g->ctl.cr0 |= 1;
	if (m & 0x08)
		g->segs[EMU_SEG_DS].base = FAKE_EMU_MMIO_BASE;
	if (m & 0x10)
		g->segs[EMU_SEG_FS].base = FAKE_EMU_MMIO_BASE - 0x1000;
	if (m & 0x20)
		g->segs[EMU_SEG_SS].attributes &= (uint16_t)~0x4000;
	if (m & 0x40)
		g->segs[EMU_SEG_DS].limit = 0x1fff;
	if (m & 0x80)
		g->segs[EMU_SEG_ES].attributes = 0;
}

static void apply_switches(struct fake_emu_guest *g, uint8_t s)
{
	if (s & 0x01)
		g->ctl.cpl = 3;
	if (s & 0x02)
		g->ctl.cr0 |= 0x40000; /* AM */
	if (s & 0x04)
		g->regs[EMU_REG_RFLAGS] |= 0x40000; /* AC */
	if (s & 0x08)
		g->regs[EMU_REG_RFLAGS] |= 0x400; /* DF */
	if (s & 0x10)
		g->ctl.cr0 |= 0x8; /* TS */
	if (s & 0x20)
		g->ctl.cr4 |= 0x300000; /* SMEP, SMAP */
	if (s & 0x40)
		g->ctl.xcr0 = 3;
	if (s & 0x80)
		fake_emu_map(g, FAKE_EMU_MMIO_BASE + 0x1000, FAKE_EMU_MMIO_BASE + 0x1000, 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct fake_emu_guest g;
	static struct emu_context ctx;
	const struct emu_ops *ops;
	uint64_t rip;

	if (size < HDR)
		return 0;
	if (!g.ram)
		fake_emu_init(&g);
	/* Half the inputs keep the cache of the previous one: stale entries must never be used. */
	if (data[1] & 0x80 || !ctx.name)
		emu_context_init(&ctx, "fuzz");
	apply_mode(&g, data[0]);
	apply_switches(&g, data[1]);
	g.regs[EMU_REG_RFLAGS] = (g.regs[EMU_REG_RFLAGS] & ~0xffULL) | data[2] | 2;
	for (unsigned r = 0; r < 16; r++)
		g.regs[r] = reg_value(data[3 + r], r);
	/* Keep REP counts short for speed, except with selector 0xff (the per-exit budget path). */
	if (data[3 + EMU_REG_RCX] != 0xff)
		g.regs[EMU_REG_RCX] &= 0x3f;
	if (g.ctl.cpl == 3)
		fake_emu_map(&g, FAKE_EMU_CODE, FAKE_EMU_CODE, FAKE_PTE_P | FAKE_PTE_U);
	memcpy(g.mmio, data + HDR,
	       size - HDR < FAKE_EMU_MMIO_SIZE ? size - HDR : FAKE_EMU_MMIO_SIZE);
	fake_emu_code(&g, data + 19, 15);
	ops = (data[0] & 0x7) == 6 ? &fake_emu_ops_novec : &fake_emu_ops;

	/* A VMX-style hint when RBX points at the device: the processor's walk for that page. */
	struct emu_fault fault = {.gpa = FAKE_EMU_MMIO_BASE};

	if ((data[3 + EMU_REG_RBX] >> 6) == 0) {
		fault.gpa = g.regs[EMU_REG_RBX];
		fault.gva = g.regs[EMU_REG_RBX];
		fault.gva_valid = true;
		fault.access = (data[2] & 0x20) ? HV_ACCESS_WRITE : HV_ACCESS_READ;
	}

	/* Twice: the second run takes the decode cache's path for the same bytes. */
	for (int pass = 0; pass < 2; pass++) {
		rip = g.regs[EMU_REG_RIP];
		g.injected = false;
		int rc = emu_mmio_exit_fault(&ctx, ops, &g, &fault);

		switch (rc) {
		case EMU_DONE:
			if (g.injected || g.regs[EMU_REG_RIP] == rip)
				__builtin_trap();
			break;
		case EMU_FAULT_INJECTED:
			if (!g.injected || g.regs[EMU_REG_RIP] != rip)
				__builtin_trap();
			break;
		case EMU_RETRY:
			if (g.regs[EMU_REG_RIP] != rip)
				__builtin_trap();
			break;
		default:
			/* Errors are only "page table / code not in RAM" here. */
			if (rc != -5)
				__builtin_trap();
			return 0;
		}
		g.regs[EMU_REG_RIP] = rip;
	}
	return 0;
}
