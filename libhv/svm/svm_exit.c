/* Decoding an SVM #VMEXIT (exit code, EXITINFO1/2) into the neutral struct hv_exit. */
#include "libhv/core/cpu.h"
#include "libhv/core/hv_internal.h"
#include "libhv/svm/svm_internal.h"

/*
 * Without NRIP save (QEMU's TCG has none) the next RIP is not reported: the intercepted
 * instructions libhv finishes have fixed encodings, so their lengths are known. A guest that
 * puts redundant prefixes in front of them would be stepped wrongly; the emulator's decoder
 * will take over this job when MMIO emulation lands.
 */
#define LEN_CPUID   2U /* 0f a2 */
#define LEN_HLT     1U /* f4 */
#define LEN_VMMCALL 3U /* 0f 01 d9 */
#define LEN_MSR     2U /* 0f 32 / 0f 30 */

static uint8_t insn_length(const struct vmcb *v, const struct svm_decode_features *f, uint8_t fixed)
{
	uint64_t n = v->control.next_rip - v->save.rip;

	if (f->nrip_save && v->control.next_rip && n >= 1 && n <= 15)
		return (uint8_t)n;
	return fixed;
}

static void decode_io(const struct vmcb *v, const uint64_t gprs[SVM_GPR_COUNT],
                      struct hv_exit *exit)
{
	uint64_t info = v->control.exit_info1;
	uint64_t len = v->control.exit_info2 - v->save.rip; /* EXITINFO2: the next RIP, always */

	exit->reason = HV_EXIT_IO;
	exit->io.port = (uint16_t)(info >> SVM_IOIO_PORT_SHIFT);
	exit->io.size = (info & SVM_IOIO_SZ32) ? 4 : (info & SVM_IOIO_SZ16) ? 2 : 1;
	exit->io.is_write = !(info & SVM_IOIO_TYPE_IN);
	exit->io.is_string = (info & SVM_IOIO_STRING) != 0;
	exit->io.is_rep = (info & SVM_IOIO_REP) != 0;
	exit->insn_length = (len >= 1 && len <= 15) ? (uint8_t)len : 0;
	if (exit->io.is_write && !exit->io.is_string) {
		uint64_t mask =
		    exit->io.size == 4 ? 0xffffffffULL : (1ULL << (8 * exit->io.size)) - 1;

		exit->io.value = (uint32_t)(v->save.rax & mask);
	}
	(void)gprs;
}

static void decode_npf(const struct vmcb *v, struct hv_exit *exit)
{
	uint64_t info = v->control.exit_info1;

	exit->reason = HV_EXIT_MEMORY_ACCESS;
	exit->memory.gpa = v->control.exit_info2;
	exit->memory.access = (info & SVM_NPF_FETCH)   ? HV_ACCESS_EXECUTE
	                      : (info & SVM_NPF_WRITE) ? HV_ACCESS_WRITE
	                                               : HV_ACCESS_READ;
	exit->memory.mapped = (info & SVM_NPF_PRESENT) != 0;
	exit->memory.during_guest_walk = (info & SVM_NPF_GUEST_WALK) != 0;
	/* SVM does not report the guest-linear address of a nested fault. */
	exit->memory.gva_valid = false;
}

