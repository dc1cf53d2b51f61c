package conversation

import (
	"context"
	"errors"
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

// RecordReader reads the raw JSON records of any container Reader reads (JSON
// Lines, a JSON array, concatenated objects or Parquet rows, optionally gzip-
// or zstd-compressed, sniffed by magic bytes), with Reader's record-size cap,
// UTF-8 repair and accounting. Formats that are not chat logs (package
// ultrafeedback) read their records with it, decode them, and report each one
// as kept (Keep) or bad (Skip), so that its ReadStats account for every
// record as Reader's do. A RecordReader is not safe for concurrent use.
type RecordReader struct {
	// Strict makes Next (and Skip) return a *ParseError for the first bad
	// record. By default (lenient) bad records are skipped and counted by
	// reason.
	Strict bool
	// MaxRecordSize is the maximum size of one record in bytes; 0 means
	// DefaultMaxRecordSize.
	MaxRecordSize int
	// OnSkip, if set, is called for every record skipped in lenient mode.
	OnSkip func(*ParseError)

	c     *Reader // the container layer: sniffing, sources and Close
	err   error   // sticky: io.EOF or a fatal error
	stats ReadStats
}

// NewRecordReader returns a RecordReader over r. name is used in errors and
// Location.File.
func NewRecordReader(r io.Reader, name string) *RecordReader {
	return &RecordReader{c: NewReader(r, name)}
}

// OpenRecords opens the file at path ("-" for standard input). The caller
// must call Close.
func OpenRecords(path string) (*RecordReader, error) {
	c, err := Open(path)
	if err != nil {
		return nil, err
	}
	return &RecordReader{c: c}, nil
}

// Close releases the reader's resources and the file opened by OpenRecords.
// It does not close an io.Reader given to NewRecordReader.
func (r *RecordReader) Close() error {
	if r.err == nil {
		r.err = errors.New("conversation: reader closed")
	}
	return r.c.Close()
}

// Stats returns the counts so far: Records (good and bad), Skipped and
// Repaired as Next and Skip counted them, and whatever Keep added.
func (r *RecordReader) Stats() ReadStats { return r.stats.snapshot() }

// Next returns the next record (valid UTF-8: a lenient reader repairs it) and
// its location, or io.EOF at the end of input. Every record returned must be
// reported to Keep or Skip. A record the container cannot deliver is a
// *ParseError: returned in strict mode (Next may be called again to continue
// after it), skipped and counted in lenient mode. Other errors (I/O,
// cancellation) are returned as they are.
func (r *RecordReader) Next(ctx context.Context) ([]byte, Location, error) {
	for {
		if r.err != nil {
			return nil, Location{}, r.err
		}
		if err := ctx.Err(); err != nil {
			return nil, Location{}, err
		}
		if !r.c.started {
			r.c.MaxRecordSize = r.MaxRecordSize
		}
		raw, loc, err := r.c.nextRaw(&r.stats, r.Strict, r.OnSkip)
		if err == io.EOF {
			r.err = io.EOF
			continue
		}
		if err != nil {
			return nil, loc, fatal(&r.err, err)
		}
		raw, pe := r.stats.validUTF8(raw, loc, r.Strict)
		if pe != nil {
			if perr := r.Skip(pe); perr != nil {
				return nil, loc, perr
			}
			continue
		}
		return raw, loc, nil
	}
}

// Skip accounts for a record returned by Next that the caller could not
// decode: it is counted in Skipped under pe.Reason, and returned when the
// reader is strict (otherwise it goes to OnSkip and Skip returns nil).
func (r *RecordReader) Skip(pe *ParseError) error {
	return r.stats.skip(pe, r.Strict, r.OnSkip)
}

// Keep accounts for a record returned by Next that the caller decoded: it is
// counted in Kept, as one conversation of the given number of messages, and
// under format in Formats.
func (r *RecordReader) Keep(format Format, messages int64) {
	if r.stats.Formats == nil {
		r.stats.Formats = make(map[string]int64)
	}
	r.stats.Formats[string(format)]++
	r.stats.Kept++
	r.stats.Conversations++
	r.stats.Messages += messages
}
