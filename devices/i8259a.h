/* The i8259A programmable interrupt controller pair of a PC (master 0x20, slave 0xA0, ELCR 0x4D0). */
#ifndef DEVICES_I8259A_H
#define DEVICES_I8259A_H

#include <stdbool.h>
#include <stdint.h>

#include "devices/io_bus.h"

#define PIC_MASTER_PORT 0x20U
#define PIC_SLAVE_PORT  0xA0U
#define PIC_PORT_COUNT  2U
#define PIC_ELCR_PORT   0x4D0U
#define PIC_ELCR_COUNT  2U
#define PIC_CASCADE_IRQ 2U /* the master input the slave's INT drives on a PC */
#define PIC_LINES       16U

/* Command port (A0 = 0) writes: bit 4 picks ICW1, else bit 3 picks OCW3 over OCW2. */
#define PIC_ICW1                0x10U
#define PIC_ICW1_IC4            0x01U /* an ICW4 follows */
#define PIC_ICW1_SNGL           0x02U /* single PIC: no ICW3 */
#define PIC_ICW1_LTIM           0x08U /* level-triggered inputs */
#define PIC_ICW4_UPM            0x01U /* 8086 mode */
#define PIC_ICW4_AEOI           0x02U
#define PIC_ICW4_SFNM           0x10U /* special fully nested mode */
#define PIC_OCW3                0x08U
#define PIC_OCW3_RIS            0x01U /* with RR: read ISR, not IRR */
#define PIC_OCW3_RR             0x02U /* act on RIS */
#define PIC_OCW3_POLL           0x04U
#define PIC_OCW3_SMM            0x20U /* with ESMM: set (else clear) special mask mode */
#define PIC_OCW3_ESMM           0x40U
#define PIC_OCW2_LEVEL          0x07U
#define PIC_OCW2_CMD            0xE0U
#define PIC_OCW2_ROT_AEOI_CLEAR 0x00U
#define PIC_OCW2_EOI            0x20U
#define PIC_OCW2_NOP            0x40U
#define PIC_OCW2_SEOI           0x60U
#define PIC_OCW2_ROT_AEOI_SET   0x80U
#define PIC_OCW2_ROT_EOI        0xA0U
#define PIC_OCW2_SET_PRIO       0xC0U
#define PIC_OCW2_ROT_SEOI       0xE0U
#define PIC_POLL_INT            0x80U /* poll word: an interrupt was pending, its level in bits 2:0 */

/* ELCR bits that exist: IRQ 0, 1, 2, 8 and 13 are always edge-triggered on a PC. */
#define PIC_ELCR_MASK_MASTER 0xF8U
#define PIC_ELCR_MASK_SLAVE  0xDEU

/* Where an initialization sequence stands: the next data-port write is this ICW. */
enum pic_init_step { PIC_INIT_DONE = 0, PIC_INIT_ICW2, PIC_INIT_ICW3, PIC_INIT_ICW4 };

/* One 8259A. Fields are private to i8259a.c. */
struct pic_chip {
	uint8_t irr, isr, imr;
	uint8_t elcr, elcr_mask;
	uint8_t levels;      /* input lines as last driven */
	uint8_t vector_base; /* ICW2 & 0xF8 */
	uint8_t icw3;
	uint8_t lowest; /* the input with the lowest priority (IR7 after reset) */
	enum pic_init_step init;
	bool icw4_needed, single, ltim;
	bool auto_eoi, rotate_on_aeoi, sfnm, upm;
	bool read_isr, poll, special_mask;
	bool is_slave;
};

/* The PC's pair: chip[0] the master, chip[1] the slave cascaded on master IR2. */
struct pic {
	struct pic_chip chip[2];
};

/* Both chips as after power-on: uninitialized, all inputs unmasked, vectors 0x08/0x70 as a BIOS
 * leaves them would be guesswork, so vector bases start at 0 until the guest's ICW2. */
void pic_init(struct pic *pic);

/* Register chip[0] at PIC_MASTER_PORT and chip[1] at PIC_SLAVE_PORT (opaque = the chip), and the
 * ELCR pair at PIC_ELCR_PORT (opaque = the struct pic). Wider accesses split into byte cycles. */
extern const struct io_device_ops pic_chip_io_ops;
extern const struct io_device_ops pic_elcr_io_ops;

/* Drive input `line` (0-15; others ignored). Edge-triggered inputs latch IRR on a rising edge
 * and keep it until acknowledged; level-triggered ones follow the line. */
void pic_set_irq(struct pic *pic, unsigned line, bool level);
void pic_raise(struct pic *pic, unsigned line);
void pic_lower(struct pic *pic, unsigned line);

/* The master's INT output: an unmasked request of higher priority than anything in service. */
bool pic_int_output(const struct pic *pic);

/* The vector an INTA cycle would return now, or -1 while INT is low. Changes nothing. */
int pic_pending_vector(const struct pic *pic);

/*
 * The INTA cycle: moves the winning request from IRR to ISR (or not, in auto-EOI), rotating in
 * AEOI rotation mode, and returns its vector. With nothing pending any more it returns the
 * spurious vector (IR7 of the chip that was asked), as the hardware does.
 */
int pic_acknowledge(struct pic *pic);

#endif
