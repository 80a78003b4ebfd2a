/* A 32-bit enlightened guest: finds Hyper-V as 32-bit Linux does, calls it with the 32-bit ABI. */
#include "enlightened32.h"
#include "idt.h"
#include "mbguest.h"
#include "x86.h"

/* TLFS values (libhv/include/hv/abi/; the guests do not see libhv's include path). */
#define HV_CPUID_VENDOR_AND_MAX       0x40000000U
#define HV_CPUID_INTERFACE            0x40000001U
#define HV_CPUID_FEATURES             0x40000003U
#define HV_CPUID_MIN                  0x40000005U /* Linux's ms_hyperv_platform() bounds */
#define HV_CPUID_MAX                  0x4000ffffU
#define HV_INTERFACE_HV1              0x31237648U /* "Hv#1" */
#define CPUID1_ECX_HYPERVISOR         (1U << 31)

#define HV_FEATURE_VP_RUNTIME_MSR     (1U << 0)
#define HV_FEATURE_TIME_REF_COUNT_MSR (1U << 1)
#define HV_FEATURE_HYPERCALL_MSRS     (1U << 5)
#define HV_FEATURE_VP_INDEX_MSR       (1U << 6)
#define HV_FEATURE_REFERENCE_TSC      (1U << 9)
#define HV_PRIV_CREATE_PARTITIONS     (1U << 0)
#define HV_PRIV_CPU_MANAGEMENT        (1U << 12)

#define HV_X64_MSR_GUEST_OS_ID        0x40000000U
#define HV_X64_MSR_HYPERCALL          0x40000001U
#define HV_X64_MSR_VP_INDEX           0x40000002U
#define HV_X64_MSR_VP_RUNTIME         0x40000010U
#define HV_X64_MSR_REFERENCE_TSC      0x40000021U
#define HV_X64_MSR_SVERSION           0x40000081U
#define HV_X64_MSR_SIEFP              0x40000082U

/* The example monitor's echo service's event port (the message side is in enlightened32.h). */
#define ECHO_EVENT_CONNECTION              0x2002U
#define ECHO_EVENT_FLAG                    7U

#define HVCALL_FLUSH_VIRTUAL_ADDRESS_SPACE 0x0002U
#define HVCALL_FLUSH_VIRTUAL_ADDRESS_LIST  0x0003U
#define HVCALL_NOTIFY_LONG_SPIN_WAIT       0x0008U
#define HVCALL_CREATE_PARTITION            0x0040U
#define HVCALL_SIGNAL_EVENT                0x005DU
#define HV_HYPERCALL_FAST                  (1ULL << 16)
#define HV_HYPERCALL_REP_COUNT_SHIFT       32U
#define HV_FLUSH_ALL_PROCESSORS            1U

#define HV_STATUS_INVALID_HYPERCALL_CODE   0x2U
#define HV_STATUS_INVALID_HYPERCALL_INPUT  0x3U
#define HV_STATUS_INVALID_ALIGNMENT        0x4U
#define HV_STATUS_INVALID_PARAMETER        0x5U
#define HV_STATUS_ACCESS_DENIED            0x6U
#define HV_STATUS_INVALID_PORT_ID          0x11U

/* Linux's guest OS ID (open-source vendor 0x8100, kernel 6.1.0): the same from 32-bit kernels. */
#define GUEST_OS_ID            ((0x8100ULL << 48) | (0x060100ULL << 16))

#define CPUID_VENDOR_EBX_AMD   0x68747541U /* "Auth" */
#define CPUID_VENDOR_EBX_HYGON 0x6f677948U /* "Hygo" */
#define X86_VECTOR_UD          6U

/* Exit values (port 0xF4, exit status (V<<1)|1): the no-hypervisor path has its own. */
#define EXIT_PASS       0U
#define EXIT_FAIL       1U
#define EXIT_NO_HYPER_V 2U

/* Reference time units (100 ns) the page and the MSR may be apart across one MSR exit: a second
 * covers any number of other partitions' time slices; the order itself is checked exactly. */
