package conversation

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"

	"github.com/andybalholm/brotli"
	"github.com/parquet-go/parquet-go/format"
)

// This file checks the parts of a Parquet file that the Parquet library
// trusts before it has read them: the Thrift-encoded footer and page headers,
// whose lengths and counts it allocates as decoded (up to 2 GiB each), and the
// sizes that page headers declare for their data. The checks read only the
// footer, the page headers and, for LZ4 and Snappy pages, a few bytes of the
// page body (all of an LZ4 page), so they cost little next to decoding.

// Thrift compact protocol type codes (the low nibble of a field header and
// the element types of lists, sets and maps).
const (
	tcStop   = 0
	tcTrue   = 1 // a boolean field whose value is true; in lists, any boolean
	tcFalse  = 2
	tcByte   = 3
	tcI16    = 4
	tcI32    = 5
	tcI64    = 6
	tcDouble = 7
	tcBinary = 8
	tcList   = 9
	tcSet    = 10
	tcMap    = 11
	tcStruct = 12
)

// thriftMaxDepth bounds the nesting of structs, lists and maps. The Parquet
// structures nest less than ten levels deep.
const thriftMaxDepth = 64

// Errors of the Thrift validator. They are wrapped with the byte offset at
// which the problem was found.
var (
	errThriftTruncated = errors.New("truncated Thrift data")
	errThriftLength    = errors.New("Thrift length or element count exceeds the remaining bytes")
	errThriftVarint    = errors.New("malformed or out-of-range Thrift varint")
	errThriftType      = errors.New("unknown Thrift type")
	errThriftDepth     = errors.New("Thrift data nested too deeply")
)

// thriftScanner walks Thrift compact-protocol data without decoding it into
// values, checking that every length and element count fits in the bytes
// that remain.
type thriftScanner struct {
	b     []byte
	pos   int
	path  []int16                     // field ids from the outermost struct to the current field
	onInt func(path []int16, v int64) // called for every integer field (not list elements); may be nil
}

// scanThriftStruct validates the compact-protocol struct at the start of b and
// returns the number of bytes it occupies. onInt, if not nil, is called with
// the path of field ids and the value of every bool (1 or 0), i16, i32 and
// i64 field of the struct and of the structs nested in it (outside lists and
// maps); path is only valid during the call. Errors wrap one of the errThrift* values.
func scanThriftStruct(b []byte, onInt func(path []int16, v int64)) (int, error) {
	s := thriftScanner{b: b, onInt: onInt}
	if err := s.structure(1); err != nil {
		return 0, err
	}
	return s.pos, nil
}

// thriftI32Fields validates the struct at the start of b like
// scanThriftStruct and returns its length and the values of its top-level
// i32 fields with the given ids. present[i] says whether ids[i] was found.
func thriftI32Fields(b []byte, ids ...int16) (n int, vals []int32, present []bool, err error) {
	vals, present = make([]int32, len(ids)), make([]bool, len(ids))
	n, err = scanThriftStruct(b, func(path []int16, v int64) {
		if len(path) != 1 {
			return
		}
		for i, id := range ids {
			if path[0] == id && v >= math.MinInt32 && v <= math.MaxInt32 {
				vals[i], present[i] = int32(v), true
			}
		}
	})
	return n, vals, present, err
}

func (s *thriftScanner) fail(at int, err error) error {
	return fmt.Errorf("byte %d: %w", at, err)
}

func (s *thriftScanner) remaining() int { return len(s.b) - s.pos }

func (s *thriftScanner) byte1() (byte, error) {
	if s.pos >= len(s.b) {
		return 0, s.fail(s.pos, errThriftTruncated)
	}
	c := s.b[s.pos]
	s.pos++
	return c, nil
}

// uvarint reads an unsigned LEB128 varint of at most 64 bits.
func (s *thriftScanner) uvarint() (uint64, error) {
	start := s.pos
	var v uint64
	for shift := uint(0); ; shift += 7 {
		if s.pos >= len(s.b) {
			return 0, s.fail(start, errThriftTruncated)
		}
		c := s.b[s.pos]
		s.pos++
		if shift == 63 && c > 1 {
			return 0, s.fail(start, errThriftVarint)
		}
		v |= uint64(c&0x7f) << shift
		if c < 0x80 {
			return v, nil
		}
		if shift == 63 {
			return 0, s.fail(start, errThriftVarint)
		}
	}
}

