/* A multiboot v1 kernel built without the project's guest library: prints, shows its first module, exits with 7. */
	.code32
	.text
	/* The header first in .text, so that it lies in the file's first 8 KiB as the spec requires. */
	.align 4
	.long 0x1badb002		/* magic */
	.long 0x00000003		/* page-aligned modules, memory information */
	.long -(0x1badb002 + 0x00000003)

	.globl _start
_start:
	mov $stack_top, %esp
	mov %ebx, %edi			/* the multiboot information */
	cmp $0x2badb002, %eax
	jne fail
	mov $hello, %esi
	call puts
	testl $(1 << 3), (%edi)		/* flags: mods_count/mods_addr valid */
	jz no_modules
	cmpl $1, 20(%edi)		/* mods_count */
	jb no_modules
	mov 24(%edi), %ebx		/* mods_addr: {mod_start, mod_end, string, reserved} */
	mov 0(%ebx), %esi
	mov 4(%ebx), %ecx
	mov $module, %eax
	push %esi
	mov %eax, %esi
	call puts
	pop %esi
1:	cmp %ecx, %esi			/* the module's first line */
	jae 2f
	movb (%esi), %al
	cmp $'\n', %al
	je 2f
	mov $0x3f8, %dx
	outb %al, %dx
	inc %esi
	jmp 1b
2:	mov $newline, %esi
	call puts
	mov $7, %eax
	jmp out
no_modules:
	mov $nomods, %esi
	call puts
fail:
	mov $1, %eax
out:	mov $0xf4, %dx
	outl %eax, %dx
3:	hlt
	jmp 3b

/* Print the NUL-terminated string at ESI on COM1. */
puts:	push %eax
	push %edx
4:	movb (%esi), %al
	test %al, %al
	jz 5f
	mov $0x3f8, %dx
	outb %al, %dx
	inc %esi
	jmp 4b
5:	pop %edx
	pop %eax
	ret

	.section .rodata
hello:	.asciz "raw multiboot: a kernel the project never built\n"
module:	.asciz "raw multiboot: module says: "
nomods:	.asciz "raw multiboot: no module\n"
newline: .asciz "\n"

	.bss
	.align 16
	.skip 4096
stack_top:
	.section .note.GNU-stack, "", @progbits
