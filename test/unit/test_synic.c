/* Host tests of the SynIC: its MSRs, message slots and EOM, event flags, ports and their hypercalls. */
#include <criterion/criterion.h>
#include <string.h>

#include <hv/abi/hv_enlightenment.h>
#include <hv/abi/hv_hypercall.h>

#include "fakes/fake_partition.h"
#include "fakes/fake_synthetic.h"
#include "libhv/core/hv_internal.h"

/* 8 pages of RAM at GPA 0, one read-only page at 0x8000. */
#define SIMP_GPA     0x3000ULL
#define SIEFP_GPA    0x4000ULL
#define IN_GPA       0x1000ULL
#define RO_GPA       0x8000ULL
#define UNMAPPED_GPA 0x20000ULL

struct assertion {
	uint32_t vp_index;
	uint8_t vector;
	bool auto_eoi;
};
static struct assertion asserted[16];
static unsigned asserted_count;

static void record_assert(void *opaque, uint32_t vp_index, uint8_t vector, bool auto_eoi)
{
	cr_expect_eq(opaque, &asserted_count, "the opaque pointer comes back");
	if (asserted_count < 16)
		asserted[asserted_count] = (struct assertion){vp_index, vector, auto_eoi};
	asserted_count++;
}

static const struct hv_interrupt_target target = {record_assert, &asserted_count};

static void setup(void)
{
	fake_partition_setup(8, 1);
	asserted_count = 0;
	cr_assert_eq(hv_partition_set_interrupt_target(fake_part.p, &target), HV_STATUS_SUCCESS);
}

static void teardown(void)
{
	fake_partition_teardown();
}

TestSuite(synic, .init = setup, .fini = teardown);

static uint64_t rdmsr_ok(uint32_t index)
{
	uint64_t v = 0;

	cr_assert(fake_synthetic_msr(index, false, &v), "RDMSR %#x faulted", index);
	return v;
}

static void wrmsr_ok(uint32_t index, uint64_t value)
{
	cr_assert(fake_synthetic_msr(index, true, &value), "WRMSR %#x = %#llx faulted", index,
	          (unsigned long long)value);
}

static bool wr_gp(uint32_t index, uint64_t value)
{
	return !fake_synthetic_msr(index, true, &value);
}

static struct hv_message *slot(uint32_t sint)
{
	return (struct hv_message *)(fake_part.ram + SIMP_GPA) + sint;
}

static uint64_t *flags_of(uint32_t sint)
{
	return ((struct hv_event_flags_page *)(fake_part.ram + SIEFP_GPA))->flags[sint];
}

/* What Linux's hv_synic_enable_regs() does: pages, one SINT with a vector, then SCONTROL. */
static void enable_synic(uint32_t sint, uint64_t sint_value)
{
	wrmsr_ok(HV_X64_MSR_SIMP, SIMP_GPA | HV_SYNIC_PAGE_ENABLE);
	wrmsr_ok(HV_X64_MSR_SIEFP, SIEFP_GPA | HV_SYNIC_PAGE_ENABLE);
	wrmsr_ok(HV_X64_MSR_SINT0 + sint, sint_value);
	wrmsr_ok(HV_X64_MSR_SCONTROL, HV_SYNIC_CONTROL_ENABLE);
}

/* ---- MSRs ---- */

Test(synic, reset_state)
{
	cr_expect_eq(rdmsr_ok(HV_X64_MSR_SVERSION), 1);
	cr_expect_eq(rdmsr_ok(HV_X64_MSR_SCONTROL), 0);
	cr_expect_eq(rdmsr_ok(HV_X64_MSR_SIMP), 0);
	cr_expect_eq(rdmsr_ok(HV_X64_MSR_SIEFP), 0);
	cr_expect_eq(rdmsr_ok(HV_X64_MSR_EOM), 0, "write-only: reads 0");
	for (uint32_t i = 0; i < 16; i++)
		cr_expect_eq(rdmsr_ok(HV_X64_MSR_SINT0 + i), HV_SINT_MASKED, "SINT%u starts masked",
		             i);
}

