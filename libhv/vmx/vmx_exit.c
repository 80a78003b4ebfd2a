/* Decoding a VMX exit (reason, qualification, lengths, addresses) into the neutral struct hv_exit. */
#include "libhv/vmx/vmcs.h"
#include "libhv/vmx/vmx_internal.h"

static void decode_io(const struct vmx_exit_info *x, const uint64_t *gprs, struct hv_exit *exit)
{
	uint64_t q = x->qualification;

	exit->reason = HV_EXIT_IO;
	exit->io.port = (uint16_t)(q >> VMX_IO_PORT_SHIFT);
	exit->io.size = (uint8_t)((q & VMX_IO_SIZE_MASK) + 1);
	exit->io.is_write = !(q & VMX_IO_IN);
	exit->io.is_string = (q & VMX_IO_STRING) != 0;
	exit->io.is_rep = (q & VMX_IO_REP) != 0;
	if (exit->io.size != 1 && exit->io.size != 2 && exit->io.size != 4) {
		/* The SDM allows only 0, 1 and 3 in the size field: anything else is not I/O. */
		exit->reason = HV_EXIT_UNSUPPORTED;
		exit->unsupported.info1 = q;
		return;
	}
	if (exit->io.is_write && !exit->io.is_string)
		exit->io.value =
		    (uint32_t)(gprs[VMX_GPR_RAX] &
		               (exit->io.size == 4 ? 0xffffffffULL
		                                   : (1ULL << (8 * exit->io.size)) - 1));
}

static void decode_ept_violation(const struct vmx_exit_info *x, struct hv_exit *exit)
{
	uint64_t q = x->qualification;

	exit->reason = HV_EXIT_MEMORY_ACCESS;
	exit->memory.gpa = x->guest_physical;
	exit->memory.access = (q & VMX_EPT_FETCH)   ? HV_ACCESS_EXECUTE
	                      : (q & VMX_EPT_WRITE) ? HV_ACCESS_WRITE
	                                            : HV_ACCESS_READ;
	exit->memory.mapped = (q & VMX_EPT_PERMS_MASK) != 0;
	exit->memory.gva_valid = (q & VMX_EPT_GLA_VALID) != 0;
	if (exit->memory.gva_valid) {
		exit->memory.gva = x->guest_linear;
		exit->memory.during_guest_walk = !(q & VMX_EPT_GLA_FINAL);
	}
}

static void decode_cr_access(const struct vmx_exit_info *x, struct hv_exit *exit)
{
	uint64_t q = x->qualification;

	exit->reason = HV_EXIT_CR_ACCESS;
	exit->cr.number = (uint8_t)(q & VMX_CR_NUMBER_MASK);
	exit->cr.type = (uint8_t)((q >> VMX_CR_TYPE_SHIFT) & 3);
	exit->cr.gpr = (uint8_t)((q >> VMX_CR_GPR_SHIFT) & 15);
	exit->cr.lmsw_source = (uint16_t)(q >> VMX_CR_LMSW_SOURCE_SHIFT);
}

static void invalid(struct hv_exit *exit, uint32_t error, const char *detail)
{
	exit->reason = HV_EXIT_INVALID_STATE;
	exit->invalid.error = error;
	exit->invalid.detail = detail;
}

void vmx_decode_exit(const struct vmx_exit_info *x, const uint64_t gprs[VMX_GPR_COUNT],
                     struct hv_exit *exit)
{
	uint32_t basic = x->reason & 0xffffU;

	exit->vendor_code = x->reason;
	exit->rip = x->rip;
	/* The processor reports an instruction length only for exits an instruction caused. */
	exit->insn_length =
	    (x->insn_length >= 1 && x->insn_length <= 15) ? (uint8_t)x->insn_length : 0;

	if (x->reason & VMX_EXIT_REASON_ENTRY_FAILURE) {
		/* The detail for invalid guest state is filled in by the caller, who has the VMCS. */
		invalid(exit, basic,
		        basic == VMX_EXIT_MSR_LOADING     ? "MSR loading at VM entry failed"
		        : basic == VMX_EXIT_MACHINE_CHECK ? "machine check during VM entry"
		                                          : "invalid guest state");
		exit->insn_length = 0;
		return;
	}

