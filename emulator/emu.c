/* emu_mmio_exit(): mode, fetch, decode (or the cache), execute, then write back, inject or report. */
#include <string.h>

#include <hv/abi/hv_registers.h>

#include "emulator/emu_internal.h"

void emu_context_init(struct emu_context *ctx, const char *name)
{
	memset(ctx, 0, sizeof(*ctx));
	ctx->name = name ? name : "?";
}

/* The mode decides how bytes decode and how addresses form (SDM "Modes of Operation"). */
static int find_mode(struct emu_state *st)
{
	const uint16_t cs_attributes = st->ctl.cs_attributes;
	uint64_t rflags;
	int rc;

	if (!(st->ctl.cr0 & EMU_CR0_PE)) {
		st->mode = EMU_MODE_REAL;
		return 0;
	}
	/* RFLAGS.VM means nothing in long mode: don't even read RFLAGS there. */
	if (!(st->ctl.efer & EMU_EFER_LMA)) {
		rc = emu_reg_get(st, EMU_REG_RFLAGS, &rflags);
		if (rc)
			return rc;
	} else {
		rflags = 0;
	}
	if ((rflags & EMU_FL_VM) && !(st->ctl.efer & EMU_EFER_LMA))
		st->mode =
		    EMU_MODE_REAL; /* virtual-8086: real-mode decoding and addressing, CPL 3 */
	else if ((st->ctl.efer & EMU_EFER_LMA) && (cs_attributes & HV_SEG_ATTR_L))
		st->mode = EMU_MODE_LONG64;
	else if (st->ctl.efer & EMU_EFER_LMA)
		st->mode = (cs_attributes & HV_SEG_ATTR_DB) ? EMU_MODE_COMPAT32 : EMU_MODE_COMPAT16;
	else
		st->mode = (cs_attributes & HV_SEG_ATTR_DB) ? EMU_MODE_PROT32 : EMU_MODE_PROT16;
	return 0;
}

/* The instruction at RIP, from the cache when its bytes are unchanged, else from Zydis. */
static int get_insn(struct emu_state *st, struct emu_insn *scratch)
{
	const struct emu_cache_entry *cand;
	uint8_t bytes[15];
	uint64_t linear;
	unsigned avail, len;
	int short_rc, rc;

	/* In 64-bit mode CS has no base or limit: RIP is the linear address (emu_fetch_start). */
	if (st->mode == EMU_MODE_LONG64) {
		rc = emu_reg_get(st, EMU_REG_RIP, &linear);
		avail = 15;
	} else {
		rc = emu_fetch_start(st, &linear, &avail);
	}
	if (rc)
		return rc;
	/* The hit path compares the cached bytes with guest memory in place: no copy, no decode. */
	cand = emu_cache_probe(st->ctx, st->ctl.cr3, linear, st->mode);
	if (cand && cand->insn.length <= avail &&
	    (emu_cache_code_matches(cand) ||
	     emu_fetch_matches(st, linear, cand->bytes, cand->insn.length))) {
		st->ctx->stats.cache_hits++;
		st->insn = &cand->insn;
		return 0;
	}
	rc = emu_fetch(st, linear, avail, bytes, &len, &short_rc);
	if (rc)
		return rc;
	st->insn = emu_cache_lookup(st->ctx, st->ctl.cr3, linear, st->mode, bytes, len);
	if (st->insn) { /* an instruction that crosses a page */
		st->ctx->stats.cache_hits++;
		return 0;
	}
	st->ctx->stats.cache_misses++;
	rc = emu_decode(st, bytes, len, scratch);
	if (rc ==
	    -ENOENT) /* the instruction runs into the page (or limit) that could not be fetched */
		return short_rc ? short_rc : emu_raise_ud(st, "truncated instruction");
	if (rc)
		return rc;
	emu_cache_insert(st, linear, bytes, scratch);
	st->insn = scratch;
	return 0;
}

