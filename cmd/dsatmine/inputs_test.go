package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dsatmine/dsatmine/conversation"
	"github.com/dsatmine/dsatmine/internal/jsonx"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestExpandInputs(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"b/2.json", "b/1.jsonl.gz", "a.jsonl", "notes.txt", "c/x.parquet", ".git/HEAD.json", "b/README.md"} {
		p := filepath.Join(dir, name)
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
		require.NoError(t, os.WriteFile(p, []byte("{}\n"), 0o644))
	}
	files, skipped, err := expandInputs([]string{dir, "-", filepath.Join(dir, "notes.txt")})
	require.NoError(t, err)
	rel := func(ps []string) []string {
		out := make([]string, len(ps))
		for i, p := range ps {
			out[i], _ = filepath.Rel(dir, p)
			if p == "-" {
				out[i] = p
			}
		}
		return out
	}
	assert.Equal(t, []string{"a.jsonl", "b/1.jsonl.gz", "b/2.json", "c/x.parquet", "-", "notes.txt"}, rel(files),
		"sorted, recursive, hidden directories left out; explicit files always read")
	assert.Equal(t, []string{"b/README.md", "notes.txt"}, rel(skipped))

	files, _, err = expandInputs([]string{filepath.Join(dir, "b", "*")})
	require.NoError(t, err)
	assert.Equal(t, []string{"b/1.jsonl.gz", "b/2.json", "b/README.md"}, rel(files), "a quoted pattern names its matches")

	_, _, err = expandInputs([]string{filepath.Join(dir, "*.nothing")})
	assert.ErrorContains(t, err, "matches no file")
	empty := filepath.Join(dir, "empty")
	require.NoError(t, os.Mkdir(empty, 0o755))
	_, _, err = expandInputs([]string{empty})
	assert.ErrorContains(t, err, "holds no chat-log files")
}

func TestStatsAndMineReadDirectories(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"sharegpt-pretty.json", "openai.jsonl", "preference-anchors.jsonl"} {
		b, err := os.ReadFile(filepath.Join(fixtures, name))
		require.NoError(t, err)
		require.NoError(t, os.MkdirAll(filepath.Join(dir, "logs", "sub"), 0o755))
		require.NoError(t, os.WriteFile(filepath.Join(dir, "logs", "sub", name), b, 0o644))
	}
	writeFile(t, filepath.Join(dir, "logs"), "LICENSE.txt", "not a log")

	out, stderr, err := execute(t, newStatsCmd(), "--strict", filepath.Join(dir, "logs"))
	require.NoError(t, err)
	var st struct {
		conversation.ReadStats
		SkippedFiles int `json:"skipped_files"`
	}
	require.NoError(t, jsonx.Unmarshal([]byte(out), &st), out)
	assert.Equal(t, int64(2+3+2), st.Conversations)
	assert.Equal(t, map[string]int64{"sharegpt": 2, "openai": 3, "preference": 2}, st.Formats)
	assert.Equal(t, 1, st.SkippedFiles)
	assert.Contains(t, stderr, "1 files in the input directories are not chat-log containers and were not read: "+filepath.Join(dir, "logs", "LICENSE.txt"))

	anchors := filepath.Join(dir, "anchors.jsonl")
	_, stderr, err = runCmd(t, newMineCmd(), filepath.Join(dir, "logs"), "-o", anchors)
	require.NoError(t, err)
	assert.Contains(t, stderr, "mined 7 conversations from 7 records (0 skipped)")
}

func TestNothingReadExitsNonZero(t *testing.T) {
	dir := t.TempDir()
	bad := writeFile(t, dir, "bad.jsonl", "not json\n{\"prompt\":\"x\",\"completion\":\"y\"}\n")

	out, _, err := execute(t, newStatsCmd(), bad)
	require.Error(t, err, "lenient mode too")
	assert.Equal(t, exitNothingRead, exitCode(err))
	assert.ErrorContains(t, err, "no conversation could be read from 2 input records; skipped: invalid_json 1 unknown_format 1; first: "+bad+":1: invalid_json")
	assert.Contains(t, out, `"records": 2`, "the counts are printed all the same")

	_, stderr, err := execute(t, newConvertCmd(), bad, "-o", filepath.Join(dir, "out.jsonl"))
	assert.Equal(t, exitNothingRead, exitCode(err))
	assert.Contains(t, stderr, "converted 0 conversations from 2 records (2 skipped)")

	_, _, err = runCmd(t, newMineCmd(), bad, "-o", filepath.Join(dir, "anchors.jsonl"))
	assert.Equal(t, exitNothingRead, exitCode(err))
	assert.ErrorContains(t, err, "skipped: invalid_json 1 unknown_format 1")

	empty := writeFile(t, dir, "empty.jsonl", "")
	_, _, err = execute(t, newStatsCmd(), empty)
	assert.Equal(t, exitNothingRead, exitCode(err))
	assert.ErrorContains(t, err, "from 0 input records")

	// A run that reads something is not affected.
	_, _, err = execute(t, newStatsCmd(), bad, filepath.Join(fixtures, "openai.jsonl"))
	assert.NoError(t, err)
	assert.Equal(t, 1, exitCode(os.ErrNotExist))
}

