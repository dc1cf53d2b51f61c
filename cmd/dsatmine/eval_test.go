package main

import (
	"encoding/json"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const labelledInput = `{"id":"l1","source":"test","messages":[{"role":"user","content":"Write a haiku about the sea."},{"role":"assistant","content":"The sea is very big and blue."},{"role":"user","content":"That's not a haiku. Try again, it needs 5-7-5 syllables."},{"role":"assistant","content":"Waves fold into foam / salt wind carries gull voices / the tide keeps its time"},{"role":"user","content":"Perfect, thank you so much!"}],"labels":[{"turn":2,"dsat":true,"sat":false,"categories":["complaint","refinement"]},{"turn":4,"dsat":false,"sat":true}]}
{"id":"l2","source":"test","messages":[{"role":"user","content":"What is the capital of France?"},{"role":"assistant","content":"Paris."},{"role":"user","content":"And of Spain?"}],"labels":[{"turn":2,"dsat":false,"sat":false}]}
`

func TestEvalCommand(t *testing.T) {
	dir := t.TempDir()
	in := writeFile(t, dir, "gold.jsonl", labelledInput)
	in2 := writeFile(t, dir, "gold2.jsonl", labelledInput)
	preds := filepath.Join(dir, "pred.jsonl")

	stdout, _, err := runCmd(t, newEvalCmd(), in, in2, "--json", "--predictions", preds)
	require.NoError(t, err)
	var res struct {
		Files []struct {
			Name  string `json:"name"`
			Turns int    `json:"turns"`
		} `json:"files"`
		Overall struct {
			Turns int `json:"turns"`
			DSAT  struct {
				TP, FP, FN int
			} `json:"dsat"`
			Confusion map[string]map[string]int `json:"confusion"`
			Sweep     []map[string]any          `json:"sweep"`
		} `json:"overall"`
	}
	require.NoError(t, json.Unmarshal([]byte(stdout), &res))
	require.Len(t, res.Files, 2)
	assert.Equal(t, in, res.Files[0].Name)
	assert.Equal(t, 3, res.Files[0].Turns)
	assert.Equal(t, 6, res.Overall.Turns)
	assert.Equal(t, 2, res.Overall.DSAT.TP+res.Overall.DSAT.FN, "one gold DSAT turn per file")
	total := 0
	for _, row := range res.Overall.Confusion {
		for _, n := range row {
			total += n
		}
	}
	assert.Equal(t, 6, total)
	assert.Len(t, res.Overall.Sweep, 17)

	ps := readLines(t, preds)
	require.Len(t, ps, 6)
	assert.Equal(t, "l1", ps[0]["id"])
	assert.EqualValues(t, 2, ps[0]["turn"])
	for _, p := range ps {
		for _, k := range []string{"id", "turn", "dsat", "sat", "categories", "score"} {
			assert.Contains(t, p, k)
		}
	}

	stdout, _, err = runCmd(t, newEvalCmd(), in, "--threshold", "0.3")
	require.NoError(t, err)
	assert.Contains(t, stdout, "gold.jsonl")
	assert.Contains(t, stdout, "threshold")
	assert.NotContains(t, stdout, "overall", "one file: no overall section")

	_, _, err = runCmd(t, newEvalCmd(), in, "--threshold", "3")
	assert.Error(t, err)
	_, _, err = runCmd(t, newEvalCmd(), filepath.Join(dir, "missing.jsonl"))
	assert.Error(t, err)
}

// eval --targets re-evaluates with the embedded model deciding at the
// threshold its operating table gives for each target, and reports the
// table's promise beside what was achieved.
func TestEvalTargets(t *testing.T) {
	dir := t.TempDir()
	in := writeFile(t, dir, "gold.jsonl", labelledInput)

	stdout, _, err := runCmd(t, newEvalCmd(), in, "--json", "--targets", "0.7,0.9")
	require.NoError(t, err)
	var res struct {
		Targets []struct {
			Target            float64 `json:"target"`
			Reachable         bool    `json:"reachable"`
			Threshold         float64 `json:"threshold"`
			PromisedPrecision float64 `json:"promised_precision"`
			DSAT              *struct {
				TP, FP, FN int
			} `json:"dsat"`
		} `json:"targets"`
	}
	require.NoError(t, json.Unmarshal([]byte(stdout), &res))
	require.Len(t, res.Targets, 2)
	for _, tf := range res.Targets {
		require.True(t, tf.Reachable, "the embedded model's table reaches %v", tf.Target)
		assert.GreaterOrEqual(t, tf.PromisedPrecision, tf.Target)
		require.NotNil(t, tf.DSAT)
		assert.Equal(t, 1, tf.DSAT.TP+tf.DSAT.FN, "one gold DSAT turn")
	}
	assert.Less(t, res.Targets[0].Threshold, res.Targets[1].Threshold, "a higher target needs a higher threshold")

	text, _, err := runCmd(t, newEvalCmd(), in)
	require.NoError(t, err)
	assert.Contains(t, text, "== --target-precision (embedded model")
	assert.Contains(t, text, "0.80", "the default targets are 0.70, 0.80, 0.90")

	none, _, err := runCmd(t, newEvalCmd(), in, "--targets", "none")
	require.NoError(t, err)
	assert.NotContains(t, none, "--target-precision")

	_, _, err = runCmd(t, newEvalCmd(), in, "--targets", "1.5")
	require.ErrorContains(t, err, "--targets")

	skipped, _, err := runCmd(t, newEvalCmd(), in, "--target-precision", "0.8")
	require.NoError(t, err)
	assert.NotContains(t, skipped, "== --target-precision", "one target already chosen")
}

// eval splits its figures by language: the record's "lang" when given,
// else the language guessed from the user messages.
func TestEvalByLanguage(t *testing.T) {
	dir := t.TempDir()
	in := writeFile(t, dir, "gold.jsonl",
		`{"id":"a","source":"t","lang":"es","messages":[{"role":"user","content":"hola"},{"role":"assistant","content":"Hola, ¿qué tal?"},{"role":"user","content":"No me entendiste, te pregunté por el precio."}],"labels":[{"turn":2,"dsat":true,"categories":["complaint"]}]}
{"id":"b","source":"t","messages":[{"role":"user","content":"Какая погода в Москве?"},{"role":"assistant","content":"Солнечно."},{"role":"user","content":"Ты не так понял, мне нужен прогноз на завтра."}],"labels":[{"turn":2,"dsat":true,"categories":["complaint"]}]}
{"id":"c","source":"t","messages":[{"role":"user","content":"北京天气怎么样"},{"role":"assistant","content":"晴天。"},{"role":"user","content":"谢谢"}],"labels":[{"turn":2,"sat":true}]}
`)
	stdout, _, err := runCmd(t, newEvalCmd(), in, "--json", "--classifier", "none", "--targets", "none")
	require.NoError(t, err)
	var res struct {
		Languages []struct {
			Name  string `json:"name"`
			Turns int    `json:"turns"`
			DSAT  struct{ TP, FP, FN int }
		} `json:"languages"`
	}
	require.NoError(t, json.Unmarshal([]byte(stdout), &res))
	require.Len(t, res.Languages, 3)
	for i, want := range []string{"es", "ru", "zh"} {
		assert.Equal(t, want, res.Languages[i].Name)
		assert.Equal(t, 1, res.Languages[i].Turns)
	}
	assert.Equal(t, 1, res.Languages[0].DSAT.TP)
	assert.Equal(t, 1, res.Languages[1].DSAT.TP)
	assert.Zero(t, res.Languages[2].DSAT.TP+res.Languages[2].DSAT.FP)

	stdout, _, err = runCmd(t, newEvalCmd(), in, "--classifier", "none", "--targets", "none")
	require.NoError(t, err)
	assert.Contains(t, stdout, "DSAT by language")
}
