/* Host tests of the hypercall decoder: every status path, through real VMMCALL exits. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <string.h>

#include <hv/abi/hv_enlightenment.h>
#include <hv/abi/hv_hypercall.h>

#include "fakes/fake_partition.h"
#include "libhv/core/hv_internal.h"

/* 4 pages of RAM at GPA 0 (0x0000-0x3fff), one read-only page at 0x4000, nothing above. */
#define RO_GPA       0x4000ULL
#define UNMAPPED_GPA 0x10000ULL
#define HUGE_GPA     (1ULL << 52) /* beyond the fake processor's 48-bit physical width */
#define IN_GPA       0x1000ULL
#define OUT_GPA      0x2000ULL

static void setup(void)
{
	fake_partition_setup(4, 1);
}

static void teardown(void)
{
	cr_expect_eq(hv_partition_delete(fake_part.p), HV_STATUS_SUCCESS);
	fake_part.p = NULL;
	cr_expect_eq(fake_host_pages_in_use(), fake_part.base_pages, "the partition left nothing");
	fake_partition_teardown();
}

TestSuite(hypercall, .init = setup, .fini = teardown);

static uint16_t status_of(struct fake_insn_result r)
{
	return (uint16_t)(r.rax & HV_HYPERCALL_RESULT_STATUS_MASK);
}

static uint16_t reps_of(struct fake_insn_result r)
{
	return (uint16_t)((r.rax & HV_HYPERCALL_RESULT_REPS_MASK) >>
	                  HV_HYPERCALL_RESULT_REPS_SHIFT);
}

static uint64_t control(uint16_t code, bool fast, uint16_t var_qwords, uint16_t reps,
                        uint16_t start)
{
	return code | (fast ? HV_HYPERCALL_FAST : 0) |
	       ((uint64_t)var_qwords << HV_HYPERCALL_VARHEAD_SHIFT) |
	       ((uint64_t)reps << HV_HYPERCALL_REP_COUNT_SHIFT) |
	       ((uint64_t)start << HV_HYPERCALL_REP_START_SHIFT);
}

static void put(uint64_t gpa, const void *data, size_t size)
{
	if (size)
		memcpy(fake_part.ram + gpa, data, size);
}

static uint64_t get64(uint64_t gpa)
{
	uint64_t v;

	memcpy(&v, fake_part.ram + gpa, sizeof(v));
	return v;
}

static void grant(uint32_t privilege)
{
	fake_part.p->synthetic.privileges |= privilege;
}

/* ---- the input value ---- */

Test(hypercall, unknown_code_is_invalid_hypercall_code)
{
	struct fake_insn_result r = fake_vmmcall(0xffff, 0, 0);

	cr_expect_eq(r.rax, HV_STATUS_INVALID_HYPERCALL_CODE, "RAX %#llx: status only",
	             (unsigned long long)r.rax);
	cr_expect_eq(r.rip_advance, 3);
	cr_expect_eq(r.event_inject, 0);
	cr_expect_eq(status_of(fake_vmmcall(0x0001, 0, 0)), HV_STATUS_INVALID_HYPERCALL_CODE);
	cr_expect_eq(status_of(fake_vmmcall(0x8002, 0, 0)), HV_STATUS_INVALID_HYPERCALL_CODE);
}

ParameterizedTestParameters(hypercall, each_reserved_bit_is_invalid_input)
{
	static unsigned bits[] = {27, 28, 29, 30, 31, 44, 45, 46, 47, 60, 61, 62, 63};

	return cr_make_param_array(unsigned, bits, sizeof(bits) / sizeof(bits[0]));
}

ParameterizedTest(unsigned *bit, hypercall, each_reserved_bit_is_invalid_input)
{
	/* Even on a call that would otherwise succeed, and before the code is looked at. */
	cr_expect_eq(status_of(fake_vmmcall(
	                 HVCALL_NOTIFY_LONG_SPIN_WAIT | HV_HYPERCALL_FAST | (1ULL << *bit), 0, 0)),
	             HV_STATUS_INVALID_HYPERCALL_INPUT, "bit %u", *bit);
	cr_expect_eq(status_of(fake_vmmcall(0xffff | (1ULL << *bit), 0, 0)),
	             HV_STATUS_INVALID_HYPERCALL_INPUT, "bit %u", *bit);
}

