/* The platform guest's device checks: each model of docs/platform.md programmed and read back from inside. */
#include "checks.h"
#include "mbguest.h"

#define PM_TIMER_PORT 0x608
#define PM_TIMER_MASK 0x00ffffffU
/* PM timer ticks (3.579545 MHz) per microsecond, scaled by 10 to stay in 32-bit arithmetic. */
#define PM_TICKS_X10_PER_US 36U

#define PIC1_CMD            0x20
#define PIC1_DATA           0x21
#define PIC2_CMD            0xa0
#define PIC2_DATA           0xa1
#define ELCR1               0x4d0
#define ELCR2               0x4d1
#define OCW3_IRR            0x0a
#define OCW3_ISR            0x0b

#define PIT_CH0             0x40
#define PIT_CH2             0x42
#define PIT_CW              0x43
#define PORT_61             0x61

#define RTC_INDEX           0x70
#define RTC_DATA            0x71

#define IOAPIC_IOREGSEL     0xfec00000U
#define IOAPIC_IOWIN        0xfec00010U

#define LAPIC_BASE          0xfee00000U
#define LAPIC_ID            (LAPIC_BASE + 0x020)
#define LAPIC_VERSION       (LAPIC_BASE + 0x030)
#define LAPIC_TPR           (LAPIC_BASE + 0x080)
#define LAPIC_PPR           (LAPIC_BASE + 0x0a0)
#define LAPIC_SVR           (LAPIC_BASE + 0x0f0)
#define LAPIC_LVT_TIMER     (LAPIC_BASE + 0x320)
#define LAPIC_TIMER_ICR     (LAPIC_BASE + 0x380)
#define LAPIC_TIMER_CCR     (LAPIC_BASE + 0x390)
#define LAPIC_TIMER_DCR     (LAPIC_BASE + 0x3e0)

#define FW_CFG_SEL          0x510
#define FW_CFG_DATA         0x511

#define PCI_ADDR            0xcf8
#define PCI_DATA            0xcfc
#define PCI_ENABLE          0x80000000U

#define TESTDEV_SCRATCH     0xe0
#define TESTDEV_IRQ         0x2000
#define TESTDEV_IOMEM       0xff000000U
#define TESTDEV_IOSIZE      0x10000U

/* ---- time, from the PM timer: the one clock here that needs no programming ---- */

static uint32_t pm_now(void)
{
	return inl(PM_TIMER_PORT) & PM_TIMER_MASK;
}

/* Ticks since `t0`; the counter wraps every 4.7 s, far longer than any wait here. */
static uint32_t pm_since(uint32_t t0)
{
	return (pm_now() - t0) & PM_TIMER_MASK;
}

static uint32_t us_to_pm(uint32_t us)
{
	return us * PM_TICKS_X10_PER_US / 10;
}

static void delay_us(uint32_t us)
{
	uint32_t t0 = pm_now();

	while (pm_since(t0) < us_to_pm(us))
		;
}

/* ---- MMIO in chosen instruction forms: each access traps and goes through the emulator ---- */

static uint32_t mmio_read(uint32_t pa)
{
	return *(volatile uint32_t *)pa;
}

static void mmio_write(uint32_t pa, uint32_t v)
{
	*(volatile uint32_t *)pa = v;
}

static uint32_t read_movzx8(uint32_t pa)
{
	uint32_t v;

	__asm__ volatile("movzbl (%1), %0" : "=r"(v) : "r"(pa) : "memory");
	return v;
}

static void write_mov8(uint32_t pa, uint8_t v)
{
	__asm__ volatile("movb %1, (%0)" : : "r"(pa), "q"(v) : "memory");
}

/* TEST m32, imm32: true when any bit of `mask` is set in the dword. */
static bool test_mem(uint32_t pa, uint32_t mask)
{
	bool nz;

	__asm__ volatile("testl %2, (%1)\n\tsetnz %0"
	                 : "=q"(nz)
	                 : "r"(pa), "i"(mask)
	                 : "cc", "memory");
	return nz;
}

/* BT m32, imm8: the bit lands in CF. A macro: the immediate must be a constant at every -O level. */
#define BT_MEM(pa, bit)                                    \
	({                                                 \
		bool cf_;                                  \
		__asm__ volatile("btl %2, (%1)\n\tsetc %0" \
		                 : "=q"(cf_)               \
		                 : "r"(pa), "I"(bit)       \
		                 : "cc", "memory");        \
		cf_;                                       \
	})

