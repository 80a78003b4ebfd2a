/* Unit tests for emu_mmio_exit(): results, statistics, log lines, and failing ops callbacks. */
#include <hv/exit.h>

#include "test/unit/emu_test.h"

TestSuite(emu_api, .init = emu_test_setup, .fini = emu_test_teardown);

Test(emu_api, done_fault_and_stats)
{
	g.regs[EMU_REG_RBX] = MMIO;
	cr_assert_eq(EMU_RUN(0x8b, 0x03), EMU_DONE);
	cr_assert_eq(EMU_RUN(0x0f, 0x0b), EMU_FAULT_INJECTED);
	cr_assert_eq(ctx.stats.emulated, 1);
	cr_assert_eq(ctx.stats.faults, 1);
	cr_assert_eq(ctx.stats.errors, 0);
}

Test(emu_api, failing_register_reads_are_errors)
{
	g.regs[EMU_REG_RBX] = MMIO;
	for (int n = 0; n < 6; n++) {
		g.fail_reg_reads = n;
		int rc = EMU_RUN(0x01, 0x03); /* add [rbx], eax: RFLAGS, RIP, RBX, RAX... */

		cr_assert(rc == -5 || rc == EMU_DONE, "n=%d: %d", n, rc);
		if (rc < 0)
			cr_assert(strstr(g.last_log, "emulation failed") != NULL);
	}
	cr_assert_gt(ctx.stats.errors, 0);
}

Test(emu_api, unnamed_context_and_no_log_callback)
{
	struct emu_ops ops = fake_emu_ops;

	emu_context_init(&ctx, NULL);
	cr_assert_str_eq(ctx.name, "?");
	ops.log = NULL;
	fake_emu_code(&g, (uint8_t[]){0xf4}, 1);
	cr_assert_eq(emu_mmio_exit_fault(&ctx, &ops, &g, &no_hint), EMU_FAULT_INJECTED);
	cr_assert_eq(g.nlogs, 0);
}

Test(emu_api, flags_and_rip_are_written_back_only_when_done)
{
	g.regs[EMU_REG_RBX] = MMIO;
	g.regs[EMU_REG_RFLAGS] = 0x2;
	set_mmio64(0, 5);
	cr_assert_eq(EMU_RUN(0x83, 0x2b, 0x05), EMU_DONE); /* sub dword [rbx], 5 */
	cr_assert_eq(mmio64(0), 0);
	cr_assert(g.regs[EMU_REG_RFLAGS] & 0x40);
	cr_assert_eq(g.regs[EMU_REG_RIP], FAKE_EMU_CODE + 3);
}

Test(emu_api, exit_hint_spares_the_walk_for_the_same_page_and_access)
{
	/* The guest's entry for the page is gone, but the processor's walk (the hint) stands. */
	struct emu_fault hint = {
	    .gpa = MMIO + 0x10, .gva = 0x700010, .gva_valid = true, .access = HV_ACCESS_READ};
	static const uint8_t load[] = {0x8b, 0x03}, store[] = {0x89, 0x03};

	set_mmio64(0x10, 0x4242);
	g.regs[EMU_REG_RBX] = 0x700010;
	fake_emu_code(&g, load, sizeof(load));
	cr_assert_eq(emu_mmio_exit_fault(&ctx, &fake_emu_ops, &g, &hint), EMU_DONE);
	cr_assert_eq(g.regs[EMU_REG_RAX], 0x4242);
	/* A write is not covered by a read's translation: walked, and the page is not mapped. */
	fake_emu_code(&g, store, sizeof(store));
	cr_assert_eq(emu_mmio_exit_fault(&ctx, &fake_emu_ops, &g, &hint), EMU_FAULT_INJECTED);
	cr_assert_fault(14, 0x2);
	/* A write hint covers both. */
	hint.access = HV_ACCESS_WRITE;
	cr_assert_eq(emu_mmio_exit_fault(&ctx, &fake_emu_ops, &g, &hint), EMU_DONE);
	/* Another page is walked. */
	fake_emu_code(&g, store, sizeof(store));
	g.regs[EMU_REG_RBX] = 0x701010;
	cr_assert_eq(emu_mmio_exit_fault(&ctx, &fake_emu_ops, &g, &hint), EMU_FAULT_INJECTED);
	/* Fetches never use it. */
	hint.gva = FAKE_EMU_CODE;
	g.regs[EMU_REG_RBX] = MMIO;
	fake_emu_map(&g, FAKE_EMU_CODE, FAKE_EMU_CODE, 0);
	fake_emu_code(&g, store, sizeof(store));
	cr_assert_eq(emu_mmio_exit_fault(&ctx, &fake_emu_ops, &g, &hint), EMU_FAULT_INJECTED);
	cr_assert_fault(14, 0x10);
}

Test(emu_api, translation_cache_follows_guest_table_edits)
{
	/* Same linear page, remapped between two exits without any flush: the new GPA is used. */
	fake_emu_map(&g, 0x700000, MMIO, FAKE_PTE_P | FAKE_PTE_W);
	g.regs[EMU_REG_RBX] = 0x700008;
	set_mmio64(0x8, 1);
	set_mmio64(0x1008, 2);
	cr_assert_eq(EMU_RUN(0x8b, 0x03), EMU_DONE);
	cr_assert_eq(g.regs[EMU_REG_RAX], 1);
	fake_emu_map(&g, 0x700000, MMIO + 0x1000, FAKE_PTE_P | FAKE_PTE_W);
	cr_assert_eq(EMU_RUN(0x8b, 0x03), EMU_DONE);
	cr_assert_eq(g.regs[EMU_REG_RAX], 2);
	/* Clearing the accessed bit forces a new walk, which sets it again. */
	uint64_t *pte = fake_emu_pte(&g, 0x700000);
	*pte &= ~0x20ULL;
	cr_assert_eq(EMU_RUN(0x8b, 0x03), EMU_DONE);
	cr_assert(*pte & 0x20);
	/* Unmapped: #PF, although the cache held it. */
	*pte = 0;
	cr_assert_eq(EMU_RUN(0x8b, 0x03), EMU_FAULT_INJECTED);
	cr_assert_fault(14, 0);
	/* A 32-bit paging guest takes the narrow-entry path. */
	fake_emu_set_mode(&g, FAKE_PAGING_32, 4);
	fake_emu_map(&g, 0x700000, MMIO, FAKE_PTE_P | FAKE_PTE_W);
	cr_assert_eq(EMU_RUN(0x8b, 0x03), EMU_DONE);
	cr_assert_eq(EMU_RUN(0x8b, 0x03), EMU_DONE);
	*(uint32_t *)fake_emu_pte(&g, 0x700000) = 0;
	cr_assert_eq(EMU_RUN(0x8b, 0x03), EMU_FAULT_INJECTED);
}
