/* SSE/AVX moves between a vector register and memory (MOVD/MOVQ/MOVDQA/MOVDQU/MOVAPS/MOVUPS/MOVNTDQ, VEX). */
#include <string.h>

#include "emulator/emu_internal.h"

/* SDM "Exceptions Class": #UD without OSFXSR or with EM, #NM with TS; VEX also needs XCR0's AVX state. */
static int check_state(struct emu_state *st)
{
	const struct emu_control *ctl = &st->ctl;

	if (!st->ops->read_vector || !st->ops->write_vector)
		return emu_raise_ud(st,
		                    "vector move, but the guest's vector state is not reachable");
	if (st->insn->vec_flags & EMU_VEC_VEX) {
		if (!(ctl->cr4 & EMU_CR4_OSXSAVE) ||
		    (ctl->xcr0 & EMU_XCR0_SSE_AVX) != EMU_XCR0_SSE_AVX)
			return emu_raise_ud(st, "VEX move without AVX state enabled");
	} else if ((ctl->cr0 & EMU_CR0_EM) || !(ctl->cr4 & EMU_CR4_OSFXSR)) {
		return emu_raise_ud(st, "SSE move with CR0.EM set or CR4.OSFXSR clear");
	}
	if (ctl->cr0 & EMU_CR0_TS)
		return emu_raise(st, EMU_VEC_NM, false, 0);
	return 0;
}

int emu_exec_sse(struct emu_state *st)
{
	const struct emu_insn *in = st->insn;
	bool load = in->opnd[0].kind == EMU_OPND_VEC;
	const struct emu_operand *vec = load ? &in->opnd[0] : &in->opnd[1];
	const struct emu_operand *mem = load ? &in->opnd[1] : &in->opnd[0];
	unsigned size = mem->size;
	uint8_t buf[32];
	uint64_t linear;
	int rc;

	if (in->nopnd != 2 || mem->kind != EMU_OPND_MEM || size > 32 || size < 4)
		return emu_raise_ud(st, "vector move with unexpected operands");
	rc = check_state(st);
	if (!rc)
		rc = emu_linear(st, in->mem.seg, st->ea, size, load ? EMU_ACC_READ : EMU_ACC_WRITE,
		                &linear);
	if (rc)
		return rc;
	/* The aligned forms fault on a misaligned operand with #GP(0), whatever CR0.AM says. */
	if ((in->vec_flags & EMU_VEC_ALIGNED) && (linear & (size - 1)))
		return emu_raise(st, EMU_VEC_GP, true, 0);

	memset(buf, 0, sizeof(buf));
	if (load) {
		rc = emu_read_linear(st, linear, buf, size);
		if (rc)
			return rc;
		/* VEX loads zero the register above the operand; legacy SSE keeps bits 255:128. */
		return st->ops->write_vector(st->opaque, vec->reg, buf,
		                             (in->vec_flags & EMU_VEC_VEX) ? 32 : 16);
	}
	rc = st->ops->read_vector(st->opaque, vec->reg, buf, size > 16 ? 32 : 16);
	return rc ? rc : emu_write_linear(st, linear, buf, size);
}
