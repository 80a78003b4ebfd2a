/* The local APIC model: registers (xAPIC page, x2APIC MSRs), priorities, delivery, LVT, IPIs, timer. */
#include <string.h>

#include "devices/lapic.h"
#include "monitor/lib/errno.h"

/* LVT slot of each LVT offset (offset order), and the bits software may write in it. */
static const uint32_t lvt_rw[LAPIC_LVT_COUNT] = {
    LAPIC_LVT_EVENT_RW, LAPIC_LVT_TIMER_RW, LAPIC_LVT_EVENT_RW, LAPIC_LVT_EVENT_RW,
    LAPIC_LVT_LINT_RW,  LAPIC_LVT_LINT_RW,  LAPIC_LVT_ERROR_RW,
};

static int lvt_slot(uint32_t offset)
{
	if (offset == LAPIC_LVT_CMCI)
		return 0;
	if (offset >= LAPIC_LVT_TIMER && offset <= LAPIC_LVT_ERROR)
		return (int)((offset - LAPIC_LVT_TIMER) >> 4) + 1;
	return -1;
}

static bool test_bit(const uint32_t bank[8], uint8_t v)
{
	return (bank[v >> 5] >> (v & 31U)) & 1U;
}

static void set_bit(uint32_t bank[8], uint8_t v)
{
	bank[v >> 5] |= 1U << (v & 31U);
}

static void clear_bit(uint32_t bank[8], uint8_t v)
{
	bank[v >> 5] &= ~(1U << (v & 31U));
}

/* The highest vector set in a 256-bit bank, or -1. */
static int highest_vector(const uint32_t bank[8])
{
	for (int i = 7; i >= 0; i--)
		if (bank[i])
			return i * 32 + 31 - __builtin_clz(bank[i]);
	return -1;
}

/* The register state as power-up leaves it; IA32_APIC_BASE, ID and wiring are the caller's. */
static void reset_registers(struct lapic *apic)
{
	apic->xapic_id = apic->id << 24;
	apic->tpr = apic->ldr = apic->esr = apic->esr_pending = 0;
	apic->dfr = 0xFFFFFFFFU;
	apic->svr = LAPIC_SVR_RESET;
	memset(apic->isr, 0, sizeof(apic->isr));
	memset(apic->tmr, 0, sizeof(apic->tmr));
	memset(apic->irr, 0, sizeof(apic->irr));
	memset(apic->auto_eoi, 0, sizeof(apic->auto_eoi));
	for (unsigned i = 0; i < LAPIC_LVT_COUNT; i++)
		apic->lvt[i] = LAPIC_LVT_MASKED;
	/* Firmware's virtual-wire mode on the BSP (QEMU and KVM reset it this way too): without
	 * it a guest that never programs its APIC would get no PIC interrupt. */
	if (apic->virtual_wire)
		apic->lvt[LAPIC_LVT_SLOT_LINT0] = LAPIC_DM_EXTINT;
	apic->icr_low = apic->icr_high = 0;
	apic->timer_initial = apic->timer_base = apic->dcr = 0;
	apic->timer_start_ns = apic->timer_fired = 0;
	apic->timer_running = false;
	apic->tsc_deadline = 0;
	apic->nmi_pending = false;
}

void lapic_init(struct lapic *apic, uint8_t apic_id, const struct clock *clock)
{
	memset(apic, 0, sizeof(*apic));
	if (clock)
		apic->clock = *clock;
	apic->id = apic_id;
	apic->apic_base = LAPIC_BASE | LAPIC_BASE_EN | (apic_id == 0 ? LAPIC_BASE_BSP : 0);
	reset_registers(apic);
}

void lapic_set_bus(struct lapic *apic, const struct lapic_bus *bus)
{
	apic->bus = bus ? *bus : (struct lapic_bus){0};
}

void lapic_set_virtual_wire(struct lapic *apic)
{
	apic->virtual_wire = true;
	apic->lvt[LAPIC_LVT_SLOT_LINT0] = LAPIC_DM_EXTINT;
}

bool lapic_access_is_valid(uint64_t offset, unsigned len)
{
	return len == 4 && (offset & 0xFU) == 0 && offset < LAPIC_SIZE;
}

bool lapic_is_hw_enabled(const struct lapic *apic)
{
	return (apic->apic_base & LAPIC_BASE_EN) != 0;
}

