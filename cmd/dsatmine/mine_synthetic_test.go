package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const ufTestdata = "../../testdata/ultrafeedback"

func TestMineUltraFeedbackAutoDetected(t *testing.T) {
	dir := t.TempDir()
	anchors := filepath.Join(dir, "anchors.jsonl")
	events := filepath.Join(dir, "events.jsonl")
	stats := filepath.Join(dir, "stats.json")
	in := filepath.Join(ufTestdata, "sample.jsonl")

	// The default ranks by the mean of the aspect ratings.
	_, stderr, err := runCmd(t, newMineCmd(), in, "-o", anchors)
	require.NoError(t, err)
	assert.Contains(t, stderr, "ranked by fine-grained")

	_, stderr, err = runCmd(t, newMineCmd(), in, "-o", anchors, "--events", events, "--stats", stats, "--rank-by", "overall")
	require.NoError(t, err)
	assert.Contains(t, stderr, "synthesized 4 anchors (3 with chosen, 0 duplicates) from 6 UltraFeedback records ranked by overall (0 skipped, 2 without anchor: all_equal 1, tied_lowest 1)")

	lines := readLines(t, anchors)
	require.Len(t, lines, 4)
	for _, a := range lines {
		assert.Equal(t, "ultrafeedback", a["source"])
		meta := a["metadata"].(map[string]any)
		assert.Equal(t, "synthetic", meta["setting"])
		assert.Equal(t, "overall", meta["rank_by"])
		assert.Contains(t, meta, "margin")
		assert.Contains(t, meta, "scores")
		assert.Equal(t, "user", a["user_preference"].(map[string]any)["role"])
	}
	b, err := os.ReadFile(events)
	require.NoError(t, err)
	assert.Empty(t, b, "the synthetic setting has no events")

	var st map[string]any
	b, err = os.ReadFile(stats)
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(b, &st))
	assert.EqualValues(t, 6, st["records"])
	assert.EqualValues(t, 4, st["anchors"])
	assert.EqualValues(t, 3, st["pairs"])
	assert.Equal(t, map[string]any{"all_equal": 1.0, "tied_lowest": 1.0, "pair_below_margin": 1.0}, st["dropped"])
	assert.Equal(t, map[string]any{"ultrafeedback": 6.0}, st["formats"])
}

func TestMineUltraFeedbackOptions(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "pairs.jsonl")
	in := filepath.Join(ufTestdata, "sample.jsonl")

	// Ranked by fine-grained mean with ties broken and a small margin,
	// every record makes a pair.
	_, stderr, err := runCmd(t, newMineCmd(), in, "-o", out, "--format", "ultrafeedback", "--export", "trl",
		"--rank-by", "fine-grained", "--margin", "0.2", "--break-ties")
	require.NoError(t, err)
	assert.Contains(t, stderr, "synthesized 6 anchors (6 with chosen")
	lines := readLines(t, out)
	require.Len(t, lines, 6)
	for _, l := range lines {
		assert.Len(t, l["chosen"], 1)
		assert.Len(t, l["rejected"], 1)
		assert.NotContains(t, l, "metadata", "TRL records carry only prompt, chosen and rejected")
	}

	// Without pairs, a pairwise export writes nothing.
	_, stderr, err = runCmd(t, newMineCmd(), in, "-o", out, "--export", "openrlhf", "--no-pairs")
	require.NoError(t, err)
	assert.Contains(t, stderr, "synthesized 0 anchors")
	b, err := os.ReadFile(out)
	require.NoError(t, err)
	assert.Empty(t, b)
}

func TestMineUltraFeedbackErrors(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "a.jsonl")
	malformed := filepath.Join(ufTestdata, "malformed.jsonl")

	_, stderr, err := runCmd(t, newMineCmd(), malformed, "-o", out)
	require.NoError(t, err)
	assert.Contains(t, stderr, "synthesized 2 anchors (2 with chosen, 0 duplicates) from 11 UltraFeedback records ranked by fine-grained (9 skipped, 0 without anchor)")

	_, _, err = runCmd(t, newMineCmd(), malformed, "-o", out, "--strict")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "malformed.jsonl:2: missing_rating")
	tmps, err := filepath.Glob(filepath.Join(dir, ".*.tmp"))
	require.NoError(t, err)
	assert.Empty(t, tmps, "a failed run leaves no temporary output")

	chat := writeFile(t, dir, "chat.jsonl", mineInput)
	_, _, err = runCmd(t, newMineCmd(), filepath.Join(ufTestdata, "sample.jsonl"), chat, "-o", out)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "cannot mix UltraFeedback inputs")

	_, _, err = runCmd(t, newMineCmd(), filepath.Join(ufTestdata, "sample.jsonl"), "-o", out, "--rank-by", "fluency")
	assert.ErrorContains(t, err, "unknown rank key")
	_, _, err = runCmd(t, newMineCmd(), filepath.Join(ufTestdata, "sample.jsonl"), "-o", out, "--rejected", "median")
	assert.ErrorContains(t, err, "median")
	_, _, err = runCmd(t, newMineCmd(), filepath.Join(ufTestdata, "sample.jsonl"), "-o", out, "--margin", "-1")
	assert.ErrorContains(t, err, "negative pair margin")

	// A chat log named as UltraFeedback: every record is skipped as not
	// UltraFeedback, none is silently dropped, and a run that read nothing
	// says so with its own exit status.
	_, stderr, err = runCmd(t, newMineCmd(), chat, "-o", out, "--format", "ultrafeedback")
	require.Error(t, err)
	assert.Equal(t, exitNothingRead, exitCode(err))
	assert.ErrorContains(t, err, "no conversation could be read from 4 input records; skipped: invalid_json 1 unknown_format 3")
	assert.Contains(t, stderr, "synthesized 0 anchors (0 with chosen, 0 duplicates) from 4 UltraFeedback records ranked by fine-grained (4 skipped")
}
