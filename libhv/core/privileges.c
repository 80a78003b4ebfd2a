/* The root's privilege API: what a child partition may call (CPUID 0x40000003.EBX). */
#include "libhv/core/hv_internal.h"

/*
 * The privileges libhv can back with a call a child may make: GetPartitionId, PostMessage,
 * SignalEvent and the extended-hypercall query. The others name root calls libhv never serves
 * to a guest (CreatePartitions, CreatePort, ...) or features it lacks (statistics, debugging,
 * VSM, fast output, isolation); CpuManagement in a child would also make Linux think it is the
 * root partition.
 */
#define HV_PRIVILEGES_SETTABLE                                                         \
	(HV_PRIV_ACCESS_PARTITION_ID | HV_PRIV_POST_MESSAGES | HV_PRIV_SIGNAL_EVENTS | \
	 HV_PRIV_ENABLE_EXT_HYPERCALLS)

/* A VP has entered the guest once: the partition is running and its privileges are fixed. */
static bool has_run(const struct hv_partition *p)
{
	for (uint32_t i = 0; i < HV_MAX_VPS; i++)
		if (p->vps[i] && p->vps[i]->stats.entries)
			return true;
	return false;
}

hv_status_t hv_partition_set_privileges(struct hv_partition *p, uint64_t mask)
{
	if (!p)
		return HV_STATUS_INVALID_PARAMETER;
	if (mask & ~(uint64_t)HV_PRIVILEGES_SETTABLE)
		return HV_STATUS_ACCESS_DENIED;
	if (has_run(p))
		return HV_STATUS_INVALID_PARTITION_STATE;
	p->synthetic.privileges = (uint32_t)mask;
	return HV_STATUS_SUCCESS;
}
