// Package ultrafeedback is the synthetic setting: it builds anchors from
// UltraFeedback records (one instruction, several completions rated by an
// AI annotator) instead of mining user follow-ups.
//
// Record, Completion and Score are the records as read; Reader reads them
// from any container the chat-log readers take (on
// conversation.RecordReader), and Detect tells an UltraFeedback file from a
// chat log by its first record. A Synthesizer ranks the completions
// (RankBy), takes a low-rated one as rejected (RejectBy) and the best as
// chosen when the margin allows, and writes dsat.Anchors to the same sinks
// and with the same statistics as a mining run, so that export and report
// work on them unchanged.
//
// In the flow read → detect → score → anchor → write this package is a
// user of the pipeline: it imports conversation and dsat, and nothing
// imports it but the CLI.
package ultrafeedback
