/* Private to emulator/: the state of one emulation and the functions the modules share. */
#ifndef EMULATOR_EMU_INTERNAL_H
#define EMULATOR_EMU_INTERNAL_H

#include <string.h>

#include <hv/exit.h>

#include "emulator/emu.h"
#include "monitor/lib/errno.h"

/*
 * Internal functions return 0 or a negative errno. -EFAULT is special: it means "a guest fault is
 * pending in st->fault" (emu_raise() recorded it); the top level injects it and stops there.
 */

/* RFLAGS bits the emulator reads or writes. */
#define EMU_FL_CF        0x0001ULL
#define EMU_FL_PF        0x0004ULL
#define EMU_FL_AF        0x0010ULL
#define EMU_FL_ZF        0x0040ULL
#define EMU_FL_SF        0x0080ULL
#define EMU_FL_DF        0x0400ULL
#define EMU_FL_OF        0x0800ULL
#define EMU_FL_VM        0x20000ULL
#define EMU_FL_AC        0x40000ULL
#define EMU_FL_ARITH     (EMU_FL_CF | EMU_FL_PF | EMU_FL_AF | EMU_FL_ZF | EMU_FL_SF | EMU_FL_OF)

#define EMU_CR0_PE       0x1ULL
#define EMU_CR0_MP       0x2ULL
#define EMU_CR0_EM       0x4ULL
#define EMU_CR0_TS       0x8ULL
#define EMU_CR0_WP       0x10000ULL
#define EMU_CR0_AM       0x40000ULL
#define EMU_CR0_PG       0x80000000ULL

#define EMU_CR4_PSE      0x10ULL
#define EMU_CR4_PAE      0x20ULL
#define EMU_CR4_OSFXSR   0x200ULL
#define EMU_CR4_LA57     0x1000ULL
#define EMU_CR4_OSXSAVE  0x40000ULL
#define EMU_CR4_SMEP     0x100000ULL
#define EMU_CR4_SMAP     0x200000ULL
#define EMU_EFER_LME     0x100ULL
#define EMU_EFER_LMA     0x400ULL
#define EMU_EFER_NXE     0x800ULL
#define EMU_XCR0_SSE_AVX 0x6ULL

/* Exception vectors the emulator raises. */
#define EMU_VEC_UD 6U
#define EMU_VEC_NM 7U
#define EMU_VEC_SS 12U
#define EMU_VEC_GP 13U
#define EMU_VEC_PF 14U
#define EMU_VEC_AC 17U

/* Kinds of access, for paging and segment checks. */
#define EMU_ACC_READ  0x1U
#define EMU_ACC_WRITE 0x2U
#define EMU_ACC_FETCH 0x4U

/*
 * One emulation: the VP's registers as far as they were read (written back only when the
 * instruction completes), its mode, and a pending fault.
 */
struct emu_state {
	struct emu_context *ctx;
	const struct emu_ops *ops;
	void *opaque;
	const struct emu_fault *fault_info;
	struct emu_control ctl;
	uint8_t mode; /* enum emu_mode */
	uint32_t reg_valid, reg_dirty;
	uint64_t regs[EMU_REG_COUNT];
	uint32_t seg_valid;
	struct emu_segment segs[6];
	const struct emu_insn *insn;
	/* The memory operand's offset, computed once before any register changes (emu_mmio_exit). */
	uint64_t ea;
	/* The translation cache key's part that depends on control registers (0: not computed yet). */
	uint32_t walk_key;
	/* Set by string instructions after each finished iteration: a later fault keeps the progress. */
	bool commit_on_fault;
	/* This emulation answers a string port-I/O exit (INS/OUTS), not an MMIO one. */
	bool port_string_exit;
	struct {
		uint8_t vector;
		bool has_error_code;
		uint32_t error_code;
		uint64_t cr2;
	} fault;
};

/* ---- state.c: lazily read registers and deferred write-back ---- */
/*
 * Inline, fills included: the warm path reads a handful of registers per exit, and a call into
 * state.c around each ops callback cost more than the callback itself.
 */
static inline int emu_reg_get(struct emu_state *st, unsigned reg, uint64_t *value)
{
	if (!(st->reg_valid & (1U << reg))) {
		int rc = st->ops->read_reg(st->opaque, (enum emu_reg)reg, &st->regs[reg]);

		if (rc)
			return rc;
		st->reg_valid |= 1U << reg;
	}
	*value = st->regs[reg];
	return 0;
}

