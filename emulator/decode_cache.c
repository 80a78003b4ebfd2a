/* The decode cache: a repeated MMIO access skips Zydis, and a hit is verified against the bytes at RIP. */
#include <string.h>

#include "emulator/emu_internal.h"

/*
 * Direct-mapped on (CR3, linear RIP). A hit needs the same mode and the same instruction bytes as
 * the guest holds now (the caller fetched them): a self-modifying guest, or one that maps other
 * code at the same address, can never run a stale decode. Comparing at most 15 bytes is cheaper
 * than any invalidation scheme that tracks guest writes.
 */
static unsigned slot(uint64_t cr3, uint64_t rip)
{
	uint64_t h = (rip ^ (cr3 >> 12) ^ (rip >> 17)) * 0x9e3779b97f4a7c15ULL;

	return (unsigned)(h >> 58) & (EMU_CACHE_ENTRIES - 1);
}

const struct emu_cache_entry *emu_cache_probe(struct emu_context *ctx, uint64_t cr3, uint64_t rip,
                                              uint8_t mode)
{
	const struct emu_cache_entry *e = &ctx->cache[slot(cr3, rip)];

	return e->valid && e->cr3 == cr3 && e->rip == rip && e->mode == mode ? e : NULL;
}

const struct emu_insn *emu_cache_lookup(struct emu_context *ctx, uint64_t cr3, uint64_t rip,
                                        uint8_t mode, const uint8_t *bytes, unsigned len)
{
	const struct emu_cache_entry *e = &ctx->cache[slot(cr3, rip)];

	if (!e->valid || e->cr3 != cr3 || e->rip != rip || e->mode != mode ||
	    e->insn.length > len || memcmp(e->bytes, bytes, e->insn.length) != 0)
		return NULL;
	return &e->insn;
}

/*
 * Remember where the bytes came from, for instructions within one page: the exit itself proves
 * the processor fetched them there with the rights it needed, so a later hit only has to see the
 * same page-table entries and the same bytes.
 */
static void note_code_location(struct emu_state *st, struct emu_cache_entry *e, uint64_t rip)
{
	const struct emu_tlb_entry *t = NULL;
	hv_gpa_t gpa;

	e->code = NULL;
	if ((rip & (HV_PAGE_SIZE - 1)) + e->insn.length > HV_PAGE_SIZE)
		return;
	if (st->ctl.cr0 & EMU_CR0_PG) {
		t = emu_walk_entry(st, rip, EMU_ACC_FETCH);
		if (!t)
			return;
		gpa = t->gpa_page | (rip & 0xfff);
		e->code_levels = t->levels;
		e->code_wide = t->wide;
		for (unsigned i = 0; i < t->levels; i++) {
			e->code_pte[i] = t->pte[i];
			e->code_val[i] = t->val[i];
		}
	} else {
		gpa = rip & 0xffffffffULL;
		e->code_levels = 0;
	}
	e->code = st->ops->ram_ptr(st->opaque, gpa, e->insn.length);
}

void emu_cache_insert(struct emu_state *st, uint64_t rip, const uint8_t *bytes,
                      const struct emu_insn *insn)
{
	struct emu_cache_entry *e = &st->ctx->cache[slot(st->ctl.cr3, rip)];

	e->cr3 = st->ctl.cr3;
	e->rip = rip;
	e->mode = st->mode;
	memcpy(e->bytes, bytes, insn->length);
	e->insn = *insn;
	e->valid = true;
	note_code_location(st, e, rip);
}

bool emu_cache_code_matches(const struct emu_cache_entry *e)
{
	if (!e->code || !emu_ptes_unchanged(e->code_pte, e->code_val, e->code_levels, e->code_wide))
		return false;
	for (unsigned i = 0; i < e->insn.length; i++)
		if (e->code[i] != e->bytes[i])
			return false;
	return true;
}

void emu_cache_flush(struct emu_context *ctx)
{
	for (unsigned i = 0; i < EMU_CACHE_ENTRIES; i++)
		ctx->cache[i].valid = false;
	for (unsigned i = 0; i < EMU_TLB_ENTRIES; i++)
		ctx->tlb[i].valid = false;
}
