/* Host stand-in for machine_exit() (monitor/power.h): records the code, then unwinds or aborts. */
#include "test/fakes/fake_power.h"

#include <setjmp.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>

#include "monitor/power.h"

static jmp_buf *catcher; /* set only while fake_power_call() is running */
static int last_code = -1;
static unsigned exit_count;

bool fake_power_call(void (*fn)(void *ctx), void *ctx)
{
	jmp_buf env;
	jmp_buf *outer = catcher;

	if (setjmp(env)) {
		catcher = outer;
		return true;
	}
	catcher = &env;
	fn(ctx);
	catcher = outer;
	return false;
}

_Noreturn void machine_exit(int code)
{
	last_code = code;
	exit_count++;
	if (catcher)
		longjmp(*catcher, 1);
	fprintf(stderr, "machine_exit(%#x) called outside fake_power_call(): aborting\n", code);
	abort();
}

int fake_power_last_code(void)
{
	return last_code;
}

unsigned fake_power_exit_count(void)
{
	return exit_count;
}

void fake_power_reset(void)
{
	catcher = NULL;
	last_code = -1;
	exit_count = 0;
}
