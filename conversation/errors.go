package conversation

import (
	"errors"
	"fmt"
)

// Sentinel errors wrapped by *ParseError. Test for them with errors.Is.
var (
	// ErrRecordTooLarge reports a record longer than Reader.MaxRecordSize.
	ErrRecordTooLarge = errors.New("record too large")
	// ErrTooManyMessages reports a conversation with more than Reader.MaxMessages messages.
	ErrTooManyMessages = errors.New("too many messages")
	// ErrUnknownFormat reports a record that matches no supported log format.
	ErrUnknownFormat = errors.New("unknown format")
	// ErrInvalidUTF8 reports a record that is not valid UTF-8 (strict mode only;
	// lenient readers repair it and count the repair in ReadStats.Repaired).
	ErrInvalidUTF8 = errors.New("invalid UTF-8")
	// ErrUnknownRole reports a message whose author role cannot be mapped to a Role.
	ErrUnknownRole = errors.New("unknown role")
	// ErrEmptyConversation reports a record with no non-empty message.
	ErrEmptyConversation = errors.New("empty conversation")
	// ErrTruncated reports input that ends in the middle of a record or container.
	ErrTruncated = errors.New("truncated input")
	// ErrCorruptCompression reports a gzip or zstd stream that cannot be decompressed.
	ErrCorruptCompression = errors.New("corrupt compressed stream")
	// ErrWrongType reports a field whose JSON type is not the one the format expects.
	ErrWrongType = errors.New("wrong type")
	// ErrInvalidJSON reports a record that is not well-formed JSON.
	ErrInvalidJSON = errors.New("invalid JSON")
)

// Stable reasons used in ParseError.Reason and as ReadStats.Skipped keys.
const (
	ReasonInvalidJSON       = "invalid_json"
	ReasonWrongType         = "wrong_type"
	ReasonUnknownRole       = "unknown_role"
	ReasonUnknownFormat     = "unknown_format"
	ReasonRecordTooLarge    = "record_too_large"
	ReasonTooManyMessages   = "too_many_messages"
	ReasonInvalidUTF8       = "invalid_utf8"
	ReasonEmptyConversation = "empty_conversation"
	ReasonTruncated         = "truncated"
	ReasonCorruptCompress   = "corrupt_compression"
	ReasonMissingColumn     = "missing_column"
	ReasonInvalidLabel      = "invalid_label"
)

// ParseError describes one bad input record. Err is the cause; errors.Is and
// errors.As see through a ParseError to it.
type ParseError struct {
	File   string
	Line   int    // 1-based line of the record (JSON containers), 0 if n/a
	Row    int    // 1-based Parquet row or JSON-array element, 0 if n/a
	Reason string // stable snake_case key, also used in ReadStats.Skipped
	Err    error

	records int64 // input records the error covers, if more than one
}

// Error formats the error as "file:line: reason: cause" (or "file:row N: ..."
// when only a row is known).
func (e *ParseError) Error() string {
	file := e.File
	if file == "" {
		file = "<input>"
	}
	var where string
	switch {
	case e.Line > 0 && e.Row > 0:
		where = fmt.Sprintf("%s:%d (element %d)", file, e.Line, e.Row)
	case e.Line > 0:
		where = fmt.Sprintf("%s:%d", file, e.Line)
	case e.Row > 0:
		where = fmt.Sprintf("%s: row %d", file, e.Row)
	default:
		where = file
	}
	if e.Err == nil {
		return where + ": " + e.Reason
	}
	return where + ": " + e.Reason + ": " + e.Err.Error()
}

// Unwrap returns the cause.
func (e *ParseError) Unwrap() error { return e.Err }

// newParseError builds a ParseError at loc.
func newParseError(loc Location, reason string, err error) *ParseError {
	return &ParseError{File: loc.File, Line: loc.Line, Row: loc.Row, Reason: reason, Err: err}
}

// reasonError is an error that knows its ParseError reason.
type reasonError struct {
	reason  string
	err     error
	records int64 // input records the error covers, if more than one
}

func (e *reasonError) Error() string { return e.err.Error() }
func (e *reasonError) Unwrap() error { return e.err }

// errorf returns an error carrying reason whose message is formatted and which
// wraps sentinel (if non-nil).
func errorf(reason string, sentinel error, format string, args ...any) error {
	msg := fmt.Sprintf(format, args...)
	var err error
	if sentinel != nil {
		err = fmt.Errorf("%s: %w", msg, sentinel)
	} else {
		err = errors.New(msg)
	}
	return &reasonError{reason: reason, err: err}
}

// wrongType returns a wrong_type error.
func wrongType(format string, args ...any) error {
	return errorf(ReasonWrongType, ErrWrongType, format, args...)
}

// toParseError turns err, returned while parsing the record at loc, into a
// *ParseError with the most specific reason it can find.
func toParseError(loc Location, err error) *ParseError {
	var pe *ParseError
	if errors.As(err, &pe) {
		return pe
	}
	var re *reasonError
	if errors.As(err, &re) {
		pe := newParseError(loc, re.reason, re.err)
		pe.records = re.records
		return pe
	}
	switch {
	case errors.Is(err, ErrUnknownRole):
		return newParseError(loc, ReasonUnknownRole, err)
	case errors.Is(err, ErrTooManyMessages):
		return newParseError(loc, ReasonTooManyMessages, err)
	case errors.Is(err, ErrEmptyConversation):
		return newParseError(loc, ReasonEmptyConversation, err)
	case errors.Is(err, ErrUnknownFormat):
		return newParseError(loc, ReasonUnknownFormat, err)
	case errors.Is(err, ErrInvalidUTF8):
		return newParseError(loc, ReasonInvalidUTF8, err)
	case errors.Is(err, ErrRecordTooLarge):
		return newParseError(loc, ReasonRecordTooLarge, err)
	case errors.Is(err, ErrWrongType):
		return newParseError(loc, ReasonWrongType, err)
	}
	return newParseError(loc, ReasonWrongType, err)
}

// jsonError wraps a decoding error of rec with the right reason: invalid_json
// when rec is not well-formed, wrong_type when a field has an unexpected type.
// The JSON seam does not expose error types, so well-formedness is checked
// again; this only runs on the error path.
func jsonError(rec []byte, err error) error {
	if !jsonxValid(rec) {
		return errorf(ReasonInvalidJSON, ErrInvalidJSON, "%v", err)
	}
	return errorf(ReasonWrongType, ErrWrongType, "%v", err)
}
