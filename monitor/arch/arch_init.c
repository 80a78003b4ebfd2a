/* arch_init(): the machine set-up between entry.S and monitor_main(). */
#include "monitor/arch/boot.h"

#include "monitor/arch/cpu.h"
#include "monitor/arch/gdt.h"
#include "monitor/arch/idt.h"
#include "monitor/serial.h"

/* The two 8259s' command and data (mask) ports, and the initialization words (8259A data sheet). */
#define PIC_MASTER_CMD  0x20
#define PIC_MASTER_DATA 0x21
#define PIC_SLAVE_CMD   0xA0
#define PIC_SLAVE_DATA  0xA1
#define PIC_ICW1_INIT   0x11 /* edge triggered, cascade, ICW4 follows */
#define PIC_ICW4_8086   0x01
#define PIC_MASTER_BASE 0x20 /* IRQ 0-7 on vectors 0x20-0x27 */
#define PIC_SLAVE_BASE  0x28 /* IRQ 8-15 on vectors 0x28-0x2F */
#define PIC_CASCADE_IR  0x04 /* master: the slave on IR2 */
#define PIC_SLAVE_ID    0x02 /* slave: its cascade identity */

/*
 * The BIOS leaves the 8259s delivering IRQ 0-7 on vectors 8-15, which are exceptions in protected
 * mode (IRQ 0 would look like a #DF). The monitor takes no legacy interrupts (its timer is the
 * local APIC's, monitor/arch/host_timer.c): move them to 0x20-0x2F first, then mask them all, so
 * that a stray one can at worst be reported as a spurious interrupt, never as an exception.
 */
static void pic_remap_and_mask(void)
{
	asm_outb(PIC_MASTER_DATA, 0xFF);
	asm_outb(PIC_SLAVE_DATA, 0xFF);
	asm_outb(PIC_MASTER_CMD, PIC_ICW1_INIT);
	asm_outb(PIC_SLAVE_CMD, PIC_ICW1_INIT);
	asm_outb(PIC_MASTER_DATA, PIC_MASTER_BASE);
	asm_outb(PIC_SLAVE_DATA, PIC_SLAVE_BASE);
	asm_outb(PIC_MASTER_DATA, PIC_CASCADE_IR);
	asm_outb(PIC_SLAVE_DATA, PIC_SLAVE_ID);
	asm_outb(PIC_MASTER_DATA, PIC_ICW4_8086);
	asm_outb(PIC_SLAVE_DATA, PIC_ICW4_8086);
	asm_outb(PIC_MASTER_DATA, 0xFF);
	asm_outb(PIC_SLAVE_DATA, 0xFF);
}

void arch_init(void)
{
	/* First, so that anything below that goes wrong can be reported. */
	serial_init();
	gdt_init();
	idt_init();
	pic_remap_and_mask();
}
