/* The isa-debug-exit port (0xF4): a guest's way to stop its partition with an exit status. */
#ifndef DEVICES_DEBUG_EXIT_H
#define DEVICES_DEBUG_EXIT_H

#include <stdbool.h>
#include <stdint.h>

#include "devices/io_bus.h"

#define DEBUG_EXIT_PORT       0xF4U
#define DEBUG_EXIT_PORT_COUNT 4U

/*
 * As QEMU's isa-debug-exit: writing V (any size, at any of the four ports) asks for the partition
 * to stop with exit status (V << 1) | 1, computed in 32 bits (bit 31 of V is lost), so a status
 * with bit 0 set can never be confused with a clean stop by the monitor. The monitor polls
 * debug_exit_requested() after each port write. Fields are private to debug_exit.c.
 */
struct debug_exit {
	bool requested;
	uint32_t status;
};

/* No stop requested. */
void debug_exit_init(struct debug_exit *dev);

/* Register with opaque = the struct debug_exit and count = DEBUG_EXIT_PORT_COUNT. Reads return
 * all ones (nothing to read); writes request the stop. */
extern const struct io_device_ops debug_exit_io_ops;

/* True once the guest has written the port; *status (if not NULL) gets the exit status of the
 * first write: the partition stops there, so later writes change nothing. */
bool debug_exit_requested(const struct debug_exit *dev, uint32_t *status);

#endif
