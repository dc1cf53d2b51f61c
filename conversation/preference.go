package conversation

import (
	"bytes"
	"strings"

	"github.com/dsatmine/dsatmine/internal/jsonx"
)

// --- Preference records ------------------------------------------------------
//
// A preference record pairs a prompt with a preferred and a dispreferred
// continuation. It is read as the one conversation a user had, or would have
// had, with the preferred reply: the prompt messages followed by it. The
// layouts differ in where the prompt and the replies are:
//
//   - TRL: "prompt" (a string or messages) with "chosen"/"rejected" (strings or
//     messages); with no "prompt", "chosen" is the whole conversation. Some
//     trainers name the prompt "messages".
//   - ultrafeedback_binarized: "prompt" a string and "chosen"/"rejected" whole
//     conversations that repeat it (the repeat is not doubled).
//   - LLaMA-Factory ranking: "conversations" ({from, value} turns) with
//     "chosen"/"rejected" one {from, value} turn each.
//   - OpenAI preference fine-tuning: "input": {"messages"} with
//     "preferred_output"/"non_preferred_output" message lists.
//   - KTO rows: "prompt" and "completion", with "label"; the completion is the
//     reply whatever the label (kept in metadata).
//   - dsatmine anchors: "prompt", "rejected", "user_preference" and maybe
//     "chosen": with a chosen reply the prompt and it; without, the exchange
//     the anchor was mined from, the prompt, the rejected reply and the
//     follow-up.
//
// The dispreferred side is kept as metadata "rejected_reply" (its text).

type preferenceRecord struct {
	ID             flexString       `json:"id"`
	PromptID       flexString       `json:"prompt_id"`
	Model          string           `json:"model"`
	Language       string           `json:"language"`
	System         jsonx.RawMessage `json:"system"`
	Prompt         jsonx.RawMessage `json:"prompt"`
	Conversations  jsonx.RawMessage `json:"conversations"`
	Messages       jsonx.RawMessage `json:"messages"`
	Input          jsonx.RawMessage `json:"input"`
	Chosen         jsonx.RawMessage `json:"chosen"`
	Rejected       jsonx.RawMessage `json:"rejected"`
	Preferred      jsonx.RawMessage `json:"preferred_output"`
	NonPreferred   jsonx.RawMessage `json:"non_preferred_output"`
	Completion     jsonx.RawMessage `json:"completion"`
	Label          jsonx.RawMessage `json:"label"`
	UserPreference jsonx.RawMessage `json:"user_preference"`
}

type preferenceParser struct{ noFlush }

func (preferenceParser) parse(rec []byte, loc Location) ([]*Conversation, error) {
	var in preferenceRecord
	extra, err := decodeLenient(rec, &in)
	if err != nil {
		return nil, err
	}
	prompt, err := preferencePrompt(&in)
	if err != nil {
		return nil, err
	}
	c := &Conversation{ID: string(in.ID), Source: string(FormatPreference), Model: in.Model,
		Language: in.Language, Location: loc}
	if c.ID == "" {
		c.ID = string(in.PromptID)
	}
	keepExtra(c, extra)

	var reply, other []Message
	switch {
	case isJSONValue(in.Chosen):
		reply, err = turns(in.Chosen, Assistant, "chosen")
		if err == nil {
			other, err = turns(in.Rejected, Assistant, "rejected")
		}
	case isJSONValue(in.Preferred):
		reply, err = turns(in.Preferred, Assistant, "preferred_output")
		if err == nil {
			other, err = turns(in.NonPreferred, Assistant, "non_preferred_output")
		}
	case isJSONValue(in.Completion):
		reply, err = turns(in.Completion, Assistant, "completion")
		var label bool
		if jsonx.Unmarshal(in.Label, &label) == nil {
			setMeta(c, "label", label)
		} else {
			setRawMeta(c, "label", in.Label)
		}
	case isJSONValue(in.Rejected):
		// An anchor without a chosen reply: the exchange it was mined from.
		reply, err = turns(in.Rejected, Assistant, "rejected")
		if err == nil {
			var follow []Message
			follow, err = turns(in.UserPreference, User, "user_preference")
			reply = append(reply, follow...)
		}
	default:
		return nil, wrongType("preference record has no chosen, preferred_output, completion or rejected reply")
	}
	if err != nil {
		return nil, err
	}
	msgs := continueWith(prompt, reply)
	if len(other) > 0 {
		other = other[commonPrefix(msgs, other):]
		if text := replyText(other); text != "" {
			setMeta(c, "rejected_reply", text)
		}
	}
	c.Messages = msgs
	for i := range c.Messages {
		c.Messages[i].Index = i
	}
	return []*Conversation{c}, nil
}

