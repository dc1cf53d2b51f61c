#!/usr/bin/env bash
# Throughput benchmark of dsatmine (issue 5), run by `make bench`.
#
# Builds the CLI and the corpus generator, generates deterministic
# WildChat-like corpora once into bench/corpus/ (gitignored), and reports in
# one run, for each corpus size:
#   decode   `dsatmine stats`: read and decode every record, nothing else
#            (with GOGC=400, the collector setting mine uses by default)
#   mine     `dsatmine mine` with 1 and 2 workers, without and with the
#            embedded classifier (--classifier default, on every follow-up)
# as MB/s and conversations/s of wall time (best of BENCH_REPEAT runs), CPU
# seconds, and peak RSS from GNU time (installed with apt-get when missing).
#
# Environment: BENCH_SIZES (MB, default "100 500"), GO (default go),
# BENCH_WORKERS (default "1 2"), BENCH_REPEAT (runs per measurement, the
# fastest is reported; default 3).
set -euo pipefail
cd "$(dirname "$0")/.."

GO=${GO:-go}
SIZES=${BENCH_SIZES:-"100 500"}
WORKERS=${BENCH_WORKERS:-"1 2"}
REPEAT=${BENCH_REPEAT:-3}
CORPUS=bench/corpus # gitignored, like the binaries and outputs under it
BIN=$CORPUS/bin
OUT=$CORPUS/out
mkdir -p "$BIN" "$CORPUS" "$OUT"

if [ ! -x /usr/bin/time ]; then
	echo "installing GNU time" >&2
	if [ "$(id -u)" = 0 ]; then
		apt-get install -y -qq time >/dev/null || { apt-get update -qq && apt-get install -y -qq time >/dev/null; }
	else
		sudo apt-get install -y -qq time >/dev/null || { sudo apt-get update -qq && sudo apt-get install -y -qq time >/dev/null; }
	fi
fi

"$GO" build -o "$BIN/dsatmine" ./cmd/dsatmine
"$GO" build -o "$BIN/gen" ./bench/gen

for size in $SIZES; do
	f="$CORPUS/wildchat-${size}MB.jsonl"
	if [ ! -s "$f" ]; then
		echo "generating $f" >&2
		"$BIN/gen" -size "${size}MB" -o "$f.tmp" && mv "$f.tmp" "$f"
	fi
done

echo "load average before the run: $(cut -d' ' -f1-3 /proc/loadavg) (other processes share the CPUs: compare CPU seconds when it is high)"
echo "machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'), $("$GO" version | cut -d' ' -f3-)"
echo "commit:  $(git rev-parse --short HEAD 2>/dev/null || echo unknown)$(git diff --quiet 2>/dev/null || echo ' (work tree modified)')"
echo

# measure LABEL BYTES STATS_JSON CMD...: runs CMD under GNU time REPEAT
# times and prints one result line for the fastest run (the machine may be
# shared; the fastest run is the one least disturbed). Peak RSS is the
# largest of all runs. The conversation count is read from STATS_JSON.
measure() {
	local label=$1 bytes=$2 stats=$3
	shift 3
	local wall="" rss=0 cpu="" convs w c r
	for _ in $(seq "$REPEAT"); do
		/usr/bin/time -v -o "$OUT/time.txt" "$@" >"$OUT/stdout.txt" 2>"$OUT/stderr.txt" || {
			echo "FAILED: $*" >&2
			cat "$OUT/stderr.txt" >&2
			exit 1
		}
		w=$(awk -F': ' '/Elapsed \(wall clock\)/ {n = split($2, p, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + p[i]; print s}' "$OUT/time.txt")
		c=$(awk -F': ' '/User time/ {u = $2} /System time/ {s = $2} END {print u + s}' "$OUT/time.txt")
		r=$(awk -F': ' '/Maximum resident set size/ {print int($2 / 1024)}' "$OUT/time.txt")
		if [ -z "$wall" ] || awk -v a="$w" -v b="$wall" 'BEGIN {exit !(a < b)}'; then
			wall=$w cpu=$c
		fi
		[ "$r" -gt "$rss" ] && rss=$r
	done
	convs=$(grep -m1 '"conversations"' "$stats" | tr -dc '0-9')
	awk -v l="$label" -v b="$bytes" -v w="$wall" -v c="$cpu" -v r="$rss" -v n="$convs" 'BEGIN {
		printf "%-38s %7.1f MB/s %7.0f conv/s %7.2f s wall %7.2f s cpu (%6.1f MB/cpu-s) %5d MB peak RSS\n", l, b / 1e6 / w, n / w, w, c, b / 1e6 / c, r
	}'
	printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$label" "$bytes" "$wall" "$cpu" "$rss" "$convs" >>"$OUT/results.txt"
}

: >"$OUT/results.txt"
for size in $SIZES; do
	f="$CORPUS/wildchat-${size}MB.jsonl"
	bytes=$(wc -c <"$f")
	cat "$f" >/dev/null # warm the page cache: measure the program, not the disk
	echo "corpus $f ($bytes bytes)"
	# mine sets GOGC=400 unless GOGC is set; decode with the same collector.
	measure "decode-only (stats)" "$bytes" "$OUT/stdout.txt" env GOGC="${GOGC:-400}" "$BIN/dsatmine" stats "$f"
	for w in $WORKERS; do
		measure "mine --workers $w" "$bytes" "$OUT/stats.json" \
			"$BIN/dsatmine" mine "$f" -o "$OUT/anchors.jsonl" --stats "$OUT/stats.json" --workers "$w"
	done
	for w in $WORKERS; do
		measure "mine --workers $w --classifier default" "$bytes" "$OUT/stats.json" \
			"$BIN/dsatmine" mine "$f" -o "$OUT/anchors.jsonl" --stats "$OUT/stats.json" --workers "$w" --classifier default
	done
	echo
done

# Ratios against the targets, on the largest corpus; RSS across sizes.
awk -F'\t' '
	{ wall[$1, $2] = $3; cpu[$1, $2] = $4; rss[$1, $2] = $5; if ($2 + 0 > big + 0) big = $2 }
	$1 == "mine --workers 2" { sizes = sizes sprintf("%.0f MB: %d MB  ", $2 / 1e6, $5) }
	END {
		d = wall["decode-only (stats)", big]; m1 = wall["mine --workers 1", big]; m2 = wall["mine --workers 2", big]
		c1 = wall["mine --workers 1 --classifier default", big]; c2 = wall["mine --workers 2 --classifier default", big]
		printf "on the %.0f MB corpus:\n", big / 1e6
		if (d && m1) printf "  mining with 1 worker / decode-only throughput: %.0f%% of wall time, %.0f%% of CPU time  (target >= 60%%)\n", 100 * d / m1, 100 * cpu["decode-only (stats)", big] / cpu["mine --workers 1", big]
		if (m1 && m2) printf "  speed-up from 1 to 2 workers: %.2fx  (target >= 1.7x)\n", m1 / m2
		if (c1 && c2) printf "  speed-up from 1 to 2 workers with the classifier: %.2fx\n", c1 / c2
		if (m1 && c1) printf "  throughput drop with the classifier on every follow-up: %.0f%% with 1 worker", 100 * (1 - m1 / c1)
		if (m2 && c2) printf ", %.0f%% with 2 workers", 100 * (1 - m2 / c2)
		if (m1 && c1) printf "  (target <= 25%%)\n"
		if (sizes != "") printf "peak RSS of mine --workers 2 by corpus size: %s (target <= 200 MB, flat)\n", sizes
	}' "$OUT/results.txt"
