# libhv — one GNU Makefile: libhv.a and the freestanding monitor, the hosted unit tests,
# the host tools, the example guests, the bootable ISO and the integration tests.
#
#   make run     build everything and boot the example monitor with its demo guests (QEMU, AMD SVM)
#   make test    host unit tests (ASan+UBSan) and the QEMU integration tests
#
# Source rules, so that new files need no edit here:
#   - every .c/.S under libhv/, monitor/, devices/, emulator/, rom/ is part of the monitor;
#   - files named *_hw.c or *.S, and everything under monitor/arch/ and monitor/libc/, touch the
#     hardware (or stand in for libc) and are built freestanding only; the host tests link the
#     fakes in test/fakes/ in their place;
#   - test/unit/*.c are Criterion test files, all linked into one host binary.

O ?= build
V ?= 0
Q := $(if $(filter 1,$(V)),,@)
FS := $(O)/fs
HOST := $(O)/host

CC ?= gcc
FS_CC := gcc
LD := ld
OBJCOPY := objcopy

WARN := -std=c11 -Wall -Wextra -Werror -Wshadow -Wmissing-prototypes -Wstrict-prototypes -Wundef
INCLUDES := -Ilibhv/include -I.

# Freestanding: no libc (monitor/libc supplies the few routines the compiler may call), no SSE
# (guests own the vector registers), no red zone (exceptions arrive on the same stack).
FS_CFLAGS := $(WARN) -O2 -g -ffreestanding -nostdinc -isystem $(shell $(FS_CC) -print-file-name=include) \
	-Imonitor/libc/include $(INCLUDES) -fno-pie -mno-red-zone -mgeneral-regs-only \
	-fno-stack-protector -fno-asynchronous-unwind-tables -fno-omit-frame-pointer -mcmodel=small \
	-fcf-protection=none -MMD -MP
FS_ASFLAGS := $(INCLUDES) -Imonitor/libc/include -fno-pie -MMD -MP -g

HOST_SAN := -fsanitize=address,undefined -fno-sanitize-recover=undefined
HOST_CFLAGS := $(WARN) -O1 -g $(HOST_SAN) -fno-omit-frame-pointer $(INCLUDES) -Itest -MMD -MP
HOST_LDLIBS := -lcriterion -lelf -lZydis
BENCH_LDLIBS := -lZydis

