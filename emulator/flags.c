/* Arithmetic and its flags, computed by the host processor itself, and the Jcc/SETcc/CMOVcc conditions. */
#include "emulator/emu_internal.h"

/*
 * The guest runs on this very processor, so the surest way to give it the flags "the CPU
 * produces" (including those the SDM leaves undefined, such as AF after AND or what BT does to
 * OF/SF/AF/PF, which some processors leave unchanged) is to run the same operation here on
 * registers, as KVM's "fastop" does. The guest's arithmetic flags go in through POPF merged into
 * the host's own RFLAGS, so IF, AC, TF and DF of the host never change. Only general registers
 * are touched: fine in the -mgeneral-regs-only monitor. The stack moves 128 bytes down first
 * because host tests have a red zone.
 */
#define LOAD_FLAGS                                                                            \
	"lea -128(%%rsp), %%rsp\n\tpushfq\n\tandq $~0x8d5, (%%rsp)\n\tor %[fin], (%%rsp)\n\t" \
	"popfq\n\t"
#define SAVE_FLAGS "pushfq\n\tpopq %[fl]\n\tlea 128(%%rsp), %%rsp"

#define BINARY(insn, T)                                              \
	do {                                                         \
		T d_ = (T)dst, s_ = (T)src;                          \
		__asm__(LOAD_FLAGS insn " %[s], %[d]\n\t" SAVE_FLAGS \
		        : [d] "+r"(d_), [fl] "=&r"(fl)               \
		        : [s] "r"(s_), [fin] "r"(flags_in)           \
		        : "cc", "memory");                           \
		res = d_;                                            \
	} while (0)

#define UNARY(insn, T)                                         \
	do {                                                   \
		T d_ = (T)dst;                                 \
		__asm__(LOAD_FLAGS insn " %[d]\n\t" SAVE_FLAGS \
		        : [d] "+r"(d_), [fl] "=&r"(fl)         \
		        : [fin] "r"(flags_in)                  \
		        : "cc", "memory");                     \
		res = d_;                                      \
	} while (0)

#define BY_SIZE(M, insn)                   \
	switch (size) {                    \
	case 1: M(insn, uint8_t); break;   \
	case 2: M(insn, uint16_t); break;  \
	case 4: M(insn, uint32_t); break;  \
	default: M(insn, uint64_t); break; \
	}

/* BT has no byte form; the caller reduces the bit offset to the operand's width. */
#define BY_SIZE_NO8(M, insn)               \
	switch (size) {                    \
	case 2: M(insn, uint16_t); break;  \
	case 4: M(insn, uint32_t); break;  \
	default: M(insn, uint64_t); break; \
	}

uint64_t emu_alu(unsigned op, unsigned size, uint64_t dst, uint64_t src, uint64_t flags_in,
                 uint64_t *flags_out)
{
	uint64_t res = dst, fl = flags_in;

	flags_in &= EMU_FL_ARITH;

	switch (op) {
	case EMU_OP_ADD: BY_SIZE(BINARY, "add"); break;
	case EMU_OP_OR: BY_SIZE(BINARY, "or"); break;
	case EMU_OP_ADC: BY_SIZE(BINARY, "adc"); break;
	case EMU_OP_SBB: BY_SIZE(BINARY, "sbb"); break;
	case EMU_OP_AND: BY_SIZE(BINARY, "and"); break;
	case EMU_OP_SUB: BY_SIZE(BINARY, "sub"); break;
	case EMU_OP_XOR: BY_SIZE(BINARY, "xor"); break;
	case EMU_OP_CMP: BY_SIZE(BINARY, "cmp"); break;
	case EMU_OP_TEST: BY_SIZE(BINARY, "test"); break;
	case EMU_OP_INC: BY_SIZE(UNARY, "inc"); break;
	case EMU_OP_DEC: BY_SIZE(UNARY, "dec"); break;
	case EMU_OP_NEG: BY_SIZE(UNARY, "neg"); break;
	case EMU_OP_NOT: res = ~dst; break;
	case EMU_OP_BT: BY_SIZE_NO8(BINARY, "bt"); break;
	case EMU_OP_BTS: BY_SIZE_NO8(BINARY, "bts"); break;
	case EMU_OP_BTR: BY_SIZE_NO8(BINARY, "btr"); break;
	case EMU_OP_BTC: BY_SIZE_NO8(BINARY, "btc"); break;
	default: break;
	}
	*flags_out = fl & EMU_FL_ARITH;
	return res & emu_mask(size);
}

uint64_t emu_flags_merge(uint64_t rflags, uint64_t arith)
{
	return (rflags & ~EMU_FL_ARITH) | (arith & EMU_FL_ARITH);
}

/* Intel SDM "Jcc": the sixteen conditions, in opcode order; odd codes negate the even ones. */
bool emu_condition(unsigned cc, uint64_t f)
{
	bool cf = f & EMU_FL_CF, zf = f & EMU_FL_ZF, sf = f & EMU_FL_SF, of = f & EMU_FL_OF;
	bool pf = f & EMU_FL_PF, r;

	switch (cc >> 1) {
	case 0: r = of; break;
	case 1: r = cf; break;
	case 2: r = zf; break;
	case 3: r = cf || zf; break;
	case 4: r = sf; break;
	case 5: r = pf; break;
	case 6: r = sf != of; break;
	default: r = zf || sf != of; break;
	}
	return (cc & 1) ? !r : r;
}
