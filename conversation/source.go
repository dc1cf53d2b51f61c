package conversation

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"
)

// recordSource yields raw JSON records with their location.
//
// The returned rec is only valid until the next call. At the end of input next
// returns io.EOF; a problem with one record is returned as a *ParseError, after
// which next may be called again (the source has skipped past that record or,
// if it cannot resynchronise, returns io.EOF next). Any other error is fatal.
type recordSource interface {
	next() (rec []byte, loc Location, err error)
}

// bufSize is the size of the buffered readers over the input.
const bufSize = 64 << 10

var (
	gzipMagic    = []byte{0x1f, 0x8b}
	zstdMagic    = []byte{0x28, 0xb5, 0x2f, 0xfd}
	parquetMagic = []byte("PAR1")
	utf8BOM      = []byte{0xef, 0xbb, 0xbf}
	newline      = []byte{'\n'}
)

// corruptError marks a read error from a decompressor.
type corruptError struct{ err error }

func (e *corruptError) Error() string { return e.err.Error() }
func (e *corruptError) Unwrap() error { return e.err }

// corruptReader turns every non-EOF error of a decompressor into a corruptError.
type corruptReader struct {
	r    io.Reader
	kind string
}

func (c *corruptReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	if err != nil && err != io.EOF {
		var ce *corruptError
		if !errors.As(err, &ce) {
			err = &corruptError{fmt.Errorf("%s: %w", c.kind, err)}
		}
	}
	return n, err
}

// compressionError converts a read error into a corrupt_compression
// ParseError at loc, or returns nil if err is not a decompression error.
func compressionError(loc Location, err error) *ParseError {
	var ce *corruptError
	if errors.As(err, &ce) {
		return newParseError(loc, ReasonCorruptCompress, fmt.Errorf("%w: %w", ErrCorruptCompression, ce.err))
	}
	return nil
}

// opened is a sniffed input stream.
type opened struct {
	br         *bufio.Reader
	compressed bool
	closers    []func() error
}

func (o *opened) close() error {
	var errs []error
	for i := len(o.closers) - 1; i >= 0; i-- {
		errs = append(errs, o.closers[i]())
	}
	o.closers = nil
	return errors.Join(errs...)
}

// decompress peels gzip and zstd layers off r, detected by magic bytes.
func decompress(r io.Reader, name string) (*opened, error) {
	o := &opened{br: bufio.NewReaderSize(r, bufSize)}
	for range 4 { // nested compression is rare; bound it anyway
		head, err := o.br.Peek(4)
		if err != nil && err != io.EOF && !errors.Is(err, bufio.ErrBufferFull) {
			if pe := compressionError(Location{File: name}, err); pe != nil {
				return o, pe
			}
			return o, err
		}
		switch {
		case bytes.HasPrefix(head, gzipMagic):
			zr, err := gzip.NewReader(o.br)
			if err != nil {
				return o, newParseError(Location{File: name}, ReasonCorruptCompress,
					fmt.Errorf("%w: gzip: %w", ErrCorruptCompression, err))
			}
			// gzip's Close only repeats a decoding error, which the reader
			// has already reported (or skipped) as corrupt_compression.
			o.closers = append(o.closers, func() error { zr.Close(); return nil })
			o.br = bufio.NewReaderSize(&corruptReader{r: zr, kind: "gzip"}, bufSize)
			o.compressed = true
		case bytes.HasPrefix(head, zstdMagic):
			zr, err := zstd.NewReader(o.br, zstd.WithDecoderConcurrency(1), zstd.WithDecoderLowmem(true))
			if err != nil {
				return o, newParseError(Location{File: name}, ReasonCorruptCompress,
					fmt.Errorf("%w: zstd: %w", ErrCorruptCompression, err))
			}
			o.closers = append(o.closers, func() error { zr.Close(); return nil })
			o.br = bufio.NewReaderSize(&corruptReader{r: zr, kind: "zstd"}, bufSize)
			o.compressed = true
		default:
			return o, nil
		}
	}
	return o, nil
}

