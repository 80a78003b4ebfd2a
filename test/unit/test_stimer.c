/* Host tests of the synthetic timers against a fake TSC: one-shot, periodic, message and direct mode. */
#include <criterion/criterion.h>
#include <string.h>

#include <hv/abi/hv_enlightenment.h>

#include "fakes/fake_partition.h"
#include "fakes/fake_synthetic.h"
#include "fakes/fake_tsc.h"
#include "libhv/core/hv_internal.h"

#define SIMP_GPA 0x3000ULL
#define HZ       1000000000ULL /* 1 GHz: 100 ticks per 100 ns unit */
#define TICKS    100ULL
#define SINT     2U
#define VECTOR   0x52U

static unsigned asserted_count;
static uint8_t last_vector;
static bool last_auto_eoi;

static void record_assert(void *opaque, uint32_t vp_index, uint8_t vector, bool auto_eoi)
{
	(void)opaque;
	(void)vp_index;
	asserted_count++;
	last_vector = vector;
	last_auto_eoi = auto_eoi;
}

static void setup(void)
{
	static const struct hv_interrupt_target target = {record_assert, NULL};

	fake_tsc_set(1000);
	fake_partition_setup(8, 1);
	fake_tsc_install(HZ);
	asserted_count = 0;
	hv_partition_set_interrupt_target(fake_part.p, &target);
}

static void teardown(void)
{
	fake_partition_teardown();
}

TestSuite(stimer, .init = setup, .fini = teardown);

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

static bool rd_gp(uint32_t index)
{
	uint64_t v = 0;

	return !fake_synthetic_msr(index, false, &v);
}

static bool wr_gp(uint32_t index, uint64_t value)
{
	return !fake_synthetic_msr(index, true, &value);
}

static uint32_t config_msr(unsigned timer)
{
	return HV_X64_MSR_STIMER0_CONFIG + 2 * timer;
}

static uint32_t count_msr(unsigned timer)
{
	return HV_X64_MSR_STIMER0_CONFIG + 2 * timer + 1;
}

static struct hv_message *slot(void)
{
	return (struct hv_message *)(fake_part.ram + SIMP_GPA) + SINT;
}

static void enable_synic(void)
{
	wrmsr_ok(HV_X64_MSR_SIMP, SIMP_GPA | HV_SYNIC_PAGE_ENABLE);
	wrmsr_ok(HV_X64_MSR_SINT0 + SINT, VECTOR);
	wrmsr_ok(HV_X64_MSR_SCONTROL, HV_SYNIC_CONTROL_ENABLE);
}

static uint64_t ref_now(void)
{
	return hv_partition_reference_time(fake_part.p);
}

static uint64_t message_config(void)
{
	return HV_STIMER_ENABLE | ((uint64_t)SINT << HV_STIMER_SINT_SHIFT);
}

/* The deadline is the first TSC whose reference time has reached `due`. */
static void expect_deadline_for(uint64_t due)
{
	uint64_t d = hv_synthetic_deadline(fake_part.vp);

	cr_assert_neq(d, 0, "a deadline for %llu", (unsigned long long)due);
	cr_expect_geq(reftime_at(fake_part.p, d), due);
	cr_expect_lt(reftime_at(fake_part.p, d - 1), due, "TSC %llu is not the first",
	             (unsigned long long)d);
}

/* Run the run loop's side: set the TSC to `tsc` and poll. */
static void poll_at(uint64_t tsc)
{
	fake_tsc_set(tsc);
	hv_synthetic_poll(fake_part.vp, tsc);
}

Test(stimer, no_clocks_no_timers)
{
	fake_tsc_install(0);
	cr_expect(rd_gp(config_msr(0)), "#GP: %s", "read");
	cr_expect(wr_gp(count_msr(3), 5), "#GP: %s", "write");
	cr_expect_eq(hv_synthetic_deadline(fake_part.vp), 0);
}

Test(stimer, reserved_bits_and_bad_vectors)
{
	cr_expect(wr_gp(config_msr(0), 1ULL << 13), "#GP: %s", "bit 13");
	cr_expect(wr_gp(config_msr(0), 1ULL << 15), "#GP: %s", "bit 15");
	cr_expect(wr_gp(config_msr(1), 1ULL << 20), "#GP: %s", "bit 20");
	cr_expect(wr_gp(config_msr(1), 1ULL << 63), "#GP: %s", "bit 63");
	cr_expect(wr_gp(config_msr(2), HV_STIMER_DIRECT_MODE | (15ULL << 4)), "#GP: %s",
	          "direct mode vector below 16");
	cr_expect_eq(rdmsr_ok(config_msr(0)), 0, "reset value");
	wrmsr_ok(count_msr(2), 12345);
	cr_expect_eq(rdmsr_ok(count_msr(2)), 12345);
	cr_expect_eq(hv_synthetic_deadline(fake_part.vp), 0, "nothing armed");
}

