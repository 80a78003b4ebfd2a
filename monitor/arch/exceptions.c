/* Exception and interrupt handling: dispatch, fixups for instructions that may fault, the fatal report. */
#include "monitor/arch/exceptions.h"

#include <stdbool.h>
#include <stddef.h>

#include "monitor/arch/boot.h"
#include "monitor/arch/cpu.h"
#include "monitor/arch/idt.h"
#include "monitor/console.h"
#include "monitor/power.h"

/* isr.S pushes 22 quadwords; a multiple of 16 bytes keeps the stack aligned for the C call. */
_Static_assert(sizeof(struct exception_frame) == 22U * 8U, "isr.S and the frame layout agree");
_Static_assert(sizeof(struct exception_frame) % 16U == 0, "frame keeps RSP 16-byte aligned");
_Static_assert(offsetof(struct exception_frame, vector) == 15U * 8U, "vector after the 15 GPRs");
_Static_assert(offsetof(struct exception_frame, rip) == 17U * 8U, "CPU frame after the error code");

#define BACKTRACE_MAX_FRAMES  16U
#define SPURIOUS_REPORT_LIMIT 32U /* an interrupt storm must not drown the log */

/* From linker.ld. */
extern const struct exception_fixup __fixup_table_start[];
extern const struct exception_fixup __fixup_table_end[];

static exception_handler_fn handlers[IDT_VECTORS];
static unsigned spurious_count;
/* How many fatal reports are under way: an exception inside the report must not recurse forever. */
static volatile unsigned report_depth;

static const char *const exception_names[EXCEPTION_FIRST_INTERRUPT] = {
    [EXCEPTION_DE] = "#DE divide error",
    [EXCEPTION_DB] = "#DB debug",
    [EXCEPTION_NMI] = "NMI non-maskable interrupt",
    [EXCEPTION_BP] = "#BP breakpoint",
    [EXCEPTION_OF] = "#OF overflow",
    [EXCEPTION_BR] = "#BR BOUND range exceeded",
    [EXCEPTION_UD] = "#UD invalid opcode",
    [EXCEPTION_NM] = "#NM device not available",
    [EXCEPTION_DF] = "#DF double fault",
    [9] = "coprocessor segment overrun",
    [EXCEPTION_TS] = "#TS invalid TSS",
    [EXCEPTION_NP] = "#NP segment not present",
    [EXCEPTION_SS] = "#SS stack-segment fault",
    [EXCEPTION_GP] = "#GP general protection",
    [EXCEPTION_PF] = "#PF page fault",
    [EXCEPTION_MF] = "#MF x87 floating-point error",
    [EXCEPTION_AC] = "#AC alignment check",
    [EXCEPTION_MC] = "#MC machine check",
    [EXCEPTION_XM] = "#XM SIMD floating-point",
    [EXCEPTION_VE] = "#VE virtualization exception",
    [EXCEPTION_CP] = "#CP control protection",
    [EXCEPTION_HV] = "#HV hypervisor injection",
    [EXCEPTION_VC] = "#VC VMM communication",
    [EXCEPTION_SX] = "#SX security exception",
};

const char *exception_name(unsigned vector)
{
	if (vector >= EXCEPTION_FIRST_INTERRUPT)
		return "interrupt";
	return exception_names[vector] ? exception_names[vector] : "reserved";
}

void exception_set_handler(uint8_t vector, exception_handler_fn handler)
{
	handlers[vector] = handler;
}

uint64_t exception_fixup_lookup(uint64_t rip)
{
	/* A handful of entries: a linear search is the simplest thing that is obviously right. */
	for (const struct exception_fixup *f = __fixup_table_start; f < __fixup_table_end; f++) {
		if (f->fault_rip == rip)
			return f->resume_rip;
	}
	return 0;
}

static bool is_in_guard_page(uint64_t addr)
{
	uint64_t guard = (uint64_t)(uintptr_t)boot_stack_guard;

	return addr >= guard && addr - guard < sizeof(boot_stack_guard);
}

/*
 * A frame pointer is followed only while it stays inside the monitor's image (all its stacks are
 * in .bss), off the guard page, aligned, and moving up the stack: a corrupt chain ends the walk
 * rather than causing a fault inside the report.
 */
static bool is_plausible_frame(uint64_t rbp)
{
	uint64_t start = (uint64_t)(uintptr_t)__monitor_start;
	uint64_t end = (uint64_t)(uintptr_t)__monitor_end;

	return (rbp & 7U) == 0 && rbp >= start && rbp <= end - 16U && !is_in_guard_page(rbp) &&
	       !is_in_guard_page(rbp + 8U);
}

static void print_backtrace(const struct exception_frame *frame)
{
	uint64_t rbp = frame->rbp;

	kprintf("  backtrace: %#llx", (unsigned long long)frame->rip);
	for (unsigned i = 0; i < BACKTRACE_MAX_FRAMES && is_plausible_frame(rbp); i++) {
		const uint64_t *fp = (const uint64_t *)(uintptr_t)rbp;

		if (fp[1] == 0)
			break;
		kprintf(" %#llx", (unsigned long long)fp[1]);
		if (fp[0] <= rbp)
			break;
		rbp = fp[0];
	}
	kprintf("\n");
}

