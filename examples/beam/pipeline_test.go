package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/testing/ptest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dsatmine/dsatmine/conversation"
	"github.com/dsatmine/dsatmine/dsat"
	"github.com/dsatmine/dsatmine/export"
	"github.com/dsatmine/dsatmine/internal/jsonx"
)

// TestMain runs the pipelines of this package on the in-process prism
// runner unless --runner says otherwise.
func TestMain(m *testing.M) { ptest.Main(m) }

const root = "../../testdata"

// sampleInputs are the test inputs in run order: several formats and
// containers, a bad file (skipped records) and a file given twice (so that
// dedup across shards has work to do).
var sampleInputs = []string{
	root + "/sample/openai-sample.jsonl",
	root + "/sample/sharegpt-sample.json",
	root + "/sample/wildchat-sample.jsonl",
	root + "/labelled/en.jsonl",
	root + "/bad/not-json.jsonl",
	root + "/formats/*.jsonl",
	root + "/sample/openai-sample.jsonl",
}

// output is what one run wrote.
type output struct {
	anchors, events, stats []byte
}

// runBeam runs the pipeline for opts on the test runner and reads its outputs.
func runBeam(t *testing.T, opts Options) output {
	t.Helper()
	dir := t.TempDir()
	opts.Anchors = filepath.Join(dir, "anchors.jsonl")
	opts.Events = filepath.Join(dir, "events.jsonl")
	opts.Stats = filepath.Join(dir, "stats.json")
	p, s := beam.NewPipelineWithRoot()
	require.NoError(t, Build(context.Background(), s, opts))
	require.NoError(t, ptest.Run(p))
	return output{anchors: readFile(t, opts.Anchors), events: readFile(t, opts.Events), stats: readFile(t, opts.Stats)}
}

// runSingle mines the same inputs in one process with dsat.Miner.Run, the
// way `dsatmine mine` does, and renders its outputs the same way.
func runSingle(t *testing.T, opts Options) output {
	t.Helper()
	format, err := conversation.ParseFormat(opts.Format)
	require.NoError(t, err)
	shards, err := ExpandInputs(context.Background(), opts.Inputs, 0, format)
	require.NoError(t, err)
	policy := opts.Policy
	require.NoError(t, policy.loadModel(context.Background()))
	cfg, err := policy.Config()
	require.NoError(t, err)
	m, err := dsat.NewMiner(cfg)
	require.NoError(t, err)
	var inputs []dsat.Input
	for _, sh := range shards {
		r, err := conversation.Open(sh.Path)
		require.NoError(t, err)
		t.Cleanup(func() { r.Close() })
		r.Format = format
		r.Strict = opts.Strict
		inputs = append(inputs, r)
	}
	var out output
	var anchors, events bytes.Buffer
	st, err := m.Run(context.Background(), inputs, dsat.Sinks{
		Anchors: export.NewAnchorWriter(&anchors, opts.Export),
		Events:  export.NewEventWriter(&events),
	})
	require.NoError(t, err)
	out.anchors, out.events = anchors.Bytes(), events.Bytes()
	b, err := jsonx.MarshalIndent(st, "", "  ")
	require.NoError(t, err)
	out.stats = append(b, '\n')
	return out
}

func readFile(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(name)
	require.NoError(t, err)
	return b
}

// assertSame checks that two runs wrote byte-identical outputs.
func assertSame(t *testing.T, want, got output) {
	t.Helper()
	assert.Equal(t, string(want.anchors), string(got.anchors), "anchors")
	assert.Equal(t, string(want.events), string(got.events), "events")
	assert.Equal(t, string(want.stats), string(got.stats), "stats")
}

