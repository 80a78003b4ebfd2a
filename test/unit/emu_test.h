/* Shared set-up for the emulator's unit tests: one fake guest, one context, run one instruction. */
#ifndef TEST_UNIT_EMU_TEST_H
#define TEST_UNIT_EMU_TEST_H

#include <criterion/criterion.h>
#include <string.h>

#include "emulator/emu.h"
#include "emulator/emu_internal.h"
#include "test/fakes/fake_emu_guest.h"

#define MMIO FAKE_EMU_MMIO_BASE

static struct fake_emu_guest g;
static struct emu_context ctx;
/* An exit that reports only the GPA (as SVM's does): every access is walked. */
static const struct emu_fault no_hint = {.gpa = MMIO};

static inline void emu_test_setup(void)
{
	fake_emu_init(&g);
	emu_context_init(&ctx, "testpart");
}

static inline void emu_test_teardown(void)
{
	fake_emu_free(&g);
}

/* Place `bytes` at RIP and emulate them; the result of emu_mmio_exit(). */
static inline int emu_run_bytes(const void *bytes, unsigned len)
{
	fake_emu_code(&g, bytes, len);
	g.injected = false;
	return emu_mmio_exit_fault(&ctx, &fake_emu_ops, &g, &no_hint);
}

#define EMU_RUN(...)                                          \
	({                                                    \
		static const uint8_t code_[] = {__VA_ARGS__}; \
		emu_run_bytes(code_, sizeof(code_));          \
	})

/* An emu_state as emu_mmio_exit() would build it, for testing the internal modules directly. */
static inline struct emu_state emu_test_state(uint8_t mode)
{
	struct emu_state st;

	memset(&st, 0, sizeof(st));
	st.ctx = &ctx;
	st.ops = &fake_emu_ops;
	st.opaque = &g;
	st.fault_info = &no_hint;
	st.ctl = g.ctl;
	st.mode = mode;
	return st;
}

static inline uint64_t mmio64(unsigned off)
{
	uint64_t v;

	memcpy(&v, g.mmio + off, 8);
	return v;
}

static inline void set_mmio64(unsigned off, uint64_t v)
{
	memcpy(g.mmio + off, &v, 8);
}

#define cr_assert_fault(vec, code)                                                               \
	do {                                                                                     \
		cr_assert(g.injected, "no fault was injected");                                  \
		cr_assert_eq(g.vector, (vec), "vector %u, expected %u", g.vector,                \
		             (unsigned)(vec));                                                   \
		cr_assert_eq(g.error_code, (code), "error code %#x, expected %#x", g.error_code, \
		             (unsigned)(code));                                                  \
	} while (0)

#endif
