// Package heuristics holds dsatmine's rule-based detectors: cue lexicons kept
// as data (one file per language, embedded), rephrase similarity on stemmed
// tokens, structural signals and guards against common false positives.
//
// A detector looks at one follow-up in context (a Turn: the request, the
// judged reply, the follow-up and the assistant reply after it) and returns
// Signals.
package heuristics

import (
	"github.com/dsatmine/dsatmine/conversation"
)

// Category is one label of the DSAT taxonomy (docs/taxonomy.md).
type Category string

// The DSAT categories.
const (
	Refinement Category = "refinement"
	Correction Category = "correction"
	Complaint  Category = "complaint"
	Preference Category = "preference"
	Doubt      Category = "doubt"
	Pushback   Category = "pushback"
)

// Categories lists the DSAT categories in their canonical order.
var Categories = []Category{Refinement, Correction, Complaint, Preference, Doubt, Pushback}

// Polarity says whether a signal is evidence of dissatisfaction or satisfaction.
type Polarity uint8

// Polarities.
const (
	DSAT Polarity = iota
	SAT
)

func (p Polarity) String() string {
	if p == SAT {
		return "sat"
	}
	return "dsat"
}

// Span is a piece of evidence inside the follow-up: byte offsets into the
// original follow-up text and the text found there.
type Span struct {
	Start int    `json:"start"`
	End   int    `json:"end"`
	Text  string `json:"text"`
}

// Signal is one piece of evidence produced by a detector.
type Signal struct {
	Polarity Polarity
	// Category is set for DSAT signals and empty for SAT signals.
	Category Category
	// Score is the detector's confidence in [0,1].
	Score float64
	// Evidence lists the spans in the follow-up that support the signal.
	Evidence []Span
	// Detector names the detector that produced the signal.
	Detector string
	// Cue is a short human-readable reason, such as the lexicon rule id or
	// "rephrase of turn 0 (sim 0.82)".
	Cue string
}

// Turn is one follow-up in its context.
type Turn struct {
	Conv *conversation.Conversation
	// FollowUp is the index in Conv.Messages of the user follow-up being judged.
	FollowUp int
	// Reply is the index of the assistant reply the follow-up judges (normally FollowUp-1).
	Reply int
	// Request is the index of the user message that Reply answered, or -1.
	Request int
}

// NewTurn builds the Turn for the follow-up at index i of c.
func NewTurn(c *conversation.Conversation, i int) *Turn {
	t := &Turn{Conv: c, FollowUp: i, Reply: i - 1, Request: -1}
	if i > 0 {
		t.Request = c.RequestFor(i - 1)
	}
	return t
}

// Text returns the follow-up text.
func (t *Turn) Text() string { return t.Conv.Messages[t.FollowUp].Content }

// ReplyText returns the judged assistant reply.
func (t *Turn) ReplyText() string { return t.Conv.Messages[t.Reply].Content }

// RequestText returns the request the reply answered, or "".
func (t *Turn) RequestText() string {
	if t.Request < 0 {
		return ""
	}
	return t.Conv.Messages[t.Request].Content
}

// Language returns the conversation's language tag, or "" when unknown.
func (t *Turn) Language() string { return t.Conv.Language }

// Detector finds signals in one follow-up. Implementations must be safe for
// concurrent use by several goroutines.
type Detector interface {
	Name() string
	// Detect appends the signals it finds for t to dst and returns the result.
	Detect(t *Turn, dst []Signal) []Signal
}
