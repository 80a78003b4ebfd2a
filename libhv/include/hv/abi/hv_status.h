/* Hyper-V TLFS hypercall status codes (HV_STATUS), the result every libhv call and hypercall returns. */
#ifndef HV_ABI_HV_STATUS_H
#define HV_ABI_HV_STATUS_H

#include <stdint.h>

typedef uint16_t hv_status_t;

#define HV_STATUS_SUCCESS                         0x0000U
#define HV_STATUS_INVALID_HYPERCALL_CODE          0x0002U
#define HV_STATUS_INVALID_HYPERCALL_INPUT         0x0003U
#define HV_STATUS_INVALID_ALIGNMENT               0x0004U
#define HV_STATUS_INVALID_PARAMETER               0x0005U
#define HV_STATUS_ACCESS_DENIED                   0x0006U
#define HV_STATUS_INVALID_PARTITION_STATE         0x0007U
#define HV_STATUS_OPERATION_DENIED                0x0008U
#define HV_STATUS_UNKNOWN_PROPERTY                0x0009U
#define HV_STATUS_PROPERTY_VALUE_OUT_OF_RANGE     0x000AU
#define HV_STATUS_INSUFFICIENT_MEMORY             0x000BU
#define HV_STATUS_INVALID_PARTITION_ID            0x000DU
#define HV_STATUS_INVALID_VP_INDEX                0x000EU
#define HV_STATUS_NOT_FOUND                       0x0010U
#define HV_STATUS_INVALID_PORT_ID                 0x0011U
#define HV_STATUS_INVALID_CONNECTION_ID           0x0012U
#define HV_STATUS_INSUFFICIENT_BUFFERS            0x0013U
#define HV_STATUS_NOT_ACKNOWLEDGED                0x0014U
#define HV_STATUS_INVALID_VP_STATE                0x0015U
#define HV_STATUS_NO_DATA                         0x001BU
#define HV_STATUS_NO_RESOURCES                    0x001DU
#define HV_STATUS_PROCESSOR_FEATURE_NOT_SUPPORTED 0x0020U
#define HV_STATUS_INVALID_LP_INDEX                0x0041U
#define HV_STATUS_INVALID_REGISTER_VALUE          0x0050U
#define HV_STATUS_OPERATION_FAILED                0x0071U
#define HV_STATUS_TIME_OUT                        0x0078U
#define HV_STATUS_CALL_PENDING                    0x0079U

#endif
