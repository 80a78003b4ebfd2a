/* The call-code table: every hypercall libhv knows, its parameter shape, who may call it. */
#include "libhv/core/hv_internal.h"
#include "libhv/core/hypercall.h"

/* HvCallNotifyLongSpinWait: a hint that this VP spins on a lock; one VP per processor: nothing to do. */
static hv_status_t hc_notify_long_spin_wait(struct hc_call *call)
{
	(void)call;
	return HV_STATUS_SUCCESS;
}

/* HvCallGetPartitionId: the caller's own ID (only with the AccessPartitionId privilege). */
static hv_status_t hc_get_partition_id(struct hc_call *call)
{
	struct hv_output_get_partition_id out = {.partition_id = call->vp->partition->id};

	__builtin_memcpy(call->output, &out, sizeof(out));
	return HV_STATUS_SUCCESS;
}

/* HvExtCallQueryCapabilities: no extended hypercall exists (only with EnableExtendedHypercalls). */
static hv_status_t hc_ext_query_capabilities(struct hc_call *call)
{
	struct hv_output_ext_query_capabilities out = {.capabilities = 0};

	__builtin_memcpy(call->output, &out, sizeof(out));
	return HV_STATUS_SUCCESS;
}

#define ROOT_ONLY(c, n) [(c)] = {.code = (c), .name = (n), .kind = HC_SIMPLE, .root_only = true}

/*
 * Indexed by code (hc_lookup is one load); a code without an entry is unknown. Sizes in bytes,
 * from the TLFS per-call reference.
 */
