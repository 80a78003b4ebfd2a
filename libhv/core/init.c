/* hv_detect / hv_init: read the processor, pick the Intel or AMD backend by CPUID, switch it on. */
#include <string.h>

#include "libhv/core/cpu.h"
#include "libhv/core/hv_internal.h"

struct hv_globals hv_globals;

static void read_identity(struct hv_capabilities *caps)
{
	struct cpuid_regs r;
	uint32_t family;

	asm_cpuid(0, 0, &r);
	memcpy(caps->vendor_string + 0, &r.ebx, 4);
	memcpy(caps->vendor_string + 4, &r.edx, 4);
	memcpy(caps->vendor_string + 8, &r.ecx, 4);
	caps->vendor_string[12] = '\0';
	if (!strcmp(caps->vendor_string, "AuthenticAMD") ||
	    !strcmp(caps->vendor_string, "HygonGenuine"))
		caps->vendor = HV_VENDOR_AMD;
	else if (!strcmp(caps->vendor_string, "GenuineIntel"))
		caps->vendor = HV_VENDOR_INTEL;

	asm_cpuid(1, 0, &r);
	family = (r.eax >> 8) & 0xf;
	caps->model = (r.eax >> 4) & 0xf;
	if (family == 0xf) {
		family += (r.eax >> 20) & 0xff;
		caps->model |= ((r.eax >> 16) & 0xf) << 4;
	} else if (family == 6) {
		caps->model |= ((r.eax >> 16) & 0xf) << 4;
	}
	caps->family = family;
	caps->stepping = r.eax & 0xf;

	asm_cpuid(0x80000000U, 0, &r);
	if (r.eax >= 0x80000004U) {
		for (uint32_t i = 0; i < 3; i++) {
			asm_cpuid(0x80000002U + i, 0, &r);
			memcpy(caps->brand + 16 * i + 0, &r.eax, 4);
			memcpy(caps->brand + 16 * i + 4, &r.ebx, 4);
			memcpy(caps->brand + 16 * i + 8, &r.ecx, 4);
			memcpy(caps->brand + 16 * i + 12, &r.edx, 4);
		}
	}
	caps->brand[48] = '\0';
	if (r.eax >= 0x80000001U) {
		asm_cpuid(0x80000001U, 0, &r);
		caps->nx = (r.edx >> 20) & 1;
	}
	asm_cpuid(0x80000000U, 0, &r);
	if (r.eax >= 0x80000008U) {
		asm_cpuid(0x80000008U, 0, &r);
		caps->guest_phys_bits = r.eax & 0xff;
	} else {
		caps->guest_phys_bits = 36;
	}
}

static const struct hv_vendor_ops *vendor_for(enum hv_vendor vendor)
{
	return vendor == HV_VENDOR_AMD     ? &hv_svm_ops
	       : vendor == HV_VENDOR_INTEL ? &hv_vmx_ops
	                                   : NULL;
}

hv_status_t hv_detect(struct hv_capabilities *caps)
{
	const struct hv_vendor_ops *ops;

	memset(caps, 0, sizeof(*caps));
	read_identity(caps);
	ops = vendor_for(caps->vendor);
	if (!ops) {
		caps->refusal = "unknown processor vendor: neither Intel VMX nor AMD SVM";
		return HV_STATUS_PROCESSOR_FEATURE_NOT_SUPPORTED;
	}
	caps->backend = ops->name;
	ops->detect(caps);
	if (caps->usable && !caps->nested_paging) {
		caps->usable = false;
		caps->refusal = "no nested paging (NPT/EPT): libhv needs second-level translation";
	}
	return caps->usable ? HV_STATUS_SUCCESS : HV_STATUS_PROCESSOR_FEATURE_NOT_SUPPORTED;
}

hv_status_t hv_init(const struct hv_host_ops *ops)
{
	hv_status_t st;

	if (!ops || !ops->alloc_pages || !ops->free_pages || !ops->hpa_to_hva || !ops->vlog)
		return HV_STATUS_INVALID_PARAMETER;
	memset(&hv_globals, 0, sizeof(hv_globals));
	hv_globals.host = ops;
	st = hv_detect(&hv_globals.caps);
	if (st != HV_STATUS_SUCCESS)
		return st;
	hv_globals.vendor = vendor_for(hv_globals.caps.vendor);
	st = hv_globals.vendor->enable(&hv_globals.caps);
	if (st != HV_STATUS_SUCCESS)
		hv_globals.vendor = NULL;
	hv_globals.next_partition_id = 1;
	return st;
}

