/* The emulator's view of a child partition: struct emu_ops over libhv's registers, RAM and the MMIO bus. */
#ifndef MONITOR_CHILD_EMU_H
#define MONITOR_CHILD_EMU_H

#include "emulator/emu.h"

/* Pass the struct child as the opaque pointer. */
extern const struct emu_ops child_emu_ops;

#endif
