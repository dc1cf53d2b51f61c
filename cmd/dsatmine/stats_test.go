package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/dsatmine/dsatmine/conversation"
	"github.com/dsatmine/dsatmine/internal/jsonx"
	"github.com/spf13/cobra"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const fixtures = "../../testdata/formats"

// execute runs a freshly built command with args and captures its output.
func execute(t *testing.T, cmd *cobra.Command, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	var out, errb bytes.Buffer
	cmd.SetOut(&out)
	cmd.SetErr(&errb)
	cmd.SetArgs(args)
	err = cmd.ExecuteContext(context.Background())
	return out.String(), errb.String(), err
}

func TestStatsCommand(t *testing.T) {
	// A gzip copy of one fixture under a name that does not say so.
	dir := t.TempDir()
	data, err := os.ReadFile(filepath.Join(fixtures, "wildchat.jsonl"))
	require.NoError(t, err)
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	_, _ = zw.Write(data)
	require.NoError(t, zw.Close())
	packed := filepath.Join(dir, "wildchat.bin")
	require.NoError(t, os.WriteFile(packed, gz.Bytes(), 0o644))

	out, _, err := execute(t, newStatsCmd(),
		filepath.Join(fixtures, "sharegpt.json"), filepath.Join(fixtures, "oasst-rows.jsonl"), packed,
		"../../testdata/bad/unknown-role.jsonl")
	require.NoError(t, err)
	var st conversation.ReadStats
	require.NoError(t, jsonx.Unmarshal([]byte(out), &st), out)
	assert.Equal(t, int64(3+9+2+3), st.Records)
	assert.Equal(t, int64(3+3+2+2), st.Conversations)
	assert.Equal(t, map[string]int64{"sharegpt": 3, "oasst": 9, "wildchat": 2, "openai": 3}, st.Formats)
	assert.Equal(t, map[string]int64{"unknown_role": 1}, st.Skipped)
	assert.Positive(t, st.FollowUps)
	for _, key := range []string{`"records"`, `"conversations"`, `"messages"`, `"follow_ups"`, `"skipped"`, `"formats"`} {
		assert.Contains(t, out, key)
	}

	// Nothing skipped still prints an empty object, not null.
	out, _, err = execute(t, newStatsCmd(), filepath.Join(fixtures, "lmsys.jsonl"))
	require.NoError(t, err)
	assert.Contains(t, out, `"skipped": {}`)
}

func TestStatsCommandStrict(t *testing.T) {
	bad := "../../testdata/bad/unknown-role.jsonl"
	out, _, err := execute(t, newStatsCmd(), "--strict", bad)
	require.Error(t, err)
	assert.Empty(t, out)
	var pe *conversation.ParseError
	require.ErrorAs(t, err, &pe)
	assert.Equal(t, "unknown_role", pe.Reason)
	assert.Contains(t, err.Error(), bad+":2: unknown_role")
	assert.Equal(t, 1, exitCode(err))

	_, _, err = execute(t, newStatsCmd(), "--format", "alpaca", bad)
	assert.ErrorIs(t, err, conversation.ErrUnknownFormat)

	_, _, err = execute(t, newStatsCmd(), filepath.Join(t.TempDir(), "missing.jsonl"))
	assert.ErrorIs(t, err, os.ErrNotExist)

	// A forced format applies to every input.
	out, _, err = execute(t, newStatsCmd(), "--format", "wildchat", filepath.Join(fixtures, "lmsys.jsonl"))
	require.NoError(t, err)
	assert.Contains(t, out, `"wildchat": 2`)
}

func TestStatsCommandRealLogs(t *testing.T) {
	for file, want := range map[string]int64{
		"sharegpt-sample.json":           491,
		"hh-rlhf-harmless-test.jsonl.gz": 2312,
	} {
		path := filepath.Join("../../../shared/data/real", file)
		if _, err := os.Stat(path); err != nil {
			t.Logf("skipping %s: not present", path)
			continue
		}
		out, _, err := execute(t, newStatsCmd(), "--strict", path)
		require.NoError(t, err)
		var st conversation.ReadStats
		require.NoError(t, jsonx.Unmarshal([]byte(out), &st))
		assert.Equal(t, want, st.Conversations, file)
		assert.Empty(t, st.Skipped, file)
	}
}

func TestConvertCommand(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "norm.jsonl")
	inputs := []string{
		filepath.Join(fixtures, "chatgpt-conversations.json"), filepath.Join(fixtures, "hh-rlhf.jsonl"),
		"../../testdata/bad/truncated.jsonl",
	}
	stdout, stderr, err := execute(t, newConvertCmd(), append(inputs, "-o", out)...)
	require.NoError(t, err)
	assert.Empty(t, stdout)
	assert.Contains(t, stderr, "converted 6 conversations from 7 records (1 skipped)")

	// The output reads back as OpenAI-form conversations with ids and sources kept.
	r, err := conversation.Open(out)
	require.NoError(t, err)
	defer r.Close()
	var ids, sources []string
	for c, err := range r.All(context.Background()) {
		require.NoError(t, err)
		ids = append(ids, c.ID)
		sources = append(sources, c.Source)
	}
	assert.Equal(t, []string{"cg-1", "cg-2", "hh-rlhf.jsonl:1", "hh-rlhf.jsonl:2", "g1", "g3"}, ids)
	assert.Equal(t, []string{"chatgpt-export", "chatgpt-export", "hh-rlhf", "hh-rlhf", "openai", "openai"}, sources)
	assert.Equal(t, map[string]int64{"openai": 6}, r.Stats().Formats)

	// Converting twice gives the same bytes; without -o it writes to stdout.
	first, err := os.ReadFile(out)
	require.NoError(t, err)
	stdout, _, err = execute(t, newConvertCmd(), inputs...)
	require.NoError(t, err)
	assert.Equal(t, string(first), stdout)

	_, _, err = execute(t, newConvertCmd(), "--strict", "-o", filepath.Join(dir, "x.jsonl"), inputs[2])
	var pe *conversation.ParseError
	require.ErrorAs(t, err, &pe)
	assert.Equal(t, "invalid_json", pe.Reason)
	assert.Equal(t, 2, pe.Line)
}
