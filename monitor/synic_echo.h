/* A demo VSP on the SynIC: echoes a child's messages back and answers its events with a flag. */
#ifndef MONITOR_SYNIC_ECHO_H
#define MONITOR_SYNIC_ECHO_H

#include <hv/hv.h>

/*
 * What the child sees (docs/guest-abi.md): HvCallPostMessage to connection 0x2001 comes back,
 * same type and payload, in SINT 2's message slot; HvCallSignalEvent to connection 0x2002 sets
 * event flag 7 of SINT 2.
 */
#define SYNIC_ECHO_MESSAGE_CONNECTION 0x2001U
#define SYNIC_ECHO_EVENT_CONNECTION   0x2002U
#define SYNIC_ECHO_SINT               2U
#define SYNIC_ECHO_EVENT_FLAG         7U

/* Create both ports for the partition, answering toward `vp`. 0, or -1 (logged) on failure. */
int synic_echo_attach(struct hv_partition *p, struct hv_vp *vp);

#endif
