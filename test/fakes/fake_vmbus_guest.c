/* A child's side of the channel protocol for host tests, fuzzers and benchmarks. */
#include <stdlib.h>
#include <string.h>

#include <hv/abi/hv_enlightenment.h>
#include <hv/abi/hv_hypercall.h>
#include <hv/abi/hv_vmbus.h>

#include "fake_synthetic.h"
#include "fake_vmbus_guest.h"
#include "monitor/multiboot2.h"

#define ARENA_BASE 0x100000ULL
#define ARENA_SIZE (4ULL << 20)

static uint8_t *arena;
static struct page_alloc pages;
static unsigned interrupts;

static void *arena_to_virt(uint64_t hpa)
{
	if (hpa < ARENA_BASE || hpa - ARENA_BASE >= ARENA_SIZE)
		abort();
	return arena + (hpa - ARENA_BASE);
}

static void count_interrupt(void *opaque, uint32_t vp_index, uint8_t vector, bool auto_eoi)
{
	(void)opaque;
	(void)vp_index;
	(void)vector;
	(void)auto_eoi;
	interrupts++;
}

static const struct hv_interrupt_target target = {count_interrupt, NULL};

static void wrmsr(uint32_t index, uint64_t value)
{
	if (!fake_synthetic_msr(index, true, &value))
		abort();
}

void fvg_setup(uint32_t rw_pages)
{
	const struct mb2_mem_region region = {ARENA_BASE, ARENA_SIZE, MB2_MEM_AVAILABLE};

	fake_partition_setup(rw_pages, 1);
	interrupts = 0;
	if (hv_partition_set_interrupt_target(fake_part.p, &target) != HV_STATUS_SUCCESS)
		abort();
	wrmsr(HV_X64_MSR_SIMP, FVG_SIMP_GPA | HV_SYNIC_PAGE_ENABLE);
	wrmsr(HV_X64_MSR_SIEFP, FVG_SIEFP_GPA | HV_SYNIC_PAGE_ENABLE);
	wrmsr(HV_X64_MSR_SINT0 + HV_VMBUS_SINT, FVG_VECTOR);
	wrmsr(HV_X64_MSR_SCONTROL, HV_SYNIC_CONTROL_ENABLE);
	if (!arena)
		arena = aligned_alloc(4096, ARENA_SIZE);
	if (!arena)
		abort();
	memset(&pages, 0, sizeof(pages));
	pages.phys_to_virt = arena_to_virt;
	if (page_alloc_init(&pages, &region, 1, NULL, 0))
		abort();
}

void fvg_teardown(void)
{
	fake_partition_teardown();
}

struct page_alloc *fvg_pages(void)
{
	return &pages;
}

unsigned fvg_interrupts(void)
{
	return interrupts;
}

uint16_t fvg_post_typed(uint32_t message_type, const void *msg, uint32_t size)
{
	struct hv_input_post_message in = {.connection_id = HV_VMBUS_MESSAGE_CONNECTION_ID,
	                                   .message_type = message_type,
	                                   .payload_size = size};

	if (size > sizeof(in.payload))
		abort();
	memcpy(in.payload, msg, size);
	memcpy(fake_part.ram + FVG_IN_GPA, &in, sizeof(in));
	return (uint16_t)(fake_synthetic_hypercall(HVCALL_POST_MESSAGE, FVG_IN_GPA, 0) &
	                  HV_HYPERCALL_RESULT_STATUS_MASK);
}

uint16_t fvg_post(const void *msg, uint32_t size)
{
	return fvg_post_typed(HV_VMBUS_MESSAGE_TYPE, msg, size);
}

uint16_t fvg_signal(uint32_t connection_id)
{
	struct hv_input_signal_event in = {connection_id, 0, 0};
	uint64_t v;

	memcpy(&v, &in, sizeof(v));
	return (uint16_t)(fake_synthetic_hypercall(HVCALL_SIGNAL_EVENT | HV_HYPERCALL_FAST, v, 0) &
	                  HV_HYPERCALL_RESULT_STATUS_MASK);
}

bool fvg_take(void *buf, uint32_t *size)
{
	struct hv_message *slot =
	    (struct hv_message *)(fake_part.ram + FVG_SIMP_GPA) + HV_VMBUS_SINT;
	bool pending;

	if (slot->message_type == HVMSG_NONE)
		return false;
	*size = slot->payload_size;
	memcpy(buf, slot->payload, slot->payload_size);
	pending = slot->message_flags & HV_MESSAGE_FLAG_PENDING;
	slot->message_type = HVMSG_NONE;
	if (pending)
		wrmsr(HV_X64_MSR_EOM, 0);
	return true;
}

bool fvg_event_take(uint32_t relid)
{
	uint64_t *word =
	    (uint64_t *)(fake_part.ram + FVG_SIEFP_GPA + HV_VMBUS_SINT * 256) + relid / 64;
	uint64_t bit = 1ULL << (relid % 64);
	bool set = *word & bit;

	*word &= ~bit;
	return set;
}

void *fvg_ptr(uint64_t gpa)
{
	return fake_part.ram + gpa;
}

void fvg_ring_init(struct hv_ring *ring, uint64_t gpa, uint32_t pages_count)
{
	if (hv_ring_attach(ring, fvg_ptr(gpa), fvg_ptr(gpa + 4096), (pages_count - 1) * 4096) !=
	    HV_RING_OK)
		abort();
	hv_ring_reset(ring);
}
