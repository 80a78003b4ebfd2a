/* Host tests of libhv's core on the SVM backend: init, partitions, registers, and the run loop. */
#include <criterion/criterion.h>
#include <string.h>

#include "fakes/fake_hv.h"
#include "libhv/core/hv_internal.h"
#include "libhv/svm/svm_internal.h"

static struct hv_partition *part;
static struct hv_vp *vp;

static void setup(void)
{
	struct hv_partition_config config = {.name = "test", .max_vps = 1};

	fake_host_reset();
	fake_cpu_reset_amd();
	cr_assert_eq(hv_init(&fake_host_ops), HV_STATUS_SUCCESS);
	cr_assert_eq(hv_partition_create(&config, &part), HV_STATUS_SUCCESS);
	cr_assert_eq(hv_vp_create(part, 0, &vp), HV_STATUS_SUCCESS);
}

static void teardown(void)
{
	if (part)
		cr_expect_eq(hv_partition_delete(part), HV_STATUS_SUCCESS);
	part = NULL;
}

TestSuite(vp, .init = setup, .fini = teardown);

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

/* ---- init and refusal ---- */

Test(vp_init, refuses_svm_without_nested_paging)
{
	struct hv_capabilities caps;

	fake_host_reset();
	fake_cpu_reset_amd();
	fake_cpuid_clear_bits(0x8000000aU, 3, 1U << 0);
	cr_expect_eq(hv_detect(&caps), HV_STATUS_PROCESSOR_FEATURE_NOT_SUPPORTED);
	cr_expect_not(caps.usable);
	cr_expect_not_null(strstr(caps.refusal, "nested paging"));
	cr_expect_eq(hv_init(&fake_host_ops), HV_STATUS_PROCESSOR_FEATURE_NOT_SUPPORTED);
	cr_expect_null(hv_capabilities());
}

Test(vp_init, refuses_amd_without_svm)
{
	struct hv_capabilities caps;

	fake_host_reset();
	fake_cpu_reset_amd();
	fake_cpuid_clear_bits(0x80000001U, 2, 1U << 2);
	cr_expect_eq(hv_detect(&caps), HV_STATUS_PROCESSOR_FEATURE_NOT_SUPPORTED);
	cr_expect_not_null(strstr(caps.refusal, "without SVM"), "%s", caps.refusal);
}

Test(vp_init, enables_svm_and_reports_features)
{
	const struct hv_capabilities *c;

	fake_host_reset();
	fake_cpu_reset_amd();
	cr_assert_eq(hv_init(&fake_host_ops), HV_STATUS_SUCCESS);
	c = hv_capabilities();
	cr_assert_not_null(c);
	cr_expect_eq(c->vendor, HV_VENDOR_AMD);
	cr_expect_str_eq(c->backend, "svm");
	cr_expect(c->nested_paging && c->nrip_save && c->flush_by_asid);
	cr_expect_eq(c->asid_count, 16);
	cr_expect(fake_msr_value(MSR_EFER) & EFER_SVME);
	cr_expect_neq(fake_msr_value(MSR_VM_HSAVE_PA), 0);
}

Test(vp_init, rejects_an_incomplete_host_table)
{
	struct hv_host_ops ops = fake_host_ops;

	ops.hpa_to_hva = NULL;
	cr_expect_eq(hv_init(&ops), HV_STATUS_INVALID_PARAMETER);
	cr_expect_eq(hv_init(NULL), HV_STATUS_INVALID_PARAMETER);
}

Test(vp_init, deleting_everything_returns_every_page)
{
	struct hv_partition_config config = {.name = "p", .max_vps = 1};
	struct hv_partition *p;
	struct hv_vp *v;
	size_t base;

	fake_host_reset();
	fake_cpu_reset_amd();
	cr_assert_eq(hv_init(&fake_host_ops), HV_STATUS_SUCCESS);
	base = fake_host_pages_in_use();
	cr_assert_eq(hv_partition_create(&config, &p), HV_STATUS_SUCCESS);
	cr_assert_eq(hv_gpa_map(p, 0, 0x200000, 0x400000, HV_MAP_GPA_RWX), HV_STATUS_SUCCESS);
	cr_assert_eq(hv_vp_create(p, 0, &v), HV_STATUS_SUCCESS);
	cr_expect_eq(hv_vp_create(p, 0, &v), HV_STATUS_INVALID_VP_STATE);
	cr_expect_eq(hv_vp_create(p, 1, &v), HV_STATUS_INVALID_VP_INDEX);
	cr_assert_eq(hv_partition_delete(p), HV_STATUS_SUCCESS);
	cr_expect_eq(fake_host_pages_in_use(), base);
}