ParameterizedTestParameters(hypercall, root_only_codes_are_access_denied)
{
	static uint16_t codes[] = {0x40, 0x41, 0x42, 0x43, 0x44, 0x45, 0x47, 0x48,
	                           0x49, 0x4a, 0x4b, 0x4c, 0x4d, 0x4e, 0x4f, 0x50,
	                           0x51, 0x56, 0x94, 0x95, 0x96, 0x99};

	return cr_make_param_array(uint16_t, codes, sizeof(codes) / sizeof(codes[0]));
}

ParameterizedTest(uint16_t *code, hypercall, root_only_codes_are_access_denied)
{
	cr_expect_eq(status_of(fake_vmmcall(*code, IN_GPA, OUT_GPA)), HV_STATUS_ACCESS_DENIED,
	             "code %#x", *code);
	/* Shape errors do not leak what the call would have accepted. */
	cr_expect_eq(status_of(fake_vmmcall(control(*code, true, 3, 7, 9), 1, 3)),
	             HV_STATUS_ACCESS_DENIED, "code %#x", *code);
}

Test(hypercall, simple_calls_refuse_rep_counts_and_variable_headers)
{
	uint16_t c = HVCALL_NOTIFY_LONG_SPIN_WAIT;

	cr_expect_eq(status_of(fake_vmmcall(control(c, true, 0, 0, 0), 1, 0)), HV_STATUS_SUCCESS);
	cr_expect_eq(status_of(fake_vmmcall(control(c, true, 0, 1, 0), 1, 0)),
	             HV_STATUS_INVALID_HYPERCALL_INPUT, "rep count on a simple call");
	cr_expect_eq(status_of(fake_vmmcall(control(c, true, 0, 0, 1), 1, 0)),
	             HV_STATUS_INVALID_HYPERCALL_INPUT, "rep start on a simple call");
	cr_expect_eq(status_of(fake_vmmcall(control(c, true, 1, 0, 0), 1, 0)),
	             HV_STATUS_INVALID_HYPERCALL_INPUT, "variable header where none is taken");
}

Test(hypercall, notify_long_spin_wait_slow_and_fast)
{
	uint64_t count = 0x1000;

	put(IN_GPA, &count, sizeof(count));
	cr_expect_eq(fake_vmmcall(HVCALL_NOTIFY_LONG_SPIN_WAIT, IN_GPA, 0).rax, HV_STATUS_SUCCESS);
	cr_expect_eq(fake_vmmcall(HVCALL_NOTIFY_LONG_SPIN_WAIT | HV_HYPERCALL_FAST, 5, 0).rax,
	             HV_STATUS_SUCCESS);
	cr_expect_eq(status_of(fake_vmmcall(HVCALL_NOTIFY_LONG_SPIN_WAIT, IN_GPA + 4, 0)),
	             HV_STATUS_INVALID_ALIGNMENT);
}

/* ---- privileges ---- */

Test(hypercall, get_partition_id_needs_access_partition_id)
{
	struct fake_insn_result r;

	cr_expect_eq(status_of(fake_vmmcall(HVCALL_GET_PARTITION_ID, 0, OUT_GPA)),
	             HV_STATUS_ACCESS_DENIED, "a child does not hold AccessPartitionId");
	grant(HV_PRIV_ACCESS_PARTITION_ID);
	r = fake_vmmcall(HVCALL_GET_PARTITION_ID, 0, OUT_GPA);
	cr_expect_eq(r.rax, HV_STATUS_SUCCESS);
	cr_expect_eq(get64(OUT_GPA), hv_partition_id(fake_part.p));
	cr_expect_eq(status_of(fake_vmmcall(HVCALL_GET_PARTITION_ID | HV_HYPERCALL_FAST, 0, 0)),
	             HV_STATUS_INVALID_HYPERCALL_CODE, "no fast form");
}

