#!/usr/bin/env bash
# Instructions executed (valgrind's cachegrind, which counts them exactly)
# by `dsatmine stats`, `mine --workers 1 --classifier none` (heuristics
# only) and `mine --workers 1` (the default detector: heuristics and the
# embedded classifier), for a base commit and the work tree, on the first
# MB megabytes of a corpus. On a machine shared with other jobs CPU seconds
# move by tens of percent between runs; instruction counts move by well
# under one percent (the garbage collector's share varies a little), so
# small changes can be measured. They are not time: cache misses and
# branch mispredictions are not in them.
#
#   bench/instr.sh BASE_COMMIT [CORPUS] [MB]
#
# CORPUS defaults to the real corpus make bench builds
# (bench/corpus/sharegpt-real-18x.jsonl), MB to 20. Needs valgrind.
set -euo pipefail
cd "$(dirname "$0")/.."
GO=${GO:-go}
base=$1
corpus=${2:-bench/corpus/sharegpt-real-18x.jsonl}
mb=${3:-20}
out=bench/corpus/instr
mkdir -p "$out"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
git archive "$base" | tar -x -C "$tmp"
(cd "$tmp" && "$GO" build -o "$OLDPWD/$out/dsatmine-base" ./cmd/dsatmine)
"$GO" build -o "$out/dsatmine-new" ./cmd/dsatmine
# Whole lines only.
head -c "$((mb * 1000000))" "$corpus" | sed '$d' >"$out/corpus.jsonl"
echo "corpus: first $(wc -l <"$out/corpus.jsonl") lines ($(wc -c <"$out/corpus.jsonl") bytes) of $corpus; base $(git rev-parse --short "$base"), work tree $(git rev-parse --short HEAD)$(git diff --quiet || echo ' (modified)')"
count() { # prints the instructions of one run, in millions
	valgrind --tool=cachegrind --cache-sim=no --cachegrind-out-file=/dev/null "$@" 2>&1 >/dev/null |
		awk '/I *refs:/ { gsub(",", "", $NF); printf "%.0f", $NF / 1e6 }'
}
for side in base new; do
	bin=$out/dsatmine-$side
	s=$(count "$bin" stats "$out/corpus.jsonl")
	h=$(count "$bin" mine "$out/corpus.jsonl" --workers 1 --classifier none -o "$out/a-h-$side.jsonl" --events "$out/e-h-$side.jsonl")
	d=$(count "$bin" mine "$out/corpus.jsonl" --workers 1 -o "$out/a-d-$side.jsonl" --events "$out/e-d-$side.jsonl")
	awk -v side="$side" -v s="$s" -v h="$h" -v d="$d" 'BEGIN {
		printf "%-4s  stats %6d M   heuristics only %6d M (%.2f of stats)   default %6d M (%.2f of stats)   classifier adds %d M = %.0f%% of heuristics only\n",
			side, s, h, s / h, d, s / d, d - h, 100 * (d - h) / h }'
done
for f in a-h e-h a-d e-d; do
	cmp -s "$out/$f-base.jsonl" "$out/$f-new.jsonl" || echo "NOTE: $f-base.jsonl and $f-new.jsonl differ"
done
