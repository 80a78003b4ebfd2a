/* MOV in all its forms (register, immediate, moffs), MOVZX, MOVSX/MOVSXD and MOVNTI. */
#include "emulator/emu_internal.h"

static uint64_t sign_extend(uint64_t v, unsigned size)
{
	unsigned shift = 64 - 8 * size;

	return size >= 8 ? v : (uint64_t)((int64_t)(v << shift) >> shift);
}

int emu_exec_mov(struct emu_state *st)
{
	const struct emu_insn *in = st->insn;
	const struct emu_operand *dst = &in->opnd[0], *src = &in->opnd[1];
	uint64_t v;
	int rc;

	if (in->nopnd != 2)
		return emu_raise_ud(st, "MOV with unexpected operands");
	rc = emu_opnd_read(st, src, &v, false);
	if (rc)
		return rc;
	/* MOVSXD with a 16- or 32-bit destination is a plain move: extending to dst size is a no-op. */
	if (in->op == EMU_OP_MOVSX)
		v = sign_extend(v, src->size);
	return emu_opnd_write(st, dst, v & emu_mask(dst->size));
}