// skipSpace discards a UTF-8 byte order mark and leading white space, counting
// newlines, and returns the first other byte (0 at EOF).
func skipSpace(br *bufio.Reader, line *int) (byte, error) {
	if head, _ := br.Peek(3); bytes.Equal(head, utf8BOM) {
		_, _ = br.Discard(3)
	}
	for {
		c, err := br.ReadByte()
		if err != nil {
			if err == io.EOF {
				return 0, nil
			}
			return 0, err
		}
		switch c {
		case '\n':
			*line++
		case ' ', '\t', '\r':
		default:
			return c, br.UnreadByte()
		}
	}
}

// jsonlSource reads JSON Lines: one record per line; blank lines are ignored.
type jsonlSource struct {
	br   *bufio.Reader
	name string
	max  int
	line int
	buf  recBuf
	done bool
}

func newJSONLSource(br *bufio.Reader, name string, maxSize int, line int) *jsonlSource {
	return &jsonlSource{br: br, name: name, max: maxSize, line: line}
}

func (s *jsonlSource) next() ([]byte, Location, error) {
	for {
		if s.done {
			return nil, Location{}, io.EOF
		}
		s.line++
		loc := Location{File: s.name, Line: s.line}
		chunk, err := s.br.ReadSlice('\n')
		var rec []byte
		if err == nil || err == io.EOF {
			// Fast path: the whole line is in the bufio buffer.
			rec = chunk
			s.buf.over = len(chunk) > s.max+2
		} else {
			s.buf.reset(s.max + 2) // allow for "\r\n"
			s.buf.add(chunk)
			for errors.Is(err, bufio.ErrBufferFull) {
				chunk, err = s.br.ReadSlice('\n')
				s.buf.add(chunk)
			}
			if !s.buf.over {
				rec = s.buf.bytes()
			}
		}
		if err != nil {
			s.done = true
			if err != io.EOF {
				if pe := compressionError(loc, err); pe != nil {
					return nil, loc, pe
				}
				return nil, loc, err
			}
		}
		if s.buf.over {
			s.buf.over = false
			return nil, loc, newParseError(loc, ReasonRecordTooLarge,
				fmt.Errorf("line longer than %d bytes: %w", s.max, ErrRecordTooLarge))
		}
		rec = bytes.TrimSpace(rec)
		if len(rec) == 0 {
			continue
		}
		return rec, loc, nil
	}
}

// blockSize is the size of the blocks in which long records are gathered.
const blockSize = 1 << 20

// recBuf gathers a record that does not fit in the bufio buffer. It keeps the
// bytes in fixed-size blocks, so that a record that turns out to be too large
// costs at most its limit in memory and no reallocation garbage; the blocks and
// the flat copy are reused for later records.
type recBuf struct {
	max    int
	n      int
	over   bool // more than max bytes were added
	blocks [][]byte
	flat   []byte
}

func (b *recBuf) reset(max int) {
	b.max, b.n, b.over = max, 0, false
}

func (b *recBuf) add(p []byte) {
	if b.over {
		return
	}
	if b.n+len(p) > b.max {
		b.over = true
		return
	}
	for len(p) > 0 {
		i, off := b.n/blockSize, b.n%blockSize
		if i == len(b.blocks) {
			b.blocks = append(b.blocks, make([]byte, blockSize))
		}
		k := copy(b.blocks[i][off:], p)
		p = p[k:]
		b.n += k
	}
}

// bytes returns the gathered record, valid until the next reset.
func (b *recBuf) bytes() []byte {
	if b.n <= blockSize {
		if b.n == 0 {
			return nil
		}
		return b.blocks[0][:b.n]
	}
	if cap(b.flat) < b.n {
		b.flat = make([]byte, b.n)
	}
	b.flat = b.flat[:b.n]
	for i, off := 0, 0; off < b.n; i++ {
		off += copy(b.flat[off:], b.blocks[i][:min(blockSize, b.n-off)])
	}
	return b.flat
}

// arraySource streams the elements of a top-level JSON array without holding
// more than one element in memory. It finds element boundaries with a small
// scanner that tracks strings and nesting; the elements themselves are
// validated when they are decoded.
type arraySource struct {
	br    *bufio.Reader
	name  string
	max   int
	line  int // current line (1-based)
	row   int // elements returned so far
	buf   recBuf
	state int
	err   error // sticky
	// concat marks a stream of top-level JSON values one after another (a
	// pretty-printed object, or several), read without brackets and commas.
	concat bool
}

