/* Unit tests for SSE/AVX moves: widths, zero-extension rules, alignment, and the #UD/#NM/#GP conditions. */
#include "test/unit/emu_test.h"

TestSuite(emu_sse, .init = emu_test_setup, .fini = emu_test_teardown);

static void fill_mmio(void)
{
	for (unsigned i = 0; i < 64; i++)
		g.mmio[i] = (uint8_t)(0x80 + i);
}

static void fill_vec(unsigned r)
{
	memset(g.vec[r], 0xee, 32);
}

Test(emu_sse, legacy_loads_keep_the_upper_half)
{
	static const uint8_t zero[32];

	fill_mmio();
	fill_vec(1);
	g.regs[EMU_REG_RBX] = MMIO;
	cr_assert_eq(EMU_RUN(0xf3, 0x0f, 0x6f, 0x0b), EMU_DONE); /* movdqu xmm1, [rbx] */
	cr_assert(memcmp(g.vec[1], g.mmio, 16) == 0);
	cr_assert_eq(g.vec[1][16], 0xee, "bits 255:128 untouched");
	cr_assert_eq(g.last_mmio_len, 16, "one 16-byte device access");
	/* movd xmm1, [rbx]: zero-extended to 128 bits. */
	fill_vec(1);
	cr_assert_eq(EMU_RUN(0x66, 0x0f, 0x6e, 0x0b), EMU_DONE);
	cr_assert(memcmp(g.vec[1], g.mmio, 4) == 0);
	cr_assert(memcmp(g.vec[1] + 4, zero, 12) == 0);
	cr_assert_eq(g.vec[1][16], 0xee);
	/* movq xmm1, [rbx] (F3 0F 7E). */
	fill_vec(1);
	cr_assert_eq(EMU_RUN(0xf3, 0x0f, 0x7e, 0x0b), EMU_DONE);
	cr_assert(memcmp(g.vec[1], g.mmio, 8) == 0);
	cr_assert(memcmp(g.vec[1] + 8, zero, 8) == 0);
	/* movaps/movups/movapd/movupd. */
	cr_assert_eq(EMU_RUN(0x0f, 0x28, 0x0b), EMU_DONE);
	cr_assert_eq(EMU_RUN(0x0f, 0x10, 0x0b), EMU_DONE);
	cr_assert_eq(EMU_RUN(0x66, 0x0f, 0x28, 0x0b), EMU_DONE);
	cr_assert_eq(EMU_RUN(0x66, 0x0f, 0x10, 0x0b), EMU_DONE);
}

Test(emu_sse, stores)
{
	for (unsigned i = 0; i < 32; i++)
		g.vec[2][i] = (uint8_t)i;
	g.regs[EMU_REG_RBX] = MMIO + 0x100;
	cr_assert_eq(EMU_RUN(0x66, 0x0f, 0x7f, 0x13), EMU_DONE); /* movdqa [rbx], xmm2 */
	cr_assert(memcmp(g.mmio + 0x100, g.vec[2], 16) == 0);
	cr_assert_eq(EMU_RUN(0x66, 0x0f, 0xe7, 0x53, 0x10), EMU_DONE); /* movntdq [rbx+16], xmm2 */
	cr_assert(memcmp(g.mmio + 0x110, g.vec[2], 16) == 0);
	cr_assert_eq(EMU_RUN(0x66, 0x0f, 0x7e, 0x53, 0x20), EMU_DONE); /* movd [rbx+32], xmm2 */
	cr_assert_eq(g.last_mmio_len, 4);
	cr_assert_eq(EMU_RUN(0x66, 0x0f, 0xd6, 0x53, 0x28), EMU_DONE); /* movq [rbx+40], xmm2 */
	cr_assert_eq(g.last_mmio_len, 8);
	cr_assert(memcmp(g.mmio + 0x128, g.vec[2], 8) == 0);
	cr_assert_eq(EMU_RUN(0xc5, 0xfe, 0x7f, 0x53, 0x40), EMU_DONE); /* vmovdqu [rbx+64], ymm2 */
	cr_assert(memcmp(g.mmio + 0x140, g.vec[2], 32) == 0);
	cr_assert_eq(g.last_mmio_len, 32);
	cr_assert_eq(EMU_RUN(0x0f, 0x2b, 0x53, 0x60), EMU_DONE); /* movntps */
}