#define CLOCK_TOLERANCE 10000000U

/* Paging is off: these addresses are the GPAs the hypervisor is given. */
static uint8_t hypercall_page[4096] __attribute__((aligned(4096)));
uint8_t input_page[4096] __attribute__((aligned(4096)));
static uint8_t output_page[4096] __attribute__((aligned(4096)));
static uint8_t tsc_page[4096] __attribute__((aligned(4096)));
uint8_t message_page[4096] __attribute__((aligned(4096)));
static uint8_t event_page[4096] __attribute__((aligned(4096)));

/* Where the hypercall page is, for an indirect CALL through memory (every GPR is an argument). */
static void *volatile hypercall_entry = hypercall_page;

/* TLFS layout: the reference TSC page. */
struct reference_tsc_page {
	volatile uint32_t sequence;
	uint32_t reserved;
	volatile uint64_t scale;
	volatile int64_t offset;
};

static unsigned nfailed;

void result(bool ok, const char *what)
{
	put_str("enlightened32: ");
	put_str(what);
	put_line(ok ? ": PASS" : ": FAIL");
	if (!ok)
		nfailed++;
}

/* 64-bit decimal without libgcc: udiv64 (x86.h) is two 32-bit DIVs. */
void put_dec64(uint64_t v)
{
	char buf[21];
	int i = 0;

	do {
		uint64_t q = udiv64(v, 10);

		buf[i++] = (char)('0' + (uint32_t)(v - q * 10));
		v = q;
	} while (v);
	while (i) {
		char c[2] = {buf[--i], '\0'};

		put_str(c);
	}
}

/*
 * Through the hypercall page, as 32-bit Linux's hv_do_hypercall(): EDX:EAX the input value,
 * EBX:ECX the input GPA (or the first 8 bytes of fast input), EDI:ESI the output GPA (or the
 * next 8); the result comes back in EDX:EAX. ECX is treated as clobbered, as Linux does.
 */
uint64_t hypercall(uint64_t control, uint64_t input, uint64_t output)
{
	uint64_t value = control;
	uint32_t in_lo = (uint32_t)input;

	__asm__ volatile("call *%[entry]"
	                 : "+A"(value), "+c"(in_lo)
	                 : "b"((uint32_t)(input >> 32)), "D"((uint32_t)(output >> 32)),
	                   "S"((uint32_t)output), [entry] "m"(hypercall_entry)
	                 : "cc", "memory");
	return value;
}

uint64_t gpa(const void *p)
{
	return (uint32_t)p;
}

static void expect_status(uint64_t value, uint32_t want, const char *what)
{
	uint32_t status = (uint32_t)value & 0xffffU;

	if (status != want) {
		put_str("enlightened32: ");
		put_str(what);
		put_str(": status ");
		put_hex(status);
		put_str(", want ");
		put_hex(want);
		put_line("");
	}
	result(status == want, what);
}

/*
 * Linux's ms_hyperv_platform(): the hypervisor bit, then leaf 0x40000000's maximum and "Microsoft
 * Hv". Prints why not when there is no Hyper-V (the guest's negative path on bare QEMU).
 */
static bool detect_hyper_v(void)
{
	struct cpuid_regs r = cpuid(1, 0);
	char signature[13];

	if (!(r.ecx & CPUID1_ECX_HYPERVISOR)) {
		put_line("enlightened32: no hypervisor present (CPUID.1:ECX[31] clear)");
		return false;
	}
	r = cpuid(HV_CPUID_VENDOR_AND_MAX, 0);
	memcpy(signature + 0, &r.ebx, 4);
	memcpy(signature + 4, &r.ecx, 4);
	memcpy(signature + 8, &r.edx, 4);
	signature[12] = '\0';
	for (int i = 0; i < 12; i++)
		if (signature[i] < ' ' || signature[i] > '~')
			signature[i] = '.';
	if (r.eax < HV_CPUID_MIN || r.eax > HV_CPUID_MAX || memcmp(signature, "Microsoft Hv", 12)) {
		put_str(
		    "enlightened32: no Hyper-V present (a hypervisor bit, leaf 0x40000000 says '");
		put_str(signature);
		put_str("', max ");
		put_hex(r.eax);
		put_line(")");
		return false;
	}
	put_line("enlightened32: Hypervisor detected: Microsoft Hyper-V");
	return true;
}

