/* The host's local APIC timer behind monitor/host_timer.h: TSC-deadline or calibrated one-shot. */
#include "monitor/host_timer.h"

#include <stddef.h>

#include "monitor/arch/boot.h"
#include "monitor/arch/cpu.h"
#include "monitor/arch/exceptions.h"

/* IA32_APIC_BASE and the xAPIC registers (Intel SDM "Advanced Programmable Interrupt Controller"). */
#define MSR_APIC_BASE           0x1BU
#define APIC_BASE_ENABLE        (1ULL << 11)
#define APIC_BASE_EXTD          (1ULL << 10) /* x2APIC mode: the MMIO page is gone */
#define APIC_BASE_ADDR_MASK     0x0000000FFFFFF000ULL
#define APIC_DEFAULT_BASE       0xFEE00000ULL
#define MSR_TSC_DEADLINE        0x6E0U
#define APIC_TPR                0x080U
#define APIC_EOI                0x0B0U
#define APIC_SVR                0x0F0U
#define APIC_SVR_ENABLE         0x100U
#define APIC_LVT_TIMER          0x320U
#define APIC_LVT_MASKED         0x10000U
#define APIC_LVT_ONESHOT        0x00000U
#define APIC_LVT_TSC_DEADLINE   0x40000U
#define APIC_TIMER_INITIAL      0x380U
#define APIC_TIMER_CURRENT      0x390U
#define APIC_TIMER_DIVIDE       0x3E0U
#define APIC_DIVIDE_BY_1        0xBU

#define CPUID1_ECX_TSC_DEADLINE (1U << 24)
#define CPUID1_EDX_APIC         (1U << 9)

/* The boot page tables' PD entry bits (entry.S maps [0, 4 GiB) with 2 MiB pages). */
#define PDE_PWT      (1ULL << 3)
#define PDE_PCD      (1ULL << 4)
#define LARGE_PAGE   (2ULL << 20)
#define MAPPED_LIMIT (4ULL << 30)

/* 10 ms of TSC to calibrate the one-shot count rate against. */
#define CALIBRATE_DIVISOR 100U
#define COUNT_MAX         0xFFFFFFFFULL

static volatile uint32_t *apic;
static enum host_timer_mode mode;
static uint64_t tsc_hz, count_hz;
static volatile uint64_t fired;
static volatile uint64_t spurious;
/*
 * requested: the last host_timer_arm() value (libhv's); target: what the timer is programmed for
 * now (the idle loop's own wake time while idling), 0 once it has fired or when disarmed.
 */
static uint64_t requested;
static volatile uint64_t target;

static uint32_t apic_read(uint32_t reg)
{
	return apic[reg / 4];
}

static void apic_write(uint32_t reg, uint32_t value)
{
	apic[reg / 4] = value;
}

static void program(uint64_t tsc);

/*
 * The one-shot count is converted from TSC cycles with a measured rate, so it may end a little
 * before the TSC value it stands for (or far before, when clamped to 32 bits). The contract is
 * "once the TSC reaches it": an early interrupt re-arms for the rest. libhv relies on that: it
 * re-arms only when its wanted expiry changes.
 */
static void on_timer(struct exception_frame *frame)
{
	(void)frame;
	fired++;
	apic_write(APIC_EOI, 0);
	if (mode == HOST_TIMER_ONESHOT && target && asm_rdtsc() < target)
		program(target);
	else
		target = 0;
}

/* A spurious interrupt is never in service: no EOI (Intel SDM "Spurious Interrupt"). */
static void on_spurious(struct exception_frame *frame)
{
	(void)frame;
	spurious++;
}

/*
 * The APIC page must be uncached: the firmware's MTRRs normally say so, but the boot page tables
 * leave caching to them, and a register read served from a cache line would be stale. Set
 * PCD|PWT on the 2 MiB page that holds it.
 */
static void map_uncached(uint64_t base)
{
	uint64_t *pde = &boot_pd[base / LARGE_PAGE];

	*pde |= PDE_PCD | PDE_PWT;
	asm_invlpg((const volatile void *)(uintptr_t)(base & ~(LARGE_PAGE - 1)));
}

/* Count down from the top for 10 ms of TSC: the count rate in Hz (0 when the timer stood still). */
static uint64_t calibrate_oneshot(void)
{
	uint64_t t0, t1, wait = tsc_hz / CALIBRATE_DIVISOR;
	uint32_t left;

	apic_write(APIC_TIMER_DIVIDE, APIC_DIVIDE_BY_1);
	apic_write(APIC_LVT_TIMER, HOST_TIMER_VECTOR | APIC_LVT_MASKED | APIC_LVT_ONESHOT);
	apic_write(APIC_TIMER_INITIAL, (uint32_t)COUNT_MAX);
	t0 = asm_rdtsc();
	do
		t1 = asm_rdtsc();
	while (t1 - t0 < wait);
	left = apic_read(APIC_TIMER_CURRENT);
	apic_write(APIC_TIMER_INITIAL, 0);
	if (left == 0 || t1 == t0)
		return 0;
	return (uint64_t)((unsigned __int128)(COUNT_MAX - left) * tsc_hz / (t1 - t0));
}

