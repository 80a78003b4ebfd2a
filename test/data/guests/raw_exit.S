/* A guest built without the project's guest library: bare ELF64 that prints and exits with 5. */
	.code64
	.section .text
	.globl _start
_start:
	lea msg(%rip), %rsi
1:	movb (%rsi), %al
	testb %al, %al
	jz 2f
	movw $0x3f8, %dx
	outb %al, %dx
	incq %rsi
	jmp 1b
2:	movl $5, %eax
	movw $0xf4, %dx
	outl %eax, %dx
3:	hlt
	jmp 3b

	.section .rodata
msg:	.asciz "raw guest: built outside the project, exiting with 5\n"
	.section .note.GNU-stack, "", @progbits
