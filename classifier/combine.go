package classifier

import "github.com/dsatmine/dsatmine/heuristics"

// DefaultVeto is the Rule.Veto the miner uses when neither its
// configuration nor the model sets one: below a DSAT probability of 0.2 the
// classifier lowers heuristic scores. It was chosen under cross-validation
// on the development data (see classifier/models/README.md).
const DefaultVeto = 0.2

// Rule says how a classifier verdict is merged with the heuristic scores of
// a follow-up. The miner (dsat.Miner) and cross-validation (CrossValidate)
// both use it, so the figures `dsatmine train` prints are what the miner
// does.
//
// The decision is made at the DSAT level, not per category: a DSAT
// probability d at or above Threshold makes the follow-up DSAT whatever the
// split between categories. A d below Veto lowers every heuristic category
// score in proportion (times d/Veto), so a weak heuristic hit the classifier
// is confident about is dropped while a strong one survives a doubtful
// classifier.
type Rule struct {
	// Threshold is the DSAT probability from which the classifier raises
	// category scores (see CategoryScore). Values <= 0 or > 1 mean 0.5.
	Threshold float64
	// Veto is the DSAT probability below which heuristic scores are
	// lowered; 0 turns the veto off.
	Veto float64
	// Decide lets the classifier decide (Model.Decision DecisionModel): a
	// DSAT probability below Threshold sets every heuristic category score
	// to 0, so only the classifier makes a follow-up DSAT; at or above it
	// the heuristic scores stay (they name categories and evidence) and
	// the most likely category is raised as usual. Veto is then unused.
	Decide bool
}

// threshold returns the effective threshold.
func (r Rule) threshold() float64 {
	if r.Threshold <= 0 || r.Threshold > 1 {
		return 0.5
	}
	return r.Threshold
}

// factor is what the veto multiplies heuristic scores by for DSAT
// probability d.
func (r Rule) factor(d float64) float64 {
	if r.Decide {
		if d < r.threshold() {
			return 0
		}
		return 1
	}
	if r.Veto <= 0 || d >= r.Veto {
		return 1
	}
	return max(d, 0) / r.Veto
}

// CategoryScore is the score a classifier verdict with DSAT probability
// dsat gives a category whose conditional probability P(category | DSAT) is
// share times that of the most likely category (share in [0, 1]).
//
// Below the threshold the classifier contributes nothing (0). At or above
// it, the DSAT probability is mapped linearly from [threshold, 1] onto
// [0.5, 1] — so the threshold lands on 0.5, the miner's default category
// threshold — and multiplied by share: the most likely category always
// reaches 0.5, so a DSAT verdict is never lost to a split between
// categories; the others reach it only when they are nearly as likely.
func CategoryScore(dsat, share, threshold float64) float64 {
	if dsat <= 0 || dsat < threshold || share <= 0 {
		return 0
	}
	r := 1.0
	if threshold < 1 {
		r = 0.5 + 0.5*(dsat-threshold)/(1-threshold)
	}
	return r * min(share, 1)
}

// Combined is the result of Rule.Combine.
type Combined struct {
	// Scores holds the combined score of every category that has one; SAT
	// is the combined SAT score (the larger of both).
	Scores map[heuristics.Category]float64
	SAT    float64
	// Raised lists, in heuristics.Categories order, the categories whose
	// score the classifier raised above the (vetoed) heuristic score.
	Raised []heuristics.Category
	// Lowered reports that the veto lowered the heuristic scores.
	Lowered bool
}

// Combine merges prediction p into heuristic category scores and SAT score
// sat: each heuristic score is multiplied by the veto factor, then becomes
// the larger of that and CategoryScore(p.DSAT, share, r.Threshold), where
// share is the category's joint probability (p.Categories) relative to the
// largest. scores is not modified.
func (r Rule) Combine(scores map[heuristics.Category]float64, sat float64, p Prediction) Combined {
	out := Combined{Scores: make(map[heuristics.Category]float64, len(scores)+len(p.Categories)), SAT: max(sat, p.SAT)}
	f := r.factor(p.DSAT)
	for c, s := range scores {
		if f < 1 && s > 0 {
			s *= f
			out.Lowered = true
		}
		out.Scores[c] = s
	}
	top := 0.0
	for _, j := range p.Categories {
		top = max(top, j)
	}
	if top <= 0 {
		return out
	}
	t := r.threshold()
	for _, c := range heuristics.Categories {
		if s := CategoryScore(p.DSAT, p.Categories[c]/top, t); s > out.Scores[c] {
			out.Scores[c] = s
			out.Raised = append(out.Raised, c)
		}
	}
	return out
}

// combineScores is Combine over the array form: the combined score of every
// category for heuristic category scores h.
func (r Rule) combineScores(h *[numCategories]float64, s *Scores) (out [numCategories]float64) {
	f, t := r.factor(s.DSAT), r.threshold()
	top := 0.0
	for _, j := range s.Category {
		top = max(top, j)
	}
	for i := range out {
		out[i] = h[i] * f
		if top > 0 {
			out[i] = max(out[i], CategoryScore(s.DSAT, s.Category[i]/top, t))
		}
	}
	return out
}

// heuristicScores returns the heuristic category scores of signals as the
// miner counts them by default: noisy-OR per category, extension signals
// left out.
func heuristicScores(signals []heuristics.Signal) (h [numCategories]float64) {
	var not [numCategories]float64
	for i := range not {
		not[i] = 1
	}
	for _, s := range signals {
		if s.Polarity != heuristics.DSAT || heuristics.IsExtension(s) {
			continue
		}
		if i := categoryIndex(s.Category); i >= 0 {
			not[i] *= 1 - min(max(s.Score, 0), 1)
		}
	}
	for i := range h {
		h[i] = 1 - not[i]
	}
	return h
}
