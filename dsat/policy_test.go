package dsat

import (
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

	// ParseThreshold reads a number, category=number pairs, or both, and
	// Apply carries the policy into a Config.
	p := DefaultPolicy()
	require.NoError(t, p.ParseThreshold("0.3"))
	p.SATThreshold, p.MinScore, p.DoubtAnchors, p.DoubtWeight = 0.6, 0.2, false, 0.4
	p.PushbackAnchors, p.CountExtensions, p.MaxAnchorsPerConversation = true, true, 2
	assert.Equal(t, Policy{Threshold: 0.3, SATThreshold: 0.6, MinScore: 0.2, DoubtWeight: 0.4,
		PushbackAnchors: true, CountExtensions: true, MaxAnchorsPerConversation: 2}, p)
	p.Apply(&cfg)
	assert.Equal(t, 0.3, cfg.threshold(heuristics.Refinement))
	assert.Equal(t, 2, cfg.MaxAnchorsPerConversation)
	assert.False(t, cfg.DoubtAnchors)
	assert.True(t, cfg.PushbackAnchors)

	require.NoError(t, p.ParseThreshold("complaint=0.6, doubt=0.8"))
	assert.Equal(t, "0.3,complaint=0.6,doubt=0.8", p.ThresholdString())
	p.Apply(&cfg)
	assert.Equal(t, 0.6, cfg.threshold(heuristics.Complaint))
	assert.Equal(t, 0.8, cfg.threshold(heuristics.Doubt))
	assert.Equal(t, 0.3, cfg.threshold(heuristics.Correction))
	require.NoError(t, p.ParseThreshold("0.45,Pushback=0.9"))
	assert.Equal(t, "0.45,pushback=0.9", p.ThresholdString())
	for _, bad := range []string{"", "x", "1.5", "complaint=", "nosuch=0.5", "complaint=-1"} {
		before := p
		assert.ErrorIs(t, p.ParseThreshold(bad), ErrConfig, bad)
		assert.Equal(t, before, p, bad)
	}
}
