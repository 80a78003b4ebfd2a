/* The decode cache: a repeated MMIO access skips Zydis, and a hit is verified against the bytes at RIP. */
#include <string.h>

#include "emulator/emu_internal.h"

const struct emu_insn *emu_cache_lookup(struct emu_context *ctx, uint64_t cr3, uint64_t rip,
                                        uint8_t mode, const uint8_t *bytes, unsigned len)
{
	const struct emu_cache_entry *e = &ctx->cache[emu_cache_slot(cr3, rip)];

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
	/* A 16-byte window that stays inside the page is RAM as much as the instruction is. */
	e->code_words = (rip & (HV_PAGE_SIZE - 1)) <= HV_PAGE_SIZE - sizeof(e->word);
	e->code =
	    st->ops->ram_ptr(st->opaque, gpa, e->code_words ? sizeof(e->word) : e->insn.length);
	if (!e->code && e->code_words) {
		e->code_words = false;
		e->code = st->ops->ram_ptr(st->opaque, gpa, e->insn.length);
	}
	if (e->code_words) {
		uint8_t padded[sizeof(e->word)] = {0}, mask[sizeof(e->word)] = {0};

		memcpy(padded, e->bytes, e->insn.length);
		memset(mask, 0xff, e->insn.length);
		memcpy(e->word, padded, sizeof(e->word));
		memcpy(e->word_mask, mask, sizeof(e->word_mask));
	}
}

void emu_cache_insert(struct emu_state *st, uint64_t rip, const uint8_t *bytes,
                      const struct emu_insn *insn)
{
	struct emu_cache_entry *e = &st->ctx->cache[emu_cache_slot(st->ctl.cr3, rip)];

	e->cr3 = st->ctl.cr3;
	e->rip = rip;
	e->mode = st->mode;
	memcpy(e->bytes, bytes, insn->length);
	e->insn = *insn;
	e->valid = true;
	note_code_location(st, e, rip);
	st->ctx->last = e;
}

void emu_cache_flush(struct emu_context *ctx)
{
	for (unsigned i = 0; i < EMU_CACHE_ENTRIES; i++)
		ctx->cache[i].valid = false;
	for (unsigned i = 0; i < EMU_TLB_ENTRIES; i++)
		ctx->tlb[i].valid = false;
}
