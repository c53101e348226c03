# Shared helpers of kentry's benchmarks (sourced). Figures are printed with
# their target beside them; nothing here is asserted by the test suite.
BUILD=${BUILD:-build}
K="$BUILD/kentry"
[ -x "$K" ] || { echo "bench: $K is missing: run make first" >&2; exit 3; }
command -v jq >/dev/null || { echo "bench: jq is missing (apt-get install jq)" >&2; exit 3; }
BTMP=$(mktemp -d)
trap 'rm -rf "$BTMP"' EXIT

now() { date +%s.%N; }
elapsed() { echo "$2 - $1" | bc -l 2>/dev/null || awk "BEGIN{print $2 - $1}"; }
# median field of one id (its default, minimal variant) in a result file:
# json_median FILE ID [cycles|ns]
json_median() { jq -r --arg id "$2" --arg u "${3:-cycles}" '.results[] | select(.id == $id and .variant == null) | if .status == "measured" then .[$u].median else "skipped" end' "$1"; }
# mean, sd and coefficient of variation of numbers on stdin
cv() { awk '{x[NR]=$1; s+=$1} END {m=s/NR; for(i=1;i<=NR;i++) v+=(x[i]-m)^2; sd=sqrt(v/(NR-1)); printf "%.2f %.2f %.2f\n", m, sd, 100*sd/m}'; }
verdict() { # value target-kind (<, <=, >=) target
	awk -v v="$1" -v t="$3" -v k="$2" 'BEGIN { ok = (k == "<") ? (v < t) : (k == ">=") ? (v >= t) : (v <= t); print ok ? "meets target" : "MISSES target" }'
}
