/* A settable host TSC and TSC frequency for host tests (test/fakes/fake_tsc.c). */
#ifndef TEST_FAKES_FAKE_TSC_H
#define TEST_FAKES_FAKE_TSC_H

#include <stdint.h>

/* What synthetic_read_tsc() returns from now on. */
void fake_tsc_set(uint64_t value);
void fake_tsc_advance(uint64_t ticks);
/*
 * After hv_init: make hv_globals.host a copy of the current host ops whose tsc_frequency
 * answers `frequency` (0: "unknown"). The copy stays installed until the next hv_init.
 */
void fake_tsc_install(uint64_t frequency);

#endif