Test(vp_init, partition_creation_survives_running_out_of_memory)
{
	struct hv_partition_config config = {.name = "p", .max_vps = 1};
	struct hv_partition *p;
	size_t base;

	fake_host_reset();
	fake_cpu_reset_amd();
	cr_assert_eq(hv_init(&fake_host_ops), HV_STATUS_SUCCESS);
	base = fake_host_pages_in_use();
	for (long n = 0; n < 4; n++) {
		fake_host_fail_after(n);
		cr_expect_eq(hv_partition_create(&config, &p), HV_STATUS_INSUFFICIENT_MEMORY,
		             "fail after %ld", n);
		cr_expect_eq(fake_host_pages_in_use(), base, "nothing leaks (fail after %ld)", n);
	}
	fake_host_fail_after(-1);
	config.max_vps = 0;
	cr_expect_eq(hv_partition_create(&config, &p), HV_STATUS_INVALID_PARAMETER);
}

/* ---- registers ---- */

Test(vp, registers_round_trip)
{
	static const uint32_t names[] = {HV_X64_REGISTER_RAX, HV_X64_REGISTER_R15,
	                                 HV_X64_REGISTER_RIP, HV_X64_REGISTER_CR3,
	                                 HV_X64_REGISTER_LSTAR};
	union hv_register_value in[5] = {{.reg64 = 1},
	                                 {.reg64 = 2},
	                                 {.reg64 = 0x100000},
	                                 {.reg64 = 0x3000},
	                                 {.reg64 = 0xffffffff81000000ULL}};
	union hv_register_value out[5];

	cr_assert_eq(hv_vp_set_registers(vp, names, 5, in), HV_STATUS_SUCCESS);
	cr_assert_eq(hv_vp_get_registers(vp, names, 5, out), HV_STATUS_SUCCESS);
	for (int i = 0; i < 5; i++)
		cr_expect_eq(out[i].reg64, in[i].reg64, "register %d", i);
}

Test(vp, segments_use_the_tlfs_attribute_form)
{
	uint32_t name = HV_X64_REGISTER_CS;
	union hv_register_value v = {
	    .segment = {.base = 0, .limit = 0xffffffff, .selector = 8, .attributes = 0xa09b}};
	union hv_register_value back;
	struct svm_vp *s = vp->vendor;

	cr_assert_eq(hv_vp_set_registers(vp, &name, 1, &v), HV_STATUS_SUCCESS);
	cr_expect_eq(s->vmcb->save.cs.attrib, 0xa9b, "packed in the VMCB");
	cr_assert_eq(hv_vp_get_registers(vp, &name, 1, &back), HV_STATUS_SUCCESS);
	cr_expect_eq(back.segment.attributes, 0xa09b);
	cr_expect_eq(back.segment.selector, 8);
}

Test(vp, efer_hides_svme_and_refuses_reserved_bits)
{
	struct svm_vp *s = vp->vendor;

	cr_assert_eq(set_reg(HV_X64_REGISTER_EFER, EFER_LME | EFER_LMA), HV_STATUS_SUCCESS);
	cr_expect(s->vmcb->save.efer & EFER_SVME, "VMRUN needs SVME in the guest's EFER");
	cr_expect_eq(reg(HV_X64_REGISTER_EFER), EFER_LME | EFER_LMA);
	cr_expect_eq(set_reg(HV_X64_REGISTER_EFER, EFER_SVME), HV_STATUS_INVALID_REGISTER_VALUE);
	cr_expect_eq(set_reg(HV_X64_REGISTER_EFER, 1ULL << 40), HV_STATUS_INVALID_REGISTER_VALUE);
}

