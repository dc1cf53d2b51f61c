package conversation

import (
	"bytes"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/dsatmine/dsatmine/internal/jsonx"
)

// parser turns raw records of one format into conversations. Formats whose
// conversations span several records (OpenAssistant message rows) hold them
// until flush.
type parser interface {
	parse(rec []byte, loc Location) ([]*Conversation, error)
	flush() ([]*Conversation, error)
}

// noFlush is embedded by parsers that never hold records back.
type noFlush struct{}

func (noFlush) flush() ([]*Conversation, error) { return nil, nil }

func newParser(f Format, r *Reader) parser {
	switch f {
	case FormatOpenAI:
		return openAIParser{}
	case FormatShareGPT:
		return shareGPTParser{}
	case FormatWildChat, FormatLMSYS:
		return chatLogParser{format: f}
	case FormatHHRLHF:
		return hhParser{}
	case FormatOASST:
		return &oasstParser{r: r}
	case FormatChatGPT:
		return chatGPTParser{}
	case FormatPreference:
		return preferenceParser{}
	}
	panic("conversation: no parser for format " + string(f))
}

// decode unmarshals rec into v, classifying errors.
func decode(rec []byte, v any) error {
	if err := jsonx.Unmarshal(rec, v); err != nil {
		return jsonError(rec, err)
	}
	return nil
}

// decodeLenient unmarshals rec into v like decode. When that fails on a
// field of the wrong type, the fields other than those named in needed (the
// ones the conversation is built from) are tried one by one: those whose
// values do not fit v are left out and returned raw in extra, for the caller
// to keep as metadata, so that an unused field of an unexpected type (a
// "source" object, a "model" list) does not cost the record. A needed field
// of the wrong type is still an error. The fast path is one Unmarshal.
func decodeLenient[T any](rec []byte, v *T, needed ...string) (extra map[string]jsonx.RawMessage, err error) {
	first := jsonx.Unmarshal(rec, v)
	if first == nil {
		return nil, nil
	}
	var fields map[string]jsonx.RawMessage
	if jsonx.Unmarshal(rec, &fields) != nil {
		return nil, jsonError(rec, first)
	}
	keys := slices.Sorted(maps.Keys(fields))
	for _, k := range keys {
		if slices.ContainsFunc(needed, func(n string) bool { return strings.EqualFold(n, k) }) {
			continue
		}
		one, err := jsonx.Marshal(map[string]jsonx.RawMessage{k: fields[k]})
		if err != nil || jsonx.Unmarshal(one, new(T)) != nil {
			if extra == nil {
				extra = make(map[string]jsonx.RawMessage)
			}
			extra[k] = fields[k]
			delete(fields, k)
		}
	}
	if len(extra) == 0 {
		return nil, jsonError(rec, first)
	}
	rest, err := jsonx.Marshal(fields)
	if err != nil {
		return nil, jsonError(rec, first)
	}
	*v = *new(T)
	if err := jsonx.Unmarshal(rest, v); err != nil {
		return nil, jsonError(rest, err)
	}
	return extra, nil
}

// keepExtra stores the fields decodeLenient left out in c.Metadata, under
// their own names.
func keepExtra(c *Conversation, extra map[string]jsonx.RawMessage) {
	for k, v := range extra {
		setRawMeta(c, k, v)
	}
}

// flexString is a JSON string that also accepts a number (some dumps use
// numeric ids).
type flexString string

// UnmarshalJSON implements json.Unmarshaler.
func (s *flexString) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case len(b) == 0 || string(b) == "null":
		*s = ""
		return nil
	case b[0] == '"':
		var v string
		if err := jsonx.Unmarshal(b, &v); err != nil {
			return err
		}
		*s = flexString(v)
		return nil
	case b[0] == '-' || (b[0] >= '0' && b[0] <= '9'):
		*s = flexString(b)
		return nil
	}
	return wrongType("expected a string or number, found %.20s", b)
}

// flexTime is a timestamp given as an RFC 3339 (or similar) string or as Unix
// seconds or milliseconds. Unparseable values keep their text in Raw.
type flexTime struct {
	T   time.Time
	Raw string
}

var timeLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04:05.999999999",
	"2006-01-02 15:04:05.999999999Z07:00",
	"2006-01-02 15:04:05.999999999-07:00",
	"2006-01-02 15:04:05.999999999",
	"2006-01-02",
}

