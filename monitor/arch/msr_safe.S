/* rdmsr_safe() and wrmsr_safe(): RDMSR/WRMSR that return -EIO instead of dying when they raise #GP. */

#include "monitor/lib/errno.h"

/*
 * Each faulting instruction has an entry in .fixup_table (linker.ld): if it raises #GP, the
 * exception handler (exceptions.c) resumes at the paired address instead of reporting a crash.
 * Written in assembly so that the faulting and resume addresses are plain labels.
 */

	.text

	/* int rdmsr_safe(uint32_t msr [edi], uint64_t *value [rsi]); *value untouched on failure. */
	.globl rdmsr_safe
	.type rdmsr_safe, @function
rdmsr_safe:
	movl %edi, %ecx
1:	rdmsr
	/* RDMSR zero-extends EAX and EDX into RAX and RDX. */
	shlq $32, %rdx
	orq %rdx, %rax
	movq %rax, (%rsi)
	xorl %eax, %eax
	ret
2:	movl $-EIO, %eax
	ret
	.size rdmsr_safe, . - rdmsr_safe

	.pushsection .fixup_table, "a"
	.balign 8
	.quad 1b, 2b
	.popsection

	/* int wrmsr_safe(uint32_t msr [edi], uint64_t value [rsi]). */
	.globl wrmsr_safe
	.type wrmsr_safe, @function
wrmsr_safe:
	movl %edi, %ecx
	movl %esi, %eax
	movq %rsi, %rdx
	shrq $32, %rdx
3:	wrmsr
	xorl %eax, %eax
	ret
4:	movl $-EIO, %eax
	ret
	.size wrmsr_safe, . - wrmsr_safe

	.pushsection .fixup_table, "a"
	.balign 8
	.quad 3b, 4b
	.popsection

	.section .note.GNU-stack, "", @progbits
