/* Unit tests for instruction fetch: page-crossing instructions, faults only where bytes are needed, CS limits. */
#include "test/unit/emu_test.h"

TestSuite(emu_fetch, .init = emu_test_setup, .fini = emu_test_teardown);

/* mov eax, [rbx] placed so that it straddles 0x1fff/0x2000 (bytes at 0x1fff and 0x2000). */
static void place_across(uint64_t at, const uint8_t *b, unsigned n)
{
	memcpy(g.ram + at, b, n);
	g.regs[EMU_REG_RIP] = at;
}

Test(emu_fetch, instruction_across_two_pages)
{
	static const uint8_t mov[] = {0x8b, 0x83, 0x10, 0x00, 0x00, 0x00}; /* mov eax, [rbx+0x10] */

	set_mmio64(0x10, 0x11223344);
	g.regs[EMU_REG_RBX] = MMIO;
	place_across(0x1ffd, mov, sizeof(mov));
	cr_assert_eq(emu_mmio_exit_fault(&ctx, &fake_emu_ops, &g, &no_hint), EMU_DONE);
	cr_assert_eq(g.regs[EMU_REG_RAX], 0x11223344);
	cr_assert_eq(g.regs[EMU_REG_RIP], 0x1ffd + sizeof(mov));
}

Test(emu_fetch, unmapped_next_page_is_fine_when_not_needed)
{
	static const uint8_t mov[] = {0x8b, 0x03}; /* mov eax, [rbx] */

	fake_emu_map(&g, 0x3000, 0x3000, 0); /* not present */
	g.regs[EMU_REG_RBX] = MMIO;
	set_mmio64(0, 0xabcd);
	place_across(0x2ffe, mov, sizeof(mov));
	cr_assert_eq(emu_mmio_exit_fault(&ctx, &fake_emu_ops, &g, &no_hint), EMU_DONE);
	cr_assert_eq(g.regs[EMU_REG_RAX], 0xabcd);
}

Test(emu_fetch, unmapped_next_page_faults_when_needed)
{
	static const uint8_t mov[] = {0x8b, 0x83, 0x10, 0x00, 0x00, 0x00};

	fake_emu_map(&g, 0x3000, 0x3000, 0);
	g.regs[EMU_REG_RBX] = MMIO;
	place_across(0x2ffe, mov, 2);
	cr_assert_eq(emu_mmio_exit_fault(&ctx, &fake_emu_ops, &g, &no_hint), EMU_FAULT_INJECTED);
	/* Not present, instruction fetch (I/D, because EFER.NXE is on). */
	cr_assert_fault(14, 0x10);
	cr_assert_eq(g.cr2, 0x3000);
	cr_assert_eq(g.regs[EMU_REG_RIP], 0x2ffe, "RIP stays at the faulting instruction");
}

Test(emu_fetch, first_page_not_executable)
{
	fake_emu_map(&g, 0x1000, 0x1000, FAKE_PTE_P | FAKE_PTE_W | FAKE_PTE_XD);
	cr_assert_eq(EMU_RUN(0x8b, 0x03), EMU_FAULT_INJECTED);
	cr_assert_fault(14, 0x11);
	cr_assert_eq(g.cr2, 0x1000);
}

Test(emu_fetch, code_in_mmio_is_an_error)
{
	fake_emu_map(&g, 0x5000, MMIO, FAKE_PTE_P);
	g.regs[EMU_REG_RIP] = 0x5000;
	cr_assert_eq(emu_mmio_exit_fault(&ctx, &fake_emu_ops, &g, &no_hint), -EIO);
	cr_assert(strstr(g.last_log, "testpart") != NULL, "the log names the partition: %s",
	          g.last_log);
	cr_assert_eq(ctx.stats.errors, 1);
}

Test(emu_fetch, second_page_in_mmio_when_needed_is_an_error)
{
	static const uint8_t mov[] = {0x8b, 0x83};

	fake_emu_map(&g, 0x3000, MMIO, FAKE_PTE_P);
	place_across(0x2ffe, mov, 2);
	cr_assert_eq(emu_mmio_exit_fault(&ctx, &fake_emu_ops, &g, &no_hint), -EIO);
}

Test(emu_fetch, cs_limit_and_base_outside_long_mode)
{
	/* 32-bit protected mode, CS based at 0x1000 with a limit that cuts the instruction. */
	fake_emu_set_mode(&g, FAKE_PAGING_NONE, 4);
	g.segs[EMU_SEG_CS].base = 0x1000;
	g.segs[EMU_SEG_CS].limit = 0x100;
	memcpy(g.ram + 0x1000 + 0xfe, (uint8_t[]){0x8b, 0x83, 0, 0, 0, 0}, 6);
	g.regs[EMU_REG_RIP] = 0xfe;
	cr_assert_eq(emu_mmio_exit_fault(&ctx, &fake_emu_ops, &g, &no_hint), EMU_FAULT_INJECTED);
	cr_assert_fault(13, 0);
	/* RIP past the limit. */
	g.regs[EMU_REG_RIP] = 0x200;
	cr_assert_eq(emu_mmio_exit_fault(&ctx, &fake_emu_ops, &g, &no_hint), EMU_FAULT_INJECTED);
	cr_assert_fault(13, 0);
	/* A short instruction right below the limit runs, fetched from CS base + EIP. */
	memcpy(g.ram + 0x1000 + 0xff, (uint8_t[]){0x8b, 0x03}, 2);
	g.regs[EMU_REG_RIP] = 0xff;
	g.regs[EMU_REG_RBX] = MMIO;
	set_mmio64(0, 0x77);
	g.injected = false;
	cr_assert_eq(emu_mmio_exit_fault(&ctx, &fake_emu_ops, &g, &no_hint), EMU_DONE);
	cr_assert_eq(g.regs[EMU_REG_RAX], 0x77);
	cr_assert_eq(g.regs[EMU_REG_RIP], 0x101);
}

Test(emu_fetch, real_mode_ip_wraps_at_64k)
{
	fake_emu_set_mode(&g, FAKE_PAGING_NONE, 2);
	g.segs[EMU_SEG_CS].base = 0x10000;
	/* mov ax, [bx] at CS:FFFE; IP wraps to 0. DS base points at the MMIO window's segment. */
	memcpy(g.ram + 0x10000 + 0xfffe, (uint8_t[]){0x8b, 0x07}, 2);
	g.regs[EMU_REG_RIP] = 0xfffe;
	g.segs[EMU_SEG_DS].base = MMIO;
	g.regs[EMU_REG_RBX] = 0x10;
	set_mmio64(0x10, 0xbeef);
	cr_assert_eq(emu_mmio_exit_fault(&ctx, &fake_emu_ops, &g, &no_hint), EMU_DONE);
	cr_assert_eq(g.regs[EMU_REG_RAX] & 0xffff, 0xbeef);
	cr_assert_eq(g.regs[EMU_REG_RIP], 0);
}
