package conversation

import (
	"bytes"
	"fmt"
	"slices"
	"strings"

	"github.com/dsatmine/dsatmine/internal/jsonx"
)

// Format names a chat-log record format.
type Format string

// The supported formats.
const (
	FormatAuto     Format = ""               // detect from the first record
	FormatOpenAI   Format = "openai"         // {"messages":[{role,content}]}, content string or parts, tool calls
	FormatShareGPT Format = "sharegpt"       // {"id","conversations":[{from,value}]}
	FormatWildChat Format = "wildchat"       // {"conversation_hash","model","conversation":[...],...}
	FormatLMSYS    Format = "lmsys"          // {"conversation_id","model","conversation":[...],...}
	FormatHHRLHF   Format = "hh-rlhf"        // {"chosen":"\n\nHuman: ...","rejected":...}
	FormatOASST    Format = "oasst"          // OpenAssistant message rows, trees, or root messages with replies
	FormatChatGPT  Format = "chatgpt-export" // conversations.json elements: mapping (+ current_node)
	// FormatPreference is a preference record read as one conversation: the
	// prompt and the preferred reply (TRL, ultrafeedback_binarized,
	// LLaMA-Factory ranking, OpenAI preference fine-tuning, KTO rows and
	// dsatmine's own anchor exports).
	FormatPreference Format = "preference"
)

// Formats lists every concrete format.
var Formats = []Format{
	FormatOpenAI, FormatShareGPT, FormatWildChat, FormatLMSYS,
	FormatHHRLHF, FormatOASST, FormatChatGPT, FormatPreference,
}

var formatAliases = map[string]Format{
	"":               FormatAuto,
	"auto":           FormatAuto,
	"openai":         FormatOpenAI,
	"messages":       FormatOpenAI,
	"chatml":         FormatOpenAI,
	"sharegpt":       FormatShareGPT,
	"wildchat":       FormatWildChat,
	"lmsys":          FormatLMSYS,
	"lmsys-chat":     FormatLMSYS,
	"lmsys-chat-1m":  FormatLMSYS,
	"hh-rlhf":        FormatHHRLHF,
	"hh":             FormatHHRLHF,
	"hhrlhf":         FormatHHRLHF,
	"anthropic":      FormatHHRLHF,
	"oasst":          FormatOASST,
	"oasst1":         FormatOASST,
	"oasst2":         FormatOASST,
	"openassistant":  FormatOASST,
	"chatgpt-export": FormatChatGPT,
	"chatgpt":        FormatChatGPT,
	"chatgpt_export": FormatChatGPT,
	"preference":     FormatPreference,
	"dpo":            FormatPreference,
	"trl":            FormatPreference,
	"kto":            FormatPreference,
	"openrlhf":       FormatPreference,
	"ranking":        FormatPreference,
	"anchors":        FormatPreference,
}

// ParseFormat returns the Format named by s (case-insensitive; "auto" and ""
// mean FormatAuto, and common aliases such as "oasst1" or "hh" are accepted).
func ParseFormat(s string) (Format, error) {
	key := strings.ToLower(strings.TrimSpace(s))
	key = strings.ReplaceAll(key, "_", "-")
	if f, ok := formatAliases[key]; ok {
		return f, nil
	}
	names := make([]string, len(Formats))
	for i, f := range Formats {
		names[i] = string(f)
	}
	return FormatAuto, fmt.Errorf("conversation: unknown format %q (want auto or one of %s): %w",
		s, strings.Join(names, ", "), ErrUnknownFormat)
}

// String returns the format name ("auto" for FormatAuto).
func (f Format) String() string {
	if f == FormatAuto {
		return "auto"
	}
	return string(f)
}

// detectFormat picks the format of a record from its top-level fields. Only
// "chosen" is looked at beyond its name: a string without a separate prompt
// is an HH-RLHF transcript, anything else a preference record.
func detectFormat(fields map[string]jsonx.RawMessage) (Format, bool) {
	has := func(k string) bool { _, ok := fields[k]; return ok }
	switch {
	case has("mapping"):
		return FormatChatGPT, true
	case has("preferred_output") || has("non_preferred_output"):
		return FormatPreference, true
	case has("chosen") && has("rejected"):
		if isJSONString(fields["chosen"]) && !has("prompt") && !has("conversations") && !has("input") && !has("messages") {
			return FormatHHRLHF, true
		}
		return FormatPreference, true
	case has("prompt") && (has("completion") && has("label") || has("chosen") || has("rejected")):
		return FormatPreference, true
	case has("messages"):
		return FormatOpenAI, true
	case has("conversations"):
		return FormatShareGPT, true
	case has("conversation_hash"):
		return FormatWildChat, true
	case has("conversation"):
		return FormatLMSYS, true
	case has("message_tree_id"),
		has("message_id") && (has("parent_id") || has("replies")) && has("text"):
		return FormatOASST, true
	}
	return FormatAuto, false
}

// isJSONString reports whether v is a JSON string.
func isJSONString(v jsonx.RawMessage) bool {
	t := bytes.TrimSpace(v)
	return len(t) > 0 && t[0] == '"'
}

// unknownFormatError names the fields a record had.
func unknownFormatError(keys map[string]jsonx.RawMessage) error {
	names := make([]string, 0, len(keys))
	for k := range keys {
		names = append(names, k)
	}
	slices.Sort(names)
	if len(names) > 20 {
		names = append(names[:20], "...")
	}
	return errorf(ReasonUnknownFormat, ErrUnknownFormat,
		"no known chat-log format has top-level fields [%s]", strings.Join(names, ", "))
}
