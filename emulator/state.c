/* The VP's registers during one emulation: read on first use, written back once the instruction completes. */
#include "emulator/emu_internal.h"

int emu_gpr_read(struct emu_state *st, const struct emu_operand *op, uint64_t *value)
{
	uint64_t v;
	int rc = emu_reg_get(st, op->reg, &v);

	if (rc)
		return rc;
	*value = op->high8 ? (v >> 8) & 0xff : v & emu_mask(op->size);
	return 0;
}

/*
 * 8- and 16-bit writes keep the rest of the register; 32-bit writes zero bits 63:32 (in every
 * mode: outside 64-bit mode they are invisible anyway).
 */
int emu_gpr_write(struct emu_state *st, const struct emu_operand *op, uint64_t value)
{
	uint64_t old;
	int rc;

	if (op->size >= 4) {
		emu_reg_set(st, op->reg, value & emu_mask(op->size));
		return 0;
	}
	rc = emu_reg_get(st, op->reg, &old);
	if (rc)
		return rc;
	if (op->high8)
		emu_reg_set(st, op->reg, (old & ~0xff00ULL) | ((value & 0xff) << 8));
	else
		emu_reg_set(st, op->reg,
		            (old & ~emu_mask(op->size)) | (value & emu_mask(op->size)));
	return 0;
}

void emu_log(struct emu_state *st, const char *fmt, ...)
{
	va_list ap;

	if (!st->ops->log)
		return;
	va_start(ap, fmt);
	st->ops->log(st->opaque, fmt, ap);
	va_end(ap);
}

int emu_raise(struct emu_state *st, uint8_t vector, bool has_error_code, uint32_t error_code)
{
	st->fault.vector = vector;
	st->fault.has_error_code = has_error_code;
	st->fault.error_code = error_code;
	st->fault.cr2 = 0;
	return -EFAULT;
}

int emu_raise_pf(struct emu_state *st, uint64_t linear, uint32_t error_code)
{
	emu_raise(st, EMU_VEC_PF, true, error_code);
	st->fault.cr2 = linear;
	return -EFAULT;
}

int emu_raise_ud(struct emu_state *st, const char *why)
{
	uint64_t rip = 0;

	(void)emu_reg_get(st, EMU_REG_RIP, &rip);
	emu_log(st, "emulator: partition %s: #UD at RIP %#llx: %s", st->ctx->name,
	        (unsigned long long)rip, why);
	return emu_raise(st, EMU_VEC_UD, false, 0);
}