/* The high 64 bits of a 64x64 product from four 32x32->64 multiplies (no __int128 in 32-bit). */
static uint64_t mul_high64(uint64_t a, uint64_t b)
{
	uint64_t a0 = (uint32_t)a, a1 = a >> 32, b0 = (uint32_t)b, b1 = b >> 32;
	uint64_t p00 = a0 * b0, p01 = a0 * b1, p10 = a1 * b0, p11 = a1 * b1;
	/* The middle column: at most 3 * (2^32 - 1), so its carry fits in the upper half. */
	uint64_t mid = (p00 >> 32) + (uint32_t)p01 + (uint32_t)p10;

	return p11 + (p01 >> 32) + (p10 >> 32) + (mid >> 32);
}

/* Linux's read_hv_clock_tsc(): the page's formula, retried while the sequence changes. */
static bool read_tsc_page(const struct reference_tsc_page *page, uint64_t *time)
{
	uint32_t seq;

	do {
		seq = page->sequence;
		if (seq == 0)
			return false; /* invalid: a reader falls back to TIME_REF_COUNT */
		__asm__ volatile("" ::: "memory");
		*time = mul_high64(rdtsc(), page->scale) + (uint64_t)page->offset;
		__asm__ volatile("" ::: "memory");
	} while (page->sequence != seq);
	return true;
}

/*
 * The reference TSC page, computed in 32-bit code, against TIME_REF_COUNT: an MSR read between
 * two page reads lies between them, within the tolerance, and nothing ever goes backwards.
 */
static void check_clocks(uint32_t features)
{
	const struct reference_tsc_page *page = (const void *)tsc_page;
	uint64_t before = 0, msr = 0, after = 0, last = 0, first = 0, widest = 0;
	bool ordered = true, valid = true;

	if (!(features & HV_FEATURE_TIME_REF_COUNT_MSR) || !(features & HV_FEATURE_REFERENCE_TSC)) {
		put_line("enlightened32: reference time not offered (the monitor gave no TSC "
		         "frequency)");
		return;
	}
	wrmsr(HV_X64_MSR_REFERENCE_TSC, gpa(tsc_page) | 1);
	result(rdmsr(HV_X64_MSR_REFERENCE_TSC) == (gpa(tsc_page) | 1), "REFERENCE_TSC enabled");
	result(page->sequence != 0 && page->scale != 0, "reference TSC page filled in");
	if (features & HV_FEATURE_FREQUENCY_MSRS) {
		/* scale = 10^7 * 2^64 / Hz, rounded down: Hz * scale >> 64 is 10^7 or just below. */
		uint64_t units = mul_high64(rdmsr(HV_X64_MSR_TSC_FREQUENCY), page->scale);

		result(units <= 10000000U && units >= 10000000U - 1,
		       "reference TSC scale matches TSC_FREQUENCY (32-bit 64x64 multiply)");
	}
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
		if (after - before > widest)
			widest = after - before;
		last = after;
	}
	result(valid, "reference TSC page stays valid");
	if (!ordered || widest > CLOCK_TOLERANCE) {
		put_str("enlightened32: last page/MSR/page reads ");
		put_dec64(before);
		put_str(" ");
		put_dec64(msr);
		put_str(" ");
		put_dec64(after);
		put_str(", widest bracket ");
		put_dec64(widest);
		put_line("");
	}
	result(ordered && widest <= CLOCK_TOLERANCE,
	       "reference TSC page and TIME_REF_COUNT agree, never backwards");
	put_str("enlightened32: reference time ");
	put_dec64(last);
	put_str(", ");
	put_dec64(last - first);
	put_str(" units over the checks, widest page/MSR/page bracket ");
	put_dec64(widest);
	put_line("");
	if (features & HV_FEATURE_VP_RUNTIME_MSR)
		result(rdmsr(HV_X64_MSR_VP_RUNTIME) <= rdmsr(HV_X64_MSR_TIME_REF_COUNT),
		       "VP_RUNTIME within the partition's lifetime");
}

