/* Interrupt and exception entry: one stub per vector, then a common path into exception_dispatch(). */

/*
 * Each stub makes the stack look the same whatever the vector: the CPU pushes SS, RSP, RFLAGS,
 * CS, RIP and, for some exceptions, an error code; the stub pushes a zero error code where the
 * CPU does not, then the vector number. The common path pushes the general-purpose registers,
 * giving struct exception_frame (exceptions.h), lowest address first.
 */

/* Stubs are ISR_STUB_SIZE bytes apart so idt.c can compute each one's address (idt.c agrees). */
#define ISR_STUB_SIZE 16

/* Vectors for which the CPU pushes an error code (Intel SDM "Exception and Interrupt Reference"). */
#define HAS_ERROR_CODE(v) ((v) == 8 || ((v) >= 10 && (v) <= 14) || (v) == 17 || (v) == 21 || \
			   (v) == 29 || (v) == 30)

	.text
	.balign ISR_STUB_SIZE
	.globl isr_stub_table
	.type isr_stub_table, @function
isr_stub_table:
	.set vector, 0
	.rept 256
0:	.if !HAS_ERROR_CODE(vector)
	pushq $0
	.endif
	pushq $vector
	jmp isr_common
	/* Pad with INT3 to the next stub; the assembler refuses (.org backwards) if a stub is longer. */
	.org 0b + ISR_STUB_SIZE, 0xcc
	.set vector, vector + 1
	.endr
	.size isr_stub_table, . - isr_stub_table

	/*
	 * In 64-bit mode the CPU aligns RSP to 16 bytes before pushing its frame. With the 2 pushes
	 * above and the 15 below (22 quadwords in all, 176 bytes) RSP is still 16-byte aligned at
	 * the call, as the SysV ABI wants (exceptions.c checks the frame size).
	 */
	.type isr_common, @function
isr_common:
	pushq %rax
	pushq %rbx
	pushq %rcx
	pushq %rdx
	pushq %rsi
	pushq %rdi
	pushq %rbp
	pushq %r8
	pushq %r9
	pushq %r10
	pushq %r11
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	movq %rsp, %rdi
	cld /* the ABI wants DF clear on entry to C; the interrupted code may have set it */
	call exception_dispatch
	/* The handler may have changed the frame (a fixup rewrites RIP): restore from it. */
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %r11
	popq %r10
	popq %r9
	popq %r8
	popq %rbp
	popq %rdi
	popq %rsi
	popq %rdx
	popq %rcx
	popq %rbx
	popq %rax
	addq $16, %rsp /* vector and error code */
	iretq
	.size isr_common, . - isr_common

	.section .note.GNU-stack, "", @progbits
