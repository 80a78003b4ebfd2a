/* Zydis → struct emu_insn: the only file that sees Zydis, and where unsupported instructions are refused. */
#include <string.h>

#include <Zydis/Decoder.h>
#include <Zydis/Mnemonic.h>

#include "emulator/emu_internal.h"

static const ZydisMachineMode zydis_mode[] = {
    [EMU_MODE_REAL] = ZYDIS_MACHINE_MODE_REAL_16,
    [EMU_MODE_PROT16] = ZYDIS_MACHINE_MODE_LEGACY_16,
    [EMU_MODE_PROT32] = ZYDIS_MACHINE_MODE_LEGACY_32,
    [EMU_MODE_COMPAT16] = ZYDIS_MACHINE_MODE_LONG_COMPAT_16,
    [EMU_MODE_COMPAT32] = ZYDIS_MACHINE_MODE_LONG_COMPAT_32,
    [EMU_MODE_LONG64] = ZYDIS_MACHINE_MODE_LONG_64,
};

static const ZydisStackWidth zydis_stack[] = {
    [EMU_MODE_REAL] = ZYDIS_STACK_WIDTH_16,     [EMU_MODE_PROT16] = ZYDIS_STACK_WIDTH_16,
    [EMU_MODE_PROT32] = ZYDIS_STACK_WIDTH_32,   [EMU_MODE_COMPAT16] = ZYDIS_STACK_WIDTH_16,
    [EMU_MODE_COMPAT32] = ZYDIS_STACK_WIDTH_32, [EMU_MODE_LONG64] = ZYDIS_STACK_WIDTH_64,
};

/* A general register as (number, high-byte); false for anything else (segment, control, ...). */
static bool map_gpr(ZydisRegister r, struct emu_operand *op)
{
	op->high8 = false;
	if (r >= ZYDIS_REGISTER_AH && r <= ZYDIS_REGISTER_BH) {
		op->reg = (uint8_t)(r - ZYDIS_REGISTER_AH);
		op->high8 = true;
	} else if (r >= ZYDIS_REGISTER_AL && r <= ZYDIS_REGISTER_BL) {
		op->reg = (uint8_t)(r - ZYDIS_REGISTER_AL);
	} else if (r >= ZYDIS_REGISTER_SPL && r <= ZYDIS_REGISTER_R15B) {
		op->reg = (uint8_t)(4 + r - ZYDIS_REGISTER_SPL);
	} else if (r >= ZYDIS_REGISTER_AX && r <= ZYDIS_REGISTER_R15W) {
		op->reg = (uint8_t)(r - ZYDIS_REGISTER_AX);
	} else if (r >= ZYDIS_REGISTER_EAX && r <= ZYDIS_REGISTER_R15D) {
		op->reg = (uint8_t)(r - ZYDIS_REGISTER_EAX);
	} else if (r >= ZYDIS_REGISTER_RAX && r <= ZYDIS_REGISTER_R15) {
		op->reg = (uint8_t)(r - ZYDIS_REGISTER_RAX);
	} else {
		return false;
	}
	op->kind = EMU_OPND_GPR;
	return true;
}

static bool map_vec(ZydisRegister r, struct emu_operand *op)
{
	if (r >= ZYDIS_REGISTER_XMM0 && r <= ZYDIS_REGISTER_XMM15)
		op->reg = (uint8_t)(r - ZYDIS_REGISTER_XMM0);
	else if (r >= ZYDIS_REGISTER_YMM0 && r <= ZYDIS_REGISTER_YMM15)
		op->reg = (uint8_t)(r - ZYDIS_REGISTER_YMM0);
	else
		return false;
	op->kind = EMU_OPND_VEC;
	return true;
}

/* Base/index registers of an address: 16-, 32- or 64-bit GPRs, or the instruction pointer. */
static bool map_addr_reg(ZydisRegister r, uint8_t *out)
{
	struct emu_operand op;

	if (r == ZYDIS_REGISTER_NONE) {
		*out = EMU_NO_REG;
		return true;
	}
	if (r == ZYDIS_REGISTER_RIP || r == ZYDIS_REGISTER_EIP) {
		*out = EMU_RIP;
		return true;
	}
	if (!map_gpr(r, &op) || op.high8)
		return false;
	*out = op.reg;
	return true;
}

