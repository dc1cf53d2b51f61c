package dsat

import (
	"flag"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dsatmine/dsatmine/heuristics"
)

func TestPolicy(t *testing.T) {
	// The default policy leaves DefaultConfig as it is.
	cfg := DefaultConfig()
	DefaultPolicy().Apply(&cfg)
	def := DefaultConfig()
	for _, c := range heuristics.Categories {
		assert.Equal(t, def.threshold(c), cfg.threshold(c), c)
	}
	assert.Equal(t, def.SATThreshold, cfg.SATThreshold)
	assert.Equal(t, def.DoubtAnchors, cfg.DoubtAnchors)
	assert.Equal(t, def.PushbackAnchors, cfg.PushbackAnchors)

	// Flags set every field, and Apply carries them into a Config.
	p := DefaultPolicy()
	fs := flag.NewFlagSet("test", flag.ContinueOnError)
	p.RegisterFlags(fs)
	require.NoError(t, fs.Parse([]string{"--threshold", "0.3", "--sat-threshold", "0.6", "--min-score", "0.2",
		"--doubt-anchors=false", "--doubt-weight", "0.4", "--pushback-anchors", "--count-extensions",
		"--max-anchors-per-conversation", "2"}))
	assert.Equal(t, Policy{Threshold: 0.3, SATThreshold: 0.6, MinScore: 0.2, DoubtWeight: 0.4,
		PushbackAnchors: true, CountExtensions: true, MaxAnchorsPerConversation: 2}, p)
	p.Apply(&cfg)
	assert.Equal(t, 0.3, cfg.threshold(heuristics.Refinement))
	assert.Equal(t, 2, cfg.MaxAnchorsPerConversation)
	assert.False(t, cfg.DoubtAnchors)
	assert.True(t, cfg.PushbackAnchors)
}