bool lapic_is_sw_enabled(const struct lapic *apic)
{
	return lapic_is_hw_enabled(apic) && (apic->svr & LAPIC_SVR_ENABLE) != 0;
}

bool lapic_is_x2apic(const struct lapic *apic)
{
	return (apic->apic_base & (LAPIC_BASE_EN | LAPIC_BASE_EXTD)) ==
	       (LAPIC_BASE_EN | LAPIC_BASE_EXTD);
}

/* The highest vector set, 0 for none: what the priority formulas take. */
static uint32_t highest_or_zero(const uint32_t bank[8])
{
	int v = highest_vector(bank);

	return v < 0 ? 0 : (uint32_t)v;
}

uint32_t lapic_ppr(const struct lapic *apic)
{
	uint32_t isrv = highest_or_zero(apic->isr);

	return (apic->tpr & 0xF0U) >= (isrv & 0xF0U) ? apic->tpr : isrv & 0xF0U;
}

/* Arbitration priority, per the SDM's "Arbitration Priority Register". */
static uint32_t apr(const struct lapic *apic)
{
	uint32_t isrv = highest_or_zero(apic->isr) >> 4, irrv = highest_or_zero(apic->irr) >> 4;
	uint32_t tpr = apic->tpr >> 4, m;

	if (tpr >= irrv && tpr > isrv)
		return apic->tpr;
	m = tpr > isrv ? tpr : isrv;
	m = m > irrv ? m : irrv;
	return m << 4;
}

static void raise_error(struct lapic *apic, uint32_t bits);

bool lapic_accept(struct lapic *apic, uint8_t vector, bool level, bool auto_eoi)
{
	if (!lapic_is_hw_enabled(apic))
		return false;
	if (vector < 16U) {
		/* SDM "Error Handling": an illegal vector is not requested, only reported. */
		raise_error(apic, LAPIC_ESR_RECV_ILLEGAL_VECTOR);
		return false;
	}
	/* A software-disabled APIC holds what it has; it still takes requests into IRR (as QEMU
	 * and KVM do) and delivers them once enabled. */
	set_bit(apic->irr, vector);
	if (level)
		set_bit(apic->tmr, vector);
	else
		clear_bit(apic->tmr, vector);
	if (auto_eoi)
		set_bit(apic->auto_eoi, vector);
	else
		clear_bit(apic->auto_eoi, vector);
	return true;
}

void lapic_accept_nmi(struct lapic *apic)
{
	if (lapic_is_hw_enabled(apic))
		apic->nmi_pending = true;
}

/*
 * An error condition: latched into the pending ESR bits, and reported through the error LVT
 * when a new bit appears (its vector, fixed delivery, unless masked).
 */
static void raise_error(struct lapic *apic, uint32_t bits)
{
	uint32_t lvt = apic->lvt[LAPIC_LVT_SLOT_ERROR];
	bool fresh = (apic->esr_pending & bits) != bits;

	apic->esr_pending |= bits;
	/* An illegal error vector would recurse into itself: only a legal one is requested. */
	if (fresh && !(lvt & LAPIC_LVT_MASKED) && (lvt & LAPIC_LVT_VECTOR) >= 16U)
		lapic_accept(apic, (uint8_t)(lvt & LAPIC_LVT_VECTOR), false, false);
}

/* An interrupt from a local vector table entry (timer, LINT in Fixed mode, thermal, ...). */
static void fire_lvt(struct lapic *apic, unsigned slot, bool level)
{
	uint32_t lvt = apic->lvt[slot];

	if ((lvt & LAPIC_LVT_MASKED) || !lapic_is_sw_enabled(apic))
		return;
	switch (lvt & LAPIC_LVT_DELMODE) {
	case LAPIC_DM_FIXED:
		lapic_accept(apic, (uint8_t)(lvt & LAPIC_LVT_VECTOR), level, false);
		break;
	case LAPIC_DM_NMI: lapic_accept_nmi(apic); break;
	default: break; /* SMI, INIT: not modelled; ExtINT: the platform reads the PIC */
	}
}

/* ---- Timer ---- */

/* Divide configuration: bits 3, 1:0 give 2, 4, ..., 128, and 111b divides by 1. */
static unsigned divide_shift(uint32_t dcr)
{
	unsigned v = ((dcr >> 1) & 4U) | (dcr & 3U);

	return (v + 1U) & 7U;
}

static uint32_t timer_mode(const struct lapic *apic)
{
	return apic->lvt[LAPIC_LVT_SLOT_TIMER] & LAPIC_LVT_TIMER_MODE;
}