static inline int emu_seg_get(struct emu_state *st, unsigned seg, const struct emu_segment **out)
{
	if (!(st->seg_valid & (1U << seg))) {
		int rc = st->ops->read_segment(st->opaque, (enum emu_seg)seg, &st->segs[seg]);

		if (rc)
			return rc;
		st->seg_valid |= 1U << seg;
	}
	*out = &st->segs[seg];
	return 0;
}

static inline void emu_reg_set(struct emu_state *st, unsigned reg, uint64_t value)
{
	st->regs[reg] = value;
	st->reg_valid |= 1U << reg;
	st->reg_dirty |= 1U << reg;
}

static inline uint64_t emu_mask(unsigned size)
{
	return size >= 8 ? ~0ULL : (1ULL << (size * 8)) - 1;
}

/* Write a GPR operand of `size` bytes with the processor's merging rules (32-bit writes zero-extend). */
int emu_gpr_write(struct emu_state *st, const struct emu_operand *op, uint64_t value);
int emu_gpr_read(struct emu_state *st, const struct emu_operand *op, uint64_t *value);

/* Write back what the instruction changed, and step RIP past it when it completed. */
static inline int emu_commit(struct emu_state *st, bool advance_rip)
{
	if (advance_rip) {
		uint64_t rip;
		int rc = emu_reg_get(st, EMU_REG_RIP, &rip);

		if (rc)
			return rc;
		rip += st->insn->length;
		/* IP wraps at 64 KiB in 16-bit code and EIP at 4 GiB in 32-bit code. */
		if (st->mode == EMU_MODE_LONG64)
			;
		else if (st->mode == EMU_MODE_REAL || st->mode == EMU_MODE_PROT16 ||
		         st->mode == EMU_MODE_COMPAT16)
			rip &= 0xffffULL;
		else
			rip &= 0xffffffffULL;
		emu_reg_set(st, EMU_REG_RIP, rip);
	}
	while (st->reg_dirty) {
		unsigned r = (unsigned)__builtin_ctz(st->reg_dirty);
		int rc = st->ops->write_reg(st->opaque, (enum emu_reg)r, st->regs[r]);

		if (rc)
			return rc;
		st->reg_dirty &= st->reg_dirty - 1;
	}
	return 0;
}

