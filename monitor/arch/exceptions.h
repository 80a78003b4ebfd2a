/* Exception and interrupt handling: the saved frame, fatal reports, fixups for instructions that may fault. */
#ifndef MONITOR_ARCH_EXCEPTIONS_H
#define MONITOR_ARCH_EXCEPTIONS_H

#include <stdint.h>

/* Exception vectors (Intel SDM "Exception and Interrupt Reference"; 28-30 are AMD's). */
enum exception_vector {
	EXCEPTION_DE = 0,  /* divide error */
	EXCEPTION_DB = 1,  /* debug */
	EXCEPTION_NMI = 2, /* non-maskable interrupt */
	EXCEPTION_BP = 3,  /* breakpoint */
	EXCEPTION_OF = 4,  /* overflow */
	EXCEPTION_BR = 5,  /* BOUND range exceeded */
	EXCEPTION_UD = 6,  /* invalid opcode */
	EXCEPTION_NM = 7,  /* device not available */
	EXCEPTION_DF = 8,  /* double fault */
	EXCEPTION_TS = 10, /* invalid TSS */
	EXCEPTION_NP = 11, /* segment not present */
	EXCEPTION_SS = 12, /* stack-segment fault */
	EXCEPTION_GP = 13, /* general protection */
	EXCEPTION_PF = 14, /* page fault */
	EXCEPTION_MF = 16, /* x87 floating-point error */
	EXCEPTION_AC = 17, /* alignment check */
	EXCEPTION_MC = 18, /* machine check */
	EXCEPTION_XM = 19, /* SIMD floating-point */
	EXCEPTION_VE = 20, /* virtualization exception */
	EXCEPTION_CP = 21, /* control protection */
	EXCEPTION_HV = 28, /* hypervisor injection (AMD) */
	EXCEPTION_VC = 29, /* VMM communication (AMD) */
	EXCEPTION_SX = 30, /* security exception (AMD) */
	EXCEPTION_FIRST_INTERRUPT = 32,
};

/* #PF error code bits (Intel SDM "Interrupt 14—Page-Fault Exception"). */
#define PF_ERROR_PRESENT  (1ULL << 0)
#define PF_ERROR_WRITE    (1ULL << 1)
#define PF_ERROR_USER     (1ULL << 2)
#define PF_ERROR_RESERVED (1ULL << 3)
#define PF_ERROR_FETCH    (1ULL << 4)

/*
 * What isr.S saves, lowest address first: the general-purpose registers it pushes (r15 pushed
 * last, so first here), the vector and error code the stub pushes (error code 0 for vectors
 * without one), then the frame the CPU pushes. A handler may change any field: isr.S restores
 * the registers from here and IRETQs to rip/cs/rflags/rsp/ss.
 */
struct exception_frame {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
	uint64_t vector;
	uint64_t error_code;
	uint64_t rip, cs, rflags, rsp, ss;
};

/*
 * A handler for one vector, run with interrupts off on the interrupted stack (or its IST stack).
 * Returning resumes the interrupted code with the (possibly changed) frame.
 */
typedef void (*exception_handler_fn)(struct exception_frame *frame);

/*
 * Route `vector` to `handler` (NULL restores the default: a fatal report for vectors 0-31, a
 * "spurious interrupt" line for 32-255). Fixups (below) are consulted before any handler.
 */
void exception_set_handler(uint8_t vector, exception_handler_fn handler);

/* "general protection" for 13, "reserved" for unassigned vectors below 32, "interrupt" above. */
const char *exception_name(unsigned vector);

/* Called by isr.S only: handles or reports the exception described by `frame`. */
void exception_dispatch(struct exception_frame *frame);

/*
 * The default for an exception nobody handles: print the vector, error code, RIP, CR0/CR2/CR3/CR4,
 * RFLAGS, all general-purpose registers and a frame-pointer backtrace on the console, then
 * machine_exit(MACHINE_EXIT_FAILURE). A custom handler may call it for cases it does not cover.
 */
_Noreturn void exception_report_fatal(const struct exception_frame *frame);

/*
 * Exception fixups: an instruction that is expected to raise #GP or #UD (probing an MSR or an
 * instruction the CPU may lack) gets a (faulting RIP, resume RIP) entry in section .fixup_table;
 * when that exact instruction raises #GP or #UD, the handler resumes at the paired address
 * instead of reporting. Other exceptions at the same RIP are still fatal. From inline assembly:
 *
 *	__asm__ volatile("1: xsetbv\n\t"
 *			 "xorl %0, %0\n"
 *			 "2:\n\t"
 *			 EXCEPTION_FIXUP_ENTRY("1b", "3f")
 *			 ... with "3:" setting an error and jumping back to "2b" ...);
 */
#define EXCEPTION_FIXUP_ENTRY(fault_label, resume_label) \
	".pushsection .fixup_table, \"a\"\n\t"           \
	".balign 8\n\t"                                  \
	".quad " fault_label ", " resume_label "\n\t"    \
	".popsection\n\t"

struct exception_fixup {
	uint64_t fault_rip;
	uint64_t resume_rip;
};

/* The resume RIP for a fault at `rip`, or 0 when it has no fixup. */
uint64_t exception_fixup_lookup(uint64_t rip);

/*
 * RDMSR/WRMSR that survive an MSR the CPU does not implement (or refuses: Bochs 2.7 raises #GP
 * on AMD's VM_CR, 0xC0010114). Return 0, or -EIO when the instruction raised #GP; rdmsr_safe()
 * leaves *value untouched then. msr_safe.S.
 */
int rdmsr_safe(uint32_t msr, uint64_t *value);
int wrmsr_safe(uint32_t msr, uint64_t value);

#endif
