/* The machine state a multiboot (v1) kernel starts in: 32-bit protected mode, flat, paging off. */
#include "monitor/loader/multiboot1_start.h"

#include <string.h>

#include "monitor/lib/errno.h"
#include "monitor/loader/multiboot1.h"
#include "monitor/loader/multiboot1_info.h"

/* Descriptors (Intel SDM "Segment Descriptors"): flat 4 GiB, G=1 and D/B=1, DPL 0. */
#define GDT_CODE32 0x00cf9b000000ffffULL /* execute/read, accessed */
#define GDT_DATA32 0x00cf93000000ffffULL /* read/write, accessed */

/* Segment attributes in the TLFS form: type, S, DPL, P, AVL, L, D/B, G. */
#define ATTR_CODE32   0xc09bU /* G, D/B, P, S, execute/read accessed */
#define ATTR_DATA32   0xc093U /* G, D/B, P, S, read/write accessed */
#define ATTR_TSS32    0x008bU /* P, busy 32-bit TSS (type 11): VM entry wants a busy TSS in TR */
#define ATTR_UNUSABLE 0x0000U /* not present: unusable to VMX, ignored by SVM */

#define START_CR0     0x00000031ULL /* NE | ET | PE: protected mode, paging and caches as reset */
#define START_FLAGS   0x00000002ULL /* reserved bit 1; IF (bit 9) and VM (bit 17) clear */

_Static_assert(MULTIBOOT1_TSS_GPA >= MULTIBOOT1_GDT_GPA + MULTIBOOT1_GDT_ENTRIES * 8U,
               "TSS after the GDT");
_Static_assert(MULTIBOOT1_TSS_GPA + MULTIBOOT1_TSS_LIMIT < MULTIBOOT1_INFO_GPA,
               "GDT and TSS below the multiboot information");

/* A system-segment descriptor for the TSS: base and limit spread over the descriptor's fields. */
static uint64_t tss_descriptor(uint32_t base, uint32_t limit)
{
	return (uint64_t)(limit & 0xffffU) | ((uint64_t)(base & 0xffffffU) << 16) |
	       ((uint64_t)ATTR_TSS32 << 40) | ((uint64_t)((limit >> 16) & 0xfU) << 48) |
	       ((uint64_t)(base >> 24) << 56);
}

static int write_tables(const struct guest_ram *ram)
{
	uint64_t gdt[MULTIBOOT1_GDT_ENTRIES] = {
	    0,
	    GDT_CODE32,
	    GDT_DATA32,
	    tss_descriptor(MULTIBOOT1_TSS_GPA, MULTIBOOT1_TSS_LIMIT),
	};

	if (guest_ram_write(ram, MULTIBOOT1_GDT_GPA, gdt, sizeof(gdt)) ||
	    guest_ram_zero(ram, MULTIBOOT1_TSS_GPA, MULTIBOOT1_TSS_LIMIT + 1U))
		return -EFAULT;
	return 0;
}

static void segment(union hv_register_value *v, uint16_t selector, uint16_t attributes,
                    uint64_t base, uint32_t limit)
{
	v->segment.base = base;
	v->segment.limit = limit;
	v->segment.selector = selector;
	v->segment.attributes = attributes;
}

int multiboot1_start_prepare(const struct guest_ram *ram, struct hv_vp *vp, uint32_t entry,
                             uint32_t info_gpa)
{
	/* EFER and CR4 before CR0, so no intermediate state pairs paging bits with long mode. */
	static const uint32_t names[] = {
	    HV_X64_REGISTER_EFER,   HV_X64_REGISTER_CR4,  HV_X64_REGISTER_CR3, HV_X64_REGISTER_CR0,
	    HV_X64_REGISTER_CS,     HV_X64_REGISTER_DS,   HV_X64_REGISTER_ES,  HV_X64_REGISTER_SS,
	    HV_X64_REGISTER_FS,     HV_X64_REGISTER_GS,   HV_X64_REGISTER_TR,  HV_X64_REGISTER_LDTR,
	    HV_X64_REGISTER_GDTR,   HV_X64_REGISTER_IDTR, HV_X64_REGISTER_RIP, HV_X64_REGISTER_RSP,
	    HV_X64_REGISTER_RFLAGS, HV_X64_REGISTER_RAX,  HV_X64_REGISTER_RBX, HV_X64_REGISTER_RCX,
	    HV_X64_REGISTER_RDX,    HV_X64_REGISTER_RSI,  HV_X64_REGISTER_RDI, HV_X64_REGISTER_RBP,
	};
	union hv_register_value v[sizeof(names) / sizeof(names[0])];
	int rc;

	if (!ram || !vp)
		return -EINVAL;
	rc = write_tables(ram);
	if (rc)
		return rc;

	memset(v, 0, sizeof(v)); /* EFER, CR4, CR3 and RCX..RBP are 0 */
	v[3].reg64 = START_CR0;
	segment(&v[4], MULTIBOOT1_CODE_SELECTOR, ATTR_CODE32, 0, 0xffffffffU);
	for (int i = 5; i <= 9; i++)
		segment(&v[i], MULTIBOOT1_DATA_SELECTOR, ATTR_DATA32, 0, 0xffffffffU);
	segment(&v[10], MULTIBOOT1_TSS_SELECTOR, ATTR_TSS32, MULTIBOOT1_TSS_GPA,
	        MULTIBOOT1_TSS_LIMIT);
	segment(&v[11], 0, ATTR_UNUSABLE, 0, 0);
	v[12].table.base = MULTIBOOT1_GDT_GPA;
	v[12].table.limit = MULTIBOOT1_GDT_ENTRIES * 8U - 1U;
	v[13].table.base = 0;
	v[13].table.limit = 0;
	v[14].reg64 = entry;
	v[15].reg64 = MULTIBOOT1_STACK_TOP;
	v[16].reg64 = START_FLAGS;
	v[17].reg64 = MULTIBOOT1_BOOT_MAGIC;
	v[18].reg64 = info_gpa;
	if (hv_vp_set_registers(vp, names, sizeof(names) / sizeof(names[0]), v) !=
	    HV_STATUS_SUCCESS)
		return -EINVAL;
	return 0;
}