const struct hc_entry hc_table[HC_TABLE_CODES] = {
    [HVCALL_FLUSH_VIRTUAL_ADDRESS_SPACE] = {.code = HVCALL_FLUSH_VIRTUAL_ADDRESS_SPACE,
                                            .name = "FlushVirtualAddressSpace",
                                            .kind = HC_SIMPLE,
                                            .fast_ok = true,
                                            .input_fixed =
                                                sizeof(struct hv_input_flush_virtual_address_space),
                                            .handler = hc_flush_virtual_address_space},
    [HVCALL_FLUSH_VIRTUAL_ADDRESS_LIST] = {.code = HVCALL_FLUSH_VIRTUAL_ADDRESS_LIST,
                                           .name = "FlushVirtualAddressList",
                                           .kind = HC_REP,
                                           .fast_ok = true,
                                           .input_fixed =
                                               sizeof(struct hv_input_flush_virtual_address_space),
                                           .input_rep = 8, /* HV_GVA_RANGE */
                                           .handler = hc_flush_virtual_address_list},
    [HVCALL_NOTIFY_LONG_SPIN_WAIT] = {.code = HVCALL_NOTIFY_LONG_SPIN_WAIT,
                                      .name = "NotifyLongSpinWait",
                                      .kind = HC_SIMPLE,
                                      .fast_ok = true,
                                      .input_fixed = 8, /* u64 spin wait count */
                                      .handler = hc_notify_long_spin_wait},
    [HVCALL_SEND_SYNTHETIC_CLUSTER_IPI] = {.code = HVCALL_SEND_SYNTHETIC_CLUSTER_IPI,
                                           .name = "SendSyntheticClusterIpi",
                                           .kind = HC_SIMPLE,
                                           .fast_ok = true,
                                           .input_fixed =
                                               sizeof(struct hv_input_send_synthetic_cluster_ipi),
                                           .handler = hc_send_synthetic_cluster_ipi},
    [HVCALL_FLUSH_VIRTUAL_ADDRESS_SPACE_EX] = {.code = HVCALL_FLUSH_VIRTUAL_ADDRESS_SPACE_EX,
                                               .name = "FlushVirtualAddressSpaceEx",
                                               .kind = HC_SIMPLE,
                                               .fast_ok = true,
                                               .var_header_ok = true,
                                               .input_fixed = sizeof(
                                                   struct hv_input_flush_virtual_address_space_ex),
                                               .handler = hc_flush_virtual_address_space_ex},
    [HVCALL_FLUSH_VIRTUAL_ADDRESS_LIST_EX] = {.code = HVCALL_FLUSH_VIRTUAL_ADDRESS_LIST_EX,
                                              .name = "FlushVirtualAddressListEx",
                                              .kind = HC_REP,
                                              .fast_ok = true,
                                              .var_header_ok = true,
                                              .input_fixed = sizeof(
                                                  struct hv_input_flush_virtual_address_space_ex),
                                              .input_rep = 8,
                                              .handler = hc_flush_virtual_address_list_ex},
    /* Fast in the TLFS too, but 24 bytes of header need XMM input, which is not offered. */
    [HVCALL_SEND_SYNTHETIC_CLUSTER_IPI_EX] = {.code = HVCALL_SEND_SYNTHETIC_CLUSTER_IPI_EX,
                                              .name = "SendSyntheticClusterIpiEx",
                                              .kind = HC_SIMPLE,
                                              .fast_ok = true,
                                              .var_header_ok = true,
                                              .input_fixed = sizeof(
                                                  struct hv_input_send_synthetic_cluster_ipi_ex),
                                              .handler = hc_send_synthetic_cluster_ipi_ex},
    ROOT_ONLY(HVCALL_CREATE_PARTITION, "CreatePartition"),
    ROOT_ONLY(HVCALL_INITIALIZE_PARTITION, "InitializePartition"),
    ROOT_ONLY(HVCALL_FINALIZE_PARTITION, "FinalizePartition"),
    ROOT_ONLY(HVCALL_DELETE_PARTITION, "DeletePartition"),
    ROOT_ONLY(HVCALL_GET_PARTITION_PROPERTY, "GetPartitionProperty"),
    ROOT_ONLY(HVCALL_SET_PARTITION_PROPERTY, "SetPartitionProperty"),
    [HVCALL_GET_PARTITION_ID] = {.code = HVCALL_GET_PARTITION_ID,
                                 .name = "GetPartitionId",
                                 .kind = HC_SIMPLE,
                                 .privilege = HV_PRIV_ACCESS_PARTITION_ID,
                                 .output_fixed = sizeof(struct hv_output_get_partition_id),
                                 .handler = hc_get_partition_id},
    ROOT_ONLY(0x0047U, "GetNextChildPartition"),
    ROOT_ONLY(HVCALL_DEPOSIT_MEMORY, "DepositMemory"),
    ROOT_ONLY(0x0049U, "WithdrawMemory"),
    ROOT_ONLY(0x004AU, "GetMemoryBalance"),
    ROOT_ONLY(HVCALL_MAP_GPA_PAGES, "MapGpaPages"),
    ROOT_ONLY(HVCALL_UNMAP_GPA_PAGES, "UnmapGpaPages"),
    ROOT_ONLY(HVCALL_INSTALL_INTERCEPT, "InstallIntercept"),
    ROOT_ONLY(HVCALL_CREATE_VP, "CreateVp"),
    ROOT_ONLY(HVCALL_DELETE_VP, "DeleteVp"),
    ROOT_ONLY(HVCALL_GET_VP_REGISTERS, "GetVpRegisters"),
    ROOT_ONLY(HVCALL_SET_VP_REGISTERS, "SetVpRegisters"),
    ROOT_ONLY(HVCALL_CLEAR_VIRTUAL_INTERRUPT, "ClearVirtualInterrupt"),
    [HVCALL_POST_MESSAGE] = {.code = HVCALL_POST_MESSAGE,
                             .name = "PostMessage",
                             .kind = HC_SIMPLE,
                             .privilege = HV_PRIV_POST_MESSAGES,
                             .input_fixed = sizeof(struct hv_input_post_message),
                             .handler = hc_post_message},
    [HVCALL_SIGNAL_EVENT] = {.code = HVCALL_SIGNAL_EVENT,
                             .name = "SignalEvent",
                             .kind = HC_SIMPLE,
                             .fast_ok = true,
                             .privilege = HV_PRIV_SIGNAL_EVENTS,
                             .input_fixed = sizeof(struct hv_input_signal_event),
                             .handler = hc_signal_event},
    ROOT_ONLY(HVCALL_ASSERT_VIRTUAL_INTERRUPT, "AssertVirtualInterrupt"),
    ROOT_ONLY(HVCALL_CREATE_PORT, "CreatePort"),
    ROOT_ONLY(HVCALL_CONNECT_PORT, "ConnectPort"),
    ROOT_ONLY(HVCALL_START_VP, "StartVp"),
    /* No privilege: the TLFS ties it to none, and a VP learning its peers' indexes is harmless. */
    [HVCALL_GET_VP_INDEX_FROM_APIC_ID] = {.code = HVCALL_GET_VP_INDEX_FROM_APIC_ID,
                                          .name = "GetVpIndexFromApicId",
                                          .kind = HC_REP,
                                          .input_fixed =
                                              sizeof(struct hv_input_get_vp_index_from_apic_id),
                                          .input_rep = 4,  /* u32 APIC ID */
                                          .output_rep = 4, /* u32 VP index */
                                          .handler = hc_get_vp_index_from_apic_id},
};

_Static_assert(HVCALL_GET_VP_INDEX_FROM_APIC_ID < HC_TABLE_CODES, "the table holds every code");

static const struct hc_entry ext_query_capabilities = {
    .code = HVCALL_EXT_QUERY_CAPABILITIES,
    .name = "ExtQueryCapabilities",
    .kind = HC_SIMPLE,
    .privilege = HV_PRIV_ENABLE_EXT_HYPERCALLS,
    .output_fixed = sizeof(struct hv_output_ext_query_capabilities),
    .handler = hc_ext_query_capabilities};

/* The extended calls (0x8001 up): one so far. */
const struct hc_entry *hc_lookup_extended(uint16_t code)
{
	return code == HVCALL_EXT_QUERY_CAPABILITIES ? &ext_query_capabilities : NULL;
}
