#!/bin/sh
# The legacy kernel on its error paths, end to end through QEMU: failing on
# purpose (crash= on its command line: a #UD in ring 0; a double fault,
# which must arrive through the #DF task gate on a fresh stack and be
# reported, not reset the machine; a hang), the wrong image for the mode,
# a missing image, and ids of the other kernel. Checks the exit status
# (docs/boot.md), the message, and that every requested id still has a
# result.
set -u
. "$(dirname "$0")/../lib.sh"
KERNEL32=${KERNEL32:-$BUILD/kentry-kernel32.elf}
need_qemu_kernel "$KERNEL32"

boot() { # name, then arguments of kentry boot
	name=$1
	shift
	"$K" boot --accel tcg --no-progress --json "$tmp/$name.json" "$@" >"$tmp/$name.out" 2>"$tmp/$name.err"
	rc=$?
}

KENTRY_BOOT_APPEND=crash=ud boot ud --mode legacy32 --quick --kernel "$KERNEL32"
check "crash=ud: status 4 (got $rc), the kernel's FATAL line in the message" sh -c "test $rc -eq 4 && grep -q 'the kernel reported a failed run' '$tmp/ud.err' && grep -q 'FATAL: #UD' '$tmp/ud.err'"
check "crash=ud: every legacy id still has a result" jq -e '[.results[] | select(.world == "bare-metal")] | length == 17 and all(.id | startswith("legacy-"))' "$tmp/ud.json"

KENTRY_BOOT_APPEND=crash=df boot df --mode legacy32 --quick --kernel "$KERNEL32"
check "crash=df: status 4 (got $rc), a double fault through the task gate, not a reset" sh -c "test $rc -eq 4 && grep -q 'FATAL: #DF double fault (vector 8) delivered through the task gate' '$tmp/df.err' && ! grep -q 'guest reset' '$tmp/df.err'"
check "crash=df: the #DF task reports the interrupted task's broken ESP from the old TSS" grep -q "interrupted task: .*esp=f0000000" "$tmp/df.err"

KENTRY_BOOT_TIMEOUT=3 KENTRY_BOOT_APPEND=crash=hang boot hang --mode legacy32 --quick --kernel "$KERNEL32"
check "crash=hang: status 4 (got $rc), hung in legacy-int-gate" sh -c "test $rc -eq 4 && grep -q 'guest hung.*last path started: legacy-int-gate' '$tmp/hang.err'"
check "crash=hang: no QEMU left running" sh -c "! pgrep -f 'crash=han[g]' >/dev/null"

boot wrong --mode legacy32 --quick --only legacy-int-gate --kernel "$BUILD/kentry-kernel.elf"
check "the long-mode image under --mode legacy32: status 3 (got $rc), saying so" sh -c "test $rc -eq 3 && grep -q 'is not the legacy32 kernel (it says kernel.mode long)' '$tmp/wrong.err'"
check "the wrong image's results are not kept; the requested id is skipped with the reason" jq -e '[.results[] | select(.world == "bare-metal")] | length == 1 and .[0].id == "legacy-int-gate" and .[0].status == "skipped" and (.[0].reason | test("not the legacy32 kernel"))' "$tmp/wrong.json"

boot missing --mode legacy32 --quick --kernel "$tmp/nonexistent.elf"
check "a missing legacy image: status 3 (got $rc), 'run make'" sh -c "test $rc -eq 3 && grep -q 'not found: run make' '$tmp/missing.err'"

boot other --mode long --only legacy-task-gate
check "--mode long with a legacy id: status 2 (got $rc), naming the legacy32 kernel" sh -c "test $rc -eq 2 && grep -q 'measured by the legacy32 kernel' '$tmp/other.err'"
check "nothing written on a usage error" test ! -e "$tmp/other.json"

# Two kernels, one KVM attempt: a stand-in QEMU that logs every KVM start
# and fails it; with --accel auto the first kernel's boot falls back to TCG
# and the second boots under TCG at once, with the same recorded reason.
if [ -r /dev/kvm ] && [ -w /dev/kvm ]; then
	QEMU=$(command -v qemu-system-x86_64)
	cat >"$tmp/fakeqemu" <<EOF2
#!/bin/sh
for a in "\$@"; do
	if [ "\$a" = kvm ]; then
		echo kvm >>"$tmp/kvm-attempts"
		echo "qemu-system-x86_64: failed to initialize kvm: Operation not permitted" >&2
		exit 1
	fi
done
exec "$QEMU" "\$@"
EOF2
	chmod +x "$tmp/fakeqemu"
	KENTRY_QEMU="$tmp/fakeqemu" boot kvm2 --accel auto --mode all --variant minimal --quick --only int-gate,legacy-int-gate
	check "--mode all, KVM unusable: status 0 (got $rc), both kernels measured under TCG" jq -e '
		([.results[] | select(.world == "bare-metal" and .status == "measured")] | length == 2) and
		(.guest_environment | .accel == "tcg" and .["legacy32.accel"] == "tcg" and
		 (.["legacy32.accel.fallback"] | test("failed to initialize kvm")))' "$tmp/kvm2.json"
	check "--mode all: KVM tried once, not once per kernel ($(wc -l <"$tmp/kvm-attempts") attempts)" test "$(wc -l <"$tmp/kvm-attempts")" -eq 1
	check "--mode all: one fallback line" test "$(grep -c 'falling back to TCG' "$tmp/kvm2.err")" -eq 1
fi

echo "1..$n"
[ $bad -eq 0 ]
