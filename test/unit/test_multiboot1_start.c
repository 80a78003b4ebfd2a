/* Host tests of the multiboot v1 start state against the specification's "Machine state" table. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "fakes/fake_hv.h"
#include "fakes/fake_vmx.h"
#include "libhv/vmx/vmcs.h"
#include "libhv/vmx/vmx_internal.h"
#include "monitor/lib/errno.h"
#include "monitor/loader/multiboot1.h"
#include "monitor/loader/multiboot1_info.h"
#include "monitor/loader/multiboot1_start.h"

#define RAM_SIZE (2ULL << 20)
#define ENTRY    0x100040U

static struct guest_ram ram;
static struct hv_partition *part;
static struct hv_vp *vp;

static void create(void)
{
	struct hv_partition_config config = {.name = "mb1", .max_vps = 1};

	cr_assert_eq(hv_init(&fake_host_ops), HV_STATUS_SUCCESS);
	cr_assert_eq(hv_partition_create(&config, &part), HV_STATUS_SUCCESS);
	cr_assert_eq(hv_vp_create(part, 0, &vp), HV_STATUS_SUCCESS);
	ram.size = RAM_SIZE;
	ram.hva = calloc(1, RAM_SIZE);
	cr_assert_not_null(ram.hva);
}

static void setup_amd(void)
{
	fake_host_reset();
	fake_cpu_reset_amd();
	create();
}

static void setup_intel(void)
{
	fake_host_reset();
	fake_cpu_reset_intel();
	create();
}

static void teardown(void)
{
	hv_partition_delete(part);
	free(ram.hva);
}

TestSuite(multiboot1_start, .init = setup_amd, .fini = teardown);
TestSuite(multiboot1_start_vmx, .init = setup_intel, .fini = teardown);

static union hv_register_value get(uint32_t name)
{
	union hv_register_value v;

	cr_assert_eq(hv_vp_get_registers(vp, &name, 1, &v), HV_STATUS_SUCCESS);
	return v;
}

static void expect_flat(uint32_t name, uint16_t selector, uint16_t attributes)
{
	union hv_register_value v = get(name);

	cr_expect_eq(v.segment.base, 0, "segment %#x base", name);
	cr_expect_eq(v.segment.limit, 0xffffffff, "segment %#x limit", name);
	cr_expect_eq(v.segment.selector, selector, "segment %#x selector", name);
	cr_expect_eq(v.segment.attributes, attributes, "segment %#x attributes", name);
}

/* Checks the register state on whichever backend the suite set up. */
static void expect_machine_state(void)
{
	/* "EAX must contain the magic value 0x2BADB002", "EBX ... the physical address of the info". */
	cr_expect_eq(get(HV_X64_REGISTER_RAX).reg64, 0x2badb002);
	cr_expect_eq(get(HV_X64_REGISTER_RBX).reg64, MULTIBOOT1_INFO_GPA);
	cr_expect_eq(get(HV_X64_REGISTER_RIP).reg64, ENTRY);
	/* "CS: 32-bit read/execute code segment with an offset of 0 and a limit of 0xFFFFFFFF". */
	expect_flat(HV_X64_REGISTER_CS, MULTIBOOT1_CODE_SELECTOR, 0xc09b);
	/* "DS, ES, FS, GS, SS: 32-bit read/write data segment, offset 0, limit 0xFFFFFFFF". */
	expect_flat(HV_X64_REGISTER_DS, MULTIBOOT1_DATA_SELECTOR, 0xc093);
	expect_flat(HV_X64_REGISTER_ES, MULTIBOOT1_DATA_SELECTOR, 0xc093);
	expect_flat(HV_X64_REGISTER_FS, MULTIBOOT1_DATA_SELECTOR, 0xc093);
	expect_flat(HV_X64_REGISTER_GS, MULTIBOOT1_DATA_SELECTOR, 0xc093);
	expect_flat(HV_X64_REGISTER_SS, MULTIBOOT1_DATA_SELECTOR, 0xc093);
	/* "CR0: Bit 31 (PG) must be cleared. Bit 0 (PE) must be set." */
	uint64_t cr0 = get(HV_X64_REGISTER_CR0).reg64;
	cr_expect_eq(cr0 & CR0_PG, 0);
	cr_expect(cr0 & CR0_PE);
	cr_expect_eq(cr0, CR0_PE | CR0_ET | CR0_NE);
	/* "EFLAGS: Bit 17 (VM) must be cleared. Bit 9 (IF) must be cleared." */
	uint64_t rflags = get(HV_X64_REGISTER_RFLAGS).reg64;
	cr_expect_eq(rflags & ((1U << 17) | (1U << 9)), 0);
	cr_expect_eq(rflags, 2);
	cr_expect_eq(get(HV_X64_REGISTER_EFER).reg64 & (EFER_LME | EFER_LMA), 0);
	cr_expect_eq(get(HV_X64_REGISTER_CR4).reg64 & CR4_PAE, 0);
	cr_expect_eq(get(HV_X64_REGISTER_IDTR).table.limit, 0);
	cr_expect_eq(get(HV_X64_REGISTER_GDTR).table.base, MULTIBOOT1_GDT_GPA);
	cr_expect_eq(get(HV_X64_REGISTER_GDTR).table.limit, 31);
	union hv_register_value tr = get(HV_X64_REGISTER_TR);
	cr_expect_eq(tr.segment.attributes & 0x8f, 0x8b, "present busy 32-bit TSS");
	cr_expect_eq(tr.segment.base, MULTIBOOT1_TSS_GPA);
	cr_expect_eq(tr.segment.limit, 0x67);
	cr_expect_eq(get(HV_X64_REGISTER_LDTR).segment.attributes & HV_SEG_ATTR_P, 0, "unusable");
	cr_expect_eq(get(HV_X64_REGISTER_RSP).reg64, MULTIBOOT1_STACK_TOP);
}

