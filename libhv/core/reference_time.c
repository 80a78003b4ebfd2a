/* Partition reference time: TIME_REF_COUNT, the reference TSC page, VP_RUNTIME, the frequency MSRs. */
#include "libhv/core/guest_memory.h"
#include "libhv/core/hv_internal.h"

/*
 * Reference time counts 100 ns units from the partition's creation. libhv defines it by the
 * very formula the guest applies to the reference TSC page (TLFS "Partition Reference Time
 * Enlightenment"): time = ((tsc * scale) >> 64) + offset, with scale = 10^7 * 2^64 / hz and
 * offset chosen so that the creation TSC gives 0. TIME_REF_COUNT evaluates the same formula, so
 * the MSR and the page agree to the unit at every TSC value, and since (tsc * scale) >> 64 never
 * decreases as the TSC grows, neither goes backwards. The guest's TSC is the host's: the
 * backends leave the TSC offset at 0.
 */
#define UNITS_PER_SECOND 10000000ULL /* 100 ns units */

static uint64_t mul_hi(uint64_t a, uint64_t b)
{
	return (uint64_t)(((unsigned __int128)a * b) >> 64);
}

void reftime_partition_init(struct hv_partition *p)
{
	p->synthetic.creation_tsc = synthetic_read_tsc();
}

/* Write scale and offset, then a new non-zero sequence (0 and ~0 mean "invalid" to guests). */
static bool write_tsc_page(struct hv_partition *p, hv_gpa_t gpa)
{
	struct hv_reference_tsc_page *page;
	uint32_t seq = p->synthetic.tsc_sequence + 1;

	if (guest_span(p, gpa, HV_PAGE_SIZE, HV_MAP_GPA_READABLE | HV_MAP_GPA_WRITABLE,
	               (void **)&page))
		return false;
	if (seq == 0 || seq == 0xFFFFFFFFU)
		seq = 1;
	/* The guest is not running while libhv writes: no reader can see a half-written page. */
	page->tsc_sequence = 0;
	page->reserved1 = 0;
	page->tsc_scale = p->synthetic.clock_scale;
	page->tsc_offset = p->synthetic.clock_offset;
	__atomic_thread_fence(__ATOMIC_RELEASE);
	page->tsc_sequence = seq;
	p->synthetic.tsc_sequence = seq;
	return true;
}

/*
 * Follow the host's TSC frequency. Below 10 MHz the scale would not fit in 64 bits: no clocks.
 * The monitor measures the frequency once; should it ever change, the page is rewritten (the
 * reference time then jumps: libhv does not re-base it).
 */
bool reftime_available(struct hv_partition *p)
{
	struct hv_partition_synthetic *s = &p->synthetic;
	uint64_t hz = hv_globals.host->tsc_frequency ? hv_globals.host->tsc_frequency() : 0;

	if (hz != s->clock_hz) {
		s->clock_hz = hz;
		s->clock_scale = 0;
		s->clock_offset = 0;
		if (hz > UNITS_PER_SECOND) {
			s->clock_scale =
			    (uint64_t)(((unsigned __int128)UNITS_PER_SECOND << 64) / hz);
			s->clock_offset = -(int64_t)mul_hi(s->creation_tsc, s->clock_scale);
		}
		if (s->clock_scale && (s->reference_tsc & HV_REFERENCE_TSC_ENABLE))
			write_tsc_page(p, s->reference_tsc & HV_REFERENCE_TSC_PAGE_MASK);
	}
	return s->clock_scale != 0;
}

uint64_t reftime_at(struct hv_partition *p, uint64_t tsc)
{
	if (!reftime_available(p))
		return 0;
	/* Unsigned wrap-around is the two's-complement sum the guest computes with a signed offset. */
	return mul_hi(tsc, p->synthetic.clock_scale) + (uint64_t)p->synthetic.clock_offset;
}