/* OR m32, imm32: a read-modify-write in one instruction. */
static void or_mem(uint32_t pa, uint32_t bits)
{
	__asm__ volatile("orl %1, (%0)" : : "r"(pa), "ir"(bits) : "cc", "memory");
}

/* XCHG m32, r32: writes `v`, returns what was there. */
static uint32_t xchg_mem(uint32_t pa, uint32_t v)
{
	__asm__ volatile("xchgl %0, (%1)" : "+r"(v) : "r"(pa) : "memory");
	return v;
}

/* MOVSD from MMIO to a RAM dword. */
static uint32_t read_movsl(uint32_t pa)
{
	uint32_t v = 0, *dst = &v;
	const void *src = (const void *)pa;

	__asm__ volatile("movsl" : "+S"(src), "+D"(dst) : : "memory");
	return v;
}

/* REP MOVSD of one dword from RAM to MMIO (the count register path of the emulator). */
static void write_rep_movsl(uint32_t pa, uint32_t v)
{
	const uint32_t *src = &v;
	void *dst = (void *)pa;
	uint32_t n = 1;

	__asm__ volatile("rep movsl" : "+S"(src), "+D"(dst), "+c"(n) : : "memory");
}

static void copy_movsb(void *dst, const void *src, uint32_t n)
{
	__asm__ volatile("rep movsb" : "+S"(src), "+D"(dst), "+c"(n) : : "memory");
}

static void fill_stosl(void *dst, uint32_t v, uint32_t n)
{
	__asm__ volatile("rep stosl" : "+D"(dst), "+c"(n) : "a"(v) : "memory");
}

/* ---- ACPI PM timer ---- */

void check_pm_timer(void)
{
	uint32_t a = inl(PM_TIMER_PORT), b;

	delay_us(100);
	b = inl(PM_TIMER_PORT);
	check(((a | b) & ~PM_TIMER_MASK) == 0 && inb(PM_TIMER_PORT + 3) == 0,
	      "PM timer: 24-bit counter (bits 31:24 read 0)");
	/* Forward by at least the 100 us waited, and by much less than a second. */
	check(((b - a) & PM_TIMER_MASK) >= us_to_pm(100) && ((b - a) & PM_TIMER_MASK) < 3579545,
	      "PM timer: counts up between two reads");
}

/* ---- i8259A pair and the ELCR ---- */

static uint8_t pic_read(uint16_t cmd, uint8_t ocw3)
{
	outb(cmd, ocw3);
	return inb(cmd);
}

void check_pic(void)
{
	bool ok;

	/* ICW1 edge + ICW4, ICW2 the vector base, ICW3 the cascade on IR2, ICW4 8086 mode. */
	outb(PIC1_CMD, 0x11);
	outb(PIC1_DATA, 0x20);
	outb(PIC1_DATA, 0x04);
	outb(PIC1_DATA, 0x01);
	outb(PIC2_CMD, 0x11);
	outb(PIC2_DATA, 0x28);
	outb(PIC2_DATA, 0x02);
	outb(PIC2_DATA, 0x01);
	check(inb(PIC1_DATA) == 0 && inb(PIC2_DATA) == 0,
	      "PIC: ICW1-4 on both, IMRs cleared by ICW1");
	outb(PIC1_DATA, 0xa5);
	outb(PIC2_DATA, 0x5a);
	ok = inb(PIC1_DATA) == 0xa5 && inb(PIC2_DATA) == 0x5a;
	outb(PIC1_DATA, 0xff);
	outb(PIC2_DATA, 0xff);
	check(ok && inb(PIC1_DATA) == 0xff && inb(PIC2_DATA) == 0xff,
	      "PIC: IMR write and read-back, both chips");
	check(pic_read(PIC1_CMD, OCW3_ISR) == 0 && pic_read(PIC2_CMD, OCW3_ISR) == 0,
	      "PIC: ISR (OCW3) empty on both after init");
	check((pic_read(PIC1_CMD, OCW3_IRR) & 0x08) == 0,
	      "PIC: IRR (OCW3) bit 3 clear, line 3 low");

	/* Lines driven through pc-testdev's IRQ ports: IRR shows requests even while masked. */
	outb(TESTDEV_IRQ + 3, 1);
	outb(TESTDEV_IRQ + 3, 0);
	check((pic_read(PIC1_CMD, OCW3_IRR) & 0x08) != 0,
	      "PIC: edge on IRQ 3 latched in IRR (masked)");
	check(pic_read(PIC1_CMD, OCW3_ISR) == 0, "PIC: ISR still empty (no INTA)");

	/* The ELCR: IRQ 0, 1, 2, 8 and 13 are wired edge-only. */
	outb(ELCR1, 0xff);
	outb(ELCR2, 0xff);
	check(inb(ELCR1) == 0xf8 && inb(ELCR2) == 0xde && inw(ELCR1) == 0xdef8,
	      "PIC: ELCR write/read-back, IRQ 0-2, 8, 13 stay edge");
	outw(ELCR1, 0x0400); /* IRQ 10 level-triggered */
	check(inb(ELCR1) == 0 && inb(ELCR2) == 0x04, "PIC: ELCR word write");
	outb(TESTDEV_IRQ + 10, 1);
	ok = (pic_read(PIC2_CMD, OCW3_IRR) & 0x04) != 0;
	outb(TESTDEV_IRQ + 10, 0);
	check(ok && (pic_read(PIC2_CMD, OCW3_IRR) & 0x04) == 0,
	      "PIC: level IRQ 10 (ELCR) in slave IRR while high, gone when low");
	outw(ELCR1, 0);
}

