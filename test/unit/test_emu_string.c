/* Unit tests for MOVS/STOS/LODS/CMPS/SCAS: REP, both directions, RAM and MMIO on either side, partial progress. */
#include "test/unit/emu_test.h"

TestSuite(emu_string, .init = emu_test_setup, .fini = emu_test_teardown);

#define RAMBUF 0x20000ULL /* identity-mapped RAM */

Test(emu_string, rep_movsd_ram_to_mmio_and_back)
{
	for (unsigned i = 0; i < 256; i++)
		g.ram[RAMBUF + i] = (uint8_t)i;
	g.regs[EMU_REG_RSI] = RAMBUF;
	g.regs[EMU_REG_RDI] = MMIO;
	g.regs[EMU_REG_RCX] = 64;
	cr_assert_eq(EMU_RUN(0xf3, 0xa5), EMU_DONE);
	cr_assert(memcmp(g.mmio, g.ram + RAMBUF, 256) == 0);
	cr_assert_eq(g.regs[EMU_REG_RCX], 0);
	cr_assert_eq(g.regs[EMU_REG_RSI], RAMBUF + 256);
	cr_assert_eq(g.regs[EMU_REG_RDI], MMIO + 256);
	cr_assert_eq(g.mmio_writes, 64);
	/* Back into RAM, backwards (DF=1), 8 bytes at a time. */
	memset(g.ram + RAMBUF, 0, 256);
	g.regs[EMU_REG_RFLAGS] |= 0x400;
	g.regs[EMU_REG_RSI] = MMIO + 248;
	g.regs[EMU_REG_RDI] = RAMBUF + 248;
	g.regs[EMU_REG_RCX] = 32;
	cr_assert_eq(EMU_RUN(0xf3, 0x48, 0xa5), EMU_DONE);
	cr_assert(memcmp(g.mmio, g.ram + RAMBUF, 256) == 0);
	cr_assert_eq(g.regs[EMU_REG_RSI], MMIO - 8);
}

Test(emu_string, single_and_zero_count)
{
	g.regs[EMU_REG_RSI] = MMIO;
	g.regs[EMU_REG_RDI] = RAMBUF;
	set_mmio64(0, 0x0102030405060708ULL);
	cr_assert_eq(EMU_RUN(0x66, 0xa5), EMU_DONE); /* movsw, no REP: RCX ignored */
	cr_assert_eq(g.ram[RAMBUF], 0x08);
	cr_assert_eq(g.regs[EMU_REG_RSI], MMIO + 2);
	g.regs[EMU_REG_RCX] = 0;
	cr_assert_eq(EMU_RUN(0xf3, 0xa4), EMU_DONE); /* rep movsb with RCX=0: nothing */
	cr_assert_eq(g.regs[EMU_REG_RSI], MMIO + 2);
	cr_assert_eq(g.regs[EMU_REG_RIP], FAKE_EMU_CODE + 2);
}

Test(emu_string, stos_and_lods)
{
	g.regs[EMU_REG_RAX] = 0xa5a5a5a5deadbeefULL;
	g.regs[EMU_REG_RDI] = MMIO;
	g.regs[EMU_REG_RCX] = 3;
	cr_assert_eq(EMU_RUN(0xf3, 0xab), EMU_DONE); /* rep stosd */
	cr_assert_eq(mmio64(0), 0xdeadbeefdeadbeefULL);
	cr_assert_eq(mmio64(8) & 0xffffffff, 0xdeadbeef);
	g.regs[EMU_REG_RSI] = MMIO + 4;
	g.regs[EMU_REG_RAX] = 0;
	cr_assert_eq(EMU_RUN(0xac), EMU_DONE); /* lodsb */
	cr_assert_eq(g.regs[EMU_REG_RAX], 0xef);
	/* lodsq with a GS override. */
	g.segs[EMU_SEG_GS].base = MMIO;
	g.regs[EMU_REG_RSI] = 0;
	cr_assert_eq(EMU_RUN(0x65, 0x48, 0xad), EMU_DONE);
	cr_assert_eq(g.regs[EMU_REG_RAX], 0xdeadbeefdeadbeefULL);
}

Test(emu_string, repe_cmps_stops_at_the_first_difference)
{
	memcpy(g.mmio, "abcdefgh", 8);
	memcpy(g.ram + RAMBUF, "abcdXfgh", 8);
	g.regs[EMU_REG_RSI] = MMIO;
	g.regs[EMU_REG_RDI] = RAMBUF;
	g.regs[EMU_REG_RCX] = 8;
	cr_assert_eq(EMU_RUN(0xf3, 0xa6), EMU_DONE);
	cr_assert_eq(g.regs[EMU_REG_RCX], 3, "stopped after the fifth byte");
	cr_assert_eq(g.regs[EMU_REG_RSI], MMIO + 5);
	cr_assert_eq(g.regs[EMU_REG_RFLAGS] & 0x41, 0x00, "ZF clear, 'e' > 'X' so no borrow");
}

