#!/usr/bin/env bash
# A/B throughput of `dsatmine mine` between a base commit and the work tree,
# interleaved run by run so that both see the same load on a shared machine.
#
#   bench/ab.sh BASE_COMMIT [CORPUS] [-- extra mine flags]
#
# CORPUS defaults to the real corpus make bench builds
# (bench/corpus/sharegpt-real-18x.jsonl). Each side runs AB_REPEAT times
# (default 5); the fastest wall and CPU time of each is reported, with
# decode-only (`stats` of the work tree) for reference.
set -euo pipefail
cd "$(dirname "$0")/.."
GO=${GO:-go}
base=$1
shift
corpus=bench/corpus/sharegpt-real-18x.jsonl
if [ $# -gt 0 ] && [ "$1" != "--" ]; then
	corpus=$1
	shift
fi
if [ "${1:-}" = "--" ]; then
	shift
fi
REPEAT=${AB_REPEAT:-5}
out=bench/corpus/ab
mkdir -p "$out"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
git archive "$base" | tar -x -C "$tmp"
(cd "$tmp" && "$GO" build -o "$OLDPWD/$out/dsatmine-base" ./cmd/dsatmine)
"$GO" build -o "$out/dsatmine-new" ./cmd/dsatmine
bytes=$(wc -c <"$corpus")
cat "$corpus" >/dev/null
echo "corpus $corpus ($bytes bytes), base $(git rev-parse --short "$base"), work tree $(git rev-parse --short HEAD)$(git diff --quiet || echo ' (modified)'), load $(cut -d' ' -f1-3 /proc/loadavg)"
run() { # label cmd...: appends "label wall cpu" to $out/ab.txt
	local label=$1
	shift
	/usr/bin/time -f "%e %U %S" -o "$out/t.txt" "$@" >/dev/null 2>&1
	awk -v l="$label" '{print l, $1, $2 + $3}' "$out/t.txt" >>"$out/ab.txt"
}
: >"$out/ab.txt"
for _ in $(seq "$REPEAT"); do
	run stats env GOGC="${GOGC:-400}" "$out/dsatmine-new" stats "$corpus"
	run base "$out/dsatmine-base" mine "$corpus" -o "$out/a-base.jsonl" --events "$out/e-base.jsonl" --stats "$out/s-base.json" "$@"
	run new "$out/dsatmine-new" mine "$corpus" -o "$out/a-new.jsonl" --events "$out/e-new.jsonl" --stats "$out/s-new.json" "$@"
done
for f in a e s; do
	ext=jsonl
	[ $f = s ] && ext=json
	cmp -s "$out/$f-base.$ext" "$out/$f-new.$ext" || echo "NOTE: $f-base.$ext and $f-new.$ext differ"
done
awk -v b="$bytes" '
	{ if (!($1 in w) || $2 < w[$1]) w[$1] = $2; if (!($1 in c) || $3 < c[$1]) c[$1] = $3 }
	END {
		for (k in w) printf "%-6s best wall %6.2f s (%6.1f MB/s)   best CPU %6.2f s (%6.1f MB/cpu-s)\n", k, w[k], b / 1e6 / w[k], c[k], b / 1e6 / c[k]
		printf "new / base throughput: %.2fx (wall), %.2fx (CPU); new mine / stats: %.2f (wall), %.2f (CPU); base mine / stats: %.2f (wall), %.2f (CPU)\n", w["base"] / w["new"], c["base"] / c["new"], w["stats"] / w["new"], c["stats"] / c["new"], w["stats"] / w["base"], c["stats"] / c["base"]
	}' "$out/ab.txt"
