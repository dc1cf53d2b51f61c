package main

import (
	"flag"
	"io"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dsatmine/dsatmine/dsat"
	"github.com/dsatmine/dsatmine/heuristics"
)

// The policy flags map to dsat.Policy's plain values as dsatmine mine's do,
// per-category thresholds included.
func TestPolicyFlags(t *testing.T) {
	p := dsat.DefaultPolicy()
	fs := flag.NewFlagSet("beam", flag.ContinueOnError)
	registerPolicyFlags(fs, &p)
	require.NoError(t, fs.Parse([]string{"-threshold", "0.4,complaint=0.7", "-sat-threshold", "0.6", "-doubt-anchors",
		"-max-anchors-per-conversation", "2"}))
	assert.Equal(t, 0.4, p.Threshold)
	assert.Equal(t, map[heuristics.Category]float64{heuristics.Complaint: 0.7}, p.Thresholds)
	assert.Equal(t, 0.6, p.SATThreshold)
	assert.True(t, p.DoubtAnchors)
	assert.Equal(t, 2, p.MaxAnchorsPerConversation)
	cfg := dsat.DefaultConfig()
	p.Apply(&cfg)
	assert.Equal(t, 0.7, cfg.Thresholds[heuristics.Complaint])
	assert.Equal(t, 0.4, cfg.Thresholds[heuristics.Correction])

	fs = flag.NewFlagSet("beam", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	registerPolicyFlags(fs, &p)
	assert.Error(t, fs.Parse([]string{"-threshold", "grumpy=0.5"}))
}
