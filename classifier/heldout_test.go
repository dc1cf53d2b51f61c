package classifier

import (
	"bytes"
	"context"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dsatmine/dsatmine/conversation"
	"github.com/dsatmine/dsatmine/heuristics"
)

func TestSourceOf(t *testing.T) {
	for in, want := range map[string]struct {
		group string
		aid   bool
	}{
		"eurtad/filtered_mwoz": {"eurtad", false},
		"sharegpt":             {"sharegpt", false},
		"dsatmine-en":          {"dsatmine-en", true},
		"":                     {"", false},
	} {
		g, aid := SourceOf(in)
		assert.Equal(t, want.group, g, in)
		assert.Equal(t, want.aid, aid, in)
	}
}

// sourceExamples builds n conversations per source whose DSAT follow-ups
// say "wrong" and whose others say "thanks", so a model can learn them.
func sourceExamples(sources []string, aid string, n int) []Example {
	var out []Example
	add := func(src string, isAid bool) {
		for i := range n {
			dsat := i%3 == 0
			fu := fmt.Sprintf("thanks, that helps with item %d", i)
			if dsat {
				fu = fmt.Sprintf("that is wrong, item %d is not right", i)
			}
			c := &conversation.Conversation{ID: fmt.Sprintf("%s-%d", src, i), Source: src, Messages: []conversation.Message{
				{Role: conversation.User, Content: "question"}, {Role: conversation.Assistant, Content: "answer"},
				{Role: conversation.User, Content: fu},
			}}
			out = append(out, Example{Turn: heuristics.NewTurn(c, 2), DSAT: dsat, Set: src + ".jsonl", Source: src, Aid: isAid})
		}
	}
	for _, s := range sources {
		add(s, false)
	}
	if aid != "" {
		add(aid, true)
	}
	return out
}

func TestLeaveSourceOut(t *testing.T) {
	ex := sourceExamples([]string{"alpha", "beta", "gamma"}, "dsatmine-x", 60)
	opts := TrainOptions{Features: FeatureConfig{HashBits: 12}, Epochs: 4, Workers: 1}
	rep, err := LeaveSourceOut(context.Background(), ex, opts, LOSOOptions{Targets: []float64{0.7, 0.9}, Curve: []float64{0.5, 1}})
	require.NoError(t, err)
	require.Len(t, rep.Sources, 3, "one row per real source; the aid is never held out")
	for i, want := range []string{"alpha", "beta", "gamma"} {
		s := rep.Sources[i]
		assert.Equal(t, want, s.Source)
		assert.Equal(t, 60, s.Examples)
		assert.Equal(t, 20, s.Positives)
		assert.Equal(t, 120, s.TrainReal, "the other two sources' real turns")
		assert.Len(t, s.Targets, 2)
		assert.Greater(t, s.AUC, 0.9, "the cue words separate the classes in every source")
		assert.Equal(t, 60, s.Model.TP+s.Model.FP+s.Model.FN+s.Model.TN)
	}
	assert.Equal(t, 180, rep.Pooled.Examples)
	require.Len(t, rep.Curve, 2)
	assert.Less(t, rep.Curve[0].TrainReal, rep.Curve[1].TrainReal, "half the conversations train on fewer turns")
	assert.Equal(t, 120, rep.Curve[1].TrainReal)

	again, err := LeaveSourceOut(context.Background(), ex, opts, LOSOOptions{Targets: []float64{0.7, 0.9}, Curve: []float64{0.5, 1}})
	require.NoError(t, err)
	assert.Equal(t, rep, again, "deterministic")

	_, err = LeaveSourceOut(context.Background(), sourceExamples([]string{"alpha"}, "dsatmine-x", 60), opts, LOSOOptions{})
	assert.ErrorContains(t, err, "at least 2 real sources")
}

func TestThresholdForAndTableRoundTrip(t *testing.T) {
	m := newModel(DefaultFeatureConfig())
	m.has[headDSAT] = true
	_, err := m.ThresholdFor(0.8)
	assert.ErrorIs(t, err, ErrNoTable)

	table := []OperatingPoint{
		{0.6, Metrics{TP: 8, FP: 1, FN: 12, Precision: 8.0 / 9, Recall: 0.4}},
		{0.2, Metrics{TP: 18, FP: 12, FN: 2, Precision: 0.6, Recall: 0.9}},
		{0.4, Metrics{TP: 15, FP: 5, FN: 5, Precision: 0.75, Recall: 0.75}},
		{0.9, Metrics{}},
	}
	m.SetOperatingTable(table)
	m.SetDecision(DecisionModel)
	op, err := m.ThresholdFor(0.7)
	require.NoError(t, err)
	assert.Equal(t, 0.4, op.Threshold, "the lowest threshold reaching the target")
	op, err = m.ThresholdFor(0.8)
	require.NoError(t, err)
	assert.Equal(t, 0.6, op.Threshold)
	_, err = m.ThresholdFor(0.95)
	assert.ErrorIs(t, err, ErrPrecisionOutOfReach)

	var buf bytes.Buffer
	require.NoError(t, m.Save(&buf))
	l, err := Load(&buf)
	require.NoError(t, err)
	assert.Equal(t, DecisionModel, l.Decision())
	assert.Equal(t, 1, l.Features().Structure)
	op, err = l.ThresholdFor(0.7)
	require.NoError(t, err)
	assert.Equal(t, 0.4, op.Threshold)
	assert.InDelta(t, 0.75, op.F1, 1e-9)

	_, err = Load(bytes.NewReader(bytes.Replace(buf.Bytes(), []byte(`"decision":"model"`), []byte(`"decision":"vote"`), 1)))
	assert.ErrorIs(t, err, ErrFormat)
}

