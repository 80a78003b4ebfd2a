/* An enlightened guest: finds Hyper-V as Linux does, the hypercall page, statuses, clocks, SynIC. */
#include <stdbool.h>
#include <stdint.h>

#include "guest.h"

/* TLFS values (libhv/include/hv/abi/; guests do not see libhv's include path). */
#define HV_CPUID_VENDOR_AND_MAX       0x40000000U
#define HV_CPUID_INTERFACE            0x40000001U
#define HV_CPUID_FEATURES             0x40000003U
#define HV_FEATURE_HYPERCALL_MSRS     (1U << 5)
#define HV_FEATURE_VP_INDEX_MSR       (1U << 6)
#define HV_PRIV_CREATE_PARTITIONS     (1U << 0)
#define HV_PRIV_CPU_MANAGEMENT        (1U << 12)

#define HV_X64_MSR_GUEST_OS_ID        0x40000000U
#define HV_X64_MSR_HYPERCALL          0x40000001U
#define HV_X64_MSR_VP_INDEX           0x40000002U
#define HV_X64_MSR_VP_ASSIST_PAGE     0x40000073U
#define HV_X64_MSR_VP_RUNTIME         0x40000010U
#define HV_X64_MSR_TIME_REF_COUNT     0x40000020U
#define HV_X64_MSR_REFERENCE_TSC      0x40000021U
#define HV_X64_MSR_TSC_FREQUENCY      0x40000022U
#define HV_X64_MSR_SCONTROL           0x40000080U
#define HV_X64_MSR_SVERSION           0x40000081U
#define HV_X64_MSR_SIEFP              0x40000082U
#define HV_X64_MSR_SIMP               0x40000083U
#define HV_X64_MSR_EOM                0x40000084U
#define HV_X64_MSR_SINT0              0x40000090U
#define HV_FEATURE_VP_RUNTIME_MSR     (1U << 0)
#define HV_FEATURE_TIME_REF_COUNT_MSR (1U << 1)
#define HV_FEATURE_SYNIC_MSRS         (1U << 2)
#define HV_FEATURE_REFERENCE_TSC      (1U << 9)

/* The monitor's echo service (monitor/synic_echo.h, docs/guest-abi.md). */
#define ECHO_MESSAGE_CONNECTION            0x2001U
#define ECHO_EVENT_CONNECTION              0x2002U
#define ECHO_SINT                          2U
#define ECHO_EVENT_FLAG                    7U
#define ECHO_VECTOR                        0x52U /* masked by RFLAGS.IF: this guest polls */
#define ECHO_MESSAGE_TYPE                  0x42U

#define HVCALL_FLUSH_VIRTUAL_ADDRESS_SPACE 0x0002U
#define HVCALL_FLUSH_VIRTUAL_ADDRESS_LIST  0x0003U
#define HVCALL_NOTIFY_LONG_SPIN_WAIT       0x0008U
#define HVCALL_CREATE_PARTITION            0x0040U
#define HVCALL_MAP_GPA_PAGES               0x004BU
#define HVCALL_POST_MESSAGE                0x005CU
#define HVCALL_SIGNAL_EVENT                0x005DU
#define HV_HYPERCALL_FAST                  (1ULL << 16)
#define HV_HYPERCALL_REP_COUNT_SHIFT       32U
#define HV_FLUSH_ALL_PROCESSORS            1ULL

#define HV_STATUS_SUCCESS                  0x0U
#define HV_STATUS_INVALID_HYPERCALL_CODE   0x2U
#define HV_STATUS_INVALID_HYPERCALL_INPUT  0x3U
#define HV_STATUS_INVALID_ALIGNMENT        0x4U
#define HV_STATUS_ACCESS_DENIED            0x6U
#define HV_STATUS_INVALID_PARAMETER        0x5U
#define HV_STATUS_INVALID_PORT_ID          0x11U
#define HV_STATUS_INVALID_CONNECTION_ID    0x12U

/* Linux's guest OS ID: open-source vendor 0x8100, then a kernel version (here 6.1.0). */
#define GUEST_OS_ID            ((0x8100ULL << 48) | (0x060100ULL << 16))

#define CPUID_VENDOR_EBX_AMD   0x68747541U /* "Auth" */
#define CPUID_VENDOR_EBX_HYGON 0x6f677948U /* "Hygo" */

