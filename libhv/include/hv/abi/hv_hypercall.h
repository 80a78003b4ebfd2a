/* Hyper-V TLFS hypercall ABI: call codes, the input and result values, and the parameter blocks. */
#ifndef HV_ABI_HV_HYPERCALL_H
#define HV_ABI_HV_HYPERCALL_H

#include <stdint.h>

/** @{ */
/**
 * Hypercall input value (IN: RCX, or EDX:EAX from 32-bit code), TLFS "Hypercall Inputs".
 * Bits 30:27, 47:44 and 63:60 are reserved: any of them set gives
 * HV_STATUS_INVALID_HYPERCALL_INPUT. Bit 31 (nested) is for a hypervisor running under another
 * one; libhv has no nesting, so it is treated as reserved too.
 */
#define HV_HYPERCALL_CODE_MASK       0x000000000000FFFFULL
#define HV_HYPERCALL_FAST            (1ULL << 16)
#define HV_HYPERCALL_VARHEAD_SHIFT   17U
#define HV_HYPERCALL_VARHEAD_MASK    (0x3FFULL << HV_HYPERCALL_VARHEAD_SHIFT) /**< qwords */
#define HV_HYPERCALL_NESTED          (1ULL << 31)
#define HV_HYPERCALL_REP_COUNT_SHIFT 32U
#define HV_HYPERCALL_REP_COUNT_MASK  (0xFFFULL << HV_HYPERCALL_REP_COUNT_SHIFT)
#define HV_HYPERCALL_REP_START_SHIFT 48U
#define HV_HYPERCALL_REP_START_MASK  (0xFFFULL << HV_HYPERCALL_REP_START_SHIFT)
#define HV_HYPERCALL_RESERVED_MASK \
	((0xFULL << 27) | HV_HYPERCALL_NESTED | (0xFULL << 44) | (0xFULL << 60))
/** @} */

/** @{ */
/** Hypercall result value (OUT: RAX, or EDX:EAX): status, and reps completed for rep calls. */
#define HV_HYPERCALL_RESULT_STATUS_MASK 0x000000000000FFFFULL
#define HV_HYPERCALL_RESULT_REPS_SHIFT  32U
#define HV_HYPERCALL_RESULT_REPS_MASK   (0xFFFULL << HV_HYPERCALL_RESULT_REPS_SHIFT)
/** @} */

/** @{ */
/** Call codes a guest (child) partition may issue. */
#define HVCALL_FLUSH_VIRTUAL_ADDRESS_SPACE    0x0002U
#define HVCALL_FLUSH_VIRTUAL_ADDRESS_LIST     0x0003U /**< rep */
#define HVCALL_NOTIFY_LONG_SPIN_WAIT          0x0008U
#define HVCALL_SEND_SYNTHETIC_CLUSTER_IPI     0x000BU
#define HVCALL_FLUSH_VIRTUAL_ADDRESS_SPACE_EX 0x0013U
#define HVCALL_FLUSH_VIRTUAL_ADDRESS_LIST_EX  0x0014U /**< rep */
#define HVCALL_SEND_SYNTHETIC_CLUSTER_IPI_EX  0x0015U
#define HVCALL_GET_PARTITION_ID               0x0046U /**< needs AccessPartitionId */
#define HVCALL_POST_MESSAGE                   0x005CU
#define HVCALL_SIGNAL_EVENT                   0x005DU
#define HVCALL_GET_VP_INDEX_FROM_APIC_ID      0x009AU /**< rep */
#define HVCALL_EXT_QUERY_CAPABILITIES         0x8001U /**< needs EnableExtendedHypercalls */
/** @} */

