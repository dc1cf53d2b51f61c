// Package classifier is dsatmine's optional learned scoring. A Classifier
// scores one follow-up in context; the miner combines its output with the
// heuristic signals.
package classifier

import (
	"context"

	"github.com/dsatmine/dsatmine/heuristics"
)

// Prediction is a classifier's verdict on one follow-up.
type Prediction struct {
	// DSAT is the probability that the follow-up expresses dissatisfaction
	// with the judged reply.
	DSAT float64
	// SAT is the probability that it expresses satisfaction.
	SAT float64
	// Categories holds per-category probabilities (only categories the model knows).
	Categories map[heuristics.Category]float64
	// Evidence optionally quotes the follow-up (byte offsets into it).
	Evidence []heuristics.Span
}

// Classifier scores one follow-up. signals are the heuristic signals already
// found for the turn (a model may use them as features). Implementations must
// be safe for concurrent use.
type Classifier interface {
	Name() string
	Classify(ctx context.Context, t *heuristics.Turn, signals []heuristics.Signal) (Prediction, error)
}
