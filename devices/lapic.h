/* One local APIC: xAPIC page and x2APIC MSRs, IRR/ISR/TPR delivery, LVT, IPIs, the APIC timer. */
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
#define LAPIC_SELF_IPI    0x3F0U /* x2APIC only (MSR 0x83F) */

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
#define LAPIC_LVT_VECTOR              0x000000FFU
#define LAPIC_LVT_DELMODE             0x00000700U
#define LAPIC_LVT_MASKED              0x00010000U
#define LAPIC_LVT_DELIVS              0x00001000U /* RO: delivery status */
#define LAPIC_LVT_REMOTE_IRR          0x00004000U /* RO, LINT0/1 in level mode */
#define LAPIC_LVT_LEVEL               0x00008000U /* LINT0/1 trigger mode */
#define LAPIC_LVT_TIMER_RW            0x000700FFU /* vector, mask, timer mode (bits 18:17) */
#define LAPIC_LVT_TIMER_MODE          0x00060000U
#define LAPIC_LVT_ONESHOT             0x00000000U
#define LAPIC_LVT_PERIODIC            0x00020000U
#define LAPIC_LVT_TSC_DEADLINE        0x00040000U
#define LAPIC_LVT_EVENT_RW            0x000107FFU /* CMCI, thermal, perf: vector, delivery mode, mask */
#define LAPIC_LVT_LINT_RW             0x0001A7FFU /* + polarity, trigger mode (remote IRR is RO) */
#define LAPIC_LVT_ERROR_RW            0x000100FFU
#define LAPIC_ICR_LOW_RW              0x000CCFFFU /* vector, mode, dest mode, level, trigger, shorthand */
#define LAPIC_ICR_VECTOR              0x000000FFU
#define LAPIC_ICR_DELMODE             0x00000700U
#define LAPIC_ICR_LOGICAL             0x00000800U
#define LAPIC_ICR_LEVEL_ASSERT        0x00004000U
#define LAPIC_ICR_TRIGGER_LEVEL       0x00008000U
#define LAPIC_ICR_SHORTHAND           0x000C0000U
#define LAPIC_ICR_HIGH_RW             0xFF000000U
#define LAPIC_DCR_RW                  0x0000000BU
#define LAPIC_ESR_SEND_ILLEGAL_VECTOR 0x20U
#define LAPIC_ESR_RECV_ILLEGAL_VECTOR 0x40U

/* Delivery modes (LVT bits 10:8, ICR bits 10:8, IOAPIC entries bits 10:8). */
#define LAPIC_DM_FIXED   0x000U
#define LAPIC_DM_LOWEST  0x100U
#define LAPIC_DM_SMI     0x200U
#define LAPIC_DM_NMI     0x400U
#define LAPIC_DM_INIT    0x500U
#define LAPIC_DM_STARTUP 0x600U
#define LAPIC_DM_EXTINT  0x700U

/* ICR destination shorthands (bits 19:18). */
#define LAPIC_SH_NONE         0x00000U
#define LAPIC_SH_SELF         0x40000U
#define LAPIC_SH_ALL          0x80000U
#define LAPIC_SH_ALL_BUT_SELF 0xC0000U

/* IA32_APIC_BASE (MSR 0x1B) bits. */
#define LAPIC_BASE_BSP  (1ULL << 8)
#define LAPIC_BASE_EXTD (1ULL << 10) /* x2APIC mode */
#define LAPIC_BASE_EN   (1ULL << 11)
#define LAPIC_BASE_ADDR 0x0000000FFFFFF000ULL

/* x2APIC MSRs: MSR 0x800 + (xAPIC offset >> 4). */
#define LAPIC_MSR_X2APIC_FIRST 0x800U
#define LAPIC_MSR_X2APIC_LAST  0x8FFU
#define LAPIC_MSR_ICR          0x830U /* the whole ICR, 64 bits: destination in 63:32 */
#define LAPIC_MSR_SELF_IPI     0x83FU
#define LAPIC_MSR_TSC_DEADLINE 0x6E0U
#define LAPIC_X2APIC_BROADCAST 0xFFFFFFFFU