/* ---- i8254 and port 0x61 ---- */

static uint16_t pit_latch0(void)
{
	uint8_t lo;

	outb(PIT_CW, 0x00); /* counter latch, channel 0 */
	lo = inb(PIT_CH0);
	return (uint16_t)(lo | inb(PIT_CH0) << 8);
}

void check_pit(void)
{
	const uint16_t n0 = 50000, n2 = 11932; /* ~41.9 ms period; 10 ms */
	uint16_t a = 0, b = 0;
	uint8_t p61, status, lo, hi;
	uint32_t t0, waited;
	bool down = false, low, high, toggled = false;

	outb(PIT_CW, 0x34); /* channel 0, LSB then MSB, mode 2 */
	outb(PIT_CH0, n0 & 0xff);
	outb(PIT_CH0, n0 >> 8);
	delay_us(20);
	/* A wrap between two samples reads as a rise: take a few pairs. */
	for (int i = 0; i < 3 && !down; i++) {
		a = pit_latch0();
		delay_us(200);
		b = pit_latch0();
		down = b < a;
	}
	put_str("PIT: channel 0 latched ");
	put_dec(a);
	put_str(" then ");
	put_dec(b);
	put_line("");
	check(a >= 1 && a <= n0 && b >= 1 && b <= n0,
	      "PIT: channel 0 mode 2 count within the programmed count");
	check(down, "PIT: channel 0 count decreases over time (counter latch)");
	outb(PIT_CW, 0xc2); /* read-back: count and status of channel 0 */
	status = inb(PIT_CH0);
	lo = inb(PIT_CH0);
	hi = inb(PIT_CH0);
	check((status & 0x7f) == 0x34 && (lo | hi << 8) >= 1 && (lo | hi << 8) <= n0,
	      "PIT: read-back of channel 0: status (LSB/MSB, mode 2, binary) then count");

	/* Channel 2 as TSC calibration uses it: gate low, mode 0, gate high, wait for OUT2. */
	p61 = inb(PORT_61);
	outb(PORT_61, p61 & ~0x03);
	outb(PIT_CW, 0xb0); /* channel 2, LSB then MSB, mode 0 */
	outb(PIT_CH2, n2 & 0xff);
	outb(PIT_CH2, n2 >> 8);
	low = (inb(PORT_61) & 0x20) == 0;
	t0 = pm_now();
	outb(PORT_61, (p61 & ~0x02) | 0x01);
	while (!(high = (inb(PORT_61) & 0x20) != 0) && pm_since(t0) < us_to_pm(200000))
		;
	waited = pm_since(t0);
	put_str("PIT: OUT2 rose after ");
	put_dec(waited * 10 / PM_TICKS_X10_PER_US);
	put_line(" us (10000 programmed)");
	check(low, "PIT: OUT2 (port 0x61 bit 5) low after the mode 0 control word");
	/*
	 * The PM timer and the PIT share the monitor's clock, but each turns it into its own ticks
	 * when an access traps: allow 1% for that rounding, which still catches an early OUT2.
	 */
	check(high && waited >= us_to_pm(9900),
	      "PIT: OUT2 rises once the count has run out, not before");
	outb(PIT_CW, 0xe8); /* read-back: status only, channel 2 */
	check(inb(PIT_CH2) == 0xb0,
	      "PIT: read-back status of channel 2: OUT high, LSB/MSB, mode 0");
	t0 = pm_now();
	status = inb(PORT_61) & 0x10;
	/*
	 * The bit toggles every 15 us. Side by side with other partitions this one may lose the
	 * CPU for a whole time slice between two reads, so the 1 ms deadline only ends the loop
	 * after enough reads to have seen several toggles of a running clock.
	 */
	for (unsigned reads = 0; !toggled && (reads < 200 || pm_since(t0) < us_to_pm(1000));
	     reads++)
		toggled = (inb(PORT_61) & 0x10) != status;
	check(toggled, "PIT: port 0x61 refresh bit toggles");
	outb(PORT_61, p61 & 0x0f);
	check((inb(PORT_61) & 0x0f) == (p61 & 0x0f), "PIT: port 0x61 gate/speaker bits read back");
}

