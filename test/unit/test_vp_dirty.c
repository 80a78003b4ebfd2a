/* Host tests of dirty tracking by write protection through the run loop (core/vp.c, SVM fakes). */
#include <criterion/criterion.h>

#include "fakes/fake_hv.h"
#include "libhv/core/hv_internal.h"
#include "libhv/svm/svm_internal.h"

static struct hv_partition *part;
static struct hv_vp *vp;
static unsigned step;

static void setup(void)
{
	struct hv_partition_config config = {.name = "dirty", .max_vps = 1};

	fake_host_reset();
	fake_cpu_reset_amd();
	cr_assert_eq(hv_init(&fake_host_ops), HV_STATUS_SUCCESS);
	cr_assert_eq(hv_partition_create(&config, &part), HV_STATUS_SUCCESS);
	cr_assert_eq(hv_vp_create(part, 0, &vp), HV_STATUS_SUCCESS);
	/* As on a processor without hardware dirty bits (EPT without A/D). */
	part->slat.hw_dirty = false;
	step = 0;
}

static void teardown(void)
{
	cr_expect_eq(hv_partition_delete(part), HV_STATUS_SUCCESS);
}

TestSuite(vp_dirty, .init = setup, .fini = teardown);

/* The guest writes to GPA 0x1000 (a nested fault if W is withheld), then shuts down. */
static void write_then_shutdown(struct vmcb *v, uint64_t *gprs, void *ctx)
{
	bool *writable = ctx;

	(void)gprs;
	if (step++ == 0 && !*writable) {
		v->control.exit_code = SVM_EXIT_NPF;
		v->control.exit_info1 =
		    SVM_NPF_PRESENT | SVM_NPF_WRITE | SVM_NPF_FINAL_GPA | SVM_NPF_USER;
		v->control.exit_info2 = 0x1000;
		return;
	}
	v->control.exit_code = SVM_EXIT_SHUTDOWN;
}

Test(vp_dirty, a_write_to_a_tracked_page_marks_it_dirty_and_resumes)
{
	uint64_t bitmap;
	bool writable = false;
	struct hv_exit e;

	cr_assert_eq(hv_gpa_map(part, 0, 0x200000, 0x4000, HV_MAP_GPA_RWX), HV_STATUS_SUCCESS);
	cr_assert_eq(hv_gpa_harvest_dirty(part, 0, 0x4000, &bitmap, true), HV_STATUS_SUCCESS);
	cr_expect_eq(bitmap, 0xf, "never cleared before: all dirty");
	cr_assert_eq(hv_gpa_harvest_dirty(part, 0, 0x4000, &bitmap, false), HV_STATUS_SUCCESS);
	cr_expect_eq(bitmap, 0);

	fake_svm_set_guest(write_then_shutdown, &writable);
	cr_assert_eq(hv_vp_run(vp, &e), HV_STATUS_SUCCESS);
	cr_expect_eq(e.reason, HV_EXIT_SHUTDOWN, "the fault never reached the monitor");
	cr_expect_eq(hv_vp_stats(vp)->exits[HV_EXIT_SLAT_RETRY], 1);
	cr_expect_eq(hv_vp_stats(vp)->exits[HV_EXIT_MEMORY_ACCESS], 0);
	cr_expect_eq(fake_svm_tlb_control(1), VMCB_TLB_CONTROL_NONE,
	             "giving W back needs no flush");

	cr_assert_eq(hv_gpa_harvest_dirty(part, 0, 0x4000, &bitmap, true), HV_STATUS_SUCCESS);
	cr_expect_eq(bitmap, 0x2);
}

Test(vp_dirty, a_write_to_a_read_only_page_still_reaches_the_monitor)
{
	uint64_t bitmap;
	bool writable = false;
	struct hv_exit e;

	cr_assert_eq(hv_gpa_map(part, 0, 0x200000, 0x4000, HV_MAP_GPA_READABLE), HV_STATUS_SUCCESS);
	cr_assert_eq(hv_gpa_harvest_dirty(part, 0, 0x4000, &bitmap, true), HV_STATUS_SUCCESS);
	fake_svm_set_guest(write_then_shutdown, &writable);
	cr_assert_eq(hv_vp_run(vp, &e), HV_STATUS_SUCCESS);
	cr_expect_eq(e.reason, HV_EXIT_MEMORY_ACCESS);
	cr_expect(e.memory.mapped);
	cr_expect_eq(e.memory.gpa, 0x1000);
}
