/* struct hv_exit: why hv_vp_run() returned, in one vendor-neutral form (Intel and AMD fill it alike). */
#ifndef HV_EXIT_H
#define HV_EXIT_H

#include <hv/types.h>

/**
 * Only exits the hypervisor proper cannot finish itself reach the monitor. libhv finishes
 * hypercalls, its own synthetic MSRs and CPUID leaves, and SLAT faults on RAM it mapped; the
 * rest arrives here. The order is part of the ABI of hv_vp_stats (counters are indexed by it).
 */
enum hv_exit_reason {
	HV_EXIT_NONE = 0, /**< no exit (never returned) */
	HV_EXIT_IO,       /**< port I/O: io */
	/** GPA with no RAM behind it, or an access the mapping forbids: memory */
	HV_EXIT_MEMORY_ACCESS,
	/** RDMSR of an MSR libhv does not own: msr (value to be supplied) */
	HV_EXIT_MSR_READ,
	HV_EXIT_MSR_WRITE, /**< WRMSR of an MSR libhv does not own: msr */
	HV_EXIT_CPUID,     /**< CPUID: cpuid, pre-filled with libhv's filtered default */
	HV_EXIT_HLT,       /**< HLT: the VP waits for an interrupt */
	HV_EXIT_SHUTDOWN,  /**< triple fault / shutdown: the VP cannot continue */
	/** the processor refused to enter the VP: invalid.detail says why */
	HV_EXIT_INVALID_STATE,
	HV_EXIT_UNSUPPORTED, /**< an exit libhv does not handle (vendor code in `vendor_code`) */
	HV_EXIT_HYPERCALL,   /**< counted only: hypercalls are finished inside libhv */
	/** counted only: a host interrupt stopped the VP; it simply re-enters */
	HV_EXIT_INTERRUPT,
	/** counted only: VMX/SVM/XSETBV/MONITOR in a guest, answered with #UD */
	HV_EXIT_REFUSED_INSN,
	HV_EXIT_SLAT_RETRY, /**< counted only: a SLAT fault on RAM already mapped (stale TLB) */
	HV_EXIT_CR_ACCESS,  /**< counted only: a control-register write the processor trapped */
	/** the VP can take an external interrupt now (asked for with hv_vp_request_interrupt_window) */
	HV_EXIT_INTERRUPT_WINDOW,
	HV_EXIT_DEADLINE, /**< the host TSC reached the deadline of hv_vp_set_deadline() */
	/** libhv raised a vector through the partition's hv_interrupt_target (SynIC, STIMER) */
	HV_EXIT_INTERRUPT_ASSERTED,
	HV_EXIT_REASON_COUNT /**< the number of reasons (sizes hv_vp_stats.exits) */
};

/** What a faulting memory access was doing (hv_exit.memory.access). */
enum hv_access {
	HV_ACCESS_READ = 1U << 0,    /**< a data read */
	HV_ACCESS_WRITE = 1U << 1,   /**< a data write */
	HV_ACCESS_EXECUTE = 1U << 2, /**< an instruction fetch */
};

/** How the guest touched a control register (hv_exit.cr.type). */
enum hv_cr_access_type {
	HV_CR_MOV_TO = 0,   /**< MOV to CRn */
	HV_CR_MOV_FROM = 1, /**< MOV from CRn */
	HV_CR_CLTS = 2,     /**< CLTS (clears CR0.TS) */
	HV_CR_LMSW = 3,     /**< LMSW (loads CR0 bits 3:0) */
};

/**
 * One exit, filled by hv_vp_run(): `reason` says which member of the union is valid; the monitor
 * may write results into it for hv_vp_complete().
 */
struct hv_exit {
	enum hv_exit_reason reason; /**< why the VP stopped; selects the union member */
	uint64_t rip;               /**< guest RIP of the instruction that caused the exit */
	uint8_t insn_length;        /**< its length in bytes, or 0 when the hardware did not say */
	uint64_t vendor_code;       /**< raw VMX exit reason / SVM exit code, for logs */
	union {
		struct {
			uint16_t port;  /**< the I/O port */
			uint8_t size;   /**< 1, 2 or 4 */
			bool is_write;  /**< OUT (true) or IN (false) */
			bool is_string; /**< INS/OUTS: needs the emulator */
			bool is_rep;    /**< REP prefix on INS/OUTS */
			uint32_t value; /**< OUT: the value written (not for string I/O) */
		} io;                   /**< HV_EXIT_IO */
		struct {
			hv_gpa_t gpa; /**< the guest-physical address accessed */
			hv_gva_t gva; /**< valid only when gva_valid */
			bool gva_valid;
			uint8_t access; /**< enum hv_access of the faulting access */
			bool
			    /** RAM is mapped there but without this right (e.g. write to ROM) */
			    mapped;
			bool during_guest_walk; /**< the guest's own page-table walk touched it */
		} memory;                       /**< HV_EXIT_MEMORY_ACCESS */
		struct {
			uint32_t index; /**< ECX: the MSR number */
			uint64_t value; /**< WRMSR: the value written */
		} msr;                  /**< HV_EXIT_MSR_READ, HV_EXIT_MSR_WRITE */
		struct {
			uint32_t leaf, subleaf; /**< EAX and ECX at the CPUID */
			uint32_t eax, ebx, ecx,
			    edx; /**< libhv's default answer; the monitor may change it */
		} cpuid;         /**< HV_EXIT_CPUID */
		struct {
			uint8_t number;       /**< CR0, CR3, CR4, CR8 */
			uint8_t gpr;          /**< the general register, in x86 encoding order */
			uint8_t type;         /**< enum hv_cr_access_type */
			uint16_t lmsw_source; /**< LMSW: the 16-bit operand */
		} cr;                         /**< HV_EXIT_CR_ACCESS */
		struct {
			uint32_t
			    /** vendor error number (VM-instruction error; 0xFFFFFFFF on SVM) */
			    error;
			const char *detail; /**< what libhv suspects, for the log */
		} invalid;                  /**< HV_EXIT_INVALID_STATE */
		struct {
			uint64_t info1, info2; /**< vendor exit information, for logs */
		} unsupported;                 /**< HV_EXIT_UNSUPPORTED */
	};
};

#endif