// zigzag reads a zigzag-encoded signed varint within [lo, hi].
func (s *thriftScanner) zigzag(lo, hi int64) (int64, error) {
	start := s.pos
	u, err := s.uvarint()
	if err != nil {
		return 0, err
	}
	v := int64(u>>1) ^ -int64(u&1)
	if v < lo || v > hi {
		return 0, s.fail(start, errThriftVarint)
	}
	return v, nil
}

// size reads a length or element count: a varint of at most MaxInt32.
func (s *thriftScanner) size() (int, error) {
	start := s.pos
	u, err := s.uvarint()
	if err != nil {
		return 0, err
	}
	if u > math.MaxInt32 {
		return 0, s.fail(start, errThriftVarint)
	}
	return int(u), nil
}

// minSize is the fewest bytes a value of type t occupies as a list, set or
// map element, or 0 if t is not an element type.
func minSize(t byte) int {
	switch t {
	case tcTrue, tcFalse, tcByte, tcI16, tcI32, tcI64, tcBinary, tcList, tcSet, tcMap, tcStruct:
		return 1 // booleans are one byte each in lists; an empty container or struct is one byte
	case tcDouble:
		return 8
	}
	return 0
}

// structure skips a struct: fields until a stop byte.
func (s *thriftScanner) structure(depth int) error {
	if depth > thriftMaxDepth {
		return s.fail(s.pos, errThriftDepth)
	}
	var id int16
	for {
		at := s.pos
		h, err := s.byte1()
		if err != nil {
			return err
		}
		if h == tcStop {
			return nil
		}
		t := h & 0x0f
		if delta := int16(h >> 4); delta != 0 {
			id += delta
		} else {
			v, err := s.zigzag(math.MinInt16, math.MaxInt16)
			if err != nil {
				return err
			}
			id = int16(v)
		}
		if t == tcTrue || t == tcFalse {
			// The value is in the type; it is reported as 1 or 0.
			if s.onInt != nil {
				s.path = append(s.path, id)
				s.onInt(s.path, int64(2-t))
				s.path = s.path[:len(s.path)-1]
			}
			continue
		}
		if minSize(t) == 0 {
			return s.fail(at, errThriftType)
		}
		s.path = append(s.path, id)
		err = s.value(t, depth, true)
		s.path = s.path[:len(s.path)-1]
		if err != nil {
			return err
		}
	}
}

// value skips one value of type t. field says whether it is the value of a
// struct field (reported to onInt when it is an integer) rather than an
// element of a list, set or map.
func (s *thriftScanner) value(t byte, depth int, field bool) error {
	switch t {
	case tcTrue, tcFalse, tcByte:
		_, err := s.byte1()
		return err
	case tcI16, tcI32, tcI64:
		lo, hi := int64(math.MinInt64), int64(math.MaxInt64)
		switch t {
		case tcI16:
			lo, hi = math.MinInt16, math.MaxInt16
		case tcI32:
			lo, hi = math.MinInt32, math.MaxInt32
		}
		v, err := s.zigzag(lo, hi)
		if err == nil && field && s.onInt != nil {
			s.onInt(s.path, v)
		}
		return err
	case tcDouble:
		if s.remaining() < 8 {
			return s.fail(s.pos, errThriftTruncated)
		}
		s.pos += 8
		return nil
	case tcBinary:
		at := s.pos
		n, err := s.size()
		if err != nil {
			return err
		}
		if n > s.remaining() {
			return s.fail(at, errThriftLength)
		}
		s.pos += n
		return nil
	case tcList, tcSet:
		return s.list(depth + 1)
	case tcMap:
		return s.mapping(depth + 1)
	case tcStruct:
		return s.structure(depth + 1)
	}
	return s.fail(s.pos, errThriftType)
}

// list skips a list or set: a header byte holding the element type and a
// count below 15, or 15 and a varint count.
func (s *thriftScanner) list(depth int) error {
	if depth > thriftMaxDepth {
		return s.fail(s.pos, errThriftDepth)
	}
	at := s.pos
	h, err := s.byte1()
	if err != nil {
		return err
	}
	t := h & 0x0f
	n := int(h >> 4)
	if n == 15 {
		if n, err = s.size(); err != nil {
			return err
		}
	}
	m := minSize(t)
	if m == 0 {
		return s.fail(at, errThriftType)
	}
	if n > s.remaining()/m {
		return s.fail(at, errThriftLength)
	}
	for range n {
		if err := s.value(t, depth, false); err != nil {
			return err
		}
	}
	return nil
}