Test(hypercall, output_must_be_aligned_writable_ram)
{
	grant(HV_PRIV_ACCESS_PARTITION_ID);
	memset(fake_part.ram + RO_GPA, 0x77, 8);
	cr_expect_eq(status_of(fake_vmmcall(HVCALL_GET_PARTITION_ID, 0, RO_GPA)),
	             HV_STATUS_INVALID_PARAMETER, "read-only output");
	cr_expect_eq(get64(RO_GPA), 0x7777777777777777ULL, "nothing written to the read-only page");
	cr_expect_eq(status_of(fake_vmmcall(HVCALL_GET_PARTITION_ID, 0, UNMAPPED_GPA)),
	             HV_STATUS_INVALID_PARAMETER, "output where no RAM is");
	cr_expect_eq(status_of(fake_vmmcall(HVCALL_GET_PARTITION_ID, 0, OUT_GPA + 4)),
	             HV_STATUS_INVALID_ALIGNMENT);
	cr_expect_eq(status_of(fake_vmmcall(HVCALL_GET_PARTITION_ID, 0, HUGE_GPA)),
	             HV_STATUS_INVALID_ALIGNMENT, "outside the GPA space");
	cr_expect_eq(status_of(fake_vmmcall(HVCALL_GET_PARTITION_ID, 0, ~7ULL)),
	             HV_STATUS_INVALID_ALIGNMENT, "wraps");
}

Test(hypercall, ext_query_capabilities_needs_extended_hypercalls)
{
	cr_expect_eq(status_of(fake_vmmcall(HVCALL_EXT_QUERY_CAPABILITIES, 0, OUT_GPA)),
	             HV_STATUS_ACCESS_DENIED);
	grant(HV_PRIV_ENABLE_EXT_HYPERCALLS);
	memset(fake_part.ram + OUT_GPA, 0xff, 8);
	cr_expect_eq(fake_vmmcall(HVCALL_EXT_QUERY_CAPABILITIES, 0, OUT_GPA).rax,
	             HV_STATUS_SUCCESS);
	cr_expect_eq(get64(OUT_GPA), 0, "no extended hypercall exists");
}

/* ---- PostMessage / SignalEvent ---- */

static void put_message(uint64_t gpa, uint32_t connection, uint32_t size)
{
	struct hv_input_post_message m = {
	    .connection_id = connection, .message_type = 1, .payload_size = size};

	put(gpa, &m, sizeof(m));
}

Test(hypercall, post_message_validates_before_the_connection_lookup)
{
	put_message(IN_GPA, 7, HV_MESSAGE_PAYLOAD_BYTES);
	cr_expect_eq(status_of(fake_vmmcall(HVCALL_POST_MESSAGE, IN_GPA, 0)),
	             HV_STATUS_INVALID_CONNECTION_ID, "no connection exists yet");
	put_message(IN_GPA, 7, HV_MESSAGE_PAYLOAD_BYTES + 1);
	cr_expect_eq(status_of(fake_vmmcall(HVCALL_POST_MESSAGE, IN_GPA, 0)),
	             HV_STATUS_INVALID_HYPERCALL_INPUT, "payload over 240 bytes");
	put_message(IN_GPA, 7, 0xffffffffU);
	cr_expect_eq(status_of(fake_vmmcall(HVCALL_POST_MESSAGE, IN_GPA, 0)),
	             HV_STATUS_INVALID_HYPERCALL_INPUT);
	cr_expect_eq(status_of(fake_vmmcall(HVCALL_POST_MESSAGE | HV_HYPERCALL_FAST, 7, 0)),
	             HV_STATUS_INVALID_HYPERCALL_CODE, "PostMessage has no fast form");
	cr_expect_eq(
	    status_of(fake_vmmcall(control(HVCALL_POST_MESSAGE, false, 0, 1, 0), IN_GPA, 0)),
	    HV_STATUS_INVALID_HYPERCALL_INPUT, "rep count");
}

