/* Host tests of the processor calls (cluster IPIs, VP index by APIC ID) and the privilege API. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <string.h>

#include <hv/abi/hv_enlightenment.h>
#include <hv/abi/hv_hypercall.h>

#include "fakes/fake_partition.h"
#include "fakes/fake_synthetic.h"
#include "libhv/core/hv_internal.h"
#include "libhv/core/hypercall.h"

/* 4 pages of RAM at GPA 0, one read-only page at 0x4000. */
#define IN_GPA  0x1000ULL
#define OUT_GPA 0x2000ULL
#define RO_GPA  0x4000ULL

struct assertion {
	uint32_t vp_index;
	uint8_t vector;
	bool auto_eoi;
};
static struct assertion asserted[8];
static unsigned asserted_count;

static void record_assert(void *opaque, uint32_t vp_index, uint8_t vector, bool auto_eoi)
{
	(void)opaque;
	if (asserted_count < 8)
		asserted[asserted_count] = (struct assertion){vp_index, vector, auto_eoi};
	asserted_count++;
}

static const struct hv_interrupt_target target = {record_assert, NULL};

static void setup(void)
{
	fake_partition_setup(4, 1);
	asserted_count = 0;
}

static void teardown(void)
{
	fake_partition_teardown();
}

TestSuite(hypercall_ipi, .init = setup, .fini = teardown);

static uint64_t control(uint16_t code, bool fast, uint16_t var_qwords, uint16_t reps,
                        uint16_t start)
{
	return code | (fast ? HV_HYPERCALL_FAST : 0) |
	       ((uint64_t)var_qwords << HV_HYPERCALL_VARHEAD_SHIFT) |
	       ((uint64_t)reps << HV_HYPERCALL_REP_COUNT_SHIFT) |
	       ((uint64_t)start << HV_HYPERCALL_REP_START_SHIFT);
}

static uint16_t status_of(uint64_t rax)
{
	return (uint16_t)(rax & HV_HYPERCALL_RESULT_STATUS_MASK);
}

static uint16_t reps_of(uint64_t rax)
{
	return (uint16_t)((rax & HV_HYPERCALL_RESULT_REPS_MASK) >> HV_HYPERCALL_RESULT_REPS_SHIFT);
}

static uint32_t get32(uint64_t gpa)
{
	uint32_t v;

	memcpy(&v, fake_part.ram + gpa, sizeof(v));
	return v;
}

/* The fast form's 16 bytes as RDX and R8. */
static uint64_t ipi_fast(uint32_t vector, uint8_t vtl, uint64_t mask)
{
	struct hv_input_send_synthetic_cluster_ipi in = {
	    .vector = vector, .target_vtl = vtl, .processor_mask = mask};
	uint64_t rdx;

	memcpy(&rdx, &in, 8);
	return fake_synthetic_hypercall(HVCALL_SEND_SYNTHETIC_CLUSTER_IPI | HV_HYPERCALL_FAST, rdx,
	                                in.processor_mask);
}

static uint64_t ipi_slow(uint32_t vector, uint8_t vtl, uint64_t mask)
{
	struct hv_input_send_synthetic_cluster_ipi in = {
	    .vector = vector, .target_vtl = vtl, .processor_mask = mask};

	memcpy(fake_part.ram + IN_GPA, &in, sizeof(in));
	return fake_synthetic_hypercall(HVCALL_SEND_SYNTHETIC_CLUSTER_IPI, IN_GPA, 0);
}

/* The Ex form with `banks` bank qwords after the header, and `var` as the variable header size. */
static uint64_t ipi_ex(uint32_t vector, uint8_t vtl, uint64_t format, uint64_t valid_banks,
                       const uint64_t *banks, uint16_t nbanks, uint16_t var)
{
	struct hv_input_send_synthetic_cluster_ipi_ex in = {.vector = vector,
	                                                    .target_vtl = vtl,
	                                                    .vp_set_format = format,
	                                                    .vp_set_valid_bank_mask = valid_banks};

	memcpy(fake_part.ram + IN_GPA, &in, sizeof(in));
	if (nbanks)
		memcpy(fake_part.ram + IN_GPA + sizeof(in), banks, 8U * nbanks);
	return fake_synthetic_hypercall(
	    control(HVCALL_SEND_SYNTHETIC_CLUSTER_IPI_EX, false, var, 0, 0), IN_GPA, 0);
}