const struct hv_capabilities *hv_capabilities(void)
{
	return hv_globals.vendor ? &hv_globals.caps : NULL;
}

void hv_log(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	hv_globals.host->vlog(fmt, ap);
	va_end(ap);
}

void *hv_hpa_to_hva(hv_hpa_t hpa)
{
	return hv_globals.host->hpa_to_hva(hpa);
}

const char *hv_status_name(hv_status_t status)
{
	switch (status) {
	case HV_STATUS_SUCCESS: return "HV_STATUS_SUCCESS";
	case HV_STATUS_INVALID_HYPERCALL_CODE: return "HV_STATUS_INVALID_HYPERCALL_CODE";
	case HV_STATUS_INVALID_HYPERCALL_INPUT: return "HV_STATUS_INVALID_HYPERCALL_INPUT";
	case HV_STATUS_INVALID_ALIGNMENT: return "HV_STATUS_INVALID_ALIGNMENT";
	case HV_STATUS_INVALID_PARAMETER: return "HV_STATUS_INVALID_PARAMETER";
	case HV_STATUS_ACCESS_DENIED: return "HV_STATUS_ACCESS_DENIED";
	case HV_STATUS_INVALID_PARTITION_STATE: return "HV_STATUS_INVALID_PARTITION_STATE";
	case HV_STATUS_OPERATION_DENIED: return "HV_STATUS_OPERATION_DENIED";
	case HV_STATUS_UNKNOWN_PROPERTY: return "HV_STATUS_UNKNOWN_PROPERTY";
	case HV_STATUS_PROPERTY_VALUE_OUT_OF_RANGE: return "HV_STATUS_PROPERTY_VALUE_OUT_OF_RANGE";
	case HV_STATUS_INSUFFICIENT_MEMORY: return "HV_STATUS_INSUFFICIENT_MEMORY";
	case HV_STATUS_INVALID_PARTITION_ID: return "HV_STATUS_INVALID_PARTITION_ID";
	case HV_STATUS_INVALID_VP_INDEX: return "HV_STATUS_INVALID_VP_INDEX";
	case HV_STATUS_NOT_FOUND: return "HV_STATUS_NOT_FOUND";
	case HV_STATUS_INVALID_PORT_ID: return "HV_STATUS_INVALID_PORT_ID";
	case HV_STATUS_INVALID_CONNECTION_ID: return "HV_STATUS_INVALID_CONNECTION_ID";
	case HV_STATUS_INSUFFICIENT_BUFFERS: return "HV_STATUS_INSUFFICIENT_BUFFERS";
	case HV_STATUS_INVALID_SYNIC_STATE: return "HV_STATUS_INVALID_SYNIC_STATE";
	case HV_STATUS_NOT_ACKNOWLEDGED: return "HV_STATUS_NOT_ACKNOWLEDGED";
	case HV_STATUS_INVALID_VP_STATE: return "HV_STATUS_INVALID_VP_STATE";
	case HV_STATUS_NO_DATA: return "HV_STATUS_NO_DATA";
	case HV_STATUS_NO_RESOURCES: return "HV_STATUS_NO_RESOURCES";
	case HV_STATUS_PROCESSOR_FEATURE_NOT_SUPPORTED:
		return "HV_STATUS_PROCESSOR_FEATURE_NOT_SUPPORTED";
	case HV_STATUS_INVALID_LP_INDEX: return "HV_STATUS_INVALID_LP_INDEX";
	case HV_STATUS_INVALID_REGISTER_VALUE: return "HV_STATUS_INVALID_REGISTER_VALUE";
	case HV_STATUS_OPERATION_FAILED: return "HV_STATUS_OPERATION_FAILED";
	case HV_STATUS_TIME_OUT: return "HV_STATUS_TIME_OUT";
	case HV_STATUS_CALL_PENDING: return "HV_STATUS_CALL_PENDING";
	default: return "HV_STATUS_(unknown)";
	}
}
