#!/bin/sh
# Installs the Debian/Ubuntu packages kentry needs, only when one is missing.
set -eu
# The bare-metal world's emulators (QEMU; Bochs with its BIOS files and the
# terminal display Debian builds it for), the hybrid BIOS+UEFI boot image
# (GRUB for both, xorriso, mtools, which also writes Bochs's run disks), the
# UEFI firmware the boot test uses, and the font the kernel's screen is
# rendered from at build time (grub-mkfont is in grub-common).
PKGS="build-essential gcc-multilib libjansson-dev qemu-system-x86 jq procps \
	bochs bochsbios vgabios bochs-term grub-pc-bin grub-efi-amd64-bin grub-common \
	xorriso mtools ovmf fonts-dejavu-core"
missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "kentry: installing missing packages:$missing"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing
