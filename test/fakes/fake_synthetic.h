/* Synthetic MSR accesses straight into libhv, without a world switch (test/fakes/fake_synthetic.c). */
#ifndef TEST_FAKES_FAKE_SYNTHETIC_H
#define TEST_FAKES_FAKE_SYNTHETIC_H

#include <stdbool.h>
#include <stdint.h>

/*
 * RDMSR (write false) or WRMSR of a synthetic MSR on fake_part.vp, handled as the run loop
 * would handle the exit, but outside hv_vp_run(): a SynIC interrupt asserted by the access
 * does not end a run the fake guest scripted. Returns false when the access raised #GP (the
 * queued exception is then dropped again); a read stores the value in *value.
 */
bool fake_synthetic_msr(uint32_t index, bool write, uint64_t *value);

/* A hypercall through the decoder, outside hv_vp_run(); returns the result value (RAX). */
uint64_t fake_synthetic_hypercall(uint64_t control, uint64_t input, uint64_t output);

#endif
