/* Unit tests for decoding: the compact form Zydis output becomes, and #UD for everything not emulated. */
#include "test/unit/emu_test.h"

#include <criterion/parameterized.h>

TestSuite(emu_decode, .init = emu_test_setup, .fini = emu_test_teardown);

static int decode(uint8_t mode, const uint8_t *b, unsigned n, struct emu_insn *in)
{
	struct emu_state st = emu_test_state(mode);
	int rc = emu_decode(&st, b, n, in);

	if (rc == -EFAULT) {
		g.injected = true;
		g.vector = st.fault.vector;
	}
	return rc;
}

#define DECODE(mode, in, ...)                              \
	({                                                 \
		static const uint8_t b_[] = {__VA_ARGS__}; \
		decode(mode, b_, sizeof(b_), in);          \
	})

Test(emu_decode, fields_of_common_forms)
{
	struct emu_insn in;

	/* mov eax, fs:[rip+0x100] */
	cr_assert_eq(DECODE(EMU_MODE_LONG64, &in, 0x64, 0x8b, 0x05, 0x00, 0x01, 0x00, 0x00), 0);
	cr_assert_eq(in.op, EMU_OP_MOV);
	cr_assert_eq(in.length, 7);
	cr_assert_eq(in.mem.seg, EMU_SEG_FS);
	cr_assert_eq(in.mem.base, EMU_RIP);
	cr_assert_eq(in.mem.disp, 0x100);
	cr_assert_eq(in.opnd[0].kind, EMU_OPND_GPR);
	cr_assert_eq(in.opnd[0].size, 4);
	/* 16-bit addressing: mov ax, [bp+si+4] defaults to SS. */
	cr_assert_eq(DECODE(EMU_MODE_REAL, &in, 0x8b, 0x42, 0x04), 0);
	cr_assert_eq(in.addr_size, 2);
	cr_assert_eq(in.mem.seg, EMU_SEG_SS);
	cr_assert_eq(in.mem.base, EMU_REG_RBP);
	cr_assert_eq(in.mem.index, EMU_REG_RSI);
	/* 67 in 64-bit mode: 32-bit addressing. */
	cr_assert_eq(DECODE(EMU_MODE_LONG64, &in, 0x67, 0x89, 0x03), 0);
	cr_assert_eq(in.addr_size, 4);
	/* mov ah, [rbx]: a high byte register. */
	cr_assert_eq(DECODE(EMU_MODE_LONG64, &in, 0x8a, 0x23), 0);
	cr_assert(in.opnd[0].high8);
	cr_assert_eq(in.opnd[0].reg, EMU_REG_RAX);
	/* rep movsd with an ES-irrelevant FS source override. */
	cr_assert_eq(DECODE(EMU_MODE_LONG64, &in, 0x64, 0xf3, 0xa5), 0);
	cr_assert_eq(in.op, EMU_OP_MOVS);
	cr_assert_eq(in.rep, EMU_REP_E);
	cr_assert_eq(in.mem.seg, EMU_SEG_FS);
	cr_assert_eq(in.op_size, 4);
	/* repne movsb repeats like rep. */
	cr_assert_eq(DECODE(EMU_MODE_LONG64, &in, 0xf2, 0xa4), 0);
	cr_assert_eq(in.rep, EMU_REP_E);
	cr_assert_eq(DECODE(EMU_MODE_LONG64, &in, 0xf2, 0xae), 0);
	cr_assert_eq(in.rep, EMU_REP_NE);
	/* lock or [rbx], eax */
	cr_assert_eq(DECODE(EMU_MODE_LONG64, &in, 0xf0, 0x09, 0x03), 0);
	cr_assert(in.lock);
	/* vmovdqu ymm1, [rbx] */
	cr_assert_eq(DECODE(EMU_MODE_LONG64, &in, 0xc5, 0xfe, 0x6f, 0x0b), 0);
	cr_assert_eq(in.op, EMU_OP_VMOV);
	cr_assert(in.vec_flags & EMU_VEC_VEX);
	cr_assert_eq(in.opnd[1].size, 32);
	/* setne byte [rbx], cmovae eax, [rbx] */
	cr_assert_eq(DECODE(EMU_MODE_LONG64, &in, 0x0f, 0x95, 0x03), 0);
	cr_assert_eq(in.op, EMU_OP_SETCC);
	cr_assert_eq(in.cond, 5);
	cr_assert_eq(DECODE(EMU_MODE_PROT32, &in, 0x0f, 0x43, 0x03), 0);
	cr_assert_eq(in.op, EMU_OP_CMOVCC);
	cr_assert_eq(in.cond, 3);
}

