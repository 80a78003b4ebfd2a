/* Unit tests for PUSH/POP with a memory operand: widths, RSP-based addresses, faults that leave RSP alone. */
#include "test/unit/emu_test.h"

TestSuite(emu_stack, .init = emu_test_setup, .fini = emu_test_teardown);

Test(emu_stack, push_and_pop_device_registers)
{
	set_mmio64(0x10, 0x1122334455667788ULL);
	g.regs[EMU_REG_RBX] = MMIO;
	cr_assert_eq(EMU_RUN(0xff, 0x73, 0x10), EMU_DONE); /* push qword [rbx+0x10] */
	cr_assert_eq(g.regs[EMU_REG_RSP], 0x8000 - 8);
	cr_assert_eq(*(uint64_t *)(g.ram + 0x7ff8), 0x1122334455667788ULL);
	*(uint64_t *)(g.ram + 0x7ff8) = 0xa1a2a3a4a5a6a7a8ULL;
	cr_assert_eq(EMU_RUN(0x8f, 0x43, 0x18), EMU_DONE); /* pop qword [rbx+0x18] */
	cr_assert_eq(mmio64(0x18), 0xa1a2a3a4a5a6a7a8ULL);
	cr_assert_eq(g.regs[EMU_REG_RSP], 0x8000);
	/* 16-bit push. */
	cr_assert_eq(EMU_RUN(0x66, 0xff, 0x73, 0x10), EMU_DONE);
	cr_assert_eq(g.regs[EMU_REG_RSP], 0x8000 - 2);
	cr_assert_eq(*(uint16_t *)(g.ram + 0x7ffe), 0x7788);
}

Test(emu_stack, pop_with_rsp_base_uses_the_incremented_rsp)
{
	/* pop qword [rsp+disp32] where the window is at RSP + 8 + disp after the pop. */
	g.regs[EMU_REG_RSP] = 0x8000;
	*(uint64_t *)(g.ram + 0x8000) = 0x5555;
	uint32_t d = (uint32_t)(MMIO - 0x8008 + 0x40);
	/* 67: [esp+disp32], so that the sum wraps at 4 GiB onto the window. */
	uint8_t code[] = {0x67,
	                  0x8f,
	                  0x84,
	                  0x24,
	                  (uint8_t)d,
	                  (uint8_t)(d >> 8),
	                  (uint8_t)(d >> 16),
	                  (uint8_t)(d >> 24)};
	cr_assert_eq(emu_run_bytes(code, sizeof(code)), EMU_DONE, "%s", g.logs);
	cr_assert_eq(mmio64(0x40), 0x5555);
}

Test(emu_stack, faulting_pop_leaves_rsp)
{
	g.regs[EMU_REG_RBX] = 0x900000; /* unmapped */
	cr_assert_eq(EMU_RUN(0x8f, 0x03), EMU_FAULT_INJECTED);
	cr_assert_fault(14, 0x2);
	cr_assert_eq(g.regs[EMU_REG_RSP], 0x8000);
}

Test(emu_stack, thirty_two_bit_stack)
{
	fake_emu_set_mode(&g, FAKE_PAGING_NONE, 4);
	g.regs[EMU_REG_RSP] = 0xdead00008000ULL; /* only ESP counts */
	g.regs[EMU_REG_RBX] = MMIO;
	set_mmio64(0, 0x12345678);
	cr_assert_eq(EMU_RUN(0xff, 0x33), EMU_DONE); /* push dword [ebx] */
	cr_assert_eq(g.regs[EMU_REG_RSP], 0x7ffc);
	cr_assert_eq(*(uint32_t *)(g.ram + 0x7ffc), 0x12345678);
	/* A 16-bit stack (SS.B clear) moves SP only. */
	g.segs[EMU_SEG_SS].attributes &= (uint16_t)~0x4000;
	g.regs[EMU_REG_RSP] = 0xabcd0000;
	g.segs[EMU_SEG_SS].base = 0x10000;
	cr_assert_eq(EMU_RUN(0xff, 0x33), EMU_DONE);
	cr_assert_eq(g.regs[EMU_REG_RSP], 0xabcdfffc);
	cr_assert_eq(*(uint32_t *)(g.ram + 0x1fffc), 0x12345678);
}
