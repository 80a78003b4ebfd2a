/* The friendly example guest: says hello and reports what the platform told it. */
#include <stdbool.h>
#include <stdint.h>

#include "guest.h"

#define CPUID_HV_VENDOR_LEAF 0x40000000U

/* Print a 12-byte CPUID vendor string held in three registers, in the order given. */
static void print_vendor(uint32_t a, uint32_t b, uint32_t c)
{
	char vendor[13];
	memcpy(&vendor[0], &a, 4);
	memcpy(&vendor[4], &b, 4);
	memcpy(&vendor[8], &c, 4);
	vendor[12] = '\0';
	for (int i = 0; i < 12; i++) {
		/* A vendor string is ours to print but not ours to trust: keep it printable. */
		if (vendor[i] < 0x20 || vendor[i] > 0x7E)
			vendor[i] = '?';
	}
	guest_printf("\"%s\"", vendor);
}

int main(const struct guest_start_info *raw_info)
{
	guest_puts("Hello from a libhv child partition\n");

	const struct guest_start_info *info = guest_check_start_info(raw_info);
	if (info == NULL) {
		guest_printf("hello: bad start info at %p\n", (const void *)raw_info);
		return 1;
	}
	guest_printf("hello: memory %lu MiB (%#lx bytes)\n", (unsigned long)(info->mem_size >> 20),
	             (unsigned long)info->mem_size);

	/* Print at most cmdline_size - 1 characters, bounded by the contract's GUEST_START_CMDLINE_MAX. */
	const char *cmdline = (const char *)(uintptr_t)info->cmdline_gpa;
	uint32_t limit = info->cmdline_gpa != 0 ? info->cmdline_size : 0;
	if (limit > GUEST_START_CMDLINE_MAX)
		limit = GUEST_START_CMDLINE_MAX;
	guest_puts("hello: command line \"");
	for (uint32_t i = 0; i + 1 < limit && cmdline[i] != '\0'; i++)
		guest_putc(cmdline[i]);
	guest_puts("\"\n");

	struct cpuid_result leaf0 = cpuid(0, 0);
	guest_puts("hello: CPUID vendor ");
	print_vendor(leaf0.ebx, leaf0.edx, leaf0.ecx);
	guest_putc('\n');

	struct cpuid_result leaf1 = cpuid(1, 0);
	bool hypervisor = (leaf1.ecx & CPUID_1_ECX_HYPERVISOR) != 0;
	guest_printf("hello: CPUID.1:ECX[31] (hypervisor present) = %d\n", hypervisor ? 1 : 0);
	if (hypervisor) {
		struct cpuid_result hv = cpuid(CPUID_HV_VENDOR_LEAF, 0);

		/* The hypervisor's own leaves exist only when it reports a maximum leaf. */
		if (hv.eax >= CPUID_HV_VENDOR_LEAF) {
			guest_puts("hello: hypervisor vendor ");
			print_vendor(hv.ebx, hv.ecx, hv.edx);
			guest_printf(", max leaf %#x\n", hv.eax);
		} else {
			guest_puts("hello: the hypervisor shows no leaves at 0x40000000\n");
		}
	}
	return 0;
}
