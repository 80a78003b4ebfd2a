/* 32-bit entry from GRUB: clear .bss, check for long mode, map the low 4 GiB, switch to 64-bit, call C. */

/*
 * Machine state on entry (Multiboot2 specification, "I386 machine state"): 32-bit protected mode,
 * paging off, flat 4 GiB CS/DS/ES/FS/GS/SS of unknown selectors, interrupts off, EAX = 0x36d76289,
 * EBX = physical address of the boot information. There is no valid stack and the GDT GRUB left
 * may be anywhere, so nothing here trusts either.
 */

#define COM1_BASE       0x3F8
#define UART_LSR        5
#define UART_LSR_THRE   0x20

#define PTE_P           0x001
#define PTE_W           0x002
#define PTE_PS          0x080 /* in a page directory entry: a 2 MiB page */
#define PAGE_SIZE       0x1000
#define LARGE_PAGE_SIZE 0x200000

#define CR0_PE          (1 << 0)
#define CR0_MP          (1 << 1)
#define CR0_EM          (1 << 2)
#define CR0_NE          (1 << 5)
#define CR0_NW          (1 << 29)
#define CR0_CD          (1 << 30)
#define CR0_PG          0x80000000
#define CR4_PAE         (1 << 5)
#define CR4_OSFXSR      (1 << 9)
#define CR4_OSXMMEXCPT  (1 << 10)
#define MSR_EFER        0xC0000080
#define EFER_LME        (1 << 8)
#define EFER_NXE        (1 << 11)
#define EFLAGS_ID       (1 << 21)
#define CPUID_LM_BIT    29 /* CPUID 0x80000001 EDX */
#define CPUID_NX_BIT    20 /* CPUID 0x80000001 EDX */

/* Same selectors as the final GDT (gdt.c), so reloading it later changes nothing visible. */
#define BOOT_CODE_SEL   0x08
#define BOOT_DATA_SEL   0x10

#define BOOT_STACK_SIZE (64 * 1024)

	.section .text.boot, "ax"
	.code32
	.globl _start
	.type _start, @function
_start:
	cli
	cld
	/* EBP and ESI survive everything below (REP STOSB, CPUID, RDMSR/WRMSR) untouched. */
	movl %eax, %ebp
	movl %ebx, %esi

	/*
	 * Clear .bss first: the stack and the page tables live there. GRUB zeroes an ELF segment's
	 * memsz beyond filesz, but the multiboot2 specification does not promise it.
	 */
	movl $__bss_start, %edi
	movl $__bss_end, %ecx
	subl %edi, %ecx
	xorl %eax, %eax
	rep stosb

	movl $boot_stack_top, %esp

	/* CPUID exists when EFLAGS.ID can be toggled (any x86-64 CPU; this rejects a 486 cleanly). */
	pushfl
	popl %eax
	movl %eax, %ecx
	xorl $EFLAGS_ID, %eax
	pushl %eax
	popfl
	pushfl
	popl %eax
	pushl %ecx
	popfl
	xorl %ecx, %eax
	jz no_long_mode

	movl $0x80000000, %eax
	cpuid
	cmpl $0x80000001, %eax
	jb no_long_mode
	movl $0x80000001, %eax
	cpuid
	btl $CPUID_LM_BIT, %edx
	jnc no_long_mode
	movl %edx, %edi /* keep the NX bit for EFER below */

	/*
	 * Identity map [0, 4 GiB) with 2 MiB pages: PML4[0] -> PDPT, PDPT[0..3] -> four page
	 * directories laid out back to back, so they form one array of 2048 entries. The upper
	 * halves of all entries stay zero from the .bss clear (every address here is below 4 GiB).
	 * Caching is left to the MTRRs the firmware set (the APIC and IOAPIC range is UC there).
	 */
	movl $boot_pdpt + (PTE_P | PTE_W), boot_pml4

	movl $boot_pd + (PTE_P | PTE_W), %eax
	movl $boot_pdpt, %ebx
	movl $4, %ecx
1:	movl %eax, (%ebx)
	addl $PAGE_SIZE, %eax
	addl $8, %ebx
	loop 1b

	movl $(PTE_P | PTE_W | PTE_PS), %eax
	movl $boot_pd, %ebx
	movl $2048, %ecx
2:	movl %eax, (%ebx)
	addl $LARGE_PAGE_SIZE, %eax
	addl $8, %ebx
	loop 2b

	/*
	 * The 2 MiB page that holds the stack guard is split into 4 KiB pages with the guard page
	 * left not-present: a stack overflow then faults (and, with no stack left to push on, ends
	 * in #DF on its own IST stack, see gdt.c) instead of silently overwriting .bss below.
	 */
	movl $boot_stack_guard, %eax
	andl $~(LARGE_PAGE_SIZE - 1), %eax
	orl $(PTE_P | PTE_W), %eax
	movl $boot_pt, %ebx
	movl $512, %ecx
