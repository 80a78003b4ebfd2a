/* The Intel VMCS: field encodings, control bits, exit reasons, and width-checked accessors. */
#ifndef HV_VMX_VMCS_H
#define HV_VMX_VMCS_H

/*
 * Encodings from the Intel SDM appendix "Field Encoding in VMCS". Bits 14:13 of an encoding give
 * the field's width; the accessors below refuse, at compile time where the field is a constant,
 * to read or write a field with the wrong width.
 */

#include <stdint.h>

#include "libhv/vmx/vmx_hw.h"

enum vmcs_field {
	/* 16-bit */
	VMCS_VPID = 0x0000,
	VMCS_GUEST_ES_SELECTOR = 0x0800,
	VMCS_GUEST_CS_SELECTOR = 0x0802,
	VMCS_GUEST_SS_SELECTOR = 0x0804,
	VMCS_GUEST_DS_SELECTOR = 0x0806,
	VMCS_GUEST_FS_SELECTOR = 0x0808,
	VMCS_GUEST_GS_SELECTOR = 0x080a,
	VMCS_GUEST_LDTR_SELECTOR = 0x080c,
	VMCS_GUEST_TR_SELECTOR = 0x080e,
	VMCS_HOST_ES_SELECTOR = 0x0c00,
	VMCS_HOST_CS_SELECTOR = 0x0c02,
	VMCS_HOST_SS_SELECTOR = 0x0c04,
	VMCS_HOST_DS_SELECTOR = 0x0c06,
	VMCS_HOST_FS_SELECTOR = 0x0c08,
	VMCS_HOST_GS_SELECTOR = 0x0c0a,
	VMCS_HOST_TR_SELECTOR = 0x0c0c,

	/* 64-bit */
	VMCS_IO_BITMAP_A = 0x2000,
	VMCS_IO_BITMAP_B = 0x2002,
	VMCS_MSR_BITMAP = 0x2004,
	VMCS_TSC_OFFSET = 0x2010,
	VMCS_EPT_POINTER = 0x201a,
	VMCS_GUEST_PHYSICAL_ADDRESS = 0x2400,
	VMCS_LINK_POINTER = 0x2800,
	VMCS_GUEST_IA32_DEBUGCTL = 0x2802,
	VMCS_GUEST_IA32_PAT = 0x2804,
	VMCS_GUEST_IA32_EFER = 0x2806,
	VMCS_HOST_IA32_PAT = 0x2c00,
	VMCS_HOST_IA32_EFER = 0x2c02,

	/* 32-bit */
	VMCS_PIN_BASED_CONTROLS = 0x4000,
	VMCS_PROC_BASED_CONTROLS = 0x4002,
	VMCS_EXCEPTION_BITMAP = 0x4004,
	VMCS_PAGE_FAULT_ERROR_MASK = 0x4006,
	VMCS_PAGE_FAULT_ERROR_MATCH = 0x4008,
	VMCS_CR3_TARGET_COUNT = 0x400a,
	VMCS_EXIT_CONTROLS = 0x400c,
	VMCS_EXIT_MSR_STORE_COUNT = 0x400e,
	VMCS_EXIT_MSR_LOAD_COUNT = 0x4010,
	VMCS_ENTRY_CONTROLS = 0x4012,
	VMCS_ENTRY_MSR_LOAD_COUNT = 0x4014,
	VMCS_ENTRY_INTERRUPTION_INFO = 0x4016,
	VMCS_ENTRY_EXCEPTION_ERROR_CODE = 0x4018,
	VMCS_ENTRY_INSTRUCTION_LENGTH = 0x401a,
	VMCS_SECONDARY_PROC_BASED_CONTROLS = 0x401e,
	VMCS_VM_INSTRUCTION_ERROR = 0x4400,
	VMCS_EXIT_REASON = 0x4402,
	VMCS_EXIT_INTERRUPTION_INFO = 0x4404,
	VMCS_EXIT_INTERRUPTION_ERROR_CODE = 0x4406,
	VMCS_IDT_VECTORING_INFO = 0x4408,
	VMCS_IDT_VECTORING_ERROR_CODE = 0x440a,
	VMCS_EXIT_INSTRUCTION_LENGTH = 0x440c,
	VMCS_EXIT_INSTRUCTION_INFO = 0x440e,
	VMCS_GUEST_ES_LIMIT = 0x4800,
	VMCS_GUEST_CS_LIMIT = 0x4802,
	VMCS_GUEST_SS_LIMIT = 0x4804,
	VMCS_GUEST_DS_LIMIT = 0x4806,
	VMCS_GUEST_FS_LIMIT = 0x4808,
	VMCS_GUEST_GS_LIMIT = 0x480a,
	VMCS_GUEST_LDTR_LIMIT = 0x480c,
	VMCS_GUEST_TR_LIMIT = 0x480e,
	VMCS_GUEST_GDTR_LIMIT = 0x4810,
	VMCS_GUEST_IDTR_LIMIT = 0x4812,
	VMCS_GUEST_ES_AR = 0x4814,
	VMCS_GUEST_CS_AR = 0x4816,
	VMCS_GUEST_SS_AR = 0x4818,
	VMCS_GUEST_DS_AR = 0x481a,
	VMCS_GUEST_FS_AR = 0x481c,
	VMCS_GUEST_GS_AR = 0x481e,
	VMCS_GUEST_LDTR_AR = 0x4820,
	VMCS_GUEST_TR_AR = 0x4822,
	VMCS_GUEST_INTERRUPTIBILITY = 0x4824,
	VMCS_GUEST_ACTIVITY_STATE = 0x4826,
	VMCS_GUEST_SYSENTER_CS = 0x482a,
	VMCS_GUEST_PREEMPTION_TIMER = 0x482e,
	VMCS_HOST_SYSENTER_CS = 0x4c00,

