/* Unit tests for the decode cache: hits skip Zydis, and a changed instruction, CR3 or mode is never a hit. */
#include "test/unit/emu_test.h"

TestSuite(emu_decode_cache, .init = emu_test_setup, .fini = emu_test_teardown);

Test(emu_decode_cache, repeated_access_hits)
{
	g.regs[EMU_REG_RBX] = MMIO;
	for (int i = 0; i < 5; i++)
		cr_assert_eq(EMU_RUN(0x8b, 0x03), EMU_DONE);
	cr_assert_eq(ctx.stats.cache_misses, 1);
	cr_assert_eq(ctx.stats.cache_hits, 4);
}

Test(emu_decode_cache, self_modifying_code_is_never_stale)
{
	g.regs[EMU_REG_RBX] = MMIO;
	set_mmio64(0, 0x1122334455667788ULL);
	cr_assert_eq(EMU_RUN(0x8b, 0x03), EMU_DONE); /* mov eax, [rbx] */
	cr_assert_eq(g.regs[EMU_REG_RAX], 0x55667788);
	/* Same RIP, same CR3, same length: a different instruction. */
	cr_assert_eq(EMU_RUN(0x8a, 0x03), EMU_DONE); /* mov al, [rbx] */
	cr_assert_eq(g.regs[EMU_REG_RAX], 0x55667788);
	cr_assert_eq(EMU_RUN(0x89, 0x03), EMU_DONE); /* mov [rbx], eax */
	cr_assert_eq(g.mmio_writes, 1);
	/* A longer instruction whose first bytes match the cached one. */
	g.regs[EMU_REG_RAX] = 0;
	cr_assert_eq(EMU_RUN(0x8b, 0x43, 0x04), EMU_DONE); /* mov eax, [rbx+4] */
	cr_assert_eq(g.regs[EMU_REG_RAX], 0x11223344);
	cr_assert_eq(ctx.stats.cache_hits, 0);
	cr_assert_eq(ctx.stats.cache_misses, 4);
}

Test(emu_decode_cache, cr3_and_mode_are_part_of_the_key)
{
	g.regs[EMU_REG_RBX] = MMIO;
	cr_assert_eq(EMU_RUN(0x8b, 0x03), EMU_DONE);
	/* Another address space with the same code at the same address. */
	uint64_t old = g.ctl.cr3;
	memcpy(g.ram + 0x200000, g.ram + old, 4096);
	g.ctl.cr3 = 0x200000;
	cr_assert_eq(EMU_RUN(0x8b, 0x03), EMU_DONE);
	cr_assert_eq(ctx.stats.cache_misses, 2);
	/* The same bytes in 32-bit code mean something else (no REX): a miss, decoded anew. */
	g.ctl.cr3 = old;
	g.segs[EMU_SEG_CS].attributes &= (uint16_t)~0x2000; /* CS.L clear: compatibility mode */
	g.segs[EMU_SEG_CS].attributes |= 0x4000;
	cr_assert_eq(EMU_RUN(0x8b, 0x03), EMU_DONE);
	cr_assert_eq(ctx.stats.cache_misses, 3);
	cr_assert_eq(EMU_RUN(0x8b, 0x03), EMU_DONE);
	cr_assert_eq(ctx.stats.cache_hits, 1);
	emu_cache_flush(&ctx);
	cr_assert_eq(EMU_RUN(0x8b, 0x03), EMU_DONE);
	cr_assert_eq(ctx.stats.cache_misses, 4);
}

Test(emu_decode_cache, a_refused_instruction_is_not_cached)
{
	cr_assert_eq(EMU_RUN(0xf4), EMU_FAULT_INJECTED);
	cr_assert_eq(EMU_RUN(0xf4), EMU_FAULT_INJECTED);
	cr_assert_eq(ctx.stats.cache_misses, 2);
}