func TestPipelineMatchesSingleProcess(t *testing.T) {
	noDedup := DefaultPolicy()
	noDedup.NoDedup = true
	strict := DefaultPolicy()
	strict.Threshold = 0.3
	strict.MaxAnchorsPerConversation = 1
	strict.PushbackAnchors = true
	withClassifier := DefaultPolicy()
	withClassifier.Classifier = "default"
	withModelFile := DefaultPolicy()
	withModelFile.Classifier = "../../classifier/models/default.json"
	withModelFile.Cascade = "default"
	withRule := DefaultPolicy()
	withRule.Classifier = "default"
	withRule.ClassifierThreshold = 0.3
	withRule.ClassifierVeto = -1

	cases := []struct {
		name   string
		opts   Options
		assert func(t *testing.T, st *dsat.Stats)
	}{
		{"drift", Options{Inputs: sampleInputs, Policy: DefaultPolicy()}, func(t *testing.T, st *dsat.Stats) {
			assert.Positive(t, st.Duplicates, "the repeated file gives duplicates")
			assert.Positive(t, st.RecordsSkipped, "the bad file gives skipped records")
			assert.Positive(t, st.Pairs)
		}},
		{"trl", Options{Inputs: sampleInputs, Export: export.FormatTRL, Policy: DefaultPolicy()}, func(t *testing.T, st *dsat.Stats) {
			assert.Positive(t, st.Dropped[dsat.SkipNoChosen], "pairwise export declines anchors without chosen")
			assert.Equal(t, st.Pairs, st.Anchors)
		}},
		{"no-dedup", Options{Inputs: sampleInputs, Policy: noDedup}, func(t *testing.T, st *dsat.Stats) {
			assert.Zero(t, st.Duplicates)
		}},
		{"policy", Options{Inputs: sampleInputs, Export: export.FormatKTO, Policy: strict}, func(t *testing.T, st *dsat.Stats) {
			assert.Positive(t, st.Dropped[dsat.SkipMaxAnchors])
		}},
		{"split", Options{Inputs: sampleInputs, SplitBytes: 4000, Policy: DefaultPolicy()}, func(t *testing.T, st *dsat.Stats) {
			assert.True(t, st.Accounting.Balanced)
		}},
		{"classifier", Options{Inputs: sampleInputs, Policy: withClassifier}, func(t *testing.T, st *dsat.Stats) {
			require.NotNil(t, st.Classifier)
			assert.Positive(t, st.Classifier.Scored)
		}},
		{"model-file", Options{Inputs: sampleInputs, Policy: withModelFile}, func(t *testing.T, st *dsat.Stats) {
			require.NotNil(t, st.Classifier)
			assert.NotNil(t, st.Classifier.Band)
		}},
		{"classifier-rule", Options{Inputs: sampleInputs, Policy: withRule}, func(t *testing.T, st *dsat.Stats) {
			require.NotNil(t, st.Classifier)
			assert.Positive(t, st.Classifier.Raised, "a low threshold raises follow-ups")
			assert.Zero(t, st.Classifier.Vetoed, "no veto")
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			want := runSingle(t, tc.opts)
			got := runBeam(t, tc.opts)
			assertSame(t, want, got)
			var st dsat.Stats
			require.NoError(t, jsonx.Unmarshal(got.stats, &st))
			assert.Positive(t, st.Anchors)
			assert.Equal(t, int64(bytes.Count(got.anchors, []byte("\n"))), st.Anchors)
			tc.assert(t, &st)
		})
	}
}

// TestPipelineMatchesSharedData runs the pipeline over the real logs in
// ../shared/data (gzip, trees, a large ShareGPT file) when they are present.
func TestPipelineMatchesSharedData(t *testing.T) {
	inputs := []string{
		"../../../shared/data/dev/sharegpt-dev.jsonl",
		"../../../shared/data/real/hh-rlhf-harmless-test.jsonl.gz",
		"../../../shared/data/real/oasst-en100-trees.jsonl",
	}
	for _, in := range inputs {
		if _, err := os.Stat(in); err != nil {
			t.Skipf("shared data absent: %v", err)
		}
	}
	opts := Options{Inputs: inputs, Policy: DefaultPolicy()}
	want := runSingle(t, opts)
	got := runBeam(t, opts)
	assertSame(t, want, got)
	assert.Greater(t, bytes.Count(got.anchors, []byte("\n")), 100)
}

