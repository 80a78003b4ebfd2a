/* The SVM world switch (svm_hw.h): host state out, guest registers in, VMRUN, and back. */

#define GPR(n) (8 * (n))

	.text
	.globl svm_enter_guest
	.type svm_enter_guest, @function
/*
 * void svm_enter_guest(uint64_t *gprs (rdi), hv_hpa_t vmcb (rsi), hv_hpa_t host_vmcb (rdx),
 *                      uint64_t host_interrupts (rcx))
 */
svm_enter_guest:
	pushf			/* the caller's RFLAGS (IF), restored on return */
	push %rbp
	push %rbx
	push %r12
	push %r13
	push %r14
	push %r15
	push %rdx		/* 16(%rsp): host VMCB */
	push %rsi		/* 8(%rsp): guest VMCB */
	push %rdi		/* 0(%rsp): gprs */

	/* No interrupt or NMI may arrive between the host-state save and VMRUN. */
	clgi
	/*
	 * With V_INTR_MASKING the host's IF at VMRUN decides whether a physical interrupt stops
	 * the guest (APM "Interrupt Masking in EFLAGS"); GIF=0 keeps it out of the host until then.
	 */
	test %rcx, %rcx
	jz 1f
	sti
1:
	mov %rdx, %rax
	vmsave %rax

	mov GPR(1)(%rdi), %rcx
	mov GPR(2)(%rdi), %rdx
	mov GPR(3)(%rdi), %rbx
	mov GPR(5)(%rdi), %rbp
	mov GPR(6)(%rdi), %rsi
	mov GPR(8)(%rdi), %r8
	mov GPR(9)(%rdi), %r9
	mov GPR(10)(%rdi), %r10
	mov GPR(11)(%rdi), %r11
	mov GPR(12)(%rdi), %r12
	mov GPR(13)(%rdi), %r13
	mov GPR(14)(%rdi), %r14
	mov GPR(15)(%rdi), %r15
	mov GPR(7)(%rdi), %rdi

	mov 8(%rsp), %rax
	vmload %rax
	vmrun %rax
	vmsave %rax

	/* RAX is the guest VMCB again (VMRUN restores the host's RAX); RSP is the host's. */
	push %rdi
	mov 8(%rsp), %rdi
	mov %rcx, GPR(1)(%rdi)
	mov %rdx, GPR(2)(%rdi)
	mov %rbx, GPR(3)(%rdi)
	mov %rbp, GPR(5)(%rdi)
	mov %rsi, GPR(6)(%rdi)
	mov %r8, GPR(8)(%rdi)
	mov %r9, GPR(9)(%rdi)
	mov %r10, GPR(10)(%rdi)
	mov %r11, GPR(11)(%rdi)
	mov %r12, GPR(12)(%rdi)
	mov %r13, GPR(13)(%rdi)
	mov %r14, GPR(14)(%rdi)
	mov %r15, GPR(15)(%rdi)
	pop %rax
	mov %rax, GPR(7)(%rdi)

	add $16, %rsp		/* gprs, guest VMCB */
	pop %rax		/* host VMCB */
	vmload %rax
	/* GIF is 0 after #VMEXIT: an interrupt that stopped the guest stays pending until IF. */
	cli
	stgi

	pop %r15
	pop %r14
	pop %r13
	pop %r12
	pop %rbx
	pop %rbp
	popf			/* the caller's IF: a pending interrupt arrives only if it was 1 */
	ret
	.size svm_enter_guest, . - svm_enter_guest

	.section .note.GNU-stack, "", @progbits
