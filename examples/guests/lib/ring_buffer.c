/* libhv's ring code (libhv/core/ring_buffer.c), compiled as is into the guest runtime for the VSCs. */
/*
 * One copy of the ring format for both sides: a VSC in a child and the VSP in the monitor run
 * the same reads, writes and signalling decisions. The file needs only memcpy (string.h here)
 * and libhv's include path (GUEST_CFLAGS has -Ilibhv/include for the ABI headers).
 */
#include "../../../libhv/core/ring_buffer.c"
