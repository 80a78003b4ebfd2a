/* Hyper-V TLFS register names (HV_REGISTER_NAME) and value layouts for x64 virtual processors. */
#ifndef HV_ABI_HV_REGISTERS_H
#define HV_ABI_HV_REGISTERS_H

#include <stdint.h>

/** Names as HvCallGetVpRegisters / HvCallSetVpRegisters take them. */
enum hv_register_name {
	HV_X64_REGISTER_RAX = 0x00020000U,
	HV_X64_REGISTER_RCX = 0x00020001U,
	HV_X64_REGISTER_RDX = 0x00020002U,
	HV_X64_REGISTER_RBX = 0x00020003U,
	HV_X64_REGISTER_RSP = 0x00020004U,
	HV_X64_REGISTER_RBP = 0x00020005U,
	HV_X64_REGISTER_RSI = 0x00020006U,
	HV_X64_REGISTER_RDI = 0x00020007U,
	HV_X64_REGISTER_R8 = 0x00020008U,
	HV_X64_REGISTER_R9 = 0x00020009U,
	HV_X64_REGISTER_R10 = 0x0002000AU,
	HV_X64_REGISTER_R11 = 0x0002000BU,
	HV_X64_REGISTER_R12 = 0x0002000CU,
	HV_X64_REGISTER_R13 = 0x0002000DU,
	HV_X64_REGISTER_R14 = 0x0002000EU,
	HV_X64_REGISTER_R15 = 0x0002000FU,
	HV_X64_REGISTER_RIP = 0x00020010U,
	HV_X64_REGISTER_RFLAGS = 0x00020011U,

	/** XMM0-XMM15 (128 bits each): HV_X64_REGISTER_XMM0 + n. */
	HV_X64_REGISTER_XMM0 = 0x00030000U,
	HV_X64_REGISTER_XMM15 = 0x0003000FU,

	HV_X64_REGISTER_CR0 = 0x00040000U,
	HV_X64_REGISTER_CR2 = 0x00040001U,
	HV_X64_REGISTER_CR3 = 0x00040002U,
	HV_X64_REGISTER_CR4 = 0x00040003U,
	HV_X64_REGISTER_CR8 = 0x00040004U,
	HV_X64_REGISTER_XFEM = 0x00040005U,

	HV_X64_REGISTER_DR7 = 0x00050005U,

	HV_X64_REGISTER_ES = 0x00060000U,
	HV_X64_REGISTER_CS = 0x00060001U,
	HV_X64_REGISTER_SS = 0x00060002U,
	HV_X64_REGISTER_DS = 0x00060003U,
	HV_X64_REGISTER_FS = 0x00060004U,
	HV_X64_REGISTER_GS = 0x00060005U,
	HV_X64_REGISTER_LDTR = 0x00060006U,
	HV_X64_REGISTER_TR = 0x00060007U,

	HV_X64_REGISTER_IDTR = 0x00070000U,
	HV_X64_REGISTER_GDTR = 0x00070001U,

	HV_X64_REGISTER_TSC = 0x00080000U,
	HV_X64_REGISTER_EFER = 0x00080001U,
	HV_X64_REGISTER_KERNEL_GS_BASE = 0x00080002U,
	HV_X64_REGISTER_APIC_BASE = 0x00080003U,
	HV_X64_REGISTER_PAT = 0x00080004U,
	HV_X64_REGISTER_SYSENTER_CS = 0x00080005U,
	HV_X64_REGISTER_SYSENTER_EIP = 0x00080006U,
	HV_X64_REGISTER_SYSENTER_ESP = 0x00080007U,
	HV_X64_REGISTER_STAR = 0x00080008U,
	HV_X64_REGISTER_LSTAR = 0x00080009U,
	HV_X64_REGISTER_CSTAR = 0x0008000AU,
	HV_X64_REGISTER_SFMASK = 0x0008000BU,
};

/**
 * HV_X64_SEGMENT_REGISTER. attributes holds the descriptor's access bits in the TLFS (and VMX) form:
 * bits 3:0 type, 4 S, 6:5 DPL, 7 P, 12 AVL, 13 L, 14 D/B, 15 G.
 */
struct hv_x64_segment_register {
	uint64_t base;       /**< linear base address */
	uint32_t limit;      /**< byte-granular limit */
	uint16_t selector;   /**< the selector */
	uint16_t attributes; /**< HV_SEG_ATTR_* bits */
};

#define HV_SEG_ATTR_TYPE_MASK 0x000FU /**< bits 3:0: the descriptor type */
#define HV_SEG_ATTR_S         0x0010U /**< code or data (not system) segment */
#define HV_SEG_ATTR_DPL_SHIFT 5U      /**< bits 6:5: the descriptor privilege level */
#define HV_SEG_ATTR_P         0x0080U /**< present */
#define HV_SEG_ATTR_AVL       0x1000U /**< available to software */
#define HV_SEG_ATTR_L         0x2000U /**< 64-bit code segment */
#define HV_SEG_ATTR_DB        0x4000U /**< default operation size 32 bits / big */
#define HV_SEG_ATTR_G         0x8000U /**< granularity: the limit counts 4 KiB units */

/** HV_X64_TABLE_REGISTER (GDTR, IDTR). */
struct hv_x64_table_register {
	uint16_t pad[3]; /**< reserved, 0 */
	uint16_t limit;  /**< the table limit */
	uint64_t base;   /**< linear base address */
};

/** HV_REGISTER_VALUE: 128 bits wide. */
union hv_register_value {
	uint64_t reg64;     /**< general, control and model-specific registers */
	uint32_t reg32;     /**< 32-bit registers */
	uint16_t reg16;     /**< 16-bit registers */
	uint8_t reg8;       /**< 8-bit registers */
	uint64_t reg128[2]; /**< XMM registers, low quadword first */
	struct hv_x64_segment_register segment; /**< ES, CS, SS, DS, FS, GS, LDTR, TR */
	struct hv_x64_table_register table;     /**< GDTR, IDTR */
};

_Static_assert(sizeof(union hv_register_value) == 16, "HV_REGISTER_VALUE is 128 bits");

#endif