static int execute(struct emu_state *st)
{
	switch (st->insn->op) {
	case EMU_OP_MOV:
	case EMU_OP_MOVZX:
	case EMU_OP_MOVSX:
	case EMU_OP_MOVNTI: return emu_exec_mov(st);
	case EMU_OP_MOVS:
	case EMU_OP_STOS:
	case EMU_OP_LODS:
	case EMU_OP_CMPS:
	case EMU_OP_SCAS:
	case EMU_OP_INS:
	case EMU_OP_OUTS: return emu_exec_string(st);
	case EMU_OP_BT:
	case EMU_OP_BTS:
	case EMU_OP_BTR:
	case EMU_OP_BTC: return emu_exec_bit(st);
	case EMU_OP_XCHG:
	case EMU_OP_CMPXCHG:
	case EMU_OP_XADD: return emu_exec_xchg(st);
	case EMU_OP_SETCC:
	case EMU_OP_CMOVCC: return emu_exec_cond(st);
	case EMU_OP_PUSH:
	case EMU_OP_POP: return emu_exec_stack(st);
	case EMU_OP_VMOV: return emu_exec_sse(st);
	default: return emu_exec_alu(st);
	}
}

/*
 * The warm path for the commonest MMIO access: a driver's MOV between a general register (or an
 * immediate) and a device register, in 64-bit mode. It performs exactly what emu_exec_mov() and
 * the access layer would, minus their generality. Anything unusual (FS/GS, a non-canonical
 * address, #AC possible, a page crossing, a vector or sign-extending move) declines before any
 * side effect, and the general path then does it (registers already read stay cached).
 */
static bool fast_mov(struct emu_state *st, int *rc)
{
	const struct emu_insn *in = st->insn;
	const struct emu_operand *dst = &in->opnd[0];
	bool store = dst->kind == EMU_OPND_MEM;
	const struct emu_operand *other = &in->opnd[store ? 1 : 0];
	unsigned size = in->opnd[store ? 0 : 1].size;
	unsigned shift = (st->ctl.cr4 & EMU_CR4_LA57) ? 64 - 57 : 64 - 48;
	uint64_t linear = st->ea, value = 0;
	hv_gpa_t gpa;
	void *ram;

	if (st->mode != EMU_MODE_LONG64)
		return false;
	/*
	 * One page, canonical (else #GP/#SS) and no #AC check (CPL 3 with CR0.AM): as emu_linear().
	 * Within one page the first byte's canonicality is the last byte's too, since the
	 * non-canonical hole starts and ends on page boundaries.
	 */
	if ((linear & (HV_PAGE_SIZE - 1)) + size > HV_PAGE_SIZE ||
	    (uint64_t)((int64_t)(linear << shift) >> shift) != linear ||
	    (st->ctl.cpl == 3 && (st->ctl.cr0 & EMU_CR0_AM)))
		return false;
	/* The exit's GVA hint usually answers this without a call into the walker. */
	if (!(st->ctl.cr0 & EMU_CR0_PG) ||
	    !emu_walk_hint(st, linear, store ? EMU_ACC_WRITE : EMU_ACC_READ, &gpa)) {
		*rc = emu_walk(st, linear, store ? EMU_ACC_WRITE : EMU_ACC_READ, &gpa);
		if (*rc)
			return true;
	}
	if (store) {
		if (other->kind == EMU_OPND_IMM)
			value = (uint64_t)in->imm;
		else if ((*rc = emu_gpr_read(st, other, &value)) != 0)
			return true;
	}
	/* RAM through the monitor's pointer, anything else is the device: as piece_read/write(). */
	ram = st->ops->ram_ptr(st->opaque, gpa, size);
	if (store) {
		if (ram)
			memcpy(ram, &value, size);
		else
			*rc = st->ops->mmio_write(st->opaque, gpa, &value, size);
		return true;
	}
	if (ram)
		memcpy(&value, ram, size);
	else
		*rc = st->ops->mmio_read(st->opaque, gpa, &value, size);
	if (*rc)
		return true;
	/* 32- and 64-bit destinations replace the whole register (emu_gpr_write's first case). */
	if (dst->size >= 4)
		emu_reg_set(st, dst->reg, value);
	else
		*rc = emu_gpr_write(st, dst, value & emu_mask(dst->size));
	return true;
}

