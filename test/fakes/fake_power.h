/* Host stand-in for machine_exit() (monitor/power.h): records the code, then unwinds or aborts. */
#ifndef TEST_FAKES_FAKE_POWER_H
#define TEST_FAKES_FAKE_POWER_H

#include <stdbool.h>

/*
 * machine_exit(code) in host tests records `code`, then:
 *   - inside fake_power_call(): longjmps back out of it (fake_power_call() returns true);
 *   - anywhere else: prints the code on stderr and calls abort(), so a test that expects it
 *     declares `.signal = SIGABRT` and one that does not fails loudly.
 * Code that runs inside fake_power_call() and calls machine_exit() is abandoned mid-way, as on
 * the machine; anything it allocated stays allocated (fine for a test process).
 */

/* Run fn(ctx); true if it called machine_exit() (the code is then fake_power_last_code()). */
bool fake_power_call(void (*fn)(void *ctx), void *ctx);

/* The code of the last machine_exit() since the reset, or -1 if none. */
int fake_power_last_code(void);
/* How many times machine_exit() was called since the reset. */
unsigned fake_power_exit_count(void);
void fake_power_reset(void);

#endif
