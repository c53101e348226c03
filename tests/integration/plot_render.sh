#!/bin/sh
# kentry plot's charts rendered by a real browser (headless Chromium) to
# PNG: the picture is not blank, every run's colour is there (its bars or
# boxes were drawn), and the path names are text in the SVG (selectable,
# not outlines). The PNG is decoded by tests/tools/pngcheck.c.
set -u
. "$(dirname "$0")/../lib.sh"
[ -x "$K" ] || { echo "not ok 1 - $K missing: run make"; exit 1; }
PNGCHECK="$BUILD/tools/pngcheck"
[ -x "$PNGCHECK" ] || { echo "not ok 1 - $PNGCHECK missing: run make test"; exit 1; }
CHROMIUM=$(command -v chromium || command -v chromium-browser) ||
	{ echo "no chromium to render the chart (Debian: chromium)"; exit 77; }
FX=tests/fixtures/results

# render SVG PNG: a fresh profile, nothing fetched, no GPU, no sandbox
# (root in a container); the window is the chart's size
render() {
	w=$(sed -n 's/.*<svg [^>]* width="\([0-9]*\)".*/\1/p' "$1" | head -n 1)
	h=$(sed -n 's/.*<svg [^>]* height="\([0-9]*\)".*/\1/p' "$1" | head -n 1)
	profile=$(mktemp -d "$tmp/profile.XXXXXX")
	timeout 60 "$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-quic \
		--no-first-run --disable-background-networking --disable-component-update \
		--disable-sync --hide-scrollbars --user-data-dir="$profile" \
		--screenshot="$2" --window-size="$w,$h" "file://$1" >"$tmp/chromium.log" 2>&1
	rm -rf "$profile"
}

"$K" plot $FX/bench-quiet-1.json $FX/bench-quiet-2.json $FX/boot-tcg.json --log -o "$tmp/bars.svg" 2>/dev/null
check "bars: written" test -s "$tmp/bars.svg"
render "$tmp/bars.svg" "$tmp/bars.png"
check "bars: Chromium rendered a PNG" test -s "$tmp/bars.png"
for c in 0072B2 E69F00 009E73; do
	set -- $("$PNGCHECK" "$tmp/bars.png" $c)
	check "bars: ${1:-?}x${2:-?} pixels, ${3:-0} not white (over 3 %)" test "${3:-0}" -gt $((${1:-0} * ${2:-0} * 3 / 100))
	check "bars: run colour #$c drawn (${4:-0} pixels)" test "${4:-0}" -gt 1000
done
for id in syscall int80-64 vdso sud-sigsys int-gate call-gate/iretq; do
	check "bars: '$id' is text in the SVG" grep -q ">$id</text>" "$tmp/bars.svg"
done

"$K" plot $FX/bench-quiet-1.json --kind dist --log -o "$tmp/dist.svg" 2>/dev/null
render "$tmp/dist.svg" "$tmp/dist.png"
set -- $("$PNGCHECK" "$tmp/dist.png" 0072B2)
check "dist: rendered, ${3:-0} pixels not white (over 2 %)" test "${3:-0}" -gt $((${1:-0} * ${2:-0} * 2 / 100))
check "dist: the boxes and outliers drawn (${4:-0} pixels of the run's colour)" test "${4:-0}" -gt 200
echo "1..$n"
[ $bad -eq 0 ]