const (
	arrStart = iota // before '['
	arrFirst        // after '[', before the first element or ']'
	arrNext         // after an element, before ',' or ']'
	arrDone
)

func newArraySource(br *bufio.Reader, name string, maxSize int, line int) *arraySource {
	return &arraySource{br: br, name: name, max: maxSize, line: line + 1}
}

// skipWS skips white space and returns the next byte without consuming it.
func (s *arraySource) skipWS() (byte, error) {
	for {
		c, err := s.br.ReadByte()
		if err != nil {
			return 0, err
		}
		switch c {
		case '\n':
			s.line++
		case ' ', '\t', '\r':
		default:
			return c, s.br.UnreadByte()
		}
	}
}

// newConcatSource streams top-level JSON values that follow one another,
// each possibly spread over many lines (see spreadJSON). line is the number
// of lines before the first value.
func newConcatSource(br *bufio.Reader, name string, maxSize int, line int) *arraySource {
	s := newArraySource(br, name, maxSize, line)
	s.concat, s.state = true, arrFirst
	return s
}

func (s *arraySource) loc() Location {
	if s.concat {
		return Location{File: s.name, Line: s.line}
	}
	return Location{File: s.name, Line: s.line, Row: s.row + 1}
}

// fail records a fatal problem: the array cannot be resynchronised.
func (s *arraySource) fail(loc Location, err error) error {
	s.state = arrDone
	if (err == io.EOF || errors.Is(err, io.ErrUnexpectedEOF)) && s.concat {
		return newParseError(loc, ReasonTruncated,
			fmt.Errorf("JSON value ends before it is complete: %w", ErrTruncated))
	}
	if err == io.EOF || errors.Is(err, io.ErrUnexpectedEOF) {
		return newParseError(loc, ReasonTruncated,
			fmt.Errorf("JSON array ends before its closing bracket: %w", ErrTruncated))
	}
	if pe := compressionError(loc, err); pe != nil {
		return pe
	}
	var pe *ParseError
	if errors.As(err, &pe) {
		return pe
	}
	var re *reasonError
	if errors.As(err, &re) {
		return toParseError(loc, err)
	}
	return err
}

func (s *arraySource) next() ([]byte, Location, error) {
	for {
		switch s.state {
		case arrDone:
			return nil, Location{}, io.EOF
		case arrStart:
			c, err := s.skipWS()
			if err != nil {
				return nil, s.loc(), s.fail(s.loc(), err)
			}
			if c != '[' {
				return nil, s.loc(), s.fail(s.loc(), errorf(ReasonInvalidJSON, ErrInvalidJSON, "expected '[', found %q", c))
			}
			_, _ = s.br.ReadByte()
			s.state = arrFirst
		case arrFirst, arrNext:
			c, err := s.skipWS()
			if s.concat {
				if err == io.EOF {
					s.state = arrDone
					return nil, Location{}, io.EOF
				}
				if err == nil && (c == ',' || c == ']' || c == '}') {
					err = errorf(ReasonInvalidJSON, ErrInvalidJSON, "unexpected %q between top-level JSON values", c)
				}
				if err != nil {
					return nil, s.loc(), s.fail(s.loc(), err)
				}
				loc := s.loc()
				s.row++
				return s.value(loc)
			}
			if err != nil {
				return nil, s.loc(), s.fail(s.loc(), err)
			}
			if c == ']' {
				_, _ = s.br.ReadByte()
				s.state = arrDone
				// Anything but white space after the array is an error.
				if c, err := s.skipWS(); err == nil {
					loc := Location{File: s.name, Line: s.line}
					return nil, loc, s.fail(loc, errorf(ReasonInvalidJSON, ErrInvalidJSON,
						"unexpected %q after the top-level array", c))
				} else if err != io.EOF {
					return nil, s.loc(), s.fail(s.loc(), err)
				}
				return nil, Location{}, io.EOF
			}
			if s.state == arrNext {
				if c != ',' {
					return nil, s.loc(), s.fail(s.loc(), errorf(ReasonInvalidJSON, ErrInvalidJSON,
						"expected ',' or ']' after array element %d, found %q", s.row, c))
				}
				_, _ = s.br.ReadByte()
				if c, err = s.skipWS(); err != nil {
					return nil, s.loc(), s.fail(s.loc(), err)
				}
			}
			s.state = arrNext
			loc := s.loc()
			s.row++
			return s.value(loc)
		}
	}
}

