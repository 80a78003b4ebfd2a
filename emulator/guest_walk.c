/* The guest's own paging, walked in software: 32-bit, PAE, 4- and 5-level, with the #PF the processor would raise. */
#include <hv/exit.h>

#include "emulator/emu_internal.h"

/* Page-table entry bits (Intel SDM "Paging": formats of paging-structure entries). */
#define PTE_P  0x1ULL
#define PTE_RW 0x2ULL
#define PTE_US 0x4ULL
#define PTE_A  0x20ULL
#define PTE_D  0x40ULL
#define PTE_PS 0x80ULL
#define PTE_XD (1ULL << 63)

/* #PF error code bits. */
#define PFEC_P    0x01U
#define PFEC_W    0x02U
#define PFEC_U    0x04U
#define PFEC_RSVD 0x08U
#define PFEC_I    0x10U

struct walk {
	struct emu_state *st;
	uint64_t linear;
	unsigned access;
	bool user;     /* CPL 3 */
	bool nx_on;    /* EFER.NXE in a 64-bit-entry format: the XD bit exists */
	uint64_t rsvd; /* reserved address bits of a 64-bit entry (above MAXPHYADDR) */
	uint32_t key;  /* for the translation cache */
};

static uint32_t fault_code(const struct walk *w, uint32_t extra)
{
	uint32_t code = extra;

	if (w->access & EMU_ACC_WRITE)
		code |= PFEC_W;
	if (w->user)
		code |= PFEC_U;
	/* I/D is reported only where execute protection exists (SDM "Page-Fault Exceptions"). */
	if ((w->access & EMU_ACC_FETCH) && (w->nx_on || (w->st->ctl.cr4 & EMU_CR4_SMEP)))
		code |= PFEC_I;
	return code;
}

static int not_in_ram(struct walk *w, hv_gpa_t gpa)
{
	emu_log(w->st, "emulator: partition %s: page table at GPA %#llx (for %#llx) is not RAM",
	        w->st->ctx->name, (unsigned long long)gpa, (unsigned long long)w->linear);
	return -EIO;
}

/* The rights the walk accumulated, checked as the SDM's "Access Rights" section says. */
static int check_rights(struct walk *w, bool writable, bool user_page, bool no_exec)
{
	const struct emu_control *ctl = &w->st->ctl;
	bool ok = true;

	if (w->user) {
		ok = user_page && (!(w->access & EMU_ACC_WRITE) || writable);
	} else {
		uint64_t rflags = 0;

		if ((w->access & EMU_ACC_WRITE) && !writable && (ctl->cr0 & EMU_CR0_WP))
			ok = false;
		if ((w->access & EMU_ACC_FETCH) && user_page && (ctl->cr4 & EMU_CR4_SMEP))
			ok = false;
		if (!(w->access & EMU_ACC_FETCH) && user_page && (ctl->cr4 & EMU_CR4_SMAP)) {
			int rc = emu_reg_get(w->st, EMU_REG_RFLAGS, &rflags);

			if (rc)
				return rc;
			if (!(rflags & EMU_FL_AC))
				ok = false;
		}
	}
	if ((w->access & EMU_ACC_FETCH) && no_exec)
		ok = false;
	return ok ? 0 : emu_raise_pf(w->st, w->linear, fault_code(w, PFEC_P));
}

/* Set the accessed (and dirty) bit in place, atomically, as the processor's walk does. */
static void mark64(uint64_t *pte, uint64_t bits)
{
	if ((__atomic_load_n(pte, __ATOMIC_RELAXED) & bits) != bits)
		__atomic_fetch_or(pte, bits, __ATOMIC_RELAXED);
}

static void mark32(uint32_t *pte, uint32_t bits)
{
	if ((__atomic_load_n(pte, __ATOMIC_RELAXED) & bits) != bits)
		__atomic_fetch_or(pte, bits, __ATOMIC_RELAXED);
}

