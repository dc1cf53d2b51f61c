package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/spf13/cobra"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dsatmine/dsatmine/dsat"
)

func TestMineWithDefaultClassifierAndCascade(t *testing.T) {
	dir := t.TempDir()
	in := writeFile(t, dir, "in.jsonl", mineInput)
	stats := filepath.Join(dir, "stats.json")
	_, _, err := runCmd(t, newMineCmd(), in, "-o", filepath.Join(dir, "a.jsonl"), "--stats", stats,
		"--classifier", "default", "--cascade", "0:0.8")
	require.NoError(t, err)
	b, err := os.ReadFile(stats)
	require.NoError(t, err)
	var st dsat.Stats
	require.NoError(t, json.Unmarshal(b, &st))
	require.NotNil(t, st.Classifier)
	require.Equal(t, "logreg", st.Classifier.Name)
	require.Equal(t, &dsat.Band{Low: 0, High: 0.8}, st.Classifier.Band)
	require.Equal(t, st.FollowUps, st.Classifier.Scored+st.Classifier.OutsideBand+sum(st.Classifier.Errors),
		"every follow-up is either scored, outside the band or a counted error")
}

func TestScoringFlagErrors(t *testing.T) {
	dir := t.TempDir()
	in := writeFile(t, dir, "in.jsonl", mineInput)
	out := filepath.Join(dir, "a.jsonl")
	_, _, err := runCmd(t, newMineCmd(), in, "-o", out, "--classifier", "none", "--cascade", "default")
	require.ErrorContains(t, err, "--cascade needs")
	_, _, err = runCmd(t, newMineCmd(), in, "-o", out, "--classifier", filepath.Join(dir, "missing.json"))
	require.Error(t, err)
	_, _, err = runCmd(t, newMineCmd(), in, "-o", out, "--classifier", "default",
		"--judge-endpoint", "http://127.0.0.1:1/v1", "--judge-model", "m")
	require.ErrorContains(t, err, "alternatives")
}

func sum(m map[string]int64) int64 {
	var n int64
	for _, v := range m {
		n += v
	}
	return n
}

// The CLI's default detector is the heuristics with the embedded model;
// --classifier none is heuristics only, and a judge replaces the default
// model without a complaint about alternatives.
func TestDefaultClassifier(t *testing.T) {
	dir := t.TempDir()
	in := writeFile(t, dir, "in.jsonl", mineInput)
	run := func(args ...string) (map[string]any, string) {
		t.Helper()
		st, ev := filepath.Join(dir, "stats.json"), filepath.Join(dir, "events.jsonl")
		_, _, err := runCmd(t, newMineCmd(), append([]string{in, "-o", filepath.Join(dir, "a.jsonl"), "--stats", st, "--events", ev}, args...)...)
		require.NoError(t, err)
		var m map[string]any
		b, err := os.ReadFile(st)
		require.NoError(t, err)
		require.NoError(t, json.Unmarshal(b, &m))
		events := readLines(t, ev)
		require.NotEmpty(t, events)
		return m, events[0]["detector_version"].(string)
	}
	def, version := run()
	assert.Contains(t, version, "+logreg@", "the embedded model is on by default")
	assert.NotNil(t, def["classifier"])
	none, version := run("--classifier", "none")
	assert.NotContains(t, version, "+logreg")
	assert.Nil(t, none["classifier"])

	f := addScoringFlags(&cobra.Command{Use: "x"})
	f.judge.endpoint, f.judge.model = "http://127.0.0.1:1/v1", "m"
	sc, err := f.build()
	require.NoError(t, err, "a judge given with the default --classifier replaces it")
	assert.NotNil(t, sc.judge)
}
