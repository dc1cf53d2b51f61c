package simjudge

import (
	"context"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dsatmine/dsatmine/classifier/llmjudge"
	"github.com/dsatmine/dsatmine/conversation"
	"github.com/dsatmine/dsatmine/heuristics"
	"github.com/dsatmine/dsatmine/labelled"
)

// turn is one labelled follow-up as the miner would judge it.
type turn struct {
	id    string
	label labelled.Label
	t     *heuristics.Turn
}

func labelledTurns(t *testing.T, ls []*labelled.Record) []turn {
	var out []turn
	for _, l := range ls {
		c := l.Conversation()
		for _, lb := range l.Labels {
			for i, m := range c.Messages {
				if m.Index == lb.Turn && m.Role == conversation.User && i > 0 && c.Messages[i-1].Role == conversation.Assistant {
					out = append(out, turn{id: l.ID, label: lb, t: heuristics.NewTurn(c, i)})
				}
			}
		}
	}
	require.NotEmpty(t, out)
	return out
}

func load(t *testing.T, files ...string) []*labelled.Record {
	ls, err := Load(context.Background(), files...)
	require.NoError(t, err)
	return ls
}

func TestAccuracyIsSymmetricAndDeterministic(t *testing.T) {
	ls := load(t, "../../testdata/labelled/en-sessions-a.jsonl", "../../testdata/labelled/en-sessions-b.jsonl")
	turns := labelledTurns(t, ls)
	for _, acc := range []float64{1, 0.9, 0.8} {
		j, err := New(ls, Options{Accuracy: acc})
		require.NoError(t, err)
		j2, err := New(ls, Options{Accuracy: acc})
		require.NoError(t, err)
		var right, pos, neg, posWrong, negWrong int
		for _, tu := range turns {
			v, ok := j.Judge(tu.t.Text(), tu.t.ReplyText())
			require.True(t, ok, "%s turn %d is found", tu.id, tu.label.Turn)
			v2, _ := j2.Judge(tu.t.Text(), tu.t.ReplyText())
			require.Equal(t, v, v2, "deterministic")
			if v.DSAT == tu.label.DSAT {
				right++
			}
			if tu.label.DSAT {
				pos++
				if !v.DSAT {
					posWrong++
				}
			} else {
				neg++
				if v.DSAT {
					negWrong++
				}
			}
			if v.DSAT {
				require.NotEmpty(t, v.Categories)
				require.NotEmpty(t, v.Evidence)
				require.Contains(t, tu.t.Text(), v.Evidence[0], "evidence is verbatim")
			}
		}
		got := float64(right) / float64(len(turns))
		assert.InDelta(t, acc, got, 0.03, "accuracy %v over %d follow-ups", acc, len(turns))
		if acc < 1 {
			// Symmetric: both classes are answered wrongly at about 1-acc.
			assert.InDelta(t, 1-acc, float64(posWrong)/float64(pos), 0.08, "DSAT follow-ups flipped")
			assert.InDelta(t, 1-acc, float64(negWrong)/float64(neg), 0.04, "other follow-ups flipped")
		} else {
			assert.Zero(t, posWrong+negWrong)
		}
		st := j.Stats()
		assert.EqualValues(t, len(turns), st.Matched)
		assert.Zero(t, st.Unmatched)
	}
	a, _ := New(ls, Options{Accuracy: 0.5})
	b, _ := New(ls, Options{Accuracy: 0.5, Seed: 7})
	differ := 0
	for _, tu := range turns {
		if a.Flipped(tu.id, tu.label.Turn) != b.Flipped(tu.id, tu.label.Turn) {
			differ++
		}
	}
	assert.Greater(t, differ, len(turns)/4, "the seed changes which follow-ups are flipped")

	_, err := New(ls, Options{Accuracy: 1.2})
	assert.Error(t, err)
}

// TestServesTheJudge runs the real llmjudge client against the simulated
// judge: the follow-up is found in the request it sends (also when it is
// cut to a few tokens), the verdict parses and its evidence verifies.
func TestServesTheJudge(t *testing.T) {
	ls := load(t, "../../testdata/labelled/en.jsonl")
	turns := labelledTurns(t, ls)
	sim, err := New(ls, Options{Accuracy: 1})
	require.NoError(t, err)
	srv := httptest.NewServer(sim)
	defer srv.Close()
	for _, tokens := range []int{-1, 6} {
		cfg := llmjudge.DefaultConfig(srv.URL+"/v1", "sim")
		cfg.ContextTokens = tokens
		j, err := llmjudge.New(cfg)
		require.NoError(t, err)
		for _, tu := range turns {
			p, err := j.Classify(context.Background(), tu.t, nil)
			require.NoError(t, err, "%s turn %d", tu.id, tu.label.Turn)
			assert.Equal(t, tu.label.DSAT, p.DSAT >= 0.5, "%s turn %d (context tokens %d)", tu.id, tu.label.Turn, tokens)
			if tu.label.DSAT {
				assert.NotEmpty(t, p.Evidence)
			}
		}
		st := j.Stats()
		assert.EqualValues(t, len(turns), st.Verdicts)
		assert.Zero(t, st.Failures+st.Unverifiable+st.Repaired)
	}
	assert.Zero(t, sim.Stats().Unmatched)
}

func TestParseRequestAndUnknownFollowUps(t *testing.T) {
	reply, fu, err := ParseRequest("REQUEST (x):\n<<<\nq\n>>>\n\nREPLY (y):\n<<<\nthe reply\n>>>\n\nFOLLOW-UP (z):\n<<<\nno, again\n[… rest of the follow-up omitted …]\n>>>")
	require.NoError(t, err)
	assert.Equal(t, "the reply", reply)
	assert.Equal(t, "no, again", fu)
	_, _, err = ParseRequest("hello")
	assert.Error(t, err)

	j, err := New(nil, Options{Accuracy: 1})
	require.NoError(t, err)
	v, ok := j.Judge("something nobody labelled", "")
	assert.False(t, ok)
	assert.False(t, v.DSAT)
	assert.EqualValues(t, 1, j.Stats().Unmatched)
}
