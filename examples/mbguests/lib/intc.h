/* The interrupt controllers as the interrupt guests program them: 8259 pair, IOAPIC, local APIC (xAPIC). */
#ifndef MBGUEST_INTC_H
#define MBGUEST_INTC_H

#include <stdbool.h>
#include <stdint.h>

/* Where pic_init() puts the 8259s' vectors: IRQ n on PIC_VECTOR_BASE + n (0x20-0x2F). */
#define PIC_VECTOR_BASE 0x20U

#define PIC_IRQ_PIT     0U
#define PIC_IRQ_CASCADE 2U
#define PIC_IRQ_COM1    4U
#define PIC_IRQ_RTC     8U

/* ICW1-4: edge triggered, cascaded (slave on IR2), vectors 0x20 and 0x28, 8086 mode, normal
 * EOI. Every IRQ masked afterwards. */
void pic_init(void);
void pic_mask_all(void);
void pic_unmask(unsigned irq); /* unmasking a slave IRQ also unmasks the cascade input */
void pic_mask(unsigned irq);
/* Non-specific EOI to the slave (for IRQ 8-15) and the master. */
void pic_eoi(unsigned irq);
/* OCW3 reads: the master's (or slave's, irq >= 8) in-service and request registers. */
uint8_t pic_isr(bool slave);
uint8_t pic_irr(bool slave);

#define IOAPIC_BASE 0xfec00000U
/* The ISA timer's IOAPIC input on PC chipsets (the MADT's interrupt source override IRQ 0 -> GSI 2). */
#define IOAPIC_PIN_PIT 2U

uint32_t ioapic_reg_read(uint32_t reg);
void ioapic_reg_write(uint32_t reg, uint32_t v);
/* Redirection entry `pin`: fixed delivery of `vector` to APIC ID `dest` (physical), edge, active
 * high; `masked` as asked. */
void ioapic_route(unsigned pin, uint8_t vector, uint8_t dest, bool masked);

#define LAPIC_BASE            0xfee00000U
#define LAPIC_ID              0x020U
#define LAPIC_VERSION         0x030U
#define LAPIC_TPR             0x080U
#define LAPIC_EOI             0x0b0U
#define LAPIC_SVR             0x0f0U
#define LAPIC_ISR             0x100U /* eight dwords, 16 bytes apart */
#define LAPIC_IRR             0x200U
#define LAPIC_ESR             0x280U
#define LAPIC_LVT_TIMER       0x320U
#define LAPIC_LVT_LINT0       0x350U
#define LAPIC_LVT_LINT1       0x360U
#define LAPIC_LVT_ERROR       0x370U
#define LAPIC_TIMER_ICR       0x380U
#define LAPIC_TIMER_CCR       0x390U
#define LAPIC_TIMER_DCR       0x3e0U

#define LVT_MASKED            (1U << 16)
#define LVT_EXTINT            (7U << 8)
#define LVT_NMI               (4U << 8)
#define LVT_TIMER_ONESHOT     (0U << 17)
#define LVT_TIMER_PERIODIC    (1U << 17)
#define LVT_TIMER_DEADLINE    (2U << 17)
#define LAPIC_SPURIOUS_VECTOR 0xffU

#define MSR_APIC_BASE         0x1bU
#define APIC_BASE_ENABLE      (1U << 11)
#define APIC_BASE_X2APIC      (1U << 10)
#define MSR_TSC_DEADLINE      0x6e0U

uint32_t lapic_read(uint32_t reg);
void lapic_write(uint32_t reg, uint32_t v);
void lapic_eoi(void);
/* Whether `vector` is set in the in-service (ISR) or request (IRR) register. */
bool lapic_in_service(uint8_t vector);
bool lapic_requested(uint8_t vector);
/*
 * Software-enables the local APIC (SVR bit 8, spurious vector 0xFF), TPR 0, timer masked.
 * `pic_through_lint0`: LINT0 in ExtINT mode so the 8259's INTR reaches the processor (the
 * "virtual wire" a PC BIOS sets up); otherwise LINT0 masked. LINT1 is NMI, as the MADT says.
 */
void lapic_enable(bool pic_through_lint0);
/* Divide configuration register value for divisor 1, 2, 4, ... 128 (0 for an invalid one). */
uint32_t lapic_dcr_for(unsigned divisor);

#endif