static bool map_mem(const ZydisDecodedOperand *z, struct emu_mem *m)
{
	if (z->mem.type != ZYDIS_MEMOP_TYPE_MEM || z->mem.segment < ZYDIS_REGISTER_ES ||
	    z->mem.segment > ZYDIS_REGISTER_GS)
		return false;
	m->seg = (uint8_t)(z->mem.segment - ZYDIS_REGISTER_ES);
	m->scale = z->mem.scale ? z->mem.scale : 1;
	m->disp = z->mem.disp.value;
	return map_addr_reg(z->mem.base, &m->base) && map_addr_reg(z->mem.index, &m->index);
}

/* The emulator's operation for an instruction, or EMU_OP_INVALID when it is not one it emulates. */
static enum emu_op classify(const ZydisDecodedInstruction *z, struct emu_insn *in)
{
	if (z->encoding == ZYDIS_INSTRUCTION_ENCODING_LEGACY &&
	    z->opcode_map == ZYDIS_OPCODE_MAP_DEFAULT) {
		switch (z->opcode) {
		case 0xa4:
		case 0xa5: return EMU_OP_MOVS;
		case 0xa6:
		case 0xa7: return EMU_OP_CMPS;
		case 0xaa:
		case 0xab: return EMU_OP_STOS;
		case 0xac:
		case 0xad: return EMU_OP_LODS;
		case 0xae:
		case 0xaf: return EMU_OP_SCAS;
		case 0x6c:
		case 0x6d: return EMU_OP_INS;
		case 0x6e:
		case 0x6f: return EMU_OP_OUTS;
		default: break;
		}
	}
	if (z->encoding == ZYDIS_INSTRUCTION_ENCODING_LEGACY &&
	    z->opcode_map == ZYDIS_OPCODE_MAP_0F) {
		if ((z->opcode & 0xf0) == 0x90) {
			in->cond = z->opcode & 0xf;
			return EMU_OP_SETCC;
		}
		if ((z->opcode & 0xf0) == 0x40) {
			in->cond = z->opcode & 0xf;
			return EMU_OP_CMOVCC;
		}
	}
	switch (z->mnemonic) {
	case ZYDIS_MNEMONIC_MOV: return EMU_OP_MOV;
	case ZYDIS_MNEMONIC_MOVZX: return EMU_OP_MOVZX;
	case ZYDIS_MNEMONIC_MOVSX:
	case ZYDIS_MNEMONIC_MOVSXD: return EMU_OP_MOVSX;
	case ZYDIS_MNEMONIC_MOVNTI: return EMU_OP_MOVNTI;
	case ZYDIS_MNEMONIC_ADD: return EMU_OP_ADD;
	case ZYDIS_MNEMONIC_OR: return EMU_OP_OR;
	case ZYDIS_MNEMONIC_ADC: return EMU_OP_ADC;
	case ZYDIS_MNEMONIC_SBB: return EMU_OP_SBB;
	case ZYDIS_MNEMONIC_AND: return EMU_OP_AND;
	case ZYDIS_MNEMONIC_SUB: return EMU_OP_SUB;
	case ZYDIS_MNEMONIC_XOR: return EMU_OP_XOR;
	case ZYDIS_MNEMONIC_CMP: return EMU_OP_CMP;
	case ZYDIS_MNEMONIC_TEST: return EMU_OP_TEST;
	case ZYDIS_MNEMONIC_INC: return EMU_OP_INC;
	case ZYDIS_MNEMONIC_DEC: return EMU_OP_DEC;
	case ZYDIS_MNEMONIC_NEG: return EMU_OP_NEG;
	case ZYDIS_MNEMONIC_NOT: return EMU_OP_NOT;
	case ZYDIS_MNEMONIC_XCHG: return EMU_OP_XCHG;
	case ZYDIS_MNEMONIC_CMPXCHG: return EMU_OP_CMPXCHG;
	case ZYDIS_MNEMONIC_XADD: return EMU_OP_XADD;
	case ZYDIS_MNEMONIC_BT: return EMU_OP_BT;
	case ZYDIS_MNEMONIC_BTS: return EMU_OP_BTS;
	case ZYDIS_MNEMONIC_BTR: return EMU_OP_BTR;
	case ZYDIS_MNEMONIC_BTC: return EMU_OP_BTC;
	case ZYDIS_MNEMONIC_PUSH: return EMU_OP_PUSH;
	case ZYDIS_MNEMONIC_POP: return EMU_OP_POP;
	case ZYDIS_MNEMONIC_MOVDQA:
	case ZYDIS_MNEMONIC_VMOVDQA:
	case ZYDIS_MNEMONIC_MOVAPS:
	case ZYDIS_MNEMONIC_VMOVAPS:
	case ZYDIS_MNEMONIC_MOVAPD:
	case ZYDIS_MNEMONIC_VMOVAPD:
	case ZYDIS_MNEMONIC_MOVNTDQ:
	case ZYDIS_MNEMONIC_VMOVNTDQ:
	case ZYDIS_MNEMONIC_MOVNTPS:
	case ZYDIS_MNEMONIC_VMOVNTPS:
	case ZYDIS_MNEMONIC_MOVNTPD:
	case ZYDIS_MNEMONIC_VMOVNTPD: in->vec_flags |= EMU_VEC_ALIGNED; return EMU_OP_VMOV;
	case ZYDIS_MNEMONIC_MOVDQU:
	case ZYDIS_MNEMONIC_VMOVDQU:
	case ZYDIS_MNEMONIC_MOVUPS:
	case ZYDIS_MNEMONIC_VMOVUPS:
	case ZYDIS_MNEMONIC_MOVUPD:
	case ZYDIS_MNEMONIC_VMOVUPD: return EMU_OP_VMOV;
	case ZYDIS_MNEMONIC_MOVD:
	case ZYDIS_MNEMONIC_VMOVD:
	case ZYDIS_MNEMONIC_MOVQ:
	case ZYDIS_MNEMONIC_VMOVQ: in->vec_flags |= EMU_VEC_ZEXT; return EMU_OP_VMOV;
	default: return EMU_OP_INVALID;
	}
}

