/* The VMX world switch (vmx_hw.h): guest registers in, VMLAUNCH/VMRESUME, and back at the exit. */

#define GPR(n) (8 * (n))
#define VMCS_HOST_RSP 0x6c14

	.text
	.globl vmx_enter_guest
	.type vmx_enter_guest, @function
/* int vmx_enter_guest(uint64_t *gprs (rdi), int launched (esi)) */
vmx_enter_guest:
	push %rbp
	push %rbx
	push %r12
	push %r13
	push %r14
	push %r15
	push %rdi		/* 0(%rsp): gprs, found again at the exit through HOST_RSP */

	mov $VMCS_HOST_RSP, %eax
	vmwrite %rsp, %rax

	/* Decide VMLAUNCH or VMRESUME now: the MOVs below leave the flags alone. */
	test %esi, %esi

	mov GPR(0)(%rdi), %rax
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

	jnz 1f
	vmlaunch
	jmp 2f
1:	vmresume
2:	/* Only a failed VMLAUNCH/VMRESUME gets here: ZF = VMfailValid, CF = VMfailInvalid. */
	mov $1, %eax
	jnc 3f
	mov $2, %eax
3:	add $8, %rsp
	jmp 4f

	.globl vmx_exit_point
	.type vmx_exit_point, @function
vmx_exit_point:
	/* RSP is HOST_RSP again: 0(%rsp) holds gprs. Every other register is the guest's. */
	push %rdi
	mov 8(%rsp), %rdi
	mov %rax, GPR(0)(%rdi)
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
	add $8, %rsp
	xor %eax, %eax

4:	pop %r15
	pop %r14
	pop %r13
	pop %r12
	pop %rbx
	pop %rbp
	ret
	.size vmx_enter_guest, . - vmx_enter_guest

	.section .note.GNU-stack, "", @progbits
