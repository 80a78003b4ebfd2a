/* The hypercall decoder: the TLFS input value, rep and variable-header rules, parameter pages. */
#include <string.h>

#include "libhv/core/guest_memory.h"
#include "libhv/core/hv_internal.h"
#include "libhv/core/hypercall.h"

/* Fast calls without XMM input (not advertised) carry 16 bytes: RDX and R8. */
#define FAST_INPUT_BYTES 16U
#define PARAM_ALIGN      8U

/*
 * The decoded call's parameters live here, in hypervisor memory, while the handler runs. One
 * set: libhv is called from one thread (hv.h); a per-VP set comes with more processors.
 */
static uint8_t input_buf[HV_PAGE_SIZE] __attribute__((aligned(8)));
static uint8_t output_buf[HV_PAGE_SIZE] __attribute__((aligned(8)));

static uint64_t result_value(hv_status_t status, uint16_t reps_completed)
{
	return status | ((uint64_t)reps_completed << HV_HYPERCALL_RESULT_REPS_SHIFT);
}

/*
 * TLFS "Common Hypercall Status Codes": a parameter block that is misaligned, spans pages or
 * lies outside the GPA space is HV_STATUS_INVALID_ALIGNMENT. Where the TLFS would send the root
 * a memory intercept (no RAM there, or RAM without the right), libhv, which has no intercept
 * messages yet, answers HV_STATUS_INVALID_PARAMETER.
 */
static hv_status_t span_status(int rc)
{
	return rc == GUEST_SPAN_NO_ACCESS ? HV_STATUS_INVALID_PARAMETER
	                                  : HV_STATUS_INVALID_ALIGNMENT;
}

/*
 * The page each VP's last input block was found in, and the page of its last output block.
 * Guests reuse one parameter page per processor (Linux: hyperv_pcpu_input_arg), and a SLAT walk
 * plus hpa_to_hva costs more than the rest of a call. An entry lives in the VP, so it goes with
 * the partition, and holds while the SLAT's flush_generation is the one it was made under:
 * every unmap and every protection change that could make it stale bumps that, and a map never
 * replaces a present translation.
 */
static int cached_span(struct hv_gpa_page_cache *pc, const struct hv_partition *p, hv_gpa_t gpa,
                       uint32_t size, uint32_t rights, uint8_t **hva)
{
	hv_gpa_t offset = gpa & (HV_PAGE_SIZE - 1);
	void *found;
	int rc;

	if (pc->valid && pc->page == gpa - offset && pc->generation == p->slat.flush_generation &&
	    size && size <= HV_PAGE_SIZE - offset) {
		*hva = pc->hva + offset;
		return 0;
	}
	rc = guest_span(p, gpa, size, rights, &found);
	if (rc)
		return rc;
	*pc = (struct hv_gpa_page_cache){.valid = true,
	                                 .generation = p->slat.flush_generation,
	                                 .page = gpa - offset,
	                                 .hva = (uint8_t *)found - offset};
	*hva = found;
	return 0;
}

/* Copy the guest's input block in before anything looks at it. */
static hv_status_t copy_input(struct hv_vp *vp, hv_gpa_t gpa, uint32_t size)
{
	uint8_t *hva;
	int rc;

	if (gpa % PARAM_ALIGN)
		return HV_STATUS_INVALID_ALIGNMENT;
	rc = cached_span(&vp->hc_input_page, vp->partition, gpa, size, HV_MAP_GPA_READABLE, &hva);
	if (rc)
		return span_status(rc);
	memcpy(input_buf, hva, size);
	return HV_STATUS_SUCCESS;
}

static hv_status_t find_output(struct hv_vp *vp, hv_gpa_t gpa, uint32_t size, uint8_t **hva)
{
	int rc;

	if (gpa % PARAM_ALIGN)
		return HV_STATUS_INVALID_ALIGNMENT;
	rc = cached_span(&vp->hc_output_page, vp->partition, gpa, size,
	                 HV_MAP_GPA_READABLE | HV_MAP_GPA_WRITABLE, hva);
	return rc ? span_status(rc) : HV_STATUS_SUCCESS;
}

/* Root-only calls and missing privileges: TLFS "Hypercall Restrictions". */
static hv_status_t check_access(const struct hv_vp *vp, const struct hc_entry *e)
{
	/* Every partition libhv runs is a child: the root is the monitor, calling the library. */
	if (e->root_only)
		return HV_STATUS_ACCESS_DENIED;
	if (e->privilege && !(vp->partition->synthetic.privileges & e->privilege))
		return HV_STATUS_ACCESS_DENIED;
	return HV_STATUS_SUCCESS;
}

/* Rep count, rep start and variable header against what the call takes. */
static hv_status_t check_shape(const struct hc_call *c, const struct hc_entry *e)
{
	if (e->kind == HC_SIMPLE && (c->rep_count || c->rep_start))
		return HV_STATUS_INVALID_HYPERCALL_INPUT;
	if (e->kind == HC_REP && (c->rep_count == 0 || c->rep_start >= c->rep_count))
		return HV_STATUS_INVALID_HYPERCALL_INPUT;
	if (c->var_header_qwords && !e->var_header_ok)
		return HV_STATUS_INVALID_HYPERCALL_INPUT;
	/* The reference answers a fast PostMessage so; libhv does for every slow-only call. */
	if (c->fast && !e->fast_ok)
		return HV_STATUS_INVALID_HYPERCALL_CODE;
	return HV_STATUS_SUCCESS;
}

