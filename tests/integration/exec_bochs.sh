#!/bin/sh
# Linux programs and the gettimeofday table on kentry's kernel under Bochs
# (GRUB loads the program and its argument block from the run disk's
# `module` lines): a glibc 32-bit program on an Intel model (its time
# calls through __kernel_vsyscall's sysenter), a musl 64-bit one on an AMD
# model (the vsyscall page emulated, the 64-bit vDSO), the seed's raw
# sysenter on the Intel model; `boot --op gettimeofday` on both, whose
# counts match QEMU --icount's within a few instructions, under Bochs also
# with --mitigations kpti-pcid (TCG has no PCID): each entering row adds
# kpti-pcid's 13 instructions (vsyscall@emulate, through trap_common, 5),
# the vDSO rows nothing; and programs under kpti-pcid, where the kernel
# flushes the user PCID itself after each change to a process's user
# tables: memstale's page read after munmap dies of SIGSEGV, its work
# comes out as without, the SSE registers survive. The runs go in
# parallel. About 3 to 10 s.
. tests/lib.sh
need_qemu_kernel
command -v bochs >/dev/null || [ -n "${KENTRY_BOCHS:-}" ] || { echo "bochs not installed (Debian: bochs bochsbios vgabios bochs-term)"; exit 77; }
[ -f "$BUILD/kentry-kernel.iso" ] || { echo "not ok 1 - $BUILD/kentry-kernel.iso missing: run make"; exit 1; }
. tests/programs/build.sh
export KENTRY_BOOT_TIMEOUT=120
build_asm hello_sysenter 32 || exit 77
build_c memstale glibc64 >"$tmp/whyms" 2>&1 || { echo "cannot build memstale: $(cat "$tmp/whyms")"; exit 1; }
build_c xmmkeep glibc64 >"$tmp/whyxm" 2>&1 || { echo "cannot build xmmkeep: $(cat "$tmp/whyxm")"; exit 1; }
build_c ktime glibc32 >"$tmp/why32" 2>&1 || { echo "no glibc32: $(cat "$tmp/why32")"; exit 77; }
build_c ktime musl64 >"$tmp/why64" 2>&1 || build_c ktime glibc64 || exit 1
P64="$tmp/ktime-musl64"
[ -f "$P64" ] || P64="$tmp/ktime-glibc64"

"$K" exec --emulator bochs --cpu intel "$tmp/ktime-glibc32" 9 "a b" >"$tmp/b32.out" 2>"$tmp/b32.err" & p1=$!
"$K" exec --emulator bochs --cpu amd "$P64" 11 >"$tmp/b64.out" 2>"$tmp/b64.err" & p2=$!
"$K" exec --emulator bochs --cpu intel "$tmp/hello_sysenter-32" >"$tmp/bse.out" 2>"$tmp/bse.err" & p3=$!
"$K" boot --op gettimeofday --emulator bochs --cpu intel --quick --no-progress --mitigations kpti-pcid --json "$tmp/gi.json" >"$tmp/gi.out" 2>"$tmp/gi.err" & p4=$!
"$K" boot --op gettimeofday --accel tcg --cpu intel --icount --quick --no-progress --json "$tmp/qi.json" >"$tmp/qi.out" 2>"$tmp/qi.err" & p5=$!
"$K" exec --emulator bochs --cpu intel --mitigations kpti-pcid "$tmp/memstale-glibc64" work >"$tmp/pw.out" 2>&1 & p6=$!
"$K" exec --emulator bochs --cpu intel --mitigations kpti-pcid "$tmp/memstale-glibc64" unmap >"$tmp/pu.out" 2>&1 & p7=$!
"$K" exec --emulator bochs --cpu intel --mitigations kpti-pcid "$tmp/xmmkeep-glibc64" >"$tmp/px.out" 2>&1 & p8=$!
wait $p1; r1=$?
wait $p2; r2=$?
wait $p3; r3=$?
wait $p4; r4=$?
wait $p5; r5=$?
wait $p6; r6=$?
wait $p7; r7=$?
wait $p8; r8=$?