/* The explicit operands, in Intel order; false when one is of a kind the emulator does not handle. */
static bool map_operands(const ZydisDecodedInstruction *z, const ZydisDecodedOperand *zo,
                         struct emu_insn *in, unsigned *nmem)
{
	*nmem = 0;
	in->nopnd = 0;
	for (unsigned i = 0; i < z->operand_count_visible && i < 3; i++) {
		const ZydisDecodedOperand *o = &zo[i];
		struct emu_operand *op = &in->opnd[in->nopnd];

		op->size = (uint8_t)(o->size / 8);
		switch (o->type) {
		case ZYDIS_OPERAND_TYPE_REGISTER:
			if (!map_gpr(o->reg.value, op) && !map_vec(o->reg.value, op))
				return false;
			break;
		case ZYDIS_OPERAND_TYPE_MEMORY:
			if (!map_mem(o, &in->mem))
				return false;
			op->kind = EMU_OPND_MEM;
			(*nmem)++;
			break;
		case ZYDIS_OPERAND_TYPE_IMMEDIATE:
			op->kind = EMU_OPND_IMM;
			in->imm = o->imm.is_signed ? o->imm.value.s : (int64_t)o->imm.value.u;
			break;
		default: return false;
		}
		in->nopnd++;
	}
	return true;
}

/* String instructions: the size from the opcode, the source segment from Zydis's memory operand. */
static bool map_string(const ZydisDecodedInstruction *z, const ZydisDecodedOperand *zo,
                       struct emu_insn *in)
{
	in->op_size = (z->opcode & 1) ? z->operand_width / 8 : 1;
	in->mem.seg = EMU_SEG_DS;
	for (unsigned i = 0; i < z->operand_count; i++) {
		const ZydisDecodedOperand *o = &zo[i];

		if (o->type == ZYDIS_OPERAND_TYPE_MEMORY &&
		    (o->mem.base == ZYDIS_REGISTER_SI || o->mem.base == ZYDIS_REGISTER_ESI ||
		     o->mem.base == ZYDIS_REGISTER_RSI))
			in->mem.seg = (uint8_t)(o->mem.segment - ZYDIS_REGISTER_ES);
	}
	if (z->attributes & (ZYDIS_ATTRIB_HAS_REPE | ZYDIS_ATTRIB_HAS_REP))
		in->rep = EMU_REP_E;
	else if (z->attributes & ZYDIS_ATTRIB_HAS_REPNE)
		in->rep = EMU_REP_NE;
	/* REPNE before MOVS/STOS/LODS repeats like REP (only CMPS and SCAS look at ZF). */
	if (in->rep == EMU_REP_NE && in->op != EMU_OP_CMPS && in->op != EMU_OP_SCAS)
		in->rep = EMU_REP_E;
	return true;
}