static bool is_periodic(const struct lapic *apic)
{
	return timer_mode(apic) == LAPIC_LVT_PERIODIC;
}

static bool is_tsc_deadline(const struct lapic *apic)
{
	return timer_mode(apic) == LAPIC_LVT_TSC_DEADLINE;
}

/* Timer counts since timer_start_ns at clock time `now`. */
static uint64_t counts_elapsed(const struct lapic *apic, uint64_t now)
{
	if (now <= apic->timer_start_ns)
		return 0;
	return clock_ns_to_ticks(now - apic->timer_start_ns, LAPIC_BUS_HZ) >>
	       divide_shift(apic->dcr);
}

/* How many times the counter has reached zero since timer_start_ns, at `now`. */
static uint64_t expirations(const struct lapic *apic, uint64_t now)
{
	uint64_t e = counts_elapsed(apic, now);

	if (e < apic->timer_base)
		return 0;
	if (!is_periodic(apic))
		return 1;
	return 1 + (e - apic->timer_base) / apic->timer_initial;
}

/* The clock time of the k-th expiry since timer_start_ns (k >= 1). */
static uint64_t expiry_ns(const struct lapic *apic, uint64_t k)
{
	uint64_t counts = apic->timer_base + (k - 1) * (uint64_t)apic->timer_initial;

	return apic->timer_start_ns +
	       clock_ticks_to_ns(counts << divide_shift(apic->dcr), LAPIC_BUS_HZ);
}

uint32_t lapic_timer_current(struct lapic *apic)
{
	uint64_t e;

	lapic_update(apic);
	if (!apic->timer_running || is_tsc_deadline(apic))
		return 0; /* stopped, one-shot done, or TSC-deadline mode (which reads 0) */
	e = counts_elapsed(apic, clock_now_ns(&apic->clock));
	if (e < apic->timer_base)
		return apic->timer_base - (uint32_t)e;
	/* Periodic: reloads from the initial count each time it reaches zero. */
	e -= apic->timer_base;
	return apic->timer_initial - (uint32_t)(e % apic->timer_initial);
}

void lapic_update(struct lapic *apic)
{
	uint64_t now = clock_now_ns(&apic->clock), n;

	if (is_tsc_deadline(apic)) {
		if (apic->tsc_deadline != 0 &&
		    now >= clock_tsc_to_ns(&apic->clock, apic->tsc_deadline)) {
			apic->tsc_deadline = 0; /* fires once, then disarms */
			fire_lvt(apic, LAPIC_LVT_SLOT_TIMER, false);
		}
		return;
	}
	if (!apic->timer_running)
		return;
	n = expirations(apic, now);
	if (n <= apic->timer_fired)
		return;
	/* However many periods went by, one request: IRR holds one bit per vector. */
	apic->timer_fired = n;
	if (!is_periodic(apic))
		apic->timer_running = false;
	fire_lvt(apic, LAPIC_LVT_SLOT_TIMER, false);
}

uint64_t lapic_next_event_ns(struct lapic *apic)
{
	uint32_t lvt = apic->lvt[LAPIC_LVT_SLOT_TIMER];

	lapic_update(apic);
	if ((lvt & LAPIC_LVT_MASKED) || !lapic_is_sw_enabled(apic))
		return UINT64_MAX;
	/* While its vector waits in IRR, another expiry would change nothing the guest can see
	 * (the count is computed when read): nothing to wake for until the VP takes it. This
	 * also bounds a tiny period to the rate the guest accepts interrupts. */
	if (!is_tsc_deadline(apic) && (lvt & LAPIC_LVT_VECTOR) >= 16U &&
	    test_bit(apic->irr, (uint8_t)(lvt & LAPIC_LVT_VECTOR)))
		return UINT64_MAX;
	if (is_tsc_deadline(apic))
		return apic->tsc_deadline ? clock_tsc_to_ns(&apic->clock, apic->tsc_deadline)
		                          : UINT64_MAX;
	if (!apic->timer_running)
		return UINT64_MAX;
	return expiry_ns(apic, apic->timer_fired + 1);
}

/* Restart counting from `count` now, keeping the initial count for reloads. */
static void timer_rebase(struct lapic *apic, uint32_t count)
{
	apic->timer_base = count;
	apic->timer_start_ns = clock_now_ns(&apic->clock);
	apic->timer_fired = 0;
	apic->timer_running = count != 0;
}