/* The GDT in guest memory matches the hidden segment state. */
static void expect_gdt(void)
{
	uint64_t gdt[4];

	memcpy(gdt, ram.hva + MULTIBOOT1_GDT_GPA, sizeof(gdt));
	cr_expect_eq(gdt[0], 0);
	cr_expect_eq(gdt[1], 0x00cf9b000000ffffULL, "flat 32-bit code");
	cr_expect_eq(gdt[2], 0x00cf93000000ffffULL, "flat 32-bit data");
	/* The TSS descriptor: base 0x1080 split across the fields, limit 0x67, type 11, present. */
	cr_expect_eq(gdt[3] & 0xffff, 0x67);
	cr_expect_eq((gdt[3] >> 16) & 0xffffff, MULTIBOOT1_TSS_GPA);
	cr_expect_eq((gdt[3] >> 40) & 0xff, 0x8b);
	cr_expect_eq(gdt[3] >> 56, 0);
}

Test(multiboot1_start, machine_state_on_svm)
{
	memset(ram.hva, 0x5a, RAM_SIZE);
	cr_assert_eq(multiboot1_start_prepare(&ram, vp, ENTRY, MULTIBOOT1_INFO_GPA), 0);
	expect_machine_state();
	expect_gdt();
	for (unsigned i = 0; i <= MULTIBOOT1_TSS_LIMIT; i++)
		cr_assert_eq(ram.hva[MULTIBOOT1_TSS_GPA + i], 0, "TSS byte %u", i);
	cr_expect_eq(ram.hva[MULTIBOOT1_INFO_GPA], 0x5a,
	             "the info block is not the start's business");
}

Test(multiboot1_start, refuses_ram_that_does_not_hold_the_gdt)
{
	ram.size = MULTIBOOT1_GDT_GPA + 16;
	cr_expect_eq(multiboot1_start_prepare(&ram, vp, ENTRY, MULTIBOOT1_INFO_GPA), -EFAULT);
	cr_expect_eq(multiboot1_start_prepare(NULL, vp, ENTRY, MULTIBOOT1_INFO_GPA), -EINVAL);
}

Test(multiboot1_start_vmx, machine_state_passes_the_vm_entry_checks)
{
	struct vmx_segment_state *segs[8];
	struct vmx_guest_state g;
	const char *detail;

	cr_assert_eq(multiboot1_start_prepare(&ram, vp, ENTRY, MULTIBOOT1_INFO_GPA), 0);
	expect_machine_state();

	/* What VM entry would see, read back from the (fake) VMCS. */
	memset(&g, 0, sizeof(g));
	g.cr0 = fake_vmcs_get(VMCS_GUEST_CR0);
	g.cr3 = fake_vmcs_get(VMCS_GUEST_CR3);
	g.cr4 = fake_vmcs_get(VMCS_GUEST_CR4);
	g.dr7 = fake_vmcs_get(VMCS_GUEST_DR7);
	g.rflags = fake_vmcs_get(VMCS_GUEST_RFLAGS);
	g.rip = fake_vmcs_get(VMCS_GUEST_RIP);
	g.efer = fake_vmcs_get(VMCS_GUEST_IA32_EFER);
	g.pat = fake_vmcs_get(VMCS_GUEST_IA32_PAT);
	g.link_pointer = fake_vmcs_get(VMCS_LINK_POINTER);
	g.entry_controls = (uint32_t)fake_vmcs_get(VMCS_ENTRY_CONTROLS);
	g.proc2 = (uint32_t)fake_vmcs_get(VMCS_SECONDARY_PROC_BASED_CONTROLS);
	g.activity = (uint32_t)fake_vmcs_get(VMCS_GUEST_ACTIVITY_STATE);
	g.interruptibility = (uint32_t)fake_vmcs_get(VMCS_GUEST_INTERRUPTIBILITY);
	segs[0] = &g.es, segs[1] = &g.cs, segs[2] = &g.ss, segs[3] = &g.ds;
	segs[4] = &g.fs, segs[5] = &g.gs, segs[6] = &g.ldtr, segs[7] = &g.tr;
	for (uint32_t i = 0; i < 8; i++) {
		segs[i]->selector = (uint16_t)fake_vmcs_get(VMCS_GUEST_ES_SELECTOR + 2 * i);
		segs[i]->base = fake_vmcs_get(VMCS_GUEST_ES_BASE + 2 * i);
		segs[i]->limit = (uint32_t)fake_vmcs_get(VMCS_GUEST_ES_LIMIT + 2 * i);
		segs[i]->ar = (uint32_t)fake_vmcs_get(VMCS_GUEST_ES_AR + 2 * i);
	}
	g.gdtr_base = fake_vmcs_get(VMCS_GUEST_GDTR_BASE);
	g.gdtr_limit = (uint32_t)fake_vmcs_get(VMCS_GUEST_GDTR_LIMIT);
	g.idtr_limit = (uint32_t)fake_vmcs_get(VMCS_GUEST_IDTR_LIMIT);
	g.cr0_fixed0 = fake_msr_value(0x486);
	g.cr0_fixed1 = fake_msr_value(0x487);
	g.cr4_fixed0 = fake_msr_value(0x488);
	g.cr4_fixed1 = fake_msr_value(0x489);
	g.phys_bits = 39;

	cr_expect_eq(g.entry_controls & VMX_ENTRY_IA32E_GUEST, 0, "not an IA-32e guest");
	cr_expect(g.ldtr.ar & VMX_AR_UNUSABLE, "LDTR unusable");
	detail = vmx_check_guest_state(&g);
	cr_expect(strstr(detail, "no guest-state"), "VM entry would fail: %s", detail);
}
