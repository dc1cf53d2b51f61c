package classifier

import (
	"context"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dsatmine/dsatmine/heuristics"
)

func TestCategoryScore(t *testing.T) {
	assert.Zero(t, CategoryScore(0.3, 1, 0.5), "below the threshold the classifier adds nothing")
	assert.InDelta(t, 0.65, CategoryScore(0.65, 1, 0.5), 1e-12, "at threshold 0.5 the most likely category gets the DSAT probability")
	assert.InDelta(t, 0.5, CategoryScore(0.3, 1, 0.3), 1e-12, "the threshold maps to 0.5")
	assert.InDelta(t, 0.25, CategoryScore(0.3, 0.5, 0.3), 1e-12, "scaled by the share of the most likely category")
	assert.InDelta(t, 1, CategoryScore(1, 1, 1), 1e-12)
	assert.Zero(t, CategoryScore(0.9, 0, 0.5))
	lo, hi := CategoryScore(0.6, 0.5, 0.4), CategoryScore(0.6, 0.5, 0.2)
	assert.Greater(t, hi, lo, "a lower threshold raises the score")
}

func TestRuleCombine(t *testing.T) {
	h := map[heuristics.Category]float64{heuristics.Complaint: 0.3, heuristics.Doubt: 0.6}
	// DSAT 0.6 split over three categories: no joint probability reaches
	// 0.5, yet the follow-up is DSAT in its most likely category.
	p := Prediction{DSAT: 0.6, SAT: 0.1, Categories: map[heuristics.Category]float64{
		heuristics.Complaint: 0.3, heuristics.Doubt: 0.2, heuristics.Preference: 0.1,
	}}
	c := Rule{Threshold: 0.5, Veto: 0.2}.Combine(h, 0.4, p)
	assert.InDelta(t, 0.6, c.Scores[heuristics.Complaint], 1e-12)
	assert.InDelta(t, 0.6, c.Scores[heuristics.Doubt], 1e-12, "the heuristic score is kept when higher")
	assert.InDelta(t, 0.2, c.Scores[heuristics.Preference], 1e-12)
	assert.Equal(t, 0.4, c.SAT)
	assert.Equal(t, []heuristics.Category{heuristics.Complaint, heuristics.Preference}, c.Raised)
	assert.False(t, c.Lowered)
	assert.Equal(t, 0.3, h[heuristics.Complaint], "input not modified")

	c = Rule{Threshold: 0.9, Veto: 0.2}.Combine(h, 0, p)
	assert.Equal(t, h, c.Scores, "gated below the threshold")
	assert.Empty(t, c.Raised)

	// A confident "not DSAT" lowers the heuristic scores in proportion.
	no := Prediction{DSAT: 0.05, SAT: 0.7}
	c = Rule{Threshold: 0.5, Veto: 0.2}.Combine(map[heuristics.Category]float64{heuristics.Refinement: 0.8, heuristics.Complaint: 0}, 0, no)
	assert.InDelta(t, 0.2, c.Scores[heuristics.Refinement], 1e-12)
	assert.Zero(t, c.Scores[heuristics.Complaint])
	assert.True(t, c.Lowered)
	assert.Equal(t, 0.7, c.SAT)
	c = Rule{Threshold: 0.5, Veto: 0.04}.Combine(map[heuristics.Category]float64{heuristics.Refinement: 0.8}, 0, no)
	assert.Equal(t, 0.8, c.Scores[heuristics.Refinement], "above the veto nothing is lowered")
	assert.False(t, c.Lowered)
	c = Rule{Threshold: 0.5}.Combine(map[heuristics.Category]float64{heuristics.Refinement: 0.8}, 0, Prediction{})
	assert.Equal(t, 0.8, c.Scores[heuristics.Refinement], "veto 0 is off")

	// The array form used by cross-validation agrees with Combine.
	var hs [numCategories]float64
	hs[categoryIndex(heuristics.Complaint)] = 0.3
	hs[categoryIndex(heuristics.Doubt)] = 0.6
	var s Scores
	s.DSAT = p.DSAT
	for c, j := range p.Categories {
		s.Category[categoryIndex(c)] = j
	}
	r := Rule{Threshold: 0.5, Veto: 0.2}
	arr := r.combineScores(&hs, &s)
	m := r.Combine(h, 0, p)
	for i, c := range heuristics.Categories {
		assert.InDelta(t, m.Scores[c], arr[i], 1e-12, c)
	}
}

