/* Filling the translation cache in front of the guest page walk (lookups are inline in emu_internal.h). */
#include "emulator/emu_internal.h"

void emu_tlb_insert(struct emu_state *st, uint64_t linear, uint32_t key, void *const *ptes,
                    unsigned levels, bool wide, hv_gpa_t gpa)
{
	struct emu_tlb_entry *e = emu_tlb_slot(st->ctx, linear, key);

	e->cr3 = st->ctl.cr3;
	e->page = linear >> 12;
	e->key = key;
	e->levels = (uint8_t)levels;
	e->wide = wide;
	for (unsigned i = 0; i < levels; i++) {
		e->pte[i] = ptes[i];
		/* The values after the walk set A/D: a guest clearing them forces a new walk. */
		e->val[i] = wide ? __atomic_load_n((uint64_t *)ptes[i], __ATOMIC_RELAXED)
		                 : __atomic_load_n((uint32_t *)ptes[i], __ATOMIC_RELAXED);
	}
	e->gpa_page = gpa & ~0xfffULL;
	e->valid = true;
}
