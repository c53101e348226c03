#!/bin/sh
# Every benchmark of kentry itself; each prints its figures and targets.
cd "$(dirname "$0")/.." || exit 1
for b in precision accuracy single speed boot emulators full legacy fred gtod mitigations; do
	[ -f bench/$b.sh ] && sh bench/$b.sh
	echo
done
