/* Host tests of the ELF64 start contract: the guest's GDT, page tables, start info and registers. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "fakes/fake_hv.h"
#include "monitor/lib/errno.h"
#include "monitor/loader/elf64_start.h"
#include "monitor/loader/guest_start.h"

#define RAM_SIZE (2ULL << 20)

static struct guest_ram ram;
static struct hv_partition *part;
static struct hv_vp *vp;

static void setup(void)
{
	struct hv_partition_config config = {.name = "start", .max_vps = 1};

	fake_host_reset();
	fake_cpu_reset_amd();
	cr_assert_eq(hv_init(&fake_host_ops), HV_STATUS_SUCCESS);
	cr_assert_eq(hv_partition_create(&config, &part), HV_STATUS_SUCCESS);
	cr_assert_eq(hv_vp_create(part, 0, &vp), HV_STATUS_SUCCESS);
	ram.size = RAM_SIZE;
	ram.hva = calloc(1, RAM_SIZE);
	cr_assert_not_null(ram.hva);
}

static void teardown(void)
{
	hv_partition_delete(part);
	free(ram.hva);
}

TestSuite(elf64_start, .init = setup, .fini = teardown);

static uint64_t reg(uint32_t name)
{
	union hv_register_value v;

	cr_assert_eq(hv_vp_get_registers(vp, &name, 1, &v), HV_STATUS_SUCCESS);
	return v.reg64;
}

/* Walk the guest's own page tables the way the processor would (4-level, 2 MiB leaves). */
static uint64_t guest_translate(uint64_t va)
{
	uint64_t *pml4 = (uint64_t *)(ram.hva + reg(HV_X64_REGISTER_CR3));
	uint64_t e = pml4[(va >> 39) & 511];

	cr_assert(e & 1, "PML4E present");
	e = ((uint64_t *)(ram.hva + (e & ~0xfffULL)))[(va >> 30) & 511];
	cr_assert(e & 1, "PDPTE present");
	e = ((uint64_t *)(ram.hva + (e & ~0xfffULL)))[(va >> 21) & 511];
	cr_assert(e & 1, "PDE present");
	cr_assert(e & (1 << 7), "2 MiB leaf");
	cr_assert(e & 2, "writable");
	return (e & ~0x1fffffULL) + (va & 0x1fffff);
}

Test(elf64_start, builds_the_contract)
{
	static const char args[] = "one two";
	struct guest_start_info info;
	union hv_register_value cs;
	uint32_t cs_name = HV_X64_REGISTER_CS;
	uint64_t gdt[3];

	cr_assert_eq(elf64_start_prepare(&ram, vp, 0x100040, args, strlen(args)), 0);
	cr_expect_eq(reg(HV_X64_REGISTER_RIP), 0x100040);
	cr_expect_eq(reg(HV_X64_REGISTER_RSP), GUEST_START_STACK_TOP);
	cr_expect_eq(reg(HV_X64_REGISTER_RDI), GUEST_START_INFO_GPA);
	cr_expect_eq(reg(HV_X64_REGISTER_RFLAGS), 2, "interrupts off");
	cr_expect_eq(reg(HV_X64_REGISTER_EFER), EFER_LME | EFER_LMA);
	cr_expect(reg(HV_X64_REGISTER_CR0) & CR0_PG);
	cr_expect(reg(HV_X64_REGISTER_CR4) & CR4_PAE);
	cr_assert_eq(hv_vp_get_registers(vp, &cs_name, 1, &cs), HV_STATUS_SUCCESS);
	cr_expect_eq(cs.segment.selector, GUEST_START_CODE_SELECTOR);
	cr_expect(cs.segment.attributes & HV_SEG_ATTR_L, "64-bit code");

	memcpy(gdt, ram.hva + GUEST_START_GDT_GPA, sizeof(gdt));
	cr_expect_eq(gdt[0], 0);
	cr_expect(gdt[GUEST_START_CODE_SELECTOR / 8] & (1ULL << 53), "GDT code descriptor has L");

	memcpy(&info, ram.hva + GUEST_START_INFO_GPA, sizeof(info));
	cr_expect_eq(info.magic, GUEST_START_MAGIC);
	cr_expect_eq(info.mem_size, RAM_SIZE);
	cr_expect_eq(info.cmdline_size, sizeof(args));
	cr_expect_str_eq((char *)ram.hva + info.cmdline_gpa, "one two");

	/* Identity everywhere in the low 4 GiB, device addresses included. */
	cr_expect_eq(guest_translate(0x100040), 0x100040);
	cr_expect_eq(guest_translate(0x7fff8), 0x7fff8);
	cr_expect_eq(guest_translate(0xfee00000), 0xfee00000);
	cr_expect_eq(guest_translate(0xffffffff), 0xffffffff);
}

Test(elf64_start, empty_command_line)
{
	struct guest_start_info info;

	cr_assert_eq(elf64_start_prepare(&ram, vp, 0x100000, NULL, 0), 0);
	memcpy(&info, ram.hva + GUEST_START_INFO_GPA, sizeof(info));
	cr_expect_eq(info.cmdline_size, 1);
	cr_expect_eq(ram.hva[GUEST_START_CMDLINE_GPA], '\0');
}

Test(elf64_start, refuses_oversized_arguments_and_tiny_ram)
{
	static char big[GUEST_START_CMDLINE_MAX];

	memset(big, 'a', sizeof(big));
	cr_expect_eq(elf64_start_prepare(&ram, vp, 0x100000, big, sizeof(big)), -E2BIG);
	ram.size = GUEST_START_TABLES_END - 0x1000;
	cr_expect_eq(elf64_start_prepare(&ram, vp, 0x100000, NULL, 0), -EFAULT);
}

Test(elf64_start, refuses_a_non_canonical_entry)
{
	cr_expect_eq(elf64_start_prepare(&ram, vp, 0x0000800000000000ULL, NULL, 0), -EINVAL);
}