/* Identity-mapped RAM: these addresses are also the GPAs the hypervisor is given. */
static uint8_t hypercall_page[4096] __attribute__((aligned(4096)));
static uint8_t vp_assist_page[4096] __attribute__((aligned(4096)));
static uint8_t input_page[4096] __attribute__((aligned(4096)));
static uint8_t output_page[4096] __attribute__((aligned(4096)));
static uint8_t tsc_page[4096] __attribute__((aligned(4096)));
static uint8_t message_page[4096] __attribute__((aligned(4096)));
static uint8_t event_page[4096] __attribute__((aligned(4096)));

/* TLFS layouts: the reference TSC page and one SIMP slot. */
struct reference_tsc_page {
	volatile uint32_t sequence;
	uint32_t reserved;
	volatile uint64_t scale;
	volatile int64_t offset;
};

struct message_slot {
	volatile uint32_t type;
	uint8_t payload_size;
	volatile uint8_t flags; /* bit 0: another message waits: write EOM after freeing */
	uint16_t reserved;
	uint64_t sender;
	uint8_t payload[240];
};

static unsigned failures;

static void check(bool ok, const char *what)
{
	guest_printf("enlightened: %s: %s\n", what, ok ? "PASS" : "FAIL");
	if (!ok)
		failures++;
}

static uint64_t rdmsr(uint32_t index)
{
	uint32_t lo, hi;

	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(index));
	return ((uint64_t)hi << 32) | lo;
}

static void wrmsr(uint32_t index, uint64_t value)
{
	__asm__ volatile("wrmsr"
	                 :
	                 : "c"(index), "a"((uint32_t)value), "d"((uint32_t)(value >> 32))
	                 : "memory");
}

/* Through the hypercall page, as Linux's hv_do_hypercall: RCX, RDX, R8 in; RAX out. */
static uint64_t hypercall(uint64_t control, uint64_t input, uint64_t output)
{
	register uint64_t r8 __asm__("r8") = output;
	uint64_t result;

	__asm__ volatile("call *%[page]"
	                 : "=a"(result), "+c"(control), "+d"(input), "+r"(r8)
	                 : [page] "r"(hypercall_page)
	                 : "cc", "memory", "r9", "r10", "r11");
	return result;
}

static uint64_t gpa(const void *p)
{
	return (uint64_t)(uintptr_t)p;
}

static void expect_status(uint64_t result, uint32_t want, const char *what)
{
	uint32_t status = (uint32_t)(result & 0xffffU);

	if (status != want)
		guest_printf("enlightened: %s: status %#x, want %#x\n", what, status, want);
	check(status == want, what);
}

/* Linux's ms_hyperv_platform(), then the features hyperv_init() needs. */
static bool detect_hyper_v(void)
{
	struct cpuid_result r = cpuid(1, 0);
	char signature[13];
	bool ok;

	if (!(r.ecx & CPUID_1_ECX_HYPERVISOR))
		return false;
	r = cpuid(HV_CPUID_VENDOR_AND_MAX, 0);
	if (r.eax < 0x40000005U || r.eax > 0x4000ffffU)
		return false;
	memcpy(signature + 0, &r.ebx, 4);
	memcpy(signature + 4, &r.ecx, 4);
	memcpy(signature + 8, &r.edx, 4);
	signature[12] = '\0';
	ok = memcmp(signature, "Microsoft Hv", 12) == 0;
	if (ok)
		guest_puts("enlightened: Hypervisor detected: Microsoft Hyper-V\n");
	return ok;
}