/* 32-bit paging: two levels of 4-byte entries, 4 MiB pages with CR4.PSE (PSE-36 high bits). */
static int walk32(struct walk *w, hv_gpa_t *gpa)
{
	struct emu_state *st = w->st;
	uint32_t *entries[2];
	uint64_t table = st->ctl.cr3 & 0xfffff000ULL;
	bool writable = true, user_page = true;
	unsigned phys = st->ctl.phys_bits ? st->ctl.phys_bits : 52;

	for (int level = 0; level < 2; level++) {
		unsigned shift = level == 0 ? 22 : 12;
		hv_gpa_t at = table + ((w->linear >> shift) & 0x3ff) * 4;
		uint32_t *p = st->ops->ram_ptr(st->opaque, at, 4);
		uint32_t e;

		if (!p)
			return not_in_ram(w, at);
		e = __atomic_load_n(p, __ATOMIC_RELAXED);
		entries[level] = p;
		if (!(e & PTE_P))
			return emu_raise_pf(st, w->linear, fault_code(w, 0));
		writable = writable && (e & PTE_RW);
		user_page = user_page && (e & PTE_US);
		if (level == 0 && (e & PTE_PS) && (st->ctl.cr4 & EMU_CR4_PSE)) {
			/* Bits 20:13 give physical bits 39:32; those beyond MAXPHYADDR and bit 21 are reserved. */
			unsigned high_bits = phys > 40 ? 8 : phys - 32;
			uint32_t rsvd =
			    (1U << 21) | (((1U << (8 - high_bits)) - 1) << (13 + high_bits));
			int rc;

			if (e & rsvd)
				return emu_raise_pf(st, w->linear,
				                    fault_code(w, PFEC_P | PFEC_RSVD));
			rc = check_rights(w, writable, user_page, false);
			if (rc)
				return rc;
			mark32(p, (uint32_t)(PTE_A | ((w->access & EMU_ACC_WRITE) ? PTE_D : 0)));
			*gpa = (e & 0xffc00000ULL) | ((uint64_t)((e >> 13) & 0xff) << 32) |
			       (w->linear & 0x3fffff);
			emu_tlb_insert(st, w->linear, w->key, (void **)entries, 1, false, *gpa);
			return 0;
		}
		table = e & 0xfffff000ULL;
	}
	int rc = check_rights(w, writable, user_page, false);

	if (rc)
		return rc;
	mark32(entries[0], (uint32_t)PTE_A);
	mark32(entries[1], (uint32_t)(PTE_A | ((w->access & EMU_ACC_WRITE) ? PTE_D : 0)));
	*gpa = table | (w->linear & 0xfff);
	emu_tlb_insert(st, w->linear, w->key, (void **)entries, 2, false, *gpa);
	return 0;
}

/*
 * PAE, 4-level and 5-level paging: 8-byte entries, 9 bits of the address per level. PAE's four
 * PDPTEs are read from memory here, where the processor uses the copies it loaded with CR3: a guest
 * that changes a PDPTE without reloading CR3 sees the new one (a deliberate simplification).
 */
static int walk64(struct walk *w, unsigned levels, hv_gpa_t *gpa)
{
	struct emu_state *st = w->st;
	uint64_t *entries[5];
	uint64_t table;
	bool writable = true, user_page = true, no_exec = false;
	unsigned shift = 12 + 9 * (levels - 1);
	int level, rc;

	table = levels == 3 ? (st->ctl.cr3 & 0xffffffe0ULL) : (st->ctl.cr3 & 0x000ffffffffff000ULL);
	for (level = 0; level < (int)levels; level++, shift -= 9) {
		unsigned index_bits = (levels == 3 && level == 0) ? 2 : 9;
		hv_gpa_t at = table + ((w->linear >> shift) & ((1ULL << index_bits) - 1)) * 8;
		uint64_t *p = st->ops->ram_ptr(st->opaque, at, 8);
		bool pdpte = levels == 3 && level == 0;
		bool leaf_level = level == (int)levels - 1;
		uint64_t e, rsvd;

		if (!p)
			return not_in_ram(w, at);
		e = __atomic_load_n(p, __ATOMIC_RELAXED);
		entries[level] = p;
		if (!(e & PTE_P))
			return emu_raise_pf(st, w->linear, fault_code(w, 0));
		rsvd = w->rsvd;
		if (pdpte)
			rsvd |=
			    0x1e6ULL | PTE_XD; /* PAE PDPTE: bits 2:1, 8:5 and 63 are reserved */
		else if (!w->nx_on)
			rsvd |= PTE_XD;
		/* PS is reserved in PML5E/PML4Es; large pages have reserved bits below the frame. */
		bool large = !leaf_level && !pdpte && (e & PTE_PS);
		if (large && shift > 30)
			rsvd |= PTE_PS;
		else if (large)
			rsvd |= ((1ULL << shift) - 1) & ~0x1fffULL;
		if (e & rsvd)
			return emu_raise_pf(st, w->linear, fault_code(w, PFEC_P | PFEC_RSVD));
		if (!pdpte) {
			writable = writable && (e & PTE_RW);
			user_page = user_page && (e & PTE_US);
			no_exec = no_exec || (w->nx_on && (e & PTE_XD));
		}
		if (large || leaf_level) {
			uint64_t frame = e & 0x000ffffffffff000ULL & ~((1ULL << shift) - 1);

			rc = check_rights(w, writable, user_page, no_exec);
			if (rc)
				return rc;
			for (int i = 0; i < level; i++)
				if (!(levels == 3 &&
				      i == 0)) /* PDPTEs have no accessed bit in PAE */
					mark64(entries[i], PTE_A);
			mark64(p, PTE_A | ((w->access & EMU_ACC_WRITE) ? PTE_D : 0));
			*gpa = frame | (w->linear & ((1ULL << shift) - 1));
			emu_tlb_insert(st, w->linear, w->key, (void **)entries, (unsigned)level + 1,
			               true, *gpa);
			return 0;
		}
		table = e & 0x000ffffffffff000ULL;
	}
	return -EINVAL; /* not reached: the last level is always a leaf */
}

