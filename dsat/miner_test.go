package dsat

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dsatmine/dsatmine/classifier"
	"github.com/dsatmine/dsatmine/heuristics"
)

func TestAnchorPromptBoundaries(t *testing.T) {
	m := newTestMiner(t, nil)
	c := conv("c1",
		"system", "be brief",
		"user", "first question about rivers",
		"assistant", "calling a tool",
		"tool", "tool output",
		"assistant", "answer one",
		"user", "second part one",
		"user", "second part two",
		"assistant", "answer two",
		"user", "bad answer #complaint=0.9",
	)
	res, err := m.Mine(context.Background(), c)
	require.NoError(t, err)
	require.Len(t, res.Events, 1)
	e := res.Events[0]
	assert.Equal(t, KindDSAT, e.Kind)
	assert.Equal(t, 8, e.FollowUp)
	assert.Equal(t, 7, e.Reply)
	assert.Equal(t, 6, e.Request)
	assert.Equal(t, []heuristics.Category{heuristics.Complaint}, e.Categories)
	assert.Equal(t, 0.9, e.Score)
	require.Len(t, e.Evidence, 1)
	assert.Equal(t, Evidence{Start: 11, End: 25, Text: "#complaint=0.9", Category: "complaint", Detector: "tags", Cue: "tag complaint"}, e.Evidence[0])

	require.Len(t, res.Anchors, 1)
	a := res.Anchors[0]
	want := []ChatMessage{
		{Role: "system", Content: "be brief"},
		{Role: "user", Content: "first question about rivers"},
		{Role: "assistant", Content: "calling a tool"},
		{Role: "tool", Content: "tool output"},
		{Role: "assistant", Content: "answer one"},
		{Role: "user", Content: "second part one"},
		{Role: "user", Content: "second part two"},
	}
	assert.Equal(t, want, a.Prompt, "prompt ends with the request the rejected reply answered")
	assert.Equal(t, []ChatMessage{{Role: "assistant", Content: "answer two"}}, a.Rejected)
	assert.Equal(t, ChatMessage{Role: "user", Content: "bad answer #complaint=0.9"}, a.UserPreference)
	for _, p := range a.Prompt {
		assert.NotEqual(t, a.UserPreference.Content, p.Content, "follow-up must never be in the prompt")
	}
	assert.Equal(t, []string{"complaint"}, a.Categories)
	assert.Equal(t, 8, a.Turn)
	assert.Equal(t, "c1", a.ConversationID)
	assert.Nil(t, a.Chosen)
}

func TestAnchorIDStableAndUsesOriginalIndex(t *testing.T) {
	sum := sha256.Sum256([]byte("conv-42\x005"))
	assert.Equal(t, hex.EncodeToString(sum[:])[:16], AnchorID("conv-42", 5))
	assert.NotEqual(t, AnchorID("conv-42", 5), AnchorID("conv-42", 6))
	assert.NotEqual(t, AnchorID("a", 12), AnchorID("a1", 2), "separator keeps id and turn apart")

	m := newTestMiner(t, nil)
	// An empty message at original index 2 was dropped by the reader.
	c := conv("conv-42", "user@0", "hello there", "assistant@1", "reply", "user@3", "nope #complaint=0.8")
	res, err := m.Mine(context.Background(), c)
	require.NoError(t, err)
	require.Len(t, res.Anchors, 1)
	assert.Equal(t, 3, res.Anchors[0].Turn)
	assert.Equal(t, 3, res.Events[0].Turn)
	assert.Equal(t, 2, res.Events[0].FollowUp)
	assert.Equal(t, AnchorID("conv-42", 3), res.Anchors[0].ID)

	res2, err := m.Mine(context.Background(), c)
	require.NoError(t, err)
	assert.Equal(t, res, res2, "mining is pure")
}

func TestFirstUserTurnNeverFollowUp(t *testing.T) {
	m := newTestMiner(t, nil)
	res, err := m.Mine(context.Background(), conv("c", "user", "help me #complaint=0.9", "assistant", "sure", "user", "thanks #sat=0.9"))
	require.NoError(t, err)
	require.Len(t, res.FollowUps, 1, "the first user message is never a follow-up")
	assert.Equal(t, 2, res.FollowUps[0].FollowUp)

	// A reply to a leading assistant message is judged, but makes no
	// anchor: there is no request for the prompt.
	res, err = m.Mine(context.Background(), conv("c", "assistant", "Hi! How can I help?", "user", "wrong #complaint=0.9"))
	require.NoError(t, err)
	require.Len(t, res.Events, 1)
	assert.Equal(t, -1, res.Events[0].Request)
	assert.Empty(t, res.Anchors)
	assert.Equal(t, map[string]int{SkipNoRequest: 1}, res.Skipped)
}

