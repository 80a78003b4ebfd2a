/* The i8254 programmable interval timer (0x40-0x43) and the PC's port 0x61 (gate 2, speaker, OUT2). */
#ifndef DEVICES_I8254_H
#define DEVICES_I8254_H

#include <stdbool.h>
#include <stdint.h>

#include "devices/clock.h"
#include "devices/io_bus.h"
#include "devices/irq.h"

#define PIT_PORT         0x40U
#define PIT_PORT_COUNT   4U
#define PIT_SPEAKER_PORT 0x61U
#define PIT_HZ           1193182U /* 14.31818 MHz / 12 */
#define PIT_CHANNELS     3U
#define PIT_IRQ          0U /* channel 0's OUT drives ISA IRQ 0 */

/* Control word (port 0x43). */
#define PIT_CW_BCD        0x01U
#define PIT_CW_MODE       0x0EU
#define PIT_CW_MODE_SHIFT 1U
#define PIT_CW_RW         0x30U /* 00 latch, 01 LSB, 10 MSB, 11 LSB then MSB */
#define PIT_CW_RW_SHIFT   4U
#define PIT_CW_SC         0xC0U
#define PIT_CW_SC_SHIFT   6U
#define PIT_CW_READ_BACK  0xC0U /* SC = 11 */
#define PIT_RB_COUNT_N    0x20U /* read-back: 0 latches the counts */
#define PIT_RB_STATUS_N   0x10U /* read-back: 0 latches the statuses */
#define PIT_RB_CHANNELS   0x0EU /* bit 1 + n selects channel n */
#define PIT_STATUS_OUT    0x80U
#define PIT_STATUS_NULL   0x40U /* null count: the count written is not loaded yet */

#define PIT_RW_LATCH      0U
#define PIT_RW_LSB        1U
#define PIT_RW_MSB        2U
#define PIT_RW_WORD       3U

/* Port 0x61 (system control port B, as the PC/AT and PIIX define it). */
#define PIT_61_GATE2        0x01U /* RW: channel 2's gate */
#define PIT_61_SPEAKER      0x02U /* RW: speaker data enable */
#define PIT_61_RW           0x0FU /* bits 2-3 (parity/channel check enables) are stored only */
#define PIT_61_REFRESH      0x10U /* RO: toggles every 15.085 us (DRAM refresh request) */
#define PIT_61_OUT2         0x20U /* RO: channel 2's OUT */
#define PIT_REFRESH_HALF_NS 15085U

/* One counter. Fields are private to i8254.c. */
struct pit_channel {
	uint8_t mode; /* 0-5 (6, 7 stored as 2, 3) */
	uint8_t rw;   /* PIT_RW_LSB/MSB/WORD */
	bool bcd;
	bool gate;
	bool loaded;        /* a count is in the counting element */
	bool armed;         /* modes 1 and 5: loaded, waiting for the gate's rising edge */
	bool null_count;    /* the status bit: control word or count written, not yet loaded */
	bool out_idle;      /* OUT while not counting */
	bool write_msb;     /* LSB-then-MSB writes: the next byte is the MSB */
	bool read_msb;      /* LSB-then-MSB reads: the next byte is the MSB */
	uint8_t write_lsb;  /* the LSB of a half-written count */
	uint16_t reg;       /* the count register as written (BCD or binary) */
	uint32_t n;         /* the count being counted, in input clocks (1-65536, BCD 1-10000) */
	uint64_t start;     /* tick at which counting began */
	bool paused;        /* gate low in a mode where that suspends counting */
	uint64_t paused_at; /* elapsed ticks when it paused */
	uint16_t frozen;    /* what the counter reads while not counting */
	bool count_latched, status_latched;
	uint16_t latch;
	uint8_t status;
	bool latch_msb;      /* the latched count's next byte is its MSB */
	uint64_t polled;     /* elapsed ticks at the last edge count (channel 0) */
	uint32_t generation; /* bumps on each load, so edge counting restarts */
	uint32_t polled_generation;
};

struct pit {
	struct pit_channel ch[PIT_CHANNELS];
	uint8_t port61; /* PIT_61_RW bits */
	struct clock clock;
	struct irq_line irq; /* IRQ 0, driven by pit_poll() */
	bool irq_level;
};

/* Power-on state: every channel in mode 0 with no count, gates 0 and 1 high, gate 2 low. */
void pit_init(struct pit *pit, const struct clock *clock, const struct irq_line *irq);

/* Register at PIT_PORT (count PIT_PORT_COUNT) and PIT_SPEAKER_PORT (count 1), opaque = the pit.
 * Wider accesses split into byte cycles. */
extern const struct io_device_ops pit_io_ops;
extern const struct io_device_ops pit_port61_io_ops;

/* A channel's OUT now (channel >= PIT_CHANNELS: false). */
bool pit_out(struct pit *pit, unsigned channel);

/* A channel's counter as a latch would catch it now (binary, even in BCD mode). */
uint16_t pit_count(struct pit *pit, unsigned channel);

/* Gate input of a channel (the board ties 0 and 1 high; port 0x61 drives 2). */
void pit_set_gate(struct pit *pit, unsigned channel, bool gate);

/*
 * Bring IRQ 0 up to date from the clock: returns how many rising edges OUT0 made since the last
 * call (ticks the caller missed are coalesced into one pulse on the line, the count says how
 * many), and leaves the line at OUT0's level.
 */
uint64_t pit_poll(struct pit *pit);

/* When OUT0 next rises, for a monitor timer; false if it never will without guest action. */
bool pit_next_edge_ns(struct pit *pit, uint64_t *ns);

#endif
