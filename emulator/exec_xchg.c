/* XCHG, CMPXCHG and XADD with memory (LOCK accepted: one VP and one device access at a time). */
#include "emulator/emu_internal.h"

static const struct emu_operand accumulator[] = {
    {.kind = EMU_OPND_GPR, .size = 1, .reg = EMU_REG_RAX},
    {.kind = EMU_OPND_GPR, .size = 2, .reg = EMU_REG_RAX},
    {.kind = EMU_OPND_GPR, .size = 4, .reg = EMU_REG_RAX},
    {.kind = EMU_OPND_GPR, .size = 8, .reg = EMU_REG_RAX},
};

static const struct emu_operand *acc_for(unsigned size)
{
	return &accumulator[size == 1 ? 0 : size == 2 ? 1 : size == 4 ? 2 : 3];
}

int emu_exec_xchg(struct emu_state *st)
{
	const struct emu_insn *in = st->insn;
	const struct emu_operand *mem = &in->opnd[0], *reg = &in->opnd[1];
	uint64_t m, r, rflags, arith, res, acc;
	int rc;

	if (in->nopnd != 2)
		return emu_raise_ud(st, "exchange with unexpected operands");
	if (mem->kind != EMU_OPND_MEM) { /* XCHG r, m */
		mem = &in->opnd[1];
		reg = &in->opnd[0];
	}
	if (mem->kind != EMU_OPND_MEM || reg->kind != EMU_OPND_GPR)
		return emu_raise_ud(st, "exchange with unexpected operands");
	rc = emu_opnd_read(st, mem, &m, true);
	if (!rc)
		rc = emu_gpr_read(st, reg, &r);
	if (rc)
		return rc;

	switch (in->op) {
	case EMU_OP_XCHG:
		rc = emu_opnd_write(st, mem, r);
		return rc ? rc : emu_gpr_write(st, reg, m);
	case EMU_OP_XADD:
		rc = emu_reg_get(st, EMU_REG_RFLAGS, &rflags);
		if (rc)
			return rc;
		res = emu_alu(EMU_OP_ADD, mem->size, m, r, rflags, &arith);
		rc = emu_opnd_write(st, mem, res);
		if (!rc)
			rc = emu_gpr_write(st, reg, m);
		if (!rc)
			emu_reg_set(st, EMU_REG_RFLAGS, emu_flags_merge(rflags, arith));
		return rc;
	default: /* CMPXCHG */
		rc = emu_gpr_read(st, acc_for(mem->size), &acc);
		if (!rc)
			rc = emu_reg_get(st, EMU_REG_RFLAGS, &rflags);
		if (rc)
			return rc;
		emu_alu(EMU_OP_CMP, mem->size, acc, m, rflags, &arith);
		if (arith & EMU_FL_ZF) {
			rc = emu_opnd_write(st, mem, r);
		} else {
			/* SDM "CMPXCHG": the destination is written back unchanged, then the accumulator loaded. */
			rc = emu_opnd_write(st, mem, m);
			if (!rc)
				rc = emu_gpr_write(st, acc_for(mem->size), m);
		}
		if (!rc)
			emu_reg_set(st, EMU_REG_RFLAGS, emu_flags_merge(rflags, arith));
		return rc;
	}
}