func TestRuleDecide(t *testing.T) {
	h := map[heuristics.Category]float64{heuristics.Complaint: 0.9}
	p := Prediction{DSAT: 0.3, Categories: map[heuristics.Category]float64{heuristics.Preference: 0.3}}
	c := Rule{Threshold: 0.5, Decide: true}.Combine(h, 0, p)
	assert.Zero(t, c.Scores[heuristics.Complaint], "below the threshold the model's no wins over a strong heuristic")
	assert.True(t, c.Lowered)
	c = Rule{Threshold: 0.5, Veto: 0.2}.Combine(h, 0, p)
	assert.Equal(t, 0.9, c.Scores[heuristics.Complaint], "the combined rule keeps it")
	p.DSAT = 0.7
	c = Rule{Threshold: 0.5, Decide: true}.Combine(h, 0, p)
	assert.Equal(t, 0.9, c.Scores[heuristics.Complaint], "at or above it the heuristic categories stay")
	assert.GreaterOrEqual(t, c.Scores[heuristics.Preference], 0.5, "and the model's category is raised")
}

func TestThresholdForPrefersTheSourceTable(t *testing.T) {
	m := newModel(DefaultFeatureConfig())
	m.has[headDSAT] = true
	m.SetOperatingTable([]OperatingPoint{
		{0.4, Metrics{TP: 15, FP: 5, FN: 5, Precision: 0.75, Recall: 0.75}},
		{0.6, Metrics{TP: 8, FP: 1, FN: 12, Precision: 8.0 / 9, Recall: 0.4}},
	})
	op, err := m.ThresholdFor(0.8)
	require.NoError(t, err)
	assert.Equal(t, 0.6, op.Threshold, "no source table: the out-of-fold one")

	m.SetSourceTable([]OperatingPoint{
		{0.6, Metrics{TP: 6, FP: 3, FN: 14, Precision: 6.0 / 9, Recall: 0.3}},
		{0.8, Metrics{TP: 4, FP: 1, FN: 16, Precision: 0.8, Recall: 0.2}},
	})
	op, err = m.ThresholdFor(0.8)
	require.NoError(t, err)
	assert.Equal(t, 0.8, op.Threshold, "a new source reaches 0.80 only at 0.8")
	_, err = m.ThresholdFor(0.85)
	assert.ErrorIs(t, err, ErrPrecisionOutOfReach)

	var buf bytes.Buffer
	require.NoError(t, m.Save(&buf))
	l, err := Load(&buf)
	require.NoError(t, err)
	assert.Len(t, l.SourceTable(), 2)
	assert.Len(t, l.OperatingTable(), 2)
	op, err = l.ThresholdFor(0.8)
	require.NoError(t, err)
	assert.Equal(t, 0.8, op.Threshold)
}

func TestCrossValidateSourceTable(t *testing.T) {
	opts := TrainOptions{Features: FeatureConfig{HashBits: 12}, Epochs: 4, Workers: 1, TableBySource: true}
	rep, err := CrossValidate(context.Background(), sourceExamples([]string{"alpha", "beta"}, "dsatmine-x", 60), 3, opts)
	require.NoError(t, err)
	require.Len(t, rep.SourceTable, len(rep.Table))
	first := rep.SourceTable[0]
	assert.Equal(t, 120, first.TP+first.FP+first.FN+first.TN, "the real turns of both sources, not the aid")
	again, err := CrossValidate(context.Background(), sourceExamples([]string{"alpha", "beta"}, "dsatmine-x", 60), 3, opts)
	require.NoError(t, err)
	assert.Equal(t, rep.SourceTable, again.SourceTable, "deterministic")

	one, err := CrossValidate(context.Background(), sourceExamples([]string{"alpha"}, "dsatmine-x", 60), 3, opts)
	require.NoError(t, err)
	assert.Nil(t, one.SourceTable, "one real source: nothing to hold out")
	assert.NotNil(t, one.Table)
}
