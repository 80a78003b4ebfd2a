#!/bin/sh
# Installs what libhv needs from Debian's packages; a no-op when everything is already there.
#
# Run as root on Debian 12 (the Makefile calls it when a tool or header is missing).
# It also fetches Zydis's sources with `apt-get source zydis` into build/deps/ because the
# monitor builds a freestanding copy of Debian's Zydis (the -dev package is built for libc).
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
srcdir="$top/build/deps"

packages="grub-pc-bin grub-common xorriso mtools qemu-system-x86 bochs bochsbios vgabios
bochs-sdl libelf-dev libcriterion-dev libzydis-dev libzycore-dev pkg-config dpkg-dev
clang-14 libclang-rt-14-dev doxygen gdb"

missing=""
for p in $packages; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed'; then
		missing="$missing $p"
	fi
done

have_zydis_src() {
	ls -d "$srcdir"/zydis-*/src >/dev/null 2>&1
}

if [ -z "$missing" ] && have_zydis_src; then
	exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
	SUDO=sudo
else
	SUDO=
fi

# `apt-get source` needs a deb-src entry for the archive the machine already uses.
if ! grep -rqs '^\(Types:.*deb-src\|deb-src \)' /etc/apt/sources.list /etc/apt/sources.list.d/; then
	echo "install-deps: adding a deb-src entry for Debian 12 (bookworm)"
	uri=$(grep -rhs '^URIs:' /etc/apt/sources.list.d/debian.sources 2>/dev/null | head -n1 | awk '{print $2}')
	[ -n "$uri" ] || uri=$(grep -hs '^deb ' /etc/apt/sources.list | awk '{print $2}' | grep debian | head -n1)
	[ -n "$uri" ] || uri=http://deb.debian.org/debian
	$SUDO sh -c "cat > /etc/apt/sources.list.d/libhv-deb-src.sources" <<SRC
Types: deb-src
URIs: $uri
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
fi

export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
if [ -n "$missing" ]; then
	echo "install-deps: installing$missing"
	# shellcheck disable=SC2086
	$SUDO apt-get install -y -q --no-install-recommends $missing
fi

if ! have_zydis_src; then
	mkdir -p "$srcdir"
	(cd "$srcdir" && apt-get source -q zydis)
fi
have_zydis_src || { echo "install-deps: Zydis sources are missing after apt-get source" >&2; exit 1; }
echo "install-deps: done"
