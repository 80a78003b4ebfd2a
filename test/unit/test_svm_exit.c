/* Host tests of SVM exit decoding and VMRUN-failure diagnosis, from hand-filled VMCBs. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <string.h>

#include "libhv/core/cpu.h"
#include "libhv/svm/svm_internal.h"

static struct vmcb vmcb;
static uint64_t gprs[SVM_GPR_COUNT];
static const struct svm_decode_features with_nrip = {.nrip_save = true};
static const struct svm_decode_features without_nrip = {.nrip_save = false};

static void setup(void)
{
	memset(&vmcb, 0, sizeof(vmcb));
	memset(gprs, 0, sizeof(gprs));
	vmcb.save.rip = 0x100000;
}

TestSuite(svm_exit, .init = setup);

struct io_case {
	uint64_t info1;
	uint64_t rax;
	uint16_t port;
	uint8_t size;
	bool is_write, is_string, is_rep;
	uint32_t value;
};

ParameterizedTestParameters(svm_exit, io)
{
	static struct io_case cases[] = {
	    /* OUT DX, AL to 0x3f8: only AL counts. */
	    {(0x3f8ULL << 16) | SVM_IOIO_SZ8, 0x1122334455667741ULL, 0x3f8, 1, true, false, false,
	     0x41},
	    {(0xf4ULL << 16) | SVM_IOIO_SZ32, 0xffffffff00000007ULL, 0xf4, 4, true, false, false,
	     7},
	    {(0x70ULL << 16) | SVM_IOIO_SZ16, 0xabcd1234, 0x70, 2, true, false, false, 0x1234},
	    {(0x3fdULL << 16) | SVM_IOIO_SZ8 | SVM_IOIO_TYPE_IN, 0, 0x3fd, 1, false, false, false,
	     0},
	    {(0xffffULL << 16) | SVM_IOIO_SZ32 | SVM_IOIO_TYPE_IN, 0, 0xffff, 4, false, false,
	     false, 0},
	    /* REP OUTSB: string, no value taken from RAX. */
	    {(0x3f8ULL << 16) | SVM_IOIO_SZ8 | SVM_IOIO_STRING | SVM_IOIO_REP, 0x55, 0x3f8, 1, true,
	     true, true, 0},
	};
	return cr_make_param_array(struct io_case, cases, sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct io_case *c, svm_exit, io)
{
	struct hv_exit e = {0};

	memset(&vmcb, 0, sizeof(vmcb));
	vmcb.save.rip = 0x100000;
	vmcb.control.exit_code = SVM_EXIT_IOIO;
	vmcb.control.exit_info1 = c->info1;
	vmcb.control.exit_info2 = 0x100002; /* next RIP */
	vmcb.save.rax = c->rax;
	svm_decode_exit(&vmcb, gprs, &without_nrip, &e);
	cr_assert_eq(e.reason, HV_EXIT_IO);
	cr_expect_eq(e.io.port, c->port);
	cr_expect_eq(e.io.size, c->size);
	cr_expect_eq(e.io.is_write, c->is_write);
	cr_expect_eq(e.io.is_string, c->is_string);
	cr_expect_eq(e.io.is_rep, c->is_rep);
	cr_expect_eq(e.io.value, c->value);
	cr_expect_eq(e.insn_length, 2, "length from EXITINFO2 even without NRIP save");
	cr_expect_eq(e.rip, 0x100000);
}

Test(svm_exit, io_with_a_wild_next_rip_reports_no_length)
{
	struct hv_exit e = {0};

	vmcb.control.exit_code = SVM_EXIT_IOIO;
	vmcb.control.exit_info1 = (0x80ULL << 16) | SVM_IOIO_SZ8;
	vmcb.control.exit_info2 = 0x200000;
	svm_decode_exit(&vmcb, gprs, &without_nrip, &e);
	cr_expect_eq(e.insn_length, 0);
}

struct npf_case {
	uint64_t info1;
	uint8_t access;
	bool mapped, walk;
};

