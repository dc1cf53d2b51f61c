package heuristics

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dsatmine/dsatmine/conversation"
	"github.com/dsatmine/dsatmine/internal/shareddata"
)

// TestVerdictMatchesAnalyze checks that the lazy Verdict gives Analyze's
// signals, suppressions and scores on every follow-up of the bundled
// samples, the labelled fixtures and (when present) the real ShareGPT
// sample, and that it skips the reply scan on most of them.
func TestVerdictMatchesAnalyze(t *testing.T) {
	files, err := filepath.Glob("../testdata/sample/*.json*")
	require.NoError(t, err)
	labelled, err := filepath.Glob("../testdata/labelled/*.jsonl")
	require.NoError(t, err)
	files = append(files, labelled...)
	if p, ok := shareddata.Path("real/sharegpt-sample.json"); ok {
		files = append(files, p)
	}
	e := Default()
	turns, checked := 0, 0
	for _, f := range files {
		r, err := conversation.Open(f)
		require.NoError(t, err)
		for c, err := range r.All(context.Background()) {
			require.NoError(t, err, f)
			for _, i := range c.FollowUps() {
				tr := NewTurn(c, i)
				full, lazy := e.Analyze(tr), e.Verdict(tr)
				require.True(t, full.ReplyChecked)
				assert.Equal(t, full.Signals, lazy.Signals, "%s %s turn %d", f, c.ID, i)
				assert.Equal(t, full.Suppressed, lazy.Suppressed, "%s %s turn %d", f, c.ID, i)
				assert.Equal(t, full.Scores, lazy.Scores)
				assert.Equal(t, full.DSAT, lazy.DSAT)
				assert.Equal(t, full.SAT, lazy.SAT)
				if lazy.ReplyChecked {
					checked++
					assert.Equal(t, [3]bool{full.Refusal, full.Question, full.Holding}, [3]bool{lazy.Refusal, lazy.Question, lazy.Holding})
				}
				turns++
			}
		}
		require.NoError(t, r.Close())
	}
	t.Logf("%d follow-ups, reply scanned for %d", turns, checked)
	assert.Greater(t, turns, 500)
	assert.Less(t, checked, turns/2, "the reply should be scanned only for follow-ups with DSAT cues")
}
