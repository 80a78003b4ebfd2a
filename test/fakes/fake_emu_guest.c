/* A guest for the emulator's host tests, bench and fuzzer: RAM, page tables, registers and one MMIO window. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hv/abi/hv_registers.h>

#include "test/fakes/fake_emu_guest.h"

static int read_reg(void *opaque, enum emu_reg reg, uint64_t *value)
{
	struct fake_emu_guest *g = opaque;

	if (g->fail_reg_reads == 0)
		return -5;
	if (g->fail_reg_reads > 0)
		g->fail_reg_reads--;
	*value = g->regs[reg];
	return 0;
}

static int write_reg(void *opaque, enum emu_reg reg, uint64_t value)
{
	struct fake_emu_guest *g = opaque;

	g->regs[reg] = value;
	return 0;
}

static int read_segment(void *opaque, enum emu_seg seg, struct emu_segment *out)
{
	struct fake_emu_guest *g = opaque;

	*out = g->segs[seg];
	return 0;
}

static int read_control(void *opaque, struct emu_control *out)
{
	struct fake_emu_guest *g = opaque;

	*out = g->ctl;
	out->cs_attributes = g->segs[EMU_SEG_CS].attributes;
	return 0;
}

static void *ram_ptr(void *opaque, hv_gpa_t gpa, size_t len)
{
	struct fake_emu_guest *g = opaque;

	if (gpa >= FAKE_EMU_RAM_SIZE || len > FAKE_EMU_RAM_SIZE - gpa)
		return NULL;
	return g->ram + gpa;
}

static bool in_window(hv_gpa_t gpa, unsigned len)
{
	return gpa >= FAKE_EMU_MMIO_BASE && gpa - FAKE_EMU_MMIO_BASE + len <= FAKE_EMU_MMIO_SIZE;
}

static int mmio_read(void *opaque, hv_gpa_t gpa, void *buf, unsigned len)
{
	struct fake_emu_guest *g = opaque;

	g->mmio_reads++;
	g->last_mmio_gpa = gpa;
	g->last_mmio_len = len;
	if (in_window(gpa, len))
		memcpy(buf, g->mmio + (gpa - FAKE_EMU_MMIO_BASE), len);
	else
		memset(buf, 0xff, len); /* an empty bus */
	return 0;
}

static int mmio_write(void *opaque, hv_gpa_t gpa, const void *buf, unsigned len)
{
	struct fake_emu_guest *g = opaque;

	g->mmio_writes++;
	g->last_mmio_gpa = gpa;
	g->last_mmio_len = len;
	if (in_window(gpa, len))
		memcpy(g->mmio + (gpa - FAKE_EMU_MMIO_BASE), buf, len);
	return 0;
}

static int read_vector(void *opaque, unsigned reg, void *buf, unsigned len)
{
	struct fake_emu_guest *g = opaque;

	memcpy(buf, g->vec[reg & 15], len);
	return 0;
}

static int write_vector(void *opaque, unsigned reg, const void *buf, unsigned len)
{
	struct fake_emu_guest *g = opaque;

	memcpy(g->vec[reg & 15], buf, len);
	return 0;
}

static int inject(void *opaque, uint8_t vector, bool has_error_code, uint32_t error_code,
                  uint64_t cr2)
{
	struct fake_emu_guest *g = opaque;

	g->injected = true;
	g->vector = vector;
	g->has_error_code = has_error_code;
	g->error_code = error_code;
	g->cr2 = cr2;
	return 0;
}

static void log_line(void *opaque, const char *fmt, va_list ap)
{
	struct fake_emu_guest *g = opaque;

	size_t used = strlen(g->logs);

	vsnprintf(g->last_log, sizeof(g->last_log), fmt, ap);
	g->nlogs++;
	snprintf(g->logs + used, sizeof(g->logs) - used, "%s\n", g->last_log);
}

