/* A hostile guest: triple-faults on purpose; the monitor must stop this partition and only it. */
#include <stdint.h>

#include "guest.h"

/* The operand of LIDT in long mode: a 16-bit limit, then a 64-bit base. */
struct idt_descriptor {
	uint16_t limit;
	uint64_t base;
} __attribute__((packed));

int main(const struct guest_start_info *info)
{
	(void)info;
	guest_puts("triple_fault: loading an empty IDT and executing ud2: expect a triple fault\n");

	/*
	 * Limit 0 leaves no valid gate for any vector. Delivering the #UD from ud2 reads a gate past
	 * the limit and raises #GP; delivering that #GP fails the same way, and a contributory fault
	 * while delivering a contributory fault is a #DF; delivering the #DF fails too, and the CPU
	 * shuts down (a triple fault). See "Interrupt 8—Double Fault Exception (#DF)" in the SDM.
	 */
	static const struct idt_descriptor empty_idt = {.limit = 0, .base = 0};
	__asm__ volatile("lidt %0" : : "m"(empty_idt));
	__asm__ volatile("ud2" ::: "memory");

	/* Unreachable on a correct platform: say so and exit with a status the harness rejects. */
	guest_puts("triple_fault: still running after ud2: the platform did not stop me\n");
	return 0x7F;
}