Test(synic, sversion_is_read_only_and_scontrol_has_one_bit)
{
	cr_expect(wr_gp(HV_X64_MSR_SVERSION, 1), "#GP: %s", "SVERSION");
	cr_expect(wr_gp(HV_X64_MSR_SCONTROL, 2), "#GP: %s", "SCONTROL bit 1");
	cr_expect(wr_gp(HV_X64_MSR_SCONTROL, 1ULL << 63), "#GP: %s", "SCONTROL bit 63");
	wrmsr_ok(HV_X64_MSR_SCONTROL, HV_SYNIC_CONTROL_ENABLE);
	cr_expect_eq(rdmsr_ok(HV_X64_MSR_SCONTROL), HV_SYNIC_CONTROL_ENABLE);
}

Test(synic, sint_bits)
{
	wrmsr_ok(HV_X64_MSR_SINT0 + 3, 0x40 | HV_SINT_AUTO_EOI);
	cr_expect_eq(rdmsr_ok(HV_X64_MSR_SINT0 + 3), 0x40 | HV_SINT_AUTO_EOI);
	wrmsr_ok(HV_X64_MSR_SINT15, 0xff | HV_SINT_POLLING);
	cr_expect_eq(rdmsr_ok(HV_X64_MSR_SINT15), 0xff | HV_SINT_POLLING);
	wrmsr_ok(HV_X64_MSR_SINT0, HV_SINT_MASKED | 3);
	cr_expect_eq(rdmsr_ok(HV_X64_MSR_SINT0), HV_SINT_MASKED | 3, "masked: any vector");
	cr_expect(wr_gp(HV_X64_MSR_SINT0 + 1, 15), "#GP: %s", "unmasked vector below 16");
	cr_expect(wr_gp(HV_X64_MSR_SINT0 + 1, 0x40 | (1ULL << 8)), "#GP: %s", "reserved bit 8");
	cr_expect(wr_gp(HV_X64_MSR_SINT0 + 1, 0x40 | (1ULL << 19)), "#GP: %s", "reserved bit 19");
	cr_expect(wr_gp(HV_X64_MSR_SINT0 + 1, 0x40 | (1ULL << 63)), "#GP: %s", "reserved bit 63");
	cr_expect_eq(rdmsr_ok(HV_X64_MSR_SINT0 + 1), HV_SINT_MASKED,
	             "refused writes change nothing");
}

Test(synic, pages_must_be_writable_ram_and_are_cleared)
{
	memset(fake_part.ram + SIMP_GPA, 0x77, HV_PAGE_SIZE);
	wrmsr_ok(HV_X64_MSR_SIMP, SIMP_GPA | HV_SYNIC_PAGE_ENABLE);
	cr_expect_eq(rdmsr_ok(HV_X64_MSR_SIMP), SIMP_GPA | HV_SYNIC_PAGE_ENABLE);
	for (size_t i = 0; i < HV_PAGE_SIZE; i++)
		if (fake_part.ram[SIMP_GPA + i]) {
			cr_expect_fail("byte %zu of the message page not cleared", i);
			break;
		}
	for (uint32_t msr = HV_X64_MSR_SIEFP; msr <= HV_X64_MSR_SIMP; msr++) {
		cr_expect(wr_gp(msr, SIEFP_GPA | HV_SYNIC_PAGE_ENABLE | 2), "#GP: %s",
		          "reserved bit 1");
		cr_expect(wr_gp(msr, SIEFP_GPA | 0x800), "#GP: %s", "reserved bit 11");
		cr_expect(wr_gp(msr, UNMAPPED_GPA | HV_SYNIC_PAGE_ENABLE), "#GP: %s", "no RAM");
		cr_expect(wr_gp(msr, RO_GPA | HV_SYNIC_PAGE_ENABLE), "#GP: %s", "read-only RAM");
		cr_expect(wr_gp(msr, (1ULL << 52) | HV_SYNIC_PAGE_ENABLE), "#GP: %s",
		          "beyond the GPA space");
	}
	cr_expect_eq(rdmsr_ok(HV_X64_MSR_SIEFP), 0);
	cr_expect_eq(rdmsr_ok(HV_X64_MSR_SIMP), SIMP_GPA | HV_SYNIC_PAGE_ENABLE, "kept");
}

/* ---- Messages from the monitor ---- */