	/* natural width */
	VMCS_CR0_GUEST_HOST_MASK = 0x6000,
	VMCS_CR4_GUEST_HOST_MASK = 0x6002,
	VMCS_CR0_READ_SHADOW = 0x6004,
	VMCS_CR4_READ_SHADOW = 0x6006,
	VMCS_EXIT_QUALIFICATION = 0x6400,
	VMCS_GUEST_LINEAR_ADDRESS = 0x640a,
	VMCS_GUEST_CR0 = 0x6800,
	VMCS_GUEST_CR3 = 0x6802,
	VMCS_GUEST_CR4 = 0x6804,
	VMCS_GUEST_ES_BASE = 0x6806,
	VMCS_GUEST_CS_BASE = 0x6808,
	VMCS_GUEST_SS_BASE = 0x680a,
	VMCS_GUEST_DS_BASE = 0x680c,
	VMCS_GUEST_FS_BASE = 0x680e,
	VMCS_GUEST_GS_BASE = 0x6810,
	VMCS_GUEST_LDTR_BASE = 0x6812,
	VMCS_GUEST_TR_BASE = 0x6814,
	VMCS_GUEST_GDTR_BASE = 0x6816,
	VMCS_GUEST_IDTR_BASE = 0x6818,
	VMCS_GUEST_DR7 = 0x681a,
	VMCS_GUEST_RSP = 0x681c,
	VMCS_GUEST_RIP = 0x681e,
	VMCS_GUEST_RFLAGS = 0x6820,
	VMCS_GUEST_PENDING_DEBUG = 0x6822,
	VMCS_GUEST_SYSENTER_ESP = 0x6824,
	VMCS_GUEST_SYSENTER_EIP = 0x6826,
	VMCS_HOST_CR0 = 0x6c00,
	VMCS_HOST_CR3 = 0x6c02,
	VMCS_HOST_CR4 = 0x6c04,
	VMCS_HOST_FS_BASE = 0x6c06,
	VMCS_HOST_GS_BASE = 0x6c08,
	VMCS_HOST_TR_BASE = 0x6c0a,
	VMCS_HOST_GDTR_BASE = 0x6c0c,
	VMCS_HOST_IDTR_BASE = 0x6c0e,
	VMCS_HOST_SYSENTER_ESP = 0x6c10,
	VMCS_HOST_SYSENTER_EIP = 0x6c12,
	VMCS_HOST_RSP = 0x6c14,
	VMCS_HOST_RIP = 0x6c16,
};

enum vmcs_width {
	VMCS_WIDTH_16 = 0,
	VMCS_WIDTH_64 = 1,
	VMCS_WIDTH_32 = 2,
	VMCS_WIDTH_NATURAL = 3,
};

#define VMCS_FIELD_WIDTH(f) ((enum vmcs_width)(((unsigned)(f) >> 13) & 3U))

/* Called only when a constant field meets an accessor of the wrong width: a build error. */
extern void vmcs_width_mismatch(void)
    __attribute__((error("VMCS field used with the wrong width")));

#define VMCS_CHECK_WIDTH(f, w)                                             \
	do {                                                               \
		if (__builtin_constant_p(f) && VMCS_FIELD_WIDTH(f) != (w)) \
			vmcs_width_mismatch();                             \
	} while (0)