ParameterizedTestParameters(svm_exit, npf)
{
	static struct npf_case cases[] = {
	    {SVM_NPF_FINAL_GPA | SVM_NPF_USER, HV_ACCESS_READ, false, false},
	    {SVM_NPF_FINAL_GPA | SVM_NPF_USER | SVM_NPF_WRITE, HV_ACCESS_WRITE, false, false},
	    {SVM_NPF_FINAL_GPA | SVM_NPF_USER | SVM_NPF_WRITE | SVM_NPF_PRESENT, HV_ACCESS_WRITE,
	     true, false},
	    {SVM_NPF_FINAL_GPA | SVM_NPF_USER | SVM_NPF_FETCH | SVM_NPF_PRESENT, HV_ACCESS_EXECUTE,
	     true, false},
	    {SVM_NPF_GUEST_WALK | SVM_NPF_USER, HV_ACCESS_READ, false, true},
	};
	return cr_make_param_array(struct npf_case, cases, sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct npf_case *c, svm_exit, npf)
{
	struct hv_exit e = {0};

	memset(&vmcb, 0, sizeof(vmcb));
	vmcb.control.exit_code = SVM_EXIT_NPF;
	vmcb.control.exit_info1 = c->info1;
	vmcb.control.exit_info2 = 0xe0000000;
	svm_decode_exit(&vmcb, gprs, &with_nrip, &e);
	cr_assert_eq(e.reason, HV_EXIT_MEMORY_ACCESS);
	cr_expect_eq(e.memory.gpa, 0xe0000000);
	cr_expect_eq(e.memory.access, c->access);
	cr_expect_eq(e.memory.mapped, c->mapped);
	cr_expect_eq(e.memory.during_guest_walk, c->walk);
	cr_expect_not(e.memory.gva_valid);
	cr_expect_eq(e.insn_length, 0, "an MMIO instruction's length is the emulator's to find");
}

Test(svm_exit, cpuid_takes_leaf_and_subleaf)
{
	struct hv_exit e = {0};

	vmcb.control.exit_code = SVM_EXIT_CPUID;
	vmcb.save.rax = 0xdead000000000007ULL;
	gprs[SVM_GPR_RCX] = 0xffffffff00000001ULL;
	svm_decode_exit(&vmcb, gprs, &without_nrip, &e);
	cr_assert_eq(e.reason, HV_EXIT_CPUID);
	cr_expect_eq(e.cpuid.leaf, 7);
	cr_expect_eq(e.cpuid.subleaf, 1);
	cr_expect_eq(e.insn_length, 2);
}

Test(svm_exit, nrip_save_gives_the_length_when_present)
{
	struct hv_exit e = {0};

	vmcb.control.exit_code = SVM_EXIT_CPUID;
	vmcb.control.next_rip = 0x100003; /* a prefixed CPUID */
	svm_decode_exit(&vmcb, gprs, &with_nrip, &e);
	cr_expect_eq(e.insn_length, 3);
	svm_decode_exit(&vmcb, gprs, &without_nrip, &e);
	cr_expect_eq(e.insn_length, 2, "NRIP is ignored when the processor lacks NRIP save");
	vmcb.control.next_rip = 0x100000 + 40;
	svm_decode_exit(&vmcb, gprs, &with_nrip, &e);
	cr_expect_eq(e.insn_length, 2, "an impossible NRIP falls back to the fixed length");
}

Test(svm_exit, msr_read_and_write)
{
	struct hv_exit e = {0};

	vmcb.control.exit_code = SVM_EXIT_MSR;
	vmcb.control.exit_info1 = 1;
	gprs[SVM_GPR_RCX] = 0xc0000080;
	gprs[SVM_GPR_RDX] = 0x1;
	vmcb.save.rax = 0xffffffff00000d01ULL;
	svm_decode_exit(&vmcb, gprs, &without_nrip, &e);
	cr_assert_eq(e.reason, HV_EXIT_MSR_WRITE);
	cr_expect_eq(e.msr.index, 0xc0000080);
	cr_expect_eq(e.msr.value, 0x100000d01ULL, "EDX:EAX, upper halves ignored");
	vmcb.control.exit_info1 = 0;
	memset(&e, 0, sizeof(e));
	svm_decode_exit(&vmcb, gprs, &without_nrip, &e);
	cr_assert_eq(e.reason, HV_EXIT_MSR_READ);
	cr_expect_eq(e.insn_length, 2);
}

struct simple_case {
	uint32_t code;
	enum hv_exit_reason reason;
	uint8_t length;
};

ParameterizedTestParameters(svm_exit, simple)
{
	static struct simple_case cases[] = {
	    {SVM_EXIT_HLT, HV_EXIT_HLT, 1},
	    {SVM_EXIT_VMMCALL, HV_EXIT_HYPERCALL, 3},
	    {SVM_EXIT_SHUTDOWN, HV_EXIT_SHUTDOWN, 0},
	    {SVM_EXIT_INTR, HV_EXIT_INTERRUPT, 0},
	    {SVM_EXIT_NMI, HV_EXIT_INTERRUPT, 0},
	    {SVM_EXIT_VMRUN, HV_EXIT_REFUSED_INSN, 0},
	    {SVM_EXIT_VMLOAD, HV_EXIT_REFUSED_INSN, 0},
	    {SVM_EXIT_CLGI, HV_EXIT_REFUSED_INSN, 0},
	    {SVM_EXIT_XSETBV, HV_EXIT_REFUSED_INSN, 0},
	    {SVM_EXIT_MWAIT, HV_EXIT_REFUSED_INSN, 0},
	    {SVM_EXIT_INVD, HV_EXIT_REFUSED_INSN, 0},
	    {0x7d, HV_EXIT_UNSUPPORTED, 0},
	    {0x401, HV_EXIT_UNSUPPORTED, 0},
	    {0x12345, HV_EXIT_UNSUPPORTED, 0},
	};
	return cr_make_param_array(struct simple_case, cases, sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct simple_case *c, svm_exit, simple)
{
	struct hv_exit e = {0};

	memset(&vmcb, 0, sizeof(vmcb));
	vmcb.control.exit_code = c->code;
	vmcb.control.exit_info1 = 0x11;
	vmcb.control.exit_info2 = 0x22;
	svm_decode_exit(&vmcb, gprs, &without_nrip, &e);
	cr_expect_eq(e.reason, c->reason, "exit code %#x", c->code);
	cr_expect_eq(e.insn_length, c->length, "exit code %#x", c->code);
	cr_expect_eq(e.vendor_code, c->code);
	if (c->reason == HV_EXIT_UNSUPPORTED) {
		cr_expect_eq(e.unsupported.info1, 0x11);
		cr_expect_eq(e.unsupported.info2, 0x22);
	}
}

/* A VMCB that VMRUN would accept: long mode, flat code, the VMRUN intercept, ASID 1. */
static void valid_vmcb(void)
{
	memset(&vmcb, 0, sizeof(vmcb));
	vmcb.save.efer = EFER_SVME | EFER_LME | EFER_LMA;
	vmcb.save.cr0 = CR0_PE | CR0_PG | CR0_ET;
	vmcb.save.cr4 = CR4_PAE;
	vmcb.save.cs.attrib = 0xa9b;
	vmcb.save.dr6 = 0xffff0ff0;
	vmcb.save.dr7 = 0x400;
	vmcb.control.intercept_misc2 = VMCB_INTERCEPT_VMRUN;
	vmcb.control.guest_asid = 1;
	vmcb.control.exit_code = SVM_EXIT_INVALID;
}

struct check_case {
	int broken;
	char expected[24]; /* an array: Criterion copies parameters into each test process */
};

static void break_vmcb(int which)
{
	switch (which) {
	case 0: vmcb.save.efer &= ~EFER_SVME; break;
	case 1: vmcb.save.cr0 |= CR0_NW; break;
	case 2: vmcb.save.cr0 |= 1ULL << 32; break;
	case 3: vmcb.save.cr3 = 1ULL << 60; break;
	case 4: vmcb.save.cr4 |= 1ULL << 40; break;
	case 5: vmcb.save.dr6 |= 1ULL << 33; break;
	case 6: vmcb.save.dr7 |= 1ULL << 33; break;
	case 7: vmcb.save.efer |= 1ULL << 20; break;
	case 8: vmcb.save.cr4 &= ~CR4_PAE; break;
	case 9: vmcb.save.cr0 &= ~CR0_PE; break;
	case 10: vmcb.save.cs.attrib |= 1U << 10; break;
	case 11: vmcb.control.intercept_misc2 = 0; break;
	case 12: vmcb.control.guest_asid = 0; break;
	default: break;
	}
}

ParameterizedTestParameters(svm_exit, invalid_state_names_the_check)
{
	static struct check_case cases[] = {
	    {0, "EFER.SVME"},
	    {1, "CR0.NW"},
	    {2, "CR0 bits 63:32"},
	    {3, "CR3"},
	    {4, "CR4"},
	    {5, "DR6"},
	    {6, "DR7"},
	    {7, "EFER has reserved"},
	    {8, "CR4.PAE"},
	    {9, "CR0.PE"},
	    {10, "CS.L and CS.D"},
	    {11, "VMRUN intercept"},
	    {12, "ASID is 0"},
	    {-1, "no documented"},
	};
	return cr_make_param_array(struct check_case, cases, sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct check_case *c, svm_exit, invalid_state_names_the_check)
{
	struct hv_exit e = {0};

	valid_vmcb();
	break_vmcb(c->broken);
	svm_decode_exit(&vmcb, gprs, &with_nrip, &e);
	cr_assert_eq(e.reason, HV_EXIT_INVALID_STATE);
	cr_expect_eq(e.invalid.error, 0xffffffffU);
	cr_assert_not_null(e.invalid.detail);
	cr_expect_not_null(strstr(e.invalid.detail, c->expected), "case %d: got \"%s\"", c->broken,
	                   e.invalid.detail);
}

Test(svm_exit, invalid_exit_code_is_compared_as_32_bits)
{
	struct hv_exit e = {0};

	valid_vmcb();
	vmcb.control.exit_code = 0xffffffffffffffffULL;
	svm_decode_exit(&vmcb, gprs, &with_nrip, &e);
	cr_expect_eq(e.reason, HV_EXIT_INVALID_STATE);
}

Test(svm_exit, msr_permission_map_bits)
{
	static uint8_t map[SVM_MSRPM_SIZE];

	memset(map, 0xff, sizeof(map));
	svm_msrpm_pass_through(map, 0xc0000100); /* FS_BASE: range 2, offset 0x100 */
	cr_expect_eq(map[0x800 + 0x100 / 4], 0xfc);
	svm_msrpm_pass_through(map, 0x176); /* SYSENTER_EIP: range 1 */
	cr_expect_eq(map[0x176 / 4], (uint8_t) ~(3U << 4));
	svm_msrpm_pass_through(map, 0xc0010117); /* range 3 */
	cr_expect_eq(map[0x1000 + 0x117 / 4], (uint8_t) ~(3U << 6));
	svm_msrpm_pass_through(map, 0x40000000); /* outside every range: ignored */
	for (unsigned i = 0x1800; i < SVM_MSRPM_SIZE; i++)
		cr_assert_eq(map[i], 0xff);
}

Test(svm_exit, segment_attribute_forms_round_trip)
{
	cr_expect_eq(svm_attrib_from_hv(0xa09b), 0xa9b);
	cr_expect_eq(svm_attrib_from_hv(0xc093), 0xc93);
	cr_expect_eq(svm_attrib_to_hv(0xa9b), 0xa09b);
	for (uint32_t a = 0; a < 0x1000; a++)
		cr_assert_eq(svm_attrib_from_hv(svm_attrib_to_hv((uint16_t)a)), a);
}