/** @{ */
/** Call codes of the root (parent) partition: a child gets HV_STATUS_ACCESS_DENIED. */
#define HVCALL_CREATE_PARTITION         0x0040U
#define HVCALL_INITIALIZE_PARTITION     0x0041U
#define HVCALL_FINALIZE_PARTITION       0x0042U
#define HVCALL_DELETE_PARTITION         0x0043U
#define HVCALL_GET_PARTITION_PROPERTY   0x0044U
#define HVCALL_SET_PARTITION_PROPERTY   0x0045U
#define HVCALL_DEPOSIT_MEMORY           0x0048U
#define HVCALL_MAP_GPA_PAGES            0x004BU
#define HVCALL_UNMAP_GPA_PAGES          0x004CU
#define HVCALL_INSTALL_INTERCEPT        0x004DU
#define HVCALL_CREATE_VP                0x004EU
#define HVCALL_DELETE_VP                0x004FU
#define HVCALL_GET_VP_REGISTERS         0x0050U
#define HVCALL_SET_VP_REGISTERS         0x0051U
#define HVCALL_CLEAR_VIRTUAL_INTERRUPT  0x0056U
#define HVCALL_ASSERT_VIRTUAL_INTERRUPT 0x0094U
#define HVCALL_CREATE_PORT              0x0095U
#define HVCALL_CONNECT_PORT             0x0096U
#define HVCALL_START_VP                 0x0099U
/** @} */

/** The partition ID that means "the caller's own partition". */
#define HV_PARTITION_ID_SELF 0xFFFFFFFFFFFFFFFFULL

/**
 * HvCallFlushVirtualAddressSpace / List (IN): 24 bytes, then for List a rep list of
 * HV_GVA_RANGE (u64 each). Flags below; processor_mask bit N is VP index N.
 */
struct hv_input_flush_virtual_address_space {
	uint64_t address_space;  /**< guest CR3 to flush, unless ALL_VIRTUAL_ADDRESS_SPACES */
	uint64_t flags;          /**< HV_FLUSH_* bits */
	uint64_t processor_mask; /**< bit N: VP index N (unless HV_FLUSH_ALL_PROCESSORS) */
};
/** flush every VP (processor_mask is ignored) */
#define HV_FLUSH_ALL_PROCESSORS (1ULL << 0)
/** flush every address space (address_space ignored) */
#define HV_FLUSH_ALL_VIRTUAL_ADDRESS_SPACES (1ULL << 1)
#define HV_FLUSH_NON_GLOBAL_MAPPINGS_ONLY   (1ULL << 2) /**< global translations may stay */
/** List: GVA ranges in the extended format */
#define HV_FLUSH_USE_EXTENDED_RANGE_FORMAT (1ULL << 3)
/** every defined flag; others give INVALID_PARAMETER */
#define HV_FLUSH_VALID_FLAGS 0xFULL

/**
 * The Ex forms (IN): address_space, flags, then an HV_VP_SET whose header (format,
 * valid_bank_mask) is in the fixed part and whose bank_contents[] (one u64 per set bit of
 * valid_bank_mask, 64 VPs each) is the variable header; List's rep list follows it.
 */
struct hv_input_flush_virtual_address_space_ex {
	uint64_t address_space; /**< guest CR3 to flush, unless ALL_VIRTUAL_ADDRESS_SPACES */
	uint64_t flags;         /**< HV_FLUSH_* bits */
	uint64_t vp_set_format; /**< HV_GENERIC_SET_SPARSE_4K or HV_GENERIC_SET_ALL */
	/** bit N: bank N (VPs 64N..64N+63) follows in bank_contents */
	uint64_t vp_set_valid_bank_mask;
	/** uint64_t bank_contents[]: the variable header */
};
#define HV_GENERIC_SET_SPARSE_4K 0U /**< HV_VP_SET: banks of 64 VPs, one mask per valid bank */
#define HV_GENERIC_SET_ALL       1U /**< HV_VP_SET: every VP */

/** @{ */
/**
 * HV_INPUT_VTL (the target VTL byte of the IPI calls): bits 3:0 a VTL, bit 4 "use that VTL"
 * (clear: the caller's own), 7:5 reserved. libhv has VTL 0 only: 0x00 and 0x10 are the valid
 * values, anything else gives HV_STATUS_INVALID_PARAMETER.
 */
#define HV_INPUT_VTL_TARGET_MASK 0x0FU
#define HV_INPUT_VTL_USE_TARGET  0x10U
/** @} */

/** @{ */
/** The vectors a synthetic cluster IPI may carry; others give HV_STATUS_INVALID_PARAMETER. */
#define HV_IPI_VECTOR_MIN 0x10U
#define HV_IPI_VECTOR_MAX 0xFFU
/** @} */