enum host_timer_mode host_timer_init(uint64_t hz)
{
	uint32_t eax, ebx, ecx, edx;
	uint64_t base_msr, base;

	tsc_hz = hz ? hz : 1000000000ULL;
	asm_cpuid(1, 0, &eax, &ebx, &ecx, &edx);
	if (!(edx & CPUID1_EDX_APIC))
		return mode = HOST_TIMER_NONE;
	base_msr = asm_rdmsr(MSR_APIC_BASE);
	if (base_msr & APIC_BASE_EXTD)
		return mode =
		           HOST_TIMER_NONE; /* firmware left x2APIC on: not handled, said in the banner */
	base = base_msr & APIC_BASE_ADDR_MASK;
	if (!base || base >= MAPPED_LIMIT)
		base = APIC_DEFAULT_BASE;
	asm_wrmsr(MSR_APIC_BASE, (base_msr & ~APIC_BASE_ADDR_MASK) | base | APIC_BASE_ENABLE);
	map_uncached(base);
	apic = (volatile uint32_t *)(uintptr_t)base;

	exception_set_handler(HOST_TIMER_VECTOR, on_timer);
	exception_set_handler(HOST_SPURIOUS_VECTOR, on_spurious);
	apic_write(APIC_TPR, 0);
	apic_write(APIC_SVR, APIC_SVR_ENABLE | HOST_SPURIOUS_VECTOR);

	if (ecx & CPUID1_ECX_TSC_DEADLINE) {
		apic_write(APIC_LVT_TIMER, HOST_TIMER_VECTOR | APIC_LVT_TSC_DEADLINE);
		/* The SDM asks for a fence between the LVT write and the first deadline write. */
		__asm__ volatile("mfence" ::: "memory");
		asm_wrmsr(MSR_TSC_DEADLINE, 0);
		return mode = HOST_TIMER_TSC_DEADLINE;
	}
	count_hz = calibrate_oneshot();
	if (!count_hz)
		return mode = HOST_TIMER_NONE;
	apic_write(APIC_LVT_TIMER, HOST_TIMER_VECTOR | APIC_LVT_ONESHOT);
	return mode = HOST_TIMER_ONESHOT;
}

enum host_timer_mode host_timer_mode(void)
{
	return mode;
}

uint64_t host_timer_count_hz(void)
{
	return mode == HOST_TIMER_ONESHOT ? count_hz : 0;
}

const char *host_timer_mode_name(enum host_timer_mode m)
{
	switch (m) {
	case HOST_TIMER_ONESHOT: return "local APIC timer, one-shot";
	case HOST_TIMER_TSC_DEADLINE: return "local APIC timer, TSC-deadline";
	default: return "none";
	}
}

static void program(uint64_t tsc)
{
	uint64_t now, ticks;

	target = tsc;
	switch (mode) {
	case HOST_TIMER_TSC_DEADLINE:
		/* A value already past fires at once; 0 disarms (Intel SDM "TSC-Deadline Mode"). */
		asm_wrmsr(MSR_TSC_DEADLINE, tsc);
		return;
	case HOST_TIMER_ONESHOT:
		if (tsc == 0) {
			apic_write(APIC_TIMER_INITIAL, 0);
			return;
		}
		now = asm_rdtsc();
		ticks = tsc > now
		            ? (uint64_t)(((unsigned __int128)(tsc - now) * count_hz + tsc_hz - 1) /
		                         tsc_hz)
		            : 1;
		if (ticks == 0)
			ticks = 1; /* a count of 0 stops the timer instead of firing it */
		if (ticks > COUNT_MAX)
			ticks = COUNT_MAX; /* fires early: the handler re-arms for the rest */
		apic_write(APIC_TIMER_INITIAL, (uint32_t)ticks);
		return;
	default: return;
	}
}

void host_timer_arm(uint64_t tsc)
{
	requested = tsc;
	program(tsc);
}

void host_timer_take_interrupts(void)
{
	__asm__ volatile("sti; nop; cli" ::: "memory");
}

/*
 * STI's one-instruction shadow keeps the interrupt from arriving between STI and HLT, so a timer
 * that fires just before cannot be missed: it is pending and ends the HLT at once.
 */
void host_timer_idle_until(uint64_t tsc)
{
	while (asm_rdtsc() < tsc) {
		if (mode == HOST_TIMER_NONE) {
			asm_pause(); /* no timer to wake us: spin */
			continue;
		}
		if (target != tsc)
			program(tsc);
		__asm__ volatile("sti; hlt; cli" ::: "memory");
	}
	/* Put back libhv's request: it re-arms only when its wanted expiry changes. */
	if (mode != HOST_TIMER_NONE && requested)
		program(requested);
}

uint64_t host_timer_fired(void)
{
	return fired;
}