/* ---- CMOS/RTC ---- */

static uint8_t cmos_read(uint8_t index)
{
	outb(RTC_INDEX, index);
	return inb(RTC_DATA);
}

static void cmos_write(uint8_t index, uint8_t v)
{
	outb(RTC_INDEX, index);
	outb(RTC_DATA, v);
}

/* A little-endian 16-bit CMOS field. */
static uint32_t cmos_read16(uint8_t index)
{
	return (uint32_t)cmos_read(index) | (uint32_t)cmos_read(index + 1) << 8;
}

static bool is_bcd(uint8_t v, uint8_t lo, uint8_t hi)
{
	return (v & 0x0f) <= 9 && (v >> 4) <= 9 && v >= lo && v <= hi;
}

/* Century, year, month, day, hour, minute, second: compared in that order. */
struct rtc_time {
	uint8_t f[7];
};

/* Outside update-in-progress, and twice the same, as a BIOS reads it. */
static void rtc_read_time(struct rtc_time *t)
{
	static const uint8_t index[7] = {0x32, 0x09, 0x08, 0x07, 0x04, 0x02, 0x00};
	struct rtc_time again;

	for (int tries = 0; tries < 10; tries++) {
		uint32_t t0 = pm_now();

		while ((cmos_read(0x0a) & 0x80) && pm_since(t0) < us_to_pm(10000))
			;
		for (int i = 0; i < 7; i++)
			t->f[i] = cmos_read(index[i]);
		for (int i = 0; i < 7; i++)
			again.f[i] = cmos_read(index[i]);
		if (memcmp(t, &again, sizeof(again)) == 0)
			return;
	}
}

static int rtc_compare(const struct rtc_time *a, const struct rtc_time *b)
{
	return memcmp(a->f, b->f, sizeof(a->f));
}

static void put_bcd(uint8_t v)
{
	char s[3] = {(char)('0' + (v >> 4)), (char)('0' + (v & 0x0f)), 0};

	put_str(s);
}

