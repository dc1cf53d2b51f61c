// Package eval measures the miner on labelled conversations: Evaluate runs
// a dsat.Miner over a LabelledSource (labelled.Reader reads the
// labelled-data format described in docs/records.md) and returns a
// Scorecard: DSAT and SAT precision, recall and F1, per-category results,
// a confusion table and a threshold sweep, as JSON or text
// (Scorecard.WriteText). It only reads the miner's verdicts; it changes
// nothing in a run.
package eval
