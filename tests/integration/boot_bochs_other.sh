#!/bin/sh
# A second Bochs, named by $KENTRY_OTHER_BOCHS (for example a newer build
# with FRED, without the debugger and with the nogui display): the same
# runner boots it (KENTRY_BOCHS), its ROMs found beside the program, and
# the kernel completes on an Intel model ($KENTRY_OTHER_BOCHS_CPU, default
# corei7_skylake_x). Skipped when the variable is not set.
set -u
. "$(dirname "$0")/../lib.sh"
[ -n "${KENTRY_OTHER_BOCHS:-}" ] || { echo "KENTRY_OTHER_BOCHS is not set (a second Bochs to test, e.g. a FRED build)"; exit 77; }
[ -x "$K" ] || { echo "not ok 1 - $K missing: run make"; exit 1; }
MODEL=${KENTRY_OTHER_BOCHS_CPU:-corei7_skylake_x}
KENTRY_BOCHS=$KENTRY_OTHER_BOCHS "$K" boot --emulator bochs --cpu "$MODEL" --quick --no-progress \
	--kernel "$BUILD/kentry-kernel.elf" --json "$tmp/o.json" >"$tmp/out" 2>"$tmp/err"
rc=$?
check "$KENTRY_OTHER_BOCHS --cpu $MODEL: exit 0 (got $rc)" test $rc -eq 0
[ $rc -eq 0 ] || sed 's/^/# /' "$tmp/err"
check "the guest environment names that Bochs, its version and model" jq -e --arg b "$KENTRY_OTHER_BOCHS" --arg m "$MODEL" '.guest_environment | .emulator == "bochs" and .["bochs.path"] == $b and .["emulator.cpu"] == $m' "$tmp/o.json"
check "every id has a result, syscall measured as 2 instructions" jq -e '([.results[]] | length == 19) and (.results[] | select(.id == "syscall") | .cycles.median == 2)' "$tmp/o.json"
jq -r '"# \(.guest_environment["emulator.version"]), display \(.guest_environment["bochs.display"]), \(.guest_environment["bochs.seconds"]) s"' "$tmp/o.json"
echo "1..$n"
[ $bad -eq 0 ]
