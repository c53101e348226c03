#!/bin/sh
# Output files as a root user meets them (defects 1-3 of issue 6): a
# private character device made with mknod stays a character device, a
# FIFO is written through to its reader, a symbolic link stays and its
# target is replaced (mode and owner kept), '-' is standard output, two
# names for one file are refused before anything runs, a closed pipe or a
# full disk on standard output is reported (status 5) and loses no file.
set -u
. "$(dirname "$0")/../lib.sh"
[ -x "$K" ] || { echo "not ok 1 - $K missing: run make"; exit 1; }
F=tests/fixtures/results/bench-quiet-1.json
cd "$tmp" || exit 1
case $K in /*) ;; *) K="$OLDPWD/$K" ;; esac
case $F in /*) ;; *) F="$OLDPWD/$F" ;; esac

# standard output: '-' carries the JSON alone, whole
"$K" show "$F" --json - >dash.json 2>dash.err
check "--json -: status 0" test $? -eq 0
check "--json -: standard output is the JSON document" jq -e '.schema == "kentry-results" and (.results | length) == 15' dash.json
check "--json -: no file named '-'" test ! -e ./-

# a private character device (a copy of /dev/null's numbers): written
# through, still a character device afterwards
if [ "$(id -u)" -eq 0 ]; then
	mknod cdev c 1 3
	"$K" show "$F" --json cdev >/dev/null 2>cdev.err
	check "char device: status 0" test $? -eq 0
	check "char device: still a character device" test -c cdev
	mknod blk b 7 250
	"$K" show "$F" --json blk >/dev/null 2>blk.err
	check "block device: refused, status 5" test $? -eq 5
	check "block device: says so" grep -q "is a block device" blk.err
	check "block device: still a block device" test -b blk
	# another user's file replaced by root keeps its owner and mode
	echo old >owned.json
	chown 65534:65534 owned.json
	chmod 640 owned.json
	"$K" show "$F" --json owned.json >/dev/null 2>&1
	check "root replacing a user's file keeps owner and mode" sh -c '[ "$(stat -c %u:%g:%a owned.json)" = 65534:65534:640 ]'
	check "... and the file is the new result" jq -e '.schema_version == 2' owned.json
else
	echo "# not root: the mknod and chown checks are left out"
fi
"$K" show "$F" --json /dev/null >/dev/null 2>&1
check "/dev/null: status 0" test $? -eq 0
check "/dev/null: still a character device" test -c /dev/null

# a FIFO with a reader gets the whole document; without one, an error
mkfifo fifo
cat fifo >from-fifo.json &
reader=$!
( sleep 10; kill $reader 2>/dev/null ) & # never hang the test
watchdog=$!
"$K" show "$F" --json fifo >/dev/null 2>fifo.err
rc=$?
wait $reader
kill $watchdog 2>/dev/null
check "FIFO with a reader: status 0 (got $rc)" test $rc -eq 0
check "FIFO: the reader got the whole document" jq -e '.schema == "kentry-results"' from-fifo.json
check "FIFO: still a FIFO" test -p fifo
"$K" show "$F" --json fifo >/dev/null 2>nofifo.err
check "FIFO without a reader: status 5 (after 1 s)" test $? -eq 5
check "FIFO without a reader: says so" grep -q "no process opened the FIFO for reading within 1 s" nofifo.err

# a symbolic link: the link stays, its target is replaced in its own
# directory
mkdir target-dir
echo old >target-dir/t.json
chmod 604 target-dir/t.json
ln -s target-dir/t.json link.json
"$K" show "$F" --json link.json >/dev/null 2>&1
check "symlink: still a link to the same target" sh -c '[ "$(readlink link.json)" = target-dir/t.json ]'
check "symlink: the target holds the result" jq -e '.schema_version == 2' target-dir/t.json
check "symlink: the target's mode is kept" sh -c '[ "$(stat -c %a target-dir/t.json)" = 604 ]'
check "symlink: no temporary file left" sh -c '[ "$(ls -A target-dir)" = t.json ] && [ -z "$(ls -A | grep kentry)" ]'

# two names for one file, refused before anything runs (status 2)
"$K" bench --json a.json --csv ./target-dir/../a.json >/dev/null 2>same.err
check "same new file named two ways: status 2" test $? -eq 2
check "same file: says so, names both" grep -q -- "--json a.json and --csv ./target-dir/../a.json are the same file" same.err
"$K" show "$F" --json b.json --csv b.json >/dev/null 2>same1.err
check "one name twice: status 2, says so" sh -c "test $? -eq 2 && grep -q -- '--json b.json and --csv b.json are the same file' same1.err && test ! -e b.json"
"$K" show "$F" --json /dev/null --csv /dev/null >/dev/null 2>null2.err
check "one character device twice (/dev/null): allowed (status $?)" test $? -eq 0
"$K" show "$F" --json link.json --markdown target-dir/t.json >/dev/null 2>same2.err
check "a link and its target: status 2" test $? -eq 2
"$K" show "$F" --json /dev/stdout --csv - >stdout.txt 2>same3.err
check "/dev/stdout and '-': status 2" test $? -eq 2
"$K" show "$F" --json "$F" >/dev/null 2>same4.err
check "the input file as output: status 2" test $? -eq 2
"$K" show "$F" --json target-dir >/dev/null 2>dir.err
check "a directory: status 5, 'is a directory'" sh -c "test $? -eq 5 && grep -q 'is a directory' dir.err"

# standard output closed early: the file is written, the pipe reported
{ "$K" bench --quick --only syscall,vdso --no-progress --json piped.json 2>pipe.err; echo $? >pipe.rc; } | head -n 1 >/dev/null
check "closed pipe: the result file is written" jq -e '.results | length == 2' piped.json
check "closed pipe: status 5 (got $(cat pipe.rc))" test "$(cat pipe.rc)" -eq 5
check "closed pipe: 'write error: Broken pipe'" grep -q "^kentry: write error: Broken pipe$" pipe.err
"$K" list >&- 2>closed.err
check "standard output closed: status 5" test $? -eq 5
check "standard output closed: says so" grep -q "write error: Bad file descriptor" closed.err

# a full disk on standard output, and as an output file
if [ -c /dev/full ]; then
	for args in "list" "show $F" "bench --quick --only syscall --no-progress"; do
		"$K" $args >/dev/full 2>full.err
		check "'$args' >/dev/full: status 5 (got $?)" test $? -eq 5
		check "'$args' >/dev/full: 'No space left on device'" grep -q "write error: No space left on device" full.err
	done
	"$K" show "$F" --json /dev/full >/dev/null 2>full2.err
	check "--json /dev/full: status 5" test $? -eq 5
	check "--json /dev/full: names the file and the reason" grep -q "/dev/full: No space left on device" full2.err
fi
echo "1..$n"
[ $bad -eq 0 ]
