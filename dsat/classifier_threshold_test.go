package dsat

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dsatmine/dsatmine/classifier"
	"github.com/dsatmine/dsatmine/heuristics"
)

// thresholdClassifier is a fakeClassifier with a recommended operating point.
type thresholdClassifier struct {
	fakeClassifier
	t float64
}

func (c thresholdClassifier) Threshold() float64 { return c.t }

func TestClassifierThresholdDefaultsToModelOperatingPoint(t *testing.T) {
	ctx := context.Background()
	c := conv("c", "user", "q", "assistant", "a", "user", "x")
	p := classifier.Prediction{DSAT: 0.4, Categories: map[heuristics.Category]float64{heuristics.Complaint: 0.4}}
	mine := func(clf classifier.Classifier, th float64) (*Miner, *Result) {
		m := newTestMiner(t, func(cfg *Config) { cfg.Classifier = clf; cfg.ClassifierThreshold = th })
		res, err := m.Mine(ctx, c)
		require.NoError(t, err)
		return m, res
	}
	m, res := mine(thresholdClassifier{fakeClassifier{p: p}, 0.3}, 0)
	assert.Equal(t, 0.3, m.Config().ClassifierThreshold, "the model's stored operating point")
	require.Len(t, res.Events, 1, "0.4 clears the model's 0.3")
	assert.InDelta(t, classifier.CategoryScore(0.4, 0.4, 0.3), res.Events[0].Score, 1e-4)

	m, res = mine(fakeClassifier{p: p}, 0)
	assert.Equal(t, 0.5, m.Config().ClassifierThreshold, "0.5 for a classifier without one")
	assert.Empty(t, res.Events)

	m, res = mine(thresholdClassifier{fakeClassifier{p: p}, 0.3}, 0.45)
	assert.Equal(t, 0.45, m.Config().ClassifierThreshold, "an explicit threshold wins")
	assert.Empty(t, res.Events)
}
