/* Synthetic timers (STIMER0-3): placeholder hooks until the SynIC lands (issue 6). */
#include "libhv/core/hv_internal.h"

uint64_t hv_synthetic_deadline(struct hv_vp *vp)
{
	(void)vp;
	return 0;
}

void hv_synthetic_poll(struct hv_vp *vp, uint64_t now)
{
	(void)vp;
	(void)now;
}