// UnmarshalJSON implements json.Unmarshaler.
func (t *flexTime) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	*t = flexTime{}
	if len(b) == 0 || string(b) == "null" {
		return nil
	}
	if b[0] == '"' {
		var s string
		if err := jsonx.Unmarshal(b, &s); err != nil {
			return err
		}
		s = strings.TrimSpace(s)
		if s == "" {
			return nil
		}
		for _, layout := range timeLayouts {
			if v, err := time.Parse(layout, s); err == nil {
				t.T = v.UTC()
				return nil
			}
		}
		if f, err := strconv.ParseFloat(s, 64); err == nil {
			t.T = unixTime(f)
			return nil
		}
		t.Raw = s
		return nil
	}
	f, err := strconv.ParseFloat(string(b), 64)
	if err != nil {
		return wrongType("timestamp: expected a string or number, found %.20s", b)
	}
	t.T = unixTime(f)
	return nil
}

// unixTime converts Unix seconds (or milliseconds, for values past year 33658)
// to UTC time.
func unixTime(f float64) time.Time {
	if f > 1e12 {
		f /= 1000
	}
	sec := int64(f)
	nsec := int64((f - float64(sec)) * 1e9)
	return time.Unix(sec, nsec).UTC()
}

// contentText flattens a message content: a string, null, or an array of
// parts (strings or objects with a "text" field) joined with "\n".
func contentText(v any) (string, error) {
	switch c := v.(type) {
	case nil:
		return "", nil
	case string:
		return c, nil
	case []any:
		var b strings.Builder
		n := 0
		for _, p := range c {
			var s string
			switch p := p.(type) {
			case string:
				s = p
			case map[string]any:
				t, ok, err := partText(p)
				if err != nil {
					return "", err
				}
				if !ok {
					continue // images, audio, file references
				}
				s = t
			default:
				continue
			}
			if n > 0 {
				b.WriteByte('\n')
			}
			b.WriteString(s)
			n++
		}
		return b.String(), nil
	case map[string]any:
		t, _, err := partText(c)
		return t, err
	}
	return "", wrongType("message content: expected a string or an array of parts, found %T", v)
}

// nonTextParts are content-part types whose text, if any, is not the visible
// message: a model's reasoning is not its reply (and is not judged), and
// tool calls, images, audio and files carry no text to read.
var nonTextParts = map[string]bool{
	"reasoning": true, "thinking": true, "redacted_thinking": true,
	"tool_call": true, "tool_use": true, "function_call": true,
	"image_url": true, "image": true, "input_image": true,
	"audio": true, "input_audio": true, "video": true, "video_url": true, "file": true,
}

// partText returns the text of a content part: its "text", or its "value"
// for parts of type "text" (or untyped) that keep it there. Parts without
// either, and the types in nonTextParts, give ok == false; a text that is
// present but not a string (or null) is a wrong_type error.
func partText(p map[string]any) (text string, ok bool, err error) {
	typ, _ := p["type"].(string)
	if nonTextParts[typ] {
		return "", false, nil
	}
	key := "text"
	v, present := p[key]
	if !present && (typ == "" || typ == "text") {
		key = "value"
		v, present = p[key]
	}
	switch t := v.(type) {
	case string:
		return t, true, nil
	case nil:
		return "", false, nil
	default:
		if present {
			return "", false, wrongType(`message content part: %q is a %T, not a string`, key, t)
		}
		return "", false, nil
	}
}

// message builds a message with a mapped role from a raw content value
// (flattened by contentText).
func message(role string, content any, index int) (Message, error) {
	text, err := contentText(content)
	if err != nil {
		return Message{}, err
	}
	r, err := ParseRole(role)
	if err != nil {
		return Message{}, err
	}
	return Message{Role: r, Content: text, Index: index}, nil
}

// setMeta stores v under k in c.Metadata, allocating it.
func setMeta(c *Conversation, k string, v any) {
	if c.Metadata == nil {
		c.Metadata = make(map[string]any)
	}
	c.Metadata[k] = v
}

// setRawMeta stores a raw JSON value unless it is absent or null.
func setRawMeta(c *Conversation, k string, v jsonx.RawMessage) {
	if len(v) == 0 || string(bytes.TrimSpace(v)) == "null" {
		return
	}
	setMeta(c, k, v)
}

// --- OpenAI messages -----------------------------------------------------

type openAIRecord struct {
	ID             flexString     `json:"id"`
	ConversationID flexString     `json:"conversation_id"`
	Source         string         `json:"source"`
	Model          string         `json:"model"`
	Language       string         `json:"language"`
	Timestamp      flexTime       `json:"timestamp"`
	Metadata       map[string]any `json:"metadata"`
	Messages       []openAIMsg    `json:"messages"`
}

type openAIMsg struct {
	Role         string           `json:"role"`
	Content      any              `json:"content"`
	Name         string           `json:"name"`
	ToolCalls    jsonx.RawMessage `json:"tool_calls"`
	FunctionCall jsonx.RawMessage `json:"function_call"`
	ToolCallID   string           `json:"tool_call_id"`
}