func TestChosenAttachment(t *testing.T) {
	// The markers' words are not in the prompt: DRIFT-style pairing tests
	// the chain itself (the pairing rule is tested in pairing_test.go).
	m := newTestMiner(t, func(c *Config) { c.DRIFTPairing = true })
	ctx := context.Background()

	t.Run("reply to the DSAT follow-up is SAT", func(t *testing.T) {
		c := conv("c", "user", "q", "assistant", "bad", "user", "redo #refinement=0.9", "assistant", "good", "user", "great #sat=0.9")
		res, err := m.Mine(ctx, c)
		require.NoError(t, err)
		require.Len(t, res.Anchors, 1)
		assert.Equal(t, []ChatMessage{{Role: "assistant", Content: "good"}}, res.Anchors[0].Chosen)
		assert.Equal(t, PairDRIFT, res.Anchors[0].Pairing)
		assert.Equal(t, map[string]int{PairDRIFT: 1}, res.Pairing)
	})
	t.Run("chain of DSAT follow-ups", func(t *testing.T) {
		c := conv("c", "user", "q", "assistant", "bad1", "user", "wrong #complaint=0.9",
			"assistant", "bad2", "user", "again #refinement=0.8", "assistant", "good", "user", "thanks #sat=0.7")
		res, err := m.Mine(ctx, c)
		require.NoError(t, err)
		require.Len(t, res.Anchors, 2)
		for _, a := range res.Anchors {
			assert.Equal(t, []ChatMessage{{Role: "assistant", Content: "good"}}, a.Chosen, "turn %d", a.Turn)
		}
		assert.Equal(t, []ChatMessage{{Role: "assistant", Content: "bad1"}}, res.Anchors[0].Rejected)
		assert.Equal(t, []ChatMessage{{Role: "assistant", Content: "bad2"}}, res.Anchors[1].Rejected)
	})
	t.Run("a neutral follow-up starts a new need", func(t *testing.T) {
		c := conv("c", "user", "q", "assistant", "bad", "user", "wrong #complaint=0.9",
			"assistant", "better", "user", "now another task", "assistant", "fine", "user", "thanks #sat=0.9")
		res, err := m.Mine(ctx, c)
		require.NoError(t, err)
		require.Len(t, res.Anchors, 1)
		assert.Nil(t, res.Anchors[0].Chosen)
	})
	t.Run("conversation ends", func(t *testing.T) {
		c := conv("c", "user", "q", "assistant", "bad", "user", "wrong #complaint=0.9", "assistant", "better")
		res, err := m.Mine(ctx, c)
		require.NoError(t, err)
		require.Len(t, res.Anchors, 1)
		assert.Nil(t, res.Anchors[0].Chosen)
	})
}

func TestDoubtAndPushbackPolicy(t *testing.T) {
	ctx := context.Background()
	doubt := conv("d", "user", "q", "assistant", "a", "user", "really? #doubt=0.9")
	push := conv("p", "user", "q", "assistant", "I can't do that", "user", "just do it #pushback=0.9")
	mixed := conv("x", "user", "q", "assistant", "a", "user", "really? wrong #doubt=0.9 #complaint=0.6")

	res, err := newTestMiner(t, nil).Mine(ctx, doubt)
	require.NoError(t, err)
	require.Len(t, res.Events, 1, "doubt events are emitted")
	assert.Empty(t, res.Anchors, "doubt-only events make no anchors by default")

	m := newTestMiner(t, func(c *Config) { c.DoubtAnchors = true })
	res, err = m.Mine(ctx, doubt)
	require.NoError(t, err)
	require.Len(t, res.Anchors, 1)
	assert.InDelta(t, 0.9*0.6, res.Anchors[0].Score, 1e-9, "doubt anchors are scored lower")
	assert.Equal(t, 0.9, res.Events[0].Score, "the event keeps the unweighted score")

	res, err = m.Mine(ctx, push)
	require.NoError(t, err)
	require.Len(t, res.Events, 1, "pushback events are emitted")
	assert.Equal(t, []heuristics.Category{heuristics.Pushback}, res.Events[0].Categories)
	assert.Empty(t, res.Anchors)
	assert.Equal(t, map[string]int{SkipPushbackPolicy: 1}, res.Skipped)

	res, err = m.Mine(ctx, mixed)
	require.NoError(t, err)
	require.Len(t, res.Anchors, 1)
	assert.InDelta(t, 0.6, res.Anchors[0].Score, 1e-9, "max(complaint 0.6, doubt 0.9×0.6)")
	assert.Equal(t, []string{"complaint", "doubt"}, res.Anchors[0].Categories, "canonical order")

	m2 := newTestMiner(t, func(c *Config) { c.DoubtAnchors = false; c.PushbackAnchors = true })
	res, err = m2.Mine(ctx, doubt)
	require.NoError(t, err)
	assert.Empty(t, res.Anchors)
	assert.Equal(t, map[string]int{SkipDoubtPolicy: 1}, res.Skipped)
	res, err = m2.Mine(ctx, push)
	require.NoError(t, err)
	require.Len(t, res.Anchors, 1)
	assert.Equal(t, 0.9, res.Anchors[0].Score)
}

