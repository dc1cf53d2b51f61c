package main

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dsatmine/dsatmine/dsat"
	"github.com/dsatmine/dsatmine/eval"
	"github.com/dsatmine/dsatmine/internal/simjudge"
)

// heldOut is labelled data the default model was not trained on.
const heldOut = "../../testdata/labelled/en-sessions-a.jsonl"

func simServer(t *testing.T, accuracy float64, files ...string) (*simjudge.Judge, string) {
	t.Helper()
	ls, err := simjudge.Load(context.Background(), files...)
	require.NoError(t, err)
	j, err := simjudge.New(ls, simjudge.Options{Accuracy: accuracy})
	require.NoError(t, err)
	srv := httptest.NewServer(j)
	t.Cleanup(srv.Close)
	return j, srv.URL + "/v1"
}

type evalJSON struct {
	Overall struct {
		Turns int         `json:"turns"`
		DSAT  eval.Binary `json:"dsat"`
		Judge *eval.JudgeUse
	} `json:"overall"`
}

func evalJudge(t *testing.T, args ...string) evalJSON {
	t.Helper()
	stdout, _, err := runCmd(t, newEvalCmd(), append([]string{heldOut, "--json"}, args...)...)
	require.NoError(t, err)
	var res evalJSON
	require.NoError(t, json.Unmarshal([]byte(stdout), &res))
	return res
}

// TestEvalWithSimulatedJudge runs eval end to end over HTTP: the cascade
// sends the judge only the share of follow-ups it was asked to, a perfect
// judge asked about every follow-up reproduces the labels, and the text
// report prints the calls per 1,000 follow-ups beside P/R/F1.
func TestEvalWithSimulatedJudge(t *testing.T) {
	sim, url := simServer(t, 1, heldOut)
	judge := []string{"--judge-endpoint", url, "--judge-model", "sim"}

	base := evalJudge(t, "--classifier", "default")
	require.Nil(t, base.Overall.Judge, "no judge, no judge line")

	all := evalJudge(t, append(judge, "--judge-band", "0:1")...)
	require.NotNil(t, all.Overall.Judge)
	u := all.Overall.Judge
	require.Equal(t, u.FollowUps, u.Judged, "band 0:1 sends every follow-up")
	require.InDelta(t, 1000, u.PerThousand, 1e-9)
	require.Zero(t, u.Errors)
	require.Equal(t, 1.0, all.Overall.DSAT.F1, "a perfect judge on every follow-up gives the labels")
	require.Zero(t, sim.Stats().Unmatched)

	def := evalJudge(t, judge...)
	d := def.Overall.Judge
	require.NotNil(t, d)
	require.Greater(t, d.Judged, int64(0))
	require.Less(t, d.Share, 0.6, "the default share (an estimate from the training data) sends a part of the follow-ups")
	require.InDelta(t, 1000*float64(d.Judged)/float64(d.FollowUps), d.PerThousand, 0.05)
	require.Greater(t, def.Overall.DSAT.F1, base.Overall.DSAT.F1, "the judge where the model is unsure helps")

	small := evalJudge(t, append(judge, "--judge-share", "0.1")...)
	require.Less(t, small.Overall.Judge.Judged, d.Judged)

	stdout, _, err := runCmd(t, newEvalCmd(), append([]string{heldOut}, judge...)...)
	require.NoError(t, err)
	line := regexp.MustCompile(`judge: ([0-9.]+) calls per 1,000 follow-ups \((\d+) of (\d+) sent`).FindStringSubmatch(stdout)
	require.NotNil(t, line, stdout)
	n, _ := strconv.ParseInt(line[2], 10, 64)
	require.Equal(t, d.Judged, n)
	require.Contains(t, stdout, "DSAT P ")
	require.NotContains(t, stdout, "== --target-precision", "no extra passes that would pay for the judge again")
}

// TestMineWithJudgeIsDeterministic: judge calls run concurrently across
// workers; anchors and statistics do not depend on their number.
func TestMineWithJudgeIsDeterministic(t *testing.T) {
	_, url := simServer(t, 0.8, heldOut)
	dir := t.TempDir()
	var outs [2][2][]byte
	for i, workers := range []string{"1", "4"} {
		out := filepath.Join(dir, "a"+workers+".jsonl")
		stats := filepath.Join(dir, "s"+workers+".json")
		_, stderr, err := runCmd(t, newMineCmd(), heldOut, "-o", out, "--stats", stats, "--workers", workers,
			"--judge-endpoint", url, "--judge-model", "sim", "--judge-concurrency", "3")
		require.NoError(t, err)
		require.Regexp(t, `judge: [0-9.]+ calls per 1,000 follow-ups \(\d+ sent, 0 failed\)`, stderr)
		a, err := os.ReadFile(out)
		require.NoError(t, err)
		var st dsat.Stats
		b, err := os.ReadFile(stats)
		require.NoError(t, err)
		require.NoError(t, json.Unmarshal(b, &st))
		require.NotNil(t, st.Classifier)
		require.Greater(t, st.Classifier.Judged, int64(0))
		require.NotNil(t, st.Classifier.JudgeBand)
		c, err := json.Marshal(st.Classifier.ClassifierCounts)
		require.NoError(t, err)
		outs[i] = [2][]byte{a, c}
	}
	assert.Equal(t, string(outs[0][0]), string(outs[1][0]), "anchors")
	assert.Equal(t, string(outs[0][1]), string(outs[1][1]), "classifier and judge counts")
}
