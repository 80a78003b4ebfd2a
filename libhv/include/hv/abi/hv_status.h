/* Hyper-V TLFS hypercall status codes (HV_STATUS), the result every libhv call and hypercall returns. */
#ifndef HV_ABI_HV_STATUS_H
#define HV_ABI_HV_STATUS_H

#include <stdint.h>

/** A TLFS HV_STATUS value: HV_STATUS_SUCCESS (0) or an error. */
typedef uint16_t hv_status_t;

#define HV_STATUS_SUCCESS 0x0000U /**< the call did what was asked */
/** unknown call code, or the fast form of a slow-only call */
#define HV_STATUS_INVALID_HYPERCALL_CODE 0x0002U
/** reserved bits set, or rep count / variable header wrong for the call */
#define HV_STATUS_INVALID_HYPERCALL_INPUT 0x0003U
/** an address or size not aligned as the call requires */
#define HV_STATUS_INVALID_ALIGNMENT 0x0004U
/** a parameter out of range, or not RAM where RAM is needed */
#define HV_STATUS_INVALID_PARAMETER 0x0005U
/** the caller lacks the privilege (root-only call), or the host pages are not the partition's */
#define HV_STATUS_ACCESS_DENIED 0x0006U
/** the partition is not in a state that allows the call */
#define HV_STATUS_INVALID_PARTITION_STATE 0x0007U
#define HV_STATUS_OPERATION_DENIED        0x0008U /**< the operation is not allowed now */
/** a partition property libhv does not know */
#define HV_STATUS_UNKNOWN_PROPERTY            0x0009U
#define HV_STATUS_PROPERTY_VALUE_OUT_OF_RANGE 0x000AU /**< a property value outside its range */
/** the host could not supply the pages the call needed */
#define HV_STATUS_INSUFFICIENT_MEMORY  0x000BU
#define HV_STATUS_INVALID_PARTITION_ID 0x000DU /**< no partition has that ID */
/** no VP has that index, or the index is out of range */
#define HV_STATUS_INVALID_VP_INDEX 0x000EU
/** nothing there: for example an unmapped GPA */
#define HV_STATUS_NOT_FOUND 0x0010U
/** no such port, or a SignalEvent flag number out of range */
#define HV_STATUS_INVALID_PORT_ID 0x0011U
/** no such connection (PostMessage, SignalEvent) */
#define HV_STATUS_INVALID_CONNECTION_ID 0x0012U
/** a fixed-size table is full (for example host ranges) */
#define HV_STATUS_INSUFFICIENT_BUFFERS 0x0013U
/** a previous message was not acknowledged yet */
#define HV_STATUS_NOT_ACKNOWLEDGED 0x0014U
/** the VP cannot run: it was stopped by an invalid-state exit */
#define HV_STATUS_INVALID_VP_STATE 0x0015U
/** the target VP's SynIC, its message or event page, or the SINT is disabled */
#define HV_STATUS_INVALID_SYNIC_STATE 0x0018U
#define HV_STATUS_NO_DATA             0x001BU /**< nothing to return */
/** a resource other than memory ran out */
#define HV_STATUS_NO_RESOURCES 0x001DU
/** the processor lacks what the call needs (VMX/SVM with nested paging) */
#define HV_STATUS_PROCESSOR_FEATURE_NOT_SUPPORTED 0x0020U
/** no logical processor has that index */
#define HV_STATUS_INVALID_LP_INDEX 0x0041U
/** a register value the processor would refuse */
#define HV_STATUS_INVALID_REGISTER_VALUE 0x0050U
/** the operation failed for a reason no other status names */
#define HV_STATUS_OPERATION_FAILED 0x0071U
/** the operation did not finish in time */
#define HV_STATUS_TIME_OUT 0x0078U
/** the call has started and will finish later */
#define HV_STATUS_CALL_PENDING 0x0079U

#endif
