#!/bin/sh
# Builds the bootable ISO: GRUB (multiboot2) with the monitor and each guest image as a module.
#
#   scripts/mkiso.sh OUT.iso MONITOR.elf [GUEST.elf[:module options] ...]
#
# A guest given as PATH runs with "name=<basename> mem=16M"; PATH:OPTIONS passes OPTIONS instead
# (for example build/guests/triple_fault.elf:"name=triple_fault mem=8M expect=stopped").
# Environment: MKISO_EXTRA_MODULES adds raw grub.cfg lines after the guests (used by tests).
# MKISO_MONITOR_ARGS is the monitor's own command line (e.g. "-v" or "loglevel=debug").
set -eu

out=$1
monitor=$2
shift 2

work=$(mktemp -d)
# The log must live outside the ISO's tree: xorriso would otherwise pack it while it grows.
log=$(mktemp)
trap 'rm -rf "$work" "$log"' EXIT
mkdir -p "$work/boot/grub"
cp "$monitor" "$work/boot/monitor.elf"

modules=""
for spec in "$@"; do
	path=${spec%%:*}
	if [ "$path" = "$spec" ]; then
		base=$(basename "$path" .elf)
		opts="name=$base mem=16M"
	else
		opts=${spec#*:}
	fi
	file=$(basename "$path")
	cp "$path" "$work/boot/$file"
	modules="$modules
    module2 /boot/$file $opts"
done

cat > "$work/boot/grub/grub.cfg" <<CFG
set timeout=0
set default=0
serial --unit=0 --speed=115200
terminal_input serial
terminal_output serial
menuentry "libhv" {
    multiboot2 /boot/monitor.elf${MKISO_MONITOR_ARGS:+ $MKISO_MONITOR_ARGS}$modules
${MKISO_EXTRA_MODULES:-}
    boot
}
CFG

# A small ISO: only the GRUB modules the boot needs (about 1.3 MB instead of 10). Not compressed:
# under Bochs the BIOS and GRUB then take 66M emulated instructions instead of 137M.
grub-mkrescue -o "$out" --locales="" --fonts="" --themes="" \
	--install-modules="multiboot2 normal serial terminal echo test configfile iso9660 part_msdos biosdisk" \
	"$work" >/dev/null 2>"$log" || {
	cat "$log" >&2
	exit 1
}
