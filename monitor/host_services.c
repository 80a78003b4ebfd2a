/* libhv's host services, implemented on the monitor's page allocator and console. */
#include "monitor/host_services.h"

#include "monitor/arch/exceptions.h"
#include "monitor/clock_source.h"
#include "monitor/console.h"
#include "monitor/host_timer.h"

struct page_alloc monitor_pages;

static hv_hpa_t host_alloc_pages(size_t count, size_t align)
{
	return page_alloc_pages(&monitor_pages, count, align);
}

static void host_free_pages(hv_hpa_t hpa, size_t count)
{
	if (page_alloc_free(&monitor_pages, hpa, count))
		monitor_panic("libhv freed pages it does not own: %#llx (+%zu)",
		              (unsigned long long)hpa, count);
}

/* The monitor maps all RAM 1:1 (monitor/arch/entry.S): an HPA is its own address. */
static void *host_hpa_to_hva(hv_hpa_t hpa)
{
	return (void *)(uintptr_t)hpa;
}

static void host_vlog(const char *fmt, va_list ap)
{
	kprintf("libhv: ");
	kvprintf(fmt, ap);
	kprintf("\n");
}

/* The one time source every guest clock and deadline is computed from (monitor/clock_source.h). */
static uint64_t host_tsc_frequency(void)
{
	return clock_source_tsc_hz();
}

const struct hv_host_ops monitor_host_ops = {
    .alloc_pages = host_alloc_pages,
    .free_pages = host_free_pages,
    .hpa_to_hva = host_hpa_to_hva,
    .vlog = host_vlog,
    .rdmsr_safe = rdmsr_safe,
    .tsc_frequency = host_tsc_frequency,
    .arm_timer = host_timer_arm,
    .take_interrupts = host_timer_take_interrupts,
};
