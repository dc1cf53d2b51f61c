package conversation

import (
	"context"
	"errors"
	"fmt"
	"io"
	"unicode/utf8"
)

// LabelledReader reads labelled conversations (docs/records.md): JSON Lines,
// optionally gzip- or zstd-compressed, one Labelled per line. It is strict:
// every bad line is reported as a *ParseError.
type LabelledReader struct {
	// MaxRecordSize is the maximum line length; 0 means DefaultMaxRecordSize.
	MaxRecordSize int

	in      io.Reader
	name    string
	started bool
	op      *opened
	src     recordSource
	err     error
}

// NewLabelledReader returns a LabelledReader over r; name is used in errors.
// Message content may be a string or an array of text parts (joined with
// "\n"), and tool calls are kept as raw JSON; Message.Index is set to the
// message's position.
func NewLabelledReader(r io.Reader, name string) *LabelledReader {
	return &LabelledReader{in: r, name: name}
}

// Close releases the decompressor, if any. It does not close the underlying reader.
func (r *LabelledReader) Close() error {
	if r.op != nil {
		return r.op.close()
	}
	return nil
}

// Next returns the next labelled conversation, io.EOF at the end, or a
// *ParseError for a bad line (Next may be called again to continue after it).
// Messages must have known roles (aliases such as "human" are accepted) and
// every label's Turn must index a message.
func (r *LabelledReader) Next(ctx context.Context) (*Labelled, error) {
	if r.err != nil {
		return nil, r.err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if !r.started {
		r.started = true
		max := r.MaxRecordSize
		if max <= 0 {
			max = DefaultMaxRecordSize
		}
		op, err := decompress(r.in, r.name)
		r.op = op
		if err != nil {
			r.err = io.EOF
			return nil, err
		}
		r.src = newJSONLSource(op.br, r.name, max, 0)
	}
	rec, loc, err := r.src.next()
	if err != nil {
		var pe *ParseError
		if err != io.EOF && !errors.As(err, &pe) {
			r.err = err
		}
		return nil, err
	}
	if !utf8.Valid(rec) {
		return nil, newParseError(loc, ReasonInvalidUTF8, fmt.Errorf("line is not valid UTF-8: %w", ErrInvalidUTF8))
	}
	var in labelledRecord
	if err := decode(rec, &in); err != nil {
		return nil, toParseError(loc, err)
	}
	l := &Labelled{ID: string(in.ID), Source: in.Source, Labels: in.Labels, Messages: make([]Message, len(in.Messages))}
	for i, m := range in.Messages {
		text, err := contentText(m.Content)
		if err != nil {
			return nil, toParseError(loc, fmt.Errorf("message %d: %w", i, err))
		}
		l.Messages[i] = Message{Role: Role(m.Role), Content: text, Name: m.Name, Index: i}
		if isJSONValue(m.ToolCalls) {
			l.Messages[i].ToolCalls = m.ToolCalls
		}
	}
	if len(l.Messages) == 0 {
		return nil, newParseError(loc, ReasonEmptyConversation, fmt.Errorf("no messages: %w", ErrEmptyConversation))
	}
	for i, m := range l.Messages {
		if _, err := ParseRole(string(m.Role)); err != nil {
			return nil, toParseError(loc, fmt.Errorf("message %d: %w", i, err))
		}
	}
	for _, lb := range l.Labels {
		if lb.Turn < 0 || lb.Turn >= len(l.Messages) {
			return nil, newParseError(loc, ReasonInvalidLabel,
				fmt.Errorf("label turn %d is outside the %d messages", lb.Turn, len(l.Messages)))
		}
	}
	return l, nil
}

// labelledRecord is the wire form of Labelled: message content may be a
// string or an array of parts, and tool calls are raw JSON.
type labelledRecord struct {
	ID       flexString  `json:"id"`
	Source   string      `json:"source"`
	Messages []openAIMsg `json:"messages"`
	Labels   []Label     `json:"labels"`
}

// Conversation returns l as a normalised Conversation: roles mapped, empty
// messages dropped, Message.Index set to the message's original index (the
// index that Label.Turn refers to), and ID and Source taken from l. Messages
// with unknown roles (which LabelledReader rejects) keep their role as given.
func (l *Labelled) Conversation() *Conversation {
	c := &Conversation{ID: l.ID, Source: l.Source, Messages: make([]Message, 0, len(l.Messages))}
	for i, m := range l.Messages {
		if isBlank(m.Content) && len(m.ToolCalls) == 0 {
			continue
		}
		if r, err := ParseRole(string(m.Role)); err == nil {
			m.Role = r
		}
		m.Index = i
		c.Messages = append(c.Messages, m)
	}
	return c
}