Test(stimer, one_shot_message_fires_at_its_time_never_before)
{
	uint64_t due = ref_now() + 1000, deadline;
	struct hv_timer_message_payload payload;

	enable_synic();
	wrmsr_ok(count_msr(1), due);
	wrmsr_ok(config_msr(1), message_config());
	deadline = hv_synthetic_deadline(fake_part.vp);
	cr_assert_neq(deadline, 0);
	fake_tsc_set(deadline);
	cr_expect_geq(ref_now(), due, "the deadline's reference time has reached the expiry");
	fake_tsc_set(deadline - 1);
	cr_expect_lt(ref_now(), due, "and one tick before it has not: the first such TSC");

	poll_at(deadline - 1);
	cr_expect_eq(slot()->message_type, HVMSG_NONE, "not before its time");
	cr_expect_eq(asserted_count, 0);
	poll_at(deadline + 5 * TICKS);
	uint64_t delivered = ref_now();
	cr_assert_eq(slot()->message_type, HVMSG_TIMER_EXPIRED);
	cr_expect_eq(slot()->payload_size, sizeof(payload));
	memcpy(&payload, slot()->payload, sizeof(payload));
	cr_expect_eq(payload.timer_index, 1);
	cr_expect_eq(payload.expiration_time, due);
	cr_expect_eq(payload.delivery_time, delivered);
	cr_expect_geq(delivered, due + 4);
	cr_expect_eq(asserted_count, 1);
	cr_expect_eq(last_vector, VECTOR);
	cr_expect(fake_part.vp->interrupt_asserted);
	cr_expect_eq(rdmsr_ok(config_msr(1)) & HV_STIMER_ENABLE, 0, "a one-shot disables itself");
	cr_expect_eq(hv_synthetic_deadline(fake_part.vp), 0);
}

Test(stimer, a_one_shot_in_the_past_fires_at_once)
{
	enable_synic();
	fake_tsc_advance(1000 * TICKS);
	wrmsr_ok(count_msr(0), 10);
	wrmsr_ok(config_msr(0), message_config());
	cr_expect_eq(slot()->message_type, HVMSG_TIMER_EXPIRED, "during the WRMSR");
	cr_expect_eq(asserted_count, 1);
}

Test(stimer, periodic_rearms_and_skips_missed_periods)
{
	uint64_t tsc0 = 1000;

	enable_synic();
	wrmsr_ok(count_msr(2), 50);
	wrmsr_ok(config_msr(2), message_config() | HV_STIMER_PERIODIC);
	expect_deadline_for(50);
	poll_at(tsc0 + 50 * TICKS);
	cr_expect_eq(asserted_count, 1);
	expect_deadline_for(100); /* the next period */
	cr_expect_eq(rdmsr_ok(config_msr(2)) & HV_STIMER_ENABLE, HV_STIMER_ENABLE);

	/* The guest consumes, then the VP is away for 3.5 periods: one expiry, then on the grid. */
	slot()->message_type = HVMSG_NONE;
	poll_at(tsc0 + 275 * TICKS);
	cr_expect_eq(asserted_count, 2);
	expect_deadline_for(300);
}

Test(stimer, a_busy_slot_keeps_the_timer_pending_until_eom)
{
	uint32_t a = 1;

	enable_synic();
	cr_assert_eq(hv_vp_post_message(fake_part.vp, SINT, 5, &a, 4), HV_STATUS_SUCCESS);
	cr_assert_eq(asserted_count, 1);
	wrmsr_ok(count_msr(0), ref_now() + 10);
	wrmsr_ok(config_msr(0), message_config());
	poll_at(1000 + 20 * TICKS);
	cr_expect_eq(slot()->message_type, 5, "the slot is busy");
	cr_expect_eq(slot()->message_flags & HV_MESSAGE_FLAG_PENDING, HV_MESSAGE_FLAG_PENDING);
	cr_expect_eq(hv_synthetic_deadline(fake_part.vp), 0, "pending, not armed");
	cr_expect_eq(asserted_count, 1);

	slot()->message_type = HVMSG_NONE;
	wrmsr_ok(HV_X64_MSR_EOM, 0);
	cr_expect_eq(slot()->message_type, HVMSG_TIMER_EXPIRED, "delivered at EOM");
	cr_expect_eq(asserted_count, 2);
	cr_expect_eq(rdmsr_ok(config_msr(0)) & HV_STIMER_ENABLE, 0);
}

