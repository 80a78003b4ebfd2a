/* The 256 entry stubs of the 32-bit IDT (16 bytes apart) and their common path to idt_dispatch(). */

	.section .text
	.code32
	.align 16
	.global idt_stubs
idt_stubs:
	.set vec, 0
	.rept 256
	.align 16
	/* The processor pushes an error code for these exceptions only; the others get a 0. */
	.if !(vec == 8 || (vec >= 10 && vec <= 14) || vec == 17 || vec == 21 || vec == 29 || vec == 30)
	pushl	$0
	.endif
	pushl	$vec
	jmp	idt_common
	.set vec, vec + 1
	.endr

idt_common:
	pushal
	cld
	mov	%esp, %eax
	push	%eax
	call	idt_dispatch
	add	$4, %esp
	popal
	add	$8, %esp	/* the vector and the error code */
	iret

	.section .note.GNU-stack, "", @progbits
