package main

import (
	"compress/gzip"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dsatmine/dsatmine/dsat"
	"github.com/dsatmine/dsatmine/internal/jsonx"
)

func TestMineWorkersByteIdentical(t *testing.T) {
	dir := t.TempDir()
	in := "../../testdata/sample/wildchat-sample.jsonl"
	var want [3][]byte
	for i, w := range []string{"1", "2", "8"} {
		a, e, s := filepath.Join(dir, "a"+w), filepath.Join(dir, "e"+w), filepath.Join(dir, "s"+w)
		_, _, err := runCmd(t, newMineCmd(), in, "-o", a, "--events", e, "--stats", s, "--workers", w)
		require.NoError(t, err)
		var got [3][]byte
		for k, p := range []string{a, e, s} {
			got[k], err = os.ReadFile(p)
			require.NoError(t, err)
		}
		if i == 0 {
			want = got
			require.NotEmpty(t, want[0])
			continue
		}
		assert.Equal(t, want, got, "--workers %s", w)
	}
	_, _, err := runCmd(t, newMineCmd(), in, "-o", filepath.Join(dir, "x"), "--workers", "-2")
	assert.ErrorIs(t, err, dsat.ErrConfig)
}

// The shards of a run together write the anchors of the whole run, in
// order, and their statistics merge to the whole run's.
func TestMineShards(t *testing.T) {
	dir := t.TempDir()
	var lines []string
	for i := range 40 {
		lines = append(lines, strings.ReplaceAll(strings.TrimSpace(mineInput), `"id":"c`, fmt.Sprintf(`"id":"%d-c`, i)))
	}
	in := writeFile(t, dir, "in.jsonl", strings.Join(lines, "\r\n")+"\r\n")
	// A compressed input cannot be split: it goes whole to one shard.
	gz := filepath.Join(dir, "more.jsonl.gz")
	f, err := os.Create(gz)
	require.NoError(t, err)
	zw := gzip.NewWriter(f)
	_, err = zw.Write([]byte(strings.ReplaceAll(mineInput, `"id":"c`, `"id":"gz-c`)))
	require.NoError(t, err)
	require.NoError(t, zw.Close())
	require.NoError(t, f.Close())

	whole := filepath.Join(dir, "whole.jsonl")
	wholeStats := filepath.Join(dir, "whole.json")
	_, _, err = runCmd(t, newMineCmd(), in, gz, "-o", whole, "--stats", wholeStats, "--no-dedup")
	require.NoError(t, err)

	const n = 3
	var got []byte
	merged := dsat.NewStats()
	gzShard := -1
	for i := range n {
		a, s := filepath.Join(dir, fmt.Sprint("a", i)), filepath.Join(dir, fmt.Sprint("s", i))
		_, _, err := runCmd(t, newMineCmd(), in, gz, "-o", a, "--stats", s, "--no-dedup", "--shard", fmt.Sprintf("%d/%d", i, n))
		require.NoError(t, err)
		b, err := os.ReadFile(a)
		require.NoError(t, err)
		if strings.Contains(string(b), "gz-c") {
			gzShard = i
		}
		got = append(got, b...)
		var st dsat.Stats
		sb, err := os.ReadFile(s)
		require.NoError(t, err)
		require.NoError(t, jsonx.Unmarshal(sb, &st))
		merged.Merge(&st)
	}
	assert.Equal(t, 1, gzShard, "the second input goes whole to shard 1 of 3")
	want, err := os.ReadFile(whole)
	require.NoError(t, err)
	wantLines := strings.Split(strings.TrimSpace(string(want)), "\n")
	gotLines := strings.Split(strings.TrimSpace(string(got)), "\n")
	assert.ElementsMatch(t, wantLines, gotLines)
	assert.Greater(t, len(wantLines), 40)

	var wst dsat.Stats
	sb, err := os.ReadFile(wholeStats)
	require.NoError(t, err)
	require.NoError(t, jsonx.Unmarshal(sb, &wst))
	wj, _ := jsonx.Marshal(&wst)
	mj, _ := jsonx.Marshal(merged)
	assert.JSONEq(t, string(wj), string(mj))

	for _, bad := range []string{"3/3", "-1/2", "1", "a/b", "0/0"} {
		_, _, err := runCmd(t, newMineCmd(), in, "-o", filepath.Join(dir, "x"), "--shard", bad)
		assert.Error(t, err, bad)
	}
	_, _, err = runCmd(t, newMineCmd(), "-", "-o", filepath.Join(dir, "x"), "--shard", "0/2")
	assert.ErrorContains(t, err, "standard input")
}