// TestPipelineMatchesCLI compares the pipeline with the dsatmine binary
// itself, built from the root module.
func TestPipelineMatchesCLI(t *testing.T) {
	goTool, err := exec.LookPath("go")
	require.NoError(t, err, "the go tool builds the dsatmine CLI")
	dir := t.TempDir()
	bin := filepath.Join(dir, "dsatmine")
	build := exec.Command(goTool, "build", "-o", bin, "./cmd/dsatmine")
	build.Dir = "../.."
	out, err := build.CombinedOutput()
	require.NoError(t, err, "%s", out)

	opts := Options{Inputs: sampleInputs, Export: export.FormatOpenRLHF, Policy: DefaultPolicy()}
	shards, err := ExpandInputs(context.Background(), opts.Inputs, 0, conversation.FormatAuto)
	require.NoError(t, err)
	args := []string{"mine", "--export", "openrlhf",
		"-o", filepath.Join(dir, "anchors.jsonl"),
		"--events", filepath.Join(dir, "events.jsonl"),
		"--stats", filepath.Join(dir, "stats.json")}
	for _, sh := range shards {
		args = append(args, sh.Path)
	}
	mine := exec.Command(bin, args...)
	out, err = mine.CombinedOutput()
	require.NoError(t, err, "%s", out)
	want := output{
		anchors: readFile(t, filepath.Join(dir, "anchors.jsonl")),
		events:  readFile(t, filepath.Join(dir, "events.jsonl")),
		stats:   readFile(t, filepath.Join(dir, "stats.json")),
	}
	assertSame(t, want, runBeam(t, opts))
	assert.NotEmpty(t, want.anchors)
}

// TestPipelineWritesEmptyOutputs checks that a run without anchors or
// events still writes its (empty) files, as `dsatmine mine` does.
func TestPipelineWritesEmptyOutputs(t *testing.T) {
	opts := Options{Inputs: []string{root + "/bad/not-json.jsonl"}, Policy: DefaultPolicy()}
	want := runSingle(t, opts)
	got := runBeam(t, opts)
	assertSame(t, want, got)
	assert.Empty(t, got.anchors)
	assert.Empty(t, got.events)
	var st dsat.Stats
	require.NoError(t, jsonx.Unmarshal(got.stats, &st))
	assert.Positive(t, st.RecordsSkipped)
	assert.Zero(t, st.Anchors)
}

func TestBuildErrors(t *testing.T) {
	dir := t.TempDir()
	base := Options{Inputs: []string{root + "/sample/openai-sample.jsonl"}, Anchors: filepath.Join(dir, "a.jsonl"), Policy: DefaultPolicy()}
	build := func(opts Options) error {
		_, s := beam.NewPipelineWithRoot()
		return Build(context.Background(), s, opts)
	}
	require.NoError(t, build(base))

	o := base
	o.Export = "csv"
	assert.ErrorIs(t, build(o), export.ErrUnknownFormat)

	o = base
	o.Policy.Threshold = 2
	assert.ErrorIs(t, build(o), dsat.ErrConfig)

	o = base
	o.Format = "yaml"
	assert.Error(t, build(o))

	o = base
	o.Policy.Classifier = "none"
	o.Policy.Cascade = "0:0.5"
	assert.Error(t, build(o), "a cascade needs a classifier")

	o = base
	o.Policy.Classifier = "default"
	o.Policy.Cascade = "0.9:0.1"
	assert.ErrorIs(t, build(o), ErrBand)

	o = base
	o.Policy.Classifier = filepath.Join(dir, "missing-model.json")
	assert.Error(t, build(o))

	o = base
	o.Anchors = ""
	assert.Error(t, build(o))

	o = base
	o.Inputs = []string{filepath.Join(dir, "*.nothing")}
	assert.ErrorIs(t, build(o), ErrNoInput)

	o = base
	o.Inputs = nil
	assert.ErrorIs(t, build(o), ErrNoInput)
}

func TestExpandInputs(t *testing.T) {
	shards, err := ExpandInputs(context.Background(), []string{
		root + "/sample/wildchat-sample.jsonl",
		root + "/formats/oasst-*.jsonl",
		root + "/sample/wildchat-sample.jsonl",
	}, 0, conversation.FormatAuto)
	require.NoError(t, err)
	var got []string
	for i, sh := range shards {
		assert.Equal(t, i, sh.Index)
		got = append(got, strings.TrimPrefix(sh.Path, root+"/"))
	}
	assert.Equal(t, []string{
		"sample/wildchat-sample.jsonl",
		"formats/oasst-messages.jsonl",
		"formats/oasst-rootless.jsonl",
		"formats/oasst-rows.jsonl",
		"formats/oasst-trees.jsonl",
		"sample/wildchat-sample.jsonl",
	}, got)
}

