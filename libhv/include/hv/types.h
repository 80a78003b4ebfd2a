/* Address scalars and small shared types of the libhv public API. */
#ifndef HV_TYPES_H
#define HV_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <hv/abi/hv_status.h>

typedef uint64_t hv_gpa_t; /**< guest-physical address (what the child sees as physical) */
typedef uint64_t hv_hpa_t; /**< host-physical address */
typedef uint64_t hv_gva_t; /**< guest-virtual address */

#define HV_PAGE_SIZE  4096ULL      /**< the 4 KiB page every GPA map works in */
#define HV_PAGE_SHIFT 12U          /**< log2(HV_PAGE_SIZE) */
#define HV_2M_SIZE    (2ULL << 20) /**< a 2 MiB large page */
#define HV_1G_SIZE    (1ULL << 30) /**< a 1 GiB large page */

#endif
