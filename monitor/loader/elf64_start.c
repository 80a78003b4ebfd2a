/* The ELF64 start contract made real: GDT, identity page tables, start info, long-mode registers. */
#include <string.h>

#include "monitor/lib/errno.h"
#include "monitor/loader/elf64_start.h"
#include "monitor/loader/guest_start.h"

/* Descriptors: flat 64-bit code (L=1) and flat 32/64-bit data, both DPL 0. */
#define GDT_CODE64 0x00af9a000000ffffULL
#define GDT_DATA   0x00cf92000000ffffULL

/* Guest page-table entry bits (long-mode paging). */
#define PTE_P      (1ULL << 0)
#define PTE_RW     (1ULL << 1)
#define PTE_PS     (1ULL << 7)

#define GUEST_CR0  0x80010033ULL /* PG | WP | NE | ET | MP | PE */
#define GUEST_CR4  0x00000620ULL /* OSXMMEXCPT | OSFXSR | PAE */
#define GUEST_EFER 0x00000500ULL /* LMA | LME */

/* Segment attributes in the TLFS form: type, S, DPL, P, AVL, L, D/B, G. */
#define ATTR_CODE64 0xa09bU /* G, L, P, S, execute/read accessed */
#define ATTR_DATA   0xc093U /* G, D/B, P, S, read/write accessed */
#define ATTR_TSS64  0x008bU /* P, busy 64-bit TSS */
#define ATTR_LDT    0x0082U /* P, LDT */

static int write_tables(const struct guest_ram *ram)
{
	uint64_t gdt[3] = {0, GDT_CODE64, GDT_DATA};
	uint64_t *pml4 =
	    guest_ram_ptr(ram, GUEST_START_PML4_GPA, GUEST_START_TABLES_END - GUEST_START_PML4_GPA);

	if (!pml4 || guest_ram_write(ram, GUEST_START_GDT_GPA, gdt, sizeof(gdt)))
		return -EFAULT;
	memset(pml4, 0, GUEST_START_TABLES_END - GUEST_START_PML4_GPA);

	/* PML4 at 0x3000 -> PDPT at 0x4000 -> four PDs of 2 MiB pages: the low 4 GiB, 1:1. */
	uint64_t *pdpt = pml4 + 512;
	uint64_t *pd = pdpt + 512;

	pml4[0] = (GUEST_START_PML4_GPA + 0x1000) | PTE_P | PTE_RW;
	for (uint64_t i = 0; i < 4; i++)
		pdpt[i] = (GUEST_START_PML4_GPA + 0x2000 + i * 0x1000) | PTE_P | PTE_RW;
	for (uint64_t i = 0; i < 4 * 512; i++)
		pd[i] = (i << 21) | PTE_P | PTE_RW | PTE_PS;
	return 0;
}

static int write_start_info(const struct guest_ram *ram, const char *args, size_t args_len)
{
	struct guest_start_info info = {
	    .magic = GUEST_START_MAGIC,
	    .version = 1,
	    .mem_size = ram->size,
	    .cmdline_gpa = GUEST_START_CMDLINE_GPA,
	    .cmdline_size = (uint32_t)args_len + 1,
	};
	char *cmdline;

	if (args_len >= GUEST_START_CMDLINE_MAX)
		return -E2BIG;
	cmdline = guest_ram_ptr(ram, GUEST_START_CMDLINE_GPA, args_len + 1);
	if (!cmdline || guest_ram_write(ram, GUEST_START_INFO_GPA, &info, sizeof(info)))
		return -EFAULT;
	if (args_len)
		memcpy(cmdline, args, args_len);
	cmdline[args_len] = '\0';
	return 0;
}

static void segment(union hv_register_value *v, uint16_t selector, uint16_t attributes,
                    uint32_t limit)
{
	v->segment.base = 0;
	v->segment.limit = limit;
	v->segment.selector = selector;
	v->segment.attributes = attributes;
}

int elf64_start_prepare(const struct guest_ram *ram, struct hv_vp *vp, uint64_t entry,
                        const char *args, size_t args_len)
{
	static const uint32_t names[] = {
	    HV_X64_REGISTER_CR0,    HV_X64_REGISTER_CR3,  HV_X64_REGISTER_CR4, HV_X64_REGISTER_EFER,
	    HV_X64_REGISTER_CS,     HV_X64_REGISTER_DS,   HV_X64_REGISTER_ES,  HV_X64_REGISTER_SS,
	    HV_X64_REGISTER_FS,     HV_X64_REGISTER_GS,   HV_X64_REGISTER_TR,  HV_X64_REGISTER_LDTR,
	    HV_X64_REGISTER_GDTR,   HV_X64_REGISTER_IDTR, HV_X64_REGISTER_RIP, HV_X64_REGISTER_RSP,
	    HV_X64_REGISTER_RFLAGS, HV_X64_REGISTER_RDI,
	};
	union hv_register_value v[sizeof(names) / sizeof(names[0])];
	int rc;

	rc = write_tables(ram);
	if (!rc)
		rc = write_start_info(ram, args, args_len);
	if (rc)
		return rc;

	memset(v, 0, sizeof(v));
	v[0].reg64 = GUEST_CR0;
	v[1].reg64 = GUEST_START_PML4_GPA;
	v[2].reg64 = GUEST_CR4;
	v[3].reg64 = GUEST_EFER;
	segment(&v[4], GUEST_START_CODE_SELECTOR, ATTR_CODE64, 0xffffffffU);
	for (int i = 5; i <= 9; i++)
		segment(&v[i], GUEST_START_DATA_SELECTOR, ATTR_DATA, 0xffffffffU);
	segment(&v[10], 0, ATTR_TSS64, 0x67);
	segment(&v[11], 0, ATTR_LDT, 0);
	v[12].table.base = GUEST_START_GDT_GPA;
	v[12].table.limit = 3 * 8 - 1;
	v[13].table.base = 0;
	v[13].table.limit = 0;
	v[14].reg64 = entry;
	v[15].reg64 = GUEST_START_STACK_TOP;
	v[16].reg64 = 0x2; /* RFLAGS: reserved bit 1, interrupts off */
	v[17].reg64 = GUEST_START_INFO_GPA;
	if (hv_vp_set_registers(vp, names, sizeof(names) / sizeof(names[0]), v) !=
	    HV_STATUS_SUCCESS)
		return -EINVAL;
	return 0;
}
