/* Benchmark guest: 64 KiB of text to COM1 by port I/O (one exit per byte at least), timed with the TSC. */
#include <stdbool.h>
#include <stdint.h>

#include "flood_text.h"
#include "guest.h"
#include "vsc.h"

int main(const struct guest_start_info *info)
{
	char line[FLOOD_LINE_BYTES];
	uint64_t start, cycles, hz = 0;

	(void)info;
	/* The TSC frequency, if the monitor offers it (for the microseconds; cycles are printed anyway). */
	if ((cpuid(1, 0).ecx & CPUID_1_ECX_HYPERVISOR) &&
	    cpuid(HV_CPUID_VENDOR_AND_MAX, 0).ebx == HV_CPUID_SIGNATURE_EBX &&
	    (cpuid(HV_CPUID_FEATURES, 0).eax & HV_FEATURE_FREQUENCY_MSRS))
		hz = vsc_rdmsr(HV_X64_MSR_TSC_FREQUENCY);
	guest_puts("uart_flood: 65536 bytes of text through COM1 follow\n");
	start = vsc_rdtsc();
	for (uint32_t i = 0; i < FLOOD_BYTES / FLOOD_LINE_BYTES; i++) {
		flood_fill_line(line, "uart_flood", i);
		for (uint32_t j = 0; j < FLOOD_LINE_BYTES; j++)
			guest_putc(line[j]);
	}
	cycles = vsc_rdtsc() - start;
	if (hz)
		guest_printf(
		    "uart_flood: %u bytes in %llu TSC cycles (%llu us)\n", FLOOD_BYTES,
		    (unsigned long long)cycles,
		    (unsigned long long)(cycles / hz * 1000000U + cycles % hz * 1000000U / hz));
	else
		guest_printf("uart_flood: %u bytes in %llu TSC cycles\n", FLOOD_BYTES,
		             (unsigned long long)cycles);
	guest_puts("uart_flood: PASS\n");
	return 0;
}
