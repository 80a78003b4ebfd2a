/* 8259 pair, IOAPIC and local APIC access for the interrupt guests (PC port numbers and MMIO bases). */
#include "intc.h"
#include "mbguest.h"
#include "x86.h"

#define PIC1_CMD       0x20
#define PIC1_DATA      0x21
#define PIC2_CMD       0xa0
#define PIC2_DATA      0xa1

#define ICW1_INIT_ICW4 0x11 /* edge, cascade, ICW4 follows */
#define ICW4_8086      0x01
#define OCW2_EOI       0x20 /* non-specific */
#define OCW3_READ_IRR  0x0a
#define OCW3_READ_ISR  0x0b

/* The masks as last written: IMR reads would cost an exit each under a monitor. */
static uint8_t mask1 = 0xff, mask2 = 0xff;

void pic_init(void)
{
	outb(PIC1_CMD, ICW1_INIT_ICW4);
	outb(PIC2_CMD, ICW1_INIT_ICW4);
	outb(PIC1_DATA, PIC_VECTOR_BASE);
	outb(PIC2_DATA, PIC_VECTOR_BASE + 8);
	outb(PIC1_DATA, 1U << PIC_IRQ_CASCADE); /* slave on IR2 */
	outb(PIC2_DATA, PIC_IRQ_CASCADE);       /* the slave's cascade identity */
	outb(PIC1_DATA, ICW4_8086);
	outb(PIC2_DATA, ICW4_8086);
	pic_mask_all();
}

void pic_mask_all(void)
{
	mask1 = mask2 = 0xff;
	outb(PIC1_DATA, mask1);
	outb(PIC2_DATA, mask2);
}

void pic_unmask(unsigned irq)
{
	if (irq >= 8) {
		mask2 &= (uint8_t) ~(1U << (irq - 8));
		outb(PIC2_DATA, mask2);
		irq = PIC_IRQ_CASCADE;
	}
	mask1 &= (uint8_t) ~(1U << irq);
	outb(PIC1_DATA, mask1);
}

void pic_mask(unsigned irq)
{
	if (irq >= 8) {
		mask2 |= (uint8_t)(1U << (irq - 8));
		outb(PIC2_DATA, mask2);
		return;
	}
	mask1 |= (uint8_t)(1U << irq);
	outb(PIC1_DATA, mask1);
}

void pic_eoi(unsigned irq)
{
	if (irq >= 8)
		outb(PIC2_CMD, OCW2_EOI);
	outb(PIC1_CMD, OCW2_EOI);
}

static uint8_t pic_read(bool slave, uint8_t ocw3)
{
	uint16_t cmd = slave ? PIC2_CMD : PIC1_CMD;

	outb(cmd, ocw3);
	return inb(cmd);
}

uint8_t pic_isr(bool slave)
{
	return pic_read(slave, OCW3_READ_ISR);
}

uint8_t pic_irr(bool slave)
{
	return pic_read(slave, OCW3_READ_IRR);
}

uint32_t ioapic_reg_read(uint32_t reg)
{
	mmio_write32(IOAPIC_BASE, reg);
	return mmio_read32(IOAPIC_BASE + 0x10);
}

void ioapic_reg_write(uint32_t reg, uint32_t v)
{
	mmio_write32(IOAPIC_BASE, reg);
	mmio_write32(IOAPIC_BASE + 0x10, v);
}

void ioapic_route(unsigned pin, uint8_t vector, uint8_t dest, bool masked)
{
	/* The high dword (destination) first, so the entry is never live with a stale one. */
	ioapic_reg_write(0x10 + 2 * pin, LVT_MASKED);
	ioapic_reg_write(0x11 + 2 * pin, (uint32_t)dest << 24);
	ioapic_reg_write(0x10 + 2 * pin, vector | (masked ? LVT_MASKED : 0));
}

uint32_t lapic_read(uint32_t reg)
{
	return mmio_read32(LAPIC_BASE + reg);
}

void lapic_write(uint32_t reg, uint32_t v)
{
	mmio_write32(LAPIC_BASE + reg, v);
}

void lapic_eoi(void)
{
	lapic_write(LAPIC_EOI, 0);
}

bool lapic_in_service(uint8_t vector)
{
	return lapic_read(LAPIC_ISR + (vector / 32U) * 0x10U) & (1U << (vector % 32U));
}

bool lapic_requested(uint8_t vector)
{
	return lapic_read(LAPIC_IRR + (vector / 32U) * 0x10U) & (1U << (vector % 32U));
}

void lapic_enable(bool pic_through_lint0)
{
	lapic_write(LAPIC_SVR, 0x100U | LAPIC_SPURIOUS_VECTOR);
	lapic_write(LAPIC_TPR, 0);
	lapic_write(LAPIC_LVT_TIMER, LVT_MASKED);
	lapic_write(LAPIC_LVT_LINT0, pic_through_lint0 ? LVT_EXTINT : LVT_MASKED);
	lapic_write(LAPIC_LVT_LINT1, LVT_NMI);
	lapic_write(LAPIC_LVT_ERROR, LVT_MASKED);
}

uint32_t lapic_dcr_for(unsigned divisor)
{
	/* Bits 3, 1:0 of the divide configuration register: 0b1011 is divide by 1, then 2^(n+1). */
	static const uint8_t dcr[8] = {0xb, 0x0, 0x1, 0x2, 0x3, 0x8, 0x9, 0xa};

	for (unsigned i = 0; i < 8; i++)
		if (divisor == 1U << i)
			return dcr[i];
	return 0;
}
