/* Checks the hypercall interface: an unknown call code must come back HV_STATUS_INVALID_HYPERCALL_CODE. */
#include <stdbool.h>
#include <stdint.h>

#include "guest.h"

/* From the TLFS (libhv/include/hv/abi/hv_status.h; guests do not see libhv's include path). */
#define HV_STATUS_INVALID_HYPERCALL_CODE 0x0002U
#define HV_HYPERCALL_RESULT_STATUS_MASK  0xFFFFU

/* No hypercall has this code: bits 15:0 of the input value, with fast=0 and no rep count. */
#define UNKNOWN_CALL_CODE 0xFFFFULL

/* CPUID leaf 0 vendor "AuthenticAMD" / "HygonGenuine" in EBX: the SVM parts, which use VMMCALL. */
#define CPUID_VENDOR_EBX_AMD   0x68747541U /* "Auth" */
#define CPUID_VENDOR_EBX_HYGON 0x6f677948U /* "Hygo" */

/*
 * The TLFS x64 register calling convention: RCX = hypercall input value, RDX = input page GPA,
 * R8 = output page GPA; the result value comes back in RAX. VMMCALL and VMCALL are the SVM and
 * VMX spellings; each raises #UD on the other vendor's processors, so pick by CPU vendor (a
 * production guest would call through the hypercall page instead).
 */
static uint64_t hypercall(bool amd, uint64_t input, uint64_t input_gpa, uint64_t output_gpa)
{
	uint64_t result;
	register uint64_t r8 __asm__("r8") = output_gpa;
	if (amd) {
		__asm__ volatile(".byte 0x0f, 0x01, 0xd9" /* vmmcall */
		                 : "=a"(result), "+c"(input), "+d"(input_gpa), "+r"(r8)
		                 :
		                 : "memory", "r9", "r10", "r11");
	} else {
		__asm__ volatile(".byte 0x0f, 0x01, 0xc1" /* vmcall */
		                 : "=a"(result), "+c"(input), "+d"(input_gpa), "+r"(r8)
		                 :
		                 : "memory", "r9", "r10", "r11");
	}
	return result;
}

int main(const struct guest_start_info *info)
{
	(void)info;
	bool pass = true;

	struct cpuid_result leaf1 = cpuid(1, 0);
	if (leaf1.ecx & CPUID_1_ECX_HYPERVISOR) {
		guest_puts("hypercall: CPUID.1:ECX[31] is set: PASS\n");
	} else {
		guest_puts("hypercall: CPUID.1:ECX[31] is clear: FAIL\n");
		pass = false;
	}

	uint32_t vendor_ebx = cpuid(0, 0).ebx;
	bool amd = vendor_ebx == CPUID_VENDOR_EBX_AMD || vendor_ebx == CPUID_VENDOR_EBX_HYGON;
	guest_printf("hypercall: %s with call code %#llx\n", amd ? "vmmcall" : "vmcall",
	             (unsigned long long)UNKNOWN_CALL_CODE);
	uint64_t result = hypercall(amd, UNKNOWN_CALL_CODE, 0, 0);
	uint32_t status = (uint32_t)(result & HV_HYPERCALL_RESULT_STATUS_MASK);
	if (status == HV_STATUS_INVALID_HYPERCALL_CODE) {
		guest_printf("hypercall: status %#x (HV_STATUS_INVALID_HYPERCALL_CODE): PASS\n",
		             status);
	} else {
		guest_printf("hypercall: status %#x, want %#x (RAX %#lx): FAIL\n", status,
		             HV_STATUS_INVALID_HYPERCALL_CODE, (unsigned long)result);
		pass = false;
	}

	guest_puts(pass ? "hypercall: PASS\n" : "hypercall: FAIL\n");
	return pass ? 0 : 1;
}