void check_rtc(uint32_t mem_upper)
{
	struct rtc_time t, u;
	uint32_t ext = mem_upper > 0xffff ? 0xffff : mem_upper;
	uint32_t above16 = mem_upper > 15 * 1024 ? (mem_upper - 15 * 1024) / 64 : 0;
	uint32_t sum = 0, t0;
	bool ok;

	check((cmos_read(0x0a) & 0x7f) == 0x26,
	      "RTC: register A: 32.768 kHz time base, 1024 Hz rate");
	check(cmos_read(0x0b) == 0x02, "RTC: register B: 24-hour BCD, no interrupts");
	check(cmos_read(0x0d) == 0x80, "RTC: register D: valid RAM and time");
	rtc_read_time(&t);
	put_str("RTC: ");
	for (int i = 0; i < 7; i++) {
		put_bcd(t.f[i]);
		put_str(i == 0 ? "" : i < 3 ? "-" : i == 3 ? " " : i < 6 ? ":" : "\n");
	}
	check(is_bcd(t.f[0], 0x19, 0x20) && is_bcd(t.f[1], 0, 0x99) && is_bcd(t.f[2], 1, 0x12) &&
	          is_bcd(t.f[3], 1, 0x31) && is_bcd(t.f[4], 0, 0x23) && is_bcd(t.f[5], 0, 0x59) &&
	          is_bcd(t.f[6], 0, 0x59),
	      "RTC: century, date and time plausible BCD (month 1-12, day 1-31, hour 0-23, ...)");
	delay_us(50000);
	rtc_read_time(&u);
	check(rtc_compare(&u, &t) >= 0, "RTC: a read 50 ms later is not earlier");
	/* Within a little over a second, the seconds must move. */
	t0 = pm_now();
	do
		rtc_read_time(&u);
	while (rtc_compare(&u, &t) == 0 && pm_since(t0) < us_to_pm(1200000));
	check(rtc_compare(&u, &t) > 0, "RTC: the time advances within 1.2 s");

	check(cmos_read16(0x15) == 640, "CMOS: base memory 640 KiB (0x15/0x16)");
	put_str("CMOS: extended memory ");
	put_dec(cmos_read16(0x17));
	put_str(" KiB, above 16 MiB ");
	put_dec(cmos_read16(0x34));
	put_line(" x 64 KiB");
	check(cmos_read16(0x17) == ext && cmos_read16(0x30) == ext,
	      "CMOS: extended memory (0x17/0x18, 0x30/0x31) matches multiboot mem_upper");
	check(cmos_read16(0x34) == above16,
	      "CMOS: memory above 16 MiB (0x34/0x35) matches mem_upper");
	for (uint8_t i = 0x10; i < 0x2e; i++)
		sum += cmos_read(i);
	/* The checksum is the one big-endian field. */
	check(((uint32_t)cmos_read(0x2e) << 8 | cmos_read(0x2f)) == (sum & 0xffff),
	      "CMOS: checksum 0x2e/0x2f over 0x10-0x2d");
	cmos_write(0x50, 0x5a);
	ok = cmos_read(0x50) == 0x5a;
	cmos_write(0x50, 0xa5);
	check(ok && cmos_read(0x50) == 0xa5,
	      "CMOS: a general-purpose byte (0x50) keeps what is written");
}

/* ---- IOAPIC ---- */

static uint32_t ioapic_read(uint32_t reg)
{
	mmio_write(IOAPIC_IOREGSEL, reg);
	return mmio_read(IOAPIC_IOWIN);
}

static void ioapic_write(uint32_t reg, uint32_t v)
{
	mmio_write(IOAPIC_IOREGSEL, reg);
	mmio_write(IOAPIC_IOWIN, v);
}

void check_ioapic(void)
{
	const uint32_t lo = 0x10 + 2 * 20, hi = lo + 1; /* entry 20: no line drives it */
	uint32_t id = ioapic_read(0), version = ioapic_read(1), old;

	put_str("IOAPIC: ID ");
	put_hex(id);
	put_str(", version ");
	put_hex(version);
	put_line("");
	check(id == 0, "IOAPIC: ID register 0, as the MADT says (MOV)");
	check(version == 0x00170020, "IOAPIC: version 0x20, 24 entries (MOV)");
	mmio_write(IOAPIC_IOREGSEL, 1);
	check(read_movsl(IOAPIC_IOWIN) == 0x00170020, "IOAPIC: version through MOVSD to RAM");
	old = xchg_mem(IOAPIC_IOREGSEL, 0);
	check(old == 1 && mmio_read(IOAPIC_IOWIN) == 0,
	      "IOAPIC: XCHG on IOREGSEL returns the old selector");
	ioapic_write(0, 0xffffffff);
	check(ioapic_read(0) == 0x0f000000, "IOAPIC: ID takes bits 27:24 only");
	ioapic_write(0, 0);

	check(ioapic_read(lo) == 0x00010000 && ioapic_read(hi) == 0,
	      "IOAPIC: entry 20 resets masked");
	/* RW bits plus delivery status and remote IRR, which are read-only. */
	ioapic_write(lo, 0x0001a145 | 0x5000);
	ioapic_write(hi, 0x03ffffff);
	check(ioapic_read(lo) == 0x0001a145 && ioapic_read(hi) == 0x03000000,
	      "IOAPIC: entry 20 reads back its RW bits, read-only and reserved bits 0");
	mmio_write(IOAPIC_IOREGSEL, lo);
	or_mem(IOAPIC_IOWIN, 0x800);
	check(ioapic_read(lo) == 0x0001a945,
	      "IOAPIC: OR to IOWIN (read-modify-write) sets destination mode");
	mmio_write(IOAPIC_IOREGSEL, hi);
	write_rep_movsl(IOAPIC_IOWIN, 0x05000000);
	check(ioapic_read(hi) == 0x05000000, "IOAPIC: REP MOVSD from RAM writes the destination");
	check(ioapic_read(lo + 2) == 0x00010000 && ioapic_read(lo - 2) == 0x00010000,
	      "IOAPIC: neighbouring entries untouched");
	ioapic_write(lo, 0x00010000);
	ioapic_write(hi, 0);
}