static uint64_t rdtsc(void)
{
	uint32_t lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

/* Linux's read_hv_clock_tsc(): the page's formula, retried while the sequence changes. */
static bool read_tsc_page(const struct reference_tsc_page *page, uint64_t *time)
{
	uint32_t seq;

	do {
		seq = page->sequence;
		if (seq == 0)
			return false; /* invalid: the reader falls back to TIME_REF_COUNT */
		__asm__ volatile("" ::: "memory");
		*time = (uint64_t)(((unsigned __int128)rdtsc() * page->scale) >> 64) +
		        (uint64_t)page->offset;
		__asm__ volatile("" ::: "memory");
	} while (page->sequence != seq);
	return true;
}

/*
 * The reference TSC page and TIME_REF_COUNT: an MSR read between two page reads lies between
 * them (the same clock, read later and earlier), and nothing ever goes backwards.
 */
static void check_clocks(struct cpuid_result features)
{
	const struct reference_tsc_page *page = (const void *)tsc_page;
	uint64_t before = 0, msr, after = 0, last = 0, first = 0;
	bool ordered = true, valid = true;

	if (!(features.eax & HV_FEATURE_TIME_REF_COUNT_MSR) ||
	    !(features.eax & HV_FEATURE_REFERENCE_TSC)) {
		guest_puts("enlightened: reference time not offered (the monitor gave no TSC "
		           "frequency)\n");
		return;
	}
	wrmsr(HV_X64_MSR_REFERENCE_TSC, gpa(tsc_page) | 1);
	check(rdmsr(HV_X64_MSR_REFERENCE_TSC) == (gpa(tsc_page) | 1), "REFERENCE_TSC enabled");
	check(page->sequence != 0 && page->scale != 0, "reference TSC page filled in");
	for (int i = 0; i < 200 && valid; i++) {
		valid = read_tsc_page(page, &before);
		msr = rdmsr(HV_X64_MSR_TIME_REF_COUNT);
		valid = valid && read_tsc_page(page, &after);
		if (!valid)
			break;
		if (i == 0)
			first = before;
		if (!(last <= before && before <= msr && msr <= after))
			ordered = false;
		last = after;
	}
	check(valid, "reference TSC page stays valid");
	check(ordered, "reference TSC page and TIME_REF_COUNT agree, never backwards");
	guest_printf("enlightened: reference time %llu, TSC %llu Hz, %llu units over the checks\n",
	             (unsigned long long)last, (unsigned long long)rdmsr(HV_X64_MSR_TSC_FREQUENCY),
	             (unsigned long long)(last - first));
	if (features.eax & HV_FEATURE_VP_RUNTIME_MSR)
		check(rdmsr(HV_X64_MSR_VP_RUNTIME) <= rdmsr(HV_X64_MSR_TIME_REF_COUNT),
		      "VP_RUNTIME within the partition's lifetime");
}

/*
 * The SynIC as Linux's hv_synic_enable_regs() sets it up, then a message to the monitor's echo
 * port and back, and an event. RFLAGS.IF stays clear (this guest has no IDT): the SINT's
 * vector stays pending in the local APIC, and the guest polls its message slot.
 */
static void check_synic(struct cpuid_result features)
{
	struct message_slot *slot = (struct message_slot *)message_page + ECHO_SINT;
	const volatile uint64_t *flags = (const volatile uint64_t *)(event_page + ECHO_SINT * 256);
	static const char text[] = "ping from the enlightened guest";
	uint64_t *in = (uint64_t *)input_page;
	uint64_t result;
	bool same = true;

	check(features.eax & HV_FEATURE_SYNIC_MSRS, "SynIC advertised");
	check(rdmsr(HV_X64_MSR_SVERSION) == 1, "SVERSION is 1");
	check(rdmsr(HV_X64_MSR_SINT0 + ECHO_SINT) == (1ULL << 16), "SINTs start masked");
	wrmsr(HV_X64_MSR_SIMP, gpa(message_page) | 1);
	wrmsr(HV_X64_MSR_SIEFP, gpa(event_page) | 1);
	wrmsr(HV_X64_MSR_SINT0 + ECHO_SINT, ECHO_VECTOR);
	wrmsr(HV_X64_MSR_SCONTROL, 1);
	check(rdmsr(HV_X64_MSR_SCONTROL) == 1 && rdmsr(HV_X64_MSR_SIMP) == (gpa(message_page) | 1),
	      "SynIC enabled");

	memset(input_page, 0, 256);
	in[0] = ECHO_MESSAGE_CONNECTION;
	in[1] = ECHO_MESSAGE_TYPE | ((uint64_t)sizeof(text) << 32);
	memcpy(input_page + 16, text, sizeof(text));
	result = hypercall(HVCALL_POST_MESSAGE, gpa(input_page), 0);
	if ((result & 0xffff) == HV_STATUS_INVALID_CONNECTION_ID) {
		guest_puts("enlightened: SynIC echo: no echo port (the monitor has none)\n");
		return;
	}
	expect_status(result, HV_STATUS_SUCCESS, "PostMessage to the echo port");
	for (long spin = 0; slot->type == 0 && spin < 100000000L; spin++)
		__asm__ volatile("pause");
	for (unsigned i = 0; i < sizeof(text); i++)
		same = same && slot->payload[i] == (uint8_t)text[i];
	check(slot->type == ECHO_MESSAGE_TYPE && slot->payload_size == sizeof(text) && same,
	      "SynIC message echoed back");
	guest_puts("enlightened: SynIC echo received (polled the message slot)\n");
	slot->type = 0;
	__asm__ volatile("mfence" ::: "memory");
	if (slot->flags & 1)
		wrmsr(HV_X64_MSR_EOM, 0);

	expect_status(hypercall(HVCALL_SIGNAL_EVENT | HV_HYPERCALL_FAST, ECHO_EVENT_CONNECTION, 0),
	              HV_STATUS_SUCCESS, "SignalEvent to the echo port");
	check(flags[ECHO_EVENT_FLAG / 64] & (1ULL << (ECHO_EVENT_FLAG % 64)),
	      "event flag set by the monitor");

	/* Statuses of the reference's tables. */
	in[1] = 0x80000001U | ((uint64_t)sizeof(text) << 32);
	expect_status(hypercall(HVCALL_POST_MESSAGE, gpa(input_page), 0),
	              HV_STATUS_INVALID_PARAMETER, "PostMessage with a hypervisor message type");
	in[1] = ECHO_MESSAGE_TYPE | (241ULL << 32);
	expect_status(hypercall(HVCALL_POST_MESSAGE, gpa(input_page), 0),
	              HV_STATUS_INVALID_HYPERCALL_INPUT, "PostMessage with 241 bytes");
	in[0] = ECHO_EVENT_CONNECTION;
	in[1] = ECHO_MESSAGE_TYPE | (8ULL << 32);
	expect_status(hypercall(HVCALL_POST_MESSAGE, gpa(input_page), 0), HV_STATUS_INVALID_PORT_ID,
	              "PostMessage to an event port");
	expect_status(
	    hypercall(HVCALL_SIGNAL_EVENT | HV_HYPERCALL_FAST, ECHO_MESSAGE_CONNECTION, 0),
	    HV_STATUS_INVALID_PORT_ID, "SignalEvent to a message port");
	expect_status(hypercall(HVCALL_SIGNAL_EVENT | HV_HYPERCALL_FAST,
	                        ECHO_EVENT_CONNECTION | (1ULL << 32), 0),
	              HV_STATUS_INVALID_PORT_ID, "SignalEvent with flag number 1");
}

int main(const struct guest_start_info *info)
{
	uint32_t vendor_ebx = cpuid(0, 0).ebx;
	bool amd = vendor_ebx == CPUID_VENDOR_EBX_AMD || vendor_ebx == CPUID_VENDOR_EBX_HYGON;
	struct cpuid_result features;
	uint64_t *in = (uint64_t *)input_page;
	uint64_t result;

	(void)info;
	if (!detect_hyper_v()) {
		check(false, "Hyper-V detected the way Linux does");
		guest_puts("enlightened: FAIL\n");
		return 1;
	}
	check(cpuid(HV_CPUID_INTERFACE, 0).eax == 0x31237648U, "interface Hv#1");
	features = cpuid(HV_CPUID_FEATURES, 0);
	check((features.eax & HV_FEATURE_HYPERCALL_MSRS) &&
	          (features.eax & HV_FEATURE_VP_INDEX_MSR),
	      "hypercall and VP index MSRs advertised");
	check(!(features.ebx & (HV_PRIV_CREATE_PARTITIONS | HV_PRIV_CPU_MANAGEMENT)),
	      "no root privileges for a child");

	wrmsr(HV_X64_MSR_GUEST_OS_ID, GUEST_OS_ID);
	check(rdmsr(HV_X64_MSR_GUEST_OS_ID) == GUEST_OS_ID, "GUEST_OS_ID reads back");
	wrmsr(HV_X64_MSR_HYPERCALL, gpa(hypercall_page) | 1);
	check(rdmsr(HV_X64_MSR_HYPERCALL) == (gpa(hypercall_page) | 1), "HYPERCALL enabled");
	check(hypercall_page[0] == 0xf3 && hypercall_page[1] == 0x0f && hypercall_page[2] == 0x1e &&
	          hypercall_page[3] == 0xfa && hypercall_page[4] == 0x0f &&
	          hypercall_page[5] == 0x01 && hypercall_page[6] == (amd ? 0xd9 : 0xc1) &&
	          hypercall_page[7] == 0xc3 && hypercall_page[8] == 0xcc,
	      amd ? "hypercall page: ENDBR64, VMMCALL, RET"
	          : "hypercall page: ENDBR64, VMCALL, RET");
	check(rdmsr(HV_X64_MSR_VP_INDEX) == 0, "VP_INDEX is 0");
	wrmsr(HV_X64_MSR_VP_ASSIST_PAGE, gpa(vp_assist_page) | 1);
	check(rdmsr(HV_X64_MSR_VP_ASSIST_PAGE) == (gpa(vp_assist_page) | 1),
	      "VP_ASSIST_PAGE accepted");

	/* Calls that work. */
	expect_status(hypercall(HVCALL_NOTIFY_LONG_SPIN_WAIT | HV_HYPERCALL_FAST, 1, 0),
	              HV_STATUS_SUCCESS, "NotifyLongSpinWait (fast)");
	in[0] = 0;
	in[1] = HV_FLUSH_ALL_PROCESSORS;
	in[2] = 0;
	expect_status(hypercall(HVCALL_FLUSH_VIRTUAL_ADDRESS_SPACE, gpa(input_page), 0),
	              HV_STATUS_SUCCESS, "FlushVirtualAddressSpace");
	in[3] = 0x200000;
	in[4] = 0x300000;
	result =
	    hypercall(HVCALL_FLUSH_VIRTUAL_ADDRESS_LIST | (2ULL << HV_HYPERCALL_REP_COUNT_SHIFT),
	              gpa(input_page), 0);
	expect_status(result, HV_STATUS_SUCCESS, "FlushVirtualAddressList (2 reps)");
	check(((result >> 32) & 0xfff) == 2, "2 reps completed");

	/* Calls that must fail, each with its own status. */
	expect_status(hypercall(0xfffe, 0, 0), HV_STATUS_INVALID_HYPERCALL_CODE, "unknown code");
	expect_status(
	    hypercall(HVCALL_NOTIFY_LONG_SPIN_WAIT | HV_HYPERCALL_FAST | (1ULL << 30), 1, 0),
	    HV_STATUS_INVALID_HYPERCALL_INPUT, "reserved bit in the input value");
	expect_status(hypercall(HVCALL_FLUSH_VIRTUAL_ADDRESS_SPACE, gpa(input_page) + 4, 0),
	              HV_STATUS_INVALID_ALIGNMENT, "misaligned input");
	expect_status(hypercall(HVCALL_FLUSH_VIRTUAL_ADDRESS_SPACE, gpa(input_page) + 4088, 0),
	              HV_STATUS_INVALID_ALIGNMENT, "input across a page boundary");
	expect_status(hypercall(HVCALL_FLUSH_VIRTUAL_ADDRESS_LIST, gpa(input_page), 0),
	              HV_STATUS_INVALID_HYPERCALL_INPUT, "rep call with rep count 0");
	expect_status(hypercall(HVCALL_CREATE_PARTITION, gpa(input_page), gpa(output_page)),
	              HV_STATUS_ACCESS_DENIED, "root-only CreatePartition");
	expect_status(hypercall(HVCALL_MAP_GPA_PAGES | (1ULL << HV_HYPERCALL_REP_COUNT_SHIFT),
	                        gpa(input_page), 0),
	              HV_STATUS_ACCESS_DENIED, "root-only MapGpaPages");
	/* 0x3FFF: no port has it (the monitor's channel service is connection 1, its echo 0x2001/2). */
	in[0] = 0x3FFF;
	in[1] = 1 | (16ULL << 32); /* message type 1, payload 16 bytes */
	expect_status(hypercall(HVCALL_POST_MESSAGE, gpa(input_page), 0),
	              HV_STATUS_INVALID_CONNECTION_ID, "PostMessage to no connection");
	expect_status(hypercall(HVCALL_SIGNAL_EVENT | HV_HYPERCALL_FAST, 0x3FFF, 0),
	              HV_STATUS_INVALID_CONNECTION_ID, "SignalEvent to no connection");

	check_clocks(features);
	check_synic(features);

	guest_puts(failures ? "enlightened: FAIL\n" : "enlightened: PASS\n");
	return failures ? 1 : 0;
}