Test(emu_string, repne_scas_finds_the_value)
{
	memcpy(g.mmio, "\x01\x02\x03\x04\x05", 5);
	g.regs[EMU_REG_RAX] = 4;
	g.regs[EMU_REG_RDI] = MMIO;
	g.regs[EMU_REG_RCX] = 100;
	cr_assert_eq(EMU_RUN(0xf2, 0xae), EMU_DONE);
	cr_assert_eq(g.regs[EMU_REG_RCX], 96);
	cr_assert_eq(g.regs[EMU_REG_RDI], MMIO + 4);
	cr_assert(g.regs[EMU_REG_RFLAGS] & 0x40);
}

Test(emu_string, address_size_picks_ecx_and_esi)
{
	/* 67 in 64-bit mode: ECX/ESI/EDI; the upper halves are cleared when they are written. */
	g.regs[EMU_REG_RCX] = 0xffffffff00000002ULL;
	g.regs[EMU_REG_RSI] = 0xffffffff00000000ULL | MMIO;
	g.regs[EMU_REG_RDI] = RAMBUF;
	cr_assert_eq(EMU_RUN(0x67, 0xf3, 0xa4), EMU_DONE);
	cr_assert_eq(g.regs[EMU_REG_RCX], 0);
	cr_assert_eq(g.regs[EMU_REG_RSI], MMIO + 2);
}

Test(emu_string, sixteen_bit_si_wraps)
{
	fake_emu_set_mode(&g, FAKE_PAGING_NONE, 2);
	g.segs[EMU_SEG_DS].base = MMIO;
	g.segs[EMU_SEG_ES].base = RAMBUF;
	g.regs[EMU_REG_RSI] = 0xffff;
	g.regs[EMU_REG_RDI] = 0;
	g.regs[EMU_REG_RCX] = 0x12340002;
	cr_assert_eq(EMU_RUN(0xf3, 0xa4), EMU_DONE);
	cr_assert_eq(g.regs[EMU_REG_RSI], 1);
	cr_assert_eq(g.regs[EMU_REG_RCX], 0x12340000, "only CX counts");
}

Test(emu_string, long_rep_is_done_in_slices)
{
	g.regs[EMU_REG_RAX] = 0;
	g.regs[EMU_REG_RDI] = MMIO;
	g.regs[EMU_REG_RCX] = 10000;
	/* rep stosb to one device byte... with DF set and cleared alternately it would wander: keep
	 * it in the window by using a count the budget splits. */
	g.regs[EMU_REG_RFLAGS] |= 0x400;
	g.regs[EMU_REG_RDI] = MMIO + 4096 + 4095;
	cr_assert_eq(EMU_RUN(0xf3, 0xaa), EMU_RETRY);
	cr_assert_eq(g.regs[EMU_REG_RCX], 10000 - EMU_REP_BUDGET);
	cr_assert_eq(g.regs[EMU_REG_RIP], FAKE_EMU_CODE, "RIP stays: the guest runs it again");
}

Test(emu_string, fault_midway_keeps_finished_iterations)
{
	/* rep movsd from the device into RAM that ends at an unmapped page. */
	fake_emu_map(&g, 0x800000, 0x100000, FAKE_PTE_P | FAKE_PTE_W);
	g.regs[EMU_REG_RSI] = MMIO;
	g.regs[EMU_REG_RDI] = 0x800ff8;
	g.regs[EMU_REG_RCX] = 4;
	cr_assert_eq(EMU_RUN(0xf3, 0xa5), EMU_FAULT_INJECTED);
	cr_assert_fault(14, 0x2);
	cr_assert_eq(g.cr2, 0x801000);
	cr_assert_eq(g.regs[EMU_REG_RCX], 2);
	cr_assert_eq(g.regs[EMU_REG_RDI], 0x801000);
	cr_assert_eq(g.regs[EMU_REG_RIP], FAKE_EMU_CODE);
}

Test(emu_string, es_is_not_overridable_and_checked)
{
	fake_emu_set_mode(&g, FAKE_PAGING_NONE, 4);
	g.segs[EMU_SEG_ES].attributes &= (uint16_t)~0x2; /* read-only: stos must fail */
	g.regs[EMU_REG_RDI] = MMIO;
	cr_assert_eq(EMU_RUN(0x64, 0xaa), EMU_FAULT_INJECTED);
	cr_assert_fault(13, 0);
}
