/* Unit tests for memory operands: addressing forms, segmentation, canonical checks, #AC and page-crossing data. */
#include "test/unit/emu_test.h"

TestSuite(emu_access, .init = emu_test_setup, .fini = emu_test_teardown);

Test(emu_access, rip_relative_and_address_size)
{
	/* mov eax, [rip+disp32]: relative to the next instruction, 0x1006. */
	fake_emu_map(&g, 0x40000000, MMIO, FAKE_PTE_P | FAKE_PTE_W);
	uint32_t d = 0x40000000 + 0x20 - (0x1000 + 6);
	uint8_t code[] = {
	    0x8b, 0x05, (uint8_t)d, (uint8_t)(d >> 8), (uint8_t)(d >> 16), (uint8_t)(d >> 24)};
	set_mmio64(0x20, 0xcafe);
	cr_assert_eq(emu_run_bytes(code, sizeof(code)), EMU_DONE);
	cr_assert_eq(g.regs[EMU_REG_RAX], 0xcafe);
	/* 67: [ebx] uses only the low 32 bits of RBX. */
	g.regs[EMU_REG_RBX] = 0xffffffff00000000ULL | 0x40000020;
	g.regs[EMU_REG_RAX] = 0;
	cr_assert_eq(EMU_RUN(0x67, 0x8b, 0x03), EMU_DONE);
	cr_assert_eq(g.regs[EMU_REG_RAX], 0xcafe);
}

Test(emu_access, fs_gs_bases_in_long_mode)
{
	g.segs[EMU_SEG_FS].base = MMIO;
	g.segs[EMU_SEG_DS].base = 0x12345000; /* ignored in 64-bit mode */
	g.regs[EMU_REG_RBX] = 0x8;
	set_mmio64(8, 0x42);
	cr_assert_eq(EMU_RUN(0x64, 0x8b, 0x03), EMU_DONE);
	cr_assert_eq(g.regs[EMU_REG_RAX], 0x42);
	g.regs[EMU_REG_RBX] = MMIO + 8;
	g.regs[EMU_REG_RAX] = 0;
	cr_assert_eq(EMU_RUN(0x8b, 0x03), EMU_DONE);
	cr_assert_eq(g.regs[EMU_REG_RAX], 0x42);
}

Test(emu_access, non_canonical_is_gp_or_ss)
{
	g.regs[EMU_REG_RBX] = 0x0000800000000000ULL;
	cr_assert_eq(EMU_RUN(0x8b, 0x03), EMU_FAULT_INJECTED);
	cr_assert_fault(13, 0);
	g.regs[EMU_REG_RBP] = 0x0000800000000000ULL;
	cr_assert_eq(EMU_RUN(0x8b, 0x45, 0x00), EMU_FAULT_INJECTED); /* [rbp]: SS */
	cr_assert_fault(12, 0);
	/* With LA57 the same address is canonical (and simply not mapped: #PF). */
	g.ctl.cr4 |= 0x1000;
	fake_emu_set_mode(&g, FAKE_PAGING_5L, 8);
	g.regs[EMU_REG_RBX] = 0x0000800000000000ULL;
	cr_assert_eq(EMU_RUN(0x8b, 0x03), EMU_FAULT_INJECTED);
	cr_assert_fault(14, 0);
}

Test(emu_access, data_page_fault_codes)
{
	g.regs[EMU_REG_RBX] = 0x400000; /* unmapped */
	cr_assert_eq(EMU_RUN(0x89, 0x03), EMU_FAULT_INJECTED);
	cr_assert_fault(14, 0x2);
	cr_assert_eq(g.cr2, 0x400000);
	fake_emu_map(&g, 0x400000, MMIO, FAKE_PTE_P); /* read-only */
	cr_assert_eq(EMU_RUN(0x8b, 0x03), EMU_DONE);
	cr_assert_eq(EMU_RUN(0x89, 0x03), EMU_FAULT_INJECTED);
	cr_assert_fault(14, 0x3);
	/* A read-modify-write (OR) is checked for writing before it reads. */
	unsigned reads = g.mmio_reads;
	cr_assert_eq(EMU_RUN(0x09, 0x03), EMU_FAULT_INJECTED);
	cr_assert_fault(14, 0x3);
	cr_assert_eq(g.mmio_reads, reads, "no device read before the fault");
	/* CMP only reads. */
	cr_assert_eq(EMU_RUN(0x39, 0x03), EMU_DONE);
}

