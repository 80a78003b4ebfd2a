/* The 32-bit IDT of the multiboot v1 guests: gates to the stubs, handler table, fatal exceptions. */
#include "idt.h"
#include "mbguest.h"
#include "x86.h"

#define IDT_GATE_INT32 0x8e00U /* present, DPL 0, 32-bit interrupt gate */
#define KERNEL_CS      0x08U   /* crt0's GDT */
#define STUB_SIZE      16U

extern char idt_stubs[];
uint32_t idt_dispatch(struct int_frame *f);

static uint64_t idt[256] __attribute__((aligned(8)));
static int_handler_fn handlers[256];
static volatile uint32_t unexpected;
static volatile uint8_t unexpected_last;
/* wrmsr_safe(): the EIP of its WRMSR while it runs, and whether that WRMSR raised #GP. */
static volatile uint32_t safe_eip;
static volatile bool safe_faulted;

bool wrmsr_safe(uint32_t msr, uint64_t v)
{
	safe_faulted = false;
	__asm__ volatile("movl $1f, %0\n\t"
	                 "1: wrmsr"
	                 : "=m"(safe_eip)
	                 : "c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32))
	                 : "memory");
	safe_eip = 0;
	return !safe_faulted;
}

void idt_init(void)
{
	struct {
		uint16_t limit;
		uint32_t base;
	} __attribute__((packed)) idtr = {sizeof(idt) - 1, (uint32_t)idt};

	for (uint32_t v = 0; v < 256; v++) {
		uint32_t at = (uint32_t)idt_stubs + v * STUB_SIZE;

		idt[v] = (uint64_t)((at & 0xffffU) | (KERNEL_CS << 16)) |
		         ((uint64_t)((at & 0xffff0000U) | IDT_GATE_INT32) << 32);
	}
	__asm__ volatile("lidt %0" : : "m"(idtr));
}

void idt_set_handler(uint8_t vector, int_handler_fn fn)
{
	handlers[vector] = fn;
}

uint32_t idt_unexpected_count(void)
{
	return unexpected;
}

uint8_t idt_unexpected_last(void)
{
	return unexpected_last;
}

/* Called by idt_common with the frame the stub built; returns to the stub, which IRETs. */
uint32_t idt_dispatch(struct int_frame *f)
{
	uint32_t v = f->vector & 0xff;

	if (handlers[v]) {
		handlers[v](f);
		return 0;
	}
	if (v == 13 && safe_eip && f->eip == safe_eip) {
		safe_faulted = true;
		f->eip += 2; /* WRMSR is 0F 30 */
		return 0;
	}
	if (v < 32) {
		put_str("FAIL exception ");
		put_dec(v);
		put_str(" error ");
		put_hex(f->error);
		put_str(" at EIP ");
		put_hex(f->eip);
		put_line("");
		mbguest_exit(0xe00 | v);
	}
	unexpected++;
	unexpected_last = (uint8_t)v;
	return 0;
}
