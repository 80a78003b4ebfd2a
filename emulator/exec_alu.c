/* ADD/OR/ADC/SBB/AND/SUB/XOR/CMP/TEST with a memory operand, and INC/DEC/NEG/NOT on memory. */
#include "emulator/emu_internal.h"

int emu_exec_alu(struct emu_state *st)
{
	const struct emu_insn *in = st->insn;
	const struct emu_operand *dst = &in->opnd[0];
	bool unary = in->op == EMU_OP_INC || in->op == EMU_OP_DEC || in->op == EMU_OP_NEG ||
	             in->op == EMU_OP_NOT;
	bool writes = in->op != EMU_OP_CMP && in->op != EMU_OP_TEST;
	uint64_t a, b = 0, rflags, arith, res;
	int rc;

	if (in->nopnd != (unary ? 1 : 2))
		return emu_raise_ud(st, "ALU instruction with unexpected operands");
	rc = emu_opnd_read(st, dst, &a, writes);
	if (!rc && !unary)
		rc = emu_opnd_read(st, &in->opnd[1], &b, false);
	if (!rc)
		rc = emu_reg_get(st, EMU_REG_RFLAGS, &rflags);
	if (rc)
		return rc;
	res = emu_alu(in->op, dst->size, a, b, rflags, &arith);
	if (writes) {
		rc = emu_opnd_write(st, dst, res);
		if (rc)
			return rc;
	}
	if (in->op != EMU_OP_NOT)
		emu_reg_set(st, EMU_REG_RFLAGS, emu_flags_merge(rflags, arith));
	return 0;
}