void svm_decode_exit(const struct vmcb *v, const uint64_t gprs[SVM_GPR_COUNT],
                     const struct svm_decode_features *f, struct hv_exit *exit)
{
	uint32_t code = (uint32_t)v->control.exit_code;

	exit->vendor_code = v->control.exit_code;
	exit->rip = v->save.rip;

	switch (code) {
	case SVM_EXIT_INTR:
	case SVM_EXIT_NMI:
	case SVM_EXIT_SMI:
	case SVM_EXIT_INIT:
	/* The IRET that ends an NMI handler (armed as the NMI window): re-evaluated by the core. */
	case SVM_EXIT_IRET: exit->reason = HV_EXIT_INTERRUPT; break;
	/* The virtual interrupt libhv posted (V_IRQ) was about to be taken: the window is open. */
	case SVM_EXIT_VINTR: exit->reason = HV_EXIT_INTERRUPT_WINDOW; break;
	case SVM_EXIT_CPUID:
		exit->reason = HV_EXIT_CPUID;
		exit->insn_length = insn_length(v, f, LEN_CPUID);
		exit->cpuid.leaf = (uint32_t)v->save.rax;
		exit->cpuid.subleaf = (uint32_t)gprs[SVM_GPR_RCX];
		break;
	case SVM_EXIT_HLT:
		exit->reason = HV_EXIT_HLT;
		exit->insn_length = insn_length(v, f, LEN_HLT);
		break;
	case SVM_EXIT_IOIO: decode_io(v, gprs, exit); break;
	case SVM_EXIT_MSR:
		exit->reason = v->control.exit_info1 ? HV_EXIT_MSR_WRITE : HV_EXIT_MSR_READ;
		exit->insn_length = insn_length(v, f, LEN_MSR);
		exit->msr.index = (uint32_t)gprs[SVM_GPR_RCX];
		if (exit->reason == HV_EXIT_MSR_WRITE)
			exit->msr.value = (gprs[SVM_GPR_RDX] << 32) | (uint32_t)v->save.rax;
		break;
	case SVM_EXIT_SHUTDOWN: exit->reason = HV_EXIT_SHUTDOWN; break;
	case SVM_EXIT_VMMCALL:
		exit->reason = HV_EXIT_HYPERCALL;
		exit->insn_length = insn_length(v, f, LEN_VMMCALL);
		break;
	/*
	 * The guest sees no SVM (CPUID hides it) and no XSAVE or MONITOR: these raise #UD, as
	 * they would on a processor without the feature. INVD would discard the host's dirty
	 * cache lines: it gets #UD too rather than a silent no-op.
	 */
	case SVM_EXIT_VMRUN:
	case SVM_EXIT_VMLOAD:
	case SVM_EXIT_VMSAVE:
	case SVM_EXIT_STGI:
	case SVM_EXIT_CLGI:
	case SVM_EXIT_SKINIT:
	case SVM_EXIT_INVLPGA:
	case SVM_EXIT_XSETBV:
	case SVM_EXIT_MONITOR:
	case SVM_EXIT_MWAIT:
	case SVM_EXIT_MWAIT_COND:
	case SVM_EXIT_INVD: exit->reason = HV_EXIT_REFUSED_INSN; break;
	case SVM_EXIT_NPF: decode_npf(v, exit); break;
	case SVM_EXIT_INVALID:
		exit->reason = HV_EXIT_INVALID_STATE;
		exit->invalid.error = SVM_EXIT_INVALID;
		exit->invalid.detail = svm_check_vmcb(v);
		break;
	default:
		exit->reason = HV_EXIT_UNSUPPORTED;
		exit->unsupported.info1 = v->control.exit_info1;
		exit->unsupported.info2 = v->control.exit_info2;
		break;
	}
}

/*
 * EXITINTINFO and EVENTINJ share one format (APM "Event Injection"): vector, type, error-code
 * valid, valid, error code in the high half. SVM has no type for INT3/INTO or INT1: they come
 * back as exceptions (type 3), or as software interrupts (type 4) for INTn.
 */
void svm_event_from_vmcb(uint64_t info, struct hv_event *out)
{
	*out = (struct hv_event){0};
	if (!(info & VMCB_EVENT_VALID))
		return;
	out->valid = true;
	out->vector = (uint8_t)(info & VMCB_EVENT_VECTOR_MASK);
	out->type = (uint8_t)((info >> VMCB_EVENT_TYPE_SHIFT) & 7);
	if (out->type != HV_EVENT_EXTERNAL && out->type != HV_EVENT_NMI &&
	    out->type != HV_EVENT_EXCEPTION && out->type != HV_EVENT_SOFT_INTERRUPT)
		out->type = HV_EVENT_EXCEPTION; /* reserved types: never produced by hardware */
	out->has_error = (info & VMCB_EVENT_ERROR_VALID) != 0;
	out->error = out->has_error ? (uint32_t)(info >> VMCB_EVENT_ERROR_SHIFT) : 0;
}

uint64_t svm_event_to_vmcb(const struct hv_event *e)
{
	uint64_t type = e->type;
	uint64_t info;

	if (!e->valid)
		return 0;
	if (type == HV_EVENT_SOFT_EXCEPTION || type == HV_EVENT_PRIV_SOFT_EXCEPTION)
		type = VMCB_EVENT_TYPE_EXCEPTION;
	info = e->vector | (type << VMCB_EVENT_TYPE_SHIFT) | VMCB_EVENT_VALID;
	if (e->has_error)
		info |= VMCB_EVENT_ERROR_VALID | ((uint64_t)e->error << VMCB_EVENT_ERROR_SHIFT);
	return info;
}
