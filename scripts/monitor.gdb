# gdb command file for `make debug`: the monitor's symbols, QEMU's gdbstub, a stop at monitor_main.
#   make debug                     (one terminal: QEMU paused before the BIOS runs)
#   gdb -x scripts/monitor.gdb     (another, from the top of the tree)
set pagination off
set confirm off
file build/monitor.elf
# The CPU starts in real mode; QEMU's x86-64 gdbstub still speaks the 64-bit register set.
set architecture i386:x86-64
target remote localhost:1234
# A hardware breakpoint: GRUB copies the image to 1 MiB after gdb connects.
hbreak monitor_main
continue