// The combined CV figures apply Rule.Combine: a classifier that is always
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
	f := combinedFigures(ex, rows, scores, 0)
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

// With a veto, a confident "not DSAT" removes a heuristic false positive
// from the combined figures.
func TestCombinedFiguresVeto(t *testing.T) {
	sig := []heuristics.Signal{{Polarity: heuristics.DSAT, Category: heuristics.Refinement, Score: 0.7, Detector: "x"}}
	ex := []Example{{Signals: sig, DSAT: false}, {Signals: sig, DSAT: true, Categories: []heuristics.Category{heuristics.Refinement}}}
	scores := []Scores{{DSAT: 0.02}, {DSAT: 0.4}}
	without := combinedFigures(ex, []int{0, 1}, scores, 0)
	with := combinedFigures(ex, []int{0, 1}, scores, 0.2)
	assert.Equal(t, 1, without.DSAT.FP)
	assert.Equal(t, 0, with.DSAT.FP)
	assert.Equal(t, 1, with.DSAT.TP, "a doubtful classifier does not veto")
	assert.Equal(t, 0.2, with.Veto)
}

// The operating point is chosen on the named sets only.
func TestCrossValidateOperatingSets(t *testing.T) {
	ex := synthExamples(120, 3, synthSignals)
	for i := range ex {
		if i%3 == 0 {
			ex[i].Set = "other"
		}
	}
	all, err := CrossValidate(context.Background(), ex, 3, TrainOptions{Epochs: 3})
	require.NoError(t, err)
	assert.Equal(t, all.CV.Combined.Best, all.Operating, "all sets by default")
	assert.Empty(t, all.OperatingSets)

	both, err := CrossValidate(context.Background(), ex, 3, TrainOptions{Epochs: 3, OperatingSets: []string{"synth", "other"}})
	require.NoError(t, err)
	assert.Equal(t, all.Operating, both.Operating, "naming every set is the default")

	one, err := CrossValidate(context.Background(), ex, 3, TrainOptions{Epochs: 3, OperatingSets: []string{"other"}})
	require.NoError(t, err)
	assert.Equal(t, []string{"other"}, one.OperatingSets)
	var other SetFigures
	for _, s := range one.Sets {
		if s.Set == "other" {
			other = s
		}
	}
	assert.Equal(t, other.Combined.Best, one.Operating, "pooled over the one set: its own best point")

	_, err = CrossValidate(context.Background(), ex, 3, TrainOptions{Epochs: 3, OperatingSets: []string{"nope"}})
	assert.ErrorContains(t, err, "operating sets")
}

// Training and cross-validation do not depend on the order of the examples.
func TestTrainOrderIndependent(t *testing.T) {
	ex := synthExamples(60, 5, synthSignals)
	for i := range ex {
		if i%2 == 0 {
			ex[i].Set = "b"
		}
	}
	rev := slices.Clone(ex)
	slices.Reverse(rev)
	opts := TrainOptions{Epochs: 3, Features: FeatureConfig{HashBits: 12}}
	m1, err := Train(context.Background(), ex, opts)
	require.NoError(t, err)
	m2, err := Train(context.Background(), rev, opts)
	require.NoError(t, err)
	assert.Equal(t, m1.Digest(), m2.Digest())

	r1, err := CrossValidate(context.Background(), ex, 3, opts)
	require.NoError(t, err)
	r2, err := CrossValidate(context.Background(), rev, 3, opts)
	require.NoError(t, err)
	assert.Equal(t, r1, r2)
}
