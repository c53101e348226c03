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