static inline __attribute__((always_inline)) uint16_t vmcs_read16(enum vmcs_field f)
{
	VMCS_CHECK_WIDTH(f, VMCS_WIDTH_16);
	return (uint16_t)asm_vmread(f);
}

static inline __attribute__((always_inline)) uint32_t vmcs_read32(enum vmcs_field f)
{
	VMCS_CHECK_WIDTH(f, VMCS_WIDTH_32);
	return (uint32_t)asm_vmread(f);
}

static inline __attribute__((always_inline)) uint64_t vmcs_read64(enum vmcs_field f)
{
	VMCS_CHECK_WIDTH(f, VMCS_WIDTH_64);
	return asm_vmread(f);
}

static inline __attribute__((always_inline)) uint64_t vmcs_readnl(enum vmcs_field f)
{
	VMCS_CHECK_WIDTH(f, VMCS_WIDTH_NATURAL);
	return asm_vmread(f);
}

static inline __attribute__((always_inline)) void vmcs_write16(enum vmcs_field f, uint16_t v)
{
	VMCS_CHECK_WIDTH(f, VMCS_WIDTH_16);
	asm_vmwrite(f, v);
}

static inline __attribute__((always_inline)) void vmcs_write32(enum vmcs_field f, uint32_t v)
{
	VMCS_CHECK_WIDTH(f, VMCS_WIDTH_32);
	asm_vmwrite(f, v);
}

static inline __attribute__((always_inline)) void vmcs_write64(enum vmcs_field f, uint64_t v)
{
	VMCS_CHECK_WIDTH(f, VMCS_WIDTH_64);
	asm_vmwrite(f, v);
}

static inline __attribute__((always_inline)) void vmcs_writenl(enum vmcs_field f, uint64_t v)
{
	VMCS_CHECK_WIDTH(f, VMCS_WIDTH_NATURAL);
	asm_vmwrite(f, v);
}

/* Pin-based controls */
#define VMX_PIN_EXTERNAL_INTERRUPT (1U << 0)
#define VMX_PIN_NMI_EXITING        (1U << 3)
#define VMX_PIN_VIRTUAL_NMIS       (1U << 5)
#define VMX_PIN_PREEMPTION_TIMER   (1U << 6)

/* Primary processor-based controls */
#define VMX_PROC_INTERRUPT_WINDOW  (1U << 2)
#define VMX_PROC_HLT_EXITING       (1U << 7)
#define VMX_PROC_MWAIT_EXITING     (1U << 10)
#define VMX_PROC_CR3_LOAD_EXITING  (1U << 15)
#define VMX_PROC_CR3_STORE_EXITING (1U << 16)
#define VMX_PROC_CR8_LOAD_EXITING  (1U << 19)
#define VMX_PROC_CR8_STORE_EXITING (1U << 20)
#define VMX_PROC_NMI_WINDOW        (1U << 22)
#define VMX_PROC_USE_IO_BITMAPS    (1U << 25)
#define VMX_PROC_USE_MSR_BITMAPS   (1U << 28)
#define VMX_PROC_MONITOR_EXITING   (1U << 29)
#define VMX_PROC_SECONDARY         (1U << 31)

/* Secondary processor-based controls */
#define VMX_PROC2_ENABLE_EPT     (1U << 1)
#define VMX_PROC2_ENABLE_RDTSCP  (1U << 3)
#define VMX_PROC2_ENABLE_VPID    (1U << 5)
#define VMX_PROC2_UNRESTRICTED   (1U << 7)
#define VMX_PROC2_ENABLE_INVPCID (1U << 12)

/* VM-exit controls */
#define VMX_EXIT_HOST_64BIT    (1U << 9)
#define VMX_EXIT_ACK_INTERRUPT (1U << 15)
#define VMX_EXIT_SAVE_PAT      (1U << 18)
#define VMX_EXIT_LOAD_PAT      (1U << 19)
#define VMX_EXIT_SAVE_EFER     (1U << 20)
#define VMX_EXIT_LOAD_EFER     (1U << 21)

/* VM-entry controls */
#define VMX_ENTRY_IA32E_GUEST (1U << 9)
#define VMX_ENTRY_LOAD_PAT    (1U << 14)
#define VMX_ENTRY_LOAD_EFER   (1U << 15)

/* Guest segment access rights: the TLFS attribute form plus "unusable" (bit 16). */
#define VMX_AR_UNUSABLE (1U << 16)