Test(emu_decode, truncated_bytes_ask_for_more)
{
	struct emu_insn in;

	cr_assert_eq(DECODE(EMU_MODE_LONG64, &in, 0x8b, 0x83, 0x10), -ENOENT);
}

struct ud_case {
	uint8_t mode;
	uint8_t len;
	uint8_t bytes[15];
	char why[12]; /* a word the log line must contain */
};

ParameterizedTestParameters(emu_decode, refused_with_ud)
{
	static struct ud_case cases[] = {
	    {EMU_MODE_LONG64, 1, {0xf4}, "hlt"},                         /* not a memory access */
	    {EMU_MODE_LONG64, 2, {0x0f, 0x0b}, "ud2"},                   /* UD2 */
	    {EMU_MODE_LONG64, 3, {0xf0, 0x8b, 0x03}, "invalid"},         /* LOCK MOV */
	    {EMU_MODE_LONG64, 3, {0xf0, 0x39, 0x03}, "invalid"},         /* LOCK CMP */
	    {EMU_MODE_LONG64, 3, {0xf0, 0x01, 0xd8}, "invalid"},         /* LOCK ADD eax, ebx */
	    {EMU_MODE_LONG64, 2, {0x89, 0xd8}, "no memory"},             /* mov eax, ebx */
	    {EMU_MODE_LONG64, 2, {0x8d, 0x03}, "lea"},                   /* no access at all */
	    {EMU_MODE_LONG64, 3, {0x0f, 0xc7, 0x0b}, "cmpxchg8b"},       /* not in the set */
	    {EMU_MODE_LONG64, 2, {0xd1, 0x23}, "shl"},                   /* shifts are not */
	    {EMU_MODE_LONG64, 3, {0x0f, 0x6f, 0x03}, "not emul"},        /* movq mm0, [rbx] */
	    {EMU_MODE_LONG64, 4, {0x66, 0x0f, 0x6e, 0xc0}, "no memory"}, /* movd xmm0, eax */
	    {EMU_MODE_LONG64, 6, {0x62, 0xf1, 0xfe, 0x48, 0x6f, 0x03}, "vmovdqu64"},
	    {EMU_MODE_LONG64, 6, {0x62, 0xf1, 0x7c, 0x48, 0x28, 0x03}, "EVEX"}, /* vmovaps zmm0 */
	    {EMU_MODE_LONG64, 2, {0x8e, 0x1b}, "operands"},                     /* mov ds, [rbx] */
	    {EMU_MODE_LONG64, 3, {0x0f, 0x20, 0xc0}, "operands"},               /* mov rax, cr0 */
	    {EMU_MODE_LONG64, 2, {0xa4 - 0x50, 0x00}, "push"}, /* push rsp: no memory */
	};
	return cr_make_param_array(struct ud_case, cases, sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct ud_case *c, emu_decode, refused_with_ud)
{
	/* Through the whole path, so that the injection and the log line are checked too. */
	if (c->mode != EMU_MODE_LONG64)
		fake_emu_set_mode(&g, FAKE_PAGING_NONE, 4);
	g.regs[EMU_REG_RBX] = MMIO;
	cr_assert_eq(emu_run_bytes(c->bytes, c->len), EMU_FAULT_INJECTED, "%s", g.last_log);
	cr_assert_fault(6, 0);
	cr_assert(strstr(g.last_log, "testpart") != NULL, "log: %s", g.last_log);
	cr_assert(strstr(g.logs, c->why) != NULL, "log does not say %s: %s", c->why, g.logs);
	cr_assert_eq(g.regs[EMU_REG_RIP], FAKE_EMU_CODE);
	cr_assert_eq(g.mmio_reads + g.mmio_writes, 0);
}

Test(emu_decode, ud_log_names_the_instruction)
{
	g.regs[EMU_REG_RBX] = MMIO;
	cr_assert_eq(EMU_RUN(0x0f, 0xc7, 0x0b), EMU_FAULT_INJECTED);
	/* The log's last line is the injection; the decoder's refusal was logged before it. */
	cr_assert_geq(g.nlogs, 2);
	cr_assert(
	    strstr(g.logs, "partition testpart: #UD at RIP 0x1000: cmpxchg8b is not emulated"),
	    "%s", g.logs);
}