Test(vp, hostile_register_values_are_refused)
{
	cr_expect_eq(set_reg(HV_X64_REGISTER_RIP, 0x0000800000000000ULL),
	             HV_STATUS_INVALID_REGISTER_VALUE);
	cr_expect_eq(set_reg(HV_X64_REGISTER_CR0, CR0_NW), HV_STATUS_INVALID_REGISTER_VALUE);
	cr_expect_eq(set_reg(HV_X64_REGISTER_CR0, 1ULL << 40), HV_STATUS_INVALID_REGISTER_VALUE);
	cr_expect_eq(set_reg(HV_X64_REGISTER_PAT, 0x0202020202020202ULL),
	             HV_STATUS_INVALID_REGISTER_VALUE);
	cr_expect_eq(set_reg(0x12345, 0), HV_STATUS_INVALID_PARAMETER);
	cr_expect_eq(hv_vp_get_registers(vp, NULL, 1, NULL), HV_STATUS_INVALID_PARAMETER);
}

Test(vp, a_new_vp_is_in_the_reset_state)
{
	cr_expect_eq(reg(HV_X64_REGISTER_RIP), 0xfff0);
	cr_expect_eq(reg(HV_X64_REGISTER_RFLAGS), 2);
	cr_expect_eq(reg(HV_X64_REGISTER_PAT), 0x0007040600070406ULL);
}

/* ---- the run loop ---- */

struct script {
	unsigned step;
	void (*steps[8])(struct vmcb *v, uint64_t *gprs);
};

static void play(struct vmcb *v, uint64_t *gprs, void *ctx)
{
	struct script *s = ctx;

	cr_assert(s->steps[s->step], "the guest ran more often than scripted");
	s->steps[s->step++](v, gprs);
}

static void exit_hlt(struct vmcb *v, uint64_t *gprs)
{
	(void)gprs;
	v->control.exit_code = SVM_EXIT_HLT;
	v->control.next_rip = v->save.rip + 1;
}

static void exit_vmmcall_unknown(struct vmcb *v, uint64_t *gprs)
{
	v->control.exit_code = SVM_EXIT_VMMCALL;
	v->control.next_rip = v->save.rip + 3;
	gprs[SVM_GPR_RCX] = 0xffff;
}

static void set_long_mode_cpl0(void)
{
	union hv_register_value ss = {.segment = {.selector = 0x10, .attributes = 0xc093}};
	union hv_register_value cs = {.segment = {.selector = 0x08, .attributes = 0xa09b}};
	uint32_t name = HV_X64_REGISTER_SS;

	cr_assert_eq(set_reg(HV_X64_REGISTER_CR0, CR0_PE | CR0_PG | CR0_ET), HV_STATUS_SUCCESS);
	cr_assert_eq(set_reg(HV_X64_REGISTER_EFER, EFER_LME | EFER_LMA), HV_STATUS_SUCCESS);
	cr_assert_eq(hv_vp_set_registers(vp, &name, 1, &ss), HV_STATUS_SUCCESS);
	name = HV_X64_REGISTER_CS; /* 64-bit code: the hypercall takes RCX/RDX/R8 */
	cr_assert_eq(hv_vp_set_registers(vp, &name, 1, &cs), HV_STATUS_SUCCESS);
	cr_assert_eq(set_reg(HV_X64_REGISTER_RIP, 0x100000), HV_STATUS_SUCCESS);
}

Test(vp, unknown_hypercall_gets_invalid_hypercall_code)
{
	struct script s = {.steps = {exit_vmmcall_unknown, exit_hlt}};
	struct hv_exit e;

	set_long_mode_cpl0();
	fake_svm_set_guest(play, &s);
	cr_assert_eq(hv_vp_run(vp, &e), HV_STATUS_SUCCESS);
	cr_expect_eq(e.reason, HV_EXIT_HLT, "the hypercall never reaches the monitor");
	cr_expect_eq(reg(HV_X64_REGISTER_RAX), HV_STATUS_INVALID_HYPERCALL_CODE);
	cr_expect_eq(e.rip, 0x100003, "RIP stepped past VMMCALL");
	cr_expect_eq(hv_vp_stats(vp)->exits[HV_EXIT_HYPERCALL], 1);
	cr_expect_eq(hv_vp_stats(vp)->exits[HV_EXIT_HLT], 1);
}