Test(synic, a_message_lands_in_the_slot_and_raises_the_sint)
{
	const char text[] = "hello, child";

	enable_synic(2, 0x50 | HV_SINT_AUTO_EOI);
	cr_expect_eq(hv_vp_post_message(fake_part.vp, 2, 0x1234, text, sizeof(text)),
	             HV_STATUS_SUCCESS);
	cr_expect_eq(slot(2)->message_type, 0x1234);
	cr_expect_eq(slot(2)->payload_size, sizeof(text));
	cr_expect_eq(slot(2)->message_flags, 0);
	cr_expect_str_eq((const char *)slot(2)->payload, text);
	cr_assert_eq(asserted_count, 1);
	cr_expect_eq(asserted[0].vector, 0x50);
	cr_expect(asserted[0].auto_eoi, "the SINT's AutoEOI goes to the controller");
	cr_expect_eq(asserted[0].vp_index, 0);
	cr_expect(fake_part.vp->interrupt_asserted, "the run loop is told");
}

Test(synic, post_message_statuses)
{
	uint8_t big[241] = {0};

	cr_expect_eq(hv_vp_post_message(NULL, 0, 1, big, 1), HV_STATUS_INVALID_PARAMETER);
	cr_expect_eq(hv_vp_post_message(fake_part.vp, 16, 1, big, 1), HV_STATUS_INVALID_PARAMETER);
	cr_expect_eq(hv_vp_post_message(fake_part.vp, 1, 0, big, 1), HV_STATUS_INVALID_PARAMETER,
	             "type 0 marks a free slot");
	cr_expect_eq(hv_vp_post_message(fake_part.vp, 1, HVMSG_TIMER_EXPIRED, big, 1),
	             HV_STATUS_INVALID_PARAMETER, "the hypervisor's types");
	cr_expect_eq(hv_vp_post_message(fake_part.vp, 1, 1, big, 241), HV_STATUS_INVALID_PARAMETER);
	cr_expect_eq(hv_vp_post_message(fake_part.vp, 1, 1, NULL, 4), HV_STATUS_INVALID_PARAMETER);

	cr_expect_eq(hv_vp_post_message(fake_part.vp, 1, 1, big, 240),
	             HV_STATUS_INVALID_SYNIC_STATE, "SynIC off");
	wrmsr_ok(HV_X64_MSR_SCONTROL, HV_SYNIC_CONTROL_ENABLE);
	cr_expect_eq(hv_vp_post_message(fake_part.vp, 1, 1, big, 240),
	             HV_STATUS_INVALID_SYNIC_STATE, "no message page");
	wrmsr_ok(HV_X64_MSR_SIMP, SIMP_GPA | HV_SYNIC_PAGE_ENABLE);
	cr_expect_eq(hv_vp_post_message(fake_part.vp, 1, 1, big, 240),
	             HV_STATUS_INVALID_SYNIC_STATE, "SINT masked");
	wrmsr_ok(HV_X64_MSR_SINT0 + 1, 0x30);
	cr_expect_eq(hv_vp_post_message(fake_part.vp, 1, 1, NULL, 0), HV_STATUS_SUCCESS,
	             "an empty payload");
	cr_expect_eq(asserted_count, 1);
}

Test(synic, busy_slot_queues_one_then_refuses_and_eom_delivers)
{
	uint32_t a = 0xaaaa, b = 0xbbbb, c = 0xcccc;

	enable_synic(5, 0x60);
	cr_assert_eq(hv_vp_post_message(fake_part.vp, 5, 1, &a, 4), HV_STATUS_SUCCESS);
	cr_assert_eq(hv_vp_post_message(fake_part.vp, 5, 2, &b, 4), HV_STATUS_SUCCESS, "queued");
	cr_expect_eq(slot(5)->message_type, 1, "the first stays");
	cr_expect_eq(slot(5)->message_flags & HV_MESSAGE_FLAG_PENDING, HV_MESSAGE_FLAG_PENDING,
	             "the guest is told another waits");
	cr_expect_eq(hv_vp_post_message(fake_part.vp, 5, 3, &c, 4), HV_STATUS_INSUFFICIENT_BUFFERS,
	             "one message per SINT waits");
	cr_expect_eq(asserted_count, 1);

	/* EOM before the slot is free delivers nothing. */
	wrmsr_ok(HV_X64_MSR_EOM, 0);
	cr_expect_eq(slot(5)->message_type, 1);

	/* The guest consumes: type to 0, then EOM because the pending flag was set. */
	slot(5)->message_type = HVMSG_NONE;
	wrmsr_ok(HV_X64_MSR_EOM, 0);
	cr_expect_eq(slot(5)->message_type, 2);
	cr_expect_eq(memcmp(slot(5)->payload, &b, 4), 0);
	cr_expect_eq(slot(5)->message_flags, 0);
	cr_expect_eq(asserted_count, 2, "the SINT is raised again");
	cr_expect_eq(hv_vp_post_message(fake_part.vp, 5, 3, &c, 4), HV_STATUS_SUCCESS,
	             "the queue has room again");
}

