/* Host tests of the VMX backend: controls from capability MSRs, VMCS setup, registers, exits, failures. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <string.h>

#include "fakes/fake_hv.h"
#include "fakes/fake_vmx.h"
#include "libhv/core/hv_internal.h"
#include "libhv/vmx/vmcs.h"
#include "libhv/vmx/vmx_internal.h"

static struct hv_partition *part;
static struct hv_vp *vp;

static void create_vp(void)
{
	struct hv_partition_config config = {.name = "vmxtest", .max_vps = 1};

	cr_assert_eq(hv_partition_create(&config, &part), HV_STATUS_SUCCESS);
	cr_assert_eq(hv_vp_create(part, 0, &vp), HV_STATUS_SUCCESS);
}

static void setup(void)
{
	fake_host_reset();
	fake_cpu_reset_intel();
	cr_assert_eq(hv_init(&fake_host_ops), HV_STATUS_SUCCESS, "%s",
	             hv_capabilities() ? "" : "hv_init refused the fake Intel processor");
	create_vp();
}

static void teardown(void)
{
	if (part)
		hv_partition_delete(part);
	part = NULL;
}

TestSuite(vmx, .init = setup, .fini = teardown);

static uint64_t reg(uint32_t name)
{
	union hv_register_value v;

	cr_assert_eq(hv_vp_get_registers(vp, &name, 1, &v), HV_STATUS_SUCCESS);
	return v.reg64;
}

static hv_status_t set_reg(uint32_t name, uint64_t value)
{
	union hv_register_value v = {.reg64 = value};

	return hv_vp_set_registers(vp, &name, 1, &v);
}

static void set_segment(uint32_t name, uint16_t selector, uint16_t attributes)
{
	union hv_register_value v = {
	    .segment = {
	        .base = 0, .limit = 0xffffffff, .selector = selector, .attributes = attributes}};

	cr_assert_eq(hv_vp_set_registers(vp, &name, 1, &v), HV_STATUS_SUCCESS);
}

/* The ELF64 start state: long mode, flat 64-bit code, CPL 0. */
static void set_long_mode(void)
{
	cr_assert_eq(set_reg(HV_X64_REGISTER_CR4, CR4_PAE), HV_STATUS_SUCCESS);
	cr_assert_eq(set_reg(HV_X64_REGISTER_EFER, EFER_LME | EFER_LMA), HV_STATUS_SUCCESS);
	cr_assert_eq(set_reg(HV_X64_REGISTER_CR0, CR0_PE | CR0_PG | CR0_ET | CR0_NE),
	             HV_STATUS_SUCCESS);
	set_segment(HV_X64_REGISTER_CS, 8, 0xa09b);
	set_segment(HV_X64_REGISTER_SS, 0x10, 0xc093);
	set_segment(HV_X64_REGISTER_TR, 0, 0x008b);
	cr_assert_eq(set_reg(HV_X64_REGISTER_RIP, 0x100000), HV_STATUS_SUCCESS);
}

/* ---- capabilities and controls ---- */

struct adjust_case {
	uint64_t capability;
	uint32_t wanted, expected;
};