static void exit_vmmcall_reserved(struct vmcb *v, uint64_t *gprs)
{
	v->control.exit_code = SVM_EXIT_VMMCALL;
	v->control.next_rip = v->save.rip + 3;
	gprs[SVM_GPR_RCX] = 0x2 | (1ULL << 30);
}

Test(vp, hypercall_with_reserved_bits_gets_invalid_input)
{
	struct script s = {.steps = {exit_vmmcall_reserved, exit_hlt}};
	struct hv_exit e;

	set_long_mode_cpl0();
	fake_svm_set_guest(play, &s);
	cr_assert_eq(hv_vp_run(vp, &e), HV_STATUS_SUCCESS);
	cr_expect_eq(reg(HV_X64_REGISTER_RAX), HV_STATUS_INVALID_HYPERCALL_INPUT);
}

Test(vp, hypercall_from_user_mode_or_real_mode_raises_ud)
{
	struct script s = {.steps = {exit_vmmcall_unknown, exit_hlt}};
	union hv_register_value ss = {.segment = {.selector = 0x23, .attributes = 0xc0f3}};
	uint32_t name = HV_X64_REGISTER_SS;
	struct hv_exit e;

	set_long_mode_cpl0();
	cr_assert_eq(hv_vp_set_registers(vp, &name, 1, &ss), HV_STATUS_SUCCESS);
	fake_svm_set_guest(play, &s);
	cr_assert_eq(hv_vp_run(vp, &e), HV_STATUS_SUCCESS);
	cr_expect_eq(fake_svm_last_event_inject(), 6 | (3 << 8) | (1ULL << 31), "#UD at CPL 3");
	cr_expect_eq(e.rip, 0x100000, "RIP stays on the faulting instruction");
}

static void exit_cpuid_1(struct vmcb *v, uint64_t *gprs)
{
	v->control.exit_code = SVM_EXIT_CPUID;
	v->control.next_rip = v->save.rip + 2;
	v->save.rax = 1;
	gprs[SVM_GPR_RCX] = 0;
}

Test(vp, cpuid_is_filtered_and_completed)
{
	struct script s = {.steps = {exit_cpuid_1}};
	struct hv_exit e;

	set_long_mode_cpl0();
	fake_svm_set_guest(play, &s);
	cr_assert_eq(hv_vp_run(vp, &e), HV_STATUS_SUCCESS);
	cr_assert_eq(e.reason, HV_EXIT_CPUID);
	cr_expect(e.cpuid.ecx & (1U << 31), "hypervisor bit");
	cr_expect_not(e.cpuid.ecx & (1U << 5), "no VMX");
	cr_expect_not(e.cpuid.ecx & (1U << 26), "no XSAVE");
	cr_expect_not(e.cpuid.ecx & (1U << 28), "no AVX");
	e.cpuid.ebx = 0x1234;
	cr_assert_eq(hv_vp_complete(vp, &e), HV_STATUS_SUCCESS);
	cr_expect_eq(reg(HV_X64_REGISTER_RBX), 0x1234, "the monitor's answer wins");
	cr_expect_eq(reg(HV_X64_REGISTER_RIP), 0x100002);
}

static void exit_cpuid_svm_leaf(struct vmcb *v, uint64_t *gprs)
{
	v->control.exit_code = SVM_EXIT_CPUID;
	v->save.rax = 0x80000001U;
	gprs[SVM_GPR_RCX] = 0;
}

Test(vp, cpuid_hides_svm_from_the_guest)
{
	struct script s = {.steps = {exit_cpuid_svm_leaf}};
	struct hv_exit e;

	fake_svm_set_guest(play, &s);
	cr_assert_eq(hv_vp_run(vp, &e), HV_STATUS_SUCCESS);
	cr_expect_not(e.cpuid.ecx & (1U << 2));
}

