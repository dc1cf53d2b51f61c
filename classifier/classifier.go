// Package classifier is dsatmine's optional learned scoring. A Classifier
// scores one follow-up in context; the miner combines its output with the
// heuristic signals.
package classifier

import (
	"context"
	"errors"

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

// ErrorReason returns the stable key under which a Classify error is counted
// in the run statistics: the Reason() of the first error in err's chain that
// has one, or "classifier_error". The miner counts such errors and keeps the
// heuristic verdict for the turn; only context cancellation stops a run.
func ErrorReason(err error) string {
	var r interface{ Reason() string }
	if errors.As(err, &r) {
		return r.Reason()
	}
	return "classifier_error"
}