// mapping skips a map: a varint count, then, unless it is 0, a byte holding
// the key and value types.
func (s *thriftScanner) mapping(depth int) error {
	if depth > thriftMaxDepth {
		return s.fail(s.pos, errThriftDepth)
	}
	at := s.pos
	n, err := s.size()
	if err != nil || n == 0 {
		return err
	}
	h, err := s.byte1()
	if err != nil {
		return err
	}
	kt, vt := h>>4, h&0x0f
	km, vm := minSize(kt), minSize(vt)
	if km == 0 || vm == 0 {
		return s.fail(at, errThriftType)
	}
	if n > s.remaining()/(km+vm) {
		return s.fail(at, errThriftLength)
	}
	for range n {
		if err := s.value(kt, depth, false); err != nil {
			return err
		}
		if err := s.value(vt, depth, false); err != nil {
			return err
		}
	}
	return nil
}

// Limits on what a page header may declare, beyond fitting in its column
// chunk. The Parquet library allocates these sizes before it decodes the
// page, so they must be bounded by something the file really contains.
const (
	// A page may declare an uncompressed size of at most
	// max(pageMinUncompressedCap, pageMaxRatio × its compressed size),
	// and never more than pageMaxUncompressed. Real pages of chat logs
	// compress by less than 20×; gzip cannot exceed about 1032×.
	pageMinUncompressedCap = 8 << 20
	pageMaxRatio           = 1024
	pageMaxUncompressed    = 1 << 30

	// A page may declare at most max(pageMinValues, 8 × its compressed
	// size) values (and rows and nulls). More than 8 values per stored byte
	// takes long runs of nulls or of one repeated dictionary entry; writers
	// cut pages at tens of thousands of values.
	pageMinValues = 1 << 20

	// pageHeaderWindow is how many bytes are first read for a page header;
	// larger headers (with long statistics) are read in a growing window.
	pageHeaderWindow = 64 << 10
)

// checkParquetFooter validates the Thrift FileMetaData of the footer, which
// is footerLen bytes ending 8 bytes before the end of the file.
func checkParquetFooter(ra io.ReaderAt, size, footerLen int64) error {
	footer := make([]byte, footerLen)
	if _, err := ra.ReadAt(footer, size-8-footerLen); err != nil {
		return fmt.Errorf("reading the footer: %w", err)
	}
	if _, err := scanThriftStruct(footer, nil); err != nil {
		return fmt.Errorf("corrupt footer at byte %d of the file: %w", size-8-footerLen, err)
	}
	return nil
}

// checkParquetRowGroup walks the pages of every column chunk of the row
// group, validating each page header and the sizes it declares. dataEnd is
// where the footer starts.
func checkParquetRowGroup(ra io.ReaderAt, dataEnd int64, g *format.RowGroup) error {
	w := pageWalker{ra: ra}
	for j := range g.Columns {
		c := &g.Columns[j]
		if err := w.chunk(&c.MetaData, dataEnd); err != nil {
			return fmt.Errorf("column %d (%s): %w", j, columnPathString(c.MetaData.PathInSchema), err)
		}
	}
	return nil
}

func columnPathString(path []string) string {
	s := ""
	for i, p := range path {
		if i > 0 {
			s += "."
		}
		s += p
	}
	if s == "" {
		return "?"
	}
	return s
}

// pageWalker reads page headers through a reusable buffer.
type pageWalker struct {
	ra  io.ReaderAt
	buf []byte
}

// read returns n bytes of the file at off, valid until the next call.
func (w *pageWalker) read(off int64, n int) ([]byte, error) {
	if cap(w.buf) < n {
		w.buf = make([]byte, n)
	}
	b := w.buf[:n]
	if _, err := w.ra.ReadAt(b, off); err != nil && !(err == io.EOF && len(b) == n) {
		return nil, fmt.Errorf("reading %d bytes at byte %d: %w", n, off, err)
	}
	return b, nil
}

