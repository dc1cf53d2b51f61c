#!/usr/bin/env bash
# Parquet against JSON Lines on the real corpus (issue 17), interleaved.
#
#   bench/parquet.sh
#
# Builds the CLI from the work tree and the real corpus of `make bench` when
# missing (../shared/data/real/sharegpt-sample.json written 18 times with
# fresh ids, as JSON Lines and as Parquet with columns id and conversations),
# then runs, for `stats`, `mine --workers 1 --classifier none` and
# `mine --workers 1 --classifier default`, the JSON Lines and the Parquet
# file one after the other PQ_REPEAT times (default 7), so that both see the
# same load on a shared machine. It prints for each the fastest and the
# median CPU seconds (user + system, GNU time), the MB/s of the JSON Lines
# bytes per CPU second at the median, and the largest peak RSS, with the
# Parquet / JSON Lines ratios; and it checks that mining the two gives
# byte-identical anchors, events and statistics.
set -euo pipefail
cd "$(dirname "$0")/.."

GO=${GO:-go}
REPEAT=${PQ_REPEAT:-7}
SHARED=${DSATMINE_SHARED_DATA:-../shared/data}
CORPUS=bench/corpus
BIN=$CORPUS/bin
OUT=$CORPUS/pq
mkdir -p "$BIN" "$OUT"
"$GO" build -o "$BIN/dsatmine" ./cmd/dsatmine
"$GO" build -o "$BIN/gen" ./bench/gen
JSONL=$CORPUS/sharegpt-real-18x.jsonl
PQ=$CORPUS/sharegpt-real-18x.parquet
src=$SHARED/real/sharegpt-sample.json
[ -s "$src" ] || { echo "bench/parquet.sh: $src not found" >&2; exit 1; }
[ -s "$JSONL" ] || { "$BIN/gen" -real "$src" -copies 18 -o "$JSONL.tmp" && mv "$JSONL.tmp" "$JSONL"; }
[ -s "$PQ" ] || { "$BIN/gen" -real "$src" -copies 18 -parquet -o "$PQ.tmp" && mv "$PQ.tmp" "$PQ"; }
bytes=$(wc -c <"$JSONL")
cat "$JSONL" "$PQ" >/dev/null

# The outputs first: the two containers must give the same bytes.
for f in "$JSONL" "$PQ"; do
	k=$(basename "$f" | sed 's/.*\.//')
	"$BIN/dsatmine" mine "$f" -o "$OUT/anchors.$k" --events "$OUT/events.$k" --stats "$OUT/stats.$k" --workers 1 >/dev/null 2>&1
done
for o in anchors events stats; do
	cmp -s "$OUT/$o.jsonl" "$OUT/$o.parquet" || { echo "bench/parquet.sh: $o differ between JSON Lines and Parquet" >&2; exit 1; }
done

echo "corpus $JSONL ($bytes bytes) and $PQ ($(wc -c <"$PQ") bytes), commit $(git rev-parse --short HEAD)$(git diff --quiet || echo ' (modified)'), load $(cut -d' ' -f1-3 /proc/loadavg), $REPEAT runs each, interleaved"
echo "outputs of mine: byte-identical"
: >"$OUT/runs.txt"
for i in $(seq "$REPEAT"); do
	for run in stats none default; do
		for f in "$JSONL" "$PQ"; do
			k=$(basename "$f" | sed 's/.*\.//')
			case $run in
			stats) set -- env GOGC="${GOGC:-400}" "$BIN/dsatmine" stats "$f" ;;
			*) set -- "$BIN/dsatmine" mine "$f" -o "$OUT/a.jsonl" --stats "$OUT/s.json" --workers 1 --classifier "$run" ;;
			esac
			/usr/bin/time -f "%U %S %M" -o "$OUT/t.txt" "$@" >/dev/null 2>&1
			awk -v r="$run" -v k="$k" '{print r, k, $1 + $2, int($3 / 1024)}' "$OUT/t.txt" >>"$OUT/runs.txt"
		done
	done
done
sort -k1,1 -k2,2 -k3,3n "$OUT/runs.txt" | awk -v b="$bytes" '
	{ key = $1 " " $2; n[key]++; cpu[key, n[key]] = $3; if ($4 > rss[key]) rss[key] = $4 }
	END {
		split("stats none default", runs, " ")
		label["stats"] = "decode only (stats)"; label["none"] = "mine --workers 1 --classifier none"; label["default"] = "mine --workers 1 --classifier default"
		for (i = 1; i <= 3; i++) {
			r = runs[i]; j = r " jsonl"; p = r " parquet"
			mj = cpu[j, int((n[j] + 1) / 2)]; mp = cpu[p, int((n[p] + 1) / 2)]
			printf "%-38s JSON Lines: CPU s %.2f fastest, %.2f median (%5.1f MB/cpu-s), %3d MB peak RSS\n", label[r], cpu[j, 1], mj, b / 1e6 / mj, rss[j]
			printf "%-38s Parquet:    CPU s %.2f fastest, %.2f median (%5.1f MB/cpu-s), %3d MB peak RSS\n", "", cpu[p, 1], mp, b / 1e6 / mp, rss[p]
			printf "%-38s Parquet / JSON Lines throughput: %.2f (fastest), %.2f (median); peak RSS %+.0f%%\n", "", cpu[j, 1] / cpu[p, 1], mj / mp, 100 * (rss[p] / rss[j] - 1)
		}
	}'
