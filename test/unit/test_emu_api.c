/* Unit tests for emu_mmio_exit(): results, statistics, log lines, and failing ops callbacks. */
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
	cr_assert_eq(emu_mmio_exit(&ctx, &ops, &g, MMIO), EMU_FAULT_INJECTED);
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
