/* The monitor's console line: COM1, a 16550 UART (serial_hw.c on the machine, test/fakes in host tests). */
#ifndef MONITOR_SERIAL_H
#define MONITOR_SERIAL_H

/*
 * Program COM1 (I/O port 0x3F8) for 115200 baud, 8 data bits, no parity, 1 stop bit, FIFOs on,
 * UART interrupts off. Called by arch_init() before anything is printed.
 */
void serial_init(void);

/*
 * Send one byte, waiting (a bounded time: a UART that never drains must not hang the monitor)
 * until the transmitter holding register is free. A '\n' goes out as "\r\n", like a terminal's
 * ONLCR, so the line reads right on a terminal; everything above this sees plain '\n'.
 */
void serial_putc(char c);

/*
 * Wait (bounded) until the transmitter is empty (LSR.TEMT): every byte has left the UART. Call it
 * before powering off, or the last line is lost.
 */
void serial_drain(void);

#endif
