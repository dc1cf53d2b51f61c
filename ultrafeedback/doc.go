// Package ultrafeedback is the synthetic setting: it builds anchors from
// UltraFeedback records (one instruction, several completions rated by an
// AI annotator; conversation.UltraFeedbackReader reads them) instead of
// mining user follow-ups. A Synthesizer ranks the completions (RankBy),
// takes a low-rated one as rejected (RejectBy) and the best as chosen when
// the margin allows, and writes dsat.Anchors to the same sinks and with the
// same statistics as a mining run, so that export and report work on them
// unchanged.
package ultrafeedback