ParameterizedTestParameters(vmx_caps, adjust)
{
	static struct adjust_case cases[] = {
	    {0x0000007f00000016ULL, 0x9, 0x1f},  /* required bits 1,2,4 added */
	    {0x0000007f00000016ULL, 0x80, 0x16}, /* a bit the processor forbids dropped */
	    {0xffffffff00000000ULL, 0xdeadbeef, 0xdeadbeef},
	    {0x0000000000000000ULL, 0xffffffff, 0},
	};
	return cr_make_param_array(struct adjust_case, cases, sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct adjust_case *c, vmx_caps, adjust)
{
	cr_expect_eq(vmx_adjust_controls(c->capability, c->wanted), c->expected);
}

static struct vmx_msrs skylake(void)
{
	return (struct vmx_msrs){
	    .basic = 0x00d810000000002bULL,
	    .pinbased = 0x0000007f00000016ULL,
	    .procbased = 0xfff9fffe04006172ULL,
	    .procbased2 = 0x000010ae00000000ULL,
	    .exit = 0x003fffff00036dfbULL,
	    .entry = 0x0000ffff000011fbULL,
	    .misc = 0x25,
	    .cr0_fixed0 = 0x80000021,
	    .cr0_fixed1 = 0xffffffff,
	    .cr4_fixed0 = 0x2000,
	    .cr4_fixed1 = 0x3767ff,
	    .ept_vpid = VMX_EPT_CAP_WALK_4 | VMX_EPT_CAP_WB | VMX_EPT_CAP_2M | VMX_EPT_CAP_INVEPT |
	                VMX_EPT_CAP_INVEPT_SINGLE | VMX_VPID_CAP_INVVPID | VMX_VPID_CAP_SINGLE,
	};
}

Test(vmx_caps, a_skylake_gets_ept_vpid_and_unrestricted_guest)
{
	struct vmx_msrs m = skylake();
	struct vmx_config c;

	vmx_configure(&m, &c);
	cr_assert_null(c.refusal, "%s", c.refusal);
	cr_expect_eq(c.revision, 0x2b);
	cr_expect(c.ept && c.vpid && c.unrestricted);
	cr_expect_not(c.ept_ad, "no A/D in the capability MSR");
	cr_expect(c.pin & VMX_PIN_EXTERNAL_INTERRUPT);
	cr_expect(c.proc & VMX_PROC_HLT_EXITING);
	cr_expect(c.proc & VMX_PROC_USE_IO_BITMAPS);
	cr_expect_not(c.proc & VMX_PROC_CR3_LOAD_EXITING, "TRUE controls let CR3 exiting go");
	cr_expect(c.proc2 & VMX_PROC2_ENABLE_EPT);
	cr_expect(c.exit & VMX_EXIT_LOAD_EFER);
	cr_expect_not(c.exit & VMX_EXIT_ACK_INTERRUPT, "host interrupts stay pending in the host");
	cr_expect(c.exit_ack & VMX_EXIT_ACK_INTERRUPT, "for a host without take_interrupts");
	cr_expect(c.pin & VMX_PIN_VIRTUAL_NMIS);
	cr_expect(c.interrupt_window && c.nmi_window);
	cr_expect(c.proc & VMX_PROC_CR8_LOAD_EXITING);
	cr_expect(c.entry & VMX_ENTRY_LOAD_EFER);
	cr_expect_eq(c.entry & (uint32_t)m.entry, (uint32_t)m.entry, "every required bit set");
	cr_expect_eq(c.preemption_timer_shift, 5);
}

Test(vmx_caps, a_lynnfield_has_no_unrestricted_guest)
{
	struct vmx_msrs m = skylake();
	struct vmx_config c;

	m.procbased2 &= ~((uint64_t)VMX_PROC2_UNRESTRICTED << 32);
	vmx_configure(&m, &c);
	cr_assert_null(c.refusal);
	cr_expect_not(c.unrestricted);
	cr_expect_not(c.proc2 & VMX_PROC2_UNRESTRICTED);
}

Test(vmx_caps, refusals_name_what_is_missing)
{
	struct vmx_msrs m = skylake();
	struct vmx_config c;

	m.procbased2 &= ~((uint64_t)VMX_PROC2_ENABLE_EPT << 32);
	vmx_configure(&m, &c);
	cr_expect_not_null(c.refusal);
	cr_expect_not_null(strstr(c.refusal, "EPT"));

	m = skylake();
	m.ept_vpid &= ~VMX_EPT_CAP_WB;
	vmx_configure(&m, &c);
	cr_expect_not_null(c.refusal, "EPT without write-back tables is refused");

	m = skylake();
	m.procbased &= ~((uint64_t)VMX_PROC_USE_IO_BITMAPS << 32);
	vmx_configure(&m, &c);
	cr_expect_not_null(c.refusal);
	cr_expect_not_null(strstr(c.refusal, "bitmaps"));

	m = skylake();
	m.exit &= ~((uint64_t)VMX_EXIT_LOAD_EFER << 32);
	vmx_configure(&m, &c);
	cr_expect_not_null(c.refusal);
}

Test(vmx_caps, cr_fixed_bits)
{
	cr_expect_eq(vmx_fix_cr(0x11, 0x80000021, 0xffffffff), 0x80000031);
	cr_expect_eq(vmx_fix_cr(1ULL << 40, 0, 0xffffffff), 0);
}

/* ---- hv_init on Intel ---- */

Test(vmx_init, turns_vmx_on)
{
	const struct hv_capabilities *c;

	fake_host_reset();
	fake_cpu_reset_intel();
	cr_assert_eq(hv_init(&fake_host_ops), HV_STATUS_SUCCESS);
	c = hv_capabilities();
	cr_assert_not_null(c);
	cr_expect_eq(c->vendor, HV_VENDOR_INTEL);
	cr_expect_str_eq(c->backend, "vmx");
	cr_expect(c->nested_paging && c->vpid && c->unrestricted_guest && c->slat_ad_bits);
	cr_expect_eq(c->vmcs_revision, 0x2b);
	cr_expect(fake_vmx_cr4() & (1ULL << 13), "CR4.VMXE set");
	cr_expect_eq(fake_vmx_vmxon_count(), 1);
}

Test(vmx_init, refuses_vmx_locked_off_by_firmware)
{
	struct hv_capabilities caps;

	fake_host_reset();
	fake_cpu_reset_intel();
	fake_msr_set(MSR_IA32_FEATURE_CONTROL, 0x1);
	cr_expect_eq(hv_init(&fake_host_ops), HV_STATUS_PROCESSOR_FEATURE_NOT_SUPPORTED);
	cr_expect_null(hv_capabilities());
	cr_expect_eq(fake_vmx_vmxon_count(), 0);
	hv_detect(&caps);
	cr_expect(caps.usable, "detection alone does not read the lock");
}

Test(vmx_init, unlocked_feature_control_is_locked_with_vmx_on)
{
	fake_host_reset();
	fake_cpu_reset_intel();
	fake_msr_set(MSR_IA32_FEATURE_CONTROL, 0);
	cr_assert_eq(hv_init(&fake_host_ops), HV_STATUS_SUCCESS);
	cr_expect_eq(fake_msr_value(MSR_IA32_FEATURE_CONTROL) & 5, 5);
}

Test(vmx_init, refuses_intel_without_vmx_or_ept)
{
	struct hv_capabilities caps;

	fake_host_reset();
	fake_cpu_reset_intel();
	fake_cpuid_clear_bits(1, 2, 1U << 5);
	cr_expect_eq(hv_detect(&caps), HV_STATUS_PROCESSOR_FEATURE_NOT_SUPPORTED);
	cr_expect_not_null(strstr(caps.refusal, "without VMX"), "%s", caps.refusal);

	fake_cpu_reset_intel();
	fake_msr_set(MSR_IA32_VMX_PROCBASED2, 0x000010ac00000000ULL); /* no EPT */
	cr_expect_eq(hv_detect(&caps), HV_STATUS_PROCESSOR_FEATURE_NOT_SUPPORTED);
	cr_expect_not_null(strstr(caps.refusal, "EPT"), "%s", caps.refusal);
}

/* ---- VMCS setup ---- */

Test(vmx, the_vmcs_is_set_up)
{
	uint64_t eptp;

	cr_expect(fake_vmcs_get(VMCS_PIN_BASED_CONTROLS) & VMX_PIN_EXTERNAL_INTERRUPT);
	cr_expect(fake_vmcs_get(VMCS_PROC_BASED_CONTROLS) & VMX_PROC_USE_MSR_BITMAPS);
	cr_expect(fake_vmcs_get(VMCS_SECONDARY_PROC_BASED_CONTROLS) & VMX_PROC2_UNRESTRICTED);
	cr_expect_eq(fake_vmcs_get(VMCS_LINK_POINTER), ~0ULL);
	cr_expect_neq(fake_vmcs_get(VMCS_VPID), 0, "VPID 0 is the host's");
	eptp = fake_vmcs_get(VMCS_EPT_POINTER);
	cr_expect_eq(eptp & 0x7f, 6 | (3 << 3) | (1 << 6), "WB, 4 levels, A/D");
	cr_expect_eq(eptp & ~0xfffULL, part->slat.root);
	cr_expect_eq(fake_vmcs_get(VMCS_HOST_RIP), (uint64_t)(uintptr_t)vmx_exit_point);
	cr_expect_eq(fake_vmcs_get(VMCS_HOST_TR_SELECTOR), 0x18);
	cr_expect_neq(fake_vmcs_get(VMCS_IO_BITMAP_A), 0);
	cr_expect_eq(fake_vmcs_get(VMCS_IO_BITMAP_B), fake_vmcs_get(VMCS_IO_BITMAP_A) + 4096);
	cr_expect_eq(fake_vmcs_get(VMCS_CR4_GUEST_HOST_MASK) & (1ULL << 13), 1ULL << 13);
}

Test(vmx, msr_bitmap_passes_only_what_is_switched)
{
	uint8_t bitmap[4096];

	memset(bitmap, 0xff, sizeof(bitmap));
	vmx_msr_bitmap_pass_through(bitmap, 0xc0000100); /* FS_BASE */
	cr_expect_eq(bitmap[0x400 + 0x100 / 8], 0xfe, "read, high range");
	cr_expect_eq(bitmap[0xc00 + 0x100 / 8], 0xfe, "write, high range");
	vmx_msr_bitmap_pass_through(bitmap, 0x176);
	cr_expect_eq(bitmap[0x176 / 8], (uint8_t) ~(1U << (0x176 % 8)));
	vmx_msr_bitmap_pass_through(bitmap, 0xc0010114); /* outside: ignored */
	vmx_msr_bitmap_pass_through(bitmap, 0x40000000);
	cr_expect_eq(bitmap[0x800 + 0x80000080 % 0x2000 / 8], 0xff, "EFER stays intercepted");
}

/* ---- registers ---- */

Test(vmx, cr0_and_cr4_show_the_guest_its_own_bits)
{
	cr_assert_eq(set_reg(HV_X64_REGISTER_CR0, CR0_PE | CR0_PG | CR0_ET), HV_STATUS_SUCCESS);
	cr_expect(fake_vmcs_get(VMCS_GUEST_CR0) & CR0_NE, "VMX needs NE in the real CR0");
	cr_expect_eq(reg(HV_X64_REGISTER_CR0), CR0_PE | CR0_PG | CR0_ET, "the guest sees no NE");
	cr_assert_eq(set_reg(HV_X64_REGISTER_CR4, CR4_PAE), HV_STATUS_SUCCESS);
	cr_expect(fake_vmcs_get(VMCS_GUEST_CR4) & (1ULL << 13), "VMXE in the real CR4");
	cr_expect_eq(reg(HV_X64_REGISTER_CR4), CR4_PAE);
	cr_expect_eq(set_reg(HV_X64_REGISTER_CR4, 1ULL << 13), HV_STATUS_INVALID_REGISTER_VALUE);
	cr_expect_eq(set_reg(HV_X64_REGISTER_CR4, 1ULL << 25), HV_STATUS_INVALID_REGISTER_VALUE,
	             "a bit CR4_FIXED1 does not allow");
	cr_expect_eq(set_reg(HV_X64_REGISTER_CR0, CR0_PG), HV_STATUS_INVALID_REGISTER_VALUE);
	cr_expect_eq(set_reg(HV_X64_REGISTER_CR0, CR0_NW), HV_STATUS_INVALID_REGISTER_VALUE);
	cr_expect_eq(set_reg(HV_X64_REGISTER_CR0, 1ULL << 40), HV_STATUS_INVALID_REGISTER_VALUE);
}

Test(vmx, efer_follows_into_the_ia32e_entry_control)
{
	cr_assert_eq(set_reg(HV_X64_REGISTER_EFER, EFER_LME | EFER_LMA), HV_STATUS_SUCCESS);
	cr_expect(fake_vmcs_get(VMCS_ENTRY_CONTROLS) & VMX_ENTRY_IA32E_GUEST);
	cr_assert_eq(set_reg(HV_X64_REGISTER_EFER, 0), HV_STATUS_SUCCESS);
	cr_expect_not(fake_vmcs_get(VMCS_ENTRY_CONTROLS) & VMX_ENTRY_IA32E_GUEST);
	cr_expect_eq(set_reg(HV_X64_REGISTER_EFER, EFER_SVME), HV_STATUS_INVALID_REGISTER_VALUE);
}

Test(vmx, segments_use_the_vmx_access_rights_with_unusable)
{
	union hv_register_value v;
	uint32_t name = HV_X64_REGISTER_LDTR;

	set_segment(HV_X64_REGISTER_LDTR, 0, 0);
	cr_expect(fake_vmcs_get(VMCS_GUEST_LDTR_AR) & VMX_AR_UNUSABLE);
	cr_assert_eq(hv_vp_get_registers(vp, &name, 1, &v), HV_STATUS_SUCCESS);
	cr_expect_not(v.segment.attributes & HV_SEG_ATTR_P);
	set_segment(HV_X64_REGISTER_CS, 8, 0xa09b);
	cr_expect_eq(fake_vmcs_get(VMCS_GUEST_CS_AR), 0xa09b);
	cr_expect_eq(fake_vmcs_get(VMCS_GUEST_CS_SELECTOR), 8);
}

Test(vmx, general_registers_and_cr2_live_outside_the_vmcs)
{
	struct vmx_vp *x = vp->vendor;

	cr_assert_eq(set_reg(HV_X64_REGISTER_R13, 0x1313), HV_STATUS_SUCCESS);
	cr_expect_eq(x->gprs[13], 0x1313);
	cr_assert_eq(set_reg(HV_X64_REGISTER_RSP, 0x8000), HV_STATUS_SUCCESS);
	cr_expect_eq(fake_vmcs_get(VMCS_GUEST_RSP), 0x8000);
	cr_assert_eq(set_reg(HV_X64_REGISTER_CR2, 0xdead000), HV_STATUS_SUCCESS);
	cr_expect_eq(reg(HV_X64_REGISTER_CR2), 0xdead000);
}

/* ---- the run loop through the fake world switch ---- */

struct script {
	unsigned step;
	int (*steps[8])(uint64_t *gprs);
};

static int play(uint64_t *gprs, void *ctx)
{
	struct script *s = ctx;

	cr_assert(s->steps[s->step], "the guest ran more often than scripted");
	return s->steps[s->step++](gprs);
}

static void exit_with(uint32_t reason, uint64_t qualification, uint32_t length)
{
	fake_vmcs_set(VMCS_EXIT_REASON, reason);
	fake_vmcs_set(VMCS_EXIT_QUALIFICATION, qualification);
	fake_vmcs_set(VMCS_EXIT_INSTRUCTION_LENGTH, length);
	fake_vmcs_set(VMCS_IDT_VECTORING_INFO, 0);
}

static int exit_cpuid(uint64_t *gprs)
{
	gprs[0] = 1;
	gprs[1] = 0;
	exit_with(VMX_EXIT_CPUID, 0, 2);
	return 0;
}

static int exit_vmcall(uint64_t *gprs)
{
	gprs[1] = 0xffff;
	exit_with(VMX_EXIT_VMCALL, 0, 3);
	return 0;
}

static int exit_hlt(uint64_t *gprs)
{
	(void)gprs;
	exit_with(VMX_EXIT_HLT, 0, 1);
	return 0;
}

Test(vmx, cpuid_then_a_hypercall)
{
	struct script s = {.steps = {exit_cpuid, exit_vmcall, exit_hlt}};
	struct hv_exit e;

	set_long_mode();
	fake_vmx_set_guest(play, &s);
	cr_assert_eq(hv_vp_run(vp, &e), HV_STATUS_SUCCESS);
	cr_assert_eq(e.reason, HV_EXIT_CPUID);
	cr_expect(fake_vmx_last_entry_was_launch(), "the first entry is VMLAUNCH");
	cr_expect(e.cpuid.ecx & (1U << 31), "hypervisor bit");
	cr_expect_not(e.cpuid.ecx & (1U << 5), "VMX hidden");
	cr_assert_eq(hv_vp_complete(vp, &e), HV_STATUS_SUCCESS);
	cr_expect_eq(reg(HV_X64_REGISTER_RIP), 0x100002);
	cr_assert_eq(hv_vp_run(vp, &e), HV_STATUS_SUCCESS);
	cr_expect_eq(e.reason, HV_EXIT_HLT);
	cr_expect_not(fake_vmx_last_entry_was_launch(), "then VMRESUME");
	cr_expect_eq(reg(HV_X64_REGISTER_RAX), HV_STATUS_INVALID_HYPERCALL_CODE);
	cr_expect_eq(e.rip, 0x100005);
}

static int exit_out(uint64_t *gprs)
{
	gprs[0] = 0xffffff41;
	exit_with(VMX_EXIT_IO, (0x3f8ULL << 16) | 0, 1);
	return 0;
}

static int exit_in_dword(uint64_t *gprs)
{
	gprs[0] = 0x1111111111111111ULL;
	exit_with(VMX_EXIT_IO, (0x70ULL << 16) | VMX_IO_IN | 3, 1);
	return 0;
}

Test(vmx, port_io)
{
	struct script s = {.steps = {exit_out, exit_in_dword}};
	struct hv_exit e;

	set_long_mode();
	fake_vmx_set_guest(play, &s);
	cr_assert_eq(hv_vp_run(vp, &e), HV_STATUS_SUCCESS);
	cr_assert_eq(e.reason, HV_EXIT_IO);
	cr_expect(e.io.is_write);
	cr_expect_eq(e.io.port, 0x3f8);
	cr_expect_eq(e.io.size, 1);
	cr_expect_eq(e.io.value, 0x41);
	cr_assert_eq(hv_vp_complete(vp, &e), HV_STATUS_SUCCESS);
	cr_assert_eq(hv_vp_run(vp, &e), HV_STATUS_SUCCESS);
	cr_expect_not(e.io.is_write);
	cr_expect_eq(e.io.size, 4);
	e.io.value = 0xcafe;
	cr_assert_eq(hv_vp_complete(vp, &e), HV_STATUS_SUCCESS);
	cr_expect_eq(reg(HV_X64_REGISTER_RAX), 0xcafe);
	cr_expect_eq(reg(HV_X64_REGISTER_RIP), 0x100002);
}

static int exit_ept_violation(uint64_t *gprs)
{
	(void)gprs;
	exit_with(VMX_EXIT_EPT_VIOLATION, VMX_EPT_WRITE | VMX_EPT_GLA_VALID | VMX_EPT_GLA_FINAL, 4);
	fake_vmcs_set(VMCS_GUEST_PHYSICAL_ADDRESS, 0xfee00030);
	fake_vmcs_set(VMCS_GUEST_LINEAR_ADDRESS, 0xfee00030);
	return 0;
}

Test(vmx, ept_violation_outside_ram)
{
	struct script s = {.steps = {exit_ept_violation}};
	struct hv_exit e;

	set_long_mode();
	fake_vmx_set_guest(play, &s);
	cr_assert_eq(hv_vp_run(vp, &e), HV_STATUS_SUCCESS);
	cr_assert_eq(e.reason, HV_EXIT_MEMORY_ACCESS);
	cr_expect_eq(e.memory.gpa, 0xfee00030);
	cr_expect_eq(e.memory.access, HV_ACCESS_WRITE);
	cr_expect(e.memory.gva_valid);
	cr_expect_eq(e.memory.gva, 0xfee00030);
	cr_expect_not(e.memory.mapped);
	cr_expect_not(e.memory.during_guest_walk);
	cr_expect_eq(e.insn_length, 0);
}

static int exit_mov_to_cr4_vmxe(uint64_t *gprs)
{
	gprs[3] = CR4_PAE | (1ULL << 13); /* RBX */
	exit_with(VMX_EXIT_CR_ACCESS, 4 | (3 << VMX_CR_GPR_SHIFT), 3);
	return 0;
}

static int exit_check_gp(uint64_t *gprs)
{
	(void)gprs;
	cr_expect_eq(fake_vmcs_get(VMCS_ENTRY_INTERRUPTION_INFO),
	             13 | (3 << 8) | VMX_INTR_ERROR_VALID | VMX_INTR_VALID, "#GP(0) pending");
	exit_with(VMX_EXIT_TRIPLE_FAULT, 0, 0);
	return 0;
}

Test(vmx, a_guest_cannot_set_cr4_vmxe)
{
	struct script s = {.steps = {exit_mov_to_cr4_vmxe, exit_check_gp}};
	struct hv_exit e;

	set_long_mode();
	fake_vmx_set_guest(play, &s);
	cr_assert_eq(hv_vp_run(vp, &e), HV_STATUS_SUCCESS);
	cr_expect_eq(e.reason, HV_EXIT_SHUTDOWN);
	cr_expect_eq(reg(HV_X64_REGISTER_CR4), CR4_PAE, "unchanged");
	cr_expect_eq(reg(HV_X64_REGISTER_RIP), 0x100000, "the faulting instruction is not skipped");
}

static int exit_mov_to_cr0_no_ne(uint64_t *gprs)
{
	gprs[0] = CR0_PE | CR0_PG | CR0_ET; /* NE cleared */
	exit_with(VMX_EXIT_CR_ACCESS, 0, 3);
	return 0;
}

Test(vmx, a_guest_may_clear_cr0_ne_in_its_view)
{
	struct script s = {.steps = {exit_mov_to_cr0_no_ne, exit_hlt}};
	struct hv_exit e;

	set_long_mode();
	fake_vmx_set_guest(play, &s);
	cr_assert_eq(hv_vp_run(vp, &e), HV_STATUS_SUCCESS);
	cr_expect_eq(e.reason, HV_EXIT_HLT);
	cr_expect_eq(reg(HV_X64_REGISTER_CR0), CR0_PE | CR0_PG | CR0_ET);
	cr_expect(fake_vmcs_get(VMCS_GUEST_CR0) & CR0_NE);
	cr_expect_eq(hv_vp_stats(vp)->exits[HV_EXIT_CR_ACCESS], 1);
}

static int exit_vmxon(uint64_t *gprs)
{
	(void)gprs;
	exit_with(VMX_EXIT_VMXON, 0, 4);
	return 0;
}

static int exit_check_ud(uint64_t *gprs)
{
	(void)gprs;
	cr_expect_eq(fake_vmcs_get(VMCS_ENTRY_INTERRUPTION_INFO), 6 | (3 << 8) | VMX_INTR_VALID);
	exit_with(VMX_EXIT_TRIPLE_FAULT, 0, 0);
	return 0;
}

Test(vmx, guest_vmx_instructions_get_ud)
{
	struct script s = {.steps = {exit_vmxon, exit_check_ud}};
	struct hv_exit e;

	set_long_mode();
	fake_vmx_set_guest(play, &s);
	cr_assert_eq(hv_vp_run(vp, &e), HV_STATUS_SUCCESS);
	cr_expect_eq(hv_vp_stats(vp)->exits[HV_EXIT_REFUSED_INSN], 1);
}

static int exit_entry_failure_tr(uint64_t *gprs)
{
	(void)gprs;
	exit_with(VMX_EXIT_REASON_ENTRY_FAILURE | VMX_EXIT_INVALID_GUEST_STATE, 0, 0);
	return 0;
}

Test(vmx, failed_entry_names_the_field_and_stops_only_this_vp)
{
	struct script s = {.steps = {exit_entry_failure_tr}};
	struct hv_exit e;

	set_long_mode();
	set_segment(HV_X64_REGISTER_TR, 0, 0x0089); /* available TSS, not busy */
	fake_vmx_set_guest(play, &s);
	cr_assert_eq(hv_vp_run(vp, &e), HV_STATUS_SUCCESS);
	cr_assert_eq(e.reason, HV_EXIT_INVALID_STATE);
	cr_expect_eq(e.invalid.error, VMX_EXIT_INVALID_GUEST_STATE);
	cr_expect_not_null(strstr(e.invalid.detail, "GUEST_TR_AR"), "%s", e.invalid.detail);
	cr_expect_not_null(strstr(fake_host_last_log(), "vmxtest"), "the log names the partition");
	cr_expect_eq(hv_vp_run(vp, &e), HV_STATUS_INVALID_VP_STATE);
}

static int fail_valid_controls(uint64_t *gprs)
{
	(void)gprs;
	fake_vmcs_set(VMCS_VM_INSTRUCTION_ERROR, 7);
	return 1;
}

Test(vmx, vm_instruction_error_is_named)
{
	struct script s = {.steps = {fail_valid_controls}};
	struct hv_exit e;

	set_long_mode();
	fake_vmx_set_guest(play, &s);
	cr_assert_eq(hv_vp_run(vp, &e), HV_STATUS_SUCCESS);
	cr_assert_eq(e.reason, HV_EXIT_INVALID_STATE);
	cr_expect_eq(e.invalid.error, 7);
	cr_expect_not_null(strstr(e.invalid.detail, "invalid control field"));
}

Test(vmx, unmap_invalidates_the_ept_once)
{
	struct script s = {.steps = {exit_hlt, exit_hlt, exit_hlt}};
	struct hv_exit e;
	unsigned before;

	set_long_mode();
	cr_assert_eq(hv_gpa_map(part, 0, 0x200000, 0x10000, HV_MAP_GPA_RWX), HV_STATUS_SUCCESS);
	fake_vmx_set_guest(play, &s);
	cr_assert_eq(hv_vp_run(vp, &e), HV_STATUS_SUCCESS);
	before = fake_vmx_invept_count();
	cr_assert_eq(hv_gpa_unmap(part, 0, 0x1000), HV_STATUS_SUCCESS);
	cr_assert_eq(hv_gpa_unmap(part, 0x4000, 0x1000), HV_STATUS_SUCCESS);
	cr_assert_eq(hv_vp_run(vp, &e), HV_STATUS_SUCCESS);
	cr_expect_eq(fake_vmx_invept_count(), before + 1, "one INVEPT for the batch");
	cr_assert_eq(hv_vp_run(vp, &e), HV_STATUS_SUCCESS);
	cr_expect_eq(fake_vmx_invept_count(), before + 1, "nothing changed since");
}

static int exit_during_delivery(uint64_t *gprs)
{
	(void)gprs;
	exit_with(VMX_EXIT_EPT_VIOLATION, VMX_EPT_READ | (1ULL << 3), 0);
	fake_vmcs_set(VMCS_GUEST_PHYSICAL_ADDRESS, 0x1000);
	fake_vmcs_set(VMCS_IDT_VECTORING_INFO,
	              14 | (3 << 8) | VMX_INTR_ERROR_VALID | VMX_INTR_VALID);
	fake_vmcs_set(VMCS_IDT_VECTORING_ERROR_CODE, 2);
	return 0;
}

static int exit_check_reinjected(uint64_t *gprs)
{
	(void)gprs;
	cr_expect_eq(fake_vmcs_get(VMCS_ENTRY_INTERRUPTION_INFO),
	             14 | (3 << 8) | VMX_INTR_ERROR_VALID | VMX_INTR_VALID);
	cr_expect_eq(fake_vmcs_get(VMCS_ENTRY_EXCEPTION_ERROR_CODE), 2);
	exit_with(VMX_EXIT_TRIPLE_FAULT, 0, 0);
	return 0;
}

Test(vmx, an_event_interrupted_by_an_exit_is_reinjected)
{
	struct script s = {.steps = {exit_during_delivery, exit_check_reinjected}};
	struct hv_exit e;

	set_long_mode();
	cr_assert_eq(hv_gpa_map(part, 0, 0x200000, 0x2000, HV_MAP_GPA_RWX), HV_STATUS_SUCCESS);
	fake_vmx_set_guest(play, &s);
	cr_assert_eq(hv_vp_run(vp, &e), HV_STATUS_SUCCESS);
	cr_expect_eq(e.reason, HV_EXIT_SHUTDOWN);
}

Test(vmx, syscall_msrs_follow_the_vp_that_runs)
{
	struct hv_partition_config config = {.name = "second", .max_vps = 1};
	struct hv_partition *p2;
	struct hv_vp *vp2;
	struct script s = {.steps = {exit_hlt, exit_hlt}};
	union hv_register_value v = {.reg64 = 0xffffffff81000000ULL};
	uint32_t lstar = HV_X64_REGISTER_LSTAR;
	struct hv_exit e;

	cr_assert_eq(hv_partition_create(&config, &p2), HV_STATUS_SUCCESS);
	cr_assert_eq(hv_vp_create(p2, 0, &vp2), HV_STATUS_SUCCESS);
	set_long_mode();
	cr_assert_eq(hv_vp_set_registers(vp, &lstar, 1, &v), HV_STATUS_SUCCESS);
	v.reg64 = 0xffffffff82000000ULL;
	cr_assert_eq(hv_vp_set_registers(vp2, &lstar, 1, &v), HV_STATUS_SUCCESS);
	fake_vmx_set_guest(play, &s);
	cr_assert_eq(hv_vp_run(vp, &e), HV_STATUS_SUCCESS);
	cr_expect_eq(fake_msr_value(MSR_LSTAR), 0xffffffff81000000ULL);
	/* vp2 is in the reset state (real mode): fine with unrestricted guest. */
	cr_assert_eq(hv_vp_run(vp2, &e), HV_STATUS_SUCCESS);
	cr_expect_eq(fake_msr_value(MSR_LSTAR), 0xffffffff82000000ULL);
	cr_assert_eq(hv_vp_get_registers(vp, &lstar, 1, &v), HV_STATUS_SUCCESS);
	cr_expect_eq(v.reg64, 0xffffffff81000000ULL, "the first VP's value was saved");
	hv_partition_delete(p2);
}

/* Without unrestricted guest a real-mode VP is refused before any entry, with the reason. */
Test(vmx_init, real_mode_without_unrestricted_guest_is_refused_clearly)
{
	struct hv_exit e;
	struct script s = {.steps = {exit_hlt}};

	fake_host_reset();
	fake_cpu_reset_intel();
	fake_msr_set(MSR_IA32_VMX_PROCBASED2, 0x0000102e00000000ULL); /* no UG */
	cr_assert_eq(hv_init(&fake_host_ops), HV_STATUS_SUCCESS);
	cr_expect_not(hv_capabilities()->unrestricted_guest);
	create_vp();
	fake_vmx_set_guest(play, &s);
	cr_assert_eq(hv_vp_run(vp, &e), HV_STATUS_SUCCESS);
	cr_assert_eq(e.reason, HV_EXIT_INVALID_STATE);
	cr_expect_not_null(strstr(e.invalid.detail, "unrestricted guest"));
	cr_expect_eq(fake_vmx_entries(), 0, "never entered");
	hv_partition_delete(part);
	part = NULL;
}

Test(vmx_init, long_mode_without_unrestricted_guest_runs)
{
	struct hv_exit e;
	struct script s = {.steps = {exit_hlt}};

	fake_host_reset();
	fake_cpu_reset_intel();
	fake_msr_set(MSR_IA32_VMX_PROCBASED2, 0x0000102e00000000ULL);
	cr_assert_eq(hv_init(&fake_host_ops), HV_STATUS_SUCCESS);
	create_vp();
	set_long_mode();
	fake_vmx_set_guest(play, &s);
	cr_assert_eq(hv_vp_run(vp, &e), HV_STATUS_SUCCESS);
	cr_expect_eq(e.reason, HV_EXIT_HLT);
	hv_partition_delete(part);
	part = NULL;
}

/* ---- the guest-state diagnosis, one broken field at a time ---- */

static struct vmx_guest_state valid_long_mode(void)
{
	struct vmx_segment_state data = {0x10, 0, 0xffffffff, 0xc093};

	return (struct vmx_guest_state){
	    .cr0 = CR0_PE | CR0_PG | CR0_NE | CR0_ET,
	    .cr3 = 0x3000,
	    .cr4 = CR4_PAE | (1ULL << 13),
	    .dr7 = 0x400,
	    .rflags = 2,
	    .rip = 0x100000,
	    .efer = EFER_LME | EFER_LMA,
	    .pat = 0x0007040600070406ULL,
	    .link_pointer = ~0ULL,
	    .entry_controls = VMX_ENTRY_IA32E_GUEST | VMX_ENTRY_LOAD_EFER | VMX_ENTRY_LOAD_PAT,
	    .proc2 = VMX_PROC2_UNRESTRICTED,
	    .es = data,
	    .ss = data,
	    .ds = data,
	    .fs = data,
	    .gs = data,
	    .cs = {8, 0, 0xffffffff, 0xa09b},
	    .ldtr = {0, 0, 0, VMX_AR_UNUSABLE},
	    .tr = {0, 0, 0x67, 0x8b},
	    .gdtr_limit = 23,
	    .cr0_fixed0 = 0x80000021,
	    .cr0_fixed1 = 0xffffffff,
	    .cr4_fixed0 = 0x2000,
	    .cr4_fixed1 = 0x3767ff,
	    .phys_bits = 39,
	};
}

struct state_case {
	int broken;
	char expected[32];
};

static void break_state(struct vmx_guest_state *g, int which)
{
	switch (which) {
	case 0: g->cr0 &= ~CR0_NE; break;
	case 1: g->cr4 &= ~(1ULL << 13); break;
	case 2: g->cr4 &= ~CR4_PAE; break;
	case 3: g->efer &= ~EFER_LMA; break;
	case 4: g->pat = 0x02; break;
	case 5: g->tr.ar = 0x89; break;
	case 6: g->tr.ar |= VMX_AR_UNUSABLE; break;
	case 7: g->cs.ar = 0xa09a; break; /* code, but not accessed */
	case 8: g->cs.ar |= 1U << 14; break;
	case 9: g->ss.ar = 0xc09b; break;
	case 10: g->ds.ar = 0xc092; break;
	case 11: g->ldtr.ar = 0x83; break;
	case 12: g->fs.base = 1ULL << 50; break;
	case 13: g->rflags = 0; break;
	case 14: g->link_pointer = 0; break;
	case 15: g->cs.limit = 0x0fff0000; break; /* G=1 needs limit bits 11:0 set */
	case 16: g->rip = 1ULL << 50; break;
	case 17: g->cr3 = 1ULL << 45; break;
	case 18: g->activity = 7; break;
	default: break;
	}
}

ParameterizedTestParameters(vmx_check, names_the_field)
{
	static struct state_case cases[] = {
	    {0, "GUEST_CR0"},      {1, "GUEST_CR4"},
	    {2, "CR4.PAE"},        {3, "LMA"},
	    {4, "GUEST_IA32_PAT"}, {5, "GUEST_TR_AR"},
	    {6, "TR is unusable"}, {7, "GUEST_CS_AR"},
	    {8, "L and D/B"},      {9, "GUEST_SS_AR"},
	    {10, "GUEST_DS_AR"},   {11, "GUEST_LDTR_AR"},
	    {12, "GUEST_FS_BASE"}, {13, "GUEST_RFLAGS"},
	    {14, "link pointer"},  {15, "GUEST_CS_LIMIT"},
	    {16, "GUEST_RIP"},     {17, "GUEST_CR3"},
	    {18, "ACTIVITY"},      {-1, "no guest-state"},
	};
	return cr_make_param_array(struct state_case, cases, sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct state_case *c, vmx_check, names_the_field)
{
	struct vmx_guest_state g = valid_long_mode();
	const char *detail;

	break_state(&g, c->broken);
	detail = vmx_check_guest_state(&g);
	cr_expect_not_null(strstr(detail, c->expected), "case %d: \"%s\"", c->broken, detail);
}

/* ---- decoding, exit by exit ---- */

struct decode_case {
	uint32_t reason;
	uint64_t qualification;
	enum hv_exit_reason expected;
};

ParameterizedTestParameters(vmx_decode, reasons)
{
	static struct decode_case cases[] = {
	    {VMX_EXIT_EXTERNAL_INTERRUPT, 0, HV_EXIT_INTERRUPT},
	    {VMX_EXIT_PREEMPTION_TIMER, 0, HV_EXIT_INTERRUPT},
	    {VMX_EXIT_TRIPLE_FAULT, 0, HV_EXIT_SHUTDOWN},
	    {VMX_EXIT_HLT, 0, HV_EXIT_HLT},
	    {VMX_EXIT_VMCALL, 0, HV_EXIT_HYPERCALL},
	    {VMX_EXIT_RDMSR, 0, HV_EXIT_MSR_READ},
	    {VMX_EXIT_WRMSR, 0, HV_EXIT_MSR_WRITE},
	    {VMX_EXIT_XSETBV, 0, HV_EXIT_REFUSED_INSN},
	    {VMX_EXIT_INVD, 0, HV_EXIT_REFUSED_INSN},
	    {VMX_EXIT_VMCLEAR, 0, HV_EXIT_REFUSED_INSN},
	    {24 /* VMRESUME */, 0, HV_EXIT_REFUSED_INSN},
	    {VMX_EXIT_INVEPT, 0, HV_EXIT_REFUSED_INSN},
	    {VMX_EXIT_EPT_MISCONFIG, 0, HV_EXIT_INVALID_STATE},
	    {VMX_EXIT_REASON_ENTRY_FAILURE | VMX_EXIT_MSR_LOADING, 0, HV_EXIT_INVALID_STATE},
	    {VMX_EXIT_IO, 2 /* a size of 3 bytes: impossible */, HV_EXIT_UNSUPPORTED},
	    {VMX_EXIT_TASK_SWITCH, 0, HV_EXIT_UNSUPPORTED},
	    {65, 0, HV_EXIT_UNSUPPORTED},
	};
	return cr_make_param_array(struct decode_case, cases, sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct decode_case *c, vmx_decode, reasons)
{
	struct vmx_exit_info x = {.reason = c->reason,
	                          .qualification = c->qualification,
	                          .insn_length = 2,
	                          .rip = 0x1000};
	uint64_t gprs[VMX_GPR_COUNT] = {0};
	struct hv_exit e;

	memset(&e, 0, sizeof(e));
	vmx_decode_exit(&x, gprs, &e);
	cr_expect_eq(e.reason, c->expected, "reason %#x", c->reason);
	cr_expect_eq(e.vendor_code, c->reason);
}

Test(vmx_decode, a_wild_instruction_length_is_not_believed)
{
	struct vmx_exit_info x = {.reason = VMX_EXIT_CPUID, .insn_length = 16};
	uint64_t gprs[VMX_GPR_COUNT] = {0};
	struct hv_exit e;

	memset(&e, 0, sizeof(e));
	vmx_decode_exit(&x, gprs, &e);
	cr_expect_eq(e.insn_length, 0);
}

Test(vmx_decode, cr_access_qualification)
{
	struct vmx_exit_info x = {.reason = VMX_EXIT_CR_ACCESS,
	                          .qualification = 0 | (3ULL << 4) | (0x11ULL << 16),
	                          .insn_length = 3};
	uint64_t gprs[VMX_GPR_COUNT] = {0};
	struct hv_exit e;

	memset(&e, 0, sizeof(e));
	vmx_decode_exit(&x, gprs, &e);
	cr_assert_eq(e.reason, HV_EXIT_CR_ACCESS);
	cr_expect_eq(e.cr.type, HV_CR_LMSW);
	cr_expect_eq(e.cr.lmsw_source, 0x11);
}