static void write_timer_lvt(struct lapic *apic, uint32_t v)
{
	uint32_t old_mode = timer_mode(apic), current;
	uint32_t *lvt = &apic->lvt[LAPIC_LVT_SLOT_TIMER];

	current = lapic_timer_current(apic); /* also fires what was due under the old setting */
	*lvt = (*lvt & ~LAPIC_LVT_TIMER_RW) | (v & LAPIC_LVT_TIMER_RW);
	if (!lapic_is_sw_enabled(apic))
		*lvt |= LAPIC_LVT_MASKED;
	if ((old_mode == LAPIC_LVT_TSC_DEADLINE) != is_tsc_deadline(apic)) {
		/* SDM "TSC-Deadline Mode": a change to or from TSC-deadline mode disarms the timer. */
		apic->timer_initial = 0;
		apic->timer_running = false;
		apic->tsc_deadline = 0;
	} else if (old_mode != timer_mode(apic) && apic->timer_running) {
		/* One-shot <-> periodic: the count goes on from where it is. */
		timer_rebase(apic, current);
	}
}

static void write_timer_initial(struct lapic *apic, uint32_t v)
{
	/* In TSC-deadline mode the initial count is ignored. */
	if (is_tsc_deadline(apic))
		return;
	/* Writing the initial count (re)starts the count-down from it; 0 stops it. */
	apic->timer_initial = v;
	timer_rebase(apic, v);
}

static void write_timer_divide(struct lapic *apic, uint32_t v)
{
	uint32_t current = lapic_timer_current(apic);

	/* A new divider takes effect from the current count on. */
	apic->dcr = v & LAPIC_DCR_RW;
	if (apic->timer_running)
		timer_rebase(apic, current);
}

/* ---- Delivery ---- */

int lapic_pending_vector(struct lapic *apic)
{
	int v;

	lapic_update(apic);
	if (!lapic_is_sw_enabled(apic))
		return -1;
	v = highest_vector(apic->irr);
	if (v < 0 || ((uint32_t)v & 0xF0U) <= (lapic_ppr(apic) & 0xF0U))
		return -1;
	return v;
}

void lapic_vector_taken(struct lapic *apic, uint8_t vector)
{
	if (!test_bit(apic->irr, vector))
		return;
	clear_bit(apic->irr, vector);
	if (test_bit(apic->auto_eoi, vector)) {
		clear_bit(apic->auto_eoi, vector);
		return;
	}
	set_bit(apic->isr, vector);
}

bool lapic_take_nmi(struct lapic *apic)
{
	bool nmi = apic->nmi_pending;

	apic->nmi_pending = false;
	return nmi;
}

/* A LINT pin in level-triggered Fixed mode: requested while high and not already accepted. */
static void service_lint(struct lapic *apic, unsigned pin)
{
	unsigned slot = LAPIC_LVT_SLOT_LINT0 + pin;
	uint32_t *lvt = &apic->lvt[slot];

	if (!apic->lint_level[pin] || (*lvt & LAPIC_LVT_REMOTE_IRR) || (*lvt & LAPIC_LVT_MASKED) ||
	    (*lvt & LAPIC_LVT_DELMODE) != LAPIC_DM_FIXED || !lapic_is_sw_enabled(apic))
		return;
	if (lapic_accept(apic, (uint8_t)(*lvt & LAPIC_LVT_VECTOR), true, false))
		*lvt |= LAPIC_LVT_REMOTE_IRR;
}

void lapic_eoi(struct lapic *apic)
{
	int v = highest_vector(apic->isr);

	if (v < 0)
		return;
	clear_bit(apic->isr, (uint8_t)v);
	if (!test_bit(apic->tmr, (uint8_t)v))
		return;
	clear_bit(apic->tmr, (uint8_t)v);
	/* A level-triggered LINT entry with this vector waits for this EOI. */
	for (unsigned pin = 0; pin < 2; pin++) {
		uint32_t *lvt = &apic->lvt[LAPIC_LVT_SLOT_LINT0 + pin];

		if ((*lvt & LAPIC_LVT_REMOTE_IRR) && (*lvt & LAPIC_LVT_VECTOR) == (uint32_t)v) {
			*lvt &= ~LAPIC_LVT_REMOTE_IRR;
			service_lint(apic, pin);
		}
	}
	/* The EOI message to the I/O APIC (no directed-EOI support: SVR bit 12 is reserved). */
	if (apic->bus.eoi)
		apic->bus.eoi(apic->bus.opaque, (uint8_t)v);
}