/*
 * Everything a walk's outcome depends on besides CR3, the entries themselves and the kind of
 * access: computed once per emulation. Bit 31 marks it computed; bit 6 says SMAP would block a
 * supervisor data access to a user page (it applies to data accesses only).
 */
static int walk_key_base(struct emu_state *st, uint32_t *key)
{
	const struct emu_control *ctl = &st->ctl;
	uint32_t format;
	bool smap_blocks = false;

	if (st->walk_key) {
		*key = st->walk_key;
		return 0;
	}
	if (!(ctl->cr4 & EMU_CR4_PAE))
		format = 1;
	else if (!(ctl->efer & EMU_EFER_LMA))
		format = 3;
	else
		format = (ctl->cr4 & EMU_CR4_LA57) ? 5 : 4;
	if ((ctl->cr4 & EMU_CR4_SMAP) && ctl->cpl != 3) {
		uint64_t rflags;
		int rc = emu_reg_get(st, EMU_REG_RFLAGS, &rflags);

		if (rc)
			return rc;
		smap_blocks = !(rflags & EMU_FL_AC);
	}
	st->walk_key =
	    1U << 31 | (ctl->cpl == 3 ? 1U << 3 : 0) | ((ctl->cr0 & EMU_CR0_WP) ? 1U << 4 : 0) |
	    ((ctl->cr4 & EMU_CR4_SMEP) ? 1U << 5 : 0) | (smap_blocks ? 1U << 6 : 0) |
	    (format != 1 && (ctl->efer & EMU_EFER_NXE) ? 1U << 7 : 0) |
	    ((ctl->cr4 & EMU_CR4_PSE) ? 1U << 8 : 0) | format << 9 | (uint32_t)ctl->phys_bits << 12;
	*key = st->walk_key;
	return 0;
}

int emu_walk(struct emu_state *st, uint64_t linear, unsigned access, hv_gpa_t *gpa)
{
	const struct emu_control *ctl = &st->ctl;
	uint32_t key;
	int rc;

	if (!(ctl->cr0 & EMU_CR0_PG)) {
		/* No paging: linear is physical (32 bits wide outside long mode, which needs paging). */
		*gpa = linear & 0xffffffffULL;
		return 0;
	}
	if (emu_walk_hint(st, linear, access, gpa))
		return 0;
	rc = walk_key_base(st, &key);
	if (rc)
		return rc;
	key |= access;
	if (access & EMU_ACC_FETCH)
		key &= ~(1U << 6);
	if (!emu_tlb_lookup(st, linear, key, gpa))
		return 0;

	unsigned phys = ctl->phys_bits ? ctl->phys_bits : 52;
	unsigned format = (key >> 9) & 7;
	struct walk w = {
	    .st = st,
	    .linear = linear,
	    .access = access,
	    .user = ctl->cpl == 3,
	    .nx_on = (key >> 7) & 1,
	    .rsvd = phys >= 52 ? 0 : (((1ULL << 52) - 1) & ~((1ULL << phys) - 1)),
	    .key = key,
	};
	return format == 1 ? walk32(&w, gpa) : walk64(&w, format, gpa);
}

const struct emu_tlb_entry *emu_walk_entry(struct emu_state *st, uint64_t linear, unsigned access)
{
	uint32_t key;
	hv_gpa_t gpa;

	if (!(st->ctl.cr0 & EMU_CR0_PG) || walk_key_base(st, &key))
		return NULL;
	key |= access;
	if (access & EMU_ACC_FETCH)
		key &= ~(1U << 6);
	return emu_tlb_lookup(st, linear, key, &gpa) ? NULL : emu_tlb_slot(st->ctx, linear, key);
}
