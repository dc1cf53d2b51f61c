package export

import (
	"bytes"

	"github.com/dsatmine/dsatmine/dsat"
	"github.com/dsatmine/dsatmine/internal/jsonx"
)

// roleEdits counts what NormalizeRoles changed in one message list.
type roleEdits struct {
	merged, dropped, system int
}

// NormalizeRoles returns msgs in the shape that chat templates which
// enforce alternating roles accept: all system messages merged into one at
// position 0, assistant (and tool) messages before the first user message
// dropped, and consecutive user or assistant messages merged into one (texts
// joined by a blank line, tool calls concatenated). Tool messages are never
// merged: each holds the output of its own call. msgs is not modified.
func NormalizeRoles(msgs []dsat.ChatMessage) []dsat.ChatMessage {
	out, _ := normalizeRoles(msgs)
	return out
}

func normalizeRoles(msgs []dsat.ChatMessage) ([]dsat.ChatMessage, roleEdits) {
	var e roleEdits
	out := make([]dsat.ChatMessage, 0, len(msgs))
	var sys *dsat.ChatMessage
	for i, m := range msgs {
		if m.Role != "system" {
			continue
		}
		if i > 0 {
			e.system++
		}
		if sys == nil {
			c := m
			sys = &c
			continue
		}
		sys.Content = joinText(sys.Content, m.Content)
	}
	if sys != nil {
		out = append(out, *sys)
	}
	seenUser := false
	for _, m := range msgs {
		if m.Role == "system" {
			continue
		}
		if !seenUser && m.Role != "user" {
			e.dropped++
			continue
		}
		seenUser = true
		n := len(out)
		if n > 0 && out[n-1].Role == m.Role && (m.Role == "user" || m.Role == "assistant") {
			out[n-1] = mergeMessages(out[n-1], m)
			e.merged++
			continue
		}
		out = append(out, m)
	}
	return out, e
}

// mergeReply merges a chosen or rejected reply of several assistant
// messages into one.
func mergeReply(ms []dsat.ChatMessage) []dsat.ChatMessage {
	if len(ms) < 2 {
		return ms
	}
	m := ms[0]
	for _, x := range ms[1:] {
		m = mergeMessages(m, x)
	}
	return []dsat.ChatMessage{m}
}

// mergeMessages joins b into a (same role).
func mergeMessages(a, b dsat.ChatMessage) dsat.ChatMessage {
	a.Content = joinText(a.Content, b.Content)
	a.ToolCalls = concatCalls(a.ToolCalls, b.ToolCalls)
	return a
}

// joinText joins two texts with a blank line, leaving out an empty one.
func joinText(a, b string) string {
	switch {
	case a == "":
		return b
	case b == "":
		return a
	}
	return a + "\n\n" + b
}

// isToolCalls reports whether raw holds at least one tool call.
func isToolCalls(raw jsonx.RawMessage) bool {
	t := bytes.TrimSpace(raw)
	return len(t) > 0 && string(t) != "null" && string(t) != "[]"
}

// concatCalls concatenates two tool_calls arrays (a non-array value is
// taken as one call).
func concatCalls(a, b jsonx.RawMessage) jsonx.RawMessage {
	switch {
	case !isToolCalls(a):
		return b
	case !isToolCalls(b):
		return a
	}
	inner := func(r jsonx.RawMessage) []byte {
		t := bytes.TrimSpace(r)
		if t[0] == '[' {
			return bytes.TrimSpace(t[1 : len(t)-1])
		}
		return t
	}
	ia, ib := inner(a), inner(b)
	switch {
	case len(ia) == 0:
		return b
	case len(ib) == 0:
		return a
	}
	out := append([]byte{'['}, ia...)
	out = append(out, ',')
	out = append(out, ib...)
	return append(out, ']')
}