// chunk walks the pages of one column chunk. It reads the byte range the
// Parquet library reads: total_compressed_size bytes from the dictionary
// page offset if it is set, from the data page offset otherwise.
func (w *pageWalker) chunk(md *format.ColumnMetaData, dataEnd int64) error {
	start := md.DataPageOffset
	if md.DictionaryPageOffset != 0 {
		start = md.DictionaryPageOffset
	}
	n := md.TotalCompressedSize
	if start < 0 || n < 0 || start > dataEnd || n > dataEnd-start {
		return fmt.Errorf("pages at bytes [%d, %d+%d) lie outside the %d bytes of page data", start, start, n, dataEnd)
	}
	end := start + n
	for off := start; off < end; {
		next, err := w.page(off, end, md.Codec)
		if err != nil {
			return fmt.Errorf("page at byte %d: %w", off, err)
		}
		off = next
	}
	return nil
}

// page validates the page whose header starts at off in a chunk ending at
// end and returns the offset of the next page.
func (w *pageWalker) page(off, end int64, codec format.CompressionCodec) (int64, error) {
	var h pageHeader
	var hlen int
	for window := min(int64(pageHeaderWindow), end-off); ; window = min(window*4, end-off) {
		b, err := w.read(off, int(window))
		if err != nil {
			return 0, err
		}
		h = pageHeader{}
		hlen, err = scanThriftStruct(b, h.field)
		if err == nil {
			break
		}
		if window == end-off {
			return 0, fmt.Errorf("corrupt page header: %w", err)
		}
	}
	if err := h.check(end - off - int64(hlen)); err != nil {
		return 0, err
	}
	body := off + int64(hlen)
	if err := w.checkBody(body, &h, codec); err != nil {
		return 0, err
	}
	return body + int64(h.compressed), nil
}

// pageHeader holds the fields of a Thrift PageHeader that bound what the
// Parquet library allocates.
type pageHeader struct {
	typ                      int64 // field 1
	uncompressed, compressed int64 // fields 2 and 3
	seen                     uint  // bit 0: field 2 seen, bit 1: field 3
	values, nulls, rows      int64 // largest count of any page kind
	levels                   int64 // data page v2: repetition + definition level bytes
	uncompressedV2           bool  // data page v2: is_compressed is false
}

// pageTypeDataV2 is the PageType of data pages v2.
const pageTypeDataV2 = 3

func (h *pageHeader) field(path []int16, v int64) {
	switch {
	case len(path) == 1 && path[0] == 1:
		h.typ = v
	case len(path) == 2 && path[0] == 8 && path[1] == 7:
		h.uncompressedV2 = v == 0
	case len(path) == 1 && path[0] == 2:
		h.uncompressed, h.seen = v, h.seen|1
	case len(path) == 1 && path[0] == 3:
		h.compressed, h.seen = v, h.seen|2
	case len(path) == 2 && path[1] == 1 && (path[0] == 5 || path[0] == 7 || path[0] == 8):
		// num_values of data page (5), dictionary page (7), data page v2 (8)
		h.values = max(h.values, abs64(v))
	case len(path) == 2 && path[0] == 8 && path[1] == 2:
		h.nulls = abs64(v)
	case len(path) == 2 && path[0] == 8 && path[1] == 3:
		h.rows = abs64(v)
	case len(path) == 2 && path[0] == 8 && (path[1] == 5 || path[1] == 6):
		if v < 0 {
			h.levels = math.MaxInt32 * 4 // rejected below
		} else {
			h.levels += v
		}
	}
}

func abs64(v int64) int64 {
	if v < 0 {
		if v == math.MinInt64 {
			return math.MaxInt64
		}
		return -v
	}
	return v
}

// check validates the declared sizes of a page whose body has at most room
// bytes before the end of its chunk.
func (h *pageHeader) check(room int64) error {
	if h.seen&3 != 3 {
		return errors.New("page header without its compressed and uncompressed sizes")
	}
	c, u := h.compressed, h.uncompressed
	if c < 0 || c > room {
		return fmt.Errorf("compressed page size %d does not fit in the %d bytes left in the column chunk", c, room)
	}
	if u < 0 || u > min(pageMaxUncompressed, max(pageMinUncompressedCap, pageMaxRatio*c)) {
		return fmt.Errorf("uncompressed page size %d is implausible for %d compressed bytes", u, c)
	}
	if limit := max(pageMinValues, 8*c); h.values > limit || h.nulls > limit || h.rows > limit {
		return fmt.Errorf("page declares %d values (%d nulls, %d rows) in %d bytes", h.values, h.nulls, h.rows, c)
	}
	if h.levels > c {
		return fmt.Errorf("page declares %d bytes of levels in %d bytes", h.levels, c)
	}
	return nil
}

