package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dsatmine/dsatmine/classifier"
	"github.com/dsatmine/dsatmine/internal/jsonx"
)

// writeTrainFixture writes a small labelled JSONL file of our own phrasings.
func writeTrainFixture(t *testing.T, dir string) string {
	t.Helper()
	dsat := []string{"That's wrong, it doesn't work.", "Try again please.", "Make it shorter.", "No, I meant Python, not Java.", "This is useless."}
	sat := []string{"Thanks, that works!", "Perfect, thank you."}
	neutral := []string{"Now how do I deploy it?", "What about the next chapter?", "Ok, and how do I test it?"}
	var b strings.Builder
	for i := range 36 {
		var text, label string
		switch i % 3 {
		case 0:
			text = dsat[i%len(dsat)]
			label = `{"turn":2,"dsat":true,"categories":["complaint"]}`
		case 1:
			text = sat[i%len(sat)]
			label = `{"turn":2,"sat":true}`
		default:
			text = neutral[i%len(neutral)]
			label = `{"turn":2}`
		}
		fmt.Fprintf(&b, `{"id":"c%d","source":"test","messages":[{"role":"user","content":"Write a function number %d."},{"role":"assistant","content":"Here it is."},{"role":"user","content":%q}],"labels":[%s]}`+"\n", i, i, text, label)
	}
	p := filepath.Join(dir, "labelled.jsonl")
	require.NoError(t, os.WriteFile(p, []byte(b.String()), 0o644))
	return p
}

func TestTrainCommand(t *testing.T) {
	dir := t.TempDir()
	in := writeTrainFixture(t, dir)
	out := filepath.Join(dir, "model.json")
	var stdout, stderr bytes.Buffer
	err := runTrain(context.Background(), &stdout, &stderr, []string{in}, trainFlags{output: out, folds: 3, seed: 1, hashBits: 12, epochs: 4})
	require.NoError(t, err)
	assert.Contains(t, stdout.String(), "cross-validation: 3 folds by conversation, 36 scored turns, 36 conversations")
	assert.Contains(t, stdout.String(), "complaint")
	assert.Contains(t, stdout.String(), "miner decision, out of fold", "the combined heuristics+classifier figures")
	assert.Contains(t, stdout.String(), "classifier threshold  combined P")
	assert.Contains(t, stdout.String(), "on all files")
	assert.Contains(t, stderr.String(), "wrote "+out)

	fh, err := os.Open(out)
	require.NoError(t, err)
	defer fh.Close()
	m, err := classifier.Load(fh)
	require.NoError(t, err)
	assert.Equal(t, 12, m.Features().HashBits)
	assert.Equal(t, 36, m.Info().Examples)

	// --operating-sets chooses the stored operating point on the named files.
	stdout.Reset()
	err = runTrain(context.Background(), &stdout, &stderr, []string{in}, trainFlags{output: out, folds: 3, seed: 1, hashBits: 12, epochs: 4, opSets: []string{filepath.Base(in)}})
	require.NoError(t, err)
	assert.Contains(t, stdout.String(), "on "+filepath.Base(in))
	err = runTrain(context.Background(), &stdout, &stderr, []string{in}, trainFlags{output: out, folds: 3, seed: 1, hashBits: 12, epochs: 4, opSets: []string{"nope.jsonl"}})
	assert.ErrorContains(t, err, "operating sets")

	// --json prints a parseable report.
	stdout.Reset()
	err = runTrain(context.Background(), &stdout, &stderr, []string{in}, trainFlags{output: out, folds: 2, seed: 1, hashBits: 12, epochs: 2, asJSON: true, noHeuristic: true})
	require.NoError(t, err)
	var rep classifier.CVReport
	require.NoError(t, jsonx.Unmarshal(stdout.Bytes(), &rep))
	assert.Equal(t, 2, rep.Folds)
	assert.Equal(t, 36, rep.CV.Examples)
	assert.Len(t, rep.CV.Combined.Sweep, 19)
	c := rep.CV.Combined.DSAT
	assert.Equal(t, 36, c.TP+c.FP+c.FN+c.TN)
}

func TestTrainCommandWeak(t *testing.T) {
	dir := t.TempDir()
	in := writeTrainFixture(t, dir)
	logPath := filepath.Join(dir, "log.jsonl")
	var b strings.Builder
	for i := range 6 {
		fmt.Fprintf(&b, `{"messages":[{"role":"user","content":"Explain goroutines number %d."},{"role":"assistant","content":"They are light threads."},{"role":"user","content":"Thank you so much, that was perfect, thanks!"},{"role":"assistant","content":"Glad to help."},{"role":"user","content":"Next I would like to plan a long hiking trip through the northern mountains with three friends this autumn."}]}`+"\n", i)
	}
	require.NoError(t, os.WriteFile(logPath, []byte(b.String()), 0o644))
	var stdout, stderr bytes.Buffer
	err := runTrain(context.Background(), &stdout, &stderr, []string{in},
		trainFlags{output: filepath.Join(dir, "m.json"), folds: 2, seed: 1, hashBits: 12, epochs: 2, weak: []string{logPath}, weakMin: 0.5, weakWeight: 0.3, weakMaxNeg: -1, format: "auto"})
	require.NoError(t, err)
	assert.Contains(t, stderr.String(), "36 labelled turns")
	assert.Contains(t, stdout.String(), "36 scored turns (+")
}

func TestTrainCommandErrors(t *testing.T) {
	dir := t.TempDir()
	in := writeTrainFixture(t, dir)
	var out bytes.Buffer
	err := runTrain(context.Background(), &out, &out, []string{in}, trainFlags{output: filepath.Join(dir, "m.json"), folds: 1})
	assert.ErrorContains(t, err, "--folds")
	err = runTrain(context.Background(), &out, &out, []string{filepath.Join(dir, "missing.jsonl")}, trainFlags{output: filepath.Join(dir, "m.json")})
	assert.ErrorIs(t, err, os.ErrNotExist)
	bad := filepath.Join(dir, "bad.jsonl")
	require.NoError(t, os.WriteFile(bad, []byte(`{"id":"x","messages":[{"role":"user","content":"hi"}],"labels":[{"turn":0}]}`+"\n"), 0o644))
	err = runTrain(context.Background(), &out, &out, []string{bad}, trainFlags{output: filepath.Join(dir, "m.json")})
	assert.ErrorIs(t, err, classifier.ErrLabel)
	assert.ErrorContains(t, err, `bad.jsonl: classifier: label does not point at a user follow-up: conversation "x" turn 0`)

	// The cobra command requires -o.
	cmd := newTrainCmd()
	cmd.SetArgs([]string{in})
	cmd.SetOut(&out)
	cmd.SetErr(&out)
	assert.Error(t, cmd.Execute())
}