/** HvCallSendSyntheticClusterIpi (IN, fast or slow): 16 bytes. */
struct hv_input_send_synthetic_cluster_ipi {
	uint32_t vector;         /**< the fixed interrupt to assert, HV_IPI_VECTOR_MIN..MAX */
	uint8_t target_vtl;      /**< HV_INPUT_VTL */
	uint8_t padding[3];      /**< ignored */
	uint64_t processor_mask; /**< bit N: VP index N */
};

/**
 * HvCallSendSyntheticClusterIpiEx (IN): vector, target VTL, then an HV_VP_SET whose header is in
 * the fixed part and whose bank_contents[] (one u64 per set bit of valid_bank_mask) is the
 * variable header. Without XMM input (not offered) only the slow form fits.
 */
struct hv_input_send_synthetic_cluster_ipi_ex {
	uint32_t vector;                 /**< HV_IPI_VECTOR_MIN..MAX */
	uint8_t target_vtl;              /**< HV_INPUT_VTL */
	uint8_t padding[3];              /**< ignored */
	uint64_t vp_set_format;          /**< HV_GENERIC_SET_SPARSE_4K or HV_GENERIC_SET_ALL */
	uint64_t vp_set_valid_bank_mask; /**< bit N: bank N follows in bank_contents[] */
};

/**
 * HvCallGetVpIndexFromApicId (IN, slow, rep): this header, then one u32 APIC ID per rep; OUT:
 * one u32 VP index per rep. (The TLFS page draws each element padded to 8 bytes; Linux and
 * Microsoft's OpenVMM pack them as u32, and so does libhv.)
 */
struct hv_input_get_vp_index_from_apic_id {
	uint64_t partition_id; /**< HV_PARTITION_ID_SELF or the caller's own ID */
	uint8_t target_vtl;    /**< HV_VTL: 0 (libhv also takes HV_INPUT_VTL's 0x10) */
	uint8_t padding[7];    /**< ignored; the u32 APIC IDs follow */
};

/** HvCallGetPartitionId (OUT). */
struct hv_output_get_partition_id {
	uint64_t partition_id; /**< the caller's partition ID */
};

/** The largest HvCallPostMessage payload, in bytes. */
#define HV_MESSAGE_PAYLOAD_BYTES 240U
/** HvCallPostMessage (IN, slow only): 256 bytes. */
struct hv_input_post_message {
	uint32_t connection_id;                         /**< the connection to post to */
	uint32_t reserved;                              /**< must be 0 */
	uint32_t message_type;                          /**< the message type the receiver sees */
	uint32_t payload_size;                          /**< at most HV_MESSAGE_PAYLOAD_BYTES */
	uint64_t payload[HV_MESSAGE_PAYLOAD_BYTES / 8]; /**< payload_size bytes of message */
};

/** HvCallSignalEvent (IN, fast or slow): 8 bytes. */
struct hv_input_signal_event {
	uint32_t connection_id; /**< bits 23:0; 31:24 reserved */
	uint16_t flag_number;   /**< the event flag to set (only 0 exists so far) */
	uint16_t reserved;      /**< must be 0 */
};
#define HV_CONNECTION_ID_MASK 0x00FFFFFFU /**< the connection ID bits of connection_id */

/** HvExtCallQueryCapabilities (OUT): a bit per extended hypercall that exists. */
struct hv_output_ext_query_capabilities {
	uint64_t capabilities; /**< bit N: extended hypercall 0x8001 + N exists */
};

_Static_assert(sizeof(struct hv_input_flush_virtual_address_space) == 24, "TLFS layout");
_Static_assert(sizeof(struct hv_input_flush_virtual_address_space_ex) == 32, "TLFS layout");
_Static_assert(sizeof(struct hv_input_post_message) == 256, "TLFS layout");
_Static_assert(sizeof(struct hv_input_send_synthetic_cluster_ipi) == 16, "TLFS layout");
_Static_assert(sizeof(struct hv_input_send_synthetic_cluster_ipi_ex) == 24, "TLFS layout");
_Static_assert(sizeof(struct hv_input_get_vp_index_from_apic_id) == 16, "TLFS layout");
_Static_assert(sizeof(struct hv_input_signal_event) == 8, "TLFS layout");

#endif
