/* Checked access to a partition's RAM through its SLAT, for what libhv reads and writes itself. */
#ifndef HV_CORE_GUEST_MEMORY_H
#define HV_CORE_GUEST_MEMORY_H

#include <hv/hv.h>

#define GUEST_SPAN_OUTSIDE   (-1) /* beyond the guest's physical-address width, or wraps */
#define GUEST_SPAN_CROSSES   (-2) /* [gpa, gpa+size) is not inside one 4 KiB page */
#define GUEST_SPAN_NO_ACCESS (-3) /* no RAM there, or RAM without the rights asked for */

struct hv_partition;

/*
 * Where the `size` bytes at `gpa` live in the monitor's address space, when they are inside one
 * page of the partition's RAM mapped with every right in `rights` (HV_MAP_GPA_*). 0 and *hva
 * set, or one of the negative GUEST_SPAN_* codes. size 0 is refused (GUEST_SPAN_CROSSES).
 */
int guest_span(const struct hv_partition *p, hv_gpa_t gpa, uint64_t size, uint32_t rights,
               void **hva);

#endif
