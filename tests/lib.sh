# Shared by the integration scripts (sourced, not run): the kentry binary,
# a scratch directory removed on exit, and check(), which prints one TAP
# line per assertion. A script ends with `done_checks`.
BUILD=${BUILD:-build}
K="$BUILD/kentry"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0 bad=0
check() { # description, then a command that succeeds when it holds
	n=$((n + 1))
	d=$1
	shift
	if "$@" >/dev/null 2>&1; then echo "ok $n - $d"; else echo "not ok $n - $d"; bad=$((bad + 1)); fi
}

# need_qemu_kernel [FILE...]: what a boot test needs, the kentry binary,
# the kernel image ($KERNEL, by default the build's), the other files named
# (the legacy kernel's image, ...) and QEMU; skips (77) without QEMU,
# fails when the build is missing.
need_qemu_kernel() {
	KERNEL=${KERNEL:-$BUILD/kentry-kernel.elf}
	command -v qemu-system-x86_64 >/dev/null || { echo "qemu-system-x86_64 not installed (Debian: qemu-system-x86)"; exit 77; }
	[ -x "$K" ] || { echo "not ok 1 - $K missing: run make"; exit 1; }
	for f in "$KERNEL" "$@"; do
		[ -f "$f" ] || { echo "not ok 1 - $f missing: run make"; exit 1; }
	done
}

# need_bochs_iso: need_qemu_kernel, and Bochs (or $KENTRY_BOCHS) and the
# boot image ($ISO, by default the build's) it boots through; skips (77)
# without Bochs.
need_bochs_iso() {
	ISO=${ISO:-$BUILD/kentry-kernel.iso}
	command -v bochs >/dev/null || [ -n "${KENTRY_BOCHS:-}" ] || { echo "bochs not installed (Debian: bochs bochsbios vgabios bochs-term)"; exit 77; }
	need_qemu_kernel "$ISO"
}

# boot_run NAME ARGS...: kentry boot ARGS --quick, its JSON, table, stderr
# and exit status in $tmp/NAME.json, .out, .err, .rc, and a comment line
# with the time it took.
boot_run() {
	name=$1
	shift
	t0=$(date +%s)
	"$K" boot "$@" --quick --no-progress --json "$tmp/$name.json" \
		>"$tmp/$name.out" 2>"$tmp/$name.err"
	echo $? >"$tmp/$name.rc"
	echo "# $name: kentry boot $* --quick took $(($(date +%s) - t0)) s"
}

# bochs_and_qemu ARGS...: boot_run under Bochs and under QEMU --icount,
# with an Intel and an AMD model, the four at once: bochs-intel,
# bochs-amd, qemu-intel, qemu-amd.
bochs_and_qemu() {
	boot_run bochs-intel --emulator bochs --cpu intel "$@" &
	boot_run bochs-amd --emulator bochs --cpu amd "$@" &
	boot_run qemu-intel --icount --cpu intel "$@" &
	boot_run qemu-amd --icount --cpu amd "$@"
	wait
}

