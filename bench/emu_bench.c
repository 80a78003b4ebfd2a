/* Emulator benchmark: ns and host instructions per emulated MMIO access, decode cache warm and cold. */
#define _POSIX_C_SOURCE 200809L
#define _DEFAULT_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <hv/exit.h>

#include "bench/callgrind.h"
#include "emulator/emu.h"
#include "test/fakes/fake_emu_guest.h"

/*
 * Each case is one instruction in a 64-bit guest with 4-level paging, touching the fake device
 * window through the whole path: register reads through the ops table, fetch through the guest's
 * page tables, decode (or the cache), the device access, write-back. "Cold" empties the decode
 * (and translation) cache before every access; "warm" is a driver polling the same register.
 * The exit carries the faulting GVA as VMX reports it, except in the "-svm" case (GPA only).
 *
 * Host instructions are counted by running this program again under callgrind with collection
 * only inside emu_mmio_exit_fault() (`--case NAME` runs one case for that); set EMU_BENCH_NO_CALLGRIND
 * to skip it.
 */
struct bench_case {
	const char *name;
	uint8_t code[4];
	unsigned len;
	bool rep;       /* REP MOVSD of 64 dwords from RAM to the device */
	uint8_t access; /* the exit's GVA hint (VMX reports it) with this access; 0: none (SVM) */
};

static const struct bench_case cases[] = {
    {"mov-load", {0x8b, 0x03}, 2, false, HV_ACCESS_READ},     /* mov eax, [rbx] */
    {"mov-load-svm", {0x8b, 0x03}, 2, false, 0},              /* the same, GPA only */
    {"mov-store", {0x89, 0x03}, 2, false, HV_ACCESS_WRITE},   /* mov [rbx], eax */
    {"or-mem", {0x09, 0x03}, 2, false, HV_ACCESS_WRITE},      /* or [rbx], eax */
    {"rep-movsd-64", {0xf3, 0xa5}, 2, true, HV_ACCESS_WRITE}, /* rep movsd, RCX = 64 */
};

#define NCASES (sizeof(cases) / sizeof(cases[0]))

static struct fake_emu_guest g;
static struct emu_context ctx;

static void prepare(const struct bench_case *c)
{
	g.regs[EMU_REG_RIP] = FAKE_EMU_CODE;
	g.regs[EMU_REG_RBX] = FAKE_EMU_MMIO_BASE + 0x10;
	if (c->rep) {
		g.regs[EMU_REG_RSI] = 0x20000;
		g.regs[EMU_REG_RDI] = FAKE_EMU_MMIO_BASE;
		g.regs[EMU_REG_RCX] = 64;
	}
}

static int run(const struct bench_case *c, bool cold, unsigned n)
{
	const uint64_t target = c->rep ? FAKE_EMU_MMIO_BASE : FAKE_EMU_MMIO_BASE + 0x10;
	const struct emu_fault fault = {
	    .gpa = target, .gva = target, .gva_valid = c->access != 0, .access = c->access};

	fake_emu_code(&g, c->code, c->len);
	for (unsigned i = 0; i < n; i++) {
		prepare(c);
		if (cold)
			emu_cache_flush(&ctx);
		if (emu_mmio_exit_fault(&ctx, &fake_emu_ops, &g, &fault) != EMU_DONE) {
			fprintf(stderr, "emu_bench: %s did not emulate: %s\n", c->name, g.last_log);
			return -1;
		}
	}
	return 0;
}

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static double time_case(const struct bench_case *c, bool cold)
{
	const unsigned n = c->rep ? 20000 : 200000;
	double best = 1e30;

	/* The best of five rounds: the machine is shared, and the minimum is the honest figure. */
	for (int round = 0; round < 5; round++) {
		double t0 = now_ns();

		if (run(c, cold, n))
			exit(1);
		double t = (now_ns() - t0) / n;
		if (t < best)
			best = t;
	}
	return best;
}

#define CG_CALLS 1000U

/* Instructions per call of emu_mmio_exit, from a callgrind run of `self --case name [--cold]`. */
static double count_instructions(const char *self, const struct bench_case *c, bool cold)
{
	char command[512];
	double total;

	snprintf(command, sizeof(command), "%s --case %s%s", self, c->name, cold ? " --cold" : "");
	total = callgrind_total("--toggle-collect=emu_mmio_exit_fault", command);
	return total > 0 ? total / CG_CALLS : -1;
}

int main(int argc, char **argv)
{
	fake_emu_init(&g);
	emu_context_init(&ctx, "bench");
	for (unsigned i = 0; i < 0x1000; i++)
		g.mmio[i] = (uint8_t)i;

	if (argc >= 3 && strcmp(argv[1], "--case") == 0) {
		bool cold = argc >= 4 && strcmp(argv[3], "--cold") == 0;

		for (unsigned i = 0; i < NCASES; i++)
			if (strcmp(cases[i].name, argv[2]) == 0)
				return run(&cases[i], cold, CG_CALLS) ? 1 : 0;
		return 2;
	}

	bool counting =
	    !getenv("EMU_BENCH_NO_CALLGRIND") && system("valgrind --version >/dev/null 2>&1") == 0;

	printf("emulator: one emulated access, end to end through the ops table (64-bit guest, "
	       "4-level paging)\n");
	printf("%-14s %12s %12s %14s %14s %8s\n", "case", "warm ns", "cold ns", "warm instr",
	       "cold instr", "cold/warm");
	for (unsigned i = 0; i < NCASES; i++) {
		const struct bench_case *c = &cases[i];
		double warm = time_case(c, false), cold = time_case(c, true);
		double iw = counting ? count_instructions(argv[0], c, false) : -1;
		double ic = counting ? count_instructions(argv[0], c, true) : -1;

		printf("%-14s %12.1f %12.1f %14.0f %14.0f %7.1fx\n", c->name, warm, cold, iw, ic,
		       iw > 0 ? ic / iw : cold / warm);
	}
	printf("decode cache: %llu hits, %llu misses\n", (unsigned long long)ctx.stats.cache_hits,
	       (unsigned long long)ctx.stats.cache_misses);
	if (!counting)
		printf("(instruction counts need valgrind; -1 means not measured)\n");
	fake_emu_free(&g);
	return 0;
}
