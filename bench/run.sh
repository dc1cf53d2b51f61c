#!/usr/bin/env bash
# Throughput benchmark of dsatmine (issue 5), run by `make bench`.
#
# Builds the CLI and the corpus generator, generates deterministic
# WildChat-like corpora once into bench/corpus/ (gitignored), and reports in
# one run, for each corpus size:
#   decode   `dsatmine stats`: read and decode every record, nothing else
#            (with GOGC=400, the collector setting mine uses by default)
#   mine     `dsatmine mine` with 1 and 2 workers, heuristics only
#            (--classifier none) and with the embedded classifier (the
#            default detector, --classifier default, on every follow-up)
# as MB/s and conversations/s of wall time (best of BENCH_REPEAT runs), CPU
# seconds, and peak RSS from GNU time (installed with apt-get when missing).
#
# When ../shared/data/real/sharegpt-sample.json is present (or
# $DSATMINE_SHARED_DATA/real/...), it also builds a corpus of real chat text:
# that ShareGPT sample written BENCH_REAL_COPIES times (default 18, about
# 60 MB) as JSON Lines with fresh ids (bench/realcorpus), measures the same
# runs on it, and, when python3 is installed, the naive Python script
# bench/baseline.py (json.loads, one keyword regex, write anchors) for scale,
# and the same records as a Parquet file (stats, and mine --workers 1 with
# and without the classifier; MB/s of the JSON Lines bytes, so that the two
# compare).
#
# Environment: BENCH_SIZES (MB of the generated corpora, default "100 500";
# "" for none), GO (default go), BENCH_WORKERS (default "1 2"), BENCH_REPEAT
# (runs per measurement, the fastest is reported; default 3),
# BENCH_REAL_COPIES (default 18; 0 skips the real corpus).
set -euo pipefail
cd "$(dirname "$0")/.."

GO=${GO:-go}
SIZES=${BENCH_SIZES-"100 500"}
REAL_COPIES=${BENCH_REAL_COPIES:-18}
SHARED=${DSATMINE_SHARED_DATA:-../shared/data}
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

CORPORA=()
for size in $SIZES; do
	f="$CORPUS/wildchat-${size}MB.jsonl"
	if [ ! -s "$f" ]; then
		echo "generating $f" >&2
		"$BIN/gen" -size "${size}MB" -o "$f.tmp" && mv "$f.tmp" "$f"
	fi
	CORPORA+=("$f")
done
REAL=""
if [ "$REAL_COPIES" -gt 0 ] && [ -s "$SHARED/real/sharegpt-sample.json" ]; then
	REAL="$CORPUS/sharegpt-real-${REAL_COPIES}x.jsonl"
	if [ ! -s "$REAL" ]; then
		echo "building $REAL" >&2
		"$BIN/gen" -real "$SHARED/real/sharegpt-sample.json" -copies "$REAL_COPIES" -o "$REAL.tmp" && mv "$REAL.tmp" "$REAL"
	fi
	CORPORA+=("$REAL")
	REALPQ="$CORPUS/sharegpt-real-${REAL_COPIES}x.parquet"
	if [ ! -s "$REALPQ" ]; then
		echo "building $REALPQ" >&2
		"$BIN/gen" -real "$SHARED/real/sharegpt-sample.json" -copies "$REAL_COPIES" -parquet -o "$REALPQ.tmp" && mv "$REALPQ.tmp" "$REALPQ"
	fi
else
	echo "no real corpus: $SHARED/real/sharegpt-sample.json not found (or BENCH_REAL_COPIES=0)" >&2
fi

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
	convs=$(grep -o -m1 '"conversations": *[0-9]*' "$stats" | head -n1 | tr -dc '0-9')
	convs=${convs:-0}
	awk -v l="$label" -v b="$bytes" -v w="$wall" -v c="$cpu" -v r="$rss" -v n="$convs" 'BEGIN {
		printf "%-38s %7.1f MB/s %7.0f conv/s %7.2f s wall %7.2f s cpu (%6.1f MB/cpu-s) %5d MB peak RSS\n", l, b / 1e6 / w, n / w, w, c, b / 1e6 / c, r
	}'
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$label" "$bytes" "$wall" "$cpu" "$rss" "$convs" "$CORPUS_NAME" >>"$OUT/results.txt"
}

