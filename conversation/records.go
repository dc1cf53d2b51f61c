package conversation

import (
	"fmt"
	"io"

	"github.com/dsatmine/dsatmine/internal/jsonx"
)

// LineReader reads the raw records of a JSON Lines input, optionally gzip-
// or zstd-compressed, one line at a time with its location. Formats built
// on this package's containers (package labelled) read their records with
// it and decode them with DecodeMessages.
type LineReader struct {
	in      io.Reader
	name    string
	max     int
	started bool
	op      *opened
	src     recordSource
	err     error
}

// NewLineReader returns a LineReader over r; name is used in locations and
// errors. maxRecordSize caps a line's length (0 means DefaultMaxRecordSize).
func NewLineReader(r io.Reader, name string, maxRecordSize int) *LineReader {
	if maxRecordSize <= 0 {
		maxRecordSize = DefaultMaxRecordSize
	}
	return &LineReader{in: r, name: name, max: maxRecordSize}
}

// Next returns the next non-blank line and its location, io.EOF at the
// end, a *ParseError for a line it cannot return (over the size cap; Next
// may be called again after it), or the error that ended the input
// (a broken compressed stream).
func (r *LineReader) Next() ([]byte, Location, error) {
	if r.err != nil {
		return nil, Location{}, r.err
	}
	if !r.started {
		r.started = true
		op, err := decompress(r.in, r.name)
		r.op = op
		if err != nil {
			r.err = io.EOF
			return nil, Location{}, err
		}
		r.src = newJSONLSource(op.br, r.name, r.max, 0)
	}
	rec, loc, err := r.src.next()
	if err != nil {
		if _, ok := err.(*ParseError); !ok && err != io.EOF {
			r.err = err
		}
		return nil, loc, err
	}
	return rec, loc, nil
}

// Close releases the decompressor, if any. It does not close the underlying
// reader.
func (r *LineReader) Close() error {
	if r.op != nil {
		return r.op.close()
	}
	return nil
}

// DecodeMessages decodes a JSON array of OpenAI-form messages
// ({"role", "content", "name", "tool_calls"}): content may be a string or
// an array of text parts (joined with "\n"), tool calls are kept as raw
// JSON, roles are kept as given (ParseRole checks them) and Message.Index is
// the message's position. Errors wrap this package's sentinel errors
// (ErrWrongType, …); AsParseError gives them a location.
func DecodeMessages(raw jsonx.RawMessage) ([]Message, error) {
	var in []openAIMsg
	if err := decode(raw, &in); err != nil {
		return nil, err
	}
	out := make([]Message, len(in))
	for i, m := range in {
		text, err := contentText(m.Content)
		if err != nil {
			return nil, fmt.Errorf("message %d: %w", i, err)
		}
		out[i] = Message{Role: Role(m.Role), Content: text, Name: m.Name, Index: i}
		if isJSONValue(m.ToolCalls) {
			out[i].ToolCalls = m.ToolCalls
		}
	}
	return out, nil
}

// AsParseError returns err as a *ParseError at loc: err itself when it is
// one, else a ParseError whose reason is derived from err's cause.
func AsParseError(loc Location, err error) *ParseError { return toParseError(loc, err) }

// NewParseError returns a *ParseError at loc with the given reason and cause.
func NewParseError(loc Location, reason string, err error) *ParseError {
	return newParseError(loc, reason, err)
}

// IsBlank reports whether s holds only white space (a message Reader drops).
func IsBlank(s string) bool { return isBlank(s) }

// DecodeRecord unmarshals one JSON record into v; its errors carry the
// reason a ParseError reports ("invalid_json" for malformed JSON,
// "wrong_type" for a value of the wrong type).
func DecodeRecord(rec []byte, v any) error { return decode(rec, v) }