// checkBody checks the compressed data of the page whose body starts at
// off, for the codecs whose decoders trust sizes in the data: Snappy
// allocates the length its preamble declares, and the Parquet library's LZ4
// decoder doubles its buffer without bound on any decoding error, and its
// Brotli decoder decodes to the end of the data whatever the page declares
// (a few KiB of Brotli can hold gigabytes), so Brotli pages are decoded once
// here with the declared size as the limit. Data page v2 keeps its levels
// uncompressed before the compressed values.
func (w *pageWalker) checkBody(off int64, h *pageHeader, codec format.CompressionCodec) error {
	if codec != format.Snappy && codec != format.Lz4Raw && codec != format.Brotli {
		return nil
	}
	n := h.compressed
	if h.typ == pageTypeDataV2 {
		if h.uncompressedV2 {
			return nil
		}
		off += h.levels
		n -= h.levels
	}
	if codec == format.Snappy {
		if n <= 0 {
			return nil // the decoder fails on empty data
		}
		b, err := w.read(off, int(min(n, binary.MaxVarintLen32)))
		if err != nil {
			return err
		}
		d, k := binary.Uvarint(b)
		if k <= 0 || d > uint64(h.uncompressed) {
			return fmt.Errorf("Snappy data declares %d bytes, the page %d", d, h.uncompressed)
		}
		return nil
	}
	if n < 0 {
		n = 0
	}
	b, err := w.read(off, int(n))
	if err != nil {
		return err
	}
	if codec == format.Brotli {
		d, err := io.Copy(io.Discard, io.LimitReader(brotli.NewReader(bytes.NewReader(b)), h.uncompressed+1))
		if err != nil {
			return fmt.Errorf("Brotli data: %w", err)
		}
		if d > h.uncompressed {
			return fmt.Errorf("Brotli data decodes to more than the %d bytes the page declares", h.uncompressed)
		}
		return nil
	}
	d, err := lz4BlockSize(b) // an empty block is an error too
	if err != nil {
		return fmt.Errorf("LZ4 data: %w", err)
	}
	if int64(d) > h.uncompressed {
		return fmt.Errorf("LZ4 data decodes to %d bytes, the page declares %d", d, h.uncompressed)
	}
	return nil
}

// lz4BlockSize returns the decoded size of the LZ4 block b, checking that
// the block decodes without a dictionary: every literal run and length byte
// lies within b and every match refers to bytes already decoded.
func lz4BlockSize(b []byte) (int, error) {
	if len(b) == 0 {
		return 0, errors.New("empty block")
	}
	const maxOut = math.MaxInt32
	var out int
	for i := 0; i < len(b); {
		token := b[i]
		i++
		lit := int(token >> 4)
		if lit == 15 {
			for {
				if i >= len(b) {
					return 0, errors.New("truncated literal length")
				}
				x := b[i]
				i++
				lit += int(x)
				if lit > maxOut {
					return 0, errors.New("literal run too long")
				}
				if x != 0xff {
					break
				}
			}
		}
		if lit > len(b)-i {
			return 0, errors.New("literal run beyond the block")
		}
		i += lit
		out += lit
		if out > maxOut {
			return 0, errors.New("block too large")
		}
		match := int(token & 0x0f)
		if i == len(b) && match == 0 {
			break // the last sequence has only literals
		}
		if i+2 > len(b) {
			return 0, errors.New("truncated match")
		}
		offset := int(b[i]) | int(b[i+1])<<8
		i += 2
		if offset == 0 || offset > out {
			return 0, fmt.Errorf("match offset %d at output byte %d", offset, out)
		}
		match += 4
		if match == 15+4 {
			for {
				if i >= len(b) {
					return 0, errors.New("truncated match length")
				}
				x := b[i]
				i++
				match += int(x)
				if match > maxOut {
					return 0, errors.New("match too long")
				}
				if x != 0xff {
					break
				}
			}
		}
		out += match
		if out > maxOut {
			return 0, errors.New("block too large")
		}
	}
	return out, nil
}