static void exit_in_al(struct vmcb *v, uint64_t *gprs)
{
	(void)gprs;
	v->control.exit_code = SVM_EXIT_IOIO;
	v->control.exit_info1 = (0x3fdULL << 16) | SVM_IOIO_SZ8 | SVM_IOIO_TYPE_IN;
	v->control.exit_info2 = v->save.rip + 1;
	v->save.rax = 0x1111111111111111ULL;
}

static void exit_in_eax(struct vmcb *v, uint64_t *gprs)
{
	(void)gprs;
	v->control.exit_code = SVM_EXIT_IOIO;
	v->control.exit_info1 = (0x70ULL << 16) | SVM_IOIO_SZ32 | SVM_IOIO_TYPE_IN;
	v->control.exit_info2 = v->save.rip + 1;
	v->save.rax = 0x1111111111111111ULL;
}

Test(vp, port_input_merges_by_size)
{
	struct script s = {.steps = {exit_in_al, exit_in_eax}};
	struct hv_exit e;

	set_long_mode_cpl0();
	fake_svm_set_guest(play, &s);
	cr_assert_eq(hv_vp_run(vp, &e), HV_STATUS_SUCCESS);
	e.io.value = 0x60;
	cr_assert_eq(hv_vp_complete(vp, &e), HV_STATUS_SUCCESS);
	cr_expect_eq(reg(HV_X64_REGISTER_RAX), 0x1111111111111160ULL, "IN AL keeps the rest");
	cr_assert_eq(hv_vp_run(vp, &e), HV_STATUS_SUCCESS);
	e.io.value = 0xdeadbeef;
	cr_assert_eq(hv_vp_complete(vp, &e), HV_STATUS_SUCCESS);
	cr_expect_eq(reg(HV_X64_REGISTER_RAX), 0xdeadbeefULL, "IN EAX zero-extends");
	cr_expect_eq(reg(HV_X64_REGISTER_RIP), 0x100002);
}

Test(vp, complete_refuses_exits_that_are_not_instructions)
{
	struct hv_exit e = {.reason = HV_EXIT_SHUTDOWN};

	cr_expect_eq(hv_vp_complete(vp, &e), HV_STATUS_INVALID_PARAMETER);
	e.reason = HV_EXIT_IO;
	e.io.is_string = true;
	cr_expect_eq(hv_vp_complete(vp, &e), HV_STATUS_INVALID_PARAMETER);
}

static void exit_wrmsr_efer_reserved(struct vmcb *v, uint64_t *gprs)
{
	v->control.exit_code = SVM_EXIT_MSR;
	v->control.exit_info1 = 1;
	v->control.next_rip = v->save.rip + 2;
	gprs[SVM_GPR_RCX] = MSR_EFER;
	gprs[SVM_GPR_RDX] = 1; /* bit 32: reserved */
	v->save.rax = EFER_LME;
}

static void exit_rdmsr_synthetic(struct vmcb *v, uint64_t *gprs)
{
	v->control.exit_code = SVM_EXIT_MSR;
	v->control.exit_info1 = 0;
	v->control.next_rip = v->save.rip + 2;
	gprs[SVM_GPR_RCX] = 0x40000000;
}

static void exit_wrmsr_efer_ok(struct vmcb *v, uint64_t *gprs)
{
	v->control.exit_code = SVM_EXIT_MSR;
	v->control.exit_info1 = 1;
	v->control.next_rip = v->save.rip + 2;
	gprs[SVM_GPR_RCX] = MSR_EFER;
	gprs[SVM_GPR_RDX] = 0;
	v->save.rax = EFER_LME | EFER_SCE; /* LMA clear: WRMSR cannot change it */
}

static void exit_rdmsr_other(struct vmcb *v, uint64_t *gprs)
{
	v->control.exit_code = SVM_EXIT_MSR;
	v->control.exit_info1 = 0;
	v->control.next_rip = v->save.rip + 2;
	gprs[SVM_GPR_RCX] = 0x1b;
}

