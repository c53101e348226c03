#!/bin/sh
# scripts/musl32.sh [DIR]: a 32-bit musl for building the i386 test
# programs of `kentry exec`, without changing the machine.
#
# Debian's musl-tools builds x86-64 programs only; its i386 musl is the
# i386 architecture's musl-dev package, which a machine gets only after
# `dpkg --add-architecture i386` (a lasting change to every later apt run).
# Instead this fetches musl-dev:i386 and musl:i386 with apt into DIR
# (default build/musl-i386), with package lists of its own, unpacks them
# there and writes a gcc specs file pointing at them, so that
#     cc -m32 -static -specs DIR/musl-gcc.specs prog.c
# builds a static i386 musl program with the system's multilib gcc.
# Nothing outside DIR is written. Prints the specs file's path; when the
# packages cannot be had (no network, no apt), prints why and exits 1.
set -u
dir=${1:-build/musl-i386}
spec=$dir/musl-gcc.specs
if [ -f "$spec" ]; then
	echo "$spec"
	exit 0
fi
for t in apt-get dpkg-deb sed; do
	command -v "$t" >/dev/null || { echo "no $t to fetch Debian's i386 musl with"; exit 1; }
done
mkdir -p "$(dirname "$dir")" || exit 1
work=$(mktemp -d "$dir.XXXXXX") || exit 1
trap 'rm -rf "$work"' EXIT
abs=$(cd "$work" && pwd)
mkdir -p "$abs/lists/partial" "$abs/cache/archives/partial"
set -- -o APT::Architecture=i386 -o APT::Architectures::=i386 \
	-o Dir::State::Lists="$abs/lists" -o Dir::Cache="$abs/cache" \
	-o Debug::NoLocking=1 -o APT::Sandbox::User="$(id -un)"
# The update may report an index it could not fetch (a mirror in sync) and
# still have the one needed: whether the download works decides.
apt-get "$@" -qq update >"$abs/update.log" 2>&1
if ! (cd "$abs" && apt-get "$@" -qq download musl-dev:i386 musl:i386) >"$abs/download.log" 2>&1; then
	why=$(grep -m1 '^E:' "$abs/download.log" | sed 's/^E: //')
	upd=$(grep -m1 '^[EW]:' "$abs/update.log" | sed 's/^[EW]: //')
	echo "cannot fetch Debian's musl-dev:i386: ${why:-apt-get download failed}${upd:+ (apt-get update: $upd)}"
	exit 1
fi
for deb in "$abs"/*.deb; do
	dpkg-deb -x "$deb" "$abs/root" || { echo "cannot unpack $deb"; exit 1; }
done
in=$abs/root/usr/lib/i386-linux-musl/musl-gcc.specs
[ -f "$in" ] || { echo "musl-dev:i386 has no musl-gcc.specs"; exit 1; }
final=$(cd "$(dirname "$dir")" && pwd)/$(basename "$dir")
case $final in *[[:space:]]*) echo "a gcc specs file cannot name a path with spaces: $final"; exit 1 ;; esac
# The package's specs name /usr/{include,lib}/i386-linux-musl: point them
# at the unpacked copy (where it will live after the rename below). Its
# link spec replaces gcc's, which is where -m32 would have said elf_i386.
sed -e "s#/usr/include/i386-linux-musl#$final/root/usr/include/i386-linux-musl#g" \
	-e "s#/usr/lib/i386-linux-musl#$final/root/usr/lib/i386-linux-musl#g" \
	-e 's#^-dynamic-linker #-m elf_i386 -dynamic-linker #' "$in" >"$abs/musl-gcc.specs" || exit 1
rm -rf "$abs/lists" "$abs/cache" "$abs"/*.deb
# whole or not at all: a concurrent run may have won the race
if mv -T "$work" "$dir" 2>/dev/null; then
	trap - EXIT
fi
[ -f "$spec" ] || { echo "cannot create $dir"; exit 1; }
echo "$spec"