void lapic_set_lint(struct lapic *apic, unsigned pin, bool level)
{
	uint32_t lvt;
	bool rising;

	if (pin > 1)
		return;
	rising = level && !apic->lint_level[pin];
	apic->lint_level[pin] = level;
	lvt = apic->lvt[LAPIC_LVT_SLOT_LINT0 + pin];
	if ((lvt & LAPIC_LVT_DELMODE) == LAPIC_DM_FIXED && (lvt & LAPIC_LVT_LEVEL))
		service_lint(apic, pin);
	else if (rising && (lvt & LAPIC_LVT_DELMODE) != LAPIC_DM_EXTINT)
		fire_lvt(apic, LAPIC_LVT_SLOT_LINT0 + pin, false); /* NMI is always edge */
}

bool lapic_lint0_extint(const struct lapic *apic)
{
	uint32_t lvt = apic->lvt[LAPIC_LVT_SLOT_LINT0];

	if (!lapic_is_hw_enabled(apic))
		return true;
	/* The mask bit decides, not SVR: software disable sets it, and the BSP's reset state
	 * (virtual wire) has it clear with SVR still off, which is how firmware boots. */
	return !(lvt & LAPIC_LVT_MASKED) && (lvt & LAPIC_LVT_DELMODE) == LAPIC_DM_EXTINT;
}

uint8_t lapic_tpr(const struct lapic *apic)
{
	return (uint8_t)apic->tpr;
}

void lapic_set_tpr(struct lapic *apic, uint8_t tpr)
{
	apic->tpr = tpr;
}

/* The logical destination register: written in xAPIC mode, derived from the ID in x2APIC
 * mode (SDM "Logical Destination Mode in x2APIC Mode": cluster in 31:16, one bit in 15:0). */
static uint32_t ldr(const struct lapic *apic)
{
	if (lapic_is_x2apic(apic))
		return ((apic->id >> 4) << 16) | (1U << (apic->id & 0xFU));
	return apic->ldr;
}

bool lapic_matches(const struct lapic *apic, uint32_t dest, bool logical)
{
	uint32_t l = ldr(apic);

	if (!lapic_is_hw_enabled(apic))
		return false;
	if (lapic_is_x2apic(apic)) {
		if (dest == LAPIC_X2APIC_BROADCAST)
			return true;
		if (!logical)
			return dest == apic->id;
		return (dest >> 16) == (l >> 16) && (dest & l & 0xFFFFU) != 0;
	}
	dest &= 0xFFU;
	if (dest == 0xFFU)
		return true; /* broadcast, in both modes */
	if (!logical)
		return dest == (apic->xapic_id >> 24);
	l >>= 24;
	if ((apic->dfr & LAPIC_DFR_MASK) == LAPIC_DFR_MASK)
		return (dest & l) != 0; /* flat model */
	/* Cluster model: cluster in the high nibble, members in the low one. */
	return (dest >> 4) == (l >> 4) && (dest & l & 0xFU) != 0;
}

/* Deliver an IPI this APIC sends to itself (shorthand self, or its own ID with no bus). */
static void deliver_to_self(struct lapic *apic, uint32_t icr)
{
	switch (icr & LAPIC_ICR_DELMODE) {
	case LAPIC_DM_FIXED:
	case LAPIC_DM_LOWEST:
		lapic_accept(apic, (uint8_t)(icr & LAPIC_ICR_VECTOR),
		             (icr & LAPIC_ICR_TRIGGER_LEVEL) != 0, false);
		break;
	case LAPIC_DM_NMI: lapic_accept_nmi(apic); break;
	default: apic->ipis_ignored++; break;
	}
}

