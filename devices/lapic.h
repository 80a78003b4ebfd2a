/* The local APIC's xAPIC register page at 0xFEE00000: IDs, priorities, LVT, ICR, timer registers. */
#ifndef DEVICES_LAPIC_H
#define DEVICES_LAPIC_H

#include <stdbool.h>
#include <stdint.h>

#include "devices/clock.h"
#include "devices/mmio_bus.h"

#define LAPIC_BASE   0xFEE00000ULL
#define LAPIC_SIZE   0x1000ULL
#define LAPIC_BUS_HZ 1000000000ULL /* the timer's input clock before the divider, as QEMU's */

/* Register offsets (each a dword at a 16-byte boundary). */
#define LAPIC_ID          0x020U
#define LAPIC_VERSION     0x030U
#define LAPIC_TPR         0x080U
#define LAPIC_APR         0x090U
#define LAPIC_PPR         0x0A0U
#define LAPIC_EOI         0x0B0U
#define LAPIC_RRD         0x0C0U
#define LAPIC_LDR         0x0D0U
#define LAPIC_DFR         0x0E0U
#define LAPIC_SVR         0x0F0U
#define LAPIC_ISR         0x100U /* eight registers, 0x100-0x170 */
#define LAPIC_TMR         0x180U
#define LAPIC_IRR         0x200U
#define LAPIC_ESR         0x280U
#define LAPIC_LVT_CMCI    0x2F0U
#define LAPIC_ICR_LOW     0x300U
#define LAPIC_ICR_HIGH    0x310U
#define LAPIC_LVT_TIMER   0x320U
#define LAPIC_LVT_THERMAL 0x330U
#define LAPIC_LVT_PERF    0x340U
#define LAPIC_LVT_LINT0   0x350U
#define LAPIC_LVT_LINT1   0x360U
#define LAPIC_LVT_ERROR   0x370U
#define LAPIC_TIMER_ICR   0x380U
#define LAPIC_TIMER_CCR   0x390U
#define LAPIC_TIMER_DCR   0x3E0U

/* Version: 0x14 (integrated APIC), max LVT entry 5 (timer, thermal, perf, LINT0/1, error), as
 * QEMU reports; LVT CMCI still answers at its offset. */
#define LAPIC_VERSION_VALUE           0x00050014U
#define LAPIC_ID_MASK                 0xFF000000U
#define LAPIC_LDR_MASK                0xFF000000U
#define LAPIC_DFR_MASK                0xF0000000U /* bits 27:0 read as ones */
#define LAPIC_SVR_MASK                0x000003FFU /* vector, software enable, focus disable */
#define LAPIC_SVR_ENABLE              0x00000100U
#define LAPIC_SVR_RESET               0x000000FFU
#define LAPIC_TPR_MASK                0x000000FFU
#define LAPIC_LVT_MASKED              0x00010000U
#define LAPIC_LVT_DELIVS              0x00001000U /* RO: delivery status */
#define LAPIC_LVT_TIMER_RW            0x000300FFU /* vector, mask, periodic */
#define LAPIC_LVT_PERIODIC            0x00020000U
#define LAPIC_LVT_EVENT_RW            0x000107FFU /* CMCI, thermal, perf: vector, delivery mode, mask */
#define LAPIC_LVT_LINT_RW             0x0001A7FFU /* + polarity, trigger mode (remote IRR is RO) */
#define LAPIC_LVT_ERROR_RW            0x000100FFU
#define LAPIC_ICR_LOW_RW              0x000CCFFFU /* vector, mode, dest mode, level, trigger, shorthand */
#define LAPIC_ICR_VECTOR              0x000000FFU
#define LAPIC_ICR_DELMODE             0x00000700U
#define LAPIC_ICR_HIGH_RW             0xFF000000U
#define LAPIC_DCR_RW                  0x0000000BU
#define LAPIC_ESR_SEND_ILLEGAL_VECTOR 0x20U

#define LAPIC_LVT_COUNT               7U

/* Fields are private to lapic.c. */
struct lapic {
	uint32_t id, tpr, ldr, dfr, svr;
	uint32_t isr[8], tmr[8], irr[8];
	uint32_t esr, esr_pending; /* ESR reads what the last write latched; errors accumulate */
	uint32_t
	    lvt[LAPIC_LVT_COUNT]; /* in offset order: CMCI, timer, thermal, perf, LINT0/1, error */
	uint32_t icr_low, icr_high;
	uint32_t timer_initial, dcr;
	uint32_t timer_base; /* the count at timer_start_ns (after a divider change, not initial) */
	uint64_t timer_start_ns;
	struct clock clock;
	uint32_t bad_accesses; /* not an aligned dword at a register offset: read 0, ignored */
};

/* The state after INIT/RESET for APIC ID `apic_id`: everything masked, SVR 0xFF (disabled). */
void lapic_init(struct lapic *apic, uint8_t apic_id, const struct clock *clock);

/* Register at LAPIC_BASE, size LAPIC_SIZE, opaque = the lapic of the VP that accesses it. */
extern const struct mmio_device_ops lapic_mmio_ops;

/* True when an access of `len` bytes at `offset` is one the register page answers: an aligned
 * dword at a 16-byte boundary. The caller logs the others. */
bool lapic_access_is_valid(uint64_t offset, unsigned len);

/* The timer's current count now, from the clock, the divider and the mode. */
uint32_t lapic_timer_current(struct lapic *apic);

/* The processor priority (PPR) as the SDM computes it from TPR and the highest in-service vector. */
uint32_t lapic_ppr(const struct lapic *apic);

#endif