	switch (basic) {
	case VMX_EXIT_EXCEPTION_NMI:
		if (((x->interruption_info >> VMX_INTR_TYPE_SHIFT) & 7) == VMX_INTR_TYPE_NMI) {
			exit->reason = HV_EXIT_INTERRUPT;
		} else {
			/* No exception is intercepted: this would be a libhv bug. */
			exit->reason = HV_EXIT_UNSUPPORTED;
			exit->unsupported.info1 = x->interruption_info;
		}
		exit->insn_length = 0;
		break;
	case VMX_EXIT_EXTERNAL_INTERRUPT:
	case VMX_EXIT_INIT:
	case VMX_EXIT_SIPI:
	case VMX_EXIT_PREEMPTION_TIMER:
		exit->reason = HV_EXIT_INTERRUPT;
		exit->insn_length = 0;
		break;
	case VMX_EXIT_INTERRUPT_WINDOW:
		exit->reason = HV_EXIT_INTERRUPT_WINDOW;
		exit->insn_length = 0;
		break;
	/* The NMI window libhv armed for an NMI of its own: re-evaluated by the core, like a host interrupt. */
	case VMX_EXIT_NMI_WINDOW:
		exit->reason = HV_EXIT_INTERRUPT;
		exit->insn_length = 0;
		break;
	case VMX_EXIT_TRIPLE_FAULT:
		exit->reason = HV_EXIT_SHUTDOWN;
		exit->insn_length = 0;
		break;
	case VMX_EXIT_CPUID:
		exit->reason = HV_EXIT_CPUID;
		exit->cpuid.leaf = (uint32_t)gprs[VMX_GPR_RAX];
		exit->cpuid.subleaf = (uint32_t)gprs[VMX_GPR_RCX];
		break;
	case VMX_EXIT_HLT: exit->reason = HV_EXIT_HLT; break;
	case VMX_EXIT_VMCALL: exit->reason = HV_EXIT_HYPERCALL; break;
	case VMX_EXIT_IO: decode_io(x, gprs, exit); break;
	case VMX_EXIT_RDMSR:
	case VMX_EXIT_WRMSR:
		exit->reason = basic == VMX_EXIT_RDMSR ? HV_EXIT_MSR_READ : HV_EXIT_MSR_WRITE;
		exit->msr.index = (uint32_t)gprs[VMX_GPR_RCX];
		if (basic == VMX_EXIT_WRMSR)
			exit->msr.value = (gprs[VMX_GPR_RDX] << 32) | (uint32_t)gprs[VMX_GPR_RAX];
		break;
	case VMX_EXIT_CR_ACCESS: decode_cr_access(x, exit); break;
	case VMX_EXIT_EPT_VIOLATION:
		decode_ept_violation(x, exit);
		exit->insn_length = 0; /* the emulator's to find */
		break;
	case VMX_EXIT_EPT_MISCONFIG:
		/* libhv wrote an entry the processor cannot use: a libhv bug, never the guest's. */
		invalid(exit, basic,
		        "EPT misconfiguration: libhv wrote a bad EPT entry (a libhv bug)");
		break;
	/*
	 * The guest sees no VMX (CPUID hides it), no XSAVE, no MONITOR: these raise #UD, as on a
	 * processor without the feature. INVD would discard the host's dirty cache lines.
	 */
	case VMX_EXIT_GETSEC:
	case VMX_EXIT_INVD:
	case VMX_EXIT_MWAIT:
	case VMX_EXIT_MONITOR:
	case VMX_EXIT_INVEPT:
	case VMX_EXIT_INVVPID:
	case VMX_EXIT_XSETBV:
	case VMX_EXIT_VMFUNC: exit->reason = HV_EXIT_REFUSED_INSN; break;
	default:
		if (basic >= VMX_EXIT_VMCLEAR && basic <= VMX_EXIT_VMXON) {
			exit->reason = HV_EXIT_REFUSED_INSN;
			break;
		}
		exit->reason = HV_EXIT_UNSUPPORTED;
		exit->unsupported.info1 = x->qualification;
		exit->unsupported.info2 = x->guest_physical;
		break;
	}
}

const char *vmx_instruction_error_name(uint32_t error)
{
	switch (error) {
	case 1: return "VMCALL executed in VMX root operation";
	case 2: return "VMCLEAR with an invalid physical address";
	case 3: return "VMCLEAR with the VMXON pointer";
	case 4: return "VMLAUNCH with a non-clear VMCS";
	case 5: return "VMRESUME with a non-launched VMCS";
	case 6: return "VMRESUME after VMXOFF";
	case 7: return "VM entry with invalid control field(s)";
	case 8: return "VM entry with invalid host-state field(s)";
	case 9: return "VMPTRLD with an invalid physical address";
	case 10: return "VMPTRLD with the VMXON pointer";
	case 11: return "VMPTRLD with an incorrect VMCS revision identifier";
	case 12: return "VMREAD/VMWRITE of an unsupported VMCS component";
	case 13: return "VMWRITE to a read-only VMCS component";
	case 15: return "VMXON executed in VMX root operation";
	case 16: return "VM entry with an invalid executive-VMCS pointer";
	case 26: return "VM entry with events blocked by MOV SS";
	case 28: return "invalid operand to INVEPT/INVVPID";
	default: return "VM-instruction error (see the SDM's table of error numbers)";
	}
}