Test(synic, a_freed_slot_is_refilled_at_the_next_poll_too)
{
	uint32_t a = 1;

	enable_synic(0, 0x40);
	hv_vp_post_message(fake_part.vp, 0, 1, &a, 4);
	hv_vp_post_message(fake_part.vp, 0, 2, &a, 4);
	slot(0)->message_type = HVMSG_NONE; /* a guest that forgets EOM */
	hv_synthetic_poll(fake_part.vp, 0);
	cr_expect_eq(slot(0)->message_type, 2);
}

Test(synic, a_polled_sint_gets_messages_without_interrupts)
{
	uint32_t a = 1;

	enable_synic(4, 0x40 | HV_SINT_POLLING);
	cr_expect_eq(hv_vp_post_message(fake_part.vp, 4, 9, &a, 4), HV_STATUS_SUCCESS);
	cr_expect_eq(slot(4)->message_type, 9);
	cr_expect_eq(asserted_count, 0);
	cr_expect_not(fake_part.vp->interrupt_asserted);
}

Test(synic, without_a_target_the_interrupt_is_dropped_and_logged_once)
{
	uint32_t a = 1;

	cr_expect_eq(hv_partition_set_interrupt_target(NULL, &target), HV_STATUS_INVALID_PARAMETER);
	cr_expect_eq(hv_partition_set_interrupt_target(fake_part.p,
	                                               &(struct hv_interrupt_target){NULL, NULL}),
	             HV_STATUS_INVALID_PARAMETER);
	cr_expect_eq(hv_partition_set_interrupt_target(fake_part.p, NULL), HV_STATUS_SUCCESS);
	enable_synic(1, 0x40);
	cr_expect_eq(hv_vp_post_message(fake_part.vp, 1, 9, &a, 4), HV_STATUS_SUCCESS);
	cr_expect_eq(slot(1)->message_type, 9, "the message is there to poll");
	cr_expect_eq(asserted_count, 0);
	cr_expect_not(fake_part.vp->interrupt_asserted);
	cr_expect(strstr(fake_host_last_log(), "no interrupt target"));
}

Test(synic, a_message_page_taken_away_is_not_written)
{
	uint32_t a = 1;

	enable_synic(1, 0x40);
	cr_assert_eq(hv_gpa_unmap(fake_part.p, SIMP_GPA, HV_PAGE_SIZE), HV_STATUS_SUCCESS);
	cr_expect_eq(hv_vp_post_message(fake_part.vp, 1, 9, &a, 4), HV_STATUS_INVALID_SYNIC_STATE);
	cr_expect_eq(asserted_count, 0);
}

/* ---- Event flags from the monitor ---- */

Test(synic, an_event_sets_a_flag_and_interrupts_only_when_it_was_clear)
{
	bool fresh;

	enable_synic(3, 0x70);
	cr_expect_eq(hv_vp_signal_event(fake_part.vp, 3, 130, &fresh), HV_STATUS_SUCCESS);
	cr_expect(fresh);
	cr_expect_eq(flags_of(3)[2], 1ULL << 2, "bit 130 = word 2, bit 2");
	cr_expect_eq(asserted_count, 1);
	cr_expect_eq(asserted[0].vector, 0x70);
	cr_expect_not(asserted[0].auto_eoi);
	cr_expect_eq(hv_vp_signal_event(fake_part.vp, 3, 130, &fresh), HV_STATUS_SUCCESS);
	cr_expect_not(fresh);
	cr_expect_eq(asserted_count, 1, "already set: no second interrupt");
	cr_expect_eq(hv_vp_signal_event(fake_part.vp, 3, 2047, NULL), HV_STATUS_SUCCESS);
	cr_expect_eq(flags_of(3)[31], 1ULL << 63);
	cr_expect_eq(flags_of(2)[31], 0, "other SINTs untouched");
}

