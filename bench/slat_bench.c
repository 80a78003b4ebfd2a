/* SLAT benchmark: time and table memory to map guest RAM, translation rate, the cost of a split. */
#define _POSIX_C_SOURCE 200809L
#define _DEFAULT_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#include <hv/hv.h>

#include "libhv/slat/slat.h"

/*
 * A bench-local host: one big anonymous mapping handed out a page at a time, with a free list,
 * so that the allocator costs next to nothing and hpa_to_hva is one addition (the test fake
 * searches a list). Table HPAs start at 1 TiB, away from the guest RAM HPAs being mapped.
 */
#define ARENA_BASE  (1ULL << 40)
#define ARENA_PAGES (96U * 256U) /* 96 MiB: 16 GiB in 4 KiB pages needs about 32 MiB of tables */

static uint8_t *arena;
static uint32_t arena_next;
static uint32_t free_list[ARENA_PAGES];
static uint32_t free_count;

static hv_hpa_t arena_alloc(size_t count, size_t align)
{
	uint32_t page;

	(void)align;
	if (count != 1)
		return 0;
	if (free_count)
		page = free_list[--free_count];
	else if (arena_next < ARENA_PAGES)
		page = arena_next++;
	else
		return 0;
	memset(arena + (size_t)page * HV_PAGE_SIZE, 0, HV_PAGE_SIZE);
	return ARENA_BASE + (uint64_t)page * HV_PAGE_SIZE;
}

static void arena_free(hv_hpa_t hpa, size_t count)
{
	(void)count;
	free_list[free_count++] = (uint32_t)((hpa - ARENA_BASE) / HV_PAGE_SIZE);
}

static void *arena_hva(hv_hpa_t hpa)
{
	return arena + (hpa - ARENA_BASE);
}

static void arena_vlog(const char *fmt, va_list ap)
{
	vfprintf(stderr, fmt, ap);
}

static const struct hv_host_ops bench_host = {
    .alloc_pages = arena_alloc,
    .free_pages = arena_free,
    .hpa_to_hva = arena_hva,
    .vlog = arena_vlog,
};

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static void start(struct slat *s, const struct slat_format *fmt)
{
	if (slat_init(
	        s, fmt, &bench_host,
	        &(struct slat_features){.phys_bits = 48, .large_1g = true, .hw_dirty = true})) {
		fprintf(stderr, "slat_init failed\n");
		exit(1);
	}
}

static void must(hv_status_t st, const char *what)
{
	if (st != HV_STATUS_SUCCESS) {
		fprintf(stderr, "%s: status %#x\n", what, st);
		exit(1);
	}
}

/* Best time of `reps` maps of `size` bytes at GPA 0 / HPA 0, and the table bytes it took. */
static void bench_map(const struct slat_format *fmt, const char *label, uint64_t size,
                      uint32_t flags, int reps)
{
	double best = 1e30;
	double unmap_best = 1e30;
	uint64_t table_bytes = 0;

	for (int r = 0; r < reps; r++) {
		struct slat s;
		double t0, t1, t2;

		start(&s, fmt);
		t0 = now_ns();
		must(slat_map(&s, 0, 0, size, flags), "map");
		t1 = now_ns();
		table_bytes = s.table_pages * HV_PAGE_SIZE;
		must(slat_unmap(&s, 0, size), "unmap");
		t2 = now_ns();
		slat_destroy(&s);
		if (t1 - t0 < best)
			best = t1 - t0;
		if (t2 - t1 < unmap_best)
			unmap_best = t2 - t1;
	}
	printf("  %-4s map %6llu MiB %-10s %12.1f us  tables %9llu KiB (%6.1f KiB/GiB)  unmap "
	       "%10.1f us\n",
	       fmt->name, (unsigned long long)(size >> 20), label, best / 1e3,
	       (unsigned long long)(table_bytes >> 10),
	       (double)table_bytes / 1024.0 / ((double)size / (1ULL << 30)), unmap_best / 1e3);
}

static uint64_t rng = 88172645463325252ULL;

