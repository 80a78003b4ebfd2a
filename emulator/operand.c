/* Reading and writing a decoded operand: a general register, an immediate or the memory operand. */
#include "emulator/emu_internal.h"

int emu_opnd_read(struct emu_state *st, const struct emu_operand *op, uint64_t *value, bool rmw)
{
	switch (op->kind) {
	case EMU_OPND_GPR: return emu_gpr_read(st, op, value);
	/* Immediates come sign-extended to 64 bits; the user truncates to its operand size. */
	case EMU_OPND_IMM: *value = (uint64_t)st->insn->imm; return 0;
	case EMU_OPND_MEM:
		*value = 0;
		/* Little-endian host and guest: the low bytes of *value are the operand. */
		return emu_read_mem(st, st->insn->mem.seg, st->ea, value, op->size, rmw);
	default: return -EINVAL;
	}
}

int emu_opnd_write(struct emu_state *st, const struct emu_operand *op, uint64_t value)
{
	switch (op->kind) {
	case EMU_OPND_GPR: return emu_gpr_write(st, op, value);
	case EMU_OPND_MEM: return emu_write_mem(st, st->insn->mem.seg, st->ea, &value, op->size);
	default: return -EINVAL;
	}
}
