# dsatmine developer targets. `make test` is the test command CI runs (.ci/run).
GO ?= go

.PHONY: test test-beam-race demo bench fuzz

# The test suite: formatting, vet, the core module's full suite with the race
# detector (the default model's reproduction test, which trains it from
# scratch, in its own pass without -race), and the nested Apache Beam module (examples/beam, its own go.mod)
# without it: the Beam SDK's race build costs minutes and a gigabyte of
# modules on a fresh machine. test-beam-race runs the Beam module with -race.
test:
	@unformatted=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go') | grep -v '^testdata/' || true); \
	if [ -n "$$unformatted" ]; then echo "gofmt needed:"; echo "$$unformatted"; exit 1; fi
	$(GO) vet ./...
	$(GO) test -race ./...
	$(GO) test -run 'TestDefaultModelReproducible' ./cmd/dsatmine
	cd examples/beam && $(GO) vet ./... && $(GO) test ./...

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