Test(synic, signal_event_statuses)
{
	cr_expect_eq(hv_vp_signal_event(NULL, 0, 0, NULL), HV_STATUS_INVALID_PARAMETER);
	cr_expect_eq(hv_vp_signal_event(fake_part.vp, 16, 0, NULL), HV_STATUS_INVALID_PARAMETER);
	cr_expect_eq(hv_vp_signal_event(fake_part.vp, 0, 2048, NULL), HV_STATUS_INVALID_PARAMETER);
	cr_expect_eq(hv_vp_signal_event(fake_part.vp, 0, 0, NULL), HV_STATUS_INVALID_SYNIC_STATE,
	             "SynIC off");
	wrmsr_ok(HV_X64_MSR_SCONTROL, HV_SYNIC_CONTROL_ENABLE);
	cr_expect_eq(hv_vp_signal_event(fake_part.vp, 0, 0, NULL), HV_STATUS_INVALID_SYNIC_STATE,
	             "no event-flags page");
	wrmsr_ok(HV_X64_MSR_SIEFP, SIEFP_GPA | HV_SYNIC_PAGE_ENABLE);
	cr_expect_eq(hv_vp_signal_event(fake_part.vp, 0, 0, NULL), HV_STATUS_INVALID_SYNIC_STATE,
	             "SINT masked (TLFS Event Flag Delivery)");
	wrmsr_ok(HV_X64_MSR_SINT0, 0x20);
	cr_expect_eq(hv_vp_signal_event(fake_part.vp, 0, 0, NULL), HV_STATUS_SUCCESS);
}

/* ---- Ports: what the child reaches with PostMessage and SignalEvent ---- */

struct received {
	unsigned messages, events;
	uint32_t connection, type, size;
	uint8_t payload[240];
	uint16_t flag;
	hv_status_t answer;
	bool echo;
};
static struct received rx;

static hv_status_t on_message(void *opaque, uint32_t connection, uint32_t type, const void *payload,
                              uint32_t size)
{
	struct received *r = opaque;

	r->messages++;
	r->connection = connection;
	r->type = type;
	r->size = size;
	memcpy(r->payload, payload, size);
	if (r->echo)
		return hv_vp_post_message(fake_part.vp, 2, type, payload, size);
	return r->answer;
}

static void on_event(void *opaque, uint32_t connection, uint16_t flag)
{
	struct received *r = opaque;

	r->events++;
	r->connection = connection;
	r->flag = flag;
}

static uint16_t status_of(struct fake_insn_result r)
{
	return (uint16_t)(r.rax & HV_HYPERCALL_RESULT_STATUS_MASK);
}

/* Through the decoder directly: an echo asserts a SINT, which would end a scripted run. */
static uint16_t hcall_status(uint64_t control, uint64_t input, uint64_t output)
{
	return (uint16_t)(fake_synthetic_hypercall(control, input, output) &
	                  HV_HYPERCALL_RESULT_STATUS_MASK);
}

static void put_message(uint32_t connection, uint32_t type, uint32_t size, const char *text)
{
	struct hv_input_post_message m = {
	    .connection_id = connection, .message_type = type, .payload_size = size};

	if (text)
		memcpy(m.payload, text, strlen(text) + 1);
	memcpy(fake_part.ram + IN_GPA, &m, sizeof(m));
}

static uint64_t signal_input(uint32_t connection, uint16_t flag)
{
	struct hv_input_signal_event in = {connection, flag, 0};
	uint64_t v;

	memcpy(&v, &in, sizeof(v));
	return v;
}

static void create_ports(void)
{
	memset(&rx, 0, sizeof(rx));
	cr_assert_eq(
	    hv_port_create(fake_part.p, &(struct hv_port_config){.connection_id = 0x10,
	                                                         .type = HV_PORT_TYPE_MESSAGE,
	                                                         .on_message = on_message,
	                                                         .opaque = &rx}),
	    HV_STATUS_SUCCESS);
	cr_assert_eq(
	    hv_port_create(fake_part.p, &(struct hv_port_config){.connection_id = 0x11,
	                                                         .type = HV_PORT_TYPE_EVENT,
	                                                         .on_event = on_event,
	                                                         .opaque = &rx}),
	    HV_STATUS_SUCCESS);
}

