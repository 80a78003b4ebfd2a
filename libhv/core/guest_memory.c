/* Checked access to a partition's RAM through its SLAT, for what libhv reads and writes itself. */
#include "libhv/core/guest_memory.h"

#include "libhv/core/hv_internal.h"

int guest_span(const struct hv_partition *p, hv_gpa_t gpa, uint64_t size, uint32_t rights,
               void **hva)
{
	hv_gpa_t last;
	hv_hpa_t hpa;
	uint32_t have;

	if (size == 0 || size > HV_PAGE_SIZE)
		return GUEST_SPAN_CROSSES;
	if (__builtin_add_overflow(gpa, size - 1, &last) || last >= p->slat.gpa_limit)
		return GUEST_SPAN_OUTSIDE;
	if ((gpa >> HV_PAGE_SHIFT) != (last >> HV_PAGE_SHIFT))
		return GUEST_SPAN_CROSSES;
	/* One page: one translation covers it, whatever the page size behind it. */
	if (slat_translate(&p->slat, gpa, &hpa, &have) != HV_STATUS_SUCCESS ||
	    (have & rights) != rights)
		return GUEST_SPAN_NO_ACCESS;
	*hva = hv_hpa_to_hva(hpa);
	return 0;
}