/* An ICR write: the IPI goes out at once (delivery status never reads "send pending"). */
static void send_ipi(struct lapic *apic, uint32_t icr, uint32_t dest)
{
	uint32_t mode = icr & LAPIC_ICR_DELMODE, sh = icr & LAPIC_ICR_SHORTHAND;

	if ((mode == LAPIC_DM_FIXED || mode == LAPIC_DM_LOWEST) && (icr & LAPIC_ICR_VECTOR) < 16U) {
		/* SDM "Error Handling": an illegal vector is not sent. */
		raise_error(apic, LAPIC_ESR_SEND_ILLEGAL_VECTOR);
		return;
	}
	if (sh == LAPIC_SH_SELF) {
		/* Self allows only fixed delivery; other modes are undefined: ignore them. */
		if (mode == LAPIC_DM_FIXED)
			deliver_to_self(apic, icr);
		else
			apic->ipis_ignored++;
		return;
	}
	if (apic->bus.send_ipi) {
		apic->bus.send_ipi(apic->bus.opaque, apic, icr, dest);
		return;
	}
	/* Alone on no bus: only messages that reach this APIC arrive anywhere. */
	if (sh == LAPIC_SH_ALL ||
	    (sh == LAPIC_SH_NONE && lapic_matches(apic, dest, (icr & LAPIC_ICR_LOGICAL) != 0)))
		deliver_to_self(apic, icr);
}

/* ---- Register file ---- */

static uint32_t read_register(struct lapic *apic, uint32_t off)
{
	int slot = lvt_slot(off);

	if (slot >= 0) {
		lapic_update(apic);
		return apic->lvt[slot];
	}
	if (off >= LAPIC_ISR && off < LAPIC_ISR + 0x80U)
		return apic->isr[(off - LAPIC_ISR) >> 4];
	if (off >= LAPIC_TMR && off < LAPIC_TMR + 0x80U)
		return apic->tmr[(off - LAPIC_TMR) >> 4];
	if (off >= LAPIC_IRR && off < LAPIC_IRR + 0x80U) {
		lapic_update(apic);
		return apic->irr[(off - LAPIC_IRR) >> 4];
	}
	switch (off) {
	case LAPIC_ID: return lapic_is_x2apic(apic) ? apic->id : apic->xapic_id;
	case LAPIC_VERSION: return LAPIC_VERSION_VALUE;
	case LAPIC_TPR: return apic->tpr;
	case LAPIC_APR: return apr(apic);
	case LAPIC_PPR: return lapic_ppr(apic);
	case LAPIC_LDR: return ldr(apic);
	case LAPIC_DFR: return apic->dfr;
	case LAPIC_SVR: return apic->svr;
	case LAPIC_ESR: return apic->esr;
	case LAPIC_ICR_LOW: return apic->icr_low;
	case LAPIC_ICR_HIGH: return apic->icr_high;
	case LAPIC_TIMER_ICR: return apic->timer_initial;
	case LAPIC_TIMER_CCR: return lapic_timer_current(apic);
	case LAPIC_TIMER_DCR: return apic->dcr;
	default: return 0; /* EOI and RRD read 0; reserved offsets too */
	}
}

static void write_svr(struct lapic *apic, uint32_t v)
{
	lapic_update(apic);
	apic->svr = v & LAPIC_SVR_MASK;
	/* A software-disabled APIC keeps every LVT masked (SDM: "Local APIC State After It Has
	 * Been Software Disabled"). */
	if (!(apic->svr & LAPIC_SVR_ENABLE))
		for (unsigned i = 0; i < LAPIC_LVT_COUNT; i++)
			apic->lvt[i] |= LAPIC_LVT_MASKED;
}

static void write_lvt(struct lapic *apic, unsigned slot, uint32_t v)
{
	uint32_t *lvt = &apic->lvt[slot];

	if (slot == LAPIC_LVT_SLOT_TIMER) {
		write_timer_lvt(apic, v);
		return;
	}
	*lvt = (*lvt & ~lvt_rw[slot]) | (v & lvt_rw[slot]);
	if (!lapic_is_sw_enabled(apic))
		*lvt |= LAPIC_LVT_MASKED;
	/* Switching a LINT to edge forgets its remote IRR; a level pin may now request. */
	if (slot == LAPIC_LVT_SLOT_LINT0 || slot == LAPIC_LVT_SLOT_LINT1) {
		if (!(*lvt & LAPIC_LVT_LEVEL))
			*lvt &= ~LAPIC_LVT_REMOTE_IRR;
		else
			service_lint(apic, slot - LAPIC_LVT_SLOT_LINT0);
	}
}

