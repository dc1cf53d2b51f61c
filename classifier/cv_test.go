package classifier

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dsatmine/dsatmine/heuristics"
)

func TestAssignFoldsGroupsConversations(t *testing.T) {
	ex := synthExamples(50, 5, nil)
	all := make([]int, len(ex))
	for i := range all {
		all[i] = i
	}
	folds := assignFolds(ex, all, 5, 1)
	byConv := map[string]int{}
	sizes := make([]int, 5)
	for i, f := range folds {
		require.GreaterOrEqual(t, f, 0)
		id := ex[i].Turn.Conv.ID
		if prev, ok := byConv[id]; ok {
			require.Equal(t, prev, f, "conversation %s split across folds", id)
		}
		byConv[id] = f
		sizes[f]++
	}
	for _, s := range sizes {
		assert.Positive(t, s)
	}
	assert.Equal(t, folds, assignFolds(ex, all, 5, 1), "deterministic")
}

func TestCrossValidate(t *testing.T) {
	ctx := context.Background()
	ex := synthExamples(100, 6, synthSignals)
	// Tag half the conversations as a second set to get per-set figures.
	for i := range ex {
		if ex[i].Turn.Conv.ID > "synth-050" {
			ex[i].Set = "other"
		}
	}
	opts := TrainOptions{Features: FeatureConfig{HashBits: 12}, Epochs: 5, CalibrationFolds: 2}
	rep, err := CrossValidate(ctx, ex, 4, opts)
	require.NoError(t, err)
	assert.Equal(t, len(ex), rep.Examples)
	assert.Equal(t, 100, rep.Conversations)
	assert.Equal(t, len(ex), rep.CV.Examples)
	m := rep.CV.DSAT
	assert.Equal(t, len(ex), m.TP+m.FP+m.FN+m.TN)
	// The synthetic phrasings recur across conversations, so held-out
	// scores must be good, but not better than on training data.
	assert.Greater(t, rep.CV.DSAT.F1, 0.85)
	assert.Greater(t, rep.CV.SAT.F1, 0.8)
	assert.GreaterOrEqual(t, rep.Train.DSAT.F1, rep.CV.DSAT.F1-0.02)
	assert.InDelta(t, rep.Train.DSAT.F1-rep.CV.DSAT.F1, rep.Gap(), 1e-12)
	assert.Less(t, rep.CV.Brier, 0.1)
	assert.Greater(t, rep.CV.Categories[heuristics.Complaint].F1, 0.6)
	assert.Greater(t, rep.CV.Categories[heuristics.Preference].F1, 0.6)
	assert.NotContains(t, rep.CV.Categories, heuristics.Pushback, "categories with no gold turns are not reported")
	if rep.CV.Best.Threshold > 0 {
		assert.GreaterOrEqual(t, rep.CV.Best.Precision, MinPrecision)
	}
	require.Len(t, rep.CV.Sweep, 19)
	assert.InDelta(t, 0.05, rep.CV.Sweep[0].Threshold, 1e-9)
	// Recall falls as the threshold rises.
	assert.GreaterOrEqual(t, rep.CV.Sweep[0].Recall, rep.CV.Sweep[18].Recall)
	n := 0
	for _, b := range rep.CV.Reliability {
		n += b.Count
	}
	assert.Equal(t, len(ex), n)
	require.Len(t, rep.Sets, 2)
	assert.Equal(t, "other", rep.Sets[0].Set)
	assert.Equal(t, len(ex), rep.Sets[0].Examples+rep.Sets[1].Examples)

	again, err := CrossValidate(ctx, ex, 4, opts)
	require.NoError(t, err)
	assert.Equal(t, rep, again, "cross-validation must be deterministic")
}

func TestCrossValidateErrors(t *testing.T) {
	ctx := context.Background()
	_, err := CrossValidate(ctx, nil, 5, TrainOptions{})
	assert.ErrorIs(t, err, ErrNoExamples)
	ex := synthExamples(3, 1, nil)
	_, err = CrossValidate(ctx, ex, 1, TrainOptions{})
	assert.Error(t, err)
	_, err = CrossValidate(ctx, ex, 5, TrainOptions{})
	assert.Error(t, err)
}

func TestEvaluate(t *testing.T) {
	ctx := context.Background()
	train := synthExamples(120, 7, nil)
	test := synthExamples(40, 8, nil)
	m, err := Train(ctx, train, TrainOptions{Features: FeatureConfig{HashBits: 12}, Epochs: 6})
	require.NoError(t, err)
	f, err := Evaluate(ctx, m, test)
	require.NoError(t, err)
	assert.Equal(t, len(test), f.Examples)
	assert.Greater(t, f.DSAT.F1, 0.8)
}

func TestMetrics(t *testing.T) {
	var m Metrics
	for _, c := range []struct{ p, g bool }{{true, true}, {true, true}, {true, false}, {false, true}, {false, false}} {
		m.add(c.p, c.g)
	}
	m.finish()
	assert.Equal(t, Metrics{TP: 2, FP: 1, FN: 1, TN: 1, Precision: 2.0 / 3, Recall: 2.0 / 3, F1: 2.0 / 3}, m)
}
