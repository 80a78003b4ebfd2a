/* Multiboot v1 spinner guest: burns processor time for a number of TSC milliseconds, IF set or clear. */
#include "args.h"
#include "idt.h"
#include "intc.h"
#include "mbguest.h"
#include "timing.h"
#include "x86.h"

#define PROGRESS_MS 250U

/*
 * Command line: ms=N (default 1000) and irq=on|off (default off). With irq=on the spinner runs
 * with IF set (an IDT loaded, the 8259 masked, the local APIC enabled with nothing programmed),
 * so a hypervisor may only take the processor back through its own timer either way.
 */
int main(uint32_t magic, const void *info)
{
	const char *source, *cmdline = mb_cmdline(magic, info);
	uint32_t ms = arg_u32(cmdline, "ms", 1000), done_ms = 0, loops = 0;
	bool irq = arg_is(cmdline, "irq", "on");
	uint64_t start, next;

	put_str("spinner: cmdline '");
	put_str(cmdline);
	put_line("'");
	if (tsc_calibrate(10000, &source) < 1000) {
		put_line("spinner: FAILED, the TSC could not be calibrated");
		return 1;
	}
	idt_init();
	pic_init();
	if (irq) {
		lapic_enable(false);
		irq_enable();
	}
	put_str("spinner: spinning ");
	put_dec(ms);
	put_str(" ms with interrupts ");
	put_line(irq ? "on" : "off");
	start = rdtsc();
	next = start + us_to_tsc(PROGRESS_MS * 1000U);
	while (done_ms < ms) {
		uint64_t now = rdtsc();

		loops++;
		if (now >= next) {
			put_str("spinner: ");
			put_dec(tsc_to_us(now - start) / 1000U);
			put_str(" ms, ");
			put_dec(loops);
			put_line(" loops");
			next += us_to_tsc(PROGRESS_MS * 1000U);
		}
		done_ms = tsc_to_us(now - start) / 1000U;
	}
	irq_disable();
	put_str("spinner: done, ");
	put_dec(done_ms);
	put_str(" ms, ");
	put_dec(loops);
	put_str(" loops, unexpected interrupts ");
	put_dec(idt_unexpected_count());
	put_line("");
	return 0;
}
