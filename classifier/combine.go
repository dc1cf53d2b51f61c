package classifier

import "github.com/dsatmine/dsatmine/heuristics"

// CategoryScore is the score a classifier verdict gives one DSAT category
// when it is merged with heuristic scores (see Combine). dsat is the
// classifier's DSAT probability, joint its probability of DSAT with the
// category (Prediction.Categories), threshold the classifier threshold.
//
// Below the threshold the classifier contributes nothing (0). At or above
// it, the DSAT probability is mapped linearly from [threshold, 1] onto
// [0.5, 1] — so the threshold lands on 0.5, the miner's default category
// threshold — and shared out by the category's conditional probability
// joint/dsat. At threshold 0.5 the score is exactly joint.
func CategoryScore(dsat, joint, threshold float64) float64 {
	if dsat <= 0 || dsat < threshold || joint <= 0 {
		return 0
	}
	r := 1.0
	if threshold < 1 {
		r = 0.5 + 0.5*(dsat-threshold)/(1-threshold)
	}
	return r * min(joint/dsat, 1)
}

// Combine merges a classifier prediction into heuristic verdicts the way
// dsat.Miner does: each category score becomes the larger of the heuristic
// score and CategoryScore(p.DSAT, p.Categories[c], threshold); the SAT score
// becomes the larger of both SAT scores. raised lists, in
// heuristics.Categories order, the categories whose score the classifier
// raised. scores is not modified.
func Combine(scores map[heuristics.Category]float64, sat float64, p Prediction, threshold float64) (out map[heuristics.Category]float64, outSAT float64, raised []heuristics.Category) {
	out = make(map[heuristics.Category]float64, len(scores)+len(p.Categories))
	for c, s := range scores {
		out[c] = s
	}
	for _, c := range heuristics.Categories {
		if s := CategoryScore(p.DSAT, p.Categories[c], threshold); s > out[c] {
			out[c] = s
			raised = append(raised, c)
		}
	}
	return out, max(sat, p.SAT), raised
}

// combineScores is Combine over the array form: the combined score of every
// category for heuristic category scores h.
func combineScores(h *[numCategories]float64, s *Scores, threshold float64) (out [numCategories]float64) {
	for i := range out {
		out[i] = max(h[i], CategoryScore(s.DSAT, s.Category[i], threshold))
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