// preferencePrompt returns the prompt messages of a record, with its
// separate system prompt (LLaMA-Factory, some TRL sets) first.
func preferencePrompt(in *preferenceRecord) ([]Message, error) {
	var prompt []Message
	var err error
	switch {
	case isJSONValue(in.Prompt):
		prompt, err = turns(in.Prompt, User, "prompt")
	case isJSONValue(in.Conversations):
		prompt, err = turns(in.Conversations, User, "conversations")
	case isJSONValue(in.Messages):
		prompt, err = turns(in.Messages, User, "messages")
	case isJSONValue(in.Input):
		var input struct {
			Messages jsonx.RawMessage `json:"messages"`
		}
		if isJSONString(in.Input) {
			prompt, err = turns(in.Input, User, "input")
		} else if err = jsonx.Unmarshal(in.Input, &input); err != nil {
			err = wrongType(`preference record: "input" is neither a string nor an object with messages`)
		} else {
			prompt, err = turns(input.Messages, User, "input.messages")
		}
	}
	if err != nil {
		return nil, err
	}
	if isJSONString(in.System) {
		var sys string
		if jsonx.Unmarshal(in.System, &sys) == nil && !isBlank(sys) &&
			(len(prompt) == 0 || prompt[0].Role != System) {
			prompt = append([]Message{{Role: System, Content: sys}}, prompt...)
		}
	}
	return prompt, nil
}

// turns reads one side of a preference record: a string (one message of role
// def; a prompt string holding an HH-RLHF transcript is split into its
// turns), one message object ({role, content} or {from, value}) or a list of
// them.
func turns(raw jsonx.RawMessage, def Role, field string) ([]Message, error) {
	raw = bytes.TrimSpace(raw)
	if !isJSONValue(raw) {
		return nil, nil
	}
	switch raw[0] {
	case '"':
		var s string
		if err := jsonx.Unmarshal(raw, &s); err != nil {
			return nil, jsonError(raw, err)
		}
		if def == User && isTranscript(s) {
			msgs, err := parseTranscript(s)
			if err != nil {
				return nil, err
			}
			// A prompt transcript ends with the empty turn the reply fills.
			if n := len(msgs); n > 0 && msgs[n-1].Role == Assistant && isBlank(msgs[n-1].Content) {
				msgs = msgs[:n-1]
			}
			return msgs, nil
		}
		return []Message{{Role: def, Content: s}}, nil
	case '{':
		m, err := turn(raw, def, field)
		if err != nil {
			return nil, err
		}
		return []Message{m}, nil
	case '[':
		var items []jsonx.RawMessage
		if err := jsonx.Unmarshal(raw, &items); err != nil {
			return nil, jsonError(raw, err)
		}
		out := make([]Message, 0, len(items))
		for _, it := range items {
			it = bytes.TrimSpace(it)
			if len(it) > 0 && it[0] == '"' {
				ms, err := turns(it, def, field)
				if err != nil {
					return nil, err
				}
				out = append(out, ms...)
				continue
			}
			m, err := turn(it, def, field)
			if err != nil {
				return nil, err
			}
			out = append(out, m)
		}
		return out, nil
	}
	return nil, wrongType("preference record: %q is a %.20s, not text, a message or a list of messages", field, raw)
}

// turn reads one message object: {role, content} or {from, value}.
func turn(raw jsonx.RawMessage, def Role, field string) (Message, error) {
	var m struct {
		Role    string `json:"role"`
		Content any    `json:"content"`
		From    string `json:"from"`
		Value   any    `json:"value"`
	}
	if err := jsonx.Unmarshal(raw, &m); err != nil {
		return Message{}, wrongType("preference record: %q holds something other than messages: %v", field, err)
	}
	role, content := m.Role, m.Content
	if role == "" && m.From != "" {
		role, content = m.From, m.Value
	}
	if role == "" {
		role = string(def)
	}
	return message(role, content, 0)
}

// isTranscript reports whether s is an HH-RLHF style transcript.
func isTranscript(s string) bool {
	t := strings.TrimLeft(s, " \t\r\n")
	return strings.HasPrefix(t, hhHuman[2:]) || strings.Contains(s, hhHuman)
}

// continueWith returns the conversation of a prompt and a reply. A reply
// that starts with the prompt (or, with no prompt, with a non-assistant
// message) is a whole conversation and is taken as it is.
func continueWith(prompt, reply []Message) []Message {
	if len(reply) > 0 && reply[0].Role != Assistant {
		if len(prompt) == 0 || commonPrefix(prompt, reply) == len(prompt) {
			return reply
		}
	}
	out := make([]Message, 0, len(prompt)+len(reply))
	return append(append(out, prompt...), reply...)
}

// commonPrefix returns how many leading messages of a and b are equal in
// role and (trimmed) content.
func commonPrefix(a, b []Message) int {
	n := 0
	for n < len(a) && n < len(b) && a[n].Role == b[n].Role &&
		strings.TrimSpace(a[n].Content) == strings.TrimSpace(b[n].Content) {
		n++
	}
	return n
}

// replyText joins the contents of the messages of a reply.
func replyText(ms []Message) string {
	parts := make([]string, 0, len(ms))
	for _, m := range ms {
		if !isBlank(m.Content) {
			parts = append(parts, strings.TrimSpace(m.Content))
		}
	}
	return strings.Join(parts, "\n\n")
}
