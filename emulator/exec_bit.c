/* BT/BTS/BTR/BTC on memory: the bit string addressed by a register offset may lie outside the operand. */
#include "emulator/emu_internal.h"

int emu_exec_bit(struct emu_state *st)
{
	const struct emu_insn *in = st->insn;
	const struct emu_operand *src = &in->opnd[1];
	unsigned size = in->opnd[0].size, bits = size * 8;
	uint64_t off, value, rflags, arith, res, offset = st->ea;
	int rc;

	if (in->nopnd != 2 || in->opnd[0].kind != EMU_OPND_MEM)
		return emu_raise_ud(st, "bit test with unexpected operands");
	rc = emu_opnd_read(st, src, &off, false);
	if (rc)
		return rc;
	if (src->kind == EMU_OPND_GPR) {
		/*
		 * SDM "BT": a register offset is signed and selects any bit relative to the operand's
		 * address; the access is the operand-size unit that holds it.
		 */
		unsigned shift = 64 - bits;
		int64_t soff = (int64_t)(off << shift) >> shift;
		int64_t unit =
		    soff >= 0 ? soff / (int64_t)bits : -((-soff + bits - 1) / (int64_t)bits);

		offset = (offset + (uint64_t)unit * size) & emu_mask(in->addr_size);
	}
	off &= bits - 1;
	rc = emu_read_mem(st, in->mem.seg, offset, &value, size, in->op != EMU_OP_BT);
	if (!rc)
		rc = emu_reg_get(st, EMU_REG_RFLAGS, &rflags);
	if (rc)
		return rc;
	res = emu_alu(in->op, size, value, off, rflags, &arith);
	if (in->op != EMU_OP_BT) {
		rc = emu_write_mem(st, in->mem.seg, offset, &res, size);
		if (rc)
			return rc;
	}
	emu_reg_set(st, EMU_REG_RFLAGS, emu_flags_merge(rflags, arith));
	return 0;
}