// value scans the value that starts at the current position.
func (s *arraySource) value(loc Location) ([]byte, Location, error) {
	tooLarge, err := s.scanValue()
	if err != nil {
		return nil, loc, s.fail(loc, err)
	}
	if tooLarge {
		what := "array element"
		if s.concat {
			what = "JSON value"
		}
		return nil, loc, newParseError(loc, ReasonRecordTooLarge,
			fmt.Errorf("%s longer than %d bytes: %w", what, s.max, ErrRecordTooLarge))
	}
	return s.buf.bytes(), loc, nil
}

// spreadJSON reports whether an input whose first non-space byte is '{'
// holds JSON values spread over several lines (a pretty-printed object, or
// several one after another) rather than JSON Lines. head is the start of
// the input from that byte. It does when its first line ends inside the
// first value (outside a string, which a line break cannot be part of) and
// the next non-blank line does not start an object: in JSON Lines whose
// first record is cut short, the next line is the next record.
func spreadJSON(head []byte) bool {
	depth := 0
	inString, escaped := false, false
	for i, c := range head {
		switch {
		case inString:
			switch {
			case escaped:
				escaped = false
			case c == '\\':
				escaped = true
			case c == '"':
				inString = false
			case c == '\n':
				return false
			}
			continue
		case c == '"':
			inString = true
		case c == '{' || c == '[':
			depth++
		case c == '}' || c == ']':
			depth--
		case c == '\n':
			if depth <= 0 {
				return false
			}
			rest := bytes.TrimLeft(head[i+1:], " \t\r\n")
			return len(rest) == 0 || rest[0] != '{'
		}
	}
	return false // the first line does not fit in head: one long record
}

// scanValue reads one JSON value into s.buf (or discards it once it exceeds
// s.max bytes). It tracks strings and bracket nesting only; the value is
// validated when decoded.
func (s *arraySource) scanValue() (tooLarge bool, err error) {
	s.buf.reset(s.max)
	depth := 0
	inString, escaped := false, false
	started := false
	for {
		chunk, err := s.br.Peek(1)
		if err != nil {
			return s.buf.over, err
		}
		chunk, _ = s.br.Peek(s.br.Buffered())
		i := 0
		end := -1
	scan:
		for ; i < len(chunk); i++ {
			if inString {
				if escaped {
					escaped = false
					continue
				}
				// Jump to the next quote or backslash with the fast byte search.
				rest := chunk[i:]
				seg := rest
				q := bytes.IndexByte(rest, '"')
				if q >= 0 {
					seg = rest[:q]
				}
				if b := bytes.IndexByte(seg, '\\'); b >= 0 {
					s.line += bytes.Count(seg[:b], newline)
					i += b // at the backslash
					escaped = true
					continue
				}
				s.line += bytes.Count(seg, newline)
				if q < 0 {
					i = len(chunk) - 1
					continue
				}
				i += q // at the closing quote
				inString = false
				if depth == 0 {
					end = i + 1
					break scan
				}
				continue
			}
			c := chunk[i]
			switch c {
			case '"':
				inString = true
				started = true
			case '{', '[':
				depth++
				started = true
			case '}', ']':
				if depth == 0 { // end of a scalar element: the array closes
					end = i
					break scan
				}
				depth--
				if depth == 0 {
					end = i + 1
					break scan
				}
			case ',':
				if depth == 0 {
					end = i
					break scan
				}
			case ' ', '\t', '\r', '\n':
				if depth == 0 && started { // end of a scalar element; not consumed
					end = i
					break scan
				}
				if c == '\n' {
					s.line++
				}
			default:
				started = true
			}
		}
		n := i
		if end >= 0 {
			n = end
		}
		s.buf.add(chunk[:n])
		_, _ = s.br.Discard(n)
		if end >= 0 {
			return s.buf.over, nil
		}
	}
}