Test(vp, msrs_libhv_owns_never_reach_the_monitor)
{
	struct script s = {.steps = {exit_wrmsr_efer_reserved, exit_rdmsr_synthetic,
	                             exit_wrmsr_efer_ok, exit_rdmsr_other}};
	struct hv_exit e;

	set_long_mode_cpl0();
	cr_assert_eq(set_reg(HV_X64_REGISTER_EFER, EFER_LME | EFER_LMA), HV_STATUS_SUCCESS);
	fake_svm_set_guest(play, &s);
	cr_assert_eq(hv_vp_run(vp, &e), HV_STATUS_SUCCESS);
	cr_assert_eq(e.reason, HV_EXIT_MSR_READ, "only the unknown MSR 0x1b comes out");
	cr_expect_eq(e.msr.index, 0x1b);
	cr_expect_eq(reg(HV_X64_REGISTER_EFER), EFER_LME | EFER_LMA | EFER_SCE,
	             "the valid write took effect, LMA kept");
	cr_expect_eq(hv_vp_stats(vp)->exits[HV_EXIT_MSR_WRITE], 2);
	cr_expect_eq(hv_vp_stats(vp)->exits[HV_EXIT_MSR_READ], 2);
}

/* No synthetic MSR has this index (test_synthetic_msr.c covers the ones that exist). */
static void exit_rdmsr_synthetic_then_check(struct vmcb *v, uint64_t *gprs)
{
	exit_rdmsr_synthetic(v, gprs);
	gprs[SVM_GPR_RCX] = 0x400000ffU;
}

static void exit_check_gp_pending(struct vmcb *v, uint64_t *gprs)
{
	(void)gprs;
	cr_expect_eq(v->control.event_inject, 13 | (3 << 8) | (1ULL << 11) | (1ULL << 31),
	             "#GP(0) pending at entry");
	v->control.exit_code = SVM_EXIT_SHUTDOWN;
}

Test(vp, unknown_synthetic_msr_gets_gp)
{
	struct script s = {.steps = {exit_rdmsr_synthetic_then_check, exit_check_gp_pending}};
	struct hv_exit e;

	fake_svm_set_guest(play, &s);
	cr_assert_eq(hv_vp_run(vp, &e), HV_STATUS_SUCCESS);
	cr_expect_eq(e.reason, HV_EXIT_SHUTDOWN);
}

static void exit_invalid(struct vmcb *v, uint64_t *gprs)
{
	(void)gprs;
	v->control.exit_code = (uint64_t)-1;
}

Test(vp, refused_entry_fails_only_this_vp)
{
	struct script s = {.steps = {exit_invalid}};
	struct hv_exit e;

	fake_svm_set_guest(play, &s);
	cr_assert_eq(hv_vp_run(vp, &e), HV_STATUS_SUCCESS);
	cr_expect_eq(e.reason, HV_EXIT_INVALID_STATE);
	cr_expect_not_null(e.invalid.detail);
	cr_expect_not_null(strstr(fake_host_last_log(), "test"), "the log names the partition");
	cr_expect_eq(hv_vp_run(vp, &e), HV_STATUS_INVALID_VP_STATE);
}

static void exit_npf_unmapped(struct vmcb *v, uint64_t *gprs)
{
	(void)gprs;
	v->control.exit_code = SVM_EXIT_NPF;
	v->control.exit_info1 = SVM_NPF_FINAL_GPA | SVM_NPF_USER;
	v->control.exit_info2 = 0xe0000000;
}

static void exit_npf_mapped(struct vmcb *v, uint64_t *gprs)
{
	(void)gprs;
	v->control.exit_code = SVM_EXIT_NPF;
	v->control.exit_info1 = SVM_NPF_FINAL_GPA | SVM_NPF_USER;
	v->control.exit_info2 = 0x1000;
}

static void exit_shutdown(struct vmcb *v, uint64_t *gprs)
{
	(void)gprs;
	v->control.exit_code = SVM_EXIT_SHUTDOWN;
}

Test(vp, nested_fault_outside_ram_reaches_the_monitor)
{
	struct script s = {.steps = {exit_npf_unmapped}};
	struct hv_exit e;

	fake_svm_set_guest(play, &s);
	cr_assert_eq(hv_vp_run(vp, &e), HV_STATUS_SUCCESS);
	cr_assert_eq(e.reason, HV_EXIT_MEMORY_ACCESS);
	cr_expect_eq(e.memory.gpa, 0xe0000000);
	cr_expect_not(e.memory.mapped);
}

