#!/bin/sh
# Runs every native Go fuzz target of the reliability suite for a short time.
#
#   scripts/fuzz.sh [SECONDS] [PACKAGE...]
#
# SECONDS defaults to $FUZZTIME or 20; the packages default to the readers,
# the detectors and the miner. Each target runs on its own (go test allows one
# -fuzz target per run). Crashing inputs are written by go test to
# <package>/testdata/fuzz/<Target>/ - commit them as regression inputs once
# fixed. The script exits non-zero if any target fails. FUZZ_SKIP lists
# target names to leave out (for example a target with a known open issue).
set -u
secs=${1:-${FUZZTIME:-20}}
[ $# -gt 0 ] && shift
pkgs=${*:-./conversation ./labelled ./heuristics ./dsat}
GO=${GO:-go}
parallel=${FUZZ_PARALLEL:-2}
# Minimising a new input re-runs it many times; inputs grown from the 64 KiB
# seeds take long, and a minimisation still running when -fuzztime ends makes
# go test fail with "context deadline exceeded". Five seconds keeps short runs
# clean; a crasher is still written, only less minimised.
minimize=${FUZZ_MINIMIZE:-5s}

cd "$(dirname "$0")/.." || exit 2
status=0
ran=0
for pkg in $pkgs; do
	targets=$($GO test -list '^Fuzz' "$pkg" | grep '^Fuzz') || { echo "fuzz: cannot list targets of $pkg" >&2; status=1; continue; }
	for target in $targets; do
		case " ${FUZZ_SKIP:-} " in *" $target "*) echo "== $pkg $target skipped (FUZZ_SKIP)"; continue ;; esac
		echo "== $pkg $target (${secs}s)"
		ran=$((ran + 1))
		if ! $GO test -run='^$' -fuzz="^${target}\$" -fuzztime="${secs}s" -fuzzminimizetime="$minimize" -parallel="$parallel" "$pkg"; then
			echo "FAIL: $pkg $target" >&2
			status=1
		fi
	done
done
if [ "$ran" -eq 0 ]; then
	echo "fuzz: no targets found" >&2
	exit 1
fi
[ "$status" -eq 0 ] && echo "fuzz: $ran targets ran without a crash"
exit $status