: >"$OUT/results.txt"
for f in "${CORPORA[@]}"; do
	CORPUS_NAME=$(basename "$f" .jsonl)
	bytes=$(wc -c <"$f")
	cat "$f" >/dev/null # warm the page cache: measure the program, not the disk
	echo "corpus $f ($bytes bytes)"
	# mine sets GOGC=400 unless GOGC is set; decode with the same collector.
	measure "decode-only (stats)" "$bytes" "$OUT/stdout.txt" env GOGC="${GOGC:-400}" "$BIN/dsatmine" stats "$f"
	for w in $WORKERS; do
		measure "mine --workers $w --classifier none" "$bytes" "$OUT/stats.json" \
			"$BIN/dsatmine" mine "$f" -o "$OUT/anchors.jsonl" --stats "$OUT/stats.json" --workers "$w" --classifier none
	done
	for w in $WORKERS; do
		measure "mine --workers $w --classifier default" "$bytes" "$OUT/stats.json" \
			"$BIN/dsatmine" mine "$f" -o "$OUT/anchors.jsonl" --stats "$OUT/stats.json" --workers "$w" --classifier default
	done
	if [ "$f" = "$REAL" ] && command -v python3 >/dev/null; then
		measure "python3 bench/baseline.py (not dsatmine)" "$bytes" "$OUT/stdout.txt" python3 bench/baseline.py "$f" "$OUT/baseline.jsonl"
	fi
	if [ "$f" = "$REAL" ]; then
		# The same records as Parquet; MB/s counts the JSON Lines bytes, so
		# the two are comparable.
		measure "parquet: decode-only (stats)" "$bytes" "$OUT/stdout.txt" env GOGC="${GOGC:-400}" "$BIN/dsatmine" stats "$REALPQ"
		measure "parquet: mine --workers 1 --classifier none" "$bytes" "$OUT/stats.json" \
			"$BIN/dsatmine" mine "$REALPQ" -o "$OUT/anchors.jsonl" --stats "$OUT/stats.json" --workers 1 --classifier none
		measure "parquet: mine --workers 1 --classifier default" "$bytes" "$OUT/stats.json" \
			"$BIN/dsatmine" mine "$REALPQ" -o "$OUT/anchors.jsonl" --stats "$OUT/stats.json" --workers 1 --classifier default
	fi
	echo
done

# Ratios against the targets: on the largest generated corpus (issues 4, 5)
# and on the real corpus (issue 17). All figures of one corpus come from this
# one interleaved run; compare ratios, not absolute MB/s, on a shared machine.
awk -F'\t' -v real="$(basename "${REAL:-none}" .jsonl)" '
	{ wall[$7, $1] = $3; cpu[$7, $1] = $4; rss[$7, $1] = $5; bytes[$7] = $2
	  if ($7 != real && $2 + 0 > big + 0) { big = $2; bigc = $7 } }
	$1 == "mine --workers 2 --classifier none" && $7 != real { sizes = sizes sprintf("%.0f MB: %d MB  ", $2 / 1e6, $5) }
	function report(c, d, m1, m2, c1, c2) {
		d = wall[c, "decode-only (stats)"]; m1 = wall[c, "mine --workers 1 --classifier none"]; m2 = wall[c, "mine --workers 2 --classifier none"]
		c1 = wall[c, "mine --workers 1 --classifier default"]; c2 = wall[c, "mine --workers 2 --classifier default"]
		if (d && m1) printf "  mine --workers 1 / stats throughput: %.2f of wall time, %.2f of CPU time\n", d / m1, cpu[c, "decode-only (stats)"] / cpu[c, "mine --workers 1 --classifier none"]
		if (d && c1) printf "  mine --workers 1 --classifier default / stats throughput: %.2f of wall time, %.2f of CPU time\n", d / c1, cpu[c, "decode-only (stats)"] / cpu[c, "mine --workers 1 --classifier default"]
		if (m1 && m2) printf "  speed-up from 1 to 2 workers: %.2fx\n", m1 / m2
		if (c1 && c2) printf "  speed-up from 1 to 2 workers with the classifier: %.2fx\n", c1 / c2
		if (m1 && c1) printf "  throughput drop with the classifier on every follow-up: %.0f%% with 1 worker\n", 100 * (1 - m1 / c1)
	}
	END {
		if (bigc != "") {
			printf "on the generated %.0f MB corpus (%s):\n", big / 1e6, bigc
			report(bigc)
			if (sizes != "") printf "  peak RSS of mine --workers 2 by corpus size: %s\n", sizes
		}
		if (bytes[real]) {
			printf "on the real corpus (%s, %.0f MB):\n", real, bytes[real] / 1e6
			report(real)
			p = wall[real, "python3 bench/baseline.py (not dsatmine)"]
			if (p) {
				printf "  mine --workers 1 vs the Python script: %.2fx its MB/s (wall), %.2fx (CPU)\n", p / wall[real, "mine --workers 1 --classifier none"], cpu[real, "python3 bench/baseline.py (not dsatmine)"] / cpu[real, "mine --workers 1 --classifier none"]
				printf "  mine --workers 1 --classifier default vs the Python script: %.2fx its MB/s (wall), %.2fx (CPU)\n", p / wall[real, "mine --workers 1 --classifier default"], cpu[real, "python3 bench/baseline.py (not dsatmine)"] / cpu[real, "mine --workers 1 --classifier default"]
			}
			split("decode-only (stats)|mine --workers 1 --classifier none|mine --workers 1 --classifier default", runs, "|")
			for (i = 1; i <= 3; i++) {
				q = wall[real, "parquet: " runs[i]]
				if (q) printf "  the same records as Parquet, %s: %.2f of the JSON Lines throughput (wall), %.2f (CPU); peak RSS %d MB vs %d MB (%+.0f%%)\n", runs[i], wall[real, runs[i]] / q, cpu[real, runs[i]] / cpu[real, "parquet: " runs[i]], rss[real, "parquet: " runs[i]], rss[real, runs[i]], 100 * (rss[real, "parquet: " runs[i]] / rss[real, runs[i]] - 1)
			}
			printf "  peak RSS: mine --workers 1 %d MB, --workers 2 %d MB, with the classifier %d / %d MB\n", rss[real, "mine --workers 1 --classifier none"], rss[real, "mine --workers 2 --classifier none"], rss[real, "mine --workers 1 --classifier default"], rss[real, "mine --workers 2 --classifier default"]
		}
	}' "$OUT/results.txt"
