// Package labelled reads labelled conversations, the data that measures and
// trains the miner: conversations with gold DSAT/SAT verdicts on some of
// their user follow-ups (docs/records.md, "Labelled data"). Package eval
// scores the miner on them and package classifier trains on them.
package labelled

import "github.com/dsatmine/dsatmine/conversation"

// Label is the annotation of one user follow-up (docs/records.md, "Labelled data").
type Label struct {
	// Turn indexes the labelled user follow-up in Messages.
	Turn       int      `json:"turn"`
	DSAT       bool     `json:"dsat"`
	SAT        bool     `json:"sat"`
	Categories []string `json:"categories,omitempty"`
	// Evidence optionally quotes the part of the follow-up that carries the label.
	Evidence string `json:"evidence,omitempty"`
}

// Record is one labelled conversation: a conversation in OpenAI messages
// form plus per-turn labels. Only listed turns are scored.
type Record struct {
	ID       string                 `json:"id"`
	Source   string                 `json:"source"`
	Messages []conversation.Message `json:"messages"`
	Labels   []Label                `json:"labels"`
	// Lang optionally names the conversation's language ("es", "zh-CN");
	// evaluation reports figures per language with it. Detection does not
	// read it, as it does not read the language of a plain log unless the
	// format carries one.
	Lang string `json:"lang,omitempty"`
}