static void print_page_fault_detail(const struct exception_frame *frame, uint64_t cr2)
{
	uint64_t e = frame->error_code;

	if (frame->vector == EXCEPTION_PF) {
		kprintf("  page fault: %s %s of %#llx%s%s\n",
		        (e & PF_ERROR_PRESENT) ? "protection violation on" : "not-present page on",
		        (e & PF_ERROR_FETCH)   ? "fetch"
		        : (e & PF_ERROR_WRITE) ? "write"
		                               : "read",
		        (unsigned long long)cr2, (e & PF_ERROR_USER) ? ", user mode" : "",
		        (e & PF_ERROR_RESERVED) ? ", reserved bit set" : "");
	}
	/* A #DF from a stack overflow leaves CR2 at the guard page the #PF could not be pushed to. */
	if ((frame->vector == EXCEPTION_PF || frame->vector == EXCEPTION_DF) &&
	    is_in_guard_page(cr2))
		kprintf(
		    "  CR2 is in the boot stack's guard page: the monitor's stack overflowed\n");
}

_Noreturn void exception_report_fatal(const struct exception_frame *frame)
{
	unsigned depth = ++report_depth;

	if (depth > 2U)
		machine_exit(MACHINE_EXIT_FAILURE);
	if (depth == 2U) {
		kprintf("\nEXCEPTION: %s (vector %llu) at RIP %#llx while reporting an exception\n",
		        exception_name((unsigned)frame->vector), (unsigned long long)frame->vector,
		        (unsigned long long)frame->rip);
		machine_exit(MACHINE_EXIT_FAILURE);
	}

	uint64_t cr2 = asm_read_cr2();

	kprintf("\nEXCEPTION: %s (vector %llu), error code %#llx\n",
	        exception_name((unsigned)frame->vector), (unsigned long long)frame->vector,
	        (unsigned long long)frame->error_code);
	kprintf("  RIP %016llx  CS %04llx  RFLAGS %016llx  RSP %016llx  SS %04llx\n",
	        (unsigned long long)frame->rip, (unsigned long long)frame->cs,
	        (unsigned long long)frame->rflags, (unsigned long long)frame->rsp,
	        (unsigned long long)frame->ss);
	kprintf("  CR0 %016llx  CR2 %016llx  CR3 %016llx  CR4 %016llx\n",
	        (unsigned long long)asm_read_cr0(), (unsigned long long)cr2,
	        (unsigned long long)asm_read_cr3(), (unsigned long long)asm_read_cr4());
	kprintf("  RAX %016llx  RBX %016llx  RCX %016llx  RDX %016llx\n",
	        (unsigned long long)frame->rax, (unsigned long long)frame->rbx,
	        (unsigned long long)frame->rcx, (unsigned long long)frame->rdx);
	kprintf("  RSI %016llx  RDI %016llx  RBP %016llx\n", (unsigned long long)frame->rsi,
	        (unsigned long long)frame->rdi, (unsigned long long)frame->rbp);
	kprintf("  R8  %016llx  R9  %016llx  R10 %016llx  R11 %016llx\n",
	        (unsigned long long)frame->r8, (unsigned long long)frame->r9,
	        (unsigned long long)frame->r10, (unsigned long long)frame->r11);
	kprintf("  R12 %016llx  R13 %016llx  R14 %016llx  R15 %016llx\n",
	        (unsigned long long)frame->r12, (unsigned long long)frame->r13,
	        (unsigned long long)frame->r14, (unsigned long long)frame->r15);
	print_page_fault_detail(frame, cr2);
	print_backtrace(frame);
	machine_exit(MACHINE_EXIT_FAILURE);
}

void exception_dispatch(struct exception_frame *frame)
{
	uint64_t vector = frame->vector;

	if (vector == EXCEPTION_GP || vector == EXCEPTION_UD) {
		uint64_t resume = exception_fixup_lookup(frame->rip);

		if (resume) {
			frame->rip = resume;
			return;
		}
	}
	if (vector < IDT_VECTORS && handlers[vector]) {
		handlers[vector](frame);
		return;
	}
	if (vector >= EXCEPTION_FIRST_INTERRUPT) {
		/*
		 * The monitor enables no interrupt source (the PIC is masked, no APIC timer is set
		 * up), so this is a stray or software interrupt: say so and carry on. No EOI is
		 * sent: nothing here knows which controller, if any, delivered it.
		 */
		if (spurious_count++ < SPURIOUS_REPORT_LIMIT)
			kprintf("spurious interrupt: vector %llu at RIP %#llx (ignored)%s\n",
			        (unsigned long long)vector, (unsigned long long)frame->rip,
			        spurious_count == SPURIOUS_REPORT_LIMIT ? "; no more reported"
			                                                : "");
		return;
	}
	exception_report_fatal(frame);
}
