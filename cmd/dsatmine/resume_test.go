package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestMineResume runs mine over three inputs with --resume, stops it on a
// bad third input (--strict), fixes that input and runs again: the first two
// inputs are not read again, and anchors, events and statistics are byte for
// byte those of an uninterrupted run without --resume.
func TestMineResume(t *testing.T) {
	dir := t.TempDir()
	sample := func(name string) string {
		b, err := os.ReadFile(filepath.Join("..", "..", "testdata", "sample", name))
		require.NoError(t, err)
		return string(b)
	}
	a := writeFile(t, dir, "a.jsonl", sample("openai-sample.jsonl"))
	b := writeFile(t, dir, "b.jsonl", sample("wildchat-sample.jsonl"))
	good := mineInput[:strings.Index(mineInput, "not json")]
	c := writeFile(t, dir, "c.jsonl", good+"not json at all\n")
	flags := []string{"--strict", "--workers", "2", "--export", "kto"}
	out := func(name string) []string {
		p := filepath.Join(dir, name)
		return []string{"-o", p + ".anchors.jsonl", "--events", p + ".events.jsonl", "--stats", p + ".stats.json"}
	}
	read := func(name, suffix string) string {
		b, err := os.ReadFile(filepath.Join(dir, name+suffix))
		require.NoError(t, err)
		return string(b)
	}
	manifest := filepath.Join(dir, "run.manifest")

	// First attempt: stops at the bad record of c, publishing nothing.
	args := append(append([]string{a, b, c, "--resume", manifest}, flags...), out("resumed")...)
	_, _, err := runCmd(t, newMineCmd(), args...)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "c.jsonl:3")
	_, err = os.Stat(filepath.Join(dir, "resumed.anchors.jsonl"))
	assert.ErrorIs(t, err, os.ErrNotExist, "no output under the final name after a failed run")
	leftovers, _ := filepath.Glob(filepath.Join(dir, ".*.tmp"))
	assert.Empty(t, leftovers)

	// Fix c and resume: a and b are reused.
	require.NoError(t, os.WriteFile(c, []byte(good), 0o644))
	_, stderr, err := runCmd(t, newMineCmd(), args...)
	require.NoError(t, err)
	assert.Contains(t, stderr, "resume: "+a+" is complete")
	assert.Contains(t, stderr, "resume: "+b+" is complete")
	assert.NotContains(t, stderr, "resume: "+c)

	// The reference: one uninterrupted run without --resume.
	_, _, err = runCmd(t, newMineCmd(), append(append([]string{a, b, c}, flags...), out("plain")...)...)
	require.NoError(t, err)
	for _, suffix := range []string{".anchors.jsonl", ".events.jsonl", ".stats.json"} {
		assert.Equal(t, read("plain", suffix), read("resumed", suffix), suffix)
	}
	assert.NotEmpty(t, read("plain", ".anchors.jsonl"))
	assert.Contains(t, read("plain", ".stats.json"), `"balanced": true`)

	// Other settings do not reuse the parts.
	_, stderr, err = runCmd(t, newMineCmd(), append(append([]string{a, b, c, "--resume", manifest, "--threshold", "0.9"}, flags...), out("other")...)...)
	require.NoError(t, err)
	assert.NotContains(t, stderr, "resume:")

	_, _, err = runCmd(t, newMineCmd(), a, "--resume", manifest, "--shard", "0/2", "-o", filepath.Join(dir, "x.jsonl"))
	assert.ErrorContains(t, err, "--resume cannot be combined with --shard")
}