/* Interruption information (entry and exit, IDT vectoring) */
#define VMX_INTR_VECTOR_MASK            0xffU
#define VMX_INTR_TYPE_SHIFT             8U
#define VMX_INTR_TYPE_EXTERNAL          0U
#define VMX_INTR_TYPE_NMI               2U
#define VMX_INTR_TYPE_HW_EXCEPTION      3U
#define VMX_INTR_TYPE_SW_INTERRUPT      4U
#define VMX_INTR_TYPE_PRIV_SW_EXCEPTION 5U
#define VMX_INTR_TYPE_SW_EXCEPTION      6U
#define VMX_INTR_ERROR_VALID            (1U << 11)
#define VMX_INTR_NMI_UNBLOCKED_BY_IRET  (1U << 12) /* exit interruption info only */
#define VMX_INTR_VALID                  (1U << 31)

/* Basic exit reasons (SDM appendix "VMX Basic Exit Reasons") */
#define VMX_EXIT_EXCEPTION_NMI        0U
#define VMX_EXIT_EXTERNAL_INTERRUPT   1U
#define VMX_EXIT_TRIPLE_FAULT         2U
#define VMX_EXIT_INIT                 3U
#define VMX_EXIT_SIPI                 4U
#define VMX_EXIT_INTERRUPT_WINDOW     7U
#define VMX_EXIT_NMI_WINDOW           8U
#define VMX_EXIT_TASK_SWITCH          9U
#define VMX_EXIT_CPUID                10U
#define VMX_EXIT_GETSEC               11U
#define VMX_EXIT_HLT                  12U
#define VMX_EXIT_INVD                 13U
#define VMX_EXIT_VMCALL               18U
#define VMX_EXIT_VMCLEAR              19U
#define VMX_EXIT_VMXON                27U
#define VMX_EXIT_CR_ACCESS            28U
#define VMX_EXIT_IO                   30U
#define VMX_EXIT_RDMSR                31U
#define VMX_EXIT_WRMSR                32U
#define VMX_EXIT_INVALID_GUEST_STATE  33U
#define VMX_EXIT_MSR_LOADING          34U
#define VMX_EXIT_MWAIT                36U
#define VMX_EXIT_MONITOR              39U
#define VMX_EXIT_MACHINE_CHECK        41U
#define VMX_EXIT_EPT_VIOLATION        48U
#define VMX_EXIT_EPT_MISCONFIG        49U
#define VMX_EXIT_INVEPT               50U
#define VMX_EXIT_PREEMPTION_TIMER     52U
#define VMX_EXIT_INVVPID              53U
#define VMX_EXIT_XSETBV               55U
#define VMX_EXIT_INVPCID              58U
#define VMX_EXIT_VMFUNC               59U
#define VMX_EXIT_REASON_ENTRY_FAILURE (1U << 31)

/* I/O exit qualification */
#define VMX_IO_SIZE_MASK  0x7ULL
#define VMX_IO_IN         (1ULL << 3)
#define VMX_IO_STRING     (1ULL << 4)
#define VMX_IO_REP        (1ULL << 5)
#define VMX_IO_PORT_SHIFT 16U

/* EPT violation exit qualification */
#define VMX_EPT_READ                  (1ULL << 0)
#define VMX_EPT_WRITE                 (1ULL << 1)
#define VMX_EPT_FETCH                 (1ULL << 2)
#define VMX_EPT_PERMS_MASK            (7ULL << 3) /* what the entry allowed */
#define VMX_EPT_GLA_VALID             (1ULL << 7)
#define VMX_EPT_GLA_FINAL             (1ULL << 8) /* the access to the translation, not the walk */
#define VMX_EPT_NMI_UNBLOCKED_BY_IRET (1ULL << 12)

/* Guest interruptibility state */
#define VMX_BLOCKING_STI    (1U << 0)
#define VMX_BLOCKING_MOV_SS (1U << 1)
#define VMX_BLOCKING_NMI    (1U << 3)

/* Control-register access exit qualification */
#define VMX_CR_NUMBER_MASK       0xfULL
#define VMX_CR_TYPE_SHIFT        4U
#define VMX_CR_TYPE_MOV_TO       0U
#define VMX_CR_TYPE_MOV_FROM     1U
#define VMX_CR_TYPE_CLTS         2U
#define VMX_CR_TYPE_LMSW         3U
#define VMX_CR_GPR_SHIFT         8U
#define VMX_CR_LMSW_SOURCE_SHIFT 16U

#endif