/*
 * The SynIC as Linux's hv_synic_enable_regs() sets it up (each 64-bit MSR value written as
 * EDX:EAX), a message to the monitor's echo port and back by polling SINT 2's slot, then EOM,
 * and an event. RFLAGS.IF stays clear: the SINT's vector waits in the local APIC until
 * check_synic_interrupts() sets IF.
 */
static void check_synic(uint32_t features)
{
	struct message_slot *slot = (struct message_slot *)message_page + ECHO_SINT;
	const volatile uint32_t *flags = (const volatile uint32_t *)(event_page + ECHO_SINT * 256);
	static const char text[] = "ping from the 32-bit enlightened guest";
	uint32_t *in = (uint32_t *)input_page;
	uint64_t value;
	bool same = true;
	long spin;

	result(features & HV_FEATURE_SYNIC_MSRS, "SynIC advertised");
	result(rdmsr(HV_X64_MSR_SVERSION) == 1, "SVERSION is 1");
	result(rdmsr(HV_X64_MSR_SINT0 + ECHO_SINT) == HV_SINT_MASKED, "SINTs start masked");
	wrmsr(HV_X64_MSR_SIMP, gpa(message_page) | 1);
	wrmsr(HV_X64_MSR_SIEFP, gpa(event_page) | 1);
	wrmsr(HV_X64_MSR_SINT0 + ECHO_SINT, ECHO_VECTOR);
	wrmsr(HV_X64_MSR_SCONTROL, 1);
	result(rdmsr(HV_X64_MSR_SCONTROL) == 1 &&
	           rdmsr(HV_X64_MSR_SIMP) == (gpa(message_page) | 1) &&
	           rdmsr(HV_X64_MSR_SIEFP) == (gpa(event_page) | 1) &&
	           rdmsr(HV_X64_MSR_SINT0 + ECHO_SINT) == ECHO_VECTOR,
	       "SynIC enabled (SIMP, SIEFP, SINT2, SCONTROL)");

	/* HV_INPUT_POST_MESSAGE: connection ID, reserved, message type, payload size, payload. */
	memset(input_page, 0, 256);
	in[0] = ECHO_MESSAGE_CONNECTION;
	in[2] = ECHO_MESSAGE_TYPE;
	in[3] = sizeof(text);
	memcpy(input_page + 16, text, sizeof(text));
	expect_status(hypercall(HVCALL_POST_MESSAGE, gpa(input_page), 0), HV_STATUS_SUCCESS,
	              "PostMessage to the echo port (slow)");
	for (spin = 0; slot->type == 0 && spin < 100000000L; spin++)
		cpu_relax();
	for (unsigned i = 0; i < sizeof(text); i++)
		same = same && slot->payload[i] == (uint8_t)text[i];
	result(slot->type == ECHO_MESSAGE_TYPE && slot->payload_size == sizeof(text) && same,
	       "SynIC message echoed back");
	put_line("enlightened32: SynIC echo received (polled the message slot)");
	/* Free the slot, then EOM: Linux writes it only for a pending message; always is allowed. */
	slot->type = 0;
	__asm__ volatile("lock; addl $0, (%%esp)" ::: "memory");
	wrmsr(HV_X64_MSR_EOM, 0);
	result(slot->type == 0 && rdmsr(HV_X64_MSR_EOM) == 0, "EOM written, slot free");

	/* Fast SignalEvent: the connection ID in ECX, the flag number in EBX (the high half). */
	expect_status(hypercall(HVCALL_SIGNAL_EVENT | HV_HYPERCALL_FAST, ECHO_EVENT_CONNECTION, 0),
	              HV_STATUS_SUCCESS, "SignalEvent to the echo port (fast)");
	result(flags[ECHO_EVENT_FLAG / 32] & (1U << (ECHO_EVENT_FLAG % 32)),
	       "event flag set by the monitor");
	value = hypercall(HVCALL_SIGNAL_EVENT | HV_HYPERCALL_FAST,
	                  ECHO_EVENT_CONNECTION | (1ULL << 32), 0);
	expect_status(value, HV_STATUS_INVALID_PORT_ID, "SignalEvent with flag number 1 in EBX");
}