Test(hypercall, post_message_input_page_checks)
{
	put_message(RO_GPA - 0x100, 7, 16);
	put_message(RO_GPA, 7, 16);
	cr_expect_eq(status_of(fake_vmmcall(HVCALL_POST_MESSAGE, IN_GPA + 4, 0)),
	             HV_STATUS_INVALID_ALIGNMENT, "misaligned");
	cr_expect_eq(status_of(fake_vmmcall(HVCALL_POST_MESSAGE, IN_GPA - 0x80, 0)),
	             HV_STATUS_INVALID_ALIGNMENT, "256 bytes from 0xf80 cross a page");
	cr_expect_eq(status_of(fake_vmmcall(HVCALL_POST_MESSAGE, RO_GPA - 0x100, 0)),
	             HV_STATUS_INVALID_CONNECTION_ID, "the last 256 bytes of a page are fine");
	cr_expect_eq(status_of(fake_vmmcall(HVCALL_POST_MESSAGE, RO_GPA, 0)),
	             HV_STATUS_INVALID_CONNECTION_ID, "input may be read-only RAM");
	cr_expect_eq(status_of(fake_vmmcall(HVCALL_POST_MESSAGE, UNMAPPED_GPA, 0)),
	             HV_STATUS_INVALID_PARAMETER, "input where no RAM is");
	cr_expect_eq(status_of(fake_vmmcall(HVCALL_POST_MESSAGE, HUGE_GPA, 0)),
	             HV_STATUS_INVALID_ALIGNMENT, "input outside the GPA space");
}

Test(hypercall, post_message_needs_the_privilege)
{
	put_message(IN_GPA, 7, 16);
	fake_part.p->synthetic.privileges &= ~HV_PRIV_POST_MESSAGES;
	cr_expect_eq(status_of(fake_vmmcall(HVCALL_POST_MESSAGE, IN_GPA, 0)),
	             HV_STATUS_ACCESS_DENIED);
}

static uint64_t signal(uint32_t connection, uint16_t flag, uint16_t reserved)
{
	struct hv_input_signal_event in = {connection, flag, reserved};
	uint64_t v;

	memcpy(&v, &in, sizeof(v));
	return v;
}

Test(hypercall, signal_event_fast_and_slow)
{
	uint64_t fast = HVCALL_SIGNAL_EVENT | HV_HYPERCALL_FAST;
	uint64_t in = signal(0x123, 0, 0);

	cr_expect_eq(status_of(fake_vmmcall(fast, in, 0)), HV_STATUS_INVALID_CONNECTION_ID);
	cr_expect_eq(status_of(fake_vmmcall(fast, signal(0x123, 1, 0), 0)),
	             HV_STATUS_INVALID_PORT_ID, "flag number");
	cr_expect_eq(status_of(fake_vmmcall(fast, signal(0x01000123, 0, 0), 0)),
	             HV_STATUS_INVALID_HYPERCALL_INPUT, "connection ID bits 31:24");
	cr_expect_eq(status_of(fake_vmmcall(fast, signal(0x123, 0, 1), 0)),
	             HV_STATUS_INVALID_HYPERCALL_INPUT, "reserved");
	put(IN_GPA, &in, sizeof(in));
	cr_expect_eq(status_of(fake_vmmcall(HVCALL_SIGNAL_EVENT, IN_GPA, 0)),
	             HV_STATUS_INVALID_CONNECTION_ID);
	cr_expect_eq(status_of(fake_vmmcall(HVCALL_SIGNAL_EVENT, IN_GPA + 1, 0)),
	             HV_STATUS_INVALID_ALIGNMENT);
	cr_expect_eq(status_of(fake_vmmcall(HVCALL_SIGNAL_EVENT, UNMAPPED_GPA, 0)),
	             HV_STATUS_INVALID_PARAMETER);
	fake_part.p->synthetic.privileges &= ~HV_PRIV_SIGNAL_EVENTS;
	cr_expect_eq(status_of(fake_vmmcall(fast, in, 0)), HV_STATUS_ACCESS_DENIED);
}

/* ---- TLB flushes ---- */

static void put_flush(uint64_t gpa, uint64_t flags, uint64_t mask)
{
	struct hv_input_flush_virtual_address_space in = {0x3000, flags, mask};

	put(gpa, &in, sizeof(in));
}

