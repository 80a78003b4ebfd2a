/* Synthetic MSR accesses and hypercalls straight into libhv, for the SynIC and timer tests. */
#include "fake_synthetic.h"

#include <string.h>

#include "fake_partition.h"
#include "libhv/core/hv_internal.h"
#include "libhv/core/hypercall.h"

bool fake_synthetic_msr(uint32_t index, bool write, uint64_t *value)
{
	struct hv_vp *vp = fake_part.vp;
	struct hv_exit e;
	bool gp;

	memset(&e, 0, sizeof(e));
	e.reason = write ? HV_EXIT_MSR_WRITE : HV_EXIT_MSR_READ;
	e.insn_length = 2;
	e.msr.index = index;
	e.msr.value = write ? *value : 0;
	memset(&vp->events.exception, 0, sizeof(vp->events.exception));
	if (!hv_synthetic_msr(vp, &e))
		return false;
	gp = vp->events.exception.valid && vp->events.exception.vector == 13;
	memset(&vp->events.exception, 0, sizeof(vp->events.exception));
	if (gp)
		return false;
	if (!write)
		*value = e.msr.value;
	return true;
}

uint64_t fake_synthetic_hypercall(uint64_t control, uint64_t input, uint64_t output)
{
	struct hc_regs regs = {.control = control, .input = input, .output = output};

	return hc_execute(fake_part.vp, &regs);
}