#define LAPIC_LVT_COUNT        7U
/* LVT slots (offset order). */
#define LAPIC_LVT_SLOT_CMCI    0U
#define LAPIC_LVT_SLOT_TIMER   1U
#define LAPIC_LVT_SLOT_THERMAL 2U
#define LAPIC_LVT_SLOT_PERF    3U
#define LAPIC_LVT_SLOT_LINT0   4U
#define LAPIC_LVT_SLOT_LINT1   5U
#define LAPIC_LVT_SLOT_ERROR   6U

struct lapic;

/*
 * What a local APIC reaches beyond itself; the platform fills it, tests may leave it empty.
 * eoi: the EOI of a level-triggered vector, broadcast to the I/O APIC (clears remote IRR).
 * send_ipi: an ICR write to deliver (any shorthand but "self", which the APIC does itself):
 * `icr_low` as written, `dest` the destination field (8 bits in xAPIC mode, 32 in x2APIC).
 */
struct lapic_bus {
	void (*eoi)(void *opaque, uint8_t vector);
	void (*send_ipi)(void *opaque, struct lapic *from, uint32_t icr_low, uint32_t dest);
	void *opaque;
};

/* Fields are private to lapic.c. */
struct lapic {
	uint32_t id;        /* the APIC ID (0-255); the xAPIC register holds it in bits 31:24 */
	uint32_t xapic_id;  /* the xAPIC ID register as written (software may change it) */
	uint64_t apic_base; /* IA32_APIC_BASE: EN, EXTD, BSP, base */
	uint32_t tpr, ldr, dfr, svr;
	uint32_t isr[8], tmr[8], irr[8];
	uint32_t auto_eoi[8];      /* requested vectors that end on acceptance (SynIC auto-EOI) */
	uint32_t esr, esr_pending; /* ESR reads what the last write latched; errors accumulate */
	uint32_t
	    lvt[LAPIC_LVT_COUNT]; /* in offset order: CMCI, timer, thermal, perf, LINT0/1, error */
	uint32_t icr_low, icr_high;
	uint32_t timer_initial, dcr;
	uint32_t timer_base; /* the count at timer_start_ns (after a divider change, not initial) */
	uint64_t timer_start_ns;
	uint64_t timer_fired;  /* expirations since timer_start_ns already accounted */
	bool timer_running;    /* one-shot/periodic: counting (a one-shot stops after firing) */
	uint64_t tsc_deadline; /* IA32_TSC_DEADLINE, 0 when disarmed */
	bool lint_level[2];    /* LINT0/1 input pins as last driven */
	bool nmi_pending;
	bool virtual_wire; /* the BSP: reset leaves LINT0 in ExtINT mode, as firmware does */
	struct clock clock;
	struct lapic_bus bus;
	uint32_t bad_accesses;   /* not an aligned dword at a register offset: read 0, ignored */
	uint32_t mmio_while_off; /* MMIO while globally disabled or in x2APIC mode: ignored */
	uint32_t ipis_ignored;   /* INIT, SIPI, SMI: not modelled, counted for the monitor's log */
};

/*
 * The state after power-up for APIC ID `apic_id`: xAPIC mode enabled in IA32_APIC_BASE (base
 * 0xFEE00000, BSP flag for ID 0), every LVT masked, SVR 0xFF (software-disabled).
 */
void lapic_init(struct lapic *apic, uint8_t apic_id, const struct clock *clock);

/* Connect the APIC to the I/O APIC and the other APICs (copied). */
void lapic_set_bus(struct lapic *apic, const struct lapic_bus *bus);

/* Make this the BSP with the firmware's virtual-wire setup: LINT0 unmasked in ExtINT mode (now
 * and after each reset through IA32_APIC_BASE), so the PIC reaches the processor. */
void lapic_set_virtual_wire(struct lapic *apic);

/* Register at LAPIC_BASE, size LAPIC_SIZE, opaque = the lapic of the VP that accesses it.
 * In x2APIC mode or globally disabled the page is gone: reads 0, writes ignored. */
extern const struct mmio_device_ops lapic_mmio_ops;

/* True when an access of `len` bytes at `offset` is one the register page answers: an aligned
 * dword at a 16-byte boundary. The caller logs the others. */
bool lapic_access_is_valid(uint64_t offset, unsigned len);