/* Write the output block: the fixed part and the rep elements this call completed. */
static void copy_output(const struct hc_call *c, const struct hc_entry *e, hv_status_t st,
                        uint8_t *hva)
{
	uint32_t from, to;

	if (e->kind == HC_SIMPLE) {
		if (st == HV_STATUS_SUCCESS)
			memcpy(hva, output_buf, c->output_size);
		return;
	}
	memcpy(hva, output_buf, e->output_fixed);
	from = e->output_fixed + (uint32_t)c->rep_start * e->output_rep;
	to = e->output_fixed + (uint32_t)c->reps_completed * e->output_rep;
	if (to > from)
		memcpy(hva + from, output_buf + from, to - from);
}

/*
 * The commonest shape: a fast call with no rep count, rep start or variable header
 * (SignalEvent, NotifyLongSpinWait, the flushes). The same checks in the same order, with the
 * same statuses, as the general path below, without its bookkeeping for reps and memory blocks;
 * the 16 bytes of register input stay on this stack.
 */
static uint64_t execute_fast_simple(struct hv_vp *vp, const struct hc_entry *e,
                                    const struct hc_regs *regs)
{
	const uint64_t input[2] = {regs->input, regs->output};
	struct hc_call c;
	hv_status_t st = check_access(vp, e);

	if (st != HV_STATUS_SUCCESS)
		return result_value(st, 0);
	if (e->kind == HC_REP) /* a rep call with a rep count of 0 */
		return result_value(HV_STATUS_INVALID_HYPERCALL_INPUT, 0);
	if (!e->fast_ok)
		return result_value(HV_STATUS_INVALID_HYPERCALL_CODE, 0);
	if (e->input_fixed > FAST_INPUT_BYTES || e->output_fixed)
		return result_value(HV_STATUS_INVALID_HYPERCALL_INPUT, 0);
	c = (struct hc_call){.vp = vp,
	                     .code = e->code,
	                     .fast = true,
	                     .input = (const uint8_t *)input,
	                     .input_size = e->input_fixed,
	                     .output = output_buf};
	return result_value(e->handler(&c), 0);
}

/* Every other shape: reps, variable headers, parameter blocks in guest memory. */
static __attribute__((noinline)) uint64_t
execute_general(struct hv_vp *vp, const struct hc_entry *e, const struct hc_regs *regs)
{
	uint64_t control = regs->control;
	struct hc_call c;
	uint8_t *out_hva = NULL;
	uint32_t in_size, out_size;
	hv_status_t st;

	c.vp = vp;
	c.code = e->code;
	c.fast = (control & HV_HYPERCALL_FAST) != 0;
	c.var_header_qwords =
	    (uint16_t)((control & HV_HYPERCALL_VARHEAD_MASK) >> HV_HYPERCALL_VARHEAD_SHIFT);
	c.rep_count =
	    (uint16_t)((control & HV_HYPERCALL_REP_COUNT_MASK) >> HV_HYPERCALL_REP_COUNT_SHIFT);
	c.rep_start =
	    (uint16_t)((control & HV_HYPERCALL_REP_START_MASK) >> HV_HYPERCALL_REP_START_SHIFT);
	st = check_access(vp, e);
	if (st == HV_STATUS_SUCCESS)
		st = check_shape(&c, e);
	if (st != HV_STATUS_SUCCESS)
		return result_value(st, 0);

	/* At most 65535 + 1023 * 8 + 4095 * 65535, under 2^28: no overflow in 32 bits. */
	in_size = e->input_fixed + 8U * c.var_header_qwords + (uint32_t)c.rep_count * e->input_rep;
	out_size = e->output_fixed + (uint32_t)c.rep_count * e->output_rep;
	if (c.fast) {
		/* Fast calls return nothing in memory; the table never marks one with output. */
		if (in_size > FAST_INPUT_BYTES || out_size)
			return result_value(HV_STATUS_INVALID_HYPERCALL_INPUT, 0);
		memcpy(input_buf, &regs->input, 8);
		memcpy(input_buf + 8, &regs->output, 8);
	} else {
		if (in_size && (st = copy_input(vp, regs->input, in_size)))
			return result_value(st, 0);
		if (out_size && (st = find_output(vp, regs->output, out_size, &out_hva)))
			return result_value(st, 0);
	}
	c.input = input_buf;
	c.input_size = in_size;
	c.output = output_buf;
	c.output_size = out_size;
	c.reps_completed = c.rep_start;
	if (out_size)
		memset(output_buf, 0, out_size);

	st = e->handler(&c);
	if (e->kind == HC_SIMPLE)
		c.reps_completed = 0;
	else if (st == HV_STATUS_SUCCESS)
		c.reps_completed = c.rep_count;
	if (out_hva)
		copy_output(&c, e, st, out_hva);
	return result_value(st, c.reps_completed);
}

uint64_t hc_execute(struct hv_vp *vp, const struct hc_regs *regs)
{
	uint64_t control = regs->control;
	const struct hc_entry *e;

	if (control & HV_HYPERCALL_RESERVED_MASK)
		return result_value(HV_STATUS_INVALID_HYPERCALL_INPUT, 0);
	e = hc_lookup((uint16_t)(control & HV_HYPERCALL_CODE_MASK));
	if (!e)
		return result_value(HV_STATUS_INVALID_HYPERCALL_CODE, 0);
	if ((control & (HV_HYPERCALL_FAST | HV_HYPERCALL_VARHEAD_MASK |
	                HV_HYPERCALL_REP_COUNT_MASK | HV_HYPERCALL_REP_START_MASK)) ==
	    HV_HYPERCALL_FAST)
		return execute_fast_simple(vp, e, regs);
	return execute_general(vp, e, regs);
}
