/* Which host pages a partition's second-level tables may point at: declared ranges, never libhv's own. */
#include <hv/hv.h>

#include "libhv/core/hv_internal.h"

#define SLAT_HPA_LIMIT (1ULL << 52)

static uint64_t bytes_in_pages(size_t size)
{
	return (size + HV_PAGE_SIZE - 1) & ~(HV_PAGE_SIZE - 1);
}

static bool overlaps(hv_hpa_t a, hv_hpa_t a_end, hv_hpa_t b, hv_hpa_t b_end)
{
	return a < b_end && b < a_end;
}

/*
 * Pages libhv itself keeps for this partition and can name: the partition structure, its VPs'
 * structures and its second-level tables. The backend's pages (VMCB/VMCS, permission maps) and
 * other partitions' pages are not known here: declared host ranges are what covers those.
 */
static bool holds_own_pages(const struct hv_partition *p, hv_hpa_t hpa, hv_hpa_t end)
{
	if (overlaps(hpa, end, p->self_hpa, p->self_hpa + bytes_in_pages(sizeof(*p))))
		return true;
	for (uint32_t i = 0; i < HV_MAX_VPS; i++) {
		const struct hv_vp *vp = p->vps[i];

		if (vp &&
		    overlaps(hpa, end, vp->self_hpa, vp->self_hpa + bytes_in_pages(sizeof(*vp))))
			return true;
	}
	return slat_tables_overlap(&p->slat, hpa, end - hpa);
}

/* Is all of [hpa, end) inside the union of the declared ranges? */
static bool covered(const struct hv_partition *p, hv_hpa_t hpa, hv_hpa_t end)
{
	while (hpa < end) {
		bool advanced = false;

		for (uint32_t i = 0; i < p->host_range_count; i++)
			if (hpa >= p->host_ranges[i].start && hpa < p->host_ranges[i].end) {
				hpa = p->host_ranges[i].end;
				advanced = true;
			}
		if (!advanced)
			return false;
	}
	return true;
}

static const struct hv_partition *partition_of(const struct slat *s)
{
	return (const struct hv_partition *)((const char *)s - offsetof(struct hv_partition, slat));
}

hv_status_t hv_host_range_check(const struct slat *s, hv_hpa_t hpa, uint64_t size)
{
	const struct hv_partition *p = partition_of(s);

	if (holds_own_pages(p, hpa, hpa + size))
		return HV_STATUS_ACCESS_DENIED;
	if (p->host_range_count && !covered(p, hpa, hpa + size))
		return HV_STATUS_ACCESS_DENIED;
	return HV_STATUS_SUCCESS;
}

static bool has_mappings(const struct hv_partition *p)
{
	const uint64_t *root = p->slat.host->hpa_to_hva(p->slat.root);

	for (unsigned i = 0; i < SLAT_ENTRIES; i++)
		if (root[i] & p->slat.fmt->present_mask)
			return true;
	return false;
}

hv_status_t hv_partition_add_host_range(struct hv_partition *p, hv_hpa_t hpa, uint64_t size)
{
	hv_hpa_t end;

	if (!p)
		return HV_STATUS_INVALID_PARAMETER;
	if ((hpa | size) & (HV_PAGE_SIZE - 1))
		return HV_STATUS_INVALID_ALIGNMENT;
	if (size == 0 || __builtin_add_overflow(hpa, size, &end) || end > SLAT_HPA_LIMIT)
		return HV_STATUS_INVALID_PARAMETER;
	/* Mappings made before the first range were never checked against any. */
	if (p->host_range_count == 0 && has_mappings(p))
		return HV_STATUS_INVALID_PARTITION_STATE;
	if (p->host_range_count == HV_HOST_RANGES_MAX)
		return HV_STATUS_INSUFFICIENT_BUFFERS;
	if (holds_own_pages(p, hpa, end))
		return HV_STATUS_ACCESS_DENIED;
	p->host_ranges[p->host_range_count].start = hpa;
	p->host_ranges[p->host_range_count].end = end;
	p->host_range_count++;
	return HV_STATUS_SUCCESS;
}
