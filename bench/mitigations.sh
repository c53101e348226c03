#!/bin/sh
# What KPTI costs each path on kentry's kernel (docs/mitigations.md): the
# full variant plain, with kpti, and with kpti-pcid where it can run,
# per path:
#   - under QEMU TCG (TSC ticks of QEMU's emulation: its softmmu TLB is
#     flushed by every CR3 write, which makes KPTI far dearer than on
#     hardware; the figures show the emulator, not a CPU), without and with
#     --touch-pages 64 (the TLB refill of 64 pages after each return);
#   - under -icount (exact guest instructions: what the mitigations' code
#     adds; the TLB does not show there, so no touches);
#   - under Bochs, which has PCID: kpti against kpti-pcid in instructions.
# QEMU 7.2's TCG has no PCID: kpti-pcid is skipped there with its reason.
# Nothing is asserted: tests/integration/boot_mitigations.sh budgets the
# counts. Each kentry boot runs every path with 200 samples (TCG) or quick.
. "$(dirname "$0")/lib.sh"
command -v qemu-system-x86_64 >/dev/null || { echo "mitigations: qemu-system-x86_64 missing; skipped"; exit 0; }

# med FILE ID VARIANT: the median, or "skipped"
med() { jq -r --arg id "$2" --arg v "$3" '.results[] | select(.id == $id and (.variant // "") == $v) | if .status == "measured" then (.cycles.median * 10 | round / 10) else "skipped" end' "$1"; }
pct() { awk -v a="$1" -v b="$2" 'BEGIN { if (a ~ /^[0-9.]+$/ && b ~ /^[0-9.]+$/ && a > 0) printf "%+.0f%%", 100 * (b - a) / a; else print "-" }'; }

run() { # NAME ARGS...
	n=$1
	shift
	"$K" boot --variant full --mitigations kpti,kpti-pcid --no-progress --json "$BTMP/$n.json" "$@" >"$BTMP/$n.out" 2>&1 ||
		{ echo "  mitigations: kentry boot $* failed:"; tail -3 "$BTMP/$n.out" | sed 's/^/    /'; return 1; }
}

t0=$(now)
run tcg --accel tcg --cpu intel || exit 1
run tcgt --accel tcg --cpu intel --touch-pages 64 || exit 1
run ic --accel tcg --icount --cpu intel --quick || exit 1
have_bochs=0
if command -v bochs >/dev/null || [ -n "${KENTRY_BOCHS:-}" ]; then
	run bochs --emulator bochs --cpu intel --quick && have_bochs=1
fi
t1=$(now)

echo "mitigations: the full variant plain, with kpti and with kpti-pcid, per path ($(printf '%.0f' "$(elapsed "$t0" "$t1")") s for $((3 + have_bochs)) boots)"
echo "  QEMU $(jq -r '.guest_environment["qemu.version"]' "$BTMP/tcg.json") TCG, $(jq -r '.guest_environment["cpu.name"]' "$BTMP/tcg.json"); kpti-pcid: $(jq -r '.guest_environment["variant.full+kpti-pcid"]' "$BTMP/tcg.json" | cut -c1-90)"
printf "  %-18s %31s   %31s   %18s" "" "TCG: TSC ticks" "TCG, --touch-pages 64: ticks" "icount: instr"
[ $have_bochs = 1 ] && printf "   %24s" "Bochs: instructions"
printf "\n  %-18s %8s %8s %6s %6s   %8s %8s %6s %6s   %6s %6s %4s" path full +kpti "" pcid full +kpti "" pcid full kpti +
[ $have_bochs = 1 ] && printf "   %6s %6s %4s %4s" full kpti +pcid +kpti
printf "\n"
for id in $(jq -r '.results[] | select(.variant == "full") | .id' "$BTMP/tcg.json"); do
	a=$(med "$BTMP/tcg.json" "$id" full) b=$(med "$BTMP/tcg.json" "$id" full+kpti)
	c=$(med "$BTMP/tcg.json" "$id" full+kpti-pcid)
	d=$(med "$BTMP/tcgt.json" "$id" full) e=$(med "$BTMP/tcgt.json" "$id" full+kpti)
	f=$(med "$BTMP/tcgt.json" "$id" full+kpti-pcid)
	g=$(med "$BTMP/ic.json" "$id" full) h=$(med "$BTMP/ic.json" "$id" full+kpti)
	[ "$c" = skipped ] && c="-"
	[ "$f" = skipped ] && f="-"
	printf "  %-18s %8s %8s %6s %6s   %8s %8s %6s %6s   %6s %6s %4s" "$id" "$a" "$b" "$(pct "$a" "$b")" "$c" \
		"$d" "$e" "$(pct "$d" "$e")" "$f" "$g" "$h" \
		"$(awk -v a="$g" -v b="$h" 'BEGIN { if (a ~ /^[0-9.]+$/ && b ~ /^[0-9.]+$/) printf "+%d", b - a; else print "-" }')"
	if [ $have_bochs = 1 ]; then
		i=$(med "$BTMP/bochs.json" "$id" full) j=$(med "$BTMP/bochs.json" "$id" full+kpti)
		k=$(med "$BTMP/bochs.json" "$id" full+kpti-pcid)
		printf "   %6s %6s %4s %4s" "$i" "$j" \
			"$(awk -v a="$i" -v b="$k" 'BEGIN { if (a ~ /^[0-9.]+$/ && b ~ /^[0-9.]+$/) printf "+%d", b - a; else print "-" }')" \
			"$(awk -v a="$i" -v b="$j" 'BEGIN { if (a ~ /^[0-9.]+$/ && b ~ /^[0-9.]+$/) printf "+%d", b - a; else print "-" }')"
	fi
	printf "\n"
done
echo "  (the touches' own cost is subtracted with the empty loop, which touches too:"
echo "   what +kpti gains with --touch-pages 64 is the refill of 64 TLB entries after"
echo "   each flushing CR3 write; under icount and Bochs the TLB costs no instruction)"