Test(emu_access, page_crossing_ram_and_mmio)
{
	/* GVA 0x500000 is RAM (GPA 0x100000), 0x501000 is the device. */
	fake_emu_map(&g, 0x500000, 0x100000, FAKE_PTE_P | FAKE_PTE_W);
	fake_emu_map(&g, 0x501000, MMIO, FAKE_PTE_P | FAKE_PTE_W);
	g.regs[EMU_REG_RBX] = 0x500ffe;
	g.regs[EMU_REG_RAX] = 0xaabbccdd;
	cr_assert_eq(EMU_RUN(0x89, 0x03), EMU_DONE);
	cr_assert_eq(g.ram[0x100ffe], 0xdd);
	cr_assert_eq(g.ram[0x100fff], 0xcc);
	cr_assert_eq(g.mmio[0], 0xbb);
	cr_assert_eq(g.mmio[1], 0xaa);
	cr_assert_eq(g.last_mmio_len, 2);
	g.regs[EMU_REG_RAX] = 0;
	cr_assert_eq(EMU_RUN(0x8b, 0x03), EMU_DONE);
	cr_assert_eq(g.regs[EMU_REG_RAX], 0xaabbccdd);
	/* If the second page faults, the first is not written either. */
	fake_emu_map(&g, 0x501000, MMIO, 0);
	g.regs[EMU_REG_RAX] = 0x11111111;
	cr_assert_eq(EMU_RUN(0x89, 0x03), EMU_FAULT_INJECTED);
	cr_assert_fault(14, 0x2);
	cr_assert_eq(g.cr2, 0x501000);
	cr_assert_eq(g.ram[0x100ffe], 0xdd);
}

Test(emu_access, protected_mode_segments)
{
	fake_emu_set_mode(&g, FAKE_PAGING_NONE, 4);
	g.segs[EMU_SEG_DS].base = MMIO - 0x1000;
	g.segs[EMU_SEG_DS].limit = 0x1fff;
	g.regs[EMU_REG_RBX] = 0x1010;
	set_mmio64(0x10, 0x99);
	cr_assert_eq(EMU_RUN(0x8b, 0x03), EMU_DONE);
	cr_assert_eq(g.regs[EMU_REG_RAX], 0x99);
	/* Past the limit: #GP(0); through SS: #SS(0). */
	g.regs[EMU_REG_RBX] = 0x1ffe;
	cr_assert_eq(EMU_RUN(0x8b, 0x03), EMU_FAULT_INJECTED);
	cr_assert_fault(13, 0);
	g.segs[EMU_SEG_SS] = g.segs[EMU_SEG_DS];
	cr_assert_eq(EMU_RUN(0x36, 0x8b, 0x03), EMU_FAULT_INJECTED);
	cr_assert_fault(12, 0);
	/* A read-only data segment refuses writes; an execute-only code segment refuses reads. */
	g.regs[EMU_REG_RBX] = 0x1010;
	g.segs[EMU_SEG_DS].attributes &= (uint16_t)~0x2;
	cr_assert_eq(EMU_RUN(0x89, 0x03), EMU_FAULT_INJECTED);
	cr_assert_fault(13, 0);
	cr_assert_eq(EMU_RUN(0x8b, 0x03), EMU_DONE);
	g.segs[EMU_SEG_CS].attributes &= (uint16_t)~0x2;
	cr_assert_eq(EMU_RUN(0x2e, 0x8b, 0x03), EMU_FAULT_INJECTED);
	cr_assert_fault(13, 0);
	/* A not-present (or null) segment. */
	g.segs[EMU_SEG_ES].attributes = 0;
	cr_assert_eq(EMU_RUN(0x26, 0x8b, 0x03), EMU_FAULT_INJECTED);
	cr_assert_fault(13, 0);
}

Test(emu_access, expand_down_segment)
{
	fake_emu_set_mode(&g, FAKE_PAGING_NONE, 4);
	/* Expand-down, 32-bit: valid offsets are (limit, 4 GiB). */
	g.segs[EMU_SEG_DS].attributes = 0x7 | 0x10 | 0x80 | 0x4000 | 0x8000;
	g.segs[EMU_SEG_DS].limit = 0xfff;
	g.segs[EMU_SEG_DS].base = MMIO - 0x1000;
	g.regs[EMU_REG_RBX] = 0x1000;
	cr_assert_eq(EMU_RUN(0x8b, 0x03), EMU_DONE);
	g.regs[EMU_REG_RBX] = 0xffe;
	cr_assert_eq(EMU_RUN(0x8b, 0x03), EMU_FAULT_INJECTED);
	cr_assert_fault(13, 0);
	/* 16-bit expand-down tops out at 64 KiB. */
	g.segs[EMU_SEG_DS].attributes &= (uint16_t)~0x4000;
	g.regs[EMU_REG_RBX] = 0xfffe;
	cr_assert_eq(EMU_RUN(0x8b, 0x03), EMU_FAULT_INJECTED);
}