/* Registers both modes write the same way; false for offsets that are not one of them. */
static bool write_common(struct lapic *apic, uint32_t off, uint32_t v)
{
	int slot = lvt_slot(off);

	if (slot >= 0) {
		write_lvt(apic, (unsigned)slot, v);
		return true;
	}
	switch (off) {
	case LAPIC_TPR: apic->tpr = v & LAPIC_TPR_MASK; return true;
	case LAPIC_EOI: lapic_eoi(apic); return true;
	case LAPIC_SVR: write_svr(apic, v); return true;
	case LAPIC_ESR:
		/* A write latches the errors seen since the last one, and clears them. */
		apic->esr = apic->esr_pending;
		apic->esr_pending = 0;
		return true;
	case LAPIC_TIMER_ICR:
		lapic_update(apic);
		write_timer_initial(apic, v);
		return true;
	case LAPIC_TIMER_DCR: write_timer_divide(apic, v); return true;
	default: return false;
	}
}

static void write_register(struct lapic *apic, uint32_t off, uint32_t v)
{
	if (write_common(apic, off, v))
		return;
	switch (off) {
	case LAPIC_ID: apic->xapic_id = v & LAPIC_ID_MASK; return;
	case LAPIC_LDR: apic->ldr = v & LAPIC_LDR_MASK; return;
	case LAPIC_DFR: apic->dfr = (v & LAPIC_DFR_MASK) | ~LAPIC_DFR_MASK; return;
	case LAPIC_ICR_LOW:
		apic->icr_low = v & LAPIC_ICR_LOW_RW;
		send_ipi(apic, apic->icr_low, apic->icr_high >> 24);
		return;
	case LAPIC_ICR_HIGH: apic->icr_high = v & LAPIC_ICR_HIGH_RW; return;
	default: return; /* read-only or reserved */
	}
}

/* The page answers only in xAPIC mode; otherwise the SDM says the range no longer decodes. */
static bool page_is_present(struct lapic *apic)
{
	if (lapic_is_hw_enabled(apic) && !lapic_is_x2apic(apic))
		return true;
	apic->mmio_while_off++;
	return false;
}

static void lapic_mmio_read(void *opaque, uint64_t offset, void *buf, unsigned len)
{
	struct lapic *apic = opaque;
	uint32_t v;

	memset(buf, 0, len);
	if (!lapic_access_is_valid(offset, len)) {
		apic->bad_accesses++;
		return;
	}
	if (!page_is_present(apic))
		return;
	v = read_register(apic, (uint32_t)offset);
	memcpy(buf, &v, 4);
}

static void lapic_mmio_write(void *opaque, uint64_t offset, const void *buf, unsigned len)
{
	struct lapic *apic = opaque;
	uint32_t v;

	if (!lapic_access_is_valid(offset, len)) {
		apic->bad_accesses++;
		return;
	}
	if (!page_is_present(apic))
		return;
	memcpy(&v, buf, 4);
	write_register(apic, (uint32_t)offset, v);
}

const struct mmio_device_ops lapic_mmio_ops = {
    .read = lapic_mmio_read,
    .write = lapic_mmio_write,
};

/* ---- x2APIC MSRs and IA32_TSC_DEADLINE ---- */

/* x2APIC registers that exist (SDM "x2APIC Register Address Space"), by xAPIC offset. */
static bool x2apic_exists(uint32_t off)
{
	if ((off >= LAPIC_ISR && off < LAPIC_IRR + 0x80U) || lvt_slot(off) >= 0)
		return true;
	switch (off) {
	case LAPIC_ID:
	case LAPIC_VERSION:
	case LAPIC_TPR:
	case LAPIC_PPR:
	case LAPIC_EOI:
	case LAPIC_LDR:
	case LAPIC_SVR:
	case LAPIC_ESR:
	case LAPIC_ICR_LOW:
	case LAPIC_TIMER_ICR:
	case LAPIC_TIMER_CCR:
	case LAPIC_TIMER_DCR:
	case LAPIC_SELF_IPI: return true;
	default: return false; /* APR, RRD, DFR, ICR high (0x831) and the gaps */
	}
}

static int tsc_deadline_read(struct lapic *apic, uint64_t *value)
{
	lapic_update(apic);
	/* Outside TSC-deadline mode the register reads 0 (SDM "TSC-Deadline Mode"). */
	*value = lapic_is_hw_enabled(apic) && is_tsc_deadline(apic) ? apic->tsc_deadline : 0;
	return 0;
}

static int tsc_deadline_write(struct lapic *apic, uint64_t value)
{
	/* Ignored outside TSC-deadline mode; 0 disarms; a deadline already past fires now. */
	if (!lapic_is_hw_enabled(apic) || !is_tsc_deadline(apic))
		return 0;
	apic->tsc_deadline = value;
	lapic_update(apic);
	return 0;
}

