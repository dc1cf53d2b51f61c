package labelled

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"unicode/utf8"

	"github.com/dsatmine/dsatmine/conversation"
	"github.com/dsatmine/dsatmine/internal/jsonx"
)

// Reader reads labelled conversations (docs/records.md, "Labelled data"):
// JSON Lines, optionally gzip- or zstd-compressed, one Record per line. It
// is strict: every bad line is reported as a *conversation.ParseError.
type Reader struct {
	// MaxRecordSize is the maximum line length; 0 means
	// conversation.DefaultMaxRecordSize.
	MaxRecordSize int

	in    io.Reader
	name  string
	lines *conversation.LineReader
}

// NewReader returns a Reader over r; name is used in errors. Message
// content may be a string or an array of text parts (joined with "\n"), and
// tool calls are kept as raw JSON; Message.Index is set to the message's
// position.
func NewReader(r io.Reader, name string) *Reader {
	return &Reader{in: r, name: name}
}

// Close releases the decompressor, if any. It does not close the underlying reader.
func (r *Reader) Close() error {
	if r.lines != nil {
		return r.lines.Close()
	}
	return nil
}

// Next returns the next labelled conversation, io.EOF at the end, or a
// *conversation.ParseError for a bad line (Next may be called again to
// continue after it). Messages must have known roles (aliases such as
// "human" are accepted) and every label's Turn must index a message.
func (r *Reader) Next(ctx context.Context) (*Record, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if r.lines == nil {
		r.lines = conversation.NewLineReader(r.in, r.name, r.MaxRecordSize)
	}
	rec, loc, err := r.lines.Next()
	if err != nil {
		return nil, err
	}
	if !utf8.Valid(rec) {
		return nil, conversation.NewParseError(loc, conversation.ReasonInvalidUTF8, fmt.Errorf("line is not valid UTF-8: %w", conversation.ErrInvalidUTF8))
	}
	var in wireRecord
	if err := conversation.DecodeRecord(rec, &in); err != nil {
		return nil, conversation.AsParseError(loc, err)
	}
	id, err := idString(in.ID)
	if err != nil {
		return nil, conversation.AsParseError(loc, err)
	}
	msgs, err := conversation.DecodeMessages(in.Messages)
	if err != nil {
		return nil, conversation.AsParseError(loc, err)
	}
	l := &Record{ID: id, Source: in.Source, Lang: in.Lang, Labels: in.Labels, Messages: msgs}
	if len(l.Messages) == 0 {
		return nil, conversation.NewParseError(loc, conversation.ReasonEmptyConversation, fmt.Errorf("no messages: %w", conversation.ErrEmptyConversation))
	}
	for i, m := range l.Messages {
		if _, err := conversation.ParseRole(string(m.Role)); err != nil {
			return nil, conversation.AsParseError(loc, fmt.Errorf("message %d: %w", i, err))
		}
	}
	for _, lb := range l.Labels {
		if lb.Turn < 0 || lb.Turn >= len(l.Messages) {
			return nil, conversation.NewParseError(loc, conversation.ReasonInvalidLabel,
				fmt.Errorf("label turn %d is outside the %d messages", lb.Turn, len(l.Messages)))
		}
	}
	return l, nil
}

// wireRecord is the wire form of Record: the id may be a string or a
// number, and the messages are decoded by conversation.DecodeMessages.
type wireRecord struct {
	ID       jsonx.RawMessage `json:"id"`
	Source   string           `json:"source"`
	Messages jsonx.RawMessage `json:"messages"`
	Labels   []Label          `json:"labels"`
	Lang     string           `json:"lang"`
}

// idString reads an id written as a string or a number (absent or null:
// "").
func idString(raw jsonx.RawMessage) (string, error) {
	b := bytes.TrimSpace(raw)
	switch {
	case len(b) == 0 || string(b) == "null":
		return "", nil
	case b[0] == '"':
		var s string
		err := jsonx.Unmarshal(b, &s)
		return s, err
	case b[0] == '-' || (b[0] >= '0' && b[0] <= '9'):
		return string(b), nil
	}
	return "", fmt.Errorf("id: expected a string or number, found %.20s: %w", b, conversation.ErrWrongType)
}

// Conversation returns l as a normalised conversation.Conversation: roles
// mapped, empty messages dropped, Message.Index set to the message's
// original index (the index that Label.Turn refers to), and ID and Source
// taken from l. Messages with unknown roles (which Reader rejects) keep
// their role as given.
func (l *Record) Conversation() *conversation.Conversation {
	c := &conversation.Conversation{ID: l.ID, Source: l.Source, Messages: make([]conversation.Message, 0, len(l.Messages))}
	for i, m := range l.Messages {
		if conversation.IsBlank(m.Content) && len(m.ToolCalls) == 0 {
			continue
		}
		if r, err := conversation.ParseRole(string(m.Role)); err == nil {
			m.Role = r
		}
		m.Index = i
		c.Messages = append(c.Messages, m)
	}
	return c
}
