/* libFuzzer target: random port accesses against a partition's bus with COM1 and debug-exit. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "devices/debug_exit.h"
#include "devices/io_bus.h"
#include "devices/line_sink.h"
#include "devices/uart16550.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void sink_emit(void *opaque, const char *line, size_t len)
{
	size_t *total = opaque;

	/* Every emitted byte must be printable: the sink is what keeps escapes off the console. */
	for (size_t i = 0; i < len; i++)
		if (line[i] < 0x20 || line[i] > 0x7e)
			__builtin_trap();
	*total += len;
}

/* Each access is 5 bytes: port low, port high (folded near the devices), size+direction, value. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct io_bus bus;
	struct uart16550 uart;
	struct debug_exit dbg;
	struct line_sink sink;
	size_t emitted = 0;

	io_bus_init(&bus);
	if (line_sink_init(&sink, "fuzz", sink_emit, &emitted))
		__builtin_trap();
	uart16550_init(&uart, line_sink_tx, &sink);
	debug_exit_init(&dbg);
	if (io_bus_register(&bus, 0x3f8, UART16550_PORT_COUNT, &uart16550_io_ops, &uart) ||
	    io_bus_register(&bus, DEBUG_EXIT_PORT, DEBUG_EXIT_PORT_COUNT, &debug_exit_io_ops, &dbg))
		__builtin_trap();

	for (size_t i = 0; i + 5 <= size; i += 5) {
		uint16_t port = (uint16_t)(data[i] | data[i + 1] << 8);
		uint8_t sizes[] = {1, 2, 4, 3};
		uint8_t access = sizes[data[i + 2] & 3];
		uint32_t value = (uint32_t)data[i + 3] * 0x01010101U ^ data[i + 4];

		/* Half the accesses land on the devices' own ports, the rest anywhere. */
		if (data[i + 2] & 0x80)
			port =
			    (uint16_t)((data[i + 2] & 0x40 ? 0x3f8 : DEBUG_EXIT_PORT) + (port & 7));
		if (data[i + 2] & 0x10) {
			uint32_t v = 0;

			if (!io_bus_read(&bus, port, access, &v))
				v = io_bus_unclaimed_value(access);
			if (access <= 4 && access != 3 && (v & ~io_size_mask(access)))
				__builtin_trap(); /* a read never returns more bits than it asked for */
		} else {
			io_bus_write(&bus, port, access, value);
		}
		if (data[i + 2] & 0x20)
			uart16550_receive(&uart, data[i + 4]);
		(void)uart16550_irq_pending(&uart);
	}
	line_sink_flush(&sink);
	return 0;
}
