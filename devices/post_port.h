/* The POST diagnostic port 0x80: firmware progress codes, also the classic I/O delay port. */
#ifndef DEVICES_POST_PORT_H
#define DEVICES_POST_PORT_H

#include <stdint.h>

#include "devices/io_bus.h"

#define POST_PORT       0x80U
#define POST_PORT_COUNT 1U
#define POST_HISTORY    16U

/* Fields are private to post_port.c; read them through the functions. */
struct post_port {
	uint8_t last;
	uint64_t writes;
	uint8_t history[POST_HISTORY]; /* the last POST_HISTORY codes, oldest overwritten first */
};

void post_port_init(struct post_port *post);

/* Register at POST_PORT, count POST_PORT_COUNT, opaque = the post_port. A write of any width
 * records its low byte (a POST card latches data lines 7:0); a read returns the last code in
 * the low byte and all ones above. */
extern const struct io_device_ops post_port_io_ops;

/* The last code written (0 before any), and how many writes there were. */
uint8_t post_port_last(const struct post_port *post);
uint64_t post_port_writes(const struct post_port *post);

/* The i-th most recent code (0 = the last), for i < min(writes, POST_HISTORY); else 0. */
uint8_t post_port_recent(const struct post_port *post, unsigned i);

#endif