3:	movl %eax, (%ebx)
	addl $PAGE_SIZE, %eax
	addl $8, %ebx
	loop 3b

	movl $boot_stack_guard, %eax
	shrl $12, %eax
	andl $511, %eax
	movl $0, boot_pt(, %eax, 8)

	movl $boot_stack_guard, %eax
	shrl $21, %eax
	movl $boot_pt + (PTE_P | PTE_W), boot_pd(, %eax, 8)

	/*
	 * Long mode (Intel SDM "Initializing IA-32e Mode"): PAE on, CR3 set, EFER.LME on, then
	 * paging on. OSFXSR/OSXMMEXCPT and CR0.MP with CR0.EM clear make FXSAVE/FXRSTOR and SSE
	 * usable: the monitor itself is built without SSE, but it saves and restores guests' state.
	 * CR0.NE is required by VMX (and native x87 error reporting is what guests expect); CD/NW
	 * are cleared so caching is on whatever the loader left.
	 */
	movl %cr4, %eax
	orl $(CR4_PAE | CR4_OSFXSR | CR4_OSXMMEXCPT), %eax
	movl %eax, %cr4

	movl $boot_pml4, %eax
	movl %eax, %cr3

	movl $MSR_EFER, %ecx
	rdmsr
	orl $EFER_LME, %eax
	btl $CPUID_NX_BIT, %edi
	jnc 4f
	/* NX is needed for the NPF instruction-fetch bit and NX in nested page tables (TESTING.md). */
	orl $EFER_NXE, %eax
4:	wrmsr

	movl %cr0, %eax
	andl $(0xFFFFFFFF ^ (CR0_EM | CR0_CD | CR0_NW)), %eax
	orl $(CR0_PE | CR0_MP | CR0_NE | CR0_PG), %eax
	movl %eax, %cr0

	/* Now in compatibility mode: a 64-bit code segment completes the switch. */
	lgdt boot_gdtr
	ljmp $BOOT_CODE_SEL, $long_mode_entry

	/* No long mode: say so on COM1 (GRUB has set the UART up) and stop. */
no_long_mode:
	movl $no_long_mode_msg, %esi
5:	movb (%esi), %bl
	testb %bl, %bl
	jz 8f
	movw $(COM1_BASE + UART_LSR), %dx
	movl $1000000, %ecx /* bounded: a missing UART must not hang us before the halt */
6:	inb %dx, %al
	testb $UART_LSR_THRE, %al
	jnz 7f
	loop 6b
7:	movw $COM1_BASE, %dx
	movb %bl, %al
	outb %al, %dx
	incl %esi
	jmp 5b
8:	cli
	hlt
	jmp 8b
	.size _start, . - _start

	.code64
	.type long_mode_entry, @function
long_mode_entry:
	movl $BOOT_DATA_SEL, %eax
	movl %eax, %ds
	movl %eax, %es
	movl %eax, %ss
	movl %eax, %fs
	movl %eax, %gs

	/*
	 * The upper halves of the registers are undefined after the switch from compatibility
	 * mode: reload RSP and zero-extend the multiboot2 magic and info address (32-bit moves
	 * clear bits 63:32) into callee-saved registers that survive arch_init().
	 */
	movq $boot_stack_top, %rsp
	movl %ebp, %r12d
	movl %esi, %r13d
	xorl %ebp, %ebp /* the end of the frame-pointer chain, for backtraces */

	call arch_init

	movl %r12d, %edi
	movq %r13, %rsi
	call monitor_main

	/* monitor_main is not supposed to return; if it does, stop here. */
9:	cli
	hlt
	jmp 9b
	.size long_mode_entry, . - long_mode_entry

	.section .rodata
	.balign 8
boot_gdt:
	.quad 0
	.quad 0x00AF9B000000FFFF /* 0x08: 64-bit code, DPL 0, present, accessed */
	.quad 0x00CF93000000FFFF /* 0x10: data, read/write, DPL 0, present, accessed */
boot_gdt_end:

boot_gdtr:
	.short boot_gdt_end - boot_gdt - 1
	.quad boot_gdt

no_long_mode_msg:
	.asciz "libhv: this CPU has no long mode (x86-64); halting.\r\n"

	.section .bss
	.balign PAGE_SIZE
	.globl boot_pml4, boot_pdpt, boot_pd, boot_pt
boot_pml4:
	.skip PAGE_SIZE
boot_pdpt:
	.skip PAGE_SIZE
boot_pd:
	.skip 4 * PAGE_SIZE
boot_pt:
	.skip PAGE_SIZE

	/* Not mapped (see above): the page below the boot stack. */
	.globl boot_stack_guard, boot_stack, boot_stack_top
boot_stack_guard:
	.skip PAGE_SIZE
boot_stack:
	.skip BOOT_STACK_SIZE
boot_stack_top:

	.section .note.GNU-stack, "", @progbits
