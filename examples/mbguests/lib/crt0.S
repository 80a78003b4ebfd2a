/* Entry of the multiboot v1 example guests: the header, our own GDT, a stack, then main(magic, info). */

#define MB_MAGIC 0x1badb002
#define MB_FLAGS 0x00000003 /* page-aligned modules, memory information */

	.section .multiboot, "a"
	.align 4
	.long	MB_MAGIC
	.long	MB_FLAGS
	.long	-(MB_MAGIC + MB_FLAGS)

	.section .text.start, "ax"
	.code32
	.global _start
	.type _start, @function
_start:
	/* EAX and EBX hold the magic and the info address; nothing else is promised, ESP included. */
	cli
	mov	$stack_top, %esp
	mov	%eax, %esi
	mov	%ebx, %edi

	/* The specification: "the OS image must create its own GDT as soon as it can". */
	lgdt	gdt_descriptor
	ljmp	$0x08, $1f
1:	mov	$0x10, %ax
	mov	%ax, %ds
	mov	%ax, %es
	mov	%ax, %fs
	mov	%ax, %gs
	mov	%ax, %ss

	cld
	mov	%edi, %ebx
	mov	$__bss_start, %edi
	mov	$__bss_end, %ecx
	sub	%edi, %ecx
	xor	%eax, %eax
	rep stosb

	push	%ebx
	push	%esi
	call	main
	push	%eax
	call	mbguest_exit
2:	cli
	hlt
	jmp	2b
	.size _start, . - _start

	.section .rodata
	.align 8
gdt:
	.quad	0
	.quad	0x00cf9a000000ffff /* 0x08: flat 32-bit code */
	.quad	0x00cf92000000ffff /* 0x10: flat 32-bit data */
gdt_end:
gdt_descriptor:
	.word	gdt_end - gdt - 1
	.long	gdt

	.section .bss
	.align 16
	.skip	16384
stack_top:

	.section .note.GNU-stack, "", @progbits