func TestThresholdsAndMinScore(t *testing.T) {
	ctx := context.Background()
	c := conv("c", "user", "q", "assistant", "a", "user", "meh #complaint=0.4", "assistant", "b", "user", "hm #preference=0.7")

	res, err := newTestMiner(t, nil).Mine(ctx, c)
	require.NoError(t, err)
	require.Len(t, res.FollowUps, 2)
	assert.Equal(t, 0.4, res.FollowUps[0].DSAT, "scores are kept below the threshold")
	assert.Equal(t, "", res.FollowUps[0].Kind)
	require.Len(t, res.Events, 1, "below threshold makes no event")
	assert.Equal(t, 4, res.Events[0].FollowUp)

	res, err = newTestMiner(t, func(c *Config) { c.SetThreshold(0.3) }).Mine(ctx, c)
	require.NoError(t, err)
	assert.Len(t, res.Events, 2)
	assert.Len(t, res.Anchors, 2)

	res, err = newTestMiner(t, func(c *Config) { c.Thresholds = map[heuristics.Category]float64{heuristics.Preference: 0.8} }).Mine(ctx, c)
	require.NoError(t, err)
	assert.Empty(t, res.Events, "per-category threshold")

	res, err = newTestMiner(t, func(c *Config) { c.SetThreshold(0.3); c.MinScore = 0.5 }).Mine(ctx, c)
	require.NoError(t, err)
	assert.Len(t, res.Events, 2)
	require.Len(t, res.Anchors, 1)
	assert.Equal(t, 4, res.Anchors[0].Turn)
	assert.Equal(t, map[string]int{SkipBelowMinScore: 1}, res.Skipped)
}

func TestSATEvent(t *testing.T) {
	c := conv("c", "user", "q", "assistant", "a", "user", "thanks #sat=0.6", "assistant", "b", "user", "thanks but wrong #sat=0.9 #correction=0.7")
	res, err := newTestMiner(t, nil).Mine(context.Background(), c)
	require.NoError(t, err)
	require.Len(t, res.Events, 2)
	assert.Equal(t, KindSAT, res.Events[0].Kind)
	assert.Equal(t, 0.6, res.Events[0].Score)
	assert.Equal(t, KindDSAT, res.Events[1].Kind, "thanks and correction is DSAT")
	assert.Equal(t, []heuristics.Category{heuristics.Correction}, res.Events[1].Categories)
}

func TestExtensionsPolicy(t *testing.T) {
	c := conv("c", "user", "q", "assistant", "a", "user", "also add tests #extension=0.9")
	res, err := newTestMiner(t, nil).Mine(context.Background(), c)
	require.NoError(t, err)
	assert.Empty(t, res.Events, "extensions do not count by default")
	res, err = newTestMiner(t, func(c *Config) { c.CountExtensions = true }).Mine(context.Background(), c)
	require.NoError(t, err)
	require.Len(t, res.Events, 1)
	assert.Equal(t, []heuristics.Category{heuristics.Refinement}, res.Events[0].Categories)
}