static int refuse(struct emu_state *st, const ZydisDecodedInstruction *z, const char *why)
{
	uint64_t rip = 0;
	const char *name = ZydisMnemonicGetString(z->mnemonic);

	(void)emu_reg_get(st, EMU_REG_RIP, &rip);
	emu_log(st, "emulator: partition %s: #UD at RIP %#llx: %s %s", st->ctx->name,
	        (unsigned long long)rip, name ? name : "?", why);
	return emu_raise(st, EMU_VEC_UD, false, 0);
}

/* The instruction shapes emu.c's fast_mov() takes (struct emu_insn.fast_mov). */
static bool fast_mov_shape(const struct emu_insn *in)
{
	const struct emu_operand *dst = &in->opnd[0], *src = &in->opnd[1];
	bool store = dst->kind == EMU_OPND_MEM;
	const struct emu_operand *mem = store ? dst : src, *other = store ? src : dst;

	return in->nopnd == 2 &&
	       (in->op == EMU_OP_MOV || in->op == EMU_OP_MOVZX || in->op == EMU_OP_MOVNTI) &&
	       mem->kind == EMU_OPND_MEM && mem->size <= 8 &&
	       (other->kind == EMU_OPND_GPR || (store && other->kind == EMU_OPND_IMM)) &&
	       in->mem.seg != EMU_SEG_FS && in->mem.seg != EMU_SEG_GS;
}

int emu_decode(struct emu_state *st, const uint8_t *bytes, unsigned len, struct emu_insn *in)
{
	ZydisDecoder decoder;
	ZydisDecodedInstruction z;
	ZydisDecodedOperand zo[ZYDIS_MAX_OPERAND_COUNT];
	ZyanStatus status;
	unsigned nmem;

	if (ZYAN_FAILED(ZydisDecoderInit(&decoder, zydis_mode[st->mode], zydis_stack[st->mode])))
		return -EINVAL;
	status = ZydisDecoderDecodeFull(&decoder, bytes, len, &z, zo);
	if (status == ZYDIS_STATUS_NO_MORE_DATA && len < 15)
		return -ENOENT;
	if (ZYAN_FAILED(status))
		return emu_raise_ud(st, "invalid instruction encoding");

	memset(in, 0, sizeof(*in));
	in->length = z.length;
	in->addr_size = z.address_width / 8;
	in->op_size = z.operand_width / 8;
	in->lock = (z.attributes & ZYDIS_ATTRIB_HAS_LOCK) != 0;
	in->mem.base = in->mem.index = EMU_NO_REG;
	in->op = (uint8_t)classify(&z, in);
	if (in->op == EMU_OP_INVALID)
		return refuse(st, &z, "is not emulated");
	if (in->op >= EMU_OP_MOVS && in->op <= EMU_OP_OUTS)
		return map_string(&z, zo, in) ? 0 : refuse(st, &z, "has unusual operands");
	if (z.encoding != ZYDIS_INSTRUCTION_ENCODING_LEGACY &&
	    z.encoding != ZYDIS_INSTRUCTION_ENCODING_VEX)
		return refuse(st, &z, "(EVEX) is not emulated");
	if (!map_operands(&z, zo, in, &nmem))
		return refuse(st, &z, "has operands that are not emulated");
	if (nmem != 1)
		return refuse(st, &z, "has no memory operand");
	if (in->op == EMU_OP_VMOV) {
		for (unsigned i = 0; i < in->nopnd; i++)
			if (in->opnd[i].kind == EMU_OPND_GPR)
				return refuse(st, &z, "with a general register is not emulated");
		if (in->opnd[0].kind != EMU_OPND_VEC && in->opnd[1].kind != EMU_OPND_VEC)
			return refuse(st, &z, "(MMX) is not emulated");
		if (z.encoding == ZYDIS_INSTRUCTION_ENCODING_VEX)
			in->vec_flags |= EMU_VEC_VEX;
	}
	/*
	 * LOCK is legal only on the read-modify-write forms with a memory destination (Zydis
	 * refuses it elsewhere already); XCHG locks by itself.
	 */
	if (in->lock && in->opnd[0].kind != EMU_OPND_MEM)
		return refuse(st, &z, "with LOCK and no memory destination");
	in->fast_mov = fast_mov_shape(in);
	return 0;
}