func TestExpandInputsSplits(t *testing.T) {
	ctx := context.Background()
	wild := root + "/sample/wildchat-sample.jsonl"
	fi, err := os.Stat(wild)
	require.NoError(t, err)
	shards, err := ExpandInputs(ctx, []string{wild, root + "/formats/oasst-messages.jsonl", root + "/sample/sharegpt-sample.json"}, 40000, conversation.FormatAuto)
	require.NoError(t, err)
	n := int((fi.Size() + 39999) / 40000)
	require.Len(t, shards, n+2)
	var end int64
	for i, sh := range shards[:n] {
		assert.Equal(t, i, sh.Index)
		assert.True(t, sh.Ranged)
		assert.Equal(t, end, sh.Start, "shards are contiguous")
		assert.Greater(t, sh.End, sh.Start)
		end = sh.End
	}
	assert.Equal(t, fi.Size(), end)
	assert.False(t, shards[n].Ranged, "OpenAssistant rows are not split")
	assert.False(t, shards[n+1].Ranged, "JSON arrays cannot be split")

	// A forced OpenAssistant format is not split either; 0 never splits.
	shards, err = ExpandInputs(ctx, []string{wild}, 40000, conversation.FormatOASST)
	require.NoError(t, err)
	assert.Len(t, shards, 1)
	shards, err = ExpandInputs(ctx, []string{wild}, 0, conversation.FormatAuto)
	require.NoError(t, err)
	assert.Len(t, shards, 1)
}

func TestParseBand(t *testing.T) {
	b, err := parseBand("0.2:0.7")
	require.NoError(t, err)
	assert.Equal(t, dsat.Band{Low: 0.2, High: 0.7}, b)
	b, err = parseBand("default")
	require.NoError(t, err)
	assert.Equal(t, dsat.DefaultCascade, b)
	for _, bad := range []string{"", "0.5", "0.7:0.2", "-1:0.5", "0:2", "a:b"} {
		_, err := parseBand(bad)
		assert.ErrorIs(t, err, ErrBand, bad)
	}
}

func TestDedupKeepsFirstInInputOrder(t *testing.T) {
	recs := []AnchorRec{
		{Pos: Pos{Shard: 2, Conv: 0, Item: 0}, Line: []byte("c\n")},
		{Pos: Pos{Shard: 0, Conv: 5, Item: 1}, Line: []byte("b\n")},
		{Pos: Pos{Shard: 0, Conv: 5, Item: 0}, Line: []byte("a\n")},
		{Pos: Pos{Shard: 1, Conv: 0, Item: 0}, Line: []byte("d\n")},
	}
	i := 0
	next := func(r *AnchorRec) bool {
		if i == len(recs) {
			return false
		}
		*r = recs[i]
		i++
		return true
	}
	var got []AnchorRec
	dedupFn{}.ProcessElement("k", next, func(r AnchorRec) { got = append(got, r) })
	require.Len(t, got, 1)
	assert.Equal(t, "a\n", string(got[0].Line))
	assert.Equal(t, int64(3), got[0].Dups)
}

func TestStatsCombine(t *testing.T) {
	a := RunStats{S: *dsat.NewStats()}
	a.S.Records, a.S.Anchors = 3, 1
	a.S.Dropped["duplicate"] = 1
	a.S.Models["m"] = dsat.GroupStats{Conversations: 1, FollowUps: 4, DSAT: 1}
	b := RunStats{S: *dsat.NewStats()}
	b.S.Records, b.S.Duplicates = 2, 2
	b.S.Dropped["duplicate"] = 2
	b.S.Models["m"] = dsat.GroupStats{Conversations: 1, FollowUps: 4, DSAT: 3}

	fn := statsCombineFn{}
	got := fn.MergeAccumulators(fn.MergeAccumulators(fn.CreateAccumulator(), a), b)
	assert.Equal(t, int64(5), got.S.Records)
	assert.Equal(t, int64(1), got.S.Anchors)
	assert.Equal(t, int64(2), got.S.Duplicates)
	assert.Equal(t, int64(3), got.S.Dropped["duplicate"])
	assert.Equal(t, dsat.GroupStats{Conversations: 2, FollowUps: 8, DSAT: 4, Rate: 0.5}, got.S.Models["m"])
	assert.Equal(t, int64(1), a.S.Dropped["duplicate"], "inputs are not modified")

	// The coder round-trips the statistics exactly.
	enc, err := encodeRunStats(got)
	require.NoError(t, err)
	dec, err := decodeRunStats(enc)
	require.NoError(t, err)
	assert.Equal(t, got, dec)
}
