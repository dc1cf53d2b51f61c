package dsat

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dsatmine/dsatmine/conversation"
	"github.com/dsatmine/dsatmine/heuristics"
)

func TestJudgeFollowUp(t *testing.T) {
	prompt := []ChatMessage{{Role: "user", Content: "How do I create a virtual environment on my Mac?"}}
	reply := "Run python3 -m venv .venv and then source .venv/bin/activate in Terminal."
	ref := []heuristics.Category{heuristics.Refinement}
	cor := []heuristics.Category{heuristics.Correction}
	for _, tt := range []struct {
		text string
		cats []heuristics.Category
		want string
	}{
		{"I'm actually on Windows 11, not a Mac.", cor, PairDroppedNewFact},
		{"Are you sure? I thought venv needs admin rights.", []heuristics.Category{heuristics.Doubt}, PairDroppedChallenge},
		{"Are you sure that works on a Mac?", []heuristics.Category{heuristics.Doubt, heuristics.Correction}, PairDroppedChallenge},
		{"Can you explain it more simply, step by step?", ref, PairRefined},
		{"Shorter please, in three bullet points.", ref, PairRefined},
		{"No, how do I create a virtual environment on my Mac?", cor, PairRestated},
		{"That doesn't work. Try again.", ref, PairReasked},
		{"That's Homebrew syntax, not venv. Try again.", cor, PairReasked},
		{"I also need it to use Python 3.12 with conda.", ref, PairDroppedNewFact},
		{"Use conda instead.", ref, PairDroppedNewFact},
	} {
		known := map[string]bool{}
		for _, m := range prompt {
			addWords(known, m.Content)
		}
		addWords(known, reply)
		assert.Equal(t, tt.want, judgeFollowUp(tt.text, prompt, known, tt.cats), tt.text)
	}
}

// sampleAnchors mines the bundled samples and returns the anchors whose
// request contains key.
func sampleAnchors(t *testing.T, drift bool) (map[string]Anchor, *Stats) {
	t.Helper()
	cfg := DefaultConfig()
	cfg.DRIFTPairing = drift
	m, err := NewMiner(cfg)
	require.NoError(t, err)
	out := map[string]Anchor{}
	st := NewStats()
	for _, p := range []string{"../testdata/sample/openai-sample.jsonl", "../testdata/sample/sharegpt-sample.json", "../testdata/sample/wildchat-sample.jsonl"} {
		f, err := os.Open(p)
		require.NoError(t, err)
		r := conversation.NewReader(f, p)
		for c, err := range r.All(context.Background()) {
			require.NoError(t, err)
			res, err := m.Mine(context.Background(), c)
			require.NoError(t, err)
			st.AddResult(res)
			for _, a := range res.Anchors {
				out[a.Prompt[len(a.Prompt)-1].Content] = a
			}
		}
		r.Close()
		f.Close()
	}
	return out, st
}

func TestPairingOnTheSample(t *testing.T) {
	def, st := sampleAnchors(t, false)
	drift, dst := sampleAnchors(t, true)
	find := func(as map[string]Anchor, key string) Anchor {
		for req, a := range as {
			if strings.Contains(req, key) {
				return a
			}
		}
		t.Fatalf("no anchor for %q", key)
		return Anchor{}
	}
	// Chosen answers a follow-up the prompt leaves out: paired only by
	// DRIFT-style pairing.
	for _, key := range []string{"virtual environment on my Mac", "`let`, `const` and `var`", "3-day itinerary for Lisbon"} {
		assert.Empty(t, find(def, key).Chosen, key)
		assert.Empty(t, find(def, key).Pairing, key)
		assert.NotEmpty(t, find(drift, key).Chosen, key)
		assert.Equal(t, PairDRIFT, find(drift, key).Pairing, key)
	}
	// A request for a simpler form of the same answer stays paired.
	a := find(def, "What is a closure")
	assert.NotEmpty(t, a.Chosen)
	assert.Equal(t, PairRefined, a.Pairing)

	var kept, dropped, all int64
	for reason, n := range st.Pairing {
		if strings.HasPrefix(reason, "dropped_") {
			dropped += n
		} else {
			kept += n
		}
	}
	for _, n := range dst.Pairing {
		all += n
	}
	assert.Positive(t, kept)
	assert.Positive(t, dropped)
	assert.Equal(t, all, kept+dropped, "every pair DRIFT pairing makes is kept or dropped by the rule")
	assert.Equal(t, all, dst.Pairing[PairDRIFT])
	pairs := int64(0)
	for _, a := range def {
		if len(a.Chosen) > 0 {
			pairs++
		}
	}
	assert.Equal(t, kept, pairs)
}
