/* Partitions and their guest-physical maps (HvCallCreatePartition, MapGpaPages, UnmapGpaPages). */
#include <string.h>

#include "libhv/core/hv_internal.h"

/* Partition structures come from host pages too: libhv has no heap. */
#define PARTITION_PAGES ((sizeof(struct hv_partition) + HV_PAGE_SIZE - 1) / HV_PAGE_SIZE)

hv_status_t hv_partition_create(const struct hv_partition_config *config, struct hv_partition **out)
{
	const struct hv_host_ops *host = hv_globals.host;
	struct hv_partition *p;
	hv_hpa_t hpa;
	hv_status_t st;

	if (!hv_globals.vendor)
		return HV_STATUS_INVALID_PARTITION_STATE;
	if (!config || !out || config->max_vps == 0 || config->max_vps > HV_MAX_VPS)
		return HV_STATUS_INVALID_PARAMETER;
	hpa = host->alloc_pages(PARTITION_PAGES, 1);
	if (!hpa)
		return HV_STATUS_INSUFFICIENT_MEMORY;
	p = host->hpa_to_hva(hpa);
	memset(p, 0, sizeof(*p));
	p->self_hpa = hpa;
	p->id = hv_globals.next_partition_id++;
	if (config->name) {
		size_t n = 0;

		while (n < HV_NAME_MAX - 1 && config->name[n])
			n++;

		memcpy(p->name, config->name, n);
		p->name[n] = '\0';
	}
	hv_synthetic_partition_init(p);
	if (slat_init(&p->slat, hv_globals.vendor->slat_format, host,
	              &(struct slat_features){.phys_bits = hv_globals.caps.guest_phys_bits,
	                                      .large_1g = hv_globals.caps.large_pages_1g,
	                                      .execute_only = hv_globals.caps.slat_execute_only,
	                                      .hw_dirty = hv_globals.caps.slat_ad_bits})) {
		host->free_pages(hpa, PARTITION_PAGES);
		return HV_STATUS_INSUFFICIENT_MEMORY;
	}
	p->slat.check_hpa = hv_host_range_check;
	st = hv_globals.vendor->partition_init(p);
	if (st != HV_STATUS_SUCCESS) {
		slat_destroy(&p->slat);
		host->free_pages(hpa, PARTITION_PAGES);
		return st;
	}
	*out = p;
	return HV_STATUS_SUCCESS;
}

hv_status_t hv_partition_delete(struct hv_partition *p)
{
	if (!p)
		return HV_STATUS_INVALID_PARAMETER;
	for (uint32_t i = 0; i < HV_MAX_VPS; i++)
		if (p->vps[i])
			hv_vp_destroy(p->vps[i]);
	hv_globals.vendor->partition_destroy(p);
	slat_destroy(&p->slat);
	hv_globals.host->free_pages(p->self_hpa, PARTITION_PAGES);
	return HV_STATUS_SUCCESS;
}

const char *hv_partition_name(const struct hv_partition *p)
{
	return p->name;
}

uint64_t hv_partition_id(const struct hv_partition *p)
{
	return p->id;
}

hv_status_t hv_gpa_map(struct hv_partition *p, hv_gpa_t gpa, hv_hpa_t hpa, uint64_t size,
                       uint32_t flags)
{
	if (!p)
		return HV_STATUS_INVALID_PARAMETER;
	return slat_map(&p->slat, gpa, hpa, size, flags);
}

hv_status_t hv_gpa_unmap(struct hv_partition *p, hv_gpa_t gpa, uint64_t size)
{
	if (!p)
		return HV_STATUS_INVALID_PARAMETER;
	return slat_unmap(&p->slat, gpa, size);
}

hv_status_t hv_gpa_translate(struct hv_partition *p, hv_gpa_t gpa, hv_hpa_t *hpa, uint32_t *flags)
{
	if (!p)
		return HV_STATUS_INVALID_PARAMETER;
	return slat_translate(&p->slat, gpa, hpa, flags);
}

uint64_t hv_gpa_table_bytes(const struct hv_partition *p)
{
	return p->slat.table_pages * HV_PAGE_SIZE;
}

hv_status_t hv_gpa_protect(struct hv_partition *p, hv_gpa_t gpa, uint64_t size, uint32_t flags)
{
	if (!p)
		return HV_STATUS_INVALID_PARAMETER;
	return slat_protect(&p->slat, gpa, size, flags);
}

hv_status_t hv_gpa_harvest_dirty(struct hv_partition *p, hv_gpa_t gpa, uint64_t size,
                                 uint64_t *bitmap, bool clear)
{
	if (!p)
		return HV_STATUS_INVALID_PARAMETER;
	return slat_harvest_dirty(&p->slat, gpa, size, bitmap, clear);
}