const struct emu_ops fake_emu_ops = {
    .read_reg = read_reg,
    .write_reg = write_reg,
    .read_segment = read_segment,
    .read_control = read_control,
    .ram_ptr = ram_ptr,
    .mmio_read = mmio_read,
    .mmio_write = mmio_write,
    .read_vector = read_vector,
    .write_vector = write_vector,
    .inject_exception = inject,
    .log = log_line,
};

const struct emu_ops fake_emu_ops_novec = {
    .read_reg = read_reg,
    .write_reg = write_reg,
    .read_segment = read_segment,
    .read_control = read_control,
    .ram_ptr = ram_ptr,
    .mmio_read = mmio_read,
    .mmio_write = mmio_write,
    .inject_exception = inject,
    .log = log_line,
};

static uint64_t new_table(struct fake_emu_guest *g)
{
	uint64_t t = g->next_table;

	g->next_table += 4096;
	if (g->next_table > FAKE_EMU_RAM_SIZE)
		abort();
	memset(g->ram + t, 0, 4096);
	return t;
}

void fake_emu_flat_segments(struct fake_emu_guest *g, unsigned code_size)
{
	for (int s = 0; s < 6; s++) {
		g->segs[s] = (struct emu_segment){
		    .base = 0,
		    .limit = code_size == 2 && !(g->ctl.cr0 & 1) ? 0xffff : 0xffffffff,
		    .selector = 0x10,
		    /* Read/write accessed data, present, DPL 0, 32-bit, 4 KiB granular. */
		    .attributes = 0x3 | HV_SEG_ATTR_S | HV_SEG_ATTR_P |
		                  (code_size == 4 ? HV_SEG_ATTR_DB | HV_SEG_ATTR_G : 0),
		};
	}
	/* Execute/read code. */
	g->segs[EMU_SEG_CS].attributes = 0xb | HV_SEG_ATTR_S | HV_SEG_ATTR_P |
	                                 (code_size == 8 ? HV_SEG_ATTR_L : 0) |
	                                 (code_size == 4 ? HV_SEG_ATTR_DB | HV_SEG_ATTR_G : 0);
	g->segs[EMU_SEG_CS].selector = 0x8;
}

static void *leaf(struct fake_emu_guest *g, uint64_t gva, bool build);

void fake_emu_set_mode(struct fake_emu_guest *g, enum fake_emu_paging paging, unsigned code_size)
{
	g->paging = paging;
	g->next_table = FAKE_EMU_TABLES;
	g->ctl = (struct emu_control){.xcr0 = 7, .cr4 = 0x200 /* OSFXSR */};
	g->ctl.cr0 = code_size == 2 && paging == FAKE_PAGING_NONE ? 0 : 0x10011; /* PE, ET, WP */
	switch (paging) {
	case FAKE_PAGING_NONE: break;
	case FAKE_PAGING_32: g->ctl.cr4 |= 0x10; break; /* PSE */
	case FAKE_PAGING_PAE:
		g->ctl.cr4 |= 0x20;
		g->ctl.efer = 0x800; /* NXE */
		break;
	case FAKE_PAGING_5L: g->ctl.cr4 |= 0x1000; /* LA57 */ /* fall through */
	case FAKE_PAGING_4L:
		g->ctl.cr4 |= 0x20 | 0x40000; /* PAE, OSXSAVE */
		g->ctl.efer = 0xd00;          /* LME, LMA, NXE */
		break;
	}
	if (paging != FAKE_PAGING_NONE) {
		g->ctl.cr0 |= 0x80000000ULL;
		g->ctl.cr3 = new_table(g);
	}
	fake_emu_flat_segments(g, code_size);
	if (paging != FAKE_PAGING_NONE) {
		/* One page table holds the whole identity range: fill it directly (the fuzzer's hot path). */
		void *pt = leaf(g, 0, true);

		for (uint64_t i = 0; i < FAKE_EMU_IDENTITY / 4096; i++) {
			if (paging == FAKE_PAGING_32)
				((uint32_t *)pt)[i] =
				    (uint32_t)(i * 4096) | FAKE_PTE_P | FAKE_PTE_W;
			else
				((uint64_t *)pt)[i] = i * 4096 | FAKE_PTE_P | FAKE_PTE_W;
		}
		for (uint64_t a = 0; a < FAKE_EMU_MMIO_SIZE; a += 4096)
			fake_emu_map(g, FAKE_EMU_MMIO_BASE + a, FAKE_EMU_MMIO_BASE + a,
			             FAKE_PTE_P | FAKE_PTE_W);
	}
}

