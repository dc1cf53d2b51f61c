package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/cobra"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// runCmd runs a freshly built command in-process.
func runCmd(t *testing.T, cmd *cobra.Command, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	var out, errb bytes.Buffer
	cmd.SetArgs(args)
	cmd.SetOut(&out)
	cmd.SetErr(&errb)
	cmd.SilenceUsage = true
	cmd.SilenceErrors = true
	err = cmd.ExecuteContext(context.Background())
	return out.String(), errb.String(), err
}

// mineInput is a small OpenAI-format log with clear DSAT and SAT follow-ups,
// a duplicate conversation and one malformed line.
const mineInput = `{"id":"c1","messages":[{"role":"system","content":"You are a helpful assistant."},{"role":"user","content":"Write a haiku about the sea."},{"role":"assistant","content":"The sea is very big and blue."},{"role":"user","content":"That's not a haiku. Try again, it needs 5-7-5 syllables."},{"role":"assistant","content":"Waves fold into foam / salt wind carries gull voices / the tide keeps its time"},{"role":"user","content":"Perfect, thank you so much!"}]}
{"id":"c2","messages":[{"role":"system","content":"You are a helpful assistant."},{"role":"user","content":"Write a  haiku about the SEA."},{"role":"assistant","content":"The sea is very big and blue."},{"role":"user","content":"That's wrong, this is not a haiku at all."}]}
not json at all
{"id":"c3","messages":[{"role":"user","content":"What is the capital of France?"},{"role":"assistant","content":"Paris."},{"role":"user","content":"And of Spain?"},{"role":"assistant","content":"Madrid."}]}
`

func writeFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	require.NoError(t, os.WriteFile(p, []byte(content), 0o644))
	return p
}

func readLines(t *testing.T, path string) []map[string]any {
	t.Helper()
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	var out []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		if line == "" {
			continue
		}
		var m map[string]any
		require.NoError(t, json.Unmarshal([]byte(line), &m), line)
		out = append(out, m)
	}
	return out
}

func TestMineCommand(t *testing.T) {
	dir := t.TempDir()
	in := writeFile(t, dir, "in.jsonl", mineInput)
	anchors := filepath.Join(dir, "anchors.jsonl")
	events := filepath.Join(dir, "events.jsonl")
	stats := filepath.Join(dir, "stats.json")

	_, stderr, err := runCmd(t, newMineCmd(), in, "-o", anchors, "--events", events, "--stats", stats)
	require.NoError(t, err)
	assert.Contains(t, stderr, "mined 3 conversations from 4 records (1 skipped)")
	assert.NotContains(t, stderr, "\r", "no progress bar when stderr is not a terminal")

	var st map[string]any
	b, err := os.ReadFile(stats)
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(b, &st))
	assert.EqualValues(t, 4, st["records"])
	assert.EqualValues(t, 1, st["records_skipped"])
	assert.EqualValues(t, 3, st["conversations"])
	assert.Equal(t, st["conversations"], st["conversations_mined"].(float64)+st["conversations_no_signal"].(float64))

	as := readLines(t, anchors)
	assert.EqualValues(t, st["anchors"], len(as))
	for _, a := range as {
		for _, k := range []string{"id", "conversation_id", "source", "turn", "prompt", "rejected", "user_preference", "categories", "score", "evidence"} {
			assert.Contains(t, a, k)
		}
		p := a["prompt"].([]any)
		last := p[len(p)-1].(map[string]any)
		assert.Equal(t, "user", last["role"])
		assert.NotEqual(t, a["user_preference"].(map[string]any)["content"], last["content"])
	}
	evs := readLines(t, events)
	assert.EqualValues(t, st["dsat_events"].(float64)+st["sat_events"].(float64), len(evs))

	// No temporary files are left behind.
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	assert.Len(t, entries, 4)

	// Reruns are byte-identical.
	anchors2 := filepath.Join(dir, "anchors2.jsonl")
	stats2 := filepath.Join(dir, "stats2.json")
	_, _, err = runCmd(t, newMineCmd(), in, "-o", anchors2, "--stats", stats2)
	require.NoError(t, err)
	a1, _ := os.ReadFile(anchors)
	a2, _ := os.ReadFile(anchors2)
	assert.Equal(t, string(a1), string(a2))
	s2, _ := os.ReadFile(stats2)
	assert.Equal(t, string(b), string(s2))
}

func TestMineCommandStrictAndErrors(t *testing.T) {
	dir := t.TempDir()
	in := writeFile(t, dir, "in.jsonl", mineInput)
	out := filepath.Join(dir, "anchors.jsonl")

	_, _, err := runCmd(t, newMineCmd(), in, "-o", out, "--strict")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "in.jsonl")
	_, statErr := os.Stat(out)
	assert.True(t, os.IsNotExist(statErr), "a failed run leaves no output")

	_, _, err = runCmd(t, newMineCmd(), in)
	assert.ErrorContains(t, err, "-o")
	_, _, err = runCmd(t, newMineCmd(), in, "-o", out, "--export", "alpaca")
	assert.ErrorContains(t, err, "alpaca")
	_, _, err = runCmd(t, newMineCmd(), in, "-o", out, "--max-prompt-tokens", "100", "--encoding", "p50k_base")
	assert.ErrorContains(t, err, "p50k_base")
	_, _, err = runCmd(t, newMineCmd(), filepath.Join(dir, "missing.jsonl"), "-o", out)
	assert.Error(t, err)
}

