/* PUSH and POP with a memory operand (the stack itself is ordinary RAM). */
#include <hv/abi/hv_registers.h>

#include "emulator/emu_internal.h"

/* The stack pointer's width: 8 in 64-bit mode, else SS.B picks ESP or SP. */
static int stack_width(struct emu_state *st, unsigned *width)
{
	const struct emu_segment *ss;
	int rc;

	if (st->mode == EMU_MODE_LONG64) {
		*width = 8;
		return 0;
	}
	rc = emu_seg_get(st, EMU_SEG_SS, &ss);
	if (!rc)
		*width = (ss->attributes & HV_SEG_ATTR_DB) ? 4 : 2;
	return rc;
}

int emu_exec_stack(struct emu_state *st)
{
	const struct emu_insn *in = st->insn;
	const struct emu_operand *mem = &in->opnd[0];
	const struct emu_operand sp = {.kind = EMU_OPND_GPR, .reg = EMU_REG_RSP};
	struct emu_operand spw = sp;
	unsigned width, size = mem->size;
	uint64_t rsp, v = 0;
	int rc;

	if (in->nopnd != 1 || mem->kind != EMU_OPND_MEM)
		return emu_raise_ud(st, "PUSH/POP with unexpected operands");
	rc = stack_width(st, &width);
	if (!rc)
		rc = emu_reg_get(st, EMU_REG_RSP, &rsp);
	if (rc)
		return rc;
	spw.size = (uint8_t)width;
	if (in->op == EMU_OP_PUSH) {
		uint64_t top = (rsp - size) & emu_mask(width);

		rc = emu_opnd_read(st, mem, &v, false);
		if (!rc)
			rc = emu_write_mem(st, EMU_SEG_SS, top, &v, size);
		return rc ? rc : emu_gpr_write(st, &spw, top);
	}
	rc = emu_read_mem(st, EMU_SEG_SS, rsp & emu_mask(width), &v, size, false);
	if (rc)
		return rc;
	rc = emu_gpr_write(st, &spw, (rsp + size) & emu_mask(width));
	/* SDM "POP": an RSP-based destination address is computed after RSP was incremented. */
	if (!rc && (in->mem.base == EMU_REG_RSP || in->mem.index == EMU_REG_RSP))
		rc = emu_effective_address(st, &st->ea);
	return rc ? rc : emu_opnd_write(st, mem, v);
}