# check_differ_only VENDOR "ID ..." "ID ...": of the first ids, those whose
# Bochs and QEMU figures differ (a count, a skip) are exactly the second
# list (in the order of the first).
check_differ_only() {
	check "$1: bochs and qemu differ on $3 only" sh -c "
		for id in $2; do
			b=\$(jq -r --arg id \$id '.results[] | select(.id == \$id) | .cycles.median // \"skipped\"' '$tmp/bochs-$1.json')
			q=\$(jq -r --arg id \$id '.results[] | select(.id == \$id) | .cycles.median // \"skipped\"' '$tmp/qemu-$1.json')
			[ \"\$b\" = \"\$q\" ] || echo \$id
		done | tr '\n' ' ' | grep -qx '$3 '"
}

# check_results FILE.json FILE.csv "ID ID ..." ["minimal full"]: one
# bare-metal result per id and variant (default: the minimal one only) and
# nothing else; each measured with sane statistics or skipped with a
# reason; each id in the CSV.
check_results() {
	vars=${4:-minimal}
	check "one bare-metal result per id and variant ($vars), nothing else" jq -e --arg ids "$3" --arg vars "$vars" '
		. as $root | ($ids | split(" ") | sort) as $want | ($vars | split(" ")) as $vs |
		([$vs[] as $v | ([$root.results[] | select(.world == "bare-metal" and (.variant // "minimal") == $v) | .id] | sort) == $want] | all) and
		([$root.results[] | select(.world == "bare-metal")] | length) == ($want | length) * ($vs | length)' "$1"
	for id in $3; do
		for var in $vars; do
			check "$id ($var) measured with sane stats or skipped with a reason" jq -e --arg id "$id" --arg var "$var" '
				.results[] | select(.id == $id and .world == "bare-metal" and (.variant // "minimal") == $var) |
				(.op == "round-trip") and
				(if .status == "measured" then
					(.cycles | (.min <= .median) and (.median <= .p99) and (.stddev >= 0) and (.samples >= 1) and (.mean > 0))
				 elif .status == "skipped" then (.reason | type == "string" and length > 5)
				 else false end)' "$1"
		done
		check "$id in the CSV" grep -Eq "^bare-metal,$id,round-trip,(measured|skipped)," "$2"
	done
}

# check_budgets COUNTS "BUDGETS" [LABEL]: COUNTS has "id status min median
# max" lines (an --icount run), BUDGETS "id budget [what...]" lines, a
# budget of "-" meaning skipped as the vendor documents. Per id: measured,
# deterministic (min = median = max), within its budget; a count below its
# budget is printed as a hint to tighten the table. LABEL prefixes every
# line (which boot it was).
check_budgets() {
	counts=$1 label=${3:+$3 }
	echo "$2" | while read -r id budget what; do
		[ -n "$id" ] || continue
		line=$(grep "^$id " "$counts")
		set -- $line
		status=${2:-absent} min=${3:--} med=${4:--} max=${5:--}
		echo "# $label$id: $status min $min median $med max $max, budget $budget${what:+ ($what)}"
		if [ "$budget" = "-" ]; then
			check "$label$id skipped as documented" test "$status" = skipped
			continue
		fi
		check "$label$id measured under icount" test "$status" = measured
		check "$label$id deterministic (min = median = max)" awk -v a="$min" -v b="$med" -v c="$max" 'BEGIN { exit !(a == b && b == c) }'
		check "$label$id within its budget: $med <= $budget instructions" awk -v m="$med" -v b="$budget" 'BEGIN { exit !(m >= 1 && m <= b + 0.5) }'
		awk -v m="$med" -v b="$budget" 'BEGIN { exit !(m >= 1 && m < b - 0.5) }' &&
			echo "# $label$id: $med is below its budget $budget: tighten the table"
	done >"$tmp/budget-checks"
	cat "$tmp/budget-checks"
	bad=$((bad + $(grep -c '^not ok' "$tmp/budget-checks")))
	n=$((n + $(grep -c '^ok\|^not ok' "$tmp/budget-checks")))
}

# check_emulator_notes BOCHS.json QEMU.json VENDOR "ID ID ...": the same ids
# under Bochs and under QEMU --icount; wherever the two disagree (a count, a
# skip) both tables say so in a note naming the other, and no such note
# stands where they agree (src/emu/differences.c).
check_emulator_notes() {
	for id in $4; do
		b=$(jq -r --arg id "$id" '.results[] | select(.id == $id) | if .status == "measured" then .cycles.median else "skipped" end' "$1")
		q=$(jq -r --arg id "$id" '.results[] | select(.id == $id) | if .status == "measured" then .cycles.median else "skipped" end' "$2")
		bn=$(jq -r --arg id "$id" '.results[] | select(.id == $id) | .note // "" | test("QEMU")' "$1")
		qn=$(jq -r --arg id "$id" '.results[] | select(.id == $id) | .note // "" | test("Bochs counts|Bochs raises|Bochs.s AMD")' "$2")
		if [ "$b" = "$q" ]; then
			check "$3 $id: both give $b, and neither notes a difference" test "$bn$qn" = falsefalse
		else
			echo "# $3 $id: bochs $b, qemu $q"
			check "$3 $id: bochs $b, qemu $q: both tables say so in a note" test "$bn$qn" = truetrue
		fi
	done
}

# need_fred_bochs: a Bochs with FRED for the FRED tests, in $FRED_BOCHS:
# $KENTRY_BOCHS when it has the wildcat_lake model (FRED and LKGS), else
# the one beside the repository's parent (../shared/tools/bochs-fred, where
# .ci/run finds it too); skips (77) saying so when there is none.
need_fred_bochs() {
	[ -x "$K" ] || { echo "not ok 1 - $K missing: run make"; exit 1; }
	root=$(cd "$(dirname "$0")/../.." && pwd)
	for b in "${KENTRY_BOCHS:-}" "$root/../shared/tools/bochs-fred/bochs"; do
		[ -n "$b" ] && [ -x "$b" ] || continue
		if "$b" -q --help cpu 2>&1 | grep -qx 'wildcat_lake'; then
			FRED_BOCHS=$b
			return 0
		fi
	done
	echo "no FRED-capable emulator: set KENTRY_BOCHS to a Bochs with FRED (its wildcat_lake model; none at ${KENTRY_BOCHS:-\$KENTRY_BOCHS unset} or $root/../shared/tools/bochs-fred)"
	exit 77
}
