/* Host tests of the host pages a partition may be given (core/host_range.c) and hv_gpa_protect/harvest. */
#include <criterion/criterion.h>

#include "fakes/fake_hv.h"
#include "libhv/core/hv_internal.h"

static struct hv_partition *part;

static void setup(void)
{
	struct hv_partition_config config = {.name = "ranges", .max_vps = 1};

	fake_host_reset();
	fake_cpu_reset_amd();
	cr_assert_eq(hv_init(&fake_host_ops), HV_STATUS_SUCCESS);
	cr_assert_eq(hv_partition_create(&config, &part), HV_STATUS_SUCCESS);
}

static void teardown(void)
{
	if (part)
		cr_expect_eq(hv_partition_delete(part), HV_STATUS_SUCCESS);
	part = NULL;
}

TestSuite(host_range, .init = setup, .fini = teardown);

Test(host_range, without_ranges_any_foreign_page_may_be_mapped)
{
	cr_expect_eq(hv_gpa_map(part, 0, 0x10000000, 0x1000, HV_MAP_GPA_RWX), HV_STATUS_SUCCESS);
}

Test(host_range, maps_outside_the_declared_ranges_are_denied)
{
	cr_assert_eq(hv_partition_add_host_range(part, 0x10000000, 0x400000), HV_STATUS_SUCCESS);
	cr_assert_eq(hv_partition_add_host_range(part, 0x10400000, 0x200000), HV_STATUS_SUCCESS);
	cr_expect_eq(hv_gpa_map(part, 0, 0x10000000, 0x600000, HV_MAP_GPA_RWX), HV_STATUS_SUCCESS,
	             "two adjacent ranges cover it");
	cr_expect_eq(hv_gpa_map(part, 0x800000, 0x10600000, 0x1000, HV_MAP_GPA_RWX),
	             HV_STATUS_ACCESS_DENIED, "just past the end");
	cr_expect_eq(hv_gpa_map(part, 0x800000, 0x0ffff000, 0x2000, HV_MAP_GPA_RWX),
	             HV_STATUS_ACCESS_DENIED, "straddling the start");
	cr_expect_eq(hv_gpa_map(part, 0x800000, 0x20000000, 0x1000, HV_MAP_GPA_RWX),
	             HV_STATUS_ACCESS_DENIED);
	cr_expect_eq(hv_gpa_map(part, 0x800001, 0x20000000, 0x1000, HV_MAP_GPA_RWX),
	             HV_STATUS_INVALID_ALIGNMENT, "range checks come first");
	cr_expect_eq(hv_gpa_table_bytes(part), 3 * HV_PAGE_SIZE,
	             "2 MiB leaves; refused maps built nothing");
}

Test(host_range, libhvs_own_pages_are_never_mapped)
{
	struct hv_vp *vp;

	cr_assert_eq(hv_vp_create(part, 0, &vp), HV_STATUS_SUCCESS);
	cr_expect_eq(hv_gpa_map(part, 0, part->self_hpa, 0x1000, HV_MAP_GPA_RWX),
	             HV_STATUS_ACCESS_DENIED, "the partition structure");
	cr_expect_eq(hv_gpa_map(part, 0, vp->self_hpa, 0x1000, HV_MAP_GPA_RWX),
	             HV_STATUS_ACCESS_DENIED, "a VP structure");
	cr_expect_eq(hv_gpa_map(part, 0, part->slat.root, 0x1000, HV_MAP_GPA_RWX),
	             HV_STATUS_ACCESS_DENIED, "the SLAT root");
}

Test(host_range, declaring_ranges_is_checked)
{
	cr_expect_eq(hv_partition_add_host_range(NULL, 0, 0x1000), HV_STATUS_INVALID_PARAMETER);
	cr_expect_eq(hv_partition_add_host_range(part, 0x1001, 0x1000),
	             HV_STATUS_INVALID_ALIGNMENT);
	cr_expect_eq(hv_partition_add_host_range(part, 0x1000, 0x1800),
	             HV_STATUS_INVALID_ALIGNMENT);
	cr_expect_eq(hv_partition_add_host_range(part, 0x1000, 0), HV_STATUS_INVALID_PARAMETER);
	cr_expect_eq(hv_partition_add_host_range(part, 0xfffffffffffff000ULL, 0x2000),
	             HV_STATUS_INVALID_PARAMETER, "wraps");
	cr_expect_eq(hv_partition_add_host_range(part, 1ULL << 52, 0x1000),
	             HV_STATUS_INVALID_PARAMETER, "beyond any physical address");
	cr_expect_eq(
	    hv_partition_add_host_range(part, part->self_hpa & ~0xfffffULL, 0x100000000ULL),
	    HV_STATUS_ACCESS_DENIED, "holds the partition structure");
	cr_expect_eq(hv_partition_add_host_range(part, part->slat.root, 0x1000),
	             HV_STATUS_ACCESS_DENIED, "holds a table page");
	for (uint32_t i = 0; i < HV_HOST_RANGES_MAX; i++)
		cr_assert_eq(hv_partition_add_host_range(part, 0x1000000 * (i + 1), 0x1000),
		             HV_STATUS_SUCCESS);
	cr_expect_eq(hv_partition_add_host_range(part, 0x20000000, 0x1000),
	             HV_STATUS_INSUFFICIENT_BUFFERS);
}

Test(host_range, the_first_range_must_come_before_any_mapping)
{
	cr_assert_eq(hv_gpa_map(part, 0, 0x10000000, 0x1000, HV_MAP_GPA_RWX), HV_STATUS_SUCCESS);
	cr_expect_eq(hv_partition_add_host_range(part, 0x10000000, 0x1000),
	             HV_STATUS_INVALID_PARTITION_STATE,
	             "a mapping made before it was never checked");
	cr_assert_eq(hv_gpa_unmap(part, 0, 0x1000), HV_STATUS_SUCCESS);
	cr_expect_eq(hv_partition_add_host_range(part, 0x10000000, 0x1000), HV_STATUS_SUCCESS);
	cr_expect_eq(hv_partition_add_host_range(part, 0x30000000, 0x1000), HV_STATUS_SUCCESS);
}

Test(host_range, protect_and_harvest_through_the_public_api)
{
	uint32_t flags;
	uint64_t bitmap;

	cr_expect_eq(hv_gpa_protect(NULL, 0, 0x1000, HV_MAP_GPA_READABLE),
	             HV_STATUS_INVALID_PARAMETER);
	cr_expect_eq(hv_gpa_harvest_dirty(NULL, 0, 0x1000, &bitmap, false),
	             HV_STATUS_INVALID_PARAMETER);
	cr_assert_eq(hv_gpa_map(part, 0, 0x10000000, 0x2000, HV_MAP_GPA_RWX), HV_STATUS_SUCCESS);
	cr_expect_eq(hv_gpa_protect(part, 0, 0x3000, HV_MAP_GPA_READABLE), HV_STATUS_NOT_FOUND);
	cr_expect_eq(hv_gpa_protect(part, 0, 0x2000, HV_MAP_GPA_READABLE), HV_STATUS_SUCCESS);
	cr_assert_eq(hv_gpa_translate(part, 0x1000, NULL, &flags), HV_STATUS_SUCCESS);
	cr_expect_eq(flags, HV_MAP_GPA_READABLE);
	cr_expect(part->slat.hw_dirty, "SVM: the processor sets D in nested entries");
	cr_expect_eq(hv_gpa_harvest_dirty(part, 0, 0x2000, &bitmap, true), HV_STATUS_SUCCESS);
	cr_expect_eq(bitmap, 0);
}
