/* The differential oracle: generated ALU/move/bit/exchange/SETcc/CMOVcc instructions, run natively and emulated. */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <hv/exit.h>

#include "emulator/emu.h"
#include "test/fakes/fake_emu_guest.h"

/*
 * Each case is one instruction with a memory operand. The host runs it on an ordinary buffer at
 * BUF (mapped at that very address); the emulator runs it in a fake 64-bit guest whose page at
 * BUF is the MMIO window. Registers, arithmetic flags and the buffer must come out identical.
 */
#define BUF      0x10000000ULL
#define BUF_SIZE 8192U
#define TARGET   (BUF + 0x1000) /* operands land around the middle of the two pages */

struct native_state {
	uint64_t gpr[16];
	uint64_t rflags;
};

void native_run(struct native_state *s, const void *code);
void *native_code_ptr;

/* Load every GPR but RSP and the flags from *s, call the code, store them back. */
__asm__(".text\n"
        ".globl native_run\n"
        "native_run:\n"
        "  push %rbx\n  push %rbp\n  push %r12\n  push %r13\n  push %r14\n  push %r15\n"
        "  push %rdi\n"
        "  mov %rsi, native_code_ptr(%rip)\n"
        "  pushq 128(%rdi)\n  popfq\n"
        "  mov 0(%rdi), %rax\n  mov 8(%rdi), %rcx\n  mov 16(%rdi), %rdx\n  mov 24(%rdi), %rbx\n"
        "  mov 40(%rdi), %rbp\n  mov 48(%rdi), %rsi\n  mov 64(%rdi), %r8\n  mov 72(%rdi), %r9\n"
        "  mov 80(%rdi), %r10\n  mov 88(%rdi), %r11\n  mov 96(%rdi), %r12\n  mov 104(%rdi), %r13\n"
        "  mov 112(%rdi), %r14\n  mov 120(%rdi), %r15\n  mov 56(%rdi), %rdi\n"
        "  call *native_code_ptr(%rip)\n"
        "  pushfq\n  push %rdi\n  mov 16(%rsp), %rdi\n  popq 56(%rdi)\n  popq 128(%rdi)\n"
        "  mov %rax, 0(%rdi)\n  mov %rcx, 8(%rdi)\n  mov %rdx, 16(%rdi)\n  mov %rbx, 24(%rdi)\n"
        "  mov %rbp, 40(%rdi)\n  mov %rsi, 48(%rdi)\n  mov %r8, 64(%rdi)\n  mov %r9, 72(%rdi)\n"
        "  mov %r10, 80(%rdi)\n  mov %r11, 88(%rdi)\n  mov %r12, 96(%rdi)\n  mov %r13, 104(%rdi)\n"
        "  mov %r14, 112(%rdi)\n  mov %r15, 120(%rdi)\n"
        "  add $8, %rsp\n"
        "  pop %r15\n  pop %r14\n  pop %r13\n  pop %r12\n  pop %rbp\n  pop %rbx\n"
        "  ret\n");

static uint8_t *code_page, *buf;
static struct fake_emu_guest guest;
static struct emu_context ctx;
static uint64_t rng = 0x9e3779b97f4a7c15ULL;

