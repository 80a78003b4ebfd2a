/* A child's side of the channel protocol for host tests, fuzzers and benchmarks: SynIC, messages, rings. */
#ifndef TEST_FAKES_FAKE_VMBUS_GUEST_H
#define TEST_FAKES_FAKE_VMBUS_GUEST_H

#include <stdbool.h>
#include <stdint.h>

#include <hv/ring.h>

#include "fake_partition.h"
#include "monitor/page_alloc.h"

/* Guest pages the helper uses: the SynIC message and event-flag pages, the hypercall input. */
#define FVG_SIMP_GPA  0x1000ULL
#define FVG_SIEFP_GPA 0x2000ULL
#define FVG_IN_GPA    0x3000ULL
#define FVG_VECTOR    0x50U

/*
 * fake_partition_setup(rw_pages, 1) (the last page read-only), an interrupt target that counts,
 * the SynIC on with SINT HV_VMBUS_SINT at FVG_VECTOR, and a page allocator over a host arena
 * for the channel manager.
 */
void fvg_setup(uint32_t rw_pages);
void fvg_teardown(void);
struct page_alloc *fvg_pages(void);
unsigned fvg_interrupts(void);

/* HvCallPostMessage to the message connection (type HV_VMBUS_MESSAGE_TYPE unless given). */
uint16_t fvg_post(const void *msg, uint32_t size);
uint16_t fvg_post_typed(uint32_t message_type, const void *msg, uint32_t size);
/* HvCallSignalEvent (fast) on a connection. */
uint16_t fvg_signal(uint32_t connection_id);

/*
 * Take the message in SINT HV_VMBUS_SINT's slot as a driver does: copy it, free the slot, EOM
 * when the pending flag was set. False when the slot is empty.
 */
bool fvg_take(void *buf, uint32_t *size);
/* Test and clear the channel's event flag in SINT HV_VMBUS_SINT. */
bool fvg_event_take(uint32_t relid);

/* The monitor's view of guest memory at gpa. */
void *fvg_ptr(uint64_t gpa);
/* The child's view of a ring at [gpa, gpa + pages * 4 KiB), reset as a driver does. */
void fvg_ring_init(struct hv_ring *ring, uint64_t gpa, uint32_t pages);

#endif
