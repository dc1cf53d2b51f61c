package conversation

import (
	"strings"
	"unicode/utf8"
)

// roleNames maps lower-cased author names used by the supported formats to
// normalised roles.
var roleNames = map[string]Role{
	"system":        System,
	"developer":     System,
	"user":          User,
	"human":         User,
	"prompter":      User,
	"usr":           User,
	"customer":      User,
	"assistant":     Assistant,
	"gpt":           Assistant,
	"chatgpt":       Assistant,
	"bard":          Assistant,
	"bing":          Assistant,
	"claude":        Assistant,
	"model":         Assistant,
	"bot":           Assistant,
	"ai":            Assistant,
	"function_call": Assistant,
	"tool":          Tool,
	"function":      Tool,
	"ipython":       Tool,
	"observation":   Tool,
	"tool_response": Tool,
}

// ParseRole maps an author name from any supported format (for example
// "human", "gpt", "prompter", "model" or "function") to a Role. Matching is
// case-insensitive. Unknown names give an error wrapping ErrUnknownRole.
func ParseRole(name string) (Role, error) {
	if r, ok := roleNames[name]; ok {
		return r, nil
	}
	if r, ok := roleNames[strings.ToLower(strings.TrimSpace(name))]; ok {
		return r, nil
	}
	shown := name
	if len(shown) > 40 {
		shown = shown[:40] + "..."
	}
	if !utf8.ValidString(shown) {
		shown = strings.ToValidUTF8(shown, "\uFFFD")
	}
	return "", errorf(ReasonUnknownRole, ErrUnknownRole,
		"role %q is not system, user, assistant or tool (nor a known alias)", shown)
}

// isBlank reports whether s holds only white space.
func isBlank(s string) bool {
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case ' ', '\t', '\n', '\r':
		default:
			if s[i] < utf8.RuneSelf {
				return false
			}
			return strings.TrimSpace(s[i:]) == ""
		}
	}
	return true
}
