package conversation

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"unicode/utf8"
)

// ErrNotSplittable reports an input that cannot be cut into byte-range
// shards: a compressed stream, a Parquet file, a top-level JSON array or
// something that is not a regular file.
var ErrNotSplittable = errors.New("input cannot be split into byte ranges")

// ErrInvalidShard reports a shard or shard count that makes no sense (a
// negative or reversed range, fewer than one shard).
var ErrInvalidShard = errors.New("invalid shard")

// Shard is a byte range of a JSON Lines file. A shard owns every line that
// starts in [Start, End): a line that starts before End is read to its end
// even past End, and a line that starts before Start belongs to the shard
// before. Shards that cover a file without gaps or overlaps therefore read
// every record exactly once, wherever the boundaries fall (CRLF line ends
// included), and together give the records, locations, derived ids and
// statistics of one Reader over the whole file, provided no conversation
// spans several lines (OpenAssistant message rows are grouped into trees
// across lines and must not be split).
type Shard struct {
	Path       string
	Start, End int64
	// Line is the 1-based number of the first line the shard owns, so that
	// locations and derived ids carry the file's line numbers. 0 means
	// unknown: opening the shard then counts the lines before it (a read of
	// the file up to Start).
	Line int64
}

// String returns "path[start:end)".
func (s Shard) String() string { return fmt.Sprintf("%s[%d:%d)", s.Path, s.Start, s.End) }

// SplitJSONL cuts the JSON Lines file at path into n shards of about equal
// size, each starting at the beginning of a line, and numbers their first
// lines (one sequential pass that counts newlines). Some shards are empty
// (Start == End) when the file has fewer lines than n. It returns an error
// wrapping ErrNotSplittable for inputs that are not plain JSON Lines.
func SplitJSONL(path string, n int) ([]Shard, error) {
	if n < 1 {
		return nil, fmt.Errorf("conversation: split %s into %d shards: %w", path, n, ErrInvalidShard)
	}
	f, size, err := openSplittable(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	bounds := make([]int64, n+1)
	bounds[n] = size
	buf := make([]byte, 64<<10)
	for k := 1; k < n; k++ {
		b, err := lineStart(f, size, size/int64(n)*int64(k)+size%int64(n)*int64(k)/int64(n), buf)
		if err != nil {
			return nil, fmt.Errorf("conversation: split %s: %w", path, err)
		}
		bounds[k] = max(b, bounds[k-1])
	}
	shards := make([]Shard, n)
	line := int64(1)
	for k := range n {
		if k > 0 {
			nl, err := countNewlines(f, bounds[k-1], bounds[k], buf)
			if err != nil {
				return nil, fmt.Errorf("conversation: split %s: %w", path, err)
			}
			line += nl
		}
		shards[k] = Shard{Path: path, Start: bounds[k], End: bounds[k+1], Line: line}
	}
	return shards, nil
}

// OpenShard opens the shard's file and returns a Reader over the lines the
// shard owns, with the file's line numbers in locations and errors and the
// file's path as the reader's name. Set reader options before the first
// call to Next; the caller must call Close, which closes the file.
func OpenShard(s Shard) (*Reader, error) {
	f, size, err := openSplittable(s.Path)
	if err != nil {
		return nil, err
	}
	r, err := newShardReader(f, size, s)
	if err != nil {
		f.Close()
		return nil, err
	}
	r.file = f
	return r, nil
}

// NewShardReader is OpenShard over any random-access copy of the file (for
// example an object-store client): ra holds size bytes and s.Path names it.
// The caller closes ra after closing the Reader.
func NewShardReader(ra io.ReaderAt, size int64, s Shard) (*Reader, error) {
	if err := checkSplittable(ra, size, s.Path); err != nil {
		return nil, err
	}
	return newShardReader(ra, size, s)
}

func newShardReader(ra io.ReaderAt, size int64, s Shard) (*Reader, error) {
	if s.Start < 0 || s.End < s.Start || s.Line < 0 {
		return nil, fmt.Errorf("conversation: shard %v: %w", s, ErrInvalidShard)
	}
	buf := make([]byte, 64<<10)
	start, err := lineStart(ra, size, s.Start, buf)
	if err != nil {
		return nil, fmt.Errorf("conversation: shard %v: %w", s, err)
	}
	end, err := lineStart(ra, size, s.End, buf)
	if err != nil {
		return nil, fmt.Errorf("conversation: shard %v: %w", s, err)
	}
	end = max(end, start)
	r := NewReader(io.NewSectionReader(ra, start, end-start), s.Path)
	if start > 0 {
		line := s.Line
		if line == 0 {
			nl, err := countNewlines(ra, 0, start, buf)
			if err != nil {
				return nil, fmt.Errorf("conversation: shard %v: %w", s, err)
			}
			line = nl + 1
		}
		// A shard that starts after the first line is plain JSON Lines:
		// no byte order mark, no container to sniff.
		r.midFile, r.lineBase = true, int(line-1)
		r.prefix = io.NewSectionReader(ra, 0, start)
	}
	return r, nil
}

// openSplittable opens path and checks that it is a regular, plain JSON
// Lines file.
func openSplittable(path string) (*os.File, int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, 0, err
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, 0, err
	}
	if !fi.Mode().IsRegular() {
		f.Close()
		return nil, 0, fmt.Errorf("conversation: %s is not a regular file: %w", path, ErrNotSplittable)
	}
	if err := checkSplittable(f, fi.Size(), path); err != nil {
		f.Close()
		return nil, 0, err
	}
	return f, fi.Size(), nil
}

