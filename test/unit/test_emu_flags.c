/* Unit tests for flags.c: the sixteen conditions against the host's SETcc, and the arithmetic helper. */
#include "test/unit/emu_test.h"

TestSuite(emu_flags);

/* SETcc on the host with the given arithmetic flags loaded: the oracle for emu_condition(). */
static bool host_condition(unsigned cc, uint64_t flags)
{
	uint8_t r = 0;
	uint64_t f = 0x2 | (flags & 0x8d5);

#define CC(n, insn)                                                                     \
	case n:                                                                         \
		__asm__("lea -128(%%rsp), %%rsp\n\tpush %1\n\tpopfq\n\t" insn " %0\n\t" \
		        "lea 128(%%rsp), %%rsp"                                         \
		        : "=r"(r)                                                       \
		        : "r"(f)                                                        \
		        : "cc");                                                        \
		break
	switch (cc) {
		CC(0, "seto");
		CC(1, "setno");
		CC(2, "setb");
		CC(3, "setae");
		CC(4, "sete");
		CC(5, "setne");
		CC(6, "setbe");
		CC(7, "seta");
		CC(8, "sets");
		CC(9, "setns");
		CC(10, "setp");
		CC(11, "setnp");
		CC(12, "setl");
		CC(13, "setge");
		CC(14, "setle");
		CC(15, "setg");
	}
	return r;
}

Test(emu_flags, conditions_match_the_host)
{
	/* Every combination of CF, PF, ZF, SF and OF. */
	for (unsigned bits = 0; bits < 32; bits++) {
		uint64_t f = ((bits & 1) ? 0x1 : 0) | ((bits & 2) ? 0x4 : 0) |
		             ((bits & 4) ? 0x40 : 0) | ((bits & 8) ? 0x80 : 0) |
		             ((bits & 16) ? 0x800 : 0);

		for (unsigned cc = 0; cc < 16; cc++)
			cr_assert_eq(emu_condition(cc, f), host_condition(cc, f),
			             "cc %u flags %#lx", cc, f);
	}
}

Test(emu_flags, merge_and_alu_basics)
{
	uint64_t fl;

	cr_assert_eq(emu_flags_merge(0x202 | 0x8d5, 0x40), 0x202 | 0x40);
	cr_assert_eq(emu_alu(EMU_OP_ADD, 1, 0xff, 1, 0, &fl), 0);
	cr_assert_eq(fl & 0x41, 0x41, "ZF and CF");
	cr_assert_eq(emu_alu(EMU_OP_NOT, 2, 0x00ff, 0, 0x8d5, &fl), 0xff00);
	cr_assert_eq(emu_alu(EMU_OP_ADC, 4, 0xffffffff, 0, 1, &fl), 0);
	cr_assert_eq(emu_alu(EMU_OP_INC, 8, ~0ULL, 0, 1, &fl), 0);
	cr_assert(fl & 1, "INC keeps CF");
	cr_assert_eq(emu_alu(EMU_OP_BTC, 8, 0, 63, 0, &fl), 1ULL << 63);
}
