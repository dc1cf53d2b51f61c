#!/usr/bin/env bash
# coldtest.sh: times a cold `make test` as a fresh machine runs it: a fresh
# clone of HEAD, empty GOCACHE and GOMODCACHE, ../shared beside the clone when
# this checkout has one. Prints wall-clock and CPU seconds (user+sys of every
# process make waited for) and the sizes of the two caches, then removes
# everything it made.
#
#   scripts/coldtest.sh            # times `make test`
#   scripts/coldtest.sh test-beam-race
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
target=${1:-test}
work=$(mktemp -d)
trap 'chmod -R u+w "$work" 2>/dev/null; rm -rf "$work"' EXIT
git clone -q "$repo" "$work/dsatmine"
if [ -d "$repo/../shared" ]; then ln -s "$(cd "$repo/../shared" && pwd)" "$work/shared"; fi
export GOCACHE="$work/gocache" GOMODCACHE="$work/gomodcache" GOFLAGS=-modcacherw
mkdir -p "$GOCACHE" "$GOMODCACHE"
cd "$work/dsatmine"
status=0
/usr/bin/time -f "make $target: %e s wall, %U s user + %S s system" -o "$work/time" make "$target" || status=$?
cat "$work/time"
echo "caches: $(du -sh "$GOMODCACHE" | cut -f1) of modules, $(du -sh "$GOCACHE" | cut -f1) of builds; load average now $(cut -d' ' -f1-3 /proc/loadavg)"
exit $status
