package report

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/klauspost/compress/zstd"

	"github.com/dsatmine/dsatmine/dsat"
	"github.com/dsatmine/dsatmine/internal/jsonx"
)

// ErrInput is wrapped by the errors of ReadEvents, ReadAnchors and
// ReadStats for records that are not what they should be.
var ErrInput = errors.New("report: bad input")

// InputError is a bad record in a named input.
type InputError struct {
	Name   string // the input's name
	Line   int    // 1-based line, 0 for a whole-file error
	Reason string
}

func (e *InputError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", e.Name, e.Line, e.Reason)
	}
	return fmt.Sprintf("%s: %s", e.Name, e.Reason)
}

// Unwrap makes an InputError match ErrInput.
func (e *InputError) Unwrap() error { return ErrInput }

// decompress returns a reader of r's content, decompressed when it starts
// with a gzip or zstd header. Close the returned closer when done.
func decompress(r io.Reader) (io.Reader, io.Closer, error) {
	br := bufio.NewReaderSize(r, 1<<16)
	magic, _ := br.Peek(4)
	switch {
	case bytes.HasPrefix(magic, []byte{0x1f, 0x8b}):
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, nil, err
		}
		return zr, zr, nil
	case bytes.HasPrefix(magic, []byte{0x28, 0xb5, 0x2f, 0xfd}):
		zr, err := zstd.NewReader(br, zstd.WithDecoderConcurrency(1))
		if err != nil {
			return nil, nil, err
		}
		return zr, closerFunc(func() error { zr.Close(); return nil }), nil
	}
	return br, io.NopCloser(nil), nil
}

type closerFunc func() error

func (f closerFunc) Close() error { return f() }

// IsEvents reports whether r (possibly compressed) holds dsatmine events:
// JSON Lines whose first record has "kind" and "follow_up" fields. It reads
// at most the first record, and no more than maxSniff bytes of it.
func IsEvents(r io.Reader) (bool, error) {
	dr, c, err := decompress(r)
	if err != nil {
		return false, err
	}
	defer c.Close()
	br := bufio.NewReaderSize(dr, 1<<16)
	for {
		b, err := br.ReadByte()
		if errors.Is(err, io.EOF) {
			return false, nil
		}
		if err != nil {
			return false, err
		}
		if b == ' ' || b == '\t' || b == '\r' || b == '\n' {
			continue
		}
		if b != '{' {
			return false, nil // a JSON array, Parquet, or not JSON at all
		}
		break
	}
	line := []byte{'{'}
	for {
		chunk, err := br.ReadSlice('\n')
		line = append(line, chunk...)
		if len(line) > maxSniff {
			return false, nil
		}
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		if err != nil && !errors.Is(err, io.EOF) {
			return false, err
		}
		break
	}
	var rec map[string]jsonx.RawMessage
	if jsonx.Unmarshal(bytes.TrimSpace(line), &rec) != nil {
		return false, nil
	}
	_, kind := rec["kind"]
	_, fu := rec["follow_up"]
	return kind && fu, nil
}

// maxSniff bounds the first record IsEvents reads: an event is far smaller.
const maxSniff = 16 << 20

// ReadEvents adds every event of an events file (JSON Lines as written by
// "dsatmine mine --events", possibly compressed) to a. name is used in
// errors. A line that is not an event is an *InputError.
func (a *Aggregator) ReadEvents(ctx context.Context, r io.Reader, name string) error {
	return readLines(ctx, r, name, func(line []byte, n int) error {
		var e dsat.Event
		if err := jsonx.Unmarshal(line, &e); err != nil {
			return &InputError{Name: name, Line: n, Reason: "not a JSON event: " + err.Error()}
		}
		if e.Kind != dsat.KindDSAT && e.Kind != dsat.KindSAT {
			return &InputError{Name: name, Line: n, Reason: fmt.Sprintf("event kind %q is neither dsat nor sat", e.Kind)}
		}
		return a.WriteEvent(&e)
	})
}

// ReadAnchors adds every anchor of an anchors file (JSON Lines in the
// default drift layout, possibly compressed) to a. name is used in errors.
// A line that is not a drift-layout anchor is an *InputError.
func (a *Aggregator) ReadAnchors(ctx context.Context, r io.Reader, name string) error {
	return readLines(ctx, r, name, func(line []byte, n int) error {
		var an dsat.Anchor
		if err := jsonx.Unmarshal(line, &an); err != nil {
			return &InputError{Name: name, Line: n, Reason: "not a JSON anchor: " + err.Error()}
		}
		if an.ID == "" || an.UserPreference.Role == "" {
			return &InputError{Name: name, Line: n, Reason: "not an anchor in the drift layout (id and user_preference are required)"}
		}
		return a.WriteAnchor(&an)
	})
}

// ReadStats decodes run statistics as written by "dsatmine mine --stats".
// name is used in errors.
func ReadStats(r io.Reader, name string) (*dsat.Stats, error) {
	b, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	var probe map[string]jsonx.RawMessage
	if err := jsonx.Unmarshal(b, &probe); err != nil {
		return nil, &InputError{Name: name, Reason: "not run statistics: " + err.Error()}
	}
	if _, ok := probe["follow_ups"]; !ok {
		return nil, &InputError{Name: name, Reason: "not run statistics: no follow_ups field"}
	}
	st := dsat.NewStats()
	if err := jsonx.Unmarshal(b, st); err != nil {
		return nil, &InputError{Name: name, Reason: "not run statistics: " + err.Error()}
	}
	return st, nil
}

// readLines calls fn for every non-blank line of r (decompressed), with its
// 1-based line number, checking ctx every 1024 lines.
func readLines(ctx context.Context, r io.Reader, name string, fn func(line []byte, n int) error) error {
	dr, c, err := decompress(r)
	if err != nil {
		return &InputError{Name: name, Reason: err.Error()}
	}
	defer c.Close()
	lr := newLineReader(dr)
	for n := 1; ; n++ {
		if n%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		line, err := lr.next()
		if len(bytes.TrimSpace(line)) > 0 {
			if ferr := fn(line, n); ferr != nil {
				return ferr
			}
		}
		if errors.Is(err, io.EOF) {
			return ctx.Err()
		}
		if err != nil {
			return fmt.Errorf("%s:%d: %w", name, n, err)
		}
	}
}

// lineReader reads lines of any length, reusing its buffer.
type lineReader struct {
	br  *bufio.Reader
	buf []byte
}

func newLineReader(r io.Reader) *lineReader {
	return &lineReader{br: bufio.NewReaderSize(r, 1<<16)}
}

// next returns the next line without its line ending, valid until the next
// call, and io.EOF with the last line.
func (l *lineReader) next() ([]byte, error) {
	l.buf = l.buf[:0]
	for {
		chunk, err := l.br.ReadSlice('\n')
		l.buf = append(l.buf, chunk...)
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		line := bytes.TrimSuffix(bytes.TrimSuffix(l.buf, []byte{'\n'}), []byte{'\r'})
		if err == nil && len(chunk) > 0 {
			return line, nil
		}
		if err == nil {
			err = io.EOF
		}
		return line, err
	}
}