Test(vp, nested_fault_on_mapped_ram_is_retried_with_a_flush_then_reported)
{
	struct script s = {.steps = {exit_npf_mapped, exit_shutdown}};
	struct script forever = {.steps = {exit_npf_mapped, exit_npf_mapped, exit_npf_mapped,
	                                   exit_npf_mapped, exit_npf_mapped, exit_npf_mapped}};
	struct hv_exit e;

	cr_assert_eq(hv_gpa_map(part, 0, 0x200000, 0x2000, HV_MAP_GPA_RWX), HV_STATUS_SUCCESS);
	fake_svm_set_guest(play, &s);
	cr_assert_eq(hv_vp_run(vp, &e), HV_STATUS_SUCCESS);
	cr_expect_eq(e.reason, HV_EXIT_SHUTDOWN);
	cr_expect_neq(fake_svm_tlb_control(1), VMCB_TLB_CONTROL_NONE, "flushed before the retry");
	cr_expect_eq(hv_vp_stats(vp)->exits[HV_EXIT_SLAT_RETRY], 1);

	fake_svm_set_guest(play, &forever);
	cr_assert_eq(hv_vp_run(vp, &e), HV_STATUS_SUCCESS);
	cr_expect_eq(e.reason, HV_EXIT_MEMORY_ACCESS, "a fault that persists is reported");
	cr_expect(e.memory.mapped);
}

Test(vp, unmap_flushes_once_at_the_next_entry)
{
	struct script s = {.steps = {exit_shutdown, exit_shutdown, exit_shutdown}};
	struct hv_exit e;

	cr_assert_eq(hv_gpa_map(part, 0, 0x200000, 0x10000, HV_MAP_GPA_RWX), HV_STATUS_SUCCESS);
	fake_svm_set_guest(play, &s);
	cr_assert_eq(hv_vp_run(vp, &e), HV_STATUS_SUCCESS);
	cr_expect_eq(fake_svm_tlb_control(0), VMCB_TLB_CONTROL_FLUSH_ASID, "a new VP flushes");
	/* Three unmaps between two entries: one flush. */
	cr_assert_eq(hv_gpa_unmap(part, 0, 0x1000), HV_STATUS_SUCCESS);
	cr_assert_eq(hv_gpa_unmap(part, 0x1000, 0x1000), HV_STATUS_SUCCESS);
	cr_assert_eq(hv_gpa_unmap(part, 0x4000, 0x2000), HV_STATUS_SUCCESS);
	cr_assert_eq(hv_vp_run(vp, &e), HV_STATUS_SUCCESS);
	cr_expect_eq(fake_svm_tlb_control(1), VMCB_TLB_CONTROL_FLUSH_ASID);
	cr_assert_eq(hv_vp_run(vp, &e), HV_STATUS_SUCCESS);
	cr_expect_eq(fake_svm_tlb_control(2), VMCB_TLB_CONTROL_NONE, "nothing changed since");
}

static void exit_vmrun(struct vmcb *v, uint64_t *gprs)
{
	(void)gprs;
	v->control.exit_code = SVM_EXIT_VMRUN;
}

static void exit_check_ud_pending(struct vmcb *v, uint64_t *gprs)
{
	(void)gprs;
	cr_expect_eq(v->control.event_inject, 6 | (3 << 8) | (1ULL << 31), "#UD pending");
	v->control.exit_code = SVM_EXIT_SHUTDOWN;
}

Test(vp, guest_svm_instructions_get_ud)
{
	struct script s = {.steps = {exit_vmrun, exit_check_ud_pending}};
	struct hv_exit e;

	fake_svm_set_guest(play, &s);
	cr_assert_eq(hv_vp_run(vp, &e), HV_STATUS_SUCCESS);
	cr_expect_eq(hv_vp_stats(vp)->exits[HV_EXIT_REFUSED_INSN], 1);
}