Test(synic, port_create_statuses)
{
	struct hv_port_config ok = {
	    .connection_id = 5, .type = HV_PORT_TYPE_EVENT, .on_event = on_event};
	struct hv_port_config c;

	cr_expect_eq(hv_port_create(NULL, &ok), HV_STATUS_INVALID_PARAMETER);
	cr_expect_eq(hv_port_create(fake_part.p, NULL), HV_STATUS_INVALID_PARAMETER);
	c = ok;
	c.connection_id = 0;
	cr_expect_eq(hv_port_create(fake_part.p, &c), HV_STATUS_INVALID_PARAMETER, "ID 0");
	c.connection_id = 0x01000000;
	cr_expect_eq(hv_port_create(fake_part.p, &c), HV_STATUS_INVALID_PARAMETER, "25 bits");
	c = ok;
	c.type = 3;
	cr_expect_eq(hv_port_create(fake_part.p, &c), HV_STATUS_INVALID_PARAMETER, "monitor ports");
	c = ok;
	c.on_event = NULL;
	cr_expect_eq(hv_port_create(fake_part.p, &c), HV_STATUS_INVALID_PARAMETER, "no callback");
	c.type = HV_PORT_TYPE_MESSAGE;
	c.on_event = on_event;
	cr_expect_eq(hv_port_create(fake_part.p, &c), HV_STATUS_INVALID_PARAMETER,
	             "a message port needs on_message");
	cr_expect_eq(hv_port_create(fake_part.p, &ok), HV_STATUS_SUCCESS);
	cr_expect_eq(hv_port_create(fake_part.p, &ok), HV_STATUS_INVALID_CONNECTION_ID, "in use");
	for (uint32_t i = 1; i < HV_PORTS_MAX; i++) {
		c = ok;
		c.connection_id = 100 + i;
		cr_expect_eq(hv_port_create(fake_part.p, &c), HV_STATUS_SUCCESS);
	}
	c.connection_id = 99;
	cr_expect_eq(hv_port_create(fake_part.p, &c), HV_STATUS_INSUFFICIENT_MEMORY, "full");
	cr_expect_eq(hv_port_delete(fake_part.p, 99), HV_STATUS_INVALID_CONNECTION_ID);
	cr_expect_eq(hv_port_delete(NULL, 5), HV_STATUS_INVALID_PARAMETER);
	cr_expect_eq(hv_port_delete(fake_part.p, 5), HV_STATUS_SUCCESS);
	cr_expect_eq(hv_port_create(fake_part.p, &c), HV_STATUS_SUCCESS, "room again");
}

Test(synic, post_message_reaches_the_monitor)
{
	create_ports();
	put_message(0x10, 7, 6, "hello");
	/* A real VMMCALL exit, through the run loop. */
	cr_expect_eq(status_of(fake_vmmcall(HVCALL_POST_MESSAGE, IN_GPA, 0)), HV_STATUS_SUCCESS);
	cr_expect_eq(rx.messages, 1);
	cr_expect_eq(rx.connection, 0x10);
	cr_expect_eq(rx.type, 7);
	cr_expect_eq(rx.size, 6);
	cr_expect_str_eq((const char *)rx.payload, "hello");
}