uint64_t reftime_to_tsc(struct hv_partition *p, uint64_t ref)
{
	uint64_t base, target;
	unsigned __int128 t;

	if (!reftime_available(p))
		return UINT64_MAX;
	/* Smallest tsc with floor(tsc * scale / 2^64) >= ref - offset: a ceiling division. */
	base = (uint64_t)-p->synthetic.clock_offset;
	if (__builtin_add_overflow(ref, base, &target))
		return UINT64_MAX;
	t = (((unsigned __int128)target << 64) + p->synthetic.clock_scale - 1) /
	    p->synthetic.clock_scale;
	return t > UINT64_MAX ? UINT64_MAX : (uint64_t)t;
}

uint64_t reftime_ticks_to_100ns(struct hv_partition *p, uint64_t ticks)
{
	return reftime_available(p) ? mul_hi(ticks, p->synthetic.clock_scale) : 0;
}

uint64_t hv_partition_reference_time(struct hv_partition *p)
{
	return p ? reftime_at(p, synthetic_read_tsc()) : 0;
}

hv_status_t hv_partition_set_apic_frequency(struct hv_partition *p, uint64_t hz)
{
	if (!p)
		return HV_STATUS_INVALID_PARAMETER;
	p->synthetic.apic_hz = hz;
	return HV_STATUS_SUCCESS;
}

/*
 * REFERENCE_TSC: reserved bits 11:1 give #GP. Enabling writes the page at once; a GPA that is
 * not writable RAM of the partition is refused with #GP and the MSR keeps its old value, as the
 * hypercall page is (KVM refuses the same way). The TLFS makes the page an overlay; libhv writes
 * the guest's RAM instead. Disabling leaves the page as it is (the guest then reads the MSR).
 */
static enum syn_msr write_reference_tsc(struct hv_partition *p, uint64_t value)
{
	if (value & HV_REFERENCE_TSC_RESERVED)
		return SYN_MSR_GP;
	if ((value & HV_REFERENCE_TSC_ENABLE) &&
	    !write_tsc_page(p, value & HV_REFERENCE_TSC_PAGE_MASK)) {
		hv_log("partition %s: reference TSC page at GPA %#llx is not writable RAM", p->name,
		       (unsigned long long)(value & HV_REFERENCE_TSC_PAGE_MASK));
		return SYN_MSR_GP;
	}
	p->synthetic.reference_tsc = value;
	return SYN_MSR_DONE;
}

/*
 * Every clock MSR exists only while the clocks do (the CPUID bits say so); without them each
 * access is #GP, like any MSR that is not there. All but REFERENCE_TSC are read-only.
 */
enum syn_msr reftime_msr(struct hv_vp *vp, uint32_t index, bool write, uint64_t *value)
{
	struct hv_partition *p = vp->partition;

	switch (index) {
	case HV_X64_MSR_VP_RUNTIME:
	case HV_X64_MSR_TIME_REF_COUNT:
	case HV_X64_MSR_REFERENCE_TSC:
	case HV_X64_MSR_TSC_FREQUENCY:
	case HV_X64_MSR_APIC_FREQUENCY: break;
	default: return SYN_MSR_UNKNOWN;
	}
	if (!reftime_available(p))
		return SYN_MSR_GP;
	if (write)
		return index == HV_X64_MSR_REFERENCE_TSC ? write_reference_tsc(p, *value)
		                                         : SYN_MSR_GP;
	switch (index) {
	case HV_X64_MSR_VP_RUNTIME:
		*value = reftime_ticks_to_100ns(p, vp->synthetic.run_tsc);
		break;
	case HV_X64_MSR_TIME_REF_COUNT: *value = reftime_at(p, synthetic_read_tsc()); break;
	case HV_X64_MSR_REFERENCE_TSC: *value = p->synthetic.reference_tsc; break;
	case HV_X64_MSR_TSC_FREQUENCY: *value = p->synthetic.clock_hz; break;
	default: /* APIC_FREQUENCY */
		if (!p->synthetic.apic_hz)
			return SYN_MSR_GP;
		*value = p->synthetic.apic_hz;
		break;
	}
	return SYN_MSR_DONE;
}