Test(hypercall, flush_space_flushes_the_vp_at_its_next_entry)
{
	struct fake_insn_result r;

	fake_vmmcall(0xffff, 0, 0); /* the first entry of a new VP always flushes */
	cr_expect_eq(fake_vmmcall(0xffff, 0, 0).tlb_control, VMCB_TLB_CONTROL_NONE);

	put_flush(IN_GPA, HV_FLUSH_ALL_PROCESSORS, 0);
	r = fake_vmmcall(HVCALL_FLUSH_VIRTUAL_ADDRESS_SPACE, IN_GPA, 0);
	cr_expect_eq(r.rax, HV_STATUS_SUCCESS);
	cr_expect_eq(r.tlb_control, VMCB_TLB_CONTROL_FLUSH_ASID, "guest TLB dropped");
	cr_expect_eq(fake_vmmcall(0xffff, 0, 0).tlb_control, VMCB_TLB_CONTROL_NONE, "once");

	put_flush(IN_GPA, 0, 1);
	cr_expect_eq(fake_vmmcall(HVCALL_FLUSH_VIRTUAL_ADDRESS_SPACE, IN_GPA, 0).tlb_control,
	             VMCB_TLB_CONTROL_FLUSH_ASID, "VP 0 in the mask");
	put_flush(IN_GPA, 0, 2);
	r = fake_vmmcall(HVCALL_FLUSH_VIRTUAL_ADDRESS_SPACE, IN_GPA, 0);
	cr_expect_eq(r.rax, HV_STATUS_SUCCESS, "VP 1 does not exist: ignored");
	cr_expect_eq(r.tlb_control, VMCB_TLB_CONTROL_NONE);
}

Test(hypercall, flush_space_refuses_bad_input)
{
	put_flush(IN_GPA, 1ULL << 4, 1);
	cr_expect_eq(status_of(fake_vmmcall(HVCALL_FLUSH_VIRTUAL_ADDRESS_SPACE, IN_GPA, 0)),
	             HV_STATUS_INVALID_PARAMETER, "unknown flag");
	cr_expect_eq(
	    status_of(fake_vmmcall(HVCALL_FLUSH_VIRTUAL_ADDRESS_SPACE | HV_HYPERCALL_FAST, 0, 1)),
	    HV_STATUS_INVALID_HYPERCALL_INPUT, "24 bytes do not fit in RDX:R8");
	cr_expect_eq(status_of(fake_vmmcall(
	                 control(HVCALL_FLUSH_VIRTUAL_ADDRESS_SPACE, false, 0, 2, 0), IN_GPA, 0)),
	             HV_STATUS_INVALID_HYPERCALL_INPUT, "not a rep call");
	cr_expect_eq(status_of(fake_vmmcall(HVCALL_FLUSH_VIRTUAL_ADDRESS_SPACE, IN_GPA - 16, 0)),
	             HV_STATUS_INVALID_ALIGNMENT, "24 bytes at 0xff0 cross a page");
}

Test(hypercall, flush_list_is_a_rep_call)
{
	struct fake_insn_result r;
	uint16_t c = HVCALL_FLUSH_VIRTUAL_ADDRESS_LIST;

	put_flush(IN_GPA, HV_FLUSH_ALL_PROCESSORS, 0);
	r = fake_vmmcall(control(c, false, 0, 3, 0), IN_GPA, 0);
	cr_expect_eq(status_of(r), HV_STATUS_SUCCESS);
	cr_expect_eq(reps_of(r), 3, "every rep completed");
	cr_expect_eq(r.rax & ~(HV_HYPERCALL_RESULT_STATUS_MASK | HV_HYPERCALL_RESULT_REPS_MASK), 0);
	r = fake_vmmcall(control(c, false, 0, 3, 1), IN_GPA, 0);
	cr_expect_eq(reps_of(r), 3, "restarted at rep 1: the count is the total");
	cr_expect_eq(status_of(fake_vmmcall(control(c, false, 0, 0, 0), IN_GPA, 0)),
	             HV_STATUS_INVALID_HYPERCALL_INPUT, "rep count 0");
	cr_expect_eq(status_of(fake_vmmcall(control(c, false, 0, 3, 3), IN_GPA, 0)),
	             HV_STATUS_INVALID_HYPERCALL_INPUT, "rep start == rep count");
	cr_expect_eq(status_of(fake_vmmcall(control(c, false, 0, 3, 4095), IN_GPA, 0)),
	             HV_STATUS_INVALID_HYPERCALL_INPUT, "rep start > rep count");
	/* 24 + 509 * 8 = 4096: the whole page; one more rep spans pages. */
	cr_expect_eq(status_of(fake_vmmcall(control(c, false, 0, 509, 0), IN_GPA, 0)),
	             HV_STATUS_SUCCESS);
	cr_expect_eq(status_of(fake_vmmcall(control(c, false, 0, 510, 0), IN_GPA, 0)),
	             HV_STATUS_INVALID_ALIGNMENT);
	cr_expect_eq(status_of(fake_vmmcall(control(c, false, 0, 4095, 0), IN_GPA, 0)),
	             HV_STATUS_INVALID_ALIGNMENT, "the largest rep count");
	r = fake_vmmcall(control(c, false, 0, 2, 0), UNMAPPED_GPA, 0);
	cr_expect_eq(status_of(r), HV_STATUS_INVALID_PARAMETER);
	cr_expect_eq(reps_of(r), 0, "nothing done");
}

