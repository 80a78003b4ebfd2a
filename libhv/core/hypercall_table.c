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

#define ROOT_ONLY(c, n)                                                        \
	{                                                                      \
		.code = (c), .name = (n), .kind = HC_SIMPLE, .root_only = true \
	}

/* Sorted by code (hc_lookup bisects). Sizes in bytes, from the TLFS per-call reference. */
static const struct hc_entry table[] = {
    {.code = HVCALL_FLUSH_VIRTUAL_ADDRESS_SPACE,
     .name = "FlushVirtualAddressSpace",
     .kind = HC_SIMPLE,
     .fast_ok = true,
     .input_fixed = sizeof(struct hv_input_flush_virtual_address_space),
     .handler = hc_flush_virtual_address_space},
    {.code = HVCALL_FLUSH_VIRTUAL_ADDRESS_LIST,
     .name = "FlushVirtualAddressList",
     .kind = HC_REP,
     .fast_ok = true,
     .input_fixed = sizeof(struct hv_input_flush_virtual_address_space),
     .input_rep = 8, /* HV_GVA_RANGE */
     .handler = hc_flush_virtual_address_list},
    {.code = HVCALL_NOTIFY_LONG_SPIN_WAIT,
     .name = "NotifyLongSpinWait",
     .kind = HC_SIMPLE,
     .fast_ok = true,
     .input_fixed = 8, /* u64 spin wait count */
     .handler = hc_notify_long_spin_wait},
    {.code = HVCALL_FLUSH_VIRTUAL_ADDRESS_SPACE_EX,
     .name = "FlushVirtualAddressSpaceEx",
     .kind = HC_SIMPLE,
     .fast_ok = true,
     .var_header_ok = true,
     .input_fixed = sizeof(struct hv_input_flush_virtual_address_space_ex),
     .handler = hc_flush_virtual_address_space_ex},
    {.code = HVCALL_FLUSH_VIRTUAL_ADDRESS_LIST_EX,
     .name = "FlushVirtualAddressListEx",
     .kind = HC_REP,
     .fast_ok = true,
     .var_header_ok = true,
     .input_fixed = sizeof(struct hv_input_flush_virtual_address_space_ex),
     .input_rep = 8,
     .handler = hc_flush_virtual_address_list_ex},
    ROOT_ONLY(HVCALL_CREATE_PARTITION, "CreatePartition"),
    ROOT_ONLY(HVCALL_INITIALIZE_PARTITION, "InitializePartition"),
    ROOT_ONLY(HVCALL_FINALIZE_PARTITION, "FinalizePartition"),
    ROOT_ONLY(HVCALL_DELETE_PARTITION, "DeletePartition"),
    ROOT_ONLY(HVCALL_GET_PARTITION_PROPERTY, "GetPartitionProperty"),
    ROOT_ONLY(HVCALL_SET_PARTITION_PROPERTY, "SetPartitionProperty"),
    {.code = HVCALL_GET_PARTITION_ID,
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
    {.code = HVCALL_POST_MESSAGE,
     .name = "PostMessage",
     .kind = HC_SIMPLE,
     .privilege = HV_PRIV_POST_MESSAGES,
     .input_fixed = sizeof(struct hv_input_post_message),
     .handler = hc_post_message},
    {.code = HVCALL_SIGNAL_EVENT,
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
    {.code = HVCALL_EXT_QUERY_CAPABILITIES,
     .name = "ExtQueryCapabilities",
     .kind = HC_SIMPLE,
     .privilege = HV_PRIV_ENABLE_EXT_HYPERCALLS,
     .output_fixed = sizeof(struct hv_output_ext_query_capabilities),
     .handler = hc_ext_query_capabilities},
};

#define TABLE_SIZE (sizeof(table) / sizeof(table[0]))

const struct hc_entry *hc_lookup(uint16_t code)
{
	size_t lo = 0, hi = TABLE_SIZE;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (table[mid].code == code)
			return &table[mid];
		if (table[mid].code < code)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}
