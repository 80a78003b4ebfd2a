/* Unit tests for the guest page walker: every paging format, large pages, each #PF error code, A/D bits. */
#include "test/unit/emu_test.h"

#include <criterion/parameterized.h>

TestSuite(emu_guest_walk, .init = emu_test_setup, .fini = emu_test_teardown);

#define PP FAKE_PTE_P
#define PW FAKE_PTE_W
#define PU FAKE_PTE_U
#define XD FAKE_PTE_XD

/* PFEC bits */
#define EP 0x1U
#define EW 0x2U
#define EU 0x4U
#define ER 0x8U
#define EI 0x10U

static int walk(uint64_t lin, unsigned access, hv_gpa_t *gpa)
{
	struct emu_state st =
	    emu_test_state(g.ctl.efer & 0x400 ? EMU_MODE_LONG64 : EMU_MODE_PROT32);

	st.regs[EMU_REG_RFLAGS] = g.regs[EMU_REG_RFLAGS];
	st.reg_valid = 1U << EMU_REG_RFLAGS;
	int rc = emu_walk(&st, lin, access, gpa);

	if (rc == -EFAULT) {
		g.injected = true;
		g.vector = st.fault.vector;
		g.error_code = st.fault.error_code;
		g.cr2 = st.fault.cr2;
	}
	return rc;
}

struct walk_case {
	enum fake_emu_paging paging;
	uint64_t flags; /* leaf flags for the page at 0x400000 */
	uint8_t cpl;
	unsigned access; /* EMU_ACC_* */
	uint64_t cr0_clear, cr4_set;
	uint64_t rflags;
	int expect; /* 0 or -EFAULT */
	uint32_t pfec;
};

