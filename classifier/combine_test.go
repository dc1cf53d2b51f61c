package classifier

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dsatmine/dsatmine/heuristics"
)

func TestCategoryScore(t *testing.T) {
	assert.Zero(t, CategoryScore(0.3, 0.3, 0.5), "below the threshold the classifier adds nothing")
	assert.InDelta(t, 0.7, CategoryScore(0.8, 0.7, 0.5), 1e-12, "at threshold 0.5 the score is the joint probability")
	assert.InDelta(t, 0.5, CategoryScore(0.3, 0.3, 0.3), 1e-12, "the threshold maps to 0.5")
	assert.InDelta(t, 0.25, CategoryScore(0.3, 0.15, 0.3), 1e-12, "shared out by the conditional probability")
	assert.InDelta(t, 1, CategoryScore(1, 1, 1), 1e-12)
	assert.Zero(t, CategoryScore(0.9, 0, 0.5))
	lo, hi := CategoryScore(0.6, 0.5, 0.4), CategoryScore(0.6, 0.5, 0.2)
	assert.Greater(t, hi, lo, "a lower threshold raises the score")
}

func TestCombine(t *testing.T) {
	h := map[heuristics.Category]float64{heuristics.Complaint: 0.3, heuristics.Doubt: 0.6}
	p := Prediction{DSAT: 0.8, SAT: 0.1, Categories: map[heuristics.Category]float64{
		heuristics.Complaint: 0.7, heuristics.Doubt: 0.2, heuristics.Preference: 0.1,
	}}
	out, sat, raised := Combine(h, 0.4, p, 0.5)
	assert.Equal(t, map[heuristics.Category]float64{heuristics.Complaint: 0.7, heuristics.Doubt: 0.6, heuristics.Preference: 0.1}, out)
	assert.Equal(t, 0.4, sat)
	assert.Equal(t, []heuristics.Category{heuristics.Complaint, heuristics.Preference}, raised)
	assert.Equal(t, 0.3, h[heuristics.Complaint], "input not modified")

	out, _, raised = Combine(h, 0, p, 0.9)
	assert.Equal(t, h, out, "gated below the threshold")
	assert.Empty(t, raised)
}

// The combined CV figures apply Combine's rule: a classifier that is always
// sure of complaint turns every follow-up into DSAT, and the heuristics-only
// column depends on the signals alone.
func TestCombinedFigures(t *testing.T) {
	sig := func(s float64) []heuristics.Signal {
		return []heuristics.Signal{{Polarity: heuristics.DSAT, Category: heuristics.Complaint, Score: s, Detector: "x"}}
	}
	ex := []Example{
		{Signals: sig(0.9), DSAT: true, Categories: []heuristics.Category{heuristics.Complaint}},
		{Signals: sig(0.2), DSAT: true, Categories: []heuristics.Category{heuristics.Complaint}},
		{Signals: nil, DSAT: false},
		{Signals: []heuristics.Signal{{Polarity: heuristics.DSAT, Category: heuristics.Refinement, Score: 0.9, Cue: heuristics.ExtensionCue + "also"}}, DSAT: false},
	}
	rows := []int{0, 1, 2, 3}
	sure := Scores{DSAT: 0.6}
	sure.Given[categoryIndex(heuristics.Complaint)] = 1
	sure.Category[categoryIndex(heuristics.Complaint)] = 0.6
	scores := []Scores{sure, sure, {DSAT: 0.1}, {DSAT: 0.1}}
	f := combinedFigures(ex, rows, scores)
	assert.Equal(t, Metrics{TP: 1, FN: 1, TN: 2, Precision: 1, Recall: 0.5, F1: 2.0 / 3}, f.Heuristics, "extension signals are not counted")
	assert.Equal(t, 2, f.DSAT.TP)
	assert.Equal(t, 0, f.DSAT.FP)
	assert.InDelta(t, 1.0, f.DSAT.F1, 1e-12)
	require.NotEmpty(t, f.Sweep)
	last := f.Sweep[len(f.Sweep)-1]
	assert.Equal(t, 1, last.TP, "above the classifier's DSAT probability only the heuristics fire")
	assert.InDelta(t, 1.0, f.Categories[heuristics.Complaint].F1, 1e-12)
	assert.Equal(t, 0.0, f.HeuristicCategories[heuristics.Complaint].Precision-1)
}

func TestCrossValidateReportsCombined(t *testing.T) {
	ex := synthExamples(120, 3, synthSignals)
	r, err := CrossValidate(context.Background(), ex, 3, TrainOptions{Epochs: 3})
	require.NoError(t, err)
	c := r.CV.Combined
	assert.Len(t, c.Sweep, 19)
	assert.Equal(t, r.CV.Examples, c.DSAT.TP+c.DSAT.FP+c.DSAT.FN+c.DSAT.TN)
	assert.Equal(t, r.CV.Examples, c.Heuristics.TP+c.Heuristics.FP+c.Heuristics.FN+c.Heuristics.TN)
}
