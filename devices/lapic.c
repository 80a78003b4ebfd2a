/* The xAPIC register model: read/write masks per register, computed priorities, the timer's count. */
#include <string.h>

#include "devices/lapic.h"

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

void lapic_init(struct lapic *apic, uint8_t apic_id, const struct clock *clock)
{
	memset(apic, 0, sizeof(*apic));
	if (clock)
		apic->clock = *clock;
	apic->id = (uint32_t)apic_id << 24;
	apic->dfr = 0xFFFFFFFFU;
	apic->svr = LAPIC_SVR_RESET;
	for (unsigned i = 0; i < LAPIC_LVT_COUNT; i++)
		apic->lvt[i] = LAPIC_LVT_MASKED;
}

bool lapic_access_is_valid(uint64_t offset, unsigned len)
{
	return len == 4 && (offset & 0xFU) == 0 && offset < LAPIC_SIZE;
}

/* The highest vector set in a 256-bit bank, or 0. */
static uint32_t highest_vector(const uint32_t bank[8])
{
	for (int i = 7; i >= 0; i--)
		if (bank[i])
			return (uint32_t)i * 32U + 31U - (uint32_t)__builtin_clz(bank[i]);
	return 0;
}

uint32_t lapic_ppr(const struct lapic *apic)
{
	uint32_t isrv = highest_vector(apic->isr);

	return (apic->tpr & 0xF0U) >= (isrv & 0xF0U) ? apic->tpr : isrv & 0xF0U;
}

/* Arbitration priority, per the SDM's "Arbitration Priority Register". */
static uint32_t apr(const struct lapic *apic)
{
	uint32_t isrv = highest_vector(apic->isr) >> 4, irrv = highest_vector(apic->irr) >> 4;
	uint32_t tpr = apic->tpr >> 4, m;

	if (tpr >= irrv && tpr > isrv)
		return apic->tpr;
	m = tpr > isrv ? tpr : isrv;
	m = m > irrv ? m : irrv;
	return m << 4;
}

/* Divide configuration: bits 3, 1:0 give 2, 4, ..., 128, and 111b divides by 1. */
static unsigned divide_shift(uint32_t dcr)
{
	unsigned v = ((dcr >> 1) & 4U) | (dcr & 3U);

	return (v + 1U) & 7U;
}

/* Timer counts since timer_start_ns. */
static uint64_t counts_elapsed(const struct lapic *apic)
{
	uint64_t now = clock_now_ns(&apic->clock);

	if (now <= apic->timer_start_ns)
		return 0;
	return clock_ns_to_ticks(now - apic->timer_start_ns, LAPIC_BUS_HZ) >>
	       divide_shift(apic->dcr);
}

uint32_t lapic_timer_current(struct lapic *apic)
{
	uint64_t e;

	if (apic->timer_initial == 0)
		return 0;
	e = counts_elapsed(apic);
	if (e < apic->timer_base)
		return apic->timer_base - (uint32_t)e;
	if (!(apic->lvt[1] & LAPIC_LVT_PERIODIC))
		return 0; /* one-shot: stops at zero */
	/* Periodic: reloads from the initial count each time it reaches zero. */
	e -= apic->timer_base;
	return apic->timer_initial - (uint32_t)(e % apic->timer_initial);
}

static uint32_t read_register(struct lapic *apic, uint32_t off)
{
	int slot = lvt_slot(off);

	if (slot >= 0)
		return apic->lvt[slot];
	if (off >= LAPIC_ISR && off < LAPIC_ISR + 0x80U)
		return apic->isr[(off - LAPIC_ISR) >> 4];
	if (off >= LAPIC_TMR && off < LAPIC_TMR + 0x80U)
		return apic->tmr[(off - LAPIC_TMR) >> 4];
	if (off >= LAPIC_IRR && off < LAPIC_IRR + 0x80U)
		return apic->irr[(off - LAPIC_IRR) >> 4];
	switch (off) {
	case LAPIC_ID: return apic->id;
	case LAPIC_VERSION: return LAPIC_VERSION_VALUE;
	case LAPIC_TPR: return apic->tpr;
	case LAPIC_APR: return apr(apic);
	case LAPIC_PPR: return lapic_ppr(apic);
	case LAPIC_LDR: return apic->ldr;
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

static bool is_enabled(const struct lapic *apic)
{
	return (apic->svr & LAPIC_SVR_ENABLE) != 0;
}

static void write_register(struct lapic *apic, uint32_t off, uint32_t v)
{
	int slot = lvt_slot(off);
	uint32_t current, vector;

	if (slot >= 0) {
		apic->lvt[slot] = (apic->lvt[slot] & ~lvt_rw[slot]) | (v & lvt_rw[slot]);
		/* A software-disabled APIC keeps every LVT masked (SDM: "Local APIC State After
		 * It Has Been Software Disabled"). */
		if (!is_enabled(apic))
			apic->lvt[slot] |= LAPIC_LVT_MASKED;
		return;
	}
	switch (off) {
	case LAPIC_ID: apic->id = v & LAPIC_ID_MASK; return;
	case LAPIC_TPR: apic->tpr = v & LAPIC_TPR_MASK; return;
	case LAPIC_EOI:
		/* Ends the highest-priority interrupt in service (none is, until delivery). */
		vector = highest_vector(apic->isr);
		apic->isr[vector >> 5] &= ~(1U << (vector & 31U));
		return;
	case LAPIC_LDR: apic->ldr = v & LAPIC_LDR_MASK; return;
	case LAPIC_DFR: apic->dfr = (v & LAPIC_DFR_MASK) | ~LAPIC_DFR_MASK; return;
	case LAPIC_SVR:
		apic->svr = v & LAPIC_SVR_MASK;
		if (!is_enabled(apic))
			for (unsigned i = 0; i < LAPIC_LVT_COUNT; i++)
				apic->lvt[i] |= LAPIC_LVT_MASKED;
		return;
	case LAPIC_ESR:
		/* A write latches the errors seen since the last one, and clears them. */
		apic->esr = apic->esr_pending;
		apic->esr_pending = 0;
		return;
	case LAPIC_ICR_LOW:
		apic->icr_low = v & LAPIC_ICR_LOW_RW;
		/* Fixed or lowest-priority IPIs with vectors 0-15 are an error (sending is not
		 * modelled yet: the IPI goes nowhere). */
		if ((v & LAPIC_ICR_DELMODE) <= 0x100U && (v & LAPIC_ICR_VECTOR) < 16U)
			apic->esr_pending |= LAPIC_ESR_SEND_ILLEGAL_VECTOR;
		return;
	case LAPIC_ICR_HIGH: apic->icr_high = v & LAPIC_ICR_HIGH_RW; return;
	case LAPIC_TIMER_ICR:
		/* Writing the initial count (re)starts the count-down from it; 0 stops it. */
		apic->timer_initial = v;
		apic->timer_base = v;
		apic->timer_start_ns = clock_now_ns(&apic->clock);
		return;
	case LAPIC_TIMER_DCR:
		/* A new divider takes effect from the current count on. */
		current = lapic_timer_current(apic);
		apic->dcr = v & LAPIC_DCR_RW;
		apic->timer_base = current;
		apic->timer_start_ns = clock_now_ns(&apic->clock);
		return;
	default: return; /* read-only or reserved */
	}
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
	memcpy(&v, buf, 4);
	write_register(apic, (uint32_t)offset, v);
}

const struct mmio_device_ops lapic_mmio_ops = {
    .read = lapic_mmio_read,
    .write = lapic_mmio_write,
};
