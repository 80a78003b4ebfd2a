/* Host stand-in for the COM1 driver (monitor/serial.h): captures what the monitor prints. */
#ifndef TEST_FAKES_FAKE_SERIAL_H
#define TEST_FAKES_FAKE_SERIAL_H

#include <stddef.h>

/* Bytes kept; later ones are counted in fake_serial_length() but not stored. */
#define FAKE_SERIAL_CAPACITY 65536U

/*
 * Everything passed to serial_putc() since the last reset, NUL-terminated, exactly as written
 * (no "\r\n" translation: that belongs to the real UART driver). NUL bytes written by the code
 * under test end the string early: use fake_serial_length() and memcmp for those.
 */
const char *fake_serial_output(void);
/* Bytes written since the last reset, including any beyond FAKE_SERIAL_CAPACITY. */
size_t fake_serial_length(void);
/* How many times serial_drain() was called since the last reset. */
unsigned fake_serial_drain_count(void);
/* Forget all output and counts. */
void fake_serial_reset(void);

#endif