// checkSplittable looks at the head of the input: compressed streams,
// Parquet files and JSON arrays cannot be cut at line boundaries.
func checkSplittable(ra io.ReaderAt, size int64, name string) error {
	head := make([]byte, min(size, 4<<10))
	if _, err := ra.ReadAt(head, 0); err != nil && err != io.EOF {
		return err
	}
	for _, magic := range [][]byte{gzipMagic, zstdMagic, parquetMagic} {
		if bytes.HasPrefix(head, magic) {
			return fmt.Errorf("conversation: %s is compressed or Parquet: %w", name, ErrNotSplittable)
		}
	}
	rest := bytes.TrimLeft(bytes.TrimPrefix(head, utf8BOM), " \t\r\n")
	if len(rest) > 0 && rest[0] == '[' {
		return fmt.Errorf("conversation: %s is a JSON array: %w", name, ErrNotSplittable)
	}
	if len(rest) > 0 && rest[0] == '{' && spreadJSON(rest) {
		return fmt.Errorf("conversation: %s holds JSON spread over several lines, not JSON Lines: %w", name, ErrNotSplittable)
	}
	return nil
}

// lineStart returns the offset of the first line that starts at or after
// pos: pos itself when it is 0 or follows a newline, else the byte after the
// next newline, or size when there is none.
func lineStart(ra io.ReaderAt, size, pos int64, buf []byte) (int64, error) {
	if pos <= 0 {
		return 0, nil
	}
	if pos >= size {
		return size, nil
	}
	for off := pos - 1; off < size; {
		n, err := ra.ReadAt(buf[:min(int64(len(buf)), size-off)], off)
		if i := bytes.IndexByte(buf[:n], '\n'); i >= 0 {
			return off + int64(i) + 1, nil
		}
		if err != nil && err != io.EOF {
			return 0, err
		}
		if n == 0 {
			break
		}
		off += int64(n)
	}
	return size, nil
}

// countNewlines counts the newlines in [from, to).
func countNewlines(ra io.ReaderAt, from, to int64, buf []byte) (int64, error) {
	var nl int64
	for off := from; off < to; {
		n, err := ra.ReadAt(buf[:min(int64(len(buf)), to-off)], off)
		nl += int64(bytes.Count(buf[:n], newline))
		if err != nil && err != io.EOF {
			return 0, err
		}
		if n == 0 {
			return 0, io.ErrUnexpectedEOF
		}
		off += int64(n)
	}
	return nl, nil
}

// detectPrefix returns the format that a Reader of the whole file would
// have detected before reaching a mid-file shard: that of the first record
// before the shard whose format can be detected, or FormatAuto if there is
// none (the shard's own first such record then decides, as it would have).
func (r *Reader) detectPrefix() (Format, error) {
	src := newJSONLSource(bufio.NewReaderSize(r.prefix, bufSize), r.name, r.MaxRecordSize, 0)
	for {
		rec, _, err := src.next()
		if err == io.EOF {
			return FormatAuto, nil
		}
		var pe *ParseError
		if errors.As(err, &pe) {
			continue
		}
		if err != nil {
			return FormatAuto, err
		}
		if !utf8.Valid(rec) {
			if r.Strict {
				continue // a strict reader skips it before detection
			}
			rec = bytes.ToValidUTF8(rec, []byte("\uFFFD"))
		}
		if f, err := detectRecord(rec); err == nil {
			return f, nil
		}
	}
}