/* Record a fault for the guest; returns -EFAULT so that callers can `return emu_raise(...)`. */
int emu_raise(struct emu_state *st, uint8_t vector, bool has_error_code, uint32_t error_code);
int emu_raise_pf(struct emu_state *st, uint64_t linear, uint32_t error_code);
int emu_raise_ud(struct emu_state *st, const char *why);
void emu_log(struct emu_state *st, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* ---- guest_walk.c: the guest's own paging (one walker for fetches and data) ---- */
/*
 * Translate `linear` for an access of kind EMU_ACC_* at the current CPL. Sets accessed (and, for
 * writes, dirty) bits as the processor would. -EFAULT with a #PF pending on a failed walk; -EIO
 * when a page-table entry is not in RAM.
 */
int emu_walk(struct emu_state *st, uint64_t linear, unsigned access, hv_gpa_t *gpa);
/*
 * The access that trapped was translated by the processor a moment ago (VMX reports its linear
 * address): the same kind of access to the same linear page needs no walk, and a write's
 * translation also allows reads. Only meaningful with paging on; emu_walk() checks it first.
 */
static inline bool emu_walk_hint(const struct emu_state *st, uint64_t linear, unsigned access,
                                 hv_gpa_t *gpa)
{
	const struct emu_fault *f = st->fault_info;

	if (!f->gva_valid || (access & EMU_ACC_FETCH) || (linear >> 12) != (f->gva >> 12) ||
	    !(f->access == HV_ACCESS_WRITE ||
	      (f->access == HV_ACCESS_READ && access == EMU_ACC_READ)))
		return false;
	*gpa = (f->gpa & ~0xfffULL) | (linear & 0xfff);
	return true;
}

/* ---- walk_cache.c: the translation cache (struct emu_tlb_entry) ---- */
/* Whether the page-table entries a cached translation came from still hold the same values. */
static inline bool emu_ptes_unchanged(void *const *pte, const uint64_t *val, unsigned levels,
                                      bool wide)
{
	/* Two loops rather than a test per entry: a hit re-checks four or five entries each time. */
	if (wide && levels == 4) /* 4-level paging, by far the commonest: unrolled */
		return __atomic_load_n((const uint64_t *)pte[0], __ATOMIC_RELAXED) == val[0] &&
		       __atomic_load_n((const uint64_t *)pte[1], __ATOMIC_RELAXED) == val[1] &&
		       __atomic_load_n((const uint64_t *)pte[2], __ATOMIC_RELAXED) == val[2] &&
		       __atomic_load_n((const uint64_t *)pte[3], __ATOMIC_RELAXED) == val[3];
	if (wide) {
		for (unsigned i = 0; i < levels; i++)
			if (__atomic_load_n((const uint64_t *)pte[i], __ATOMIC_RELAXED) != val[i])
				return false;
		return true;
	}
	for (unsigned i = 0; i < levels; i++)
		if (__atomic_load_n((const uint32_t *)pte[i], __ATOMIC_RELAXED) != val[i])
			return false;
	return true;
}

static inline struct emu_tlb_entry *emu_tlb_slot(struct emu_context *ctx, uint64_t linear,
                                                 uint32_t key)
{
	return &ctx->tlb[((linear >> 12) ^ (linear >> 20) ^ key) & (EMU_TLB_ENTRIES - 1)];
}

/* The cached GPA for `linear` under `key`, if every page-table entry it came from is unchanged. */
static inline int emu_tlb_lookup(struct emu_state *st, uint64_t linear, uint32_t key, hv_gpa_t *gpa)
{
	const struct emu_tlb_entry *e = emu_tlb_slot(st->ctx, linear, key);

	if (!e->valid || e->page != linear >> 12 || e->key != key || e->cr3 != st->ctl.cr3)
		return -ENOENT;
	/* Every entry the walk read must still hold what it held. */
	if (!emu_ptes_unchanged(e->pte, e->val, e->levels, e->wide))
		return -ENOENT;
	*gpa = e->gpa_page | (linear & 0xfff);
	return 0;
}

void emu_tlb_insert(struct emu_state *st, uint64_t linear, uint32_t key, void *const *ptes,
                    unsigned levels, bool wide, hv_gpa_t gpa);
/* The translation cache entry that now holds `linear` for `access` (after a successful walk). */
const struct emu_tlb_entry *emu_walk_entry(struct emu_state *st, uint64_t linear, unsigned access);

/* ---- access.c: segmentation, translation, RAM or MMIO ---- */
/* The linear address of seg:offset for an access of `size` bytes (limit/canonical checks). */
int emu_linear(struct emu_state *st, unsigned seg, uint64_t offset, unsigned size, unsigned access,
               uint64_t *linear);
/* Read or write `size` (<= 32) bytes at a linear address, split at page boundaries. */
int emu_read_linear(struct emu_state *st, uint64_t linear, void *buf, unsigned size);
int emu_write_linear(struct emu_state *st, uint64_t linear, const void *buf, unsigned size);
/* seg:offset versions (a read-modify-write checks for write access before it reads). */
int emu_read_mem(struct emu_state *st, unsigned seg, uint64_t offset, void *buf, unsigned size,
                 bool rmw);
int emu_write_mem(struct emu_state *st, unsigned seg, uint64_t offset, const void *buf,
                  unsigned size);
/* The offset (effective address) of the instruction's memory operand. */
static inline int emu_effective_address(struct emu_state *st, uint64_t *offset)
{
	const struct emu_insn *in = st->insn;
	const struct emu_mem *m = &in->mem;
	uint64_t ea = (uint64_t)m->disp, v;
	int rc;

	if (m->base == EMU_RIP) {
		rc = emu_reg_get(st, EMU_REG_RIP, &v);
		if (rc)
			return rc;
		ea += v + in->length;
	} else if (m->base != EMU_NO_REG) {
		rc = emu_reg_get(st, m->base, &v);
		if (rc)
			return rc;
		ea += v;
	}
	if (m->index != EMU_NO_REG) {
		rc = emu_reg_get(st, m->index, &v);
		if (rc)
			return rc;
		ea += v * m->scale;
	}
	*offset = ea & emu_mask(in->addr_size);
	return 0;
}

/* ---- operand.c: reading and writing decoded operands (memory at st->ea) ---- */
int emu_opnd_read(struct emu_state *st, const struct emu_operand *op, uint64_t *value, bool rmw);
int emu_opnd_write(struct emu_state *st, const struct emu_operand *op, uint64_t value);

/* ---- fetch.c ---- */
/*
 * The linear address of CS:RIP and how many bytes from there the CS limit allows (at most 15);
 * -EFAULT with #GP pending when RIP is past the limit.
 */
int emu_fetch_start(struct emu_state *st, uint64_t *linear, unsigned *avail);
/*
 * Up to `avail` bytes at `linear` through the guest's paging; *len is how many could be fetched,
 * and *short_rc why not more (0, or -EFAULT with the fault that reaching further would raise
 * pending; a CS limit below 15 bytes counts as #GP).
 */
int emu_fetch(struct emu_state *st, uint64_t linear, unsigned avail, uint8_t *bytes, unsigned *len,
              int *short_rc);
/* Whether guest memory at `linear` holds exactly bytes[0..len) (within one page), without copying. */
bool emu_fetch_matches(struct emu_state *st, uint64_t linear, const uint8_t *bytes, unsigned len);

/* ---- decode.c (the only user of Zydis) ---- */
/*
 * Decode `bytes` in `mode` into *insn. 0 on success; -ENOENT when more bytes are needed than
 * `len` (the fetch stopped at a fault); -EFAULT with #UD pending for invalid or unsupported ones.
 */
int emu_decode(struct emu_state *st, const uint8_t *bytes, unsigned len, struct emu_insn *insn);

/* ---- decode_cache.c (the hit path is inline: it runs on every warm access) ---- */
/*
 * Direct-mapped on (CR3, linear RIP). A hit needs the same mode and the same instruction bytes as
 * the guest holds now: a self-modifying guest, or one that maps other code at the same address,
 * can never run a stale decode. Comparing at most 15 bytes is cheaper than any invalidation
 * scheme that tracks guest writes.
 */
static inline unsigned emu_cache_slot(uint64_t cr3, uint64_t rip)
{
	uint64_t h = (rip ^ (cr3 >> 12) ^ (rip >> 17)) * 0x9e3779b97f4a7c15ULL;

	return (unsigned)(h >> 58) & (EMU_CACHE_ENTRIES - 1);
}

/* The entry for (cr3, rip, mode), not yet checked against the guest's bytes. */
static inline const struct emu_cache_entry *emu_cache_probe(struct emu_context *ctx, uint64_t cr3,
                                                            uint64_t rip, uint8_t mode)
{
	const struct emu_cache_entry *e = ctx->last;

	if (e && e->rip == rip && e->cr3 == cr3 && e->mode == mode && e->valid)
		return e;
	e = &ctx->cache[emu_cache_slot(cr3, rip)];
	if (e->valid && e->cr3 == cr3 && e->rip == rip && e->mode == mode) {
		ctx->last = e;
		return e;
	}
	return NULL;
}

/* A hit through the entry's recorded code location: no walk, no copy. */
static inline bool emu_cache_code_matches(const struct emu_cache_entry *e)
{
	if (!e->code || !emu_ptes_unchanged(e->code_pte, e->code_val, e->code_levels, e->code_wide))
		return false;
	if (e->code_words) {
		uint64_t lo, hi;

		memcpy(&lo, e->code, sizeof(lo));
		memcpy(&hi, e->code + sizeof(lo), sizeof(hi));
		return ((lo ^ e->word[0]) & e->word_mask[0]) == 0 &&
		       ((hi ^ e->word[1]) & e->word_mask[1]) == 0;
	}
	for (unsigned i = 0; i < e->insn.length; i++)
		if (e->code[i] != e->bytes[i])
			return false;
	return true;
}

const struct emu_insn *emu_cache_lookup(struct emu_context *ctx, uint64_t cr3, uint64_t rip,
                                        uint8_t mode, const uint8_t *bytes, unsigned len);
void emu_cache_insert(struct emu_state *st, uint64_t rip, const uint8_t *bytes,
                      const struct emu_insn *insn);

/* ---- flags.c: arithmetic on the host processor, and conditions ---- */
/*
 * Perform `op` (an ALU emu_op) on operands of `size` bytes with the guest's input flags, as the
 * processor does; returns the result and stores the new arithmetic flags (EMU_FL_ARITH bits only).
 */
uint64_t emu_alu(unsigned op, unsigned size, uint64_t dst, uint64_t src, uint64_t flags_in,
                 uint64_t *flags_out);
/* RFLAGS with the arithmetic bits replaced. */
uint64_t emu_flags_merge(uint64_t rflags, uint64_t arith);
/* Whether condition code cc (0-15, as in Jcc/SETcc/CMOVcc) holds for rflags. */
bool emu_condition(unsigned cc, uint64_t rflags);

/* ---- exec_*.c: one instruction family each; 0 done, EMU_RETRY (REP, partly done) or -errno ---- */
int emu_exec_mov(struct emu_state *st);
int emu_exec_string(struct emu_state *st);
int emu_exec_alu(struct emu_state *st);
int emu_exec_bit(struct emu_state *st);
int emu_exec_xchg(struct emu_state *st);
int emu_exec_stack(struct emu_state *st);
int emu_exec_cond(struct emu_state *st);
int emu_exec_sse(struct emu_state *st);

/* The most iterations of a REP instruction per exit: the rest runs after the guest re-executes. */
#define EMU_REP_BUDGET 4096U

#endif