now=$(date +%s)
near_now() { # file: its gettimeofday line within 30 s of the host's clock
	awk -v now="$now" '/^time gettimeofday / { s = $3 + 0; ok = s > now - 30 && s < now + 30 } END { exit !ok }' "$1"
}
check "Bochs Intel, glibc 32-bit: status 9, arguments intact" eval '[ $r1 -eq 9 ] && grep -qxF "arg 2 [a b]" "$tmp/b32.out"'
check "Bochs Intel, glibc 32-bit: the vDSO and AT_SYSINFO, the host's time" eval '
	grep -qx "AT_SYSINFO is __kernel_vsyscall" "$tmp/b32.out" && grep -q "^time vdso-gettimeofday" "$tmp/b32.out" && near_now "$tmp/b32.out"'
check "Bochs AMD, 64-bit: status 11, the vsyscall page emulated, the vDSO" eval '[ $r2 -eq 11 ] &&
	grep -q "^time vsyscall-gettimeofday" "$tmp/b64.out" && grep -q "^time vdso-gettimeofday" "$tmp/b64.out" && near_now "$tmp/b64.out"'
check "Bochs Intel: raw sysenter prints Hello, world!" eval '[ $r3 -eq 0 ] && printf "Hello, world!\n" | cmp -s - "$tmp/bse.out"'
check "Bochs boot --op gettimeofday: status 0; nine rows measured, syscall-32 skipped as Intel documents" eval '[ $r4 -eq 0 ] &&
	[ "$(jq "[.results[] | select(.status == \"measured\" and (.variant // \"\" | test(\"[+]\") | not))] | length" "$tmp/gi.json")" -eq 9 ] &&
	jq -e ".results[] | select(.id == \"syscall-32\") | .reason | test(\"#UD, as Intel documents\")" "$tmp/gi.json"'
check "QEMU --icount gettimeofday run: status 0" test $r5 -eq 0
# the same kernel code counted by two emulators: each row within 5 instructions
check "Bochs and QEMU --icount count each gettimeofday path alike (within 5 instructions)" \
	jq -e -n --slurpfile b "$tmp/gi.json" --slurpfile q "$tmp/qi.json" '
	[$b[0].results[] | select(.status == "measured") | {k: "\(.id)@\(.variant)", v: .cycles.median}] as $bb |
	[$q[0].results[] | select(.status == "measured") | {k: "\(.id)@\(.variant)", v: .cycles.median}] as $qq |
	[$bb[] as $x | $qq[] | select(.k == $x.k) | (.v - $x.v) | fabs <= 5] | (length == 9 and all)'
check "Bochs gettimeofday with kpti-pcid: entering rows +13, vsyscall@emulate +5, the vDSO +0" \
	jq -e '. as $d | [.results[] | select(.variant // "" | test("kpti-pcid$")) as $m |
		($d.results[] | select(.id == $m.id and ((.variant // "full") == ($m.variant | sub("[+]kpti-pcid$"; ""))))) as $p |
		{id: $m.id, v: $p.variant, d: (($m.cycles.median // 0) - ($p.cycles.median // 0)), st: $m.status}] as $r |
		($r | length) == 10 and ([$r[] | select(.st == "measured")] | length) == 9 and
		all($r[] | select(.st == "measured"); .d == (if (.id | test("^vdso")) then 0 elif .v == "emulate" then 5 else 13 end))' "$tmp/gi.json"
check "Bochs kpti-pcid: memstale work as without (status 0, its checksum)" eval '[ $r6 -eq 0 ] && grep -q "^work done: checksum 0x7870000000001084" "$tmp/pw.out"'
check "Bochs kpti-pcid: a read after munmap dies of SIGSEGV (the user PCID flushed)" eval '[ $r7 -eq 139 ] && ! grep -q "^stale" "$tmp/pu.out"'
check "Bochs kpti-pcid: XMM0-15 kept across system calls and a page fault" eval '[ $r8 -eq 0 ] && [ "$(grep -c "xmm kept" "$tmp/px.out")" -eq 7 ]'
echo "1..$n"; [ -n "${KEEP:-}" ] && cp -r "$tmp" "$KEEP"
[ $bad -eq 0 ]