type openAIParser struct{ noFlush }

func (p openAIParser) parse(rec []byte, loc Location) ([]*Conversation, error) {
	var in openAIRecord
	extra, err := decodeLenient(rec, &in, "messages")
	if err != nil {
		return nil, err
	}
	return p.build(&in, extra, loc)
}

// build makes the conversation of a decoded record.
func (openAIParser) build(in *openAIRecord, extra map[string]jsonx.RawMessage, loc Location) ([]*Conversation, error) {
	if in.ID == "" {
		in.ID = in.ConversationID
	}
	c := &Conversation{
		ID: string(in.ID), Source: string(FormatOpenAI), Model: in.Model, Language: in.Language,
		Timestamp: in.Timestamp.T, Metadata: in.Metadata, Location: loc,
		Messages: make([]Message, 0, len(in.Messages)),
	}
	if in.Source != "" {
		c.Source = in.Source
	}
	if in.Timestamp.Raw != "" {
		setMeta(c, "timestamp", in.Timestamp.Raw)
	}
	keepExtra(c, extra)
	for i, m := range in.Messages {
		msg, err := message(m.Role, m.Content, i)
		if err != nil {
			return nil, err
		}
		msg.Name = m.Name
		if msg.Role == Tool {
			msg.ToolCallID = m.ToolCallID
		}
		switch {
		case isJSONValue(m.ToolCalls):
			msg.ToolCalls = m.ToolCalls
		case isJSONValue(m.FunctionCall):
			msg.ToolCalls = legacyFunctionCall(m.FunctionCall)
		}
		c.Messages = append(c.Messages, msg)
	}
	return []*Conversation{c}, nil
}

// isJSONValue reports whether v holds a value other than null or an empty array.
func isJSONValue(v jsonx.RawMessage) bool {
	t := bytes.TrimSpace(v)
	return len(t) > 0 && string(t) != "null" && string(t) != "[]"
}

// --- ShareGPT --------------------------------------------------------------

type shareGPTRecord struct {
	ID            flexString    `json:"id"`
	Model         string        `json:"model"`
	Conversations []shareGPTMsg `json:"conversations"`
}

type shareGPTMsg struct {
	From    string `json:"from"`
	Value   any    `json:"value"`
	Role    string `json:"role"`    // some dumps use OpenAI keys inside "conversations"
	Content any    `json:"content"` //
}

type shareGPTParser struct{ noFlush }

func (p shareGPTParser) parse(rec []byte, loc Location) ([]*Conversation, error) {
	var in shareGPTRecord
	extra, err := decodeLenient(rec, &in, "conversations")
	if err != nil {
		return nil, err
	}
	return p.build(&in, extra, loc)
}

// build makes the conversation of a decoded record.
func (shareGPTParser) build(in *shareGPTRecord, extra map[string]jsonx.RawMessage, loc Location) ([]*Conversation, error) {
	c := &Conversation{ID: string(in.ID), Source: string(FormatShareGPT), Model: in.Model, Location: loc,
		Messages: make([]Message, 0, len(in.Conversations))}
	keepExtra(c, extra)
	for i, m := range in.Conversations {
		role, val := m.From, m.Value
		if role == "" {
			role, val = m.Role, m.Content
		}
		msg, err := message(role, val, i)
		if err != nil {
			return nil, err
		}
		if strings.EqualFold(strings.TrimSpace(role), "function_call") {
			// LLaMA-Factory's tool-call turn: the value is the JSON of one
			// call ({"name","arguments"}) or of a list of calls.
			if calls := shareGPTToolCalls(msg.Content); calls != nil {
				msg.ToolCalls, msg.Content = calls, ""
			}
		}
		c.Messages = append(c.Messages, msg)
	}
	return []*Conversation{c}, nil
}

// sgCall is one call of a ShareGPT function_call turn.
type sgCall struct {
	Name      string           `json:"name"`
	Arguments jsonx.RawMessage `json:"arguments"`
}

// oaCall is one call in the OpenAI tool_calls schema.
type oaCall struct {
	Type     string     `json:"type"`
	Function oaFunction `json:"function"`
}

type oaFunction struct {
	Name      string `json:"name"`
	Arguments string `json:"arguments"`
}

