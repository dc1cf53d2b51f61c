package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dsatmine/dsatmine/bench/wildchat"
	"github.com/dsatmine/dsatmine/internal/shareddata"
	"github.com/stretchr/testify/require"
)

// The golden outputs guard the miner's speed work: anchors, events and run
// statistics of `dsatmine mine` over fixed inputs must stay byte-identical.
// When a change is meant to alter the outputs (a lexicon, a rule, a model),
// regenerate them with
//
//	go test ./cmd/dsatmine -run Golden -update
//
// and review the diff of testdata/golden/ before committing.
var updateGolden = flag.Bool("update", false, "rewrite the golden files under testdata/golden/ instead of comparing")

const goldenDir = "../../testdata/golden"

// goldenModes are the mine settings every golden input runs with.
var goldenModes = []struct {
	name string
	args []string
}{
	{"heuristics", []string{"--classifier", "none"}},
	{"classifier", nil}, // the default detector: heuristics with the embedded model
	{"kto", []string{"--export", "kto", "--workers", "1"}},
}

// mineOutputs runs `dsatmine mine` on inputs and returns its three outputs.
func mineOutputs(t *testing.T, args []string, inputs ...string) map[string][]byte {
	t.Helper()
	dir := t.TempDir()
	out := map[string]string{
		"anchors.jsonl": filepath.Join(dir, "anchors.jsonl"),
		"events.jsonl":  filepath.Join(dir, "events.jsonl"),
		"stats.json":    filepath.Join(dir, "stats.json"),
	}
	all := append(append([]string{}, inputs...),
		"-o", out["anchors.jsonl"], "--events", out["events.jsonl"], "--stats", out["stats.json"])
	_, stderr, err := runCmd(t, newMineCmd(), append(all, args...)...)
	require.NoError(t, err, stderr)
	res := map[string][]byte{}
	for name, p := range out {
		b, err := os.ReadFile(p)
		require.NoError(t, err)
		res[name] = b
	}
	return res
}

// TestGoldenSamples compares the outputs over the bundled samples with the
// files in testdata/golden/<sample>-<mode>/.
func TestGoldenSamples(t *testing.T) {
	samples := []string{"wildchat-sample.jsonl", "sharegpt-sample.json", "openai-sample.jsonl"}
	for _, s := range samples {
		for _, mode := range goldenModes {
			name := strings.TrimSuffix(s, filepath.Ext(s)) + "-" + mode.name
			t.Run(name, func(t *testing.T) {
				got := mineOutputs(t, mode.args, filepath.Join("../../testdata/sample", s))
				dir := filepath.Join(goldenDir, name)
				if *updateGolden {
					require.NoError(t, os.MkdirAll(dir, 0o755))
					for f, b := range got {
						require.NoError(t, os.WriteFile(filepath.Join(dir, f), b, 0o644))
					}
					return
				}
				for f, b := range got {
					want, err := os.ReadFile(filepath.Join(dir, f))
					require.NoError(t, err, "golden file missing: go test ./cmd/dsatmine -run Golden -update")
					require.Equal(t, string(want), string(b), "%s/%s changed (regenerate with -update if intended)", name, f)
				}
			})
		}
	}
}

// digestGolden compares the SHA-256 digests of outputs with the golden
// digest file name (one "<sha256>  <output>" line per output), or rewrites it.
func digestGolden(t *testing.T, name string, got map[string][]byte) {
	t.Helper()
	var sb strings.Builder
	for _, f := range []string{"anchors.jsonl", "events.jsonl", "stats.json"} {
		sum := sha256.Sum256(got[f])
		fmt.Fprintf(&sb, "%s  %s\n", hex.EncodeToString(sum[:]), f)
	}
	p := filepath.Join(goldenDir, name+".sha256")
	if *updateGolden {
		require.NoError(t, os.MkdirAll(goldenDir, 0o755))
		require.NoError(t, os.WriteFile(p, []byte(sb.String()), 0o644))
		return
	}
	want, err := os.ReadFile(p)
	require.NoError(t, err, "golden digest missing: go test ./cmd/dsatmine -run Golden -update")
	require.Equal(t, string(want), sb.String(), "outputs of %s changed (regenerate with -update if intended)", name)
}

// TestGoldenGenerated mines 3 MB of the benchmark's generated WildChat-like
// corpus (seven languages, code, pasted documents) and compares digests.
func TestGoldenGenerated(t *testing.T) {
	var buf bytes.Buffer
	_, err := wildchat.Generate(&buf, 3_000_000, 1)
	require.NoError(t, err)
	in := filepath.Join(t.TempDir(), "wildchat-3MB.jsonl")
	require.NoError(t, os.WriteFile(in, buf.Bytes(), 0o644))
	for _, mode := range goldenModes {
		t.Run(mode.name, func(t *testing.T) {
			digestGolden(t, "generated-3MB-"+mode.name, mineOutputs(t, mode.args, in))
		})
	}
}

// TestGoldenReal mines the real logs of ../shared/data/real when present and
// compares digests (their text is not ours to copy). Without the data the
// case is skipped and -update keeps the digests that are there.
func TestGoldenReal(t *testing.T) {
	for _, rel := range []string{"real/sharegpt-sample.json", "real/oasst-en100-trees.jsonl"} {
		base := strings.TrimSuffix(filepath.Base(rel), filepath.Ext(rel))
		for _, mode := range goldenModes {
			t.Run(base+"-"+mode.name, func(t *testing.T) {
				p := shareddata.Require(t, rel)
				digestGolden(t, "real-"+base+"-"+mode.name, mineOutputs(t, mode.args, p))
			})
		}
	}
}