Test(emu_access, alignment_check_at_cpl3)
{
	fake_emu_map(&g, 0x600000, MMIO, FAKE_PTE_P | FAKE_PTE_W | FAKE_PTE_U);
	g.ctl.cpl = 3;
	g.ctl.cr0 |= 0x40000;
	g.regs[EMU_REG_RFLAGS] |= 0x40000;
	g.regs[EMU_REG_RBX] = 0x600001;
	/* The code page must be user-accessible for the fetch at CPL 3. */
	fake_emu_map(&g, 0x1000, 0x1000, FAKE_PTE_P | FAKE_PTE_W | FAKE_PTE_U);
	cr_assert_eq(EMU_RUN(0x8b, 0x03), EMU_FAULT_INJECTED);
	cr_assert_fault(17, 0);
	g.regs[EMU_REG_RFLAGS] &= ~0x40000ULL;
	cr_assert_eq(EMU_RUN(0x8b, 0x03), EMU_DONE);
}

Test(emu_access, sixteen_bit_addressing_in_real_mode)
{
	fake_emu_set_mode(&g, FAKE_PAGING_NONE, 2);
	g.segs[EMU_SEG_DS].base = MMIO;
	g.segs[EMU_SEG_SS].base = MMIO + 0x100;
	g.regs[EMU_REG_RBX] = 0x10;
	g.regs[EMU_REG_RSI] = 0x4;
	g.regs[EMU_REG_RBP] = 0x20;
	set_mmio64(0x14, 0x1234);
	set_mmio64(0x124, 0x5678);
	cr_assert_eq(EMU_RUN(0x8b, 0x00), EMU_DONE); /* mov ax, [bx+si] */
	cr_assert_eq(g.regs[EMU_REG_RAX] & 0xffff, 0x1234);
	cr_assert_eq(EMU_RUN(0x8b, 0x02), EMU_DONE); /* mov ax, [bp+si]: SS */
	cr_assert_eq(g.regs[EMU_REG_RAX] & 0xffff, 0x5678);
	/* 66 67: mov eax, [ebx] in real mode. */
	cr_assert_eq(EMU_RUN(0x66, 0x67, 0x8b, 0x03), EMU_DONE);
	/* The offset wraps at 64 KiB: [bx+si] with bx=0xfffe, si=4 is offset 2. */
	g.regs[EMU_REG_RBX] = 0xfffe;
	g.regs[EMU_REG_RSI] = 0x4;
	set_mmio64(0x2, 0xabcd);
	cr_assert_eq(EMU_RUN(0x8b, 0x00), EMU_DONE);
	cr_assert_eq(g.regs[EMU_REG_RAX] & 0xffff, 0xabcd);
	/* A word at offset 0xffff crosses the real-mode limit: #GP(0). */
	g.regs[EMU_REG_RBX] = 0xffff;
	cr_assert_eq(EMU_RUN(0x8b, 0x07), EMU_FAULT_INJECTED);
	cr_assert_fault(13, 0);
}

Test(emu_access, paging_modes_end_to_end)
{
	static const enum fake_emu_paging modes[] = {FAKE_PAGING_32, FAKE_PAGING_PAE,
	                                             FAKE_PAGING_4L, FAKE_PAGING_5L};

	for (unsigned i = 0; i < 4; i++) {
		fake_emu_set_mode(&g, modes[i], modes[i] >= FAKE_PAGING_4L ? 8 : 4);
		fake_emu_map(&g, 0x700000, MMIO + 0x1000, FAKE_PTE_P | FAKE_PTE_W);
		g.regs[EMU_REG_RBX] = 0x700008;
		g.regs[EMU_REG_RAX] = 0x5a5a0000U + i;
		cr_assert_eq(EMU_RUN(0x89, 0x03), EMU_DONE, "mode %u: %s", i, g.last_log);
		cr_assert_eq(mmio64(0x1008) & 0xffffffff, 0x5a5a0000U + i);
	}
}
