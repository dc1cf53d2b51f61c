// Package dsat is the miner, the "anchor" step of dsatmine's one-way flow
// read → detect → score → anchor → write.
//
// A Miner takes one conversation (package conversation) at a time, runs the
// detectors of package heuristics and, when configured, a classifier
// (package classifier) over every user follow-up, decides which follow-ups
// are DSAT or SAT (Config, Policy), and turns every DSAT follow-up into an
// Event and an Anchor: the conversation up to the request the judged reply
// answered as prompt, that reply as rejected and, when the conversation has
// one, a later satisfied reply that answers the same prompt as chosen. Run and RunShard mine whole
// inputs with several goroutines and write to Sinks in input order, with
// Stats that account for every record read. TokenBudget trims or drops
// anchors that do not fit a trainer's context.
//
// The neighbouring packages use it: export writes anchors in trainer
// layouts, resume makes runs resumable, eval scores the miner on labelled
// data, ultrafeedback builds anchors from rated completions, and report
// draws a run. docs/ describes the taxonomy, the unit of mining and every
// record.
package dsat
