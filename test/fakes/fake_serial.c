/* Host stand-in for the COM1 driver (monitor/serial.h): captures what the monitor prints. */
#include "test/fakes/fake_serial.h"

#include "monitor/serial.h"

static char output[FAKE_SERIAL_CAPACITY + 1U];
static size_t length;
static unsigned drains;

void serial_init(void)
{
}

void serial_putc(char c)
{
	if (length < FAKE_SERIAL_CAPACITY) {
		output[length] = c;
		output[length + 1U] = '\0';
	}
	length++;
}

void serial_drain(void)
{
	drains++;
}

const char *fake_serial_output(void)
{
	return output;
}

size_t fake_serial_length(void)
{
	return length;
}

unsigned fake_serial_drain_count(void)
{
	return drains;
}

void fake_serial_reset(void)
{
	output[0] = '\0';
	length = 0;
	drains = 0;
}
