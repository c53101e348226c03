#!/bin/sh
# Installs the Debian/Ubuntu packages kentry needs, only when one is missing.
set -eu
# The bare-metal world's emulators (QEMU; Bochs with its BIOS files and the
# terminal display Debian builds it for), the hybrid BIOS+UEFI boot image
# (GRUB for both, xorriso, mtools, which also writes Bochs's run disks), the
# UEFI firmware the boot test uses, the font the kernel's screen is rendered
# from at build time (grub-mkfont is in grub-common), zlib for the plot
# test's PNG reader, and what the programs kentry exec runs in the tests are
# built with (nasm, musl-gcc; glibc's static libraries, 64- and 32-bit, come
# with build-essential and gcc-multilib).
PKGS="build-essential gcc-multilib libjansson-dev qemu-system-x86 jq procps \
	bochs bochsbios vgabios bochs-term grub-pc-bin grub-efi-amd64-bin grub-common \
	xorriso mtools ovmf fonts-dejavu-core zlib1g-dev nasm musl-tools"
installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }
# The plot test renders a chart in a real browser: Debian's chromium.
# Ubuntu has none (only a snap, which containers cannot run): there the
# test says it skips.
real_chromium() {
	apt-cache show chromium >/dev/null 2>&1 &&
		! apt-cache show chromium 2>/dev/null | grep -q "^Depends:.*snapd"
}
missing=""
for p in $PKGS; do
	installed "$p" || missing="$missing $p"
done
chromium_unknown=""
if ! installed chromium; then
	if real_chromium; then
		missing="$missing chromium"
	elif ! ls /var/lib/apt/lists/*_Packages >/dev/null 2>&1; then
		chromium_unknown=yes # no package lists yet: ask again after the update
	fi
fi
[ -z "$missing" ] && [ -z "$chromium_unknown" ] && exit 0
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
$SUDO apt-get update -qq
if [ -n "$chromium_unknown" ] && real_chromium; then
	missing="$missing chromium"
fi
[ -z "$missing" ] && exit 0
echo "kentry: installing missing packages:$missing"
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing
