/* A decoded instruction in the emulator's own compact form (no Zydis types): what the cache stores. */
#ifndef EMULATOR_INSN_H
#define EMULATOR_INSN_H

#include <stdbool.h>
#include <stdint.h>

/* How the processor interprets code: decides the decoder mode, address and stack sizes. */
enum emu_mode {
	EMU_MODE_REAL = 0, /* real and virtual-8086 mode */
	EMU_MODE_PROT16,
	EMU_MODE_PROT32,
	EMU_MODE_COMPAT16,
	EMU_MODE_COMPAT32,
	EMU_MODE_LONG64,
};

enum emu_op {
	EMU_OP_INVALID = 0,
	EMU_OP_MOV,
	EMU_OP_MOVZX,
	EMU_OP_MOVSX,
	EMU_OP_MOVNTI,
	EMU_OP_MOVS,
	EMU_OP_STOS,
	EMU_OP_LODS,
	EMU_OP_CMPS,
	EMU_OP_SCAS,
	EMU_OP_INS,  /* string port input: port I/O through emu_ops.port_read */
	EMU_OP_OUTS, /* string port output */
	EMU_OP_ADD,
	EMU_OP_OR,
	EMU_OP_ADC,
	EMU_OP_SBB,
	EMU_OP_AND,
	EMU_OP_SUB,
	EMU_OP_XOR,
	EMU_OP_CMP,
	EMU_OP_TEST,
	EMU_OP_INC,
	EMU_OP_DEC,
	EMU_OP_NEG,
	EMU_OP_NOT,
	EMU_OP_XCHG,
	EMU_OP_CMPXCHG,
	EMU_OP_XADD,
	EMU_OP_BT,
	EMU_OP_BTS,
	EMU_OP_BTR,
	EMU_OP_BTC,
	EMU_OP_SETCC,
	EMU_OP_CMOVCC,
	EMU_OP_PUSH,
	EMU_OP_POP,
	EMU_OP_VMOV, /* MOVD/MOVQ/MOVDQA/MOVDQU/MOVAPS/MOVUPS/MOVNTDQ and their VEX forms */
	EMU_OP_COUNT
};

enum emu_operand_kind {
	EMU_OPND_NONE = 0,
	EMU_OPND_GPR,
	EMU_OPND_MEM,
	EMU_OPND_IMM,
	EMU_OPND_VEC,
};

#define EMU_NO_REG 0xffU /* no base / no index */
#define EMU_RIP    16U   /* base register of RIP-relative addressing */

struct emu_operand {
	uint8_t kind; /* enum emu_operand_kind */
	uint8_t size; /* bytes: 1, 2, 4, 8, 16 or 32 */
	uint8_t reg;  /* GPR 0-15 (enum emu_reg order) or vector register 0-15 */
	bool high8;   /* AH, CH, DH, BH: bits 15:8 of register reg */
};

/* The one explicit memory operand (the source, for MOVS and CMPS). */
struct emu_mem {
	uint8_t seg;   /* enum emu_seg, after overrides and defaults */
	uint8_t base;  /* GPR, EMU_RIP or EMU_NO_REG */
	uint8_t index; /* GPR or EMU_NO_REG */
	uint8_t scale;
	int64_t disp;
};

/* Vector move properties (EMU_OP_VMOV). */
#define EMU_VEC_ALIGNED 0x01U /* MOVDQA/MOVAPS/MOVNTDQ: #GP unless aligned to the operand size */
#define EMU_VEC_VEX     0x02U /* VEX encoded: needs AVX state, zeroes the upper bits on loads */
#define EMU_VEC_ZEXT    0x04U /* MOVD/MOVQ load: zero the rest of the 128-bit register */

enum emu_rep { EMU_REP_NONE = 0, EMU_REP_E, EMU_REP_NE };

struct emu_insn {
	uint8_t op;        /* enum emu_op */
	uint8_t length;    /* bytes, 1-15 */
	uint8_t op_size;   /* operand size in bytes */
	uint8_t addr_size; /* 2, 4 or 8 */
	uint8_t rep;       /* enum emu_rep (REP and REPE share EMU_REP_E) */
	uint8_t cond;      /* SETcc/CMOVcc: condition code 0-15 (the opcode's low nibble) */
	uint8_t vec_flags; /* EMU_VEC_* */
	bool lock;
	/*
	 * Set at decode time: a plain MOV/MOVZX/MOVNTI between one memory operand of at most 8
	 * bytes, outside FS/GS, and a general register or (stores) an immediate — the shape the
	 * emulator's warm fast path handles; what it still checks per access is mode and address.
	 */
	bool fast_mov;
	uint8_t nopnd;
	struct emu_operand opnd[3]; /* Intel order: opnd[0] is the destination */
	struct emu_mem mem;
	int64_t imm; /* sign-extended to 64 bits as the instruction defines */
};

#endif