static void exit_during_delivery(struct vmcb *v, uint64_t *gprs)
{
	(void)gprs;
	v->control.exit_code = SVM_EXIT_NPF;
	v->control.exit_info1 = SVM_NPF_FINAL_GPA | SVM_NPF_USER;
	v->control.exit_info2 = 0x1000;
	/* #PF with error code 2 was being delivered when the nested fault happened. */
	v->control.exit_int_info = 14 | (3 << 8) | (1ULL << 11) | (1ULL << 31) | (2ULL << 32);
}

static void exit_check_reinjected(struct vmcb *v, uint64_t *gprs)
{
	(void)gprs;
	cr_expect_eq(v->control.event_inject,
	             14 | (3 << 8) | (1ULL << 11) | (1ULL << 31) | (2ULL << 32),
	             "the interrupted event is delivered again");
	v->control.exit_int_info = 0;
	v->control.exit_code = SVM_EXIT_SHUTDOWN;
}

Test(vp, an_event_interrupted_by_an_exit_is_reinjected)
{
	struct script s = {.steps = {exit_during_delivery, exit_check_reinjected}};
	struct hv_exit e;

	cr_assert_eq(hv_gpa_map(part, 0, 0x200000, 0x2000, HV_MAP_GPA_RWX), HV_STATUS_SUCCESS);
	fake_svm_set_guest(play, &s);
	cr_assert_eq(hv_vp_run(vp, &e), HV_STATUS_SUCCESS);
	cr_expect_eq(e.reason, HV_EXIT_SHUTDOWN);
}

Test(vp, inject_checks_the_vector_and_error_code)
{
	cr_expect_eq(hv_vp_inject_exception(vp, 13, true, 0), HV_STATUS_SUCCESS);
	cr_expect_eq(hv_vp_inject_exception(vp, 13, false, 0), HV_STATUS_INVALID_PARAMETER);
	cr_expect_eq(hv_vp_inject_exception(vp, 6, true, 0), HV_STATUS_INVALID_PARAMETER);
	cr_expect_eq(hv_vp_inject_exception(vp, 2, false, 0), HV_STATUS_INVALID_PARAMETER);
	cr_expect_eq(hv_vp_inject_exception(vp, 32, false, 0), HV_STATUS_INVALID_PARAMETER);
}

Test(vp, vector_state_is_switched_only_between_vps)
{
	struct script s = {.steps = {exit_shutdown, exit_shutdown}};
	struct hv_exit e;
	unsigned before = fake_fxrstor_count();

	fake_svm_set_guest(play, &s);
	cr_assert_eq(hv_vp_run(vp, &e), HV_STATUS_SUCCESS);
	cr_assert_eq(hv_vp_run(vp, &e), HV_STATUS_SUCCESS);
	cr_expect_eq(fake_fxrstor_count(), before + 1);
}

Test(vp, xmm_registers_come_from_the_saved_vector_state)
{
	union hv_register_value in = {.reg128 = {0x0123456789abcdefULL, 0xfedcba9876543210ULL}};
	union hv_register_value out;
	uint32_t name = HV_X64_REGISTER_XMM0 + 7;
	struct script s = {.steps = {exit_shutdown}};
	struct hv_exit e;
	unsigned restores;

	cr_assert_eq(hv_vp_set_registers(vp, &name, 1, &in), HV_STATUS_SUCCESS);
	cr_assert_eq(hv_vp_get_registers(vp, &name, 1, &out), HV_STATUS_SUCCESS);
	cr_expect_eq(out.reg128[0], in.reg128[0]);
	cr_expect_eq(out.reg128[1], in.reg128[1]);
	cr_expect_eq(memcmp(&vp->fxsave[160 + 7 * 16], in.reg128, 16), 0, "FXSAVE layout");
	/* Once the VP owns the processor's registers, a write reaches them too. */
	fake_svm_set_guest(play, &s);
	cr_assert_eq(hv_vp_run(vp, &e), HV_STATUS_SUCCESS);
	restores = fake_fxrstor_count();
	cr_assert_eq(hv_vp_set_registers(vp, &name, 1, &in), HV_STATUS_SUCCESS);
	cr_expect_eq(fake_fxrstor_count(), restores + 1);
}