ParameterizedTestParameters(emu_guest_walk, access_rights)
{
	static struct walk_case cases[] = {
	    /* What every format allows. */
	    {FAKE_PAGING_32, PP | PW, 0, EMU_ACC_WRITE, 0, 0, 0, 0, 0},
	    {FAKE_PAGING_PAE, PP | PW, 0, EMU_ACC_WRITE, 0, 0, 0, 0, 0},
	    {FAKE_PAGING_4L, PP | PW, 0, EMU_ACC_WRITE, 0, 0, 0, 0, 0},
	    {FAKE_PAGING_5L, PP | PW, 0, EMU_ACC_WRITE, 0, 0, 0, 0, 0},
	    /* Not present. */
	    {FAKE_PAGING_32, 0, 0, EMU_ACC_READ, 0, 0, 0, -EFAULT, 0},
	    {FAKE_PAGING_PAE, 0, 0, EMU_ACC_WRITE, 0, 0, 0, -EFAULT, EW},
	    {FAKE_PAGING_4L, 0, 3, EMU_ACC_WRITE, 0, 0, 0, -EFAULT, EW | EU},
	    {FAKE_PAGING_4L, 0, 0, EMU_ACC_FETCH, 0, 0, 0, -EFAULT, EI},
	    {FAKE_PAGING_32, 0, 0, EMU_ACC_FETCH, 0, 0, 0, -EFAULT, 0}, /* no I/D without NX/SMEP */
	    /* Read-only pages: CR0.WP decides for the supervisor; users always fault. */
	    {FAKE_PAGING_4L, PP, 0, EMU_ACC_WRITE, 0, 0, 0, -EFAULT, EP | EW},
	    {FAKE_PAGING_4L, PP, 0, EMU_ACC_WRITE, 0x10000, 0, 0, 0, 0},
	    {FAKE_PAGING_32, PP | PU, 3, EMU_ACC_WRITE, 0x10000, 0, 0, -EFAULT, EP | EW | EU},
	    {FAKE_PAGING_PAE, PP | PU, 3, EMU_ACC_READ, 0, 0, 0, 0, 0},
	    /* Supervisor pages from CPL 3. */
	    {FAKE_PAGING_4L, PP | PW, 3, EMU_ACC_READ, 0, 0, 0, -EFAULT, EP | EU},
	    {FAKE_PAGING_32, PP | PW, 3, EMU_ACC_READ, 0, 0, 0, -EFAULT, EP | EU},
	    /* NX. */
	    {FAKE_PAGING_4L, PP | PW | XD, 0, EMU_ACC_FETCH, 0, 0, 0, -EFAULT, EP | EI},
	    {FAKE_PAGING_PAE, PP | PW | XD, 0, EMU_ACC_READ, 0, 0, 0, 0, 0},
	    /* SMEP, SMAP (with RFLAGS.AC as the override). */
	    {FAKE_PAGING_4L, PP | PW | PU, 0, EMU_ACC_FETCH, 0, 0x100000, 0, -EFAULT, EP | EI},
	    {FAKE_PAGING_4L, PP | PW | PU, 0, EMU_ACC_FETCH, 0, 0, 0, 0, 0},
	    {FAKE_PAGING_4L, PP | PW | PU, 0, EMU_ACC_READ, 0, 0x200000, 0, -EFAULT, EP},
	    {FAKE_PAGING_4L, PP | PW | PU, 0, EMU_ACC_WRITE, 0, 0x200000, 0x40000, 0, 0},
	    {FAKE_PAGING_32, PP | PW | PU, 0, EMU_ACC_FETCH, 0, 0x100000, 0, -EFAULT, EP | EI},
	    /* Reserved bits: above MAXPHYADDR (36 here), and XD without EFER.NXE in 32-bit PAE. */
	    {FAKE_PAGING_4L, PP | PW | (1ULL << 40), 0, EMU_ACC_READ, 0, 0, 0, -EFAULT, EP | ER},
	};
	return cr_make_param_array(struct walk_case, cases, sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct walk_case *c, emu_guest_walk, access_rights)
{
	hv_gpa_t gpa = 0;

	fake_emu_set_mode(&g, c->paging, c->paging >= FAKE_PAGING_4L ? 8 : 4);
	g.ctl.phys_bits = 36;
	g.ctl.cpl = c->cpl;
	g.ctl.cr0 &= ~c->cr0_clear;
	g.ctl.cr4 |= c->cr4_set;
	g.regs[EMU_REG_RFLAGS] = 2 | c->rflags;
	fake_emu_map(&g, 0x400000, 0x123000, c->flags | (c->cpl == 3 && (c->flags & PU) ? PU : 0));
	int rc = walk(0x400abc, c->access, &gpa);

	cr_assert_eq(rc, c->expect, "rc %d", rc);
	if (rc == 0) {
		cr_assert_eq(gpa, 0x123abc);
	} else {
		cr_assert_eq(g.vector, 14);
		cr_assert_eq(g.error_code, c->pfec, "PFEC %#x, expected %#x", g.error_code,
		             c->pfec);
		cr_assert_eq(g.cr2, 0x400abc);
	}
}

Test(emu_guest_walk, no_paging_is_identity_within_4g)
{
	hv_gpa_t gpa;

	fake_emu_set_mode(&g, FAKE_PAGING_NONE, 4);
	cr_assert_eq(walk(0x1234567ULL, EMU_ACC_WRITE, &gpa), 0);
	cr_assert_eq(gpa, 0x1234567ULL);
}

Test(emu_guest_walk, accessed_and_dirty_bits_are_set)
{
	hv_gpa_t gpa;
	uint64_t *pte;

	fake_emu_map(&g, 0x400000, 0x123000, PP | PW);
	pte = fake_emu_pte(&g, 0x400000);
	cr_assert_eq(walk(0x400000, EMU_ACC_READ, &gpa), 0);
	cr_assert_eq(*pte & 0x60, 0x20, "a read sets A only");
	cr_assert_eq(walk(0x400000, EMU_ACC_WRITE, &gpa), 0);
	cr_assert_eq(*pte & 0x60, 0x60, "a write sets D");
}

Test(emu_guest_walk, large_pages_in_every_format)
{
	hv_gpa_t gpa;

	/* 4-level: a 2 MiB page in the PDE and a 1 GiB page in the PDPTE. */
	uint64_t *pml4 = (uint64_t *)(g.ram + g.ctl.cr3);
	uint64_t pdpt = FAKE_EMU_TABLES + 0x40000;
	memset(g.ram + pdpt, 0, 8192);
	pml4[1] = pdpt | PP | PW; /* 512 GiB .. 1 TiB */
	((uint64_t *)(g.ram + pdpt))[0] = 0x40000000ULL | PP | PW | FAKE_PTE_PS; /* 1 GiB page */
	((uint64_t *)(g.ram + pdpt))[1] = (pdpt + 4096) | PP | PW;
	((uint64_t *)(g.ram + pdpt + 4096))[3] =
	    0x600000ULL | PP | PW | FAKE_PTE_PS; /* 2 MiB page */
	cr_assert_eq(walk((1ULL << 39) + 0x12345678, EMU_ACC_WRITE, &gpa), 0);
	cr_assert_eq(gpa, 0x40000000ULL + 0x12345678);
	cr_assert_eq(
	    walk((1ULL << 39) + (1ULL << 30) + 3 * (2ULL << 20) + 0x1234, EMU_ACC_READ, &gpa), 0);
	cr_assert_eq(gpa, 0x600000ULL + 0x1234);
	/* A 2 MiB page with a reserved bit inside its frame field (bit 13). */
	((uint64_t *)(g.ram + pdpt + 4096))[4] = 0x800000ULL | 0x2000 | PP | PW | FAKE_PTE_PS;
	cr_assert_eq(walk((1ULL << 39) + (1ULL << 30) + 4 * (2ULL << 20), EMU_ACC_READ, &gpa),
	             -EFAULT);
	cr_assert_eq(g.error_code, EP | ER);
	/* PS in a PML4E is reserved. */
	pml4[2] = pdpt | PP | PW | FAKE_PTE_PS;
	cr_assert_eq(walk(2ULL << 39, EMU_ACC_READ, &gpa), -EFAULT);
	cr_assert_eq(g.error_code, EP | ER);

	/* 32-bit: a 4 MiB PSE page, with PSE-36 bits 39:32 from PDE bits 20:13. */
	fake_emu_set_mode(&g, FAKE_PAGING_32, 4);
	uint32_t *pd = (uint32_t *)(g.ram + g.ctl.cr3);
	pd[3] = 0x00c00000U | (0x5U << 13) | PP | PW | FAKE_PTE_PS;
	cr_assert_eq(walk(0x00c12345, EMU_ACC_READ, &gpa), 0);
	cr_assert_eq(gpa, 0x500c12345ULL);
	pd[4] = 0x01000000U | (1U << 21) | PP | PW | FAKE_PTE_PS; /* bit 21 reserved */
	cr_assert_eq(walk(0x01000000, EMU_ACC_READ, &gpa), -EFAULT);
	cr_assert_eq(g.error_code, EP | ER);
	g.ctl.phys_bits = 36; /* bits 20:17 reserved now */
	pd[5] = 0x01400000U | (0x10U << 13) | PP | PW | FAKE_PTE_PS;
	cr_assert_eq(walk(0x01400000, EMU_ACC_READ, &gpa), -EFAULT);

	/* PAE: a 2 MiB page; a not-present PDPTE; a reserved PDPTE bit. */
	fake_emu_set_mode(&g, FAKE_PAGING_PAE, 4);
	uint64_t *pdpte = (uint64_t *)(g.ram + g.ctl.cr3);
	uint64_t *pd64 = (uint64_t *)(g.ram + (pdpte[0] & ~0xfffULL));
	pd64[5] = 0xa00000ULL | PP | PW | FAKE_PTE_PS;
	cr_assert_eq(walk(0xa01234, EMU_ACC_WRITE, &gpa), 0);
	cr_assert_eq(gpa, 0xa01234);
	cr_assert_eq(walk(0x40000000, EMU_ACC_READ, &gpa), -EFAULT);
	cr_assert_eq(g.error_code, 0);
	pdpte[2] = (FAKE_EMU_TABLES + 0x50000) | PP | PW; /* W is reserved in a PAE PDPTE */
	cr_assert_eq(walk(0x80000000, EMU_ACC_READ, &gpa), -EFAULT);
	cr_assert_eq(g.error_code, EP | ER);
	/* Without EFER.NXE the XD bit is reserved. */
	g.ctl.efer = 0;
	pd64[6] = 0xc00000ULL | PP | PW | FAKE_PTE_PS | XD;
	cr_assert_eq(walk(0xc00000, EMU_ACC_READ, &gpa), -EFAULT);
	cr_assert_eq(g.error_code, EP | ER);
}

Test(emu_guest_walk, page_table_outside_ram_is_an_error)
{
	hv_gpa_t gpa;

	g.ctl.cr3 = MMIO; /* the PML4 would be a device */
	cr_assert_eq(walk(0x1000, EMU_ACC_READ, &gpa), -EIO);
	cr_assert_str_not_empty(g.last_log);
	fake_emu_set_mode(&g, FAKE_PAGING_32, 4);
	g.ctl.cr3 = MMIO;
	cr_assert_eq(walk(0x1000, EMU_ACC_READ, &gpa), -EIO);
}