Test(stimer, direct_mode_asserts_the_vector)
{
	wrmsr_ok(count_msr(3), ref_now() + 10);
	wrmsr_ok(config_msr(3), HV_STIMER_ENABLE | HV_STIMER_DIRECT_MODE | (0xedULL << 4));
	poll_at(1000 + 10 * TICKS);
	cr_expect_eq(asserted_count, 1, "no SynIC needed");
	cr_expect_eq(last_vector, 0xed);
	cr_expect_not(last_auto_eoi);
	cr_expect(fake_part.vp->interrupt_asserted);
}

Test(stimer, sint_0_cannot_be_enabled_in_message_mode)
{
	wrmsr_ok(count_msr(0), ref_now() + 10);
	wrmsr_ok(config_msr(0), HV_STIMER_ENABLE);
	cr_expect_eq(rdmsr_ok(config_msr(0)), 0, "TLFS: marked disabled at once");
	cr_expect_eq(hv_synthetic_deadline(fake_part.vp), 0);
}

Test(stimer, auto_enable_and_count_zero)
{
	uint64_t cfg = ((uint64_t)SINT << HV_STIMER_SINT_SHIFT) | HV_STIMER_AUTO_ENABLE;

	enable_synic();
	wrmsr_ok(config_msr(1), cfg);
	cr_expect_eq(hv_synthetic_deadline(fake_part.vp), 0, "not enabled yet");
	wrmsr_ok(count_msr(1), ref_now() + 100);
	cr_expect_eq(rdmsr_ok(config_msr(1)), cfg | HV_STIMER_ENABLE, "writing COUNT enabled it");
	expect_deadline_for(100);
	wrmsr_ok(count_msr(1), 0);
	cr_expect_eq(rdmsr_ok(config_msr(1)), cfg, "a count of 0 stops it");
	cr_expect_eq(hv_synthetic_deadline(fake_part.vp), 0);
	/* Enabling with a count of 0 does not arm. */
	wrmsr_ok(config_msr(2), message_config() | HV_STIMER_PERIODIC);
	cr_expect_eq(rdmsr_ok(config_msr(2)) & HV_STIMER_ENABLE, 0);
}

Test(stimer, the_deadline_is_the_earliest_timer)
{
	enable_synic();
	wrmsr_ok(count_msr(0), ref_now() + 300);
	wrmsr_ok(config_msr(0), message_config());
	wrmsr_ok(count_msr(3), ref_now() + 200);
	wrmsr_ok(config_msr(3), HV_STIMER_ENABLE | HV_STIMER_DIRECT_MODE | (0x40ULL << 4));
	expect_deadline_for(200);
	wrmsr_ok(config_msr(3), 0);
	expect_deadline_for(300); /* disabling disarms */
}

Test(stimer, a_far_future_period_saturates)
{
	enable_synic();
	wrmsr_ok(count_msr(0), UINT64_MAX - 1);
	wrmsr_ok(config_msr(0), message_config() | HV_STIMER_PERIODIC);
	poll_at(1000 + 1000 * TICKS);
	cr_expect_eq(asserted_count, 0, "never due");
	cr_expect_eq(hv_synthetic_deadline(fake_part.vp), 0, "beyond any TSC: no deadline");
}

/* A halted VP: the monitor asks when to wake it and fires the timers outside hv_vp_run. */
Test(stimer, a_halted_vp_is_woken_through_the_public_calls)
{
	cr_expect_eq(hv_vp_next_timer_tsc(fake_part.vp), 0, "nothing armed");
	cr_expect_not(hv_vp_poll_timers(fake_part.vp));
	wrmsr_ok(count_msr(1), ref_now() + 20);
	wrmsr_ok(config_msr(1), HV_STIMER_ENABLE | HV_STIMER_DIRECT_MODE | (0x61ULL << 4));
	uint64_t wake = hv_vp_next_timer_tsc(fake_part.vp);

	cr_assert_eq(wake, hv_synthetic_deadline(fake_part.vp));
	fake_tsc_set(wake - 1);
	cr_expect_not(hv_vp_poll_timers(fake_part.vp), "not yet due");
	cr_expect_eq(asserted_count, 0);
	fake_tsc_set(wake);
	cr_expect(hv_vp_poll_timers(fake_part.vp), "due at the TSC it said");
	cr_expect_eq(last_vector, 0x61);
	cr_expect_not(fake_part.vp->interrupt_asserted, "reported here, not by the next run");
	cr_expect_eq(hv_vp_next_timer_tsc(fake_part.vp), 0, "one-shot: nothing armed after it");
	cr_expect_eq(hv_vp_next_timer_tsc(NULL), 0);
	cr_expect_not(hv_vp_poll_timers(NULL));
}