/*
 * x2APIC MSRs 0x800-0x8FF and IA32_TSC_DEADLINE (0x6E0). Return 0, or -EINVAL when the guest
 * must take #GP(0): x2APIC MSRs outside x2APIC mode, registers that do not exist, reads of
 * write-only ones (EOI, SELF IPI), writes of read-only ones, reserved bits set where the SDM
 * faults (TPR, EOI, ESR, SELF IPI, bits 63:32 of all but the ICR). -ENOENT: not an APIC MSR.
 */
int lapic_msr_read(struct lapic *apic, uint32_t msr, uint64_t *value);
int lapic_msr_write(struct lapic *apic, uint32_t msr, uint64_t value);

/*
 * IA32_APIC_BASE. A write may move between disabled, xAPIC (EN) and x2APIC (EN|EXTD) as the
 * SDM's "x2APIC State Transitions" allow; -EINVAL (#GP) for x2APIC to xAPIC, disabled to
 * x2APIC, EXTD without EN, reserved bits or a base other than 0xFEE00000 (the page does not
 * move). The BSP flag written is ignored. Disabling resets the APIC's state.
 */
uint64_t lapic_base_msr(const struct lapic *apic);
int lapic_set_base_msr(struct lapic *apic, uint64_t value);
bool lapic_is_hw_enabled(const struct lapic *apic); /* IA32_APIC_BASE.EN */
bool lapic_is_sw_enabled(const struct lapic *apic); /* EN and SVR bit 8 */
bool lapic_is_x2apic(const struct lapic *apic);

/*
 * Request `vector` (an interrupt message arrived: IOAPIC, IPI, LVT, SynIC). `level`: a
 * level-triggered message (TMR set, so the EOI is broadcast). `auto_eoi`: acceptance does not
 * set ISR. Vectors 0-15 are refused (ESR "receive illegal vector"); a globally disabled APIC
 * takes nothing. Returns true when the vector was accepted into IRR.
 */
bool lapic_accept(struct lapic *apic, uint8_t vector, bool level, bool auto_eoi);

/* An NMI message (LINT1, IPI, IOAPIC entry in NMI mode). */
void lapic_accept_nmi(struct lapic *apic);

/* Drive input pin LINT0 (`pin` 0) or LINT1 (1), as its LVT entry says (Fixed: edge or level
 * with remote IRR; NMI: rising edge). ExtINT is the platform's business (lapic_lint0_extint). */
void lapic_set_lint(struct lapic *apic, unsigned pin, bool level);

/* True when LINT0 passes the PIC's INTR: unmasked in ExtINT mode, or the APIC globally
 * disabled (then LINT0 is the processor's INTR pin). */
bool lapic_lint0_extint(const struct lapic *apic);

/* The highest requested vector whose priority class is above the PPR's, or -1 (also when
 * software-disabled). Brings the timer up to date first. */
int lapic_pending_vector(struct lapic *apic);

/* The processor took `vector`: IRR to ISR (or just out of IRR for auto-EOI). */
void lapic_vector_taken(struct lapic *apic, uint8_t vector);

/* True, once, for a pending NMI. */
bool lapic_take_nmi(struct lapic *apic);

/* An EOI (xAPIC register write, x2APIC MSR): ends the highest in-service vector. */
void lapic_eoi(struct lapic *apic);

/* Fire what time has made due (timer expirations), from the clock. */
void lapic_update(struct lapic *apic);

/* The clock time of the timer's next interrupt, UINT64_MAX when none is due (stopped, masked,
 * software-disabled, TSC deadline disarmed, or its vector still waiting in IRR: ask again
 * after the VP took it). */
uint64_t lapic_next_event_ns(struct lapic *apic);

/* TPR (8 bits), as CR8 << 4 mirrors it. */
uint8_t lapic_tpr(const struct lapic *apic);
void lapic_set_tpr(struct lapic *apic, uint8_t tpr);

/* Whether a message with destination `dest` (`logical` mode; 8 bits in xAPIC mode, 32 in
 * x2APIC) addresses this APIC, by the SDM's physical/flat/cluster rules. */
bool lapic_matches(const struct lapic *apic, uint32_t dest, bool logical);

/* The timer's current count now, from the clock, the divider and the mode. */
uint32_t lapic_timer_current(struct lapic *apic);

/* The processor priority (PPR) as the SDM computes it from TPR and the highest in-service vector. */
uint32_t lapic_ppr(const struct lapic *apic);

#endif