/* The overlay's bytes: ENDBR64, VMCALL or VMMCALL, RET, and INT3 for the rest of the page. */
static bool hypercall_page_bytes_ok(bool amd)
{
	static const uint8_t head[8] = {0xf3, 0x0f, 0x1e, 0xfa, 0x0f, 0x01, 0xc1, 0xc3};

	for (unsigned i = 0; i < sizeof(head); i++)
		if (hypercall_page[i] != (i == 6 && amd ? 0xd9 : head[i]))
			return false;
	for (unsigned i = sizeof(head); i < sizeof(hypercall_page); i++)
		if (hypercall_page[i] != 0xcc)
			return false;
	return true;
}

static volatile bool ud_taken;

static void on_ud(struct int_frame *f)
{
	ud_taken = true;
	f->eip += 4; /* past the probe's four bytes */
}

/*
 * The page begins with ENDBR64, which the TLFS recommends for 64-bit callers. Outside 64-bit
 * mode F3 0F 1E FA is a hint NOP (0F 1E /r is in the reserved-NOP space since the P6): a 32-bit
 * caller may CALL the page. Executed here on its own first, with #UD caught, so that a processor
 * or emulator that faults says so instead of ending the guest.
 */
static void check_endbr64_is_a_nop(void)
{
	ud_taken = false;
	idt_set_handler(X86_VECTOR_UD, on_ud);
	__asm__ volatile(".byte 0xf3, 0x0f, 0x1e, 0xfa" ::: "memory");
	idt_set_handler(X86_VECTOR_UD, (int_handler_fn)0);
	result(!ud_taken, "ENDBR64 executes as a NOP in 32-bit code");
}