Test(synic, post_message_hypercall_statuses)
{
	create_ports();
	put_message(0x10, 7, 241, NULL);
	cr_expect_eq(hcall_status(HVCALL_POST_MESSAGE, IN_GPA, 0),
	             HV_STATUS_INVALID_HYPERCALL_INPUT, "payload over 240 bytes (the reference)");
	put_message(0x01000010, 7, 4, NULL);
	cr_expect_eq(hcall_status(HVCALL_POST_MESSAGE, IN_GPA, 0),
	             HV_STATUS_INVALID_HYPERCALL_INPUT, "connection ID bits 31:24");
	put_message(0x10, 7, 4, NULL);
	fake_part.ram[IN_GPA + 4] = 1; /* the RsvdZ word */
	cr_expect_eq(hcall_status(HVCALL_POST_MESSAGE, IN_GPA, 0),
	             HV_STATUS_INVALID_HYPERCALL_INPUT, "reserved word");
	put_message(0x10, 0, 4, NULL);
	cr_expect_eq(hcall_status(HVCALL_POST_MESSAGE, IN_GPA, 0), HV_STATUS_INVALID_PARAMETER,
	             "type 0");
	put_message(0x10, 0x80000001U, 4, NULL);
	cr_expect_eq(hcall_status(HVCALL_POST_MESSAGE, IN_GPA, 0), HV_STATUS_INVALID_PARAMETER,
	             "a hypervisor message type");
	put_message(0x12, 7, 4, NULL);
	cr_expect_eq(hcall_status(HVCALL_POST_MESSAGE, IN_GPA, 0), HV_STATUS_INVALID_CONNECTION_ID);
	put_message(0x11, 7, 4, NULL);
	cr_expect_eq(hcall_status(HVCALL_POST_MESSAGE, IN_GPA, 0), HV_STATUS_INVALID_PORT_ID,
	             "an event port");
	rx.answer = HV_STATUS_INSUFFICIENT_BUFFERS;
	put_message(0x10, 7, 4, NULL);
	cr_expect_eq(hcall_status(HVCALL_POST_MESSAGE, IN_GPA, 0), HV_STATUS_INSUFFICIENT_BUFFERS,
	             "the monitor is busy");
	rx.answer = HV_STATUS_OPERATION_FAILED;
	cr_expect_eq(hcall_status(HVCALL_POST_MESSAGE, IN_GPA, 0), HV_STATUS_INSUFFICIENT_BUFFERS,
	             "any refusal reads as no buffers");
	cr_expect_eq(rx.messages, 2, "only the well-formed calls reached the monitor");
	cr_assert_eq(hv_port_delete(fake_part.p, 0x10), HV_STATUS_SUCCESS);
	cr_expect_eq(hcall_status(HVCALL_POST_MESSAGE, IN_GPA, 0), HV_STATUS_INVALID_CONNECTION_ID,
	             "deleted");
}

Test(synic, the_monitor_can_echo_from_its_callback)
{
	create_ports();
	rx.echo = true;
	enable_synic(2, 0x51);
	put_message(0x10, 7, 5, "ping");
	cr_expect_eq(hcall_status(HVCALL_POST_MESSAGE, IN_GPA, 0), HV_STATUS_SUCCESS);
	cr_expect_eq(slot(2)->message_type, 7);
	cr_expect_str_eq((const char *)slot(2)->payload, "ping");
	cr_expect_eq(asserted_count, 1);
	/* The slot is busy: the next echo waits, the one after that is refused. */
	cr_expect_eq(hcall_status(HVCALL_POST_MESSAGE, IN_GPA, 0), HV_STATUS_SUCCESS);
	cr_expect_eq(hcall_status(HVCALL_POST_MESSAGE, IN_GPA, 0), HV_STATUS_INSUFFICIENT_BUFFERS);
}

Test(synic, signal_event_hypercall_statuses)
{
	uint64_t fast = HVCALL_SIGNAL_EVENT | HV_HYPERCALL_FAST;

	create_ports();
	cr_expect_eq(hcall_status(fast, signal_input(0x11, 0), 0), HV_STATUS_SUCCESS);
	cr_expect_eq(rx.events, 1);
	cr_expect_eq(rx.connection, 0x11);
	cr_expect_eq(rx.flag, 0);
	cr_expect_eq(hcall_status(fast, signal_input(0x11, 1), 0), HV_STATUS_INVALID_PORT_ID,
	             "flag number (the reference)");
	cr_expect_eq(hcall_status(fast, signal_input(0x10, 0), 0), HV_STATUS_INVALID_PORT_ID,
	             "a message port");
	cr_expect_eq(hcall_status(fast, signal_input(0x12, 0), 0), HV_STATUS_INVALID_CONNECTION_ID);
	cr_expect_eq(hcall_status(fast, signal_input(0, 0), 0), HV_STATUS_INVALID_CONNECTION_ID,
	             "0 is never a connection");
	memcpy(fake_part.ram + IN_GPA, &(uint64_t){signal_input(0x11, 0)}, 8);
	cr_expect_eq(hcall_status(HVCALL_SIGNAL_EVENT, IN_GPA, 0), HV_STATUS_SUCCESS,
	             "the slow form");
	cr_expect_eq(rx.events, 2);
}