# ---------------------------------------------------------------------------------------------
# Sources
LIBHV_SRC := $(sort $(wildcard libhv/core/*.c libhv/slat/*.c libhv/svm/*.c libhv/vmx/*.c \
	libhv/svm/*.S libhv/vmx/*.S))
MONITOR_SRC := $(sort $(wildcard monitor/*.c monitor/lib/*.c monitor/loader/*.c monitor/arch/*.c \
	monitor/arch/*.S monitor/libc/*.c devices/*.c emulator/*.c rom/*.c))

is_hw = $(filter %_hw.c %.S monitor/arch/% monitor/libc/%,$(1))
portable = $(filter-out %_hw.c %.S monitor/arch/% monitor/libc/% monitor/main.c,$(1))

fs_obj = $(patsubst %,$(FS)/%.o,$(1))
host_obj = $(patsubst %,$(HOST)/%.o,$(1))

LIBHV_FS_OBJ := $(call fs_obj,$(LIBHV_SRC))
MONITOR_FS_OBJ := $(call fs_obj,$(MONITOR_SRC))

UNIT_SRC := $(sort $(wildcard test/unit/*.c test/fakes/*.c)) \
	$(call portable,$(LIBHV_SRC) $(MONITOR_SRC))
UNIT_OBJ := $(call host_obj,$(UNIT_SRC))

HVIMAGE_SRC := tools/hvimage/hvimage.c monitor/loader/elf64.c monitor/module_args.c monitor/lib/errmsg.c \
	monitor/loader/multiboot1.c monitor/loader/multiboot1_elf.c
HVIMAGE_OBJ := $(call host_obj,$(HVIMAGE_SRC))

GUESTS := $(notdir $(patsubst %/,%,$(filter-out examples/guests/lib/,$(wildcard examples/guests/*/))))
GUEST_LIB_SRC := $(sort $(wildcard examples/guests/lib/*.c examples/guests/lib/*.S))
GUEST_ELFS := $(patsubst %,$(O)/guests/%.elf,$(GUESTS))

.PHONY: all deps monitor guests tools iso run run-bochs test unit-tests integration-tests fuzz \
	fuzz-smoke bench clean format
all: $(O)/monitor.elf $(O)/libhv.a $(GUEST_ELFS) $(MBGUEST_ELFS) $(O)/hvimage

# ---------------------------------------------------------------------------------------------
# Dependencies: installed from Debian's packages when something is missing (a quick no-op otherwise).
deps:
	@scripts/install-deps.sh

# ---------------------------------------------------------------------------------------------
# libhv.a and the monitor (freestanding)
$(FS)/%.c.o: %.c | deps
	@mkdir -p $(@D)
	@echo "  CC      $<"
	$(Q)$(FS_CC) $(FS_CFLAGS) -c $< -o $@

$(FS)/%.S.o: %.S | deps
	@mkdir -p $(@D)
	@echo "  AS      $<"
	$(Q)$(FS_CC) $(FS_ASFLAGS) -c $< -o $@

$(O)/libhv.a: $(LIBHV_FS_OBJ)
	@mkdir -p $(@D)
	@rm -f $@
	@echo "  AR      $@"
	$(Q)ar rcs $@ $^

$(O)/monitor.elf: $(MONITOR_FS_OBJ) $(O)/libhv.a monitor/arch/linker.ld
	@echo "  LD      $@"
	$(Q)$(LD) -nostdlib -static -z max-page-size=0x1000 -z noexecstack -T monitor/arch/linker.ld \
		-o $@ $(MONITOR_FS_OBJ) $(ZYDIS_FS_OBJ) $(O)/libhv.a \
		$(shell $(FS_CC) -print-libgcc-file-name)
	@grub-file --is-x86-multiboot2 $@ || { echo "monitor.elf: no valid multiboot2 header" >&2; exit 1; }

monitor: $(O)/monitor.elf

# ---------------------------------------------------------------------------------------------
# Zydis (owned by the emulator): Debian's Zydis 4.0.0 decoder, built freestanding for the monitor
# from the sources scripts/install-deps.sh unpacks (`apt-get source zydis`), with Zycore's headers
# from Debian's libzycore-dev. Third-party code gets its own relaxed flags: never -Werror, but the
# same freestanding ABI (no libc, no SSE, no red zone). Only the decoder: no formatter, no encoder.
# Host builds (unit tests, bench, fuzzer) link Debian's libzydis of the same version (-lZydis);
# emulator/*.c sees <Zydis/...> from /usr/include there, and these headers here.
ZYDIS_DIR := build/deps/zydis-4.0.0
ZYDIS_SRC := Decoder DecoderData SharedData Register Mnemonic
ZYDIS_FS_OBJ := $(patsubst %,$(FS)/zydis/%.o,$(ZYDIS_SRC))
# Zycore's headers live in /usr/include, which -nostdinc hides along with libc's: expose only
# them through a directory holding one symlink.
ZYCORE_INC := $(O)/deps/zycore-include
ZYDIS_DEFS := -DZYAN_NO_LIBC -DZYDIS_STATIC_BUILD -DZYDIS_DISABLE_FORMATTER -DZYDIS_DISABLE_ENCODER
ZYDIS_INC := -isystem $(ZYDIS_DIR)/include -isystem $(ZYCORE_INC)
ZYDIS_FS_CFLAGS := -std=c11 -O2 -g -ffreestanding -nostdinc \
	-isystem $(shell $(FS_CC) -print-file-name=include) $(ZYDIS_DEFS) $(ZYDIS_INC) -I$(ZYDIS_DIR)/src \
	-fno-pie -mno-red-zone -mgeneral-regs-only -fno-stack-protector -fno-asynchronous-unwind-tables \
	-mcmodel=small -fcf-protection=none

$(ZYCORE_INC)/Zycore: | deps
	@mkdir -p $(@D)
	$(Q)ln -sfn /usr/include/Zycore $@

$(FS)/zydis/%.o: $(ZYDIS_DIR)/src/%.c | deps $(ZYCORE_INC)/Zycore
	@mkdir -p $(@D)
	@echo "  CC      $< (third party)"
	$(Q)$(FS_CC) $(ZYDIS_FS_CFLAGS) -c $< -o $@

$(ZYDIS_DIR)/src/%.c: | deps ;

# The monitor links the decoder (its recipe names $(ZYDIS_FS_OBJ) too).
$(O)/monitor.elf: $(ZYDIS_FS_OBJ)

# The emulator's own files see Zydis's headers in the freestanding build, with the same defines.
$(FS)/emulator/%.c.o: FS_CFLAGS += $(ZYDIS_DEFS) $(ZYDIS_INC)
$(filter $(FS)/emulator/%,$(MONITOR_FS_OBJ)): | $(ZYCORE_INC)/Zycore

# ---------------------------------------------------------------------------------------------
# Example guests: freestanding ELF64 images linked at 1 MiB (see docs/guest-images.md)
GUEST_CFLAGS := $(WARN) -O2 -g -ffreestanding -nostdinc -isystem $(shell $(FS_CC) -print-file-name=include) \
	-Iexamples/guests/lib -Ilibhv/include -fno-pie -mno-red-zone -fno-stack-protector -mcmodel=small \
	-fno-asynchronous-unwind-tables -fcf-protection=none -MMD -MP

$(O)/guests/obj/%.c.o: examples/guests/%.c | deps
	@mkdir -p $(@D)
	@echo "  CC      $<"
	$(Q)$(FS_CC) $(GUEST_CFLAGS) -c $< -o $@

$(O)/guests/obj/%.S.o: examples/guests/%.S | deps
	@mkdir -p $(@D)
	@echo "  AS      $<"
	$(Q)$(FS_CC) -Iexamples/guests/lib -MMD -MP -c $< -o $@

GUEST_LIB_OBJ := $(patsubst examples/guests/%,$(O)/guests/obj/%.o,$(GUEST_LIB_SRC))

.SECONDEXPANSION:
# Keep the guests' object files: they are intermediate to the pattern rules, not throwaway.
.SECONDARY:
$(O)/guests/%.elf: $$(addsuffix .o,$$(subst examples/guests/,$(O)/guests/obj/,$$(sort $$(wildcard examples/guests/$$*/*.c examples/guests/$$*/*.S)))) $(GUEST_LIB_OBJ) examples/guests/lib/guest.ld
	@echo "  LD      $@"
	$(Q)$(LD) -nostdlib -static -z max-page-size=0x1000 -z noexecstack -T examples/guests/lib/guest.ld \
		-o $@ $(filter %.o,$^)

guests: $(GUEST_ELFS)

# ---------------------------------------------------------------------------------------------
# Multiboot v1 example guests: 32-bit freestanding ELF32 images linked at 1 MiB with a multiboot
# header first (examples/mbguests/NAME/ plus examples/mbguests/lib/; docs/guest-images.md).
MBGUESTS := $(notdir $(patsubst %/,%,$(filter-out examples/mbguests/lib/,$(wildcard examples/mbguests/*/))))
MBGUEST_ELFS := $(patsubst %,$(O)/mbguests/%.elf,$(MBGUESTS))
MBGUEST_LIB_SRC := $(sort $(wildcard examples/mbguests/lib/*.c examples/mbguests/lib/*.S))
MBGUEST_LIB_OBJ := $(patsubst examples/mbguests/%,$(O)/mbguests/obj/%.o,$(MBGUEST_LIB_SRC))
MBGUEST_CFLAGS := $(WARN) -m32 -O2 -g -ffreestanding -nostdinc \
	-isystem $(shell $(FS_CC) -print-file-name=include) -Iexamples/mbguests/lib -fno-pie \
	-mgeneral-regs-only -fno-stack-protector -fno-asynchronous-unwind-tables -fcf-protection=none \
	-MMD -MP

$(O)/mbguests/obj/%.c.o: examples/mbguests/%.c | deps
	@mkdir -p $(@D)
	@echo "  CC32    $<"
	$(Q)$(FS_CC) $(MBGUEST_CFLAGS) -c $< -o $@

$(O)/mbguests/obj/%.S.o: examples/mbguests/%.S | deps
	@mkdir -p $(@D)
	@echo "  AS32    $<"
	$(Q)$(FS_CC) -m32 -Iexamples/mbguests/lib -MMD -MP -c $< -o $@

$(O)/mbguests/%.elf: $$(addsuffix .o,$$(subst examples/mbguests/,$(O)/mbguests/obj/,$$(sort $$(wildcard examples/mbguests/$$*/*.c examples/mbguests/$$*/*.S)))) $(MBGUEST_LIB_OBJ) examples/mbguests/lib/mbguest.ld
	@echo "  LD32    $@"
	$(Q)$(LD) -m elf_i386 -nostdlib -static -z max-page-size=0x1000 -z noexecstack \
		-T examples/mbguests/lib/mbguest.ld -o $@ $(filter %.o,$^)
	@grub-file --is-x86-multiboot $@ || { echo "$@: no valid multiboot header" >&2; exit 1; }

.PHONY: mbguests
mbguests: $(MBGUEST_ELFS)

# ---------------------------------------------------------------------------------------------
# Host builds: unit tests (ASan+UBSan) and tools
$(HOST)/%.c.o: %.c | deps
	@mkdir -p $(@D)
	@echo "  HOSTCC  $<"
	$(Q)$(CC) $(HOST_CFLAGS) -c $< -o $@

$(O)/unit-tests: $(UNIT_OBJ)
	@echo "  HOSTLD  $@"
	$(Q)$(CC) $(HOST_SAN) -o $@ $^ $(HOST_LDLIBS)

$(O)/hvimage: $(HVIMAGE_OBJ)
	@echo "  HOSTLD  $@"
	$(Q)$(CC) $(HOST_SAN) -o $@ $^ -lelf

tools: $(O)/hvimage

# ---------------------------------------------------------------------------------------------
# The bootable ISO (GRUB, multiboot2) with the demo guests, and running it under QEMU TCG (AMD SVM)
# The demo: each guest with its module line (docs/guest-images.md). The hostile ones are expected
# to be stopped by the monitor; the others to exit through port 0xF4 with status 1.
DEMO_MODULES = \
	"$(O)/guests/hello.elf:name=hello mem=16M -- greetings from the module line" \
	"$(O)/guests/triple_fault.elf:name=triple_fault mem=4M expect=stopped" \
	"$(O)/guests/hypercall.elf:name=hypercall mem=4M" \
	"$(O)/guests/enlightened.elf:name=enlightened mem=4M" \
	"$(O)/guests/mmio.elf:name=mmio mem=4M" \
	"$(O)/guests/wild_access.elf:name=wild_access mem=4M expect=stopped" \
	"$(O)/mbguests/platform.elf:name=platform mem=8M -- multiboot v1 kernel arguments" \
	"docs/platform.md:name=platform_doc for=platform -- platform.md" \
	"$(O)/mbguests/enlightened32.elf:name=enlightened32 mem=4M" \
	"$(O)/guests/vsc_console.elf:name=vsc_console mem=4M"

$(O)/monitor.iso: $(O)/monitor.elf $(GUEST_ELFS) $(MBGUEST_ELFS) scripts/mkiso.sh Makefile
	@echo "  ISO     $@"
	$(Q)scripts/mkiso.sh $@ $(O)/monitor.elf $(DEMO_MODULES)

iso: $(O)/monitor.iso

# QEMU's exit status is the monitor's verdict (monitor/power.h): 33 all as expected, 35 not.
run: $(O)/monitor.iso
	@scripts/run-qemu.sh $(O)/monitor.iso; st=$$?; \
	if [ $$st -eq 33 ]; then echo "make run: every partition ended as expected"; \
	else echo "make run: QEMU exit status $$st (33: all as expected, 35: not, 124: timeout)"; \
		exit 1; fi

# The same ISO under Bochs with Intel VMX (BOCHS_CPU picks another model, e.g. ryzen for AMD SVM).
# Bochs exits 1 whatever happened: the verdict is the summary's last line on the console.
BOCHS_CPU ?= corei7_skylake_x
run-bochs: $(O)/monitor.iso
	@scripts/run-bochs.sh $(O)/monitor.iso $(BOCHS_CPU) $(O)/bochs-run >/dev/null 2>&1; \
	sed -n '/^libhv monitor/,$$p' $(O)/bochs-run/com1.txt | tr -d '\r'; \
	grep -q 'all partitions ended as expected' $(O)/bochs-run/com1.txt || \
		{ echo "make run-bochs: not every partition ended as expected (see $(O)/bochs-run/)"; \
		exit 1; }

# ---------------------------------------------------------------------------------------------
# Tests
unit-tests: $(O)/unit-tests
	$(O)/unit-tests --jobs 2

integration-tests: all $(O)/monitor.iso
	test/integration/run-all.sh $(O)

# Benchmarks: each bench/NAME.c is a host program (optimized, no sanitizers) linked with the
# portable sources and the test fakes; `make bench` runs them all and they print their figures.
BENCH_CFLAGS := $(WARN) -O2 -g $(INCLUDES) -Itest -MMD -MP
BENCH_LIB_SRC := $(sort $(wildcard test/fakes/*.c)) $(call portable,$(LIBHV_SRC) $(MONITOR_SRC))
BENCH_LIB_OBJ := $(patsubst %,$(O)/benchobj/%.o,$(BENCH_LIB_SRC))
BENCH_PROGS := $(patsubst bench/%.c,$(O)/bench/%,$(sort $(wildcard bench/*.c)))

$(O)/benchobj/%.c.o: %.c | deps
	@mkdir -p $(@D)
	@echo "  BENCHCC $<"
	$(Q)$(CC) $(BENCH_CFLAGS) -c $< -o $@

$(O)/bench/%: $(O)/benchobj/bench/%.c.o $(BENCH_LIB_OBJ)
	@mkdir -p $(@D)
	@echo "  BENCHLD $@"
	$(Q)$(CC) -o $@ $^ $(BENCH_LDLIBS)

bench: $(BENCH_PROGS)
	@for b in $(BENCH_PROGS); do echo "== $$b"; $$b || exit 1; done

# Fuzz targets (clang libFuzzer) from the same portable sources; `make test` replays each seed
# corpus plus a short burst of mutations, so the targets always build and the seeds stay clean.
FUZZ_CC := clang-14
FUZZ_CFLAGS := -std=c11 -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
	$(INCLUDES)
FUZZ_TARGETS := multiboot2 elf64 devices svm_exit emulator hypercall multiboot1 platform vsp
fuzz_sources_multiboot2 := monitor/multiboot2.c
fuzz_sources_elf64 := monitor/loader/elf64.c monitor/lib/errmsg.c
fuzz_sources_multiboot1 := monitor/loader/multiboot1.c monitor/loader/multiboot1_elf.c \
	monitor/loader/multiboot1_info.c monitor/loader/elf64.c monitor/lib/errmsg.c
fuzz_sources_devices := devices/io_bus.c devices/uart16550.c devices/debug_exit.c devices/line_sink.c
# The whole child platform: every device model behind its buses.
fuzz_sources_platform := $(filter-out devices/vsp_%,$(sort $(wildcard devices/*.c)))
fuzz_sources_svm_exit := libhv/svm/svm_exit.c libhv/svm/svm_check.c
# The hypercall decoder runs whole: libhv's portable sources on the fake processor and world switch.
fuzz_sources_hypercall := $(call portable,$(LIBHV_SRC)) test/fakes/fake_cpu.c test/fakes/fake_host.c \
	test/fakes/fake_partition.c test/fakes/fake_tsc.c $(wildcard test/fakes/fake_svm.c test/fakes/fake_vmx.c)
# The channel manager and its VSPs on libhv's real SynIC (test/fakes/fake_vmbus_guest.c plays the child).
fuzz_sources_vsp := $(fuzz_sources_hypercall) test/fakes/fake_synthetic.c test/fakes/fake_vmbus_guest.c \
	test/fakes/fake_serial.c test/fakes/fake_power.c monitor/vmbus.c monitor/page_alloc.c monitor/console.c \
	monitor/lib/format.c $(sort $(wildcard devices/vsp_*.c)) devices/line_sink.c
fuzz_sources_emulator := $(sort $(wildcard emulator/*.c)) test/fakes/fake_emu_guest.c
fuzz_ldlibs_emulator := -lZydis

$(O)/fuzz/%: test/fuzz/fuzz_%.c $$(fuzz_sources_$$*) | deps
	@mkdir -p $(@D)
	@echo "  FUZZCC  $@"
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -o $@ $^ $(fuzz_ldlibs_$*)

fuzz: $(patsubst %,$(O)/fuzz/%,$(FUZZ_TARGETS))

fuzz-smoke: fuzz
	@for t in $(FUZZ_TARGETS); do \
		mkdir -p $(O)/fuzz/$$t.out; \
		$(O)/fuzz/$$t -runs=20000 -max_len=65536 $(O)/fuzz/$$t.out test/fuzz/corpus/$$t \
			>$(O)/fuzz/$$t.log 2>&1 || { tail -n 30 $(O)/fuzz/$$t.log; exit 1; }; \
		echo "fuzz $$t: $$(grep -o 'Done [0-9]* runs in [0-9]* second(s)' $(O)/fuzz/$$t.log)"; \
	done

test: unit-tests fuzz-smoke integration-tests

# ---------------------------------------------------------------------------------------------
# make debug: the demo ISO under QEMU with its gdbstub on localhost:1234, paused before the BIOS;
# then, in another terminal, `gdb -x scripts/monitor.gdb` stops at monitor_main (README).
DEBUG_TIMEOUT ?= 3600
debug: $(O)/monitor.iso
	@echo "make debug: QEMU paused, gdbstub on localhost:1234; run: gdb -x scripts/monitor.gdb"
	$(Q)QEMU_TIMEOUT=$(DEBUG_TIMEOUT) scripts/run-qemu.sh $(O)/monitor.iso -s -S

# make docs: the API reference from the public headers (Doxygen) in $(O)/docs/api; a warning,
# such as an undocumented public symbol, fails the build (docs/Doxyfile).
docs: | deps
	@mkdir -p $(O)/docs
	@echo "  DOXYGEN $(O)/docs/api"
	$(Q)(cat docs/Doxyfile; echo "OUTPUT_DIRECTORY = $(O)/docs") | doxygen -

.PHONY: debug docs
# ---------------------------------------------------------------------------------------------
# Install: libhv and the runtime a custom monitor builds on (docs/tutorial-custom-monitor.md).
#   make install PREFIX=/usr/local DESTDIR=      make uninstall (same PREFIX and DESTDIR)
# The archives hold the same freestanding objects monitor.elf is linked from, in three layers:
#   libhv-rt.a       boot path after _start (arch_init, GDT/IDT/exceptions, serial, power, timing),
#                    console and formatter, string routines, multiboot2, page allocator, libhv's
#                    host services, guest RAM, module lines, ELF64 loader, the monitor's cmdline
#   libhv-devices.a  device models and their buses (devices/, rom/): no dependency but the buses
#   libhv-emu.a      the MMIO emulator and the freestanding Zydis decoder it alone needs
# The example monitor's own files (main.c, child*.c, summary.c) are not in any of them.
# lib/libhv/boot.o is the multiboot2 header and _start: nothing refers to them by name, so an
# archive would never pull them in; they are linked as an object, like a C runtime's crt1.o.
PREFIX ?= /usr/local
DESTDIR ?=
LIBHV_VERSION := 0.1.0
INSTALL_LIBDIR = $(DESTDIR)$(PREFIX)/lib
INSTALL_PKGLIBDIR = $(INSTALL_LIBDIR)/libhv
INSTALL_INCDIR = $(DESTDIR)$(PREFIX)/include/libhv
INSTALL_DATADIR = $(DESTDIR)$(PREFIX)/share/libhv

BOOT_STUB_SRC := monitor/arch/multiboot2_header.S monitor/arch/entry.S
RT_SRC := $(filter-out $(BOOT_STUB_SRC),$(filter monitor/arch/% monitor/lib/% monitor/libc/% \
	monitor/loader/% $(patsubst %,monitor/%.c,console multiboot2 page_alloc host_services \
	guest_ram module_args cmdline exit_stats boot_setup_hw vp_emu port_io),$(MONITOR_SRC)))
DEVICES_SRC := $(filter devices/% rom/%,$(MONITOR_SRC))
EMU_SRC := $(filter emulator/%,$(MONITOR_SRC))
# Headers keep their project-relative paths under include/libhv ("monitor/console.h" and <hv/hv.h>
# both resolve with -I$(includedir)/libhv); the example monitor's and the emulator's private
# ones stay out.
INSTALL_HEADERS := $(sort $(wildcard libhv/include/hv/*.h libhv/include/hv/abi/*.h \
	monitor/arch/*.h monitor/lib/*.h monitor/libc/include/*.h monitor/loader/*.h devices/*.h \
	rom/*.h) $(patsubst %,monitor/%.h,console multiboot2 page_alloc host_services guest_ram \
	module_args cmdline exit_stats boot_setup vp_emu power serial timing runtime port_io) \
	emulator/emu.h \
	emulator/insn.h)
INSTALL_LIBS := libhv.a libhv-rt.a libhv-devices.a libhv-emu.a

$(O)/libhv-rt.a: $(call fs_obj,$(RT_SRC))
$(O)/libhv-devices.a: $(call fs_obj,$(DEVICES_SRC))
$(O)/libhv-emu.a: $(call fs_obj,$(EMU_SRC)) $(ZYDIS_FS_OBJ)
$(O)/libhv-rt.a $(O)/libhv-devices.a $(O)/libhv-emu.a:
	@rm -f $@
	@echo "  AR      $@"
	$(Q)ar rcs $@ $^

$(O)/libhv-boot.o: $(call fs_obj,$(BOOT_STUB_SRC))
	@echo "  LD -r   $@"
	$(Q)$(LD) -r -o $@ $^

.PHONY: install uninstall
install: $(addprefix $(O)/,$(INSTALL_LIBS)) $(O)/libhv-boot.o libhv.pc.in $(O)/hvimage
	install -d $(INSTALL_LIBDIR)/pkgconfig $(INSTALL_PKGLIBDIR) $(INSTALL_DATADIR) \
		$(DESTDIR)$(PREFIX)/bin
	install -m 644 $(addprefix $(O)/,$(INSTALL_LIBS)) $(INSTALL_LIBDIR)/
	install -m 644 $(O)/libhv-boot.o $(INSTALL_PKGLIBDIR)/boot.o
	install -m 644 monitor/arch/linker.ld $(INSTALL_PKGLIBDIR)/linker.ld
	@# libhv.pc from its template, for this PREFIX. The gcc include directory is the default
	@# only: a user's Makefile may override it (pkg-config --define-variable=gcc_include=...).
	sed -e 's|@PREFIX@|$(PREFIX)|g' -e 's|@VERSION@|$(LIBHV_VERSION)|g' \
		-e 's|@GCC_INCLUDE@|$(shell $(FS_CC) -print-file-name=include)|g' libhv.pc.in \
		>$(INSTALL_LIBDIR)/pkgconfig/libhv.pc
	install -m 755 scripts/mkiso.sh $(INSTALL_DATADIR)/mkiso.sh
	install -m 755 $(O)/hvimage $(DESTDIR)$(PREFIX)/bin/hvimage
	$(Q)for h in $(INSTALL_HEADERS); do \
		d=$(INSTALL_INCDIR)/$$(dirname $${h#libhv/include/}); \
		install -d $$d && install -m 644 $$h $$d/ || exit 1; \
	done
	@echo "libhv installed in $(DESTDIR)$(PREFIX): PKG_CONFIG_PATH=$(PREFIX)/lib/pkgconfig"

uninstall:
	rm -f $(addprefix $(INSTALL_LIBDIR)/,$(INSTALL_LIBS)) $(INSTALL_LIBDIR)/pkgconfig/libhv.pc \
		$(DESTDIR)$(PREFIX)/bin/hvimage
	rm -rf $(INSTALL_PKGLIBDIR) $(INSTALL_INCDIR) $(INSTALL_DATADIR)

format:
	git ls-files '*.c' '*.h' | xargs clang-format -i

clean:
	rm -rf $(O)/fs $(O)/host $(O)/guests $(O)/iso $(O)/*.elf $(O)/*.a $(O)/*.iso $(O)/unit-tests \
		$(O)/hvimage $(O)/test $(O)/fuzz $(O)/bench $(O)/benchobj

-include $(shell find $(O)/fs $(O)/host $(O)/guests $(O)/benchobj -name '*.d' 2>/dev/null)