int main(uint32_t magic, const void *info)
{
	uint32_t vendor_ebx = cpuid(0, 0).ebx;
	bool amd = vendor_ebx == CPUID_VENDOR_EBX_AMD || vendor_ebx == CPUID_VENDOR_EBX_HYGON;
	uint32_t *in = (uint32_t *)input_page;
	struct cpuid_regs features;
	uint64_t value;

	(void)magic;
	(void)info;
	/* Any exception without a handler prints its vector and EIP and ends the guest (lib/idt.c). */
	idt_init();
	put_line("enlightened32: 32-bit protected mode, paging off");
	/* First, with or without a hypervisor: it is the processor's (or emulator's) own decoder. */
	check_endbr64_is_a_nop();
	if (!detect_hyper_v()) {
		put_line("enlightened32: nothing more to check without Hyper-V");
		return nfailed ? EXIT_FAIL : EXIT_NO_HYPER_V;
	}
	result(cpuid(HV_CPUID_INTERFACE, 0).eax == HV_INTERFACE_HV1, "interface Hv#1");
	features = cpuid(HV_CPUID_FEATURES, 0);
	result((features.eax & HV_FEATURE_HYPERCALL_MSRS) &&
	           (features.eax & HV_FEATURE_VP_INDEX_MSR),
	       "hypercall and VP index MSRs advertised");
	result(!(features.ebx & (HV_PRIV_CREATE_PARTITIONS | HV_PRIV_CPU_MANAGEMENT)),
	       "no root privileges for a child");

	wrmsr(HV_X64_MSR_GUEST_OS_ID, GUEST_OS_ID);
	result(rdmsr(HV_X64_MSR_GUEST_OS_ID) == GUEST_OS_ID, "GUEST_OS_ID reads back (EDX:EAX)");
	wrmsr(HV_X64_MSR_HYPERCALL, gpa(hypercall_page) | 1);
	result(rdmsr(HV_X64_MSR_HYPERCALL) == (gpa(hypercall_page) | 1), "HYPERCALL enabled");
	result(hypercall_page_bytes_ok(amd), amd ? "hypercall page: ENDBR64, VMMCALL, RET, INT3s"
	                                         : "hypercall page: ENDBR64, VMCALL, RET, INT3s");
	result(rdmsr(HV_X64_MSR_VP_INDEX) == 0, "VP_INDEX is 0");

	/* Calls that work, each through the page. */
	expect_status(hypercall(HVCALL_NOTIFY_LONG_SPIN_WAIT | HV_HYPERCALL_FAST, 1, 0),
	              HV_STATUS_SUCCESS, "NotifyLongSpinWait (fast)");
	/* HV_INPUT_FLUSH_VIRTUAL_ADDRESS_SPACE: address space, flags, processor mask (qwords). */
	memset(input_page, 0, 64);
	in[2] = HV_FLUSH_ALL_PROCESSORS;
	expect_status(
	    hypercall(HVCALL_FLUSH_VIRTUAL_ADDRESS_SPACE, gpa(input_page), gpa(output_page)),
	    HV_STATUS_SUCCESS, "FlushVirtualAddressSpace (slow, input and output GPAs)");
	/* Two list entries (GVA page numbers) after the header: the rep count goes in EDX. */
	in[6] = 0x200;
	in[8] = 0x300;
	value =
	    hypercall(HVCALL_FLUSH_VIRTUAL_ADDRESS_LIST | (2ULL << HV_HYPERCALL_REP_COUNT_SHIFT),
	              gpa(input_page), gpa(output_page));
	expect_status(value, HV_STATUS_SUCCESS, "FlushVirtualAddressList (2 reps)");
	result(((value >> 32) & 0xfff) == 2, "2 reps completed (EDX bits 11:0)");

	/* Calls that must fail, each with its own status. */
	expect_status(hypercall(0xfffe, 0, 0), HV_STATUS_INVALID_HYPERCALL_CODE, "unknown code");
	expect_status(
	    hypercall(HVCALL_NOTIFY_LONG_SPIN_WAIT | HV_HYPERCALL_FAST | (1ULL << 30), 1, 0),
	    HV_STATUS_INVALID_HYPERCALL_INPUT, "reserved bit 30 in EAX");
	expect_status(
	    hypercall(HVCALL_NOTIFY_LONG_SPIN_WAIT | HV_HYPERCALL_FAST | (1ULL << 60), 1, 0),
	    HV_STATUS_INVALID_HYPERCALL_INPUT, "reserved bit 60 (EDX bit 28)");
	expect_status(hypercall(HVCALL_FLUSH_VIRTUAL_ADDRESS_SPACE, gpa(input_page) + 4, 0),
	              HV_STATUS_INVALID_ALIGNMENT, "misaligned input");
	/* EBX is the input GPA's high half: 4 GiB up, the same page is not RAM. */
	expect_status(
	    hypercall(HVCALL_FLUSH_VIRTUAL_ADDRESS_SPACE, gpa(input_page) | (1ULL << 32), 0),
	    HV_STATUS_INVALID_PARAMETER, "input GPA above 4 GiB (EBX) is no RAM");
	expect_status(hypercall(HVCALL_CREATE_PARTITION, gpa(input_page), gpa(output_page)),
	              HV_STATUS_ACCESS_DENIED, "root-only CreatePartition");

	check_clocks(features.eax);
	check_synic(features.eax);
	if (features.eax & HV_FEATURE_SYNIC_MSRS)
		check_synic_interrupts(features.eax, features.edx);

	if (idt_unexpected_count()) {
		put_str("enlightened32: unexpected interrupt, vector ");
		put_hex(idt_unexpected_last());
		put_line("");
		nfailed++;
	}
	put_line(nfailed ? "enlightened32: FAIL" : "enlightened32: PASS");
	return nfailed ? EXIT_FAIL : EXIT_PASS;
}
