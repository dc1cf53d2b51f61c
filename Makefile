# dsatmine developer targets. `make test` is the test command CI runs (.ci/run).
GO ?= go

.PHONY: test test-beam-race demo bench fuzz

# The test suite: formatting, vet, the core module's full suite with the race
# detector (the default model's reproduction test, which trains it from
# scratch, in its own pass without -race), and the nested Apache Beam module
# (examples/beam, its own go.mod) without it: the Beam SDK's race build costs
# minutes and a gigabyte of modules on a fresh machine. test-beam-race runs
# the Beam module with -race.
#
# What a cold run spends, and how this recipe saves it (README, Development):
# - the Beam module's modules (over a gigabyte) download while the core
#   module is vetted, which is compute-bound;
# - go vet ./... runs every analyzer first, so go test runs with -vet=off
#   (it would run a subset of the same analyzers again);
# - the core's vet compiles its packages without -race; the Beam module
#   requires the same dependency versions (internal/repotest checks it), so
#   its build reuses those packages instead of compiling them again;
# - the Beam module then builds and tests alongside the core's race pass,
#   whose long last packages leave a core idle.
# A failure in any part fails the target; both parts run to the end.
test:
	@unformatted=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go') | grep -v '^testdata/' || true); \
	if [ -n "$$unformatted" ]; then echo "gofmt needed:"; echo "$$unformatted"; exit 1; fi
	@set -u; \
	(cd examples/beam && $(GO) list -deps -test ./... >/dev/null) & fetch=$$!; \
	echo "$(GO) vet ./..."; $(GO) vet ./...; vet=$$?; \
	wait $$fetch; fetched=$$?; \
	if [ $$vet -ne 0 ] || [ $$fetched -ne 0 ]; then \
		echo "make test: FAILED (core vet $$vet, Beam module download $$fetched)"; exit 1; fi; \
	(cd examples/beam && echo "(examples/beam) $(GO) vet ./... && $(GO) test -vet=off ./..." && \
		$(GO) vet ./... && $(GO) test -vet=off ./...) & beam=$$!; \
	echo "$(GO) test -race -vet=off ./..."; $(GO) test -race -vet=off ./...; core=$$?; \
	echo "$(GO) test -vet=off -run 'TestDefaultModelReproducible' ./cmd/dsatmine"; \
	$(GO) test -vet=off -run 'TestDefaultModelReproducible' ./cmd/dsatmine; repro=$$?; \
	wait $$beam; beamst=$$?; \
	if [ $$core -ne 0 ] || [ $$repro -ne 0 ] || [ $$beamst -ne 0 ]; then \
		echo "make test: FAILED (core race pass $$core, model reproduction $$repro, Beam module $$beamst)"; exit 1; fi

# The Beam module's tests with the race detector (by hand: its race build
# alone takes over ten minutes cold; CI runs exactly `make test`).
test-beam-race:
	cd examples/beam && $(GO) test -race ./...

# The main job on the bundled sample data.
demo:
	$(GO) run ./cmd/dsatmine mine testdata/sample/wildchat-sample.jsonl -o out/anchors.jsonl --events out/events.jsonl --stats out/stats.json

# A short run of every fuzz target (FUZZTIME seconds each, default 20); fails on a crash.
fuzz:
	./scripts/fuzz.sh $(FUZZTIME)

# Throughput benchmark: generates WildChat-like corpora of 100 and 500 MB once
# into bench/corpus/, and a corpus of real chat text from ../shared/data when
# present (also as Parquet, with a naive Python script beside it for scale),
# and reports decode-only and mining throughput (1 and 2 workers, with and
# without the classifier) and peak RSS. BENCH_SIZES=20 for a quick run,
# BENCH_SIZES= for the real corpus only.
bench:
	GO=$(GO) bench/run.sh