static int emulate(struct emu_state *st, struct emu_insn *scratch)
{
	int rc = st->ops->read_control(st->opaque, &st->ctl);
	bool fast;

	if (!rc)
		rc = find_mode(st);
	if (!rc)
		rc = get_insn(st, scratch);
	if (rc)
		return rc;
	/* The warm path's shape (never a string instruction) from an MMIO exit. */
	fast = st->insn->fast_mov && !st->port_string_exit;
	/* A string port-I/O exit must find INS or OUTS at RIP, and only there may they run. */
	if (!fast &&
	    st->port_string_exit != (st->insn->op == EMU_OP_INS || st->insn->op == EMU_OP_OUTS))
		return st->port_string_exit ? -EINVAL
		                            : emu_raise_ud(st, "port I/O outside a port exit");
	/* String instructions address through rSI/rDI; the others have one memory operand. */
	if (st->insn->op < EMU_OP_MOVS || st->insn->op > EMU_OP_OUTS)
		rc = emu_effective_address(st, &st->ea);
	if (rc || (fast && fast_mov(st, &rc)))
		return rc;
	return execute(st);
}

/* What a string port-I/O exit tells the emulator: no GPA, no linear address. */
static const struct emu_fault port_string_fault;

int emu_mmio_exit_fault(struct emu_context *ctx, const struct emu_ops *ops, void *opaque,
                        const struct emu_fault *fault)
{
	struct emu_state st;
	struct emu_insn scratch;
	int rc;

	st.ctx = ctx;
	st.ops = ops;
	st.opaque = opaque;
	st.fault_info = fault;
	st.reg_valid = st.reg_dirty = st.seg_valid = st.walk_key = 0;
	st.commit_on_fault = false;
	st.port_string_exit = fault == &port_string_fault;
	st.insn = NULL;

	rc = emulate(&st, &scratch);
	if (rc == 0 || rc == EMU_RETRY) {
		int result = rc;

		rc = emu_commit(&st, result == 0);
		if (!rc) {
			ctx->stats.emulated++;
			return result;
		}
	} else if (rc == -EFAULT) {
		uint64_t rip = 0;

		(void)emu_reg_get(&st, EMU_REG_RIP, &rip);
		emu_log(&st,
		        "emulator: partition %s: fault %u (error code %#x) injected at RIP %#llx",
		        ctx->name, st.fault.vector, st.fault.error_code, (unsigned long long)rip);
		rc = st.commit_on_fault ? emu_commit(&st, false) : 0;
		if (!rc)
			rc = ops->inject_exception(opaque, st.fault.vector, st.fault.has_error_code,
			                           st.fault.error_code, st.fault.cr2);
		if (!rc) {
			ctx->stats.faults++;
			return EMU_FAULT_INJECTED;
		}
	}
	ctx->stats.errors++;
	emu_log(&st, "emulator: partition %s: emulation failed (error %d) near GPA %#llx",
	        ctx->name, rc, (unsigned long long)fault->gpa);
	return rc;
}

int emu_mmio_exit(struct emu_context *ctx, const struct emu_ops *ops, void *opaque,
                  hv_gpa_t fault_gpa)
{
	const struct emu_fault fault = {.gpa = fault_gpa};

	return emu_mmio_exit_fault(ctx, ops, opaque, &fault);
}

int emu_port_string_exit(struct emu_context *ctx, const struct emu_ops *ops, void *opaque)
{
	if (!ops->port_read || !ops->port_write)
		return -EINVAL;
	return emu_mmio_exit_fault(ctx, ops, opaque, &port_string_fault);
}
