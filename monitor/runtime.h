/* Everything a monitor built on libhv's runtime uses, in one include (what custom monitors start from). */
#ifndef MONITOR_RUNTIME_H
#define MONITOR_RUNTIME_H

#include <hv/hv.h>

#include "devices/debug_exit.h"
#include "devices/io_bus.h"
#include "devices/line_sink.h"
#include "devices/mmio_bus.h"
#include "devices/uart16550.h"
#include "emulator/emu.h"
#include "monitor/boot_setup.h"
#include "monitor/console.h"
#include "monitor/exit_stats.h"
#include "monitor/guest_ram.h"
#include "monitor/host_services.h"
#include "monitor/loader/elf64_guest.h"
#include "monitor/module_args.h"
#include "monitor/port_io.h"
#include "monitor/power.h"
#include "monitor/vp_emu.h"

#endif