/* ---- SendSyntheticClusterIpi ---- */

struct ipi_case {
	uint32_t vector;
	uint8_t vtl;
	uint64_t mask;
	hv_status_t status;
	unsigned asserted; /* interrupts at VP 0 */
};

ParameterizedTestParameters(hypercall_ipi, cluster_ipi_fast_and_slow)
{
	static struct ipi_case cases[] = {
	    {0x30, 0x00, 1, HV_STATUS_SUCCESS, 1},
	    {0x10, 0x00, 1, HV_STATUS_SUCCESS, 1},     /* lowest vector */
	    {0xff, 0x00, 1, HV_STATUS_SUCCESS, 1},     /* highest vector */
	    {0x30, 0x10, 1, HV_STATUS_SUCCESS, 1},     /* VTL 0 named explicitly */
	    {0x30, 0x00, ~0ULL, HV_STATUS_SUCCESS, 1}, /* VPs that do not exist are skipped */
	    {0x30, 0x00, 1ULL << 5, HV_STATUS_SUCCESS, 0},
	    {0x30, 0x00, 0, HV_STATUS_SUCCESS, 0},
	    {0x0f, 0x00, 1, HV_STATUS_INVALID_PARAMETER, 0}, /* below 0x10 */
	    {0x00, 0x00, 1, HV_STATUS_INVALID_PARAMETER, 0},
	    {0x100, 0x00, 1, HV_STATUS_INVALID_PARAMETER, 0}, /* above 0xff */
	    {0xffffffff, 0x00, 1, HV_STATUS_INVALID_PARAMETER, 0},
	    {0x30, 0x01, 1, HV_STATUS_INVALID_PARAMETER, 0}, /* VTL bits without "use" */
	    {0x30, 0x11, 1, HV_STATUS_INVALID_PARAMETER, 0}, /* VTL 1 */
	    {0x30, 0x20, 1, HV_STATUS_INVALID_PARAMETER, 0}, /* reserved bit 5 */
	    {0x30, 0xff, 1, HV_STATUS_INVALID_PARAMETER, 0},
	};

	return cr_make_param_array(struct ipi_case, cases, sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct ipi_case *t, hypercall_ipi, cluster_ipi_fast_and_slow)
{
	cr_assert_eq(hv_partition_set_interrupt_target(fake_part.p, &target), HV_STATUS_SUCCESS);
	for (int fast = 0; fast < 2; fast++) {
		uint64_t rax;

		asserted_count = 0;
		fake_part.vp->interrupt_asserted = false;
		rax = fast ? ipi_fast(t->vector, t->vtl, t->mask)
		           : ipi_slow(t->vector, t->vtl, t->mask);
		cr_expect_eq(rax, t->status, "vector %#x vtl %#x mask %#llx fast %d: %#llx",
		             t->vector, t->vtl, (unsigned long long)t->mask, fast,
		             (unsigned long long)rax);
		cr_expect_eq(asserted_count, t->asserted, "vector %#x fast %d", t->vector, fast);
		cr_expect_eq(fake_part.vp->interrupt_asserted, t->asserted != 0);
		if (t->asserted) {
			cr_expect_eq(asserted[0].vp_index, 0);
			cr_expect_eq(asserted[0].vector, (uint8_t)t->vector);
			cr_expect_not(asserted[0].auto_eoi, "a fixed interrupt the guest EOIs");
		}
	}
}

Test(hypercall_ipi, cluster_ipi_shape_errors)
{
	cr_expect_eq(fake_synthetic_hypercall(
	                 control(HVCALL_SEND_SYNTHETIC_CLUSTER_IPI, true, 0, 1, 0), 0x30, 1),
	             HV_STATUS_INVALID_HYPERCALL_INPUT, "a rep count on a simple call");
	cr_expect_eq(fake_synthetic_hypercall(
	                 control(HVCALL_SEND_SYNTHETIC_CLUSTER_IPI, true, 1, 0, 0), 0x30, 1),
	             HV_STATUS_INVALID_HYPERCALL_INPUT, "a variable header it does not take");
	cr_expect_eq(fake_synthetic_hypercall(HVCALL_SEND_SYNTHETIC_CLUSTER_IPI, IN_GPA + 4, 0),
	             HV_STATUS_INVALID_ALIGNMENT);
	cr_expect_eq(fake_synthetic_hypercall(HVCALL_SEND_SYNTHETIC_CLUSTER_IPI, 0x10000, 0),
	             HV_STATUS_INVALID_PARAMETER, "no RAM at the input GPA");
}

Test(hypercall_ipi, cluster_ipi_without_a_target_succeeds_and_drops)
{
	/* Through the whole VMMCALL path: the run does not end early, the vector is logged once. */
	struct hv_input_send_synthetic_cluster_ipi in = {.vector = 0x40, .processor_mask = 1};
	uint64_t rdx;
	struct fake_insn_result r;

	memcpy(&rdx, &in, 8);
	r = fake_vmmcall(HVCALL_SEND_SYNTHETIC_CLUSTER_IPI | HV_HYPERCALL_FAST, rdx, 1);
	cr_expect_eq(r.rax, HV_STATUS_SUCCESS);
	cr_expect_eq(r.rip_advance, 3);
	cr_expect_eq(asserted_count, 0);
}

/* ---- SendSyntheticClusterIpiEx ---- */

struct ipi_ex_case {
	const char *what;
	uint32_t vector;
	uint8_t vtl;
	uint64_t format, valid_banks;
	uint64_t banks[2];
	uint16_t nbanks, var;
	hv_status_t status;
	unsigned asserted;
};

ParameterizedTestParameters(hypercall_ipi, cluster_ipi_ex)
{
	static struct ipi_ex_case cases[] = {
	    {"all", 0x30, 0, HV_GENERIC_SET_ALL, 0, {0}, 0, 0, HV_STATUS_SUCCESS, 1},
	    {"all ignores the banks",
	     0x30,
	     0,
	     HV_GENERIC_SET_ALL,
	     5,
	     {0},
	     0,
	     0,
	     HV_STATUS_SUCCESS,
	     1},
	    {"bank 0, VP 0", 0x30, 0, HV_GENERIC_SET_SPARSE_4K, 1, {1}, 1, 1, HV_STATUS_SUCCESS, 1},
	    {"bank 0, VP 3 only",
	     0x30,
	     0,
	     HV_GENERIC_SET_SPARSE_4K,
	     1,
	     {8},
	     1,
	     1,
	     HV_STATUS_SUCCESS,
	     0},
	    {"bank 1 (VPs 64-127)",
	     0x30,
	     0,
	     HV_GENERIC_SET_SPARSE_4K,
	     2,
	     {1},
	     1,
	     1,
	     HV_STATUS_SUCCESS,
	     0},
	    {"banks 0 and 5",
	     0x30,
	     0,
	     HV_GENERIC_SET_SPARSE_4K,
	     0x21,
	     {1, ~0ULL},
	     2,
	     2,
	     HV_STATUS_SUCCESS,
	     1},
	    {"empty set", 0x30, 0, HV_GENERIC_SET_SPARSE_4K, 0, {0}, 0, 0, HV_STATUS_SUCCESS, 0},
	    {"fewer banks than the mask says",
	     0x30,
	     0,
	     HV_GENERIC_SET_SPARSE_4K,
	     3,
	     {1},
	     1,
	     1,
	     HV_STATUS_INVALID_HYPERCALL_INPUT,
	     0},
	    {"more banks than the mask says",
	     0x30,
	     0,
	     HV_GENERIC_SET_SPARSE_4K,
	     1,
	     {1, 1},
	     2,
	     2,
	     HV_STATUS_INVALID_HYPERCALL_INPUT,
	     0},
	    {"unknown format", 0x30, 0, 2, 1, {1}, 1, 1, HV_STATUS_INVALID_HYPERCALL_INPUT, 0},
	    {"vector below 0x10",
	     0x0f,
	     0,
	     HV_GENERIC_SET_ALL,
	     0,
	     {0},
	     0,
	     0,
	     HV_STATUS_INVALID_PARAMETER,
	     0},
	    {"vector above 0xff",
	     0x1ff,
	     0,
	     HV_GENERIC_SET_ALL,
	     0,
	     {0},
	     0,
	     0,
	     HV_STATUS_INVALID_PARAMETER,
	     0},
	    {"VTL 2", 0x30, 0x12, HV_GENERIC_SET_ALL, 0, {0}, 0, 0, HV_STATUS_INVALID_PARAMETER, 0},
	    {"bad vector before a bad set",
	     0x05,
	     0,
	     7,
	     1,
	     {1},
	     0,
	     0,
	     HV_STATUS_INVALID_PARAMETER,
	     0},
	};

	return cr_make_param_array(struct ipi_ex_case, cases, sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct ipi_ex_case *t, hypercall_ipi, cluster_ipi_ex)
{
	uint64_t rax;

	cr_assert_eq(hv_partition_set_interrupt_target(fake_part.p, &target), HV_STATUS_SUCCESS);
	rax = ipi_ex(t->vector, t->vtl, t->format, t->valid_banks, t->banks, t->nbanks, t->var);
	cr_expect_eq(rax, t->status, "%s: %#llx", t->what, (unsigned long long)rax);
	cr_expect_eq(asserted_count, t->asserted, "%s", t->what);
	if (t->asserted)
		cr_expect_eq(asserted[0].vector, (uint8_t)t->vector, "%s", t->what);
}

Test(hypercall_ipi, cluster_ipi_ex_has_no_fast_form_without_xmm)
{
	cr_expect_eq(
	    fake_synthetic_hypercall(HVCALL_SEND_SYNTHETIC_CLUSTER_IPI_EX | HV_HYPERCALL_FAST, 0x30,
	                             HV_GENERIC_SET_ALL),
	    HV_STATUS_INVALID_HYPERCALL_INPUT, "24 bytes do not fit in RDX and R8");
	cr_expect_eq(asserted_count, 0);
}

/* ---- GetVpIndexFromApicId ---- */

static uint64_t vp_index_call(uint64_t partition, uint8_t vtl, const uint32_t *ids, uint16_t reps,
                              uint16_t start)
{
	struct hv_input_get_vp_index_from_apic_id in = {.partition_id = partition,
	                                                .target_vtl = vtl};

	memcpy(fake_part.ram + IN_GPA, &in, sizeof(in));
	memcpy(fake_part.ram + IN_GPA + sizeof(in), ids, 4U * reps);
	memset(fake_part.ram + OUT_GPA, 0xee, 64);
	return fake_vmmcall(control(HVCALL_GET_VP_INDEX_FROM_APIC_ID, false, 0, reps, start),
	                    IN_GPA, OUT_GPA)
	    .rax;
}

Test(hypercall_ipi, vp_index_from_apic_id)
{
	static const uint32_t ids[3] = {0, 0, 0};
	uint64_t rax;

	rax = vp_index_call(HV_PARTITION_ID_SELF, 0, ids, 1, 0);
	cr_expect_eq(status_of(rax), HV_STATUS_SUCCESS);
	cr_expect_eq(reps_of(rax), 1);
	cr_expect_eq(get32(OUT_GPA), 0, "VP index 0 has APIC ID 0");
	cr_expect_eq(get32(OUT_GPA + 4), 0xeeeeeeeeU, "nothing written past the output list");

	rax = vp_index_call(hv_partition_id(fake_part.p), 0x10, ids, 3, 0);
	cr_expect_eq(rax, HV_STATUS_SUCCESS | (3ULL << HV_HYPERCALL_RESULT_REPS_SHIFT),
	             "its own ID, VTL 0 named: %#llx", (unsigned long long)rax);
	cr_expect(get32(OUT_GPA) == 0 && get32(OUT_GPA + 4) == 0 && get32(OUT_GPA + 8) == 0);

	rax = vp_index_call(HV_PARTITION_ID_SELF, 0, ids, 3, 2);
	cr_expect_eq(reps_of(rax), 3, "a restarted call counts the reps before its start");
	cr_expect_eq(get32(OUT_GPA), 0xeeeeeeeeU, "reps before the start are not written");
	cr_expect_eq(get32(OUT_GPA + 8), 0);
}

struct apic_case {
	const char *what;
	uint64_t partition;
	uint8_t vtl;
	uint32_t ids[3];
	uint16_t reps, start;
	hv_status_t status;
	uint16_t reps_completed;
};

ParameterizedTestParameters(hypercall_ipi, vp_index_from_apic_id_errors)
{
	static struct apic_case cases[] = {
	    {"another partition", 7, 0, {0}, 1, 0, HV_STATUS_INVALID_PARTITION_ID, 0},
	    {"partition 0", 0, 0, {0}, 1, 0, HV_STATUS_INVALID_PARTITION_ID, 0},
	    {"VTL 1", HV_PARTITION_ID_SELF, 1, {0}, 1, 0, HV_STATUS_INVALID_PARAMETER, 0},
	    {"VTL 1 named", HV_PARTITION_ID_SELF, 0x11, {0}, 1, 0, HV_STATUS_INVALID_PARAMETER, 0},
	    {"VTL reserved bits",
	     HV_PARTITION_ID_SELF,
	     0x80,
	     {0},
	     1,
	     0,
	     HV_STATUS_INVALID_PARAMETER,
	     0},
	    {"partition before VTL", 9, 1, {0}, 1, 0, HV_STATUS_INVALID_PARTITION_ID, 0},
	    {"unknown APIC ID first",
	     HV_PARTITION_ID_SELF,
	     0,
	     {1},
	     1,
	     0,
	     HV_STATUS_INVALID_PARAMETER,
	     0},
	    {"unknown APIC ID third",
	     HV_PARTITION_ID_SELF,
	     0,
	     {0, 0, 255},
	     3,
	     0,
	     HV_STATUS_INVALID_PARAMETER,
	     2},
	    {"unknown APIC ID second",
	     HV_PARTITION_ID_SELF,
	     0,
	     {0, 0xffffffff, 0},
	     3,
	     0,
	     HV_STATUS_INVALID_PARAMETER,
	     1},
	    {"restart at the unknown one",
	     HV_PARTITION_ID_SELF,
	     0,
	     {0, 5, 0},
	     3,
	     1,
	     HV_STATUS_INVALID_PARAMETER,
	     1},
	    {"rep count 0",
	     HV_PARTITION_ID_SELF,
	     0,
	     {0},
	     0,
	     0,
	     HV_STATUS_INVALID_HYPERCALL_INPUT,
	     0},
	    {"rep start = rep count",
	     HV_PARTITION_ID_SELF,
	     0,
	     {0},
	     1,
	     1,
	     HV_STATUS_INVALID_HYPERCALL_INPUT,
	     0},
	};

	return cr_make_param_array(struct apic_case, cases, sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct apic_case *t, hypercall_ipi, vp_index_from_apic_id_errors)
{
	uint64_t rax = vp_index_call(t->partition, t->vtl, t->ids, t->reps, t->start);

	cr_expect_eq(status_of(rax), t->status, "%s: %#llx", t->what, (unsigned long long)rax);
	cr_expect_eq(reps_of(rax), t->reps_completed, "%s", t->what);
	for (uint16_t i = 0; i < 3; i++) {
		bool written = i >= t->start && i < t->reps_completed;

		cr_expect_eq(get32(OUT_GPA + 4U * i), written ? 0 : 0xeeeeeeeeU, "%s: element %u",
		             t->what, i);
	}
}

Test(hypercall_ipi, vp_index_from_apic_id_blocks)
{
	struct hv_input_get_vp_index_from_apic_id in = {.partition_id = HV_PARTITION_ID_SELF};
	uint64_t c = control(HVCALL_GET_VP_INDEX_FROM_APIC_ID, false, 0, 1, 0);

	memcpy(fake_part.ram + IN_GPA, &in, sizeof(in));
	memset(fake_part.ram + RO_GPA, 0x77, 8);
	cr_expect_eq(fake_vmmcall(c | HV_HYPERCALL_FAST, 0, 0).rax,
	             HV_STATUS_INVALID_HYPERCALL_CODE, "no fast form");
	cr_expect_eq(fake_vmmcall(c | (1ULL << HV_HYPERCALL_VARHEAD_SHIFT), IN_GPA, OUT_GPA).rax,
	             HV_STATUS_INVALID_HYPERCALL_INPUT, "no variable header");
	cr_expect_eq(fake_vmmcall(c, IN_GPA, OUT_GPA + 4).rax, HV_STATUS_INVALID_ALIGNMENT);
	cr_expect_eq(fake_vmmcall(c, IN_GPA, RO_GPA).rax, HV_STATUS_INVALID_PARAMETER,
	             "read-only output");
	cr_expect_eq(get32(RO_GPA), 0x77777777U);
	cr_expect_eq(fake_vmmcall(c, 0x3ff8, OUT_GPA).rax, HV_STATUS_INVALID_ALIGNMENT,
	             "20 bytes of input across a page boundary");
	/* 4095 reps: 16 + 16380 bytes of input do not fit in a page. */
	cr_expect_eq(fake_vmmcall(control(HVCALL_GET_VP_INDEX_FROM_APIC_ID, false, 0, 4095, 0),
	                          IN_GPA, OUT_GPA)
	                 .rax,
	             HV_STATUS_INVALID_ALIGNMENT);
}

/* ---- the table ---- */

Test(hypercall_ipi, every_code_finds_its_own_entry)
{
	unsigned known = 0;

	for (uint32_t code = 0; code <= 0xffff; code++) {
		const struct hc_entry *e = hc_lookup((uint16_t)code);

		if (!e)
			continue;
		known++;
		cr_expect_eq(e->code, code, "entry for %#x", code);
		cr_expect(e->root_only || e->handler, "%#x has a handler or is root-only", code);
	}
	cr_expect_eq(known, 34, "the calls of docs/hypercalls.md");
	cr_expect_null(hc_lookup(0));
	cr_expect_null(hc_lookup(HC_TABLE_CODES));
	cr_expect_null(hc_lookup(0x8002));
}

/* ---- the privilege API ---- */

static uint32_t cpuid_privileges(void)
{
	uint32_t r[4];

	hv_cpuid_default(fake_part.vp, HV_CPUID_FEATURES, 0, r);
	return r[1];
}

Test(hypercall_ipi, privileges_start_as_a_child)
{
	cr_expect_eq(cpuid_privileges(), HV_PRIV_POST_MESSAGES | HV_PRIV_SIGNAL_EVENTS);
}

Test(hypercall_ipi, the_root_raises_and_lowers_privileges)
{
	struct fake_insn_result r;

	cr_assert_eq(hv_partition_set_privileges(fake_part.p, HV_PRIV_ACCESS_PARTITION_ID |
	                                                          HV_PRIV_ENABLE_EXT_HYPERCALLS),
	             HV_STATUS_SUCCESS);
	cr_expect_eq(cpuid_privileges(),
	             HV_PRIV_ACCESS_PARTITION_ID | HV_PRIV_ENABLE_EXT_HYPERCALLS);
	r = fake_vmmcall(HVCALL_GET_PARTITION_ID, 0, OUT_GPA);
	cr_expect_eq(r.rax, HV_STATUS_SUCCESS, "raised: GetPartitionId");
	cr_expect_eq(fake_vmmcall(HVCALL_EXT_QUERY_CAPABILITIES, 0, OUT_GPA).rax,
	             HV_STATUS_SUCCESS);
	cr_expect_eq(fake_synthetic_hypercall(HVCALL_SIGNAL_EVENT | HV_HYPERCALL_FAST, 1, 0),
	             HV_STATUS_ACCESS_DENIED, "lowered: no SignalEvents");
	cr_expect_eq(fake_synthetic_hypercall(HVCALL_POST_MESSAGE, IN_GPA, 0),
	             HV_STATUS_ACCESS_DENIED, "lowered: no PostMessages");
}

Test(hypercall_ipi, privileges_may_drop_to_nothing)
{
	cr_assert_eq(hv_partition_set_privileges(fake_part.p, 0), HV_STATUS_SUCCESS);
	cr_expect_eq(cpuid_privileges(), 0);
	cr_expect_eq(fake_synthetic_hypercall(HVCALL_GET_PARTITION_ID, 0, OUT_GPA),
	             HV_STATUS_ACCESS_DENIED);
	/* Calls that need no privilege still work. */
	cr_expect_eq(
	    fake_synthetic_hypercall(HVCALL_NOTIFY_LONG_SPIN_WAIT | HV_HYPERCALL_FAST, 1, 0),
	    HV_STATUS_SUCCESS);
}

ParameterizedTestParameters(hypercall_ipi, privileges_libhv_does_not_back_are_denied)
{
	static uint64_t masks[] = {
	    HV_PRIV_CREATE_PARTITIONS,
	    HV_PRIV_CPU_MANAGEMENT,
	    HV_PRIV_CPU_MANAGEMENT | HV_PRIV_POST_MESSAGES,
	    HV_PRIV_ACCESS_MEMORY_POOL,
	    HV_PRIV_ADJUST_MESSAGE_BUFFERS,
	    HV_PRIV_CREATE_PORT,
	    HV_PRIV_CONNECT_PORT,
	    HV_PRIV_ACCESS_STATS,
	    HV_PRIV_DEBUGGING,
	    HV_PRIV_START_VP,
	    HV_PRIV_ISOLATION,
	    1ULL << 16, /* AccessVSM */
	    1ULL << 17, /* AccessVpRegisters */
	    1ULL << 19, /* FastHypercallOutput */
	    1ULL << 31,
	    1ULL << 32,
	    1ULL << 63,
	    ~0ULL,
	};

	return cr_make_param_array(uint64_t, masks, sizeof(masks) / sizeof(masks[0]));
}

ParameterizedTest(uint64_t *mask, hypercall_ipi, privileges_libhv_does_not_back_are_denied)
{
	cr_expect_eq(hv_partition_set_privileges(fake_part.p, *mask), HV_STATUS_ACCESS_DENIED,
	             "mask %#llx", (unsigned long long)*mask);
	cr_expect_eq(cpuid_privileges(), HV_PRIV_POST_MESSAGES | HV_PRIV_SIGNAL_EVENTS,
	             "nothing changed");
}

Test(hypercall_ipi, privileges_are_fixed_once_a_vp_ran)
{
	cr_expect_eq(hv_partition_set_privileges(NULL, 0), HV_STATUS_INVALID_PARAMETER);
	cr_expect_eq(hv_partition_set_privileges(fake_part.p, HV_PRIV_POST_MESSAGES),
	             HV_STATUS_SUCCESS, "before the first entry");
	fake_vmmcall(HVCALL_NOTIFY_LONG_SPIN_WAIT | HV_HYPERCALL_FAST, 0, 0);
	cr_expect_eq(hv_partition_set_privileges(fake_part.p, HV_PRIV_SIGNAL_EVENTS),
	             HV_STATUS_INVALID_PARTITION_STATE);
	cr_expect_eq(cpuid_privileges(), HV_PRIV_POST_MESSAGES);
	cr_expect_eq(hv_partition_set_privileges(fake_part.p, HV_PRIV_CREATE_PARTITIONS),
	             HV_STATUS_ACCESS_DENIED, "the bad mask is named first");
}
