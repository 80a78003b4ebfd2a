/* Entry of the example guests: zero .bss, align the stack, run main(info), exit with its result. */

	.section .text.start, "ax"
	.global _start
	.type _start, @function
_start:
	/* RDI holds the start-info GPA (see guest_start.h); keep it across the .bss clear. */
	mov	%rdi, %rbx
	cld
	lea	__bss_start(%rip), %rdi
	lea	__bss_end(%rip), %rcx
	sub	%rdi, %rcx
	xor	%eax, %eax
	rep stosb

	/* The SysV ABI wants RSP 16-byte aligned at each call; a zero frame pointer ends backtraces. */
	and	$-16, %rsp
	xor	%ebp, %ebp
	mov	%rbx, %rdi
	call	main

	mov	%eax, %edi
	call	guest_exit
	/* guest_exit does not return; stop here if it ever did. */
1:	cli
	hlt
	jmp	1b
	.size _start, . - _start

	.section .note.GNU-stack, "", @progbits