/* Walk (and build) the tables down to the leaf entry for gva; NULL when `build` is false and absent. */
static void *leaf(struct fake_emu_guest *g, uint64_t gva, bool build)
{
	const uint64_t upper = FAKE_PTE_P | FAKE_PTE_W | FAKE_PTE_U;

	if (g->paging == FAKE_PAGING_32) {
		uint32_t *pde =
		    (uint32_t *)(g->ram + (g->ctl.cr3 & ~0xfffULL)) + ((gva >> 22) & 0x3ff);

		if (!(*pde & 1)) {
			if (!build)
				return NULL;
			*pde = (uint32_t)(new_table(g) | upper);
		}
		return (uint32_t *)(g->ram + (*pde & ~0xfffU)) + ((gva >> 12) & 0x3ff);
	}
	unsigned levels = g->paging == FAKE_PAGING_PAE ? 3 : g->paging == FAKE_PAGING_4L ? 4 : 5;
	uint64_t table = g->ctl.cr3 & ~0xfffULL;
	unsigned shift = 12 + 9 * (levels - 1);

	for (unsigned l = 0; l + 1 < levels; l++, shift -= 9) {
		uint64_t *e = (uint64_t *)(g->ram + table) + ((gva >> shift) & 0x1ff);

		if (!(*e & 1)) {
			if (!build)
				return NULL;
			/* PAE PDPTEs take only P: their other low bits are reserved. */
			*e = new_table(g) | (g->paging == FAKE_PAGING_PAE && l == 0 ? 1 : upper);
		}
		table = *e & 0x000ffffffffff000ULL;
	}
	return (uint64_t *)(g->ram + table) + ((gva >> 12) & 0x1ff);
}

void fake_emu_map(struct fake_emu_guest *g, uint64_t gva, uint64_t gpa, uint64_t flags)
{
	void *e = leaf(g, gva, true);

	if (g->paging == FAKE_PAGING_32)
		*(uint32_t *)e = (uint32_t)((gpa & ~0xfffULL) | (flags & 0xfff));
	else
		*(uint64_t *)e = (gpa & ~0xfffULL) | flags;
}

void *fake_emu_pte(struct fake_emu_guest *g, uint64_t gva)
{
	return g->paging == FAKE_PAGING_NONE ? NULL : leaf(g, gva, false);
}

void fake_emu_code(struct fake_emu_guest *g, const void *bytes, unsigned len)
{
	memcpy(g->ram + FAKE_EMU_CODE, bytes, len);
	g->regs[EMU_REG_RIP] = FAKE_EMU_CODE;
}

static void reset_state(struct fake_emu_guest *g, enum fake_emu_paging paging, unsigned code_size)
{
	uint8_t *ram = g->ram;

	memset(g, 0, sizeof(*g));
	g->ram = ram;
	g->vectors = true;
	g->fail_reg_reads = -1;
	g->regs[EMU_REG_RFLAGS] = 0x2;
	g->regs[EMU_REG_RSP] = 0x8000;
	fake_emu_set_mode(g, paging, code_size);
}

void fake_emu_init(struct fake_emu_guest *g)
{
	g->ram = calloc(1, FAKE_EMU_RAM_SIZE);
	if (!g->ram)
		abort();
	reset_state(g, FAKE_PAGING_4L, 8);
}

void fake_emu_reset(struct fake_emu_guest *g, enum fake_emu_paging paging, unsigned code_size)
{
	/* Only the low 64 KiB (code, stack) and the tables are cleared: the fuzzer calls this often. */
	memset(g->ram, 0, 64U << 10);
	reset_state(g, paging, code_size);
}

void fake_emu_free(struct fake_emu_guest *g)
{
	free(g->ram);
	g->ram = NULL;
}
