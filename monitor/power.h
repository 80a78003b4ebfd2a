/* Ending the run: stop the emulated machine with a status a test harness can read. */
#ifndef MONITOR_POWER_H
#define MONITOR_POWER_H

/*
 * Values for machine_exit(). Under QEMU with `-device isa-debug-exit,iobase=0xf4,iosize=0x04` a
 * 32-bit write of V to port 0xF4 ends QEMU with exit status (V << 1) | 1, so:
 *   MACHINE_EXIT_SUCCESS (0x10) -> QEMU exits with status 33
 *   MACHINE_EXIT_FAILURE (0x11) -> QEMU exits with status 35
 * (status 1 stays what it is in QEMU: a run that ended some other way.) Under Bochs the status is 1
 * either way: harnesses must read the verdict from the console there (TESTING.md).
 */
#define MACHINE_EXIT_SUCCESS 0x10
#define MACHINE_EXIT_FAILURE 0x11

/* The QEMU exit statuses the two values produce, for scripts and tests. */
#define MACHINE_EXIT_QEMU_STATUS(code) (((code) << 1) | 1)

/*
 * Drain the console UART, then try, in order: QEMU's isa-debug-exit (write `code` to port 0xF4),
 * Bochs's shutdown port (the string "Shutdown" to port 0x8900). If the machine is still running
 * after that (real hardware, or an emulator without either device), halt the CPU forever with
 * interrupts off. ACPI power-off is deliberately not used: it would report success for a failure.
 *
 * Host tests link test/fakes/fake_power.c instead (see test/fakes/fake_power.h).
 */
_Noreturn void machine_exit(int code);

#endif
