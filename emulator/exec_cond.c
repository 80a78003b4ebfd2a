/* SETcc to memory and CMOVcc from memory. */
#include "emulator/emu_internal.h"

int emu_exec_cond(struct emu_state *st)
{
	const struct emu_insn *in = st->insn;
	uint64_t rflags, v;
	bool taken;
	int rc = emu_reg_get(st, EMU_REG_RFLAGS, &rflags);

	if (rc)
		return rc;
	taken = emu_condition(in->cond, rflags);
	if (in->op == EMU_OP_SETCC)
		return in->nopnd == 1 ? emu_opnd_write(st, &in->opnd[0], taken)
		                      : emu_raise_ud(st, "SETcc with unexpected operands");
	if (in->nopnd != 2 || in->opnd[0].kind != EMU_OPND_GPR)
		return emu_raise_ud(st, "CMOVcc with unexpected operands");
	/* The source is read (and may fault) whether or not the condition holds. */
	rc = emu_opnd_read(st, &in->opnd[1], &v, false);
	if (rc)
		return rc;
	if (taken)
		return emu_gpr_write(st, &in->opnd[0], v);
	/* Not taken with a 32-bit destination still zeroes bits 63:32 in 64-bit mode. */
	if (in->opnd[0].size == 4) {
		rc = emu_gpr_read(st, &in->opnd[0], &v);
		return rc ? rc : emu_gpr_write(st, &in->opnd[0], v);
	}
	return 0;
}