Test(emu_sse, vex_loads_zero_the_upper_bits)
{
	fill_mmio();
	fill_vec(3);
	g.regs[EMU_REG_RBX] = MMIO;
	cr_assert_eq(EMU_RUN(0xc5, 0xfa, 0x6f, 0x1b), EMU_DONE); /* vmovdqu xmm3, [rbx] */
	cr_assert(memcmp(g.vec[3], g.mmio, 16) == 0);
	cr_assert_eq(g.vec[3][16], 0, "VEX.128 zeroes bits 255:128");
	cr_assert_eq(EMU_RUN(0xc5, 0xfd, 0x6f, 0x1b), EMU_DONE); /* vmovdqa ymm3, [rbx] */
	cr_assert(memcmp(g.vec[3], g.mmio, 32) == 0);
	fill_vec(3);
	cr_assert_eq(EMU_RUN(0xc5, 0xf9, 0x6e, 0x1b), EMU_DONE); /* vmovd xmm3, [rbx] */
	cr_assert_eq(g.vec[3][4], 0);
	cr_assert_eq(g.vec[3][31], 0);
}

Test(emu_sse, misaligned_aligned_forms_get_gp)
{
	g.regs[EMU_REG_RBX] = MMIO + 8;
	cr_assert_eq(EMU_RUN(0x66, 0x0f, 0x6f, 0x0b), EMU_FAULT_INJECTED); /* movdqa */
	cr_assert_fault(13, 0);
	cr_assert_eq(EMU_RUN(0xc5, 0xfd, 0x6f, 0x1b), EMU_FAULT_INJECTED); /* vmovdqa ymm: 32 */
	cr_assert_fault(13, 0);
	cr_assert_eq(EMU_RUN(0xf3, 0x0f, 0x6f, 0x0b), EMU_DONE); /* movdqu is fine */
	cr_assert_eq(g.mmio_reads, 1);
}

Test(emu_sse, state_conditions)
{
	g.regs[EMU_REG_RBX] = MMIO;
	g.ctl.cr0 |= 0x8; /* TS */
	cr_assert_eq(EMU_RUN(0xf3, 0x0f, 0x6f, 0x0b), EMU_FAULT_INJECTED);
	cr_assert_fault(7, 0);
	g.ctl.cr0 &= ~0x8ULL;
	g.ctl.cr4 &= ~0x200ULL; /* OSFXSR */
	cr_assert_eq(EMU_RUN(0xf3, 0x0f, 0x6f, 0x0b), EMU_FAULT_INJECTED);
	cr_assert_fault(6, 0);
	g.ctl.cr4 |= 0x200;
	g.ctl.cr0 |= 0x4; /* EM */
	cr_assert_eq(EMU_RUN(0xf3, 0x0f, 0x6f, 0x0b), EMU_FAULT_INJECTED);
	cr_assert_fault(6, 0);
	g.ctl.cr0 &= ~0x4ULL;
	g.ctl.xcr0 = 3; /* no AVX state */
	cr_assert_eq(EMU_RUN(0xc5, 0xfa, 0x6f, 0x1b), EMU_FAULT_INJECTED);
	cr_assert_fault(6, 0);
	g.ctl.xcr0 = 7;
	g.ctl.cr4 &= ~0x40000ULL; /* OSXSAVE */
	cr_assert_eq(EMU_RUN(0xc5, 0xfa, 0x6f, 0x1b), EMU_FAULT_INJECTED);
	cr_assert_fault(6, 0);
}

Test(emu_sse, unreachable_vector_state_is_ud)
{
	static const uint8_t movdqu[] = {0xf3, 0x0f, 0x6f, 0x0b};

	g.regs[EMU_REG_RBX] = MMIO;
	fake_emu_code(&g, movdqu, sizeof(movdqu));
	cr_assert_eq(emu_mmio_exit_fault(&ctx, &fake_emu_ops_novec, &g, &no_hint),
	             EMU_FAULT_INJECTED);
	cr_assert_fault(6, 0);
	cr_assert(strstr(g.logs, "not reachable") != NULL, "%s", g.logs);
}
