package heuristics

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dsatmine/dsatmine/conversation"
	"github.com/dsatmine/dsatmine/internal/shareddata"
)

// TestVerdictMatchesAnalyze checks that the lazy Verdict gives Analyze's
// signals, suppressions and scores on every follow-up of the bundled
// samples, the labelled fixtures and (when present) the real ShareGPT
// sample.
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
	turns := 0
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
				assert.False(t, lazy.ReplyChecked)
				if tr.Reply >= 0 && strings.TrimSpace(tr.ReplyText()) != "" {
					reply := tr.ReplyText()
					// The windowed question scan agrees with the full one.
					mask, _ := e.langMask(tr)
					sc := new(scratch)
					assert.Equal(t, e.replyCues(sc, reply, mask).question, e.replyQuestionCue(sc, reply, mask), "%s %s turn %d", f, c.ID, i)
					for _, m := range []uint64{^uint64(0), 1} {
						assert.Equal(t, e.replyCues(sc, reply, m).question, e.replyQuestionCue(sc, reply, m))
					}
				}
				turns++
			}
		}
		require.NoError(t, r.Close())
	}
	assert.Greater(t, turns, 500)
}