func TestMaxAnchorsPerConversation(t *testing.T) {
	c := conv("c", "user", "q", "assistant", "a1", "user", "x #complaint=0.6",
		"assistant", "a2", "user", "y #complaint=0.9", "assistant", "a3", "user", "z #complaint=0.7")
	res, err := newTestMiner(t, func(c *Config) { c.MaxAnchorsPerConversation = 2 }).Mine(context.Background(), c)
	require.NoError(t, err)
	require.Len(t, res.Anchors, 2)
	assert.Equal(t, 4, res.Anchors[0].Turn, "highest scores kept, in turn order")
	assert.Equal(t, 6, res.Anchors[1].Turn)
	assert.Equal(t, map[string]int{SkipMaxAnchors: 1}, res.Skipped)
	assert.Len(t, res.Events, 3, "events are not capped")
}

func TestCustomDetectorCombinesWithEngine(t *testing.T) {
	// Two signals for one category combine by noisy-OR: 1-(1-0.5)(1-0.5).
	c := conv("c", "user", "q", "assistant", "a", "user", "x #complaint=0.5 #complaint=0.5")
	res, err := newTestMiner(t, nil).Mine(context.Background(), c)
	require.NoError(t, err)
	require.Len(t, res.Events, 1)
	assert.Equal(t, 0.75, res.Events[0].Score)
	assert.Len(t, res.Events[0].Evidence, 2)
}

type fakeClassifier struct {
	p   classifier.Prediction
	err error
}

func (f fakeClassifier) Name() string { return "fake" }
func (f fakeClassifier) Classify(context.Context, *heuristics.Turn, []heuristics.Signal) (classifier.Prediction, error) {
	return f.p, f.err
}

func TestClassifierCombination(t *testing.T) {
	ctx := context.Background()
	c := conv("c", "user", "q", "assistant", "a", "user", "x #complaint=0.3")
	withClf := func(p classifier.Prediction, err error) *Miner {
		return newTestMiner(t, func(c *Config) { c.Classifier = fakeClassifier{p, err} })
	}
	res, err := withClf(classifier.Prediction{DSAT: 0.8, Categories: map[heuristics.Category]float64{heuristics.Complaint: 0.7, heuristics.Preference: 0.2}}, nil).Mine(ctx, c)
	require.NoError(t, err)
	require.Len(t, res.Events, 1)
	assert.Equal(t, []heuristics.Category{heuristics.Complaint}, res.Events[0].Categories)
	assert.Equal(t, 0.8, res.Events[0].Score, "max(heuristic 0.3, classifier DSAT 0.8 in its most likely category)")
	assert.Equal(t, "combined", res.Events[0].Detector, "tags and fake both found complaint")

	res, err = withClf(classifier.Prediction{DSAT: 0.4, Categories: map[heuristics.Category]float64{heuristics.Complaint: 0.9}}, nil).Mine(ctx, c)
	require.NoError(t, err)
	assert.Empty(t, res.Events, "classifier categories are gated by its DSAT probability")

	// A failing classifier leaves the heuristic verdict and is counted.
	boom := errors.New("boom")
	res, err = withClf(classifier.Prediction{}, boom).Mine(ctx, c)
	require.NoError(t, err)
	assert.Empty(t, res.Events, "heuristic complaint 0.3 stays below the threshold")
	assert.Equal(t, map[string]int64{"classifier_error": 1}, res.Classifier.Errors)
}

func TestNewMinerRejectsBadConfig(t *testing.T) {
	for name, mod := range map[string]func(*Config){
		"threshold":  func(c *Config) { c.SetThreshold(1.5) },
		"doubt":      func(c *Config) { c.DoubtAnchors, c.DoubtWeight = true, 0 },
		"target":     func(c *Config) { c.TargetPrecision = 1 },
		"target+thr": func(c *Config) { c.TargetPrecision, c.ClassifierThreshold = 0.8, 0.5 },
		"max":        func(c *Config) { c.MaxAnchorsPerConversation = -1 },
		"nil det":    func(c *Config) { c.Detectors = append(c.Detectors, nil) },
		"min score":  func(c *Config) { c.MinScore = 2 },
		"sat thresh": func(c *Config) { c.SATThreshold = -0.1 },
	} {
		cfg := testConfig(t)
		mod(&cfg)
		_, err := NewMiner(cfg)
		assert.ErrorIs(t, err, ErrConfig, name)
	}
	cfg := testConfig(t)
	cfg.Tokens = &TokenBudget{Encoding: "p50k_base"}
	_, err := NewMiner(cfg)
	assert.ErrorIs(t, err, ErrEncoding)
}

func TestMineHonoursContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := newTestMiner(t, nil).Mine(ctx, conv("c", "user", "q", "assistant", "a", "user", "x"))
	assert.ErrorIs(t, err, context.Canceled)
}