static void put_flush_ex(uint64_t gpa, uint64_t flags, uint64_t format, uint64_t banks_mask,
                         const uint64_t *banks, unsigned nbanks)
{
	struct hv_input_flush_virtual_address_space_ex in = {0x3000, flags, format, banks_mask};

	put(gpa, &in, sizeof(in));
	put(gpa + sizeof(in), banks, nbanks * sizeof(uint64_t));
}

Test(hypercall, flush_ex_reads_a_sparse_vp_set)
{
	static const uint64_t vp0[] = {1};
	static const uint64_t two[] = {0, 1};
	uint16_t c = HVCALL_FLUSH_VIRTUAL_ADDRESS_SPACE_EX;
	struct fake_insn_result r;

	fake_vmmcall(0xffff, 0, 0);
	put_flush_ex(IN_GPA, 0, HV_GENERIC_SET_SPARSE_4K, 1, vp0, 1);
	r = fake_vmmcall(control(c, false, 1, 0, 0), IN_GPA, 0);
	cr_expect_eq(r.rax, HV_STATUS_SUCCESS);
	cr_expect_eq(r.tlb_control, VMCB_TLB_CONTROL_FLUSH_ASID);
	cr_expect_eq(status_of(fake_vmmcall(control(c, false, 0, 0, 0), IN_GPA, 0)),
	             HV_STATUS_INVALID_HYPERCALL_INPUT, "one bank in the mask, none in the header");
	put_flush_ex(IN_GPA, 0, HV_GENERIC_SET_SPARSE_4K, 0x3, two, 2);
	r = fake_vmmcall(control(c, false, 2, 0, 0), IN_GPA, 0);
	cr_expect_eq(r.rax, HV_STATUS_SUCCESS, "VP 64 does not exist");
	cr_expect_eq(r.tlb_control, VMCB_TLB_CONTROL_NONE);
	put_flush_ex(IN_GPA, 0, 2, 0, NULL, 0);
	cr_expect_eq(status_of(fake_vmmcall(control(c, false, 0, 0, 0), IN_GPA, 0)),
	             HV_STATUS_INVALID_HYPERCALL_INPUT, "unknown set format");
	put_flush_ex(IN_GPA, 0, HV_GENERIC_SET_ALL, 0, NULL, 0);
	r = fake_vmmcall(control(c, false, 0, 0, 0), IN_GPA, 0);
	cr_expect_eq(r.rax, HV_STATUS_SUCCESS);
	cr_expect_eq(r.tlb_control, VMCB_TLB_CONTROL_FLUSH_ASID, "ALL");
	put_flush_ex(IN_GPA, 1ULL << 5, HV_GENERIC_SET_ALL, 0, NULL, 0);
	cr_expect_eq(status_of(fake_vmmcall(control(c, false, 0, 0, 0), IN_GPA, 0)),
	             HV_STATUS_INVALID_PARAMETER, "unknown flag");
	/* 32 + 8 * 1023 bytes of header cannot fit one page. */
	cr_expect_eq(status_of(fake_vmmcall(control(c, false, 1023, 0, 0), IN_GPA, 0)),
	             HV_STATUS_INVALID_ALIGNMENT);
}

