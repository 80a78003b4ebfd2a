/* MOVS/STOS/LODS/CMPS/SCAS/INS/OUTS, with and without REP, in both directions, RAM or MMIO on either side. */
#include "emulator/emu_internal.h"

static struct emu_operand reg_of(unsigned reg, unsigned size)
{
	return (struct emu_operand){
	    .kind = EMU_OPND_GPR, .size = (uint8_t)size, .reg = (uint8_t)reg};
}

/* One iteration; on success the index registers have moved by `step`. */
static int iterate(struct emu_state *st, unsigned size, int64_t step, uint64_t *rflags)
{
	const struct emu_insn *in = st->insn;
	const struct emu_operand si = reg_of(EMU_REG_RSI, in->addr_size);
	const struct emu_operand di = reg_of(EMU_REG_RDI, in->addr_size);
	const struct emu_operand acc = reg_of(EMU_REG_RAX, size);
	bool uses_si = in->op == EMU_OP_MOVS || in->op == EMU_OP_LODS || in->op == EMU_OP_CMPS ||
	               in->op == EMU_OP_OUTS;
	bool uses_di = in->op != EMU_OP_LODS && in->op != EMU_OP_OUTS;
	uint64_t port = 0;
	uint32_t io = 0;
	uint64_t s = 0, d = 0, a = 0, vs = 0, vd = 0, arith;
	int rc;

	rc = emu_gpr_read(st, &si, &s);
	if (!rc)
		rc = emu_gpr_read(st, &di, &d);
	if (rc)
		return rc;
	if (uses_si)
		rc = emu_read_mem(st, in->mem.seg, s, &vs, size, false);
	if (!rc && (in->op == EMU_OP_INS || in->op == EMU_OP_OUTS))
		rc = emu_reg_get(st, EMU_REG_RDX, &port);
	switch (in->op) {
	case EMU_OP_INS:
		if (!rc)
			rc = st->ops->port_read(st->opaque, (uint16_t)port, size, &io);
		vs = io;
		if (!rc)
			rc = emu_write_mem(st, EMU_SEG_ES, d, &vs, size);
		break;
	case EMU_OP_OUTS:
		if (!rc)
			rc = st->ops->port_write(st->opaque, (uint16_t)port, size,
			                         (uint32_t)(vs & emu_mask(size)));
		break;
	case EMU_OP_MOVS:
		if (!rc)
			rc = emu_write_mem(st, EMU_SEG_ES, d, &vs, size);
		break;
	case EMU_OP_STOS:
		rc = emu_gpr_read(st, &acc, &a);
		if (!rc)
			rc = emu_write_mem(st, EMU_SEG_ES, d, &a, size);
		break;
	case EMU_OP_LODS:
		if (!rc)
			rc = emu_gpr_write(st, &acc, vs);
		break;
	case EMU_OP_CMPS:
		if (!rc)
			rc = emu_read_mem(st, EMU_SEG_ES, d, &vd, size, false);
		if (!rc) {
			emu_alu(EMU_OP_CMP, size, vs, vd, *rflags, &arith);
			*rflags = emu_flags_merge(*rflags, arith);
		}
		break;
	default: /* SCAS */
		rc = emu_gpr_read(st, &acc, &a);
		if (!rc)
			rc = emu_read_mem(st, EMU_SEG_ES, d, &vd, size, false);
		if (!rc) {
			emu_alu(EMU_OP_CMP, size, a, vd, *rflags, &arith);
			*rflags = emu_flags_merge(*rflags, arith);
		}
		break;
	}
	if (rc)
		return rc;
	/* The index registers wrap within the address size (SI at 64 KiB, ESI at 4 GiB). */
	if (uses_si)
		rc = emu_gpr_write(st, &si, s + (uint64_t)step);
	if (!rc && uses_di)
		rc = emu_gpr_write(st, &di, d + (uint64_t)step);
	return rc;
}

int emu_exec_string(struct emu_state *st)
{
	const struct emu_insn *in = st->insn;
	const struct emu_operand cx = reg_of(EMU_REG_RCX, in->addr_size);
	bool compares = in->op == EMU_OP_CMPS || in->op == EMU_OP_SCAS;
	unsigned size = in->op_size;
	uint64_t rflags, count = 1;
	int64_t step;
	int rc = emu_reg_get(st, EMU_REG_RFLAGS, &rflags);

	if (!rc && in->rep)
		rc = emu_gpr_read(st, &cx, &count);
	if (rc)
		return rc;
	step = (rflags & EMU_FL_DF) ? -(int64_t)size : (int64_t)size;
	for (unsigned done = 0; count; done++) {
		if (done == EMU_REP_BUDGET)
			return EMU_RETRY; /* the guest re-executes the instruction for the rest */
		rc = iterate(st, size, step, &rflags);
		if (rc)
			return rc;
		if (compares)
			emu_reg_set(st, EMU_REG_RFLAGS, rflags);
		if (!in->rep)
			break;
		count--;
		rc = emu_gpr_write(st, &cx, count);
		if (rc)
			return rc;
		/* Finished iterations stay done even if a later one faults (SDM "REP/REPE/REPNE"). */
		st->commit_on_fault = true;
		if (compares && ((in->rep == EMU_REP_E) != ((rflags & EMU_FL_ZF) != 0)))
			break;
	}
	return 0;
}
