/* Host pages for libhv in host tests: malloc'd, aligned, behind fake host-physical addresses. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fake_hv.h"

/*
 * Fake HPAs start at 4 GiB so that a test can never confuse one with a real pointer; each
 * allocation gets an aligned run of fake addresses and its own aligned_alloc'd memory.
 */
#define FAKE_HPA_BASE 0x100000000ULL
#define MAX_BLOCKS    4096

struct block {
	hv_hpa_t hpa;
	size_t count;
	void *mem;
};

static struct block blocks[MAX_BLOCKS];
static size_t nblocks;
static hv_hpa_t next_hpa = FAKE_HPA_BASE;
static size_t pages_in_use;
static long fail_after = -1;
static char last_log[512];

static hv_hpa_t fake_alloc_pages(size_t count, size_t align)
{
	uint64_t align_bytes = (uint64_t)(align ? align : 1) * HV_PAGE_SIZE;
	struct block *b = NULL;

	if (fail_after == 0)
		return 0;
	if (fail_after > 0)
		fail_after--;
	for (size_t i = 0; i < nblocks; i++)
		if (!blocks[i].mem) {
			b = &blocks[i];
			break;
		}
	if (!b) {
		if (nblocks == MAX_BLOCKS)
			return 0;
		b = &blocks[nblocks++];
	}
	next_hpa = (next_hpa + align_bytes - 1) & ~(align_bytes - 1);
	b->hpa = next_hpa;
	b->count = count;
	b->mem = aligned_alloc(HV_PAGE_SIZE, count * HV_PAGE_SIZE);
	if (!b->mem)
		return 0;
	memset(b->mem, 0, count * HV_PAGE_SIZE);
	next_hpa += count * HV_PAGE_SIZE;
	pages_in_use += count;
	return b->hpa;
}

static void fake_free_pages(hv_hpa_t hpa, size_t count)
{
	for (size_t i = 0; i < nblocks; i++)
		if (blocks[i].mem && blocks[i].hpa == hpa) {
			if (blocks[i].count != count)
				abort(); /* libhv freed with the wrong size: a bug the tests must see */
			free(blocks[i].mem);
			blocks[i].mem = NULL;
			pages_in_use -= count;
			return;
		}
	abort(); /* freeing what was never allocated */
}

static bool block_holds(const struct block *b, hv_hpa_t hpa)
{
	return b->mem && hpa >= b->hpa && hpa < b->hpa + b->count * HV_PAGE_SIZE;
}

/*
 * Table walks look up the same few pages again and again: a small cache of the block that
 * held each page number (checked before use, so freed or reused blocks never answer wrongly)
 * keeps the randomized SLAT tests fast.
 */
#define LOOKUP_CACHE 256U
static size_t lookup_cache[LOOKUP_CACHE];

static void *fake_hpa_to_hva(hv_hpa_t hpa)
{
	size_t *hint = &lookup_cache[(hpa >> 12) % LOOKUP_CACHE];

	if (*hint < nblocks && block_holds(&blocks[*hint], hpa))
		return (char *)blocks[*hint].mem + (hpa - blocks[*hint].hpa);
	for (size_t i = 0; i < nblocks; i++)
		if (block_holds(&blocks[i], hpa)) {
			*hint = i;
			return (char *)blocks[i].mem + (hpa - blocks[i].hpa);
		}
	abort(); /* libhv touched host memory it does not own */
}

/* The host timer and the host's interrupt window, as a monitor with a TSC-deadline timer has them. */
static uint64_t armed_timer;
static unsigned arm_calls, take_calls;

static void fake_arm_timer(uint64_t tsc)
{
	armed_timer = tsc;
	arm_calls++;
}

static void fake_take_interrupts(void)
{
	take_calls++;
}

static void fake_vlog(const char *fmt, va_list ap)
{
	vsnprintf(last_log, sizeof(last_log), fmt, ap);
}

const struct hv_host_ops fake_host_ops = {
    .alloc_pages = fake_alloc_pages,
    .free_pages = fake_free_pages,
    .hpa_to_hva = fake_hpa_to_hva,
    .vlog = fake_vlog,
    .rdmsr_safe = NULL,
    .arm_timer = fake_arm_timer,
    .take_interrupts = fake_take_interrupts,
};

/* The same host without the optional timer ops (a monitor that never lets interrupts in). */
const struct hv_host_ops fake_host_ops_no_timer = {
    .alloc_pages = fake_alloc_pages,
    .free_pages = fake_free_pages,
    .hpa_to_hva = fake_hpa_to_hva,
    .vlog = fake_vlog,
};

uint64_t fake_host_armed_timer(void)
{
	return armed_timer;
}

unsigned fake_host_arm_timer_calls(void)
{
	return arm_calls;
}

unsigned fake_host_take_interrupts_calls(void)
{
	return take_calls;
}

size_t fake_host_pages_in_use(void)
{
	return pages_in_use;
}

void fake_host_fail_after(long n)
{
	fail_after = n;
}

void fake_host_reset(void)
{
	for (size_t i = 0; i < nblocks; i++)
		free(blocks[i].mem);
	memset(blocks, 0, sizeof(blocks));
	nblocks = 0;
	pages_in_use = 0;
	fail_after = -1;
	next_hpa = FAKE_HPA_BASE;
	last_log[0] = '\0';
	armed_timer = 0;
	arm_calls = take_calls = 0;
}

const char *fake_host_last_log(void)
{
	return last_log;
}