func TestMineCommandExportsAndBudgets(t *testing.T) {
	dir := t.TempDir()
	in := writeFile(t, dir, "in.jsonl", mineInput)
	for _, f := range []string{"drift", "trl", "kto", "openrlhf", "llamafactory"} {
		out := filepath.Join(dir, f+".jsonl")
		_, _, err := runCmd(t, newMineCmd(), in, "-o", out, "--export", f)
		require.NoError(t, err, f)
		recs := readLines(t, out)
		assert.NotEmpty(t, recs, "%s: c1 is a DSAT→SAT pair", f)
		for _, rec := range recs {
			switch f {
			case "trl", "openrlhf":
				assert.Len(t, rec, 3)
				assert.Contains(t, rec, "chosen")
			case "kto":
				assert.Contains(t, rec, "label")
				assert.Contains(t, rec, "completion")
			case "llamafactory":
				assert.Contains(t, rec, "conversations")
				assert.Equal(t, "gpt", rec["chosen"].(map[string]any)["from"])
			default:
				assert.Contains(t, rec, "user_preference")
			}
		}
	}
	// A prompt budget too small for any request skips every anchor.
	out := filepath.Join(dir, "tiny.jsonl")
	stats := filepath.Join(dir, "tiny.json")
	_, _, err := runCmd(t, newMineCmd(), in, "-o", out, "--stats", stats, "--max-prompt-tokens", "5", "--max-total-tokens", "2048")
	require.NoError(t, err)
	assert.Empty(t, readLines(t, out))
	var st struct {
		Anchors int64            `json:"anchors"`
		Dropped map[string]int64 `json:"dropped"`
	}
	b, _ := os.ReadFile(stats)
	require.NoError(t, json.Unmarshal(b, &st))
	assert.Zero(t, st.Anchors)
	assert.Positive(t, st.Dropped["prompt_too_long"])
}

// The README's main command writes into out/, which a fresh clone lacks.
func TestMineCreatesOutputDirectories(t *testing.T) {
	dir := t.TempDir()
	in := writeFile(t, dir, "in.jsonl", mineInput)
	anchors := filepath.Join(dir, "out", "nested", "anchors.jsonl")
	stats := filepath.Join(dir, "out", "stats", "stats.json")
	_, _, err := runCmd(t, newMineCmd(), in, "-o", anchors, "--stats", stats)
	require.NoError(t, err)
	require.FileExists(t, anchors)
	require.FileExists(t, stats)
	entries, err := os.ReadDir(filepath.Dir(anchors))
	require.NoError(t, err)
	require.Len(t, entries, 1, "no temporary file is left behind")
}

func TestMineExportOptions(t *testing.T) {
	dir := t.TempDir()
	sample := filepath.Join("..", "..", "testdata", "sample", "sharegpt-sample.json")
	statsOf := func(args ...string) (map[string]any, []map[string]any) {
		out := filepath.Join(dir, "a.jsonl")
		stats := filepath.Join(dir, "s.json")
		_, _, err := runCmd(t, newMineCmd(), append([]string{sample, "-o", out, "--stats", stats}, args...)...)
		require.NoError(t, err, args)
		b, err := os.ReadFile(stats)
		require.NoError(t, err)
		var st map[string]any
		require.NoError(t, json.Unmarshal(b, &st))
		return st, readLines(t, out)
	}
	def, defRecs := statsOf("--export", "trl")
	drift, driftRecs := statsOf("--export", "trl", "--drift-pairing")
	assert.Less(t, len(defRecs), len(driftRecs), "the pairing rule keeps fewer pairs than DRIFT pairing")
	assert.Contains(t, def["pairing"], "dropped_new_fact")
	assert.Contains(t, drift["pairing"], "drift")
	assert.Equal(t, "trl", def["export"].(map[string]any)["format"])

	kto, recs := statsOf("--export", "kto")
	labels := map[bool]int{}
	for _, r := range recs {
		labels[r["label"].(bool)]++
	}
	assert.Positive(t, labels[true], "SAT-confirmed replies are label-true rows")
	assert.Positive(t, labels[false])
	assert.EqualValues(t, labels[true], kto["export"].(map[string]any)["desirable"])
	assert.EqualValues(t, labels[false], kto["export"].(map[string]any)["undesirable"])
	_, recs = statsOf("--export", "kto", "--no-desirable")
	for _, r := range recs {
		assert.Equal(t, false, r["label"])
	}
}