func TestFormatFlagListsUltraFeedback(t *testing.T) {
	for _, cmd := range []string{"stats", "convert", "mine"} {
		var c = map[string]func() string{
			"stats":   func() string { return newStatsCmd().Flags().Lookup("format").Usage },
			"convert": func() string { return newConvertCmd().Flags().Lookup("format").Usage },
			"mine":    func() string { return newMineCmd().Flags().Lookup("format").Usage },
		}[cmd]()
		assert.Contains(t, c, "ultrafeedback", cmd)
		assert.Contains(t, c, "preference", cmd)
	}
	_, _, err := execute(t, newStatsCmd(), "--format", "alpaca", filepath.Join(fixtures, "openai.jsonl"))
	assert.ErrorIs(t, err, conversation.ErrUnknownFormat)
	assert.ErrorContains(t, err, "preference, ultrafeedback)")
}

func TestStatsAndConvertUltraFeedback(t *testing.T) {
	sample := filepath.Join(ufTestdata, "sample.jsonl")
	for _, args := range [][]string{{sample}, {"--format", "ultrafeedback", sample}} {
		out, _, err := execute(t, newStatsCmd(), args...)
		require.NoError(t, err, args)
		var st conversation.ReadStats
		require.NoError(t, jsonx.Unmarshal([]byte(out), &st))
		assert.Equal(t, int64(6), st.Records)
		assert.Equal(t, int64(6), st.Conversations)
		assert.Equal(t, map[string]int64{"ultrafeedback": 6}, st.Formats)
	}
	dir := t.TempDir()
	norm := filepath.Join(dir, "uf.jsonl")
	_, stderr, err := execute(t, newConvertCmd(), "--format", "ultrafeedback", sample, "-o", norm)
	require.NoError(t, err)
	assert.Contains(t, stderr, "converted 6 conversations from 6 records (0 skipped)")
	recs := readLines(t, norm)
	require.Len(t, recs, 6)
	for _, rec := range recs {
		msgs := rec["messages"].([]any)
		require.Len(t, msgs, 2)
		assert.Equal(t, "user", msgs[0].(map[string]any)["role"])
		assert.Equal(t, "assistant", msgs[1].(map[string]any)["role"])
		assert.Equal(t, "ultrafeedback", rec["source"])
	}
}

// Every layout mine --export writes reads back as one conversation per
// anchor, with nothing skipped, and can be mined again.
func TestExportsReadBack(t *testing.T) {
	dir := t.TempDir()
	logs := []string{"../../testdata/sample/wildchat-sample.jsonl", "../../testdata/sample/openai-sample.jsonl"}
	for _, f := range []string{"drift", "trl", "kto", "openrlhf", "llamafactory"} {
		out := filepath.Join(dir, f+".jsonl")
		_, _, err := runCmd(t, newMineCmd(), append(logs, "-o", out, "--export", f)...)
		require.NoError(t, err, f)
		anchors := readLines(t, out)
		require.NotEmpty(t, anchors, f)

		stdout, _, err := execute(t, newStatsCmd(), "--strict", out)
		require.NoError(t, err, f)
		var st conversation.ReadStats
		require.NoError(t, jsonx.Unmarshal([]byte(stdout), &st))
		assert.Equal(t, int64(len(anchors)), st.Records, f)
		assert.Equal(t, int64(len(anchors)), st.Conversations, "%s: one conversation per anchor", f)
		assert.Empty(t, st.Skipped, f)
		assert.Equal(t, map[string]int64{"preference": int64(len(anchors))}, st.Formats, f)

		// The conversation ends with the chosen reply where the layout has one.
		norm := filepath.Join(dir, f+".norm.jsonl")
		_, _, err = execute(t, newConvertCmd(), "--strict", out, "-o", norm)
		require.NoError(t, err, f)
		convs := readLines(t, norm)
		require.Len(t, convs, len(anchors))
		for i, a := range anchors {
			msgs := convs[i]["messages"].([]any)
			last := msgs[len(msgs)-1].(map[string]any)
			switch f {
			case "trl", "openrlhf":
				chosen := a["chosen"].([]any)
				assert.Equal(t, chosen[len(chosen)-1].(map[string]any)["content"], last["content"], f)
			case "llamafactory":
				assert.Equal(t, a["chosen"].(map[string]any)["value"], last["content"], f)
			case "kto":
				comp := a["completion"].([]any)
				assert.Equal(t, comp[len(comp)-1].(map[string]any)["content"], last["content"], f)
			case "drift":
				if chosen, ok := a["chosen"].([]any); ok {
					assert.Equal(t, chosen[len(chosen)-1].(map[string]any)["content"], last["content"], f)
				} else {
					assert.Equal(t, a["user_preference"].(map[string]any)["content"], last["content"], f)
				}
				assert.Equal(t, a["id"], convs[i]["id"], "an anchor keeps its id")
			}
		}

		_, stderr, err := runCmd(t, newMineCmd(), out, "-o", filepath.Join(dir, f+".again.jsonl"))
		require.NoError(t, err, f)
		assert.True(t, strings.HasPrefix(stderr, "mined "), stderr)
	}
}
