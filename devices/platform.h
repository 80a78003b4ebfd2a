/* The child platform ("pc-lite") of one partition: every device model, built and wired in one call. */
#ifndef DEVICES_PLATFORM_H
#define DEVICES_PLATFORM_H

#include <stdbool.h>
#include <stdint.h>

#include "devices/clock.h"
#include "devices/cmos_rtc.h"
#include "devices/debug_exit.h"
#include "devices/fw_cfg.h"
#include "devices/i8254.h"
#include "devices/i8259a.h"
#include "devices/io_bus.h"
#include "devices/ioapic.h"
#include "devices/irq.h"
#include "devices/lapic.h"
#include "devices/mmio_bus.h"
#include "devices/mmio_scratch.h"
#include "devices/pc_testdev.h"
#include "devices/pci_host.h"
#include "devices/pm_timer.h"
#include "devices/post_port.h"
#include "devices/uart16550.h"

#define PLATFORM_MAX_CPUS  8U
#define PLATFORM_NAME_MAX  32U
#define PLATFORM_COM1_PORT 0x3F8U
#define PLATFORM_COM1_IRQ  4U
#define PLATFORM_IOAPIC_ID 0U
/* ISA IRQ 0 reaches IOAPIC input 2 (the MADT must carry this interrupt source override, as on
 * QEMU's pc machine); every other ISA IRQ n reaches input n. */
#define PLATFORM_IRQ0_GSI 2U

struct platform_config {
	const char *name;      /* for the monitor's logs; copied (truncated at PLATFORM_NAME_MAX) */
	uint64_t ram_size;     /* bytes of RAM from GPA 0 (CMOS, fw_cfg) */
	uint64_t ram_above_4g; /* bytes of RAM from GPA 4 GiB, 0 if none */
	unsigned cpu_count;    /* 1 to PLATFORM_MAX_CPUS: one local APIC each, APIC IDs 0..n-1 */
	uint64_t epoch_seconds; /* RTC: Unix time when the clock reads 0 */
	struct clock clock;     /* the time source of the PIT, RTC, PM timer and APIC timer */
	struct irq_line irq;    /* sees every interrupt line change (ISA numbering); may be empty */
	uart16550_tx_fn console_tx; /* COM1's transmitted bytes (e.g. line_sink_tx); may be NULL */
	void *console_opaque;
};

/*
 * Every device of one partition. The devices keep pointers into this struct: it must not be
 * moved or copied after platform_init(). The monitor reads the models' state through their own
 * headers (debug_exit_requested(), pic_pending_vector(), ...). Used by one worker at a time.
 */
struct platform {
	char name[PLATFORM_NAME_MAX + 1];
	struct io_bus io;
	struct mmio_bus mmio;
	struct uart16550 com1;
	struct debug_exit debug_exit;
	struct mmio_scratch scratch;
	struct pic pic;
	struct pit pit;
	struct cmos_rtc rtc;
	struct ioapic ioapic;
	struct lapic lapic[PLATFORM_MAX_CPUS];
	unsigned nr_cpus;
	unsigned current_cpu; /* whose local APIC the LAPIC page shows */
	struct fw_cfg fw_cfg;
	struct pc_testdev testdev;
	struct pm_timer pm_timer;
	struct post_port post;
	struct pci_host pci;
	struct irq_line sink;  /* the config's observer */
	struct irq_line lines; /* what the models drive: the PIC/IOAPIC fan-out */
	bool com1_irq;
	/* Per VP: the last platform_pending_vector() answer and whether it was the PIC's. */
	int pending[PLATFORM_MAX_CPUS];
	bool pending_from_pic[PLATFORM_MAX_CPUS];
};

/*
 * Build the platform: every model reset and registered on p->io and p->mmio at its standard
 * address (docs/platform.md lists them). Returns 0, or -EINVAL for a bad config (no RAM, CPU
 * count out of range, NULL) — registration itself cannot fail with the fixed layout, and would
 * also report -EINVAL.
 */
int platform_init(struct platform *p, const struct platform_config *cfg);

/*
 * Bring the time-driven and level-driven interrupt lines up to date: PIT OUT0 (IRQ 0), RTC
 * IRQ 8, COM1's INTR (IRQ 4) and the local APIC timers. Call it before looking for a pending
 * interrupt: at each exit, and when the time platform_next_event_ns() gave has come.
 */
void platform_poll(struct platform *p);

/*
 * Interrupt delivery toward the VPs (the monitor's side of libhv's event injection). The
 * monitor calls platform_poll(), then platform_take_nmi() and platform_pending_vector(); when
 * libhv says the VP can take the vector, it calls platform_vector_taken() and injects it.
 */

/*
 * The vector VP `cpu` should take next, or -1 for none: its local APIC's highest requested
 * vector above the processor priority, or the PIC's vector when the PIC reaches the processor
 * (VP 0 only: its LINT0 unmasked in ExtINT mode, or its local APIC globally disabled). The PIC
 * comes first, as an ExtINT request is not subject to the APIC's priorities.
 */
int platform_pending_vector(struct platform *p, unsigned cpu);

/* VP `cpu` took `vector` (the last platform_pending_vector() answer): IRR to ISR, or the PIC's
 * INTA cycle. Any other vector is ignored. */
void platform_vector_taken(struct platform *p, unsigned cpu, uint8_t vector);

/* True, once, when an NMI is pending for VP `cpu` (LINT1 in NMI mode, an NMI IPI). */
bool platform_take_nmi(struct platform *p, unsigned cpu);

/*
 * The earliest clock time (ns) at which a line or a local APIC may change by the passing of time
 * alone (PIT, RTC, local APIC timers); UINT64_MAX when none will. The monitor sleeps or sets its
 * run deadline no later than this.
 */
uint64_t platform_next_event_ns(struct platform *p);

/* Raise `vector` in VP `cpu`'s local APIC directly (libhv's SynIC and synthetic timers);
 * `auto_eoi`: deliver without setting it in-service. */
void platform_assert_vector(struct platform *p, unsigned cpu, uint8_t vector, bool auto_eoi);

/* The task priority of VP `cpu`'s local APIC (TPR, 8 bits), which is also the guest's CR8 << 4:
 * the monitor keeps the two in step. */
uint8_t platform_tpr(struct platform *p, unsigned cpu);
void platform_set_tpr(struct platform *p, unsigned cpu, uint8_t tpr);

/* Pick whose local APIC answers at LAPIC_BASE (the VP about to run). Out of range: ignored. */
void platform_set_current_cpu(struct platform *p, unsigned cpu);

#endif