int lapic_msr_read(struct lapic *apic, uint32_t msr, uint64_t *value)
{
	uint32_t off = (msr - LAPIC_MSR_X2APIC_FIRST) << 4;

	if (msr == LAPIC_MSR_TSC_DEADLINE)
		return tsc_deadline_read(apic, value);
	if (msr < LAPIC_MSR_X2APIC_FIRST || msr > LAPIC_MSR_X2APIC_LAST)
		return -ENOENT;
	if (!lapic_is_x2apic(apic) || !x2apic_exists(off) || off == LAPIC_EOI ||
	    msr == LAPIC_MSR_SELF_IPI)
		return -EINVAL;
	if (msr == LAPIC_MSR_ICR) {
		*value = (uint64_t)apic->icr_high << 32 | apic->icr_low;
		return 0;
	}
	*value = read_register(apic, off);
	return 0;
}

int lapic_msr_write(struct lapic *apic, uint32_t msr, uint64_t value)
{
	uint32_t off = (msr - LAPIC_MSR_X2APIC_FIRST) << 4, v = (uint32_t)value;

	if (msr == LAPIC_MSR_TSC_DEADLINE)
		return tsc_deadline_write(apic, value);
	if (msr < LAPIC_MSR_X2APIC_FIRST || msr > LAPIC_MSR_X2APIC_LAST)
		return -ENOENT;
	if (!lapic_is_x2apic(apic) || !x2apic_exists(off))
		return -EINVAL;
	if (msr == LAPIC_MSR_ICR) {
		/* One write sends: destination in 63:32, the low half as in xAPIC mode. */
		if (v & ~LAPIC_ICR_LOW_RW)
			return -EINVAL;
		apic->icr_low = v;
		apic->icr_high = (uint32_t)(value >> 32);
		send_ipi(apic, v, apic->icr_high);
		return 0;
	}
	if (value >> 32)
		return -EINVAL; /* reserved bits 63:32 of every 32-bit register */
	switch (off) {
	case LAPIC_TPR:
		if (v & ~LAPIC_TPR_MASK)
			return -EINVAL;
		break;
	case LAPIC_EOI:
	case LAPIC_ESR:
		/* Only 0 may be written (SDM "x2APIC Register Availability"). */
		if (v != 0)
			return -EINVAL;
		break;
	case LAPIC_SELF_IPI:
		if (v & ~LAPIC_ICR_VECTOR)
			return -EINVAL;
		/* SELF IPI: a fixed, edge-triggered interrupt to this APIC. */
		send_ipi(apic, LAPIC_SH_SELF | v, 0);
		return 0;
	default: break;
	}
	return write_common(apic, off, v) ? 0 : -EINVAL; /* the rest are read-only */
}

/* ---- IA32_APIC_BASE ---- */

uint64_t lapic_base_msr(const struct lapic *apic)
{
	return apic->apic_base;
}

int lapic_set_base_msr(struct lapic *apic, uint64_t value)
{
	const uint64_t allowed = LAPIC_BASE_ADDR | LAPIC_BASE_EN | LAPIC_BASE_EXTD | LAPIC_BASE_BSP;
	bool en = value & LAPIC_BASE_EN, extd = value & LAPIC_BASE_EXTD;
	bool was_en = lapic_is_hw_enabled(apic), was_x2 = lapic_is_x2apic(apic);

	if ((value & ~allowed) || (value & LAPIC_BASE_ADDR) != LAPIC_BASE)
		return -EINVAL;
	/* The BSP flag is the processor's: a write cannot change it. */
	value = (value & ~LAPIC_BASE_BSP) | (apic->apic_base & LAPIC_BASE_BSP);
	/* SDM "x2APIC State Transitions": EXTD without EN is invalid; x2APIC may only be left
	 * by disabling; x2APIC is entered only from xAPIC mode. */
	if (extd && !en)
		return -EINVAL;
	if (was_x2 && en && !extd)
		return -EINVAL;
	if (!was_en && extd)
		return -EINVAL;
	apic->apic_base = value;
	if (was_en && !en) {
		/* Disabled: the APIC's state is lost; re-enabling finds the power-up state. */
		reset_registers(apic);
	} else if (!was_x2 && extd) {
		/* Entering x2APIC mode: the ID register reads the x2APIC (initial) ID, the LDR is
		 * derived from it; the rest carries over. */
		apic->xapic_id = apic->id << 24;
	}
	return 0;
}