Test(hypercall, flush_list_ex_counts_reps_after_the_variable_header)
{
	static const uint64_t vp0[] = {1};
	uint16_t c = HVCALL_FLUSH_VIRTUAL_ADDRESS_LIST_EX;
	struct fake_insn_result r;

	put_flush_ex(IN_GPA, 0, HV_GENERIC_SET_SPARSE_4K, 1, vp0, 1);
	r = fake_vmmcall(control(c, false, 1, 4, 0), IN_GPA, 0);
	cr_expect_eq(status_of(r), HV_STATUS_SUCCESS);
	cr_expect_eq(reps_of(r), 4);
	/* 32 + 8 + 507 * 8 = 4096 */
	cr_expect_eq(status_of(fake_vmmcall(control(c, false, 1, 507, 0), IN_GPA, 0)),
	             HV_STATUS_SUCCESS);
	cr_expect_eq(status_of(fake_vmmcall(control(c, false, 1, 508, 0), IN_GPA, 0)),
	             HV_STATUS_INVALID_ALIGNMENT);
	cr_expect_eq(status_of(fake_vmmcall(control(c, false, 1, 0, 0), IN_GPA, 0)),
	             HV_STATUS_INVALID_HYPERCALL_INPUT);
}

/* ---- who may call, and the 32-bit convention ---- */

Test(hypercall, user_mode_and_real_mode_get_ud)
{
	struct fake_insn_result r;

	fake_partition_set_mode(FAKE_MODE_USER64);
	r = fake_vmmcall(HVCALL_NOTIFY_LONG_SPIN_WAIT | HV_HYPERCALL_FAST, 0, 0);
	cr_expect_eq(r.event_inject, FAKE_EVENT_UD, "#UD at CPL 3");
	cr_expect_eq(r.rip_advance, 0);
	cr_expect_eq(r.rax, 0x5a5a5a5a5a5a5a5aULL, "RAX untouched");
	fake_partition_set_mode(FAKE_MODE_REAL);
	r = fake_vmmcall(HVCALL_NOTIFY_LONG_SPIN_WAIT | HV_HYPERCALL_FAST, 0, 0);
	cr_expect_eq(r.event_inject, FAKE_EVENT_UD, "#UD in real mode");
}

Test(hypercall, protected_mode_uses_edx_eax)
{
	struct fake_insn_result r;

	fake_partition_set_mode(FAKE_MODE_PROT32);
	/* EDX:EAX = control, EBX:ECX = input GPA, EDI:ESI = output GPA */
	r = fake_vmmcall32(0xffff, 0, 0, 0, 0, 0);
	cr_expect_eq(r.rax, HV_STATUS_INVALID_HYPERCALL_CODE);
	cr_expect_eq(r.rdx, 0);
	r = fake_vmmcall32(HVCALL_NOTIFY_LONG_SPIN_WAIT, 1U << (44 - 32), 0, 0, 0, 0);
	cr_expect_eq(r.rax, HV_STATUS_INVALID_HYPERCALL_INPUT, "reserved bit 44 from EDX");

	grant(HV_PRIV_ACCESS_PARTITION_ID);
	r = fake_vmmcall32(HVCALL_GET_PARTITION_ID, 0, 0, 0, (uint32_t)OUT_GPA, 0);
	cr_expect_eq(r.rax, HV_STATUS_SUCCESS);
	cr_expect_eq(get64(OUT_GPA), hv_partition_id(fake_part.p), "output GPA from EDI:ESI");
	r = fake_vmmcall32(HVCALL_GET_PARTITION_ID, 0, 0, 0, (uint32_t)OUT_GPA, 1);
	cr_expect_eq(r.rax, HV_STATUS_INVALID_PARAMETER, "EDI = 1: 4 GiB up, where no RAM is");

	put_flush(IN_GPA, HV_FLUSH_ALL_PROCESSORS, 0);
	r = fake_vmmcall32(HVCALL_FLUSH_VIRTUAL_ADDRESS_LIST, 5, 0, (uint32_t)IN_GPA, 0, 0);
	cr_expect_eq(r.rax, HV_STATUS_SUCCESS, "input GPA from EBX:ECX");
	cr_expect_eq(r.rdx, 5, "reps completed in EDX");
}

Test(hypercall, compatibility_mode_uses_the_32_bit_convention)
{
	uint32_t name = HV_X64_REGISTER_CS;
	union hv_register_value cs = {
	    .segment = {.limit = 0xffffffff, .selector = 0x18, .attributes = 0xc09b}};
	struct fake_insn_result r;

	cr_assert_eq(hv_vp_set_registers(fake_part.vp, &name, 1, &cs), HV_STATUS_SUCCESS);
	r = fake_vmmcall32(0xffff, 0, 0, 0, 0, 0);
	cr_expect_eq(r.rax, HV_STATUS_INVALID_HYPERCALL_CODE);
}
