#!/bin/sh
# IDT vs FRED, per event: each fred-* path beside its IDT counterpart from
# the same boot of kentry's kernel (kentry boot --fred), minimal and full,
# under the Bochs with FRED (its wildcat_lake model), where every figure is
# an exact instruction count (Bochs's TSC advances one tick per
# instruction: the same on every run, not cycles). On a CPU with FRED
# (Panther Lake, under KVM or on bare metal) the same command gives ticks.
# Also the wall time of one FRED run.
. "$(dirname "$0")/lib.sh"
root=$(cd "$(dirname "$0")/.." && pwd)
B=""
for b in "${KENTRY_BOCHS:-}" "$root/../shared/tools/bochs-fred/bochs"; do
	[ -n "$b" ] && [ -x "$b" ] && "$b" -q --help cpu 2>&1 | grep -qx wildcat_lake && { B=$b; break; }
done
[ -n "$B" ] || { echo "fred: no Bochs with FRED (KENTRY_BOCHS, or ../shared/tools/bochs-fred beside the repository); skipped"; exit 0; }

echo "fred: IDT vs FRED per event (kentry boot --fred under $B, wildcat_lake)"
t0=$(now)
KENTRY_BOCHS=$B "$K" boot --emulator bochs --cpu wildcat_lake --fred --no-progress --json "$BTMP/fred.json" >/dev/null 2>&1 ||
	{ echo "  the FRED run failed"; exit 1; }
t1=$(now)
echo "  wall time of one FRED run (both variants, default samples): $(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.2f", b - a}') s   (target < 15 s: $(verdict "$(awk -v a="$t0" -v b="$t1" 'BEGIN{print b - a}')" "<" 15))"

# median of one (id, variant) in the run, "skipped" where it was
med() { jq -r --arg id "$1" --arg v "$2" '.results[] | select(.id == $id and (.variant // "minimal") == $v) | if .status == "measured" then .cycles.median else "skipped" end' "$BTMP/fred.json"; }
diffof() { awk -v a="$1" -v b="$2" 'BEGIN { if (a ~ /^[0-9.]+$/ && b ~ /^[0-9.]+$/) printf "%+g", a - b; else print "-" }'; }
echo
printf "  %-22s %-16s %7s %7s %6s   %7s %7s %6s\n" "FRED path" "IDT path" "FRED" "IDT" "diff" "FRED" "IDT" "diff"
printf "  %-22s %-16s %-22s   %-22s\n" "" "" "minimal (instructions)" "full (instructions)"
for id in $("$K" list --world bare-metal | awk '/^fred-/ { print $1 }'); do
	cp=$("$K" list --world bare-metal | awk -v id="$id" '$1 == id { f = 1; next } f && /^ +IDT counterpart: / { print $NF; exit } f && /^[a-z]/ { exit }')
	fm=$(med "$id" minimal) im=$(med "$cp" minimal) ff=$(med "$id" full) if=$(med "$cp" full)
	printf "  %-22s %-16s %7s %7s %6s   %7s %7s %6s\n" "$id" "$cp" "$fm" "$im" "$(diffof "$fm" "$im")" "$ff" "$if" "$(diffof "$ff" "$if")"
done
echo
echo "  minimal: the entry, then only what the hardware needs; under FRED that"
echo "  includes one compare of the event's type and vector and a branch (one entry"
echo "  point for every event), then ERETU. full: the kernel's full path (one frame,"
echo "  registers cleared, the C dispatcher, the exit). Skipped rows: what FRED"
echo "  refuses (call gates, IRETQ or SYSRET back to ring 3) or what the vendor does"
echo "  not have (syscall from compatibility mode on Intel), as the table says."