/* ---- local APIC ---- */

void check_lapic(void)
{
	uint32_t id = mmio_read(LAPIC_ID), version = mmio_read(LAPIC_VERSION), c1, c2, old;

	put_str("LAPIC: ID ");
	put_hex(id);
	put_str(", version ");
	put_hex(version);
	put_line("");
	check(id == 0, "LAPIC: ID 0, as the MADT says (MOV)");
	check((version & 0xff) == 0x14 && (version >> 16 & 0xff) == 5,
	      "LAPIC: version 0x14, max LVT entry 5 (MOV)");
	check(test_mem(LAPIC_VERSION, 0x10) && !test_mem(LAPIC_VERSION, 0x01),
	      "LAPIC: TEST with memory on the version");
	/*
	 * The SDM asks for aligned 32-bit accesses; narrower ones are model specific. This model
	 * answers them as QEMU does: reads give 0, writes are dropped.
	 */
	check(read_movzx8(LAPIC_VERSION) == 0,
	      "LAPIC: MOVZX byte read of the version is not decoded (0)");
	check(test_mem(LAPIC_LVT_TIMER, 0x10000) && BT_MEM(LAPIC_LVT_TIMER, 16) &&
	          !BT_MEM(LAPIC_LVT_TIMER, 17),
	      "LAPIC: LVT timer masked one-shot at reset (TEST, BT with memory)");

	check(mmio_read(LAPIC_SVR) == 0xff && !BT_MEM(LAPIC_SVR, 8),
	      "LAPIC: SVR 0xff (disabled) at reset");
	or_mem(LAPIC_SVR, 0x100);
	check(mmio_read(LAPIC_SVR) == 0x1ff && BT_MEM(LAPIC_SVR, 8),
	      "LAPIC: SVR enabled by OR to memory");
	mmio_write(LAPIC_SVR, 0xffffffff);
	check(mmio_read(LAPIC_SVR) == 0x3ff, "LAPIC: SVR write/read-back keeps bits 9:0");
	mmio_write(LAPIC_SVR, 0x1ff);

	mmio_write(LAPIC_TPR, 0x20);
	check(mmio_read(LAPIC_TPR) == 0x20 && mmio_read(LAPIC_PPR) == 0x20,
	      "LAPIC: TPR write/read-back, PPR follows with nothing in service");
	old = xchg_mem(LAPIC_TPR, 0x30);
	check(old == 0x20 && mmio_read(LAPIC_TPR) == 0x30, "LAPIC: XCHG with TPR");
	mmio_write(LAPIC_TPR, 0xffffffff);
	check(mmio_read(LAPIC_TPR) == 0xff, "LAPIC: TPR keeps bits 7:0");
	mmio_write(LAPIC_TPR, 0);
	write_mov8(LAPIC_TPR, 0x40);
	check(mmio_read(LAPIC_TPR) == 0, "LAPIC: a byte write to TPR is dropped");

	mmio_write(LAPIC_LVT_TIMER, 0x000110ef); /* delivery status (bit 12) is read-only */
	check(mmio_read(LAPIC_LVT_TIMER) == 0x000100ef, "LAPIC: LVT timer write/read-back, masked");
	mmio_write(LAPIC_TIMER_DCR, 0x0b); /* divide by 1: the 1 GHz bus clock */
	check(mmio_read(LAPIC_TIMER_DCR) == 0x0b, "LAPIC: timer divide register write/read-back");
	mmio_write(LAPIC_TIMER_ICR, 0xffffffff); /* one-shot of 4.3 s */
	c1 = mmio_read(LAPIC_TIMER_CCR);
	delay_us(100);
	c2 = mmio_read(LAPIC_TIMER_CCR);
	put_str("LAPIC: timer current count ");
	put_hex(c1);
	put_str(" then ");
	put_hex(c2);
	put_line("");
	check(mmio_read(LAPIC_TIMER_ICR) == 0xffffffff && c2 < c1 && c1 - c2 >= 100000,
	      "LAPIC: timer current count decreases, by at least 100 us at 1 GHz");
	mmio_write(LAPIC_TIMER_ICR, 0);
	check(mmio_read(LAPIC_TIMER_CCR) == 0, "LAPIC: initial count 0 stops the timer");
	mmio_write(LAPIC_TIMER_DCR, 0);
	mmio_write(LAPIC_LVT_TIMER, 0x00010000);
	mmio_write(LAPIC_SVR, 0xff);
}

