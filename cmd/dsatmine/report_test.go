package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// reportJSON is the part of the report JSON the command tests compare.
type reportJSON struct {
	Basis   string `json:"basis"`
	Summary struct {
		Records    int64 `json:"records"`
		FollowUps  int64 `json:"follow_ups"`
		DSATEvents int64 `json:"dsat_events"`
		SATEvents  int64 `json:"sat_events"`
		Anchors    int64 `json:"anchors"`
		DSATRate   *struct {
			K, N int64
		} `json:"dsat_rate"`
	} `json:"summary"`
	Categories []json.RawMessage `json:"categories"`
	Models     []json.RawMessage `json:"models"`
	Cues       []json.RawMessage `json:"cues"`
	Samples    []json.RawMessage `json:"samples"`
	Positions  []struct {
		DSAT int64 `json:"dsat"`
	} `json:"positions"`
}

func readReportJSON(t *testing.T, path string) reportJSON {
	t.Helper()
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	var r reportJSON
	require.NoError(t, json.Unmarshal(b, &r))
	return r
}

func TestReportCommandLogsAndEventsAgree(t *testing.T) {
	dir := t.TempDir()
	in := writeFile(t, dir, "in.jsonl", mineInput)
	anchors := filepath.Join(dir, "anchors.jsonl")
	events := filepath.Join(dir, "events.jsonl")
	stats := filepath.Join(dir, "stats.json")
	_, _, err := runCmd(t, newMineCmd(), in, "-o", anchors, "--events", events, "--stats", stats)
	require.NoError(t, err)

	fromLogs := filepath.Join(dir, "logs.json")
	_, stderr, err := runCmd(t, newReportCmd(), in, "-o", fromLogs, "--json")
	require.NoError(t, err)
	assert.Contains(t, stderr, "mined 3 conversations from 4 records (1 skipped)")
	fromEvents := filepath.Join(dir, "events.json")
	_, _, err = runCmd(t, newReportCmd(), events, "--stats", stats, "--anchors", anchors, "-o", fromEvents, "--json")
	require.NoError(t, err)

	l, e := readReportJSON(t, fromLogs), readReportJSON(t, fromEvents)
	assert.Equal(t, "follow_ups", l.Basis)
	assert.Equal(t, "events", e.Basis)
	var st struct {
		Records    int64 `json:"records"`
		FollowUps  int64 `json:"follow_ups"`
		DSATEvents int64 `json:"dsat_events"`
		Anchors    int64 `json:"anchors"`
	}
	b, err := os.ReadFile(stats)
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(b, &st))
	assert.Equal(t, st.Records, l.Summary.Records)
	assert.Equal(t, st.FollowUps, l.Summary.FollowUps)
	assert.Equal(t, st.DSATEvents, l.Summary.DSATEvents)
	assert.Equal(t, st.Anchors, l.Summary.Anchors)
	assert.Positive(t, l.Summary.DSATEvents)
	assert.Equal(t, l.Summary, e.Summary)
	assert.Equal(t, l.Categories, e.Categories)
	assert.Equal(t, l.Models, e.Models)
	assert.Equal(t, l.Cues, e.Cues)
	assert.Equal(t, l.Samples, e.Samples)
	assert.Equal(t, l.Positions, e.Positions)

	// The HTML page, written atomically to -o.
	page := filepath.Join(dir, "report.html")
	_, _, err = runCmd(t, newReportCmd(), in, "-o", page, "--title", "Sea <haiku> review")
	require.NoError(t, err)
	html, err := os.ReadFile(page)
	require.NoError(t, err)
	s := string(html)
	assert.True(t, strings.HasPrefix(s, "<!DOCTYPE html>"))
	assert.Contains(t, s, "<title>Sea &lt;haiku&gt; review</title>")
	assert.Equal(t, 5, strings.Count(s, "<svg "), "five charts")
	assert.NotContains(t, s, "<script")
	leftovers, _ := filepath.Glob(filepath.Join(dir, ".*.tmp"))
	assert.Empty(t, leftovers)

	// To standard output.
	stdout, _, err := runCmd(t, newReportCmd(), events, "--stats", stats, "-o", "-", "--json")
	require.NoError(t, err)
	assert.True(t, json.Valid([]byte(stdout)))
}

func TestReportCommandThreshold(t *testing.T) {
	dir := t.TempDir()
	in := writeFile(t, dir, "in.jsonl", mineInput)
	out := filepath.Join(dir, "r.json")
	_, _, err := runCmd(t, newReportCmd(), in, "-o", out, "--json", "--threshold", "0.95", "--classifier", "none")
	require.NoError(t, err)
	var r struct {
		Threshold float64 `json:"threshold"`
		Summary   struct {
			DSATEvents int64 `json:"dsat_events"`
		} `json:"summary"`
	}
	b, err := os.ReadFile(out)
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(b, &r))
	assert.Equal(t, 0.95, r.Threshold)
	high := r.Summary.DSATEvents
	_, _, err = runCmd(t, newReportCmd(), in, "-o", out, "--json", "--classifier", "none")
	require.NoError(t, err)
	b, err = os.ReadFile(out)
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(b, &r))
	assert.Equal(t, 0.5, r.Threshold)
	assert.Less(t, high, r.Summary.DSATEvents, "a higher threshold finds fewer DSAT follow-ups")
}

func TestReportCommandErrors(t *testing.T) {
	dir := t.TempDir()
	in := writeFile(t, dir, "in.jsonl", mineInput)
	events := filepath.Join(dir, "events.jsonl")
	_, _, err := runCmd(t, newMineCmd(), in, "-o", filepath.Join(dir, "a.jsonl"), "--events", events)
	require.NoError(t, err)
	out := filepath.Join(dir, "r.html")

	for name, c := range map[string]struct {
		args []string
		want string
	}{
		"no output":       {[]string{in}, "missing -o"},
		"mixed inputs":    {[]string{events, in, "-o", out}, "cannot mix events files"},
		"stats with logs": {[]string{in, "--stats", events, "-o", out}, "--stats and --anchors go with an events file"},
		"policy on events": {[]string{events, "--doubt-weight", "0.3", "-o", out},
			"--doubt-weight applies only when report mines chat logs"},
		"bad stats":   {[]string{events, "--stats", events, "-o", out}, "not run statistics"},
		"missing":     {[]string{filepath.Join(dir, "nope.jsonl"), "-o", out}, "no such file"},
		"bad anchors": {[]string{events, "--anchors", in, "-o", out}, "not an anchor in the drift layout"},
	} {
		_, _, err := runCmd(t, newReportCmd(), c.args...)
		require.Error(t, err, name)
		assert.Contains(t, err.Error(), c.want, name)
	}
	_, err = os.Stat(out)
	assert.True(t, os.IsNotExist(err), "no report written on errors")
}