static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static void setup(void)
{
	code_page = mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC,
	                 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	buf = mmap((void *)BUF, BUF_SIZE, PROT_READ | PROT_WRITE,
	           MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	cr_assert(code_page != MAP_FAILED && buf == (void *)BUF);
	fake_emu_init(&guest);
	emu_context_init(&ctx, "diff");
}

static void teardown(void)
{
	munmap(code_page, 4096);
	munmap(buf, BUF_SIZE);
	fake_emu_free(&guest);
}

/* An instruction under construction. */
struct gen {
	uint8_t b[15];
	unsigned n;
	unsigned size;  /* operand size: 1, 2, 4, 8 */
	bool byte_form; /* the opcode's 8-bit form */
	bool lockable;
	bool no_66;   /* MOVNTI and the like have no 16-bit form */
	bool only_w;  /* MOVSXD: test the REX.W form */
	unsigned reg; /* ModRM.reg value (register or /digit) */
	bool reg_is_digit;
	unsigned imm;   /* immediate bytes after the ModRM operand */
	unsigned min16; /* BT and CMOVcc: no byte form, 16/32/64 */
	bool
	    distinct; /* the register operand must not be the base or index (it holds a bit offset) */
};

static const uint8_t gprs[] = {0, 1, 2, 3, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15}; /* not RSP */

/* Emit prefixes, opcode, ModRM/SIB/displacement addressing TARGET+delta, and the immediate. */
static void emit(struct gen *g, const uint8_t *opc, unsigned nopc, struct native_state *s,
                 int64_t delta)
{
	unsigned base = gprs[rnd() % 15], index = gprs[rnd() % 15];
	bool sib = (base & 7) == 4 || (rnd() & 1), use_index = sib && (rnd() & 1) && index != base;
	unsigned scale = (unsigned)(rnd() & 3), mod = (rnd() & 1) ? 1 : 2;
	int32_t disp = mod == 1 ? (int8_t)rnd() : (int32_t)(rnd() % 0x100000) - 0x80000;
	uint8_t rex = 0x40;
	unsigned i = 0;

	if (g->lockable && (rnd() % 3 == 0))
		g->b[i++] = 0xf0;
	if (g->byte_form) {
		g->size = 1;
	} else {
		unsigned r = (unsigned)(rnd() % 3);

		if (g->only_w)
			r = 2;
		if (g->no_66 && r == 0)
			r = 1;
		g->size = r == 0 ? 2 : r == 1 ? 4 : 8;
		if (r == 0)
			g->b[i++] = 0x66;
		if (r == 2)
			rex |= 0x08;
	}
	if (!g->reg_is_digit) {
		do
			g->reg = gprs[rnd() % 15];
		while (g->distinct && (g->reg == base || g->reg == index));
		/* Registers 4-7 are AH..BH without REX and SPL..DIL with it: test both. */
		if (g->byte_form && g->reg >= 4 && g->reg < 8 && (rnd() & 1))
			rex |= 0x00;
		else if (g->reg >= 8)
			rex |= 0x04;
	}
	if (base >= 8)
		rex |= 0x01;
	if (use_index && index >= 8)
		rex |= 0x02;
	/* A REX prefix without bits still changes what byte registers 4-7 mean. */
	if (rex != 0x40 || (rnd() % 4 == 0))
		g->b[i++] = rex;
	memcpy(&g->b[i], opc, nopc);
	i += nopc;
	g->b[i++] = (uint8_t)((mod << 6) | ((g->reg & 7) << 3) | (sib ? 4 : (base & 7)));
	if (sib)
		g->b[i++] =
		    (uint8_t)((scale << 6) | ((use_index ? index & 7 : 4) << 3) | (base & 7));
	if (mod == 1) {
		g->b[i++] = (uint8_t)disp;
	} else {
		memcpy(&g->b[i], &disp, 4);
		i += 4;
	}
	for (unsigned k = 0; k < g->imm; k++)
		g->b[i++] = (uint8_t)rnd();
	g->n = i;

	uint64_t target = TARGET + (uint64_t)delta;
	uint64_t idx = use_index ? s->gpr[index] : 0;

	s->gpr[base] = target - (uint64_t)(int64_t)disp - (idx << scale);
}

/* Pick one instruction form at random; returns a short name for messages. */
static const char *generate(struct gen *g, struct native_state *s)
{
	static const char *const alu_names[] = {"add", "or",  "adc", "sbb",
	                                        "and", "sub", "xor", "cmp"};
	uint8_t opc[3];
	unsigned kind = (unsigned)(rnd() % 20), op = (unsigned)(rnd() % 8);
	int64_t delta = (int64_t)(rnd() % 128) - 64;

	memset(g, 0, sizeof(*g));
	switch (kind) {
	case 0: /* ALU r/m, r */
	case 1:
		g->byte_form = rnd() & 1;
		opc[0] = (uint8_t)(op * 8 + (g->byte_form ? 0 : 1));
		g->lockable = op != 7;
		emit(g, opc, 1, s, delta);
		return alu_names[op];
	case 2: /* ALU r, r/m */
		g->byte_form = rnd() & 1;
		opc[0] = (uint8_t)(op * 8 + (g->byte_form ? 2 : 3));
		emit(g, opc, 1, s, delta);
		return alu_names[op];
	case 3: /* ALU r/m, imm */
	case 4: {
		unsigned form = (unsigned)(rnd() % 3);

		g->byte_form = form == 0;
		opc[0] = form == 0 ? 0x80 : form == 1 ? 0x81 : 0x83;
		g->reg = op;
		g->reg_is_digit = true;
		g->lockable = op != 7;
		g->imm = form == 1 ? 0 : 1;
		emit(g, opc, 1, s, delta);
		if (form == 1) { /* iz: 2 bytes with 66, else 4 */
			unsigned k = g->size == 2 ? 2 : 4;

			for (unsigned j = 0; j < k; j++)
				g->b[g->n++] = (uint8_t)rnd();
		}
		return alu_names[op];
	}
	case 5: { /* TEST/NOT/NEG r/m (F6/F7), INC/DEC (FE/FF), TEST r/m, r (84/85) */
		unsigned which = (unsigned)(rnd() % 6);

		g->byte_form = rnd() & 1;
		if (which == 5) {
			opc[0] = g->byte_form ? 0x84 : 0x85;
			emit(g, opc, 1, s, delta);
			return "test r";
		}
		g->reg_is_digit = true;
		if (which <= 2) {
			static const unsigned digit[] = {0, 2, 3};

			opc[0] = g->byte_form ? 0xf6 : 0xf7;
			g->reg = digit[which];
			g->lockable = which != 0;
			if (which == 0)
				g->imm = g->byte_form ? 1 : 0;
			emit(g, opc, 1, s, delta);
			if (which == 0 && !g->byte_form)
				for (unsigned j = 0; j < (g->size == 2 ? 2U : 4U); j++)
					g->b[g->n++] = (uint8_t)rnd();
			return which == 0 ? "test imm" : which == 1 ? "not" : "neg";
		}
		opc[0] = g->byte_form ? 0xfe : 0xff;
		g->reg = which - 3;
		g->lockable = true;
		emit(g, opc, 1, s, delta);
		return which == 3 ? "inc" : "dec";
	}
	case 6: /* MOV r/m, r and MOV r, r/m */
	case 7:
		g->byte_form = rnd() & 1;
		opc[0] = (uint8_t)((kind == 6 ? 0x88 : 0x8a) + (g->byte_form ? 0 : 1));
		emit(g, opc, 1, s, delta);
		return "mov";
	case 8: /* MOV r/m, imm */
		g->byte_form = rnd() & 1;
		opc[0] = g->byte_form ? 0xc6 : 0xc7;
		g->reg_is_digit = true;
		g->imm = g->byte_form ? 1 : 0;
		emit(g, opc, 1, s, delta);
		if (!g->byte_form)
			for (unsigned j = 0; j < (g->size == 2 ? 2U : 4U); j++)
				g->b[g->n++] = (uint8_t)rnd();
		return "mov imm";
	case 9: { /* MOV moffs: A0-A3 with a 64-bit address */
		uint64_t addr = TARGET + (uint64_t)delta;
		unsigned i = 0, r = (unsigned)(rnd() % 4);

		g->byte_form = rnd() & 1;
		if (!g->byte_form && r == 0)
			g->b[i++] = 0x66;
		if (!g->byte_form && r == 1)
			g->b[i++] = 0x48;
		g->b[i++] = (uint8_t)(0xa0 + (rnd() & 2) + (g->byte_form ? 0 : 1));
		memcpy(&g->b[i], &addr, 8);
		g->n = i + 8;
		return "mov moffs";
	}
	case 10: /* MOVZX/MOVSX */
		opc[0] = 0x0f;
		opc[1] = (uint8_t)((rnd() & 1 ? 0xb6 : 0xbe) + (rnd() & 1));
		g->min16 = 1;
		emit(g, opc, 2, s, delta);
		return "movzx/movsx";
	case 11: /* MOVSXD, MOVNTI */
		if (rnd() & 1) {
			opc[0] = 0x63;
			g->only_w = true;
			emit(g, opc, 1, s, delta);
			return "movsxd";
		}
		opc[0] = 0x0f;
		opc[1] = 0xc3;
		g->no_66 = true;
		emit(g, opc, 2, s, delta);
		return "movnti";
	case 12: /* XCHG */
		g->byte_form = rnd() & 1;
		opc[0] = g->byte_form ? 0x86 : 0x87;
		g->lockable = true;
		emit(g, opc, 1, s, delta);
		return "xchg";
	case 13: /* CMPXCHG, XADD */
	case 14:
		g->byte_form = rnd() & 1;
		opc[0] = 0x0f;
		opc[1] = (uint8_t)((kind == 13 ? 0xb0 : 0xc0) + (g->byte_form ? 0 : 1));
		g->lockable = true;
		/* Half of the CMPXCHGs get an equal accumulator, so that both outcomes are covered. */
		if (kind == 13 && (rnd() & 1))
			memcpy(&s->gpr[0], buf + (TARGET - BUF) + delta, 8);
		emit(g, opc, 2, s, delta);
		return kind == 13 ? "cmpxchg" : "xadd";
	case 15: { /* BT/BTS/BTR/BTC r/m, r with a small signed bit offset */
		static const uint8_t bt_ops[] = {0xa3, 0xab, 0xb3, 0xbb};
		unsigned w = (unsigned)(rnd() % 4);

		opc[0] = 0x0f;
		opc[1] = bt_ops[w];
		g->lockable = w != 0;
		g->distinct = true;
		emit(g, opc, 2, s, delta);
		/* The bit register: keep the addressed unit within the buffer. */
		{
			int64_t bit = (int64_t)(rnd() % 1024) - 512;
			uint64_t v = s->gpr[g->reg];

			if (g->size == 2)
				v = (v & ~0xffffULL) | ((uint64_t)bit & 0xffff);
			else if (g->size == 4)
				v = (v & ~0xffffffffULL) | ((uint64_t)bit & 0xffffffff);
			else
				v = (uint64_t)bit;
			s->gpr[g->reg] = v;
		}
		return "bt r";
	}
	case 16: /* BT* r/m, imm8 */
		opc[0] = 0x0f;
		opc[1] = 0xba;
		g->reg = 4 + (unsigned)(rnd() % 4);
		g->reg_is_digit = true;
		g->lockable = g->reg != 4;
		g->imm = 1;
		emit(g, opc, 2, s, delta);
		return "bt imm";
	case 17: /* SETcc */
		opc[0] = 0x0f;
		opc[1] = (uint8_t)(0x90 + rnd() % 16);
		g->byte_form = true;
		g->reg_is_digit = true;
		emit(g, opc, 2, s, delta);
		return "setcc";
	default: /* CMOVcc */
		opc[0] = 0x0f;
		opc[1] = (uint8_t)(0x40 + rnd() % 16);
		emit(g, opc, 2, s, delta);
		return "cmovcc";
	}
}

static void hex(const struct gen *g, char *out)
{
	for (unsigned i = 0; i < g->n; i++)
		sprintf(out + 3 * i, "%02x ", g->b[i]);
}

static void run_case(unsigned n)
{
	struct native_state s, before;
	struct gen g;
	const char *name;
	char bytes[64];

	for (int r = 0; r < 16; r++)
		s.gpr[r] = rnd();
	s.gpr[4] = 0;
	/* Random arithmetic flags; DF clear (the SysV ABI's state); bit 1 always set. */
	s.rflags = 0x2 | (rnd() & 0x8d5);
	for (unsigned i = 0; i < BUF_SIZE; i += 8) {
		uint64_t v = rnd();

		memcpy(buf + i, &v, 8);
	}
	name = generate(&g, &s);
	hex(&g, bytes);
	before = s;

	/* The emulated side: the same registers, the buffer's bytes in the MMIO window at BUF. */
	fake_emu_reset(&guest, FAKE_PAGING_4L, 8);
	fake_emu_map(&guest, BUF, FAKE_EMU_MMIO_BASE, FAKE_PTE_P | FAKE_PTE_W);
	fake_emu_map(&guest, BUF + 4096, FAKE_EMU_MMIO_BASE + 4096, FAKE_PTE_P | FAKE_PTE_W);
	memcpy(guest.mmio, buf, BUF_SIZE);
	memcpy(guest.regs, s.gpr, sizeof(s.gpr));
	guest.regs[EMU_REG_RFLAGS] = s.rflags;
	fake_emu_code(&guest, g.b, g.n);
	/* Half the cases carry a VMX-style hint (the linear page, for reads): both paths must agree. */
	struct emu_fault fault = {.gpa = FAKE_EMU_MMIO_BASE + 0x1000};

	if (n & 1) {
		fault.gva = TARGET;
		fault.gva_valid = true;
		fault.access = HV_ACCESS_READ;
	}
	int rc = emu_mmio_exit_fault(&ctx, &fake_emu_ops, &guest, &fault);

	/* The native side (EMU_DIFF_TRACE=1 names each case first, should one crash the host). */
	if (getenv("EMU_DIFF_TRACE"))
		fprintf(stderr, "case %u (%s) [%s]\n", n, name, bytes);
	memcpy(code_page, g.b, g.n);
	code_page[g.n] = 0xc3;
	native_run(&s, code_page);

	cr_assert_eq(rc, EMU_DONE, "case %u (%s) [%s]: emulation returned %d (%s)", n, name, bytes,
	             rc, guest.last_log);
	cr_assert_eq(guest.regs[EMU_REG_RIP], FAKE_EMU_CODE + g.n, "case %u (%s) [%s]: RIP", n,
	             name, bytes);
	for (int r = 0; r < 16; r++) {
		if (r == 4)
			continue;
		cr_assert_eq(guest.regs[r], s.gpr[r],
		             "case %u (%s) [%s]: register %d is %#lx, the CPU says %#lx (was %#lx)",
		             n, name, bytes, r, guest.regs[r], s.gpr[r], before.gpr[r]);
	}
	cr_assert_eq(guest.regs[EMU_REG_RFLAGS] & 0xcd5, s.rflags & 0xcd5,
	             "case %u (%s) [%s]: flags %#lx, the CPU says %#lx (were %#lx)", n, name, bytes,
	             guest.regs[EMU_REG_RFLAGS], s.rflags, before.rflags);
	cr_assert(memcmp(guest.mmio, buf, BUF_SIZE) == 0, "case %u (%s) [%s]: memory differs", n,
	          name, bytes);
}

TestSuite(emu_diff, .init = setup, .fini = teardown);

/* Thousands of generated cases: every family, width, REX/66/LOCK prefix and addressing form. */
Test(emu_diff, generated_instructions_match_the_cpu)
{
	for (unsigned n = 0; n < 4000; n++)
		run_case(n);
	cr_assert_eq(ctx.stats.emulated, 4000);
}
