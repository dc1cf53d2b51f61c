package classifier

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dsatmine/dsatmine/conversation"
	"github.com/dsatmine/dsatmine/heuristics"
)

// fixedScores scores turns by their follow-up text.
func fixedScores(t *heuristics.Turn) ([]heuristics.Signal, float64, float64) {
	switch t.Text() {
	case "That is wrong.":
		return []heuristics.Signal{{Polarity: heuristics.DSAT, Category: heuristics.Complaint, Score: 0.95}}, 0.95, 0
	case "Maybe shorter?":
		return []heuristics.Signal{{Polarity: heuristics.DSAT, Category: heuristics.Preference, Score: 0.4}}, 0.4, 0
	case "Thanks a lot!":
		return []heuristics.Signal{{Polarity: heuristics.SAT, Score: 0.92}}, 0, 0.92
	}
	return nil, 0, 0
}

func TestWeakExamples(t *testing.T) {
	c := &conversation.Conversation{ID: "w", Messages: []conversation.Message{
		{Role: conversation.User, Content: "Explain how garbage collection works in Go."},
		{Role: conversation.Assistant, Content: "It is a concurrent mark and sweep collector."},
		{Role: conversation.User, Content: "That is wrong."},
		{Role: conversation.Assistant, Content: "Sorry, it is a tri-colour concurrent collector."},
		{Role: conversation.User, Content: "Maybe shorter?"},
		{Role: conversation.Assistant, Content: "Tri-colour, concurrent."},
		{Role: conversation.User, Content: "Thanks a lot!"},
		{Role: conversation.Assistant, Content: "You are welcome."},
		{Role: conversation.User, Content: "Now I would like to plan a three day trip to the mountains with my family next summer, any ideas?"},
		{Role: conversation.Assistant, Content: "Sure."},
		{Role: conversation.User, Content: "short new question"},
	}}
	pos, neg := WeakExamples(c, fixedScores, WeakOptions{})
	require.Len(t, pos, 2)
	assert.True(t, pos[0].DSAT)
	assert.Equal(t, []heuristics.Category{heuristics.Complaint}, pos[0].Categories)
	assert.True(t, pos[1].SAT)
	assert.False(t, pos[1].DSAT)
	require.Len(t, neg, 1, "only the long new request is a weak negative")
	assert.Equal(t, 8, neg[0].Turn.FollowUp)
	for _, e := range append(pos, neg...) {
		assert.True(t, e.Weak)
		assert.Equal(t, 0.3, e.Weight)
	}
	pos, _ = WeakExamples(c, fixedScores, WeakOptions{MinScore: 0.3, Weight: 0.5})
	assert.Len(t, pos, 3)
	assert.Equal(t, 0.5, pos[0].Weight)
}

func TestCrossValidateNeverScoresWeak(t *testing.T) {
	ex := synthExamples(40, 9, nil)
	labelled := len(ex)
	weak := synthExamples(20, 10, nil)
	for i := range weak {
		weak[i].Weak = true
		weak[i].Weight = 0.3
		weak[i].Set = "weak"
		weak[i].Turn.Conv.ID = "weak-" + weak[i].Turn.Conv.ID
	}
	rep, err := CrossValidate(context.Background(), append(ex, weak...), 3, TrainOptions{Features: FeatureConfig{HashBits: 12}, Epochs: 3})
	require.NoError(t, err)
	assert.Equal(t, labelled, rep.CV.Examples)
	assert.Equal(t, len(weak), rep.Weak)
	assert.Empty(t, rep.Sets, "weak examples form no reported set")
}