// shareGPTToolCalls converts the value of a ShareGPT function_call turn to
// an OpenAI tool_calls array (arguments as a JSON string, as OpenAI logs
// them). It returns nil when the value is not such a call, which then stays
// the message's text.
func shareGPTToolCalls(value string) jsonx.RawMessage {
	t := strings.TrimSpace(value)
	var calls []sgCall
	switch {
	case strings.HasPrefix(t, "["):
		if jsonx.Unmarshal([]byte(t), &calls) != nil {
			return nil
		}
	case strings.HasPrefix(t, "{"):
		var one sgCall
		if jsonx.Unmarshal([]byte(t), &one) != nil {
			return nil
		}
		calls = []sgCall{one}
	default:
		return nil
	}
	out := make([]oaCall, 0, len(calls))
	for _, c := range calls {
		if c.Name == "" {
			return nil
		}
		args := strings.TrimSpace(string(c.Arguments))
		if strings.HasPrefix(args, `"`) {
			// Already a JSON-encoded string.
			if jsonx.Unmarshal([]byte(args), &args) != nil {
				return nil
			}
		}
		if args == "" || args == "null" {
			args = "{}"
		}
		out = append(out, oaCall{Type: "function", Function: oaFunction{Name: c.Name, Arguments: args}})
	}
	if len(out) == 0 {
		return nil
	}
	b, err := jsonx.Marshal(out)
	if err != nil {
		return nil
	}
	return b
}

// legacyFunctionCall wraps an OpenAI legacy "function_call" object
// ({"name","arguments"}) as a one-element tool_calls array; other values
// are kept as they are.
func legacyFunctionCall(v jsonx.RawMessage) jsonx.RawMessage {
	var f oaFunction
	if jsonx.Unmarshal(v, &f) != nil || f.Name == "" {
		return v
	}
	b, err := jsonx.Marshal([]oaCall{{Type: "function", Function: f}})
	if err != nil {
		return v
	}
	return b
}

// --- WildChat and LMSYS-Chat-1M ----------------------------------------------

type chatLogRecord struct {
	ConversationHash   string           `json:"conversation_hash"`
	ConversationID     flexString       `json:"conversation_id"`
	Model              string           `json:"model"`
	Timestamp          flexTime         `json:"timestamp"`
	Language           string           `json:"language"`
	Conversation       []chatLogMsg     `json:"conversation"`
	Turn               *int64           `json:"turn"`
	Toxic              *bool            `json:"toxic"`
	Redacted           *bool            `json:"redacted"`
	State              *string          `json:"state"`
	Country            *string          `json:"country"`
	HashedIP           *string          `json:"hashed_ip"`
	Header             jsonx.RawMessage `json:"header"`
	OpenAIModeration   jsonx.RawMessage `json:"openai_moderation"`
	DetoxifyModeration jsonx.RawMessage `json:"detoxify_moderation"`
}

type chatLogMsg struct {
	Role    string `json:"role"`
	Content any    `json:"content"`
}

type chatLogParser struct {
	noFlush
	format Format
}

func (p chatLogParser) parse(rec []byte, loc Location) ([]*Conversation, error) {
	var in chatLogRecord
	extra, err := decodeLenient(rec, &in, "conversation")
	if err != nil {
		return nil, err
	}
	return p.build(&in, extra, loc)
}

// build makes the conversation of a decoded record.
func (p chatLogParser) build(in *chatLogRecord, extra map[string]jsonx.RawMessage, loc Location) ([]*Conversation, error) {
	id := in.ConversationHash
	if id == "" {
		id = string(in.ConversationID)
	}
	c := &Conversation{ID: id, Source: string(p.format), Model: in.Model, Language: in.Language,
		Timestamp: in.Timestamp.T, Location: loc, Messages: make([]Message, 0, len(in.Conversation))}
	if in.Timestamp.Raw != "" {
		setMeta(c, "timestamp", in.Timestamp.Raw)
	}
	if in.ConversationHash != "" && in.ConversationID != "" {
		setMeta(c, "conversation_id", string(in.ConversationID))
	}
	if in.Turn != nil {
		setMeta(c, "turn", *in.Turn)
	}
	if in.Toxic != nil {
		setMeta(c, "toxic", *in.Toxic)
	}
	if in.Redacted != nil {
		setMeta(c, "redacted", *in.Redacted)
	}
	if in.State != nil {
		setMeta(c, "state", *in.State)
	}
	if in.Country != nil {
		setMeta(c, "country", *in.Country)
	}
	if in.HashedIP != nil {
		setMeta(c, "hashed_ip", *in.HashedIP)
	}
	setRawMeta(c, "header", in.Header)
	setRawMeta(c, "openai_moderation", in.OpenAIModeration)
	setRawMeta(c, "detoxify_moderation", in.DetoxifyModeration)
	keepExtra(c, extra)
	for i, m := range in.Conversation {
		msg, err := message(m.Role, m.Content, i)
		if err != nil {
			return nil, err
		}
		c.Messages = append(c.Messages, msg)
	}
	return []*Conversation{c}, nil
}
