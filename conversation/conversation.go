// Package conversation is dsatmine's data model for chat logs and the
// streaming readers and writers for every supported log format and container.
//
// A Conversation is an ordered list of Messages. Readers normalise every input
// format (OpenAI messages, ShareGPT, WildChat, LMSYS-Chat-1M, Anthropic HH-RLHF,
// OpenAssistant, ChatGPT exports, preference records) into this one shape so that detectors never
// see format-specific details. RecordReader hands the raw records of the same
// containers to formats that are not chat logs (package ultrafeedback reads
// UltraFeedback records with it); this package knows nothing of them.
package conversation

import (
	"time"

	"github.com/dsatmine/dsatmine/internal/jsonx"
)

// Role is the normalised author of a message.
type Role string

// The roles every reader maps its input onto.
const (
	System    Role = "system"
	User      Role = "user"
	Assistant Role = "assistant"
	Tool      Role = "tool"
)

// Message is one turn of a conversation.
type Message struct {
	Role    Role   `json:"role"`
	Content string `json:"content"`
	// Name is the optional author or tool name carried by some formats (on
	// a tool message, the name of the function whose output it is).
	Name string `json:"name,omitempty"`
	// ToolCalls holds the raw JSON array of an assistant message's tool
	// calls in the OpenAI schema ([{"id","type":"function","function":
	// {"name","arguments"}}]), if any. A legacy "function_call" object and a
	// ShareGPT "function_call" turn are converted to this shape.
	ToolCalls jsonx.RawMessage `json:"tool_calls,omitempty"`
	// ToolCallID is the id of the call a tool message answers, if logged.
	ToolCallID string `json:"tool_call_id,omitempty"`
	// Index is the message's position in the original record, before empty
	// messages were dropped. It lets users find the message in their source.
	Index int `json:"-"`
}

// Conversation is one normalised dialogue.
type Conversation struct {
	// ID identifies the conversation. Readers take it from the record when the
	// format has one; otherwise it is derived deterministically from the
	// source name and record location.
	ID string `json:"id"`
	// Source names the log format the conversation was read from
	// (for example "sharegpt" or "wildchat").
	Source   string `json:"source"`
	Model    string `json:"model,omitempty"`
	Language string `json:"language,omitempty"`
	// Timestamp is the zero time when the format does not carry one.
	Timestamp time.Time      `json:"timestamp,omitzero"`
	Metadata  map[string]any `json:"metadata,omitempty"`
	Messages  []Message      `json:"messages"`
	// Location is where the record came from (file and line or row).
	Location Location `json:"-"`
}

// Location points at one input record.
type Location struct {
	File string // path or name given to the reader; "" for anonymous streams
	Line int    // 1-based line of the record's first byte (JSON containers), 0 if unknown
	Row  int    // 1-based row (Parquet) or array element index; 0 if unknown
}

// FollowUps returns the indices (into c.Messages) of every user message that
// directly follows an assistant message. The first user message of a
// conversation is never a follow-up.
func (c *Conversation) FollowUps() []int {
	var out []int
	for i := 1; i < len(c.Messages); i++ {
		if c.Messages[i].Role == User && c.Messages[i-1].Role == Assistant {
			out = append(out, i)
		}
	}
	return out
}

// RequestFor returns the index of the user message that the assistant message
// at index reply answered: the nearest user message before it. Consecutive user
// messages before the reply are treated as one request and the last of them is
// returned. It returns -1 when there is none.
func (c *Conversation) RequestFor(reply int) int {
	for i := reply - 1; i >= 0; i-- {
		if c.Messages[i].Role == User {
			return i
		}
	}
	return -1
}
