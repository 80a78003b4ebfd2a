/* Hypercall benchmark: the cost of a fast SignalEvent and a slow PostMessage, exit to re-entry. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <hv/abi/hv_hypercall.h>

#include "fakes/fake_partition.h"

/*
 * Each call goes through the fake world switch (two entries: the VMMCALL and a HLT) on the
 * test fakes, so the wall time includes the harness. For the instruction count of libhv's part
 * alone, run under callgrind and read hv_hypercall_dispatch's inclusive cost per call:
 *   valgrind --tool=callgrind --toggle-collect=hv_hypercall_dispatch \
 *       build/bench/hypercall_bench signal   (or post)
 */
#define CALLS 100000U

static double now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e9 + t.tv_nsec;
}

static void measure(const char *name, uint64_t control, uint64_t rdx, uint64_t r8)
{
	double start = now_ns();
	uint64_t status = 0;

	for (unsigned i = 0; i < CALLS; i++)
		status |= fake_vmmcall(control, rdx, r8).rax;
	printf("%-28s %7.1f ns per call (harness included), status %#llx\n", name,
	       (now_ns() - start) / CALLS, (unsigned long long)status);
}

/* The monitor's side of each call: a VSP that takes the message or the event and returns. */
static hv_status_t on_message(void *opaque, uint32_t connection_id, uint32_t message_type,
                              const void *payload, uint32_t size)
{
	(void)opaque;
	(void)connection_id;
	(void)message_type;
	(void)payload;
	(void)size;
	return HV_STATUS_SUCCESS;
}

static void on_event(void *opaque, uint32_t connection_id, uint16_t flag)
{
	(void)opaque;
	(void)connection_id;
	(void)flag;
}

/* With an argument ("signal" or "post"), only that call: one figure per callgrind run. */
int main(int argc, char **argv)
{
	const char *only = argc > 1 ? argv[1] : "";
	const struct hv_port_config message_port = {
	    .connection_id = 1, .type = HV_PORT_TYPE_MESSAGE, .on_message = on_message};
	const struct hv_port_config event_port = {
	    .connection_id = 2, .type = HV_PORT_TYPE_EVENT, .on_event = on_event};
	struct hv_input_post_message msg = {
	    .connection_id = 1, .message_type = 1, .payload_size = 16};

	fake_partition_setup(4, 0);
	/* Real ports, so that both calls succeed (status 0) and the whole path is measured. */
	if (hv_port_create(fake_part.p, &message_port) != HV_STATUS_SUCCESS ||
	    hv_port_create(fake_part.p, &event_port) != HV_STATUS_SUCCESS) {
		fprintf(stderr, "hypercall_bench: cannot create the ports\n");
		return 1;
	}
	memcpy(fake_part.ram + 0x1000, &msg, sizeof(msg));
	if (!*only || !strcmp(only, "signal"))
		measure("SignalEvent (fast)", HVCALL_SIGNAL_EVENT | HV_HYPERCALL_FAST, 2, 0);
	if (!*only || !strcmp(only, "post"))
		measure("PostMessage (slow, 256 B)", HVCALL_POST_MESSAGE, 0x1000, 0);
	fake_partition_teardown();
	return 0;
}
