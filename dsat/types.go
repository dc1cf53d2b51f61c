package dsat

import (
	"github.com/dsatmine/dsatmine/heuristics"
	"github.com/dsatmine/dsatmine/internal/jsonx"
)

// Evidence is one span of the follow-up that supports an event, with the
// detector and cue that found it.
type Evidence struct {
	Start    int    `json:"start"`
	End      int    `json:"end"`
	Text     string `json:"text"`
	Category string `json:"category,omitempty"`
	Detector string `json:"detector"`
	Cue      string `json:"cue,omitempty"`
}

// Event says that the follow-up at FollowUp expresses dissatisfaction (or
// satisfaction) with the assistant reply at Reply.
type Event struct {
	ConversationID string `json:"conversation_id"`
	Source         string `json:"source"`
	Model          string `json:"model,omitempty"`
	Language       string `json:"language,omitempty"`
	// Kind is "dsat" or "sat".
	Kind string `json:"kind"`
	// FollowUp, Reply and Request index the normalised messages; Turn is the
	// follow-up's index in the original record.
	FollowUp   int                   `json:"follow_up"`
	Reply      int                   `json:"reply"`
	Request    int                   `json:"request"`
	Turn       int                   `json:"turn"`
	Categories []heuristics.Category `json:"categories,omitempty"`
	Score      float64               `json:"score"`
	// CategoryScores holds the combined score of every category that fired.
	CategoryScores map[heuristics.Category]float64 `json:"category_scores,omitempty"`
	Evidence       []Evidence                      `json:"evidence,omitempty"`
	// Detector names the detector (or "combined") and DetectorVersion its version.
	Detector        string `json:"detector"`
	DetectorVersion string `json:"detector_version"`
}

// ChatMessage is a message in the OpenAI {role, content} shape used by
// anchors, with the OpenAI tool fields when the log has them: ToolCalls on
// an assistant message that calls tools, ToolCallID and Name on the tool
// message that holds a call's output.
type ChatMessage struct {
	Role       string           `json:"role"`
	Content    string           `json:"content"`
	ToolCalls  jsonx.RawMessage `json:"tool_calls,omitempty"`
	ToolCallID string           `json:"tool_call_id,omitempty"`
	Name       string           `json:"name,omitempty"`
}

// Anchor is one (prompt, rejected) preference-training record; docs/records.md
// describes its fields and docs/mining.md how it is built.
type Anchor struct {
	// ID is a stable hash of conversation id and turn.
	ID             string        `json:"id"`
	ConversationID string        `json:"conversation_id"`
	Source         string        `json:"source"`
	Model          string        `json:"model,omitempty"`
	Language       string        `json:"language,omitempty"`
	Turn           int           `json:"turn"`
	Prompt         []ChatMessage `json:"prompt"`
	Rejected       []ChatMessage `json:"rejected"`
	UserPreference ChatMessage   `json:"user_preference"`
	Categories     []string      `json:"categories"`
	Score          float64       `json:"score"`
	Evidence       []Evidence    `json:"evidence"`
	Chosen         []ChatMessage `json:"chosen,omitempty"`
	// Pairing says why Chosen was attached: PairRestated, PairReasked,
	// PairRefined or PairDRIFT (see Config.DRIFTPairing).
	Pairing string `json:"pairing,omitempty"`
	// Desirable marks a record of Result.Desirable: a reply the user was
	// satisfied with (in Chosen), not a DSAT anchor.
	Desirable bool `json:"desirable,omitempty"`
	// DetectorVersion is the version of the detectors (and classifier) that
	// found the event (Event.DetectorVersion); empty in the synthetic setting.
	DetectorVersion string `json:"detector_version,omitempty"`
	// Metadata carries setting-specific extras (for example UltraFeedback
	// scores and margins for synthetic anchors).
	Metadata map[string]any `json:"metadata,omitempty"`
}
