#!/bin/sh
# The hybrid boot image (build/kentry-kernel.iso) on both kinds of firmware,
# as a user's machine boots it: QEMU with SeaBIOS (BIOS) and with OVMF
# (UEFI), a VGA card, the image as a CD, COM1 captured to a file. The GRUB
# menu is taken with Enter (its first entry, the full run); when the kernel's
# end line is on COM1, the QEMU monitor takes a screenshot of the screen.
# Then: the capture read back with `kentry show --serial` holds the full
# result (every id measured, or skipped with a reason); the kernel saw
# VGA text under BIOS and GRUB's framebuffer under UEFI; the screenshot is
# not blank and shows the kernel's end line. Both firmwares run at the
# same time (about 7 s in all here).
set -u
. "$(dirname "$0")/../lib.sh"
ISO=${ISO:-$BUILD/kentry-kernel.iso}

command -v qemu-system-x86_64 >/dev/null || { echo "qemu-system-x86_64 not installed (Debian: qemu-system-x86)"; exit 77; }
[ -x "$K" ] || { echo "not ok 1 - $K missing: run make"; exit 1; }
[ -f "$ISO" ] || { echo "not ok 1 - $ISO missing: run make (needs grub-pc-bin, grub-efi-amd64-bin, xorriso, mtools)"; exit 1; }
OVMF_CODE=""
for f in /usr/share/OVMF/OVMF_CODE_4M.fd /usr/share/OVMF/OVMF_CODE.fd; do
	[ -f "$f" ] && OVMF_CODE=$f && break
done
OVMF_VARS=$(echo "$OVMF_CODE" | sed 's/CODE/VARS/')

IDS="int-gate trap-gate call-gate sysenter syscall compat-int80 compat-sysenter compat-syscall compat-call-gate exc-ud exc-ud-locknop exc-bp exc-pf exc-de exc-gp syscall/iretq sysenter/iretq int-gate/sysretq call-gate/iretq"

check "the image has a BIOS and a UEFI El Torito boot entry" sh -c \
	"xorriso -indev '$ISO' -report_el_torito plain 2>/dev/null | grep -q 'boot img : *[0-9]* *BIOS' &&
	 xorriso -indev '$ISO' -report_el_torito plain 2>/dev/null | grep -q 'boot img : *[0-9]* *UEFI'"

# boot NAME [firmware options]: $tmp/NAME.ser (COM1), $tmp/NAME.ppm (screen)
boot() {
	name=$1
	shift
	mkfifo "$tmp/$name.mon"
	qemu-system-x86_64 "$@" -cdrom "$ISO" -vga std -display none -serial "file:$tmp/$name.ser" \
		-monitor stdio -m 256M -accel tcg -cpu Skylake-Client -no-reboot \
		<"$tmp/$name.mon" >"$tmp/$name.qemu" 2>&1 &
	qpid=$!
	exec 3>"$tmp/$name.mon"
	t0=$(date +%s)
	entered=0
	while kill -0 $qpid 2>/dev/null && [ $(($(date +%s) - t0)) -lt 90 ]; do
		if [ $entered -eq 0 ] && grep -aq "executed automatically" "$tmp/$name.ser" 2>/dev/null; then
			echo "sendkey ret" >&3 # the menu's first entry, now
			entered=1
		fi
		grep -aq '^end ' "$tmp/$name.ser" 2>/dev/null && break
		sleep 0.2
	done
	sleep 0.3 # the screen is drawn right after the end line
	echo "screendump $tmp/$name.ppm" >&3
	t1=$(date +%s)
	while [ ! -s "$tmp/$name.ppm" ] && [ $(($(date +%s) - t1)) -lt 5 ]; do sleep 0.1; done
	sleep 0.1 # QEMU writes the image whole before the next command
	echo quit >&3
	exec 3>&-
	wait $qpid
	echo "# $name: $(($(date +%s) - t0)) s to the end line and the screenshot"
}

boot bios &
bios_pid=$!
if [ -n "$OVMF_CODE" ]; then
	cp "$OVMF_VARS" "$tmp/vars.fd"
	boot uefi -drive "if=pflash,format=raw,readonly=on,file=$OVMF_CODE" \
		-drive "if=pflash,format=raw,file=$tmp/vars.fd" &
	uefi_pid=$!
	wait $uefi_pid
fi
wait $bios_pid

# not_blank PPM: more than 2000 non-black bytes (the header is 15)
not_blank() { test "$(tr -d '\000' <"$1" | wc -c)" -gt 2000; }
# green_end PPM: the kernel's end line is drawn in light green (VGA colour
# 10, about 85,255,85), which neither firmware nor GRUB uses: its pixels
# are there, so the screen is the kernel's, not what GRUB left.
green_end() { test "$(LC_ALL=C grep -o -a -P '[\x50-\x5a]\xff[\x50-\x5a]' "$1" | wc -l)" -gt 200; }

read_back() { # NAME FIRMWARE SCREEN-REGEX
	name=$1
	"$K" show --serial "$tmp/$name.ser" --json "$tmp/$name.json" >"$tmp/$name.out" 2>"$tmp/$name.err"
	rc=$?
	check "$2: the capture reads back (show --serial exits $rc)" test $rc -eq 0
	[ $rc -eq 0 ] || sed 's/^/# /' "$tmp/$name.err"
	check "$2: the kernel's run passed (end pass)" grep -aq '^end pass' "$tmp/$name.ser"
	check "$2: one result per id and variant" jq -e --arg ids "$IDS" '([.results[] | select(.variant == null) | .id] | sort) == ($ids | split(" ") | sort) and ([.results[] | select(.variant == "full") | .id] | sort) == ($ids | split(" ") | sort)' "$tmp/$name.json"
	check "$2: every id measured, or skipped with a reason" jq -e '[.results[] | (.status == "measured" and .cycles.median > 0) or (.status == "skipped" and (.reason | length) > 5)] | all' "$tmp/$name.json"
	check "$2: syscall measured" jq -e '[.results[] | select(.id == "syscall")] | all(.status == "measured")' "$tmp/$name.json"
	check "$2: the menu's first entry ran (200 samples)" jq -e '.guest_environment["kernel.samples"] == 200' "$tmp/$name.json"
	check "$2: the kernel's screen was $3" jq -e --arg s "$3" '.guest_environment.screen | test($s)' "$tmp/$name.json"
	check "$2: the screenshot is not blank" not_blank "$tmp/$name.ppm"
	check "$2: the screenshot shows the kernel's end line (its light green)" green_end "$tmp/$name.ppm"
	jq -r '"# \(.guest_environment.screen)"' "$tmp/$name.json" 2>/dev/null
}

# KEEP=DIR keeps the captures and screenshots (the fixture
# tests/fixtures/serial/capture-ovmf.txt is such a capture).
if [ -n "${KEEP:-}" ]; then
	mkdir -p "$KEEP" && cp "$tmp"/*.ser "$tmp"/*.ppm "$KEEP"/ 2>/dev/null
fi

read_back bios "SeaBIOS (BIOS)" '^vga-text 80x25$'
if [ -n "$OVMF_CODE" ]; then
	read_back uefi "OVMF (UEFI)" '^framebuffer [0-9]+x[0-9]+x(32|24|16) at 0x'
else
	echo "# no OVMF firmware (Debian: ovmf): the UEFI boot was left out"
	check "OVMF is installed (Debian package ovmf)" false
fi

echo "1..$n"
[ $bad -eq 0 ]