static uint64_t next_random(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static void bench_translate(const struct slat_format *fmt, const char *label, uint32_t flags)
{
	enum { N = 4000000 };
	static hv_gpa_t gpas[N];
	struct slat s;
	double best = 1e30;
	uint64_t sum = 0;

	start(&s, fmt);
	must(slat_map(&s, 0, 0, 1ULL << 30, flags), "map");
	for (int i = 0; i < N; i++)
		gpas[i] = next_random() & ((1ULL << 30) - 1);
	for (int r = 0; r < 3; r++) {
		double t0 = now_ns();

		for (int i = 0; i < N; i++) {
			hv_hpa_t hpa;

			slat_translate(&s, gpas[i], &hpa, NULL);
			sum += hpa;
		}
		if (now_ns() - t0 < best)
			best = now_ns() - t0;
	}
	slat_destroy(&s);
	printf("  %-4s translate, 1 GiB in %-10s %8.1f M/s  (%.1f ns each; checksum %llx)\n",
	       fmt->name, label, N / best * 1e3, best / N, (unsigned long long)(sum & 0xfff));
}

/* A 4 KiB protect inside a 1 GiB leaf: two splits (1 GiB to 2 MiB, 2 MiB to 4 KiB) and a rewrite. */
static void bench_split(const struct slat_format *fmt)
{
	enum { REPS = 2000 };
	double best = 1e30, total = 0;

	for (int r = 0; r < REPS; r++) {
		struct slat s;
		double t0, t;

		start(&s, fmt);
		must(slat_map(&s, 1ULL << 30, 1ULL << 30, 1ULL << 30, HV_MAP_GPA_RWX), "map");
		t0 = now_ns();
		must(slat_protect(&s, (1ULL << 30) + 0x12345000, 0x1000, HV_MAP_GPA_READABLE),
		     "protect");
		t = now_ns() - t0;
		slat_destroy(&s);
		total += t;
		if (t < best)
			best = t;
	}
	printf("  %-4s protect 4 KiB inside a 1 GiB page (split): best %.2f us, mean %.2f us\n",
	       fmt->name, best / 1e3, total / REPS / 1e3);
}

static void bench_harvest(const struct slat_format *fmt)
{
	static uint64_t bitmap[(1U << 18) / 64];
	struct slat s;
	double best = 1e30;

	start(&s, fmt);
	must(slat_map(&s, 0, 0, 1ULL << 30, HV_MAP_GPA_RWX | HV_MAP_GPA_NO_LARGE_PAGES), "map");
	for (int r = 0; r < 5; r++) {
		double t0 = now_ns();

		must(slat_harvest_dirty(&s, 0, 1ULL << 30, bitmap, true), "harvest");
		if (now_ns() - t0 < best)
			best = now_ns() - t0;
	}
	slat_destroy(&s);
	printf("  %-4s harvest+clear dirty bits of 1 GiB in 4 KiB pages: %.1f us\n", fmt->name,
	       best / 1e3);
}

int main(void)
{
	static const struct slat_format *const formats[] = {&slat_format_npt, &slat_format_ept};
	const uint32_t small = HV_MAP_GPA_RWX | HV_MAP_GPA_NO_LARGE_PAGES;

	arena = mmap(NULL, (size_t)ARENA_PAGES * HV_PAGE_SIZE, PROT_READ | PROT_WRITE,
	             MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (arena == MAP_FAILED) {
		perror("mmap");
		return 1;
	}
	printf("slat: best of N runs, CLOCK_MONOTONIC; tables from a bench-local page arena\n");
	for (unsigned f = 0; f < 2; f++) {
		bench_map(formats[f], "4K-only", 64ULL << 20, small, 50);
		bench_map(formats[f], "best-fit", 64ULL << 20, HV_MAP_GPA_RWX, 2000);
		bench_map(formats[f], "4K-only", 1ULL << 30, small, 10);
		bench_map(formats[f], "best-fit", 1ULL << 30, HV_MAP_GPA_RWX, 2000);
		bench_map(formats[f], "4K-only", 16ULL << 30, small, 3);
		bench_map(formats[f], "best-fit", 16ULL << 30, HV_MAP_GPA_RWX, 2000);
	}
	for (unsigned f = 0; f < 2; f++) {
		bench_translate(formats[f], "4K pages", HV_MAP_GPA_RWX | HV_MAP_GPA_NO_LARGE_PAGES);
		bench_translate(formats[f], "1G page", HV_MAP_GPA_RWX);
	}
	for (unsigned f = 0; f < 2; f++)
		bench_split(formats[f]);
	for (unsigned f = 0; f < 2; f++)
		bench_harvest(formats[f]);
	return 0;
}