/* ---- fw_cfg ---- */

static void fw_cfg_read(uint16_t key, uint8_t *buf, uint32_t n)
{
	outw(FW_CFG_SEL, key);
	for (uint32_t i = 0; i < n; i++)
		buf[i] = inb(FW_CFG_DATA);
}

static uint32_t le16(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8;
}

static uint32_t le32(const uint8_t *p)
{
	return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

void check_fw_cfg(uint32_t mem_upper, uint32_t cpus)
{
	uint8_t b[8];
	uint32_t nb;

	fw_cfg_read(0x0000, b, 6);
	check(memcmp(b, "QEMU", 4) == 0, "fw_cfg: signature \"QEMU\"");
	check(b[4] == 0 && b[5] == 0, "fw_cfg: reads past an item's end give 0");
	fw_cfg_read(0x0001, b, 4);
	check(le32(b) == 1, "fw_cfg: ID 1 (port interface, no DMA)");
	fw_cfg_read(0x0005, b, 2);
	nb = le16(b);
	put_str("fw_cfg: NB_CPUS ");
	put_dec(nb);
	put_line("");
	check(nb == 1 && (cpus == 0 || nb == cpus), "fw_cfg: NB_CPUS 1, as the MADT lists");
	fw_cfg_read(0x000f, b, 2);
	check(le16(b) >= nb, "fw_cfg: MAX_CPUS at least NB_CPUS");
	fw_cfg_read(0x0003, b, 8);
	put_str("fw_cfg: RAM size ");
	put_hex(le32(b + 4));
	put_str(":");
	put_hex(le32(b));
	put_line("");
	check(le32(b + 4) == 0 && le32(b) == (mem_upper + 1024) * 1024,
	      "fw_cfg: RAM size is 1 MiB + multiboot mem_upper");
	fw_cfg_read(0x7ff0, b, 4);
	check(le32(b) == 0, "fw_cfg: an unknown key reads 0");
	/* The selector decodes only 16-bit writes: a byte write neither selects nor rewinds. */
	fw_cfg_read(0x0000, b, 2);
	outb(FW_CFG_SEL, 0x05);
	b[2] = inb(FW_CFG_DATA);
	b[3] = inb(FW_CFG_DATA);
	check(memcmp(b, "QEMU", 4) == 0, "fw_cfg: a byte write to the selector is dropped");
}

/* ---- PCI configuration mechanism #1 ---- */

static uint32_t pci_read32(uint32_t dev, uint32_t reg)
{
	outl(PCI_ADDR, PCI_ENABLE | dev << 11 | reg);
	return inl(PCI_DATA);
}

void check_pci(void)
{
	uint32_t id = pci_read32(0, 0x00), class = pci_read32(0, 0x08);

	put_str("PCI: 00:00.0 ");
	put_hex(id);
	put_str(", class/revision ");
	put_hex(class);
	put_line("");
	check(id == 0x12378086, "PCI: 00:00.0 is 8086:1237 (dword read)");
	check(class >> 8 == 0x060000 && (class & 0xff) == 2,
	      "PCI: 00:00.0 class 0x06 subclass 0x00, revision 2");
	check((pci_read32(0, 0x0c) >> 16 & 0xff) == 0, "PCI: 00:00.0 header type 0");
	check(inl(PCI_ADDR) == (PCI_ENABLE | 0x0c), "PCI: CONFIG_ADDRESS reads back");
	outl(PCI_ADDR, PCI_ENABLE | 0x08);
	check(inb(PCI_DATA + 3) == 0x06 && inb(PCI_DATA + 2) == 0x00,
	      "PCI: class bytes through 0xcfb/0xcfa");
	outl(PCI_ADDR, PCI_ENABLE);
	check(inw(PCI_DATA + 2) == 0x1237 && inw(PCI_DATA) == 0x8086,
	      "PCI: IDs through word reads");
	outl(PCI_DATA, 0);
	check(pci_read32(0, 0x00) == 0x12378086, "PCI: a write to the vendor ID is dropped");
	check(pci_read32(5, 0x00) == 0xffffffff, "PCI: 00:05.0 (nothing there) reads all ones");
	outl(PCI_ADDR, 0x00000000);
	check(inl(PCI_DATA) == 0xffffffff, "PCI: data reads all ones with the enable bit clear");
}

/* ---- unclaimed ports and the POST port ---- */

void check_unclaimed_io(void)
{
	check(inb(0x300) == 0xff && inw(0x300) == 0xffff && inl(0x300) == 0xffffffff,
	      "unclaimed port 0x300 reads all ones (byte, word, dword)");
	outb(0x300, 0x12);
	outw(0x300, 0x1234);
	outl(0x300, 0x12345678);
	check(inb(0x300) == 0xff && inw(0x300) == 0xffff && inl(0x300) == 0xffffffff,
	      "unclaimed port 0x300: writes dropped");
	outb(0x80, 0x5a);
	check(inb(0x80) == 0x5a, "POST port 0x80: a read returns the code written");
	outb(0x80, 0xa5);
	check(inb(0x80) == 0xa5, "POST port 0x80: and the next one");
}

/* ---- pc-testdev ---- */

static uint8_t pattern_in[512], pattern_out[512];

void check_testdev(void)
{
	volatile uint32_t *io32 = (volatile uint32_t *)TESTDEV_IOMEM;
	volatile uint16_t *io16 = (volatile uint16_t *)TESTDEV_IOMEM;
	volatile uint8_t *io8 = (volatile uint8_t *)TESTDEV_IOMEM;
	bool ok;

	outl(TESTDEV_SCRATCH, 0x12345678);
	check(inl(TESTDEV_SCRATCH) == 0x12345678, "pc-testdev: scratch 0xe0 dword read-back");
	check(inb(TESTDEV_SCRATCH + 1) == 0x56 && inw(TESTDEV_SCRATCH + 2) == 0x1234,
	      "pc-testdev: scratch byte and word reads by lane");
	outb(TESTDEV_SCRATCH + 3, 0xab);
	outw(TESTDEV_SCRATCH, 0xcdef);
	check(inl(TESTDEV_SCRATCH) == 0xab34cdef,
	      "pc-testdev: scratch byte and word writes by lane");
	check(inl(TESTDEV_SCRATCH + 4) == 0xffffffff, "pc-testdev: the flush port reads all ones");

	/* The "iomem" window: RAM-like, but every access below is emulated. */
	io32[0] = 0x11223344;
	io32[0x8000 / 4] = 0x55667788;
	io32[(TESTDEV_IOSIZE - 4) / 4] = 0x99aabbcc;
	check(io32[0] == 0x11223344 && io32[0x8000 / 4] == 0x55667788 &&
	          io32[(TESTDEV_IOSIZE - 4) / 4] == 0x99aabbcc,
	      "pc-testdev iomem: dword writes read back (start, middle, end)");
	io8[1] = 0xaa;
	io16[1] = 0xbbcc;
	check(io32[0] == 0xbbccaa44 && io8[3] == 0xbb && io16[0] == 0xaa44,
	      "pc-testdev iomem: byte and word writes land in their lanes");
	for (uint32_t i = 0; i < sizeof(pattern_in); i++)
		pattern_in[i] = (uint8_t)(i * 7 + 3);
	copy_movsb((void *)(TESTDEV_IOMEM + 0x1003), pattern_in, sizeof(pattern_in));
	check(io8[0x1003] == pattern_in[0] && io8[0x1003 + 511] == pattern_in[511] &&
	          io8[0x1002] == 0 && io8[0x1003 + 512] == 0,
	      "pc-testdev iomem: REP MOVSB from RAM into it, exactly the bytes asked");
	copy_movsb(pattern_out, (const void *)(TESTDEV_IOMEM + 0x1003), sizeof(pattern_out));
	check(memcmp(pattern_in, pattern_out, sizeof(pattern_in)) == 0,
	      "pc-testdev iomem: REP MOVSB out of it into RAM returns the pattern");
	fill_stosl((void *)(TESTDEV_IOMEM + 0x2000), 0xdeadbeef, 64);
	ok = io32[0x2000 / 4 - 1] == 0 && io32[0x2000 / 4 + 64] == 0;
	for (uint32_t i = 0; i < 64; i++)
		ok &= io32[0x2000 / 4 + i] == 0xdeadbeef;
	check(ok, "pc-testdev iomem: REP STOSD fills it");
	check(*(volatile uint32_t *)(TESTDEV_IOMEM + TESTDEV_IOSIZE) == 0xffffffff,
	      "MMIO past the iomem window (nothing there) reads all ones");
}
