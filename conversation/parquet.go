package conversation

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math"
	"math/big"
	"strconv"
	"strings"
	"time"

	"github.com/dsatmine/dsatmine/internal/jsonx"
	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/deprecated"
	"github.com/parquet-go/parquet-go/format"
)

// ErrInvalidParquet reports data that is not a readable Parquet file: a bad
// magic number or footer, a truncated file, or a corrupt page.
var ErrInvalidParquet = errors.New("invalid Parquet data")

// ReasonInvalidParquet is the ParseError reason for ErrInvalidParquet.
const ReasonInvalidParquet = "invalid_parquet"

// parquetRecordColumns are the top-level columns of which a Parquet file must
// have at least one for any supported format to find its messages in a row:
// conversation (WildChat, LMSYS), messages (OpenAI), conversations (ShareGPT),
// chosen (HH-RLHF), message_id and message_tree_id (OpenAssistant), mapping
// (ChatGPT exports) and completions (UltraFeedback).
var parquetRecordColumns = []string{"conversation", "messages", "conversations", "chosen", "message_id", "message_tree_id", "mapping", "completions"}

// parquetBatchRows is how many rows are decoded from the file at a time. Rows
// are small-batched so that memory stays bounded by a few rows, however large
// the file or its row groups are.
const parquetBatchRows = 16

// parquetSource streams the rows of a Parquet file as JSON objects, one per
// row, keyed by the top-level column names. Nested groups become objects,
// LIST columns arrays, MAP columns objects; timestamps are RFC 3339 strings
// in UTC, dates "YYYY-MM-DD", byte arrays strings, and nulls null. String bytes
// are copied verbatim (escaped as JSON requires), so invalid UTF-8 reaches the
// reader's UTF-8 policy exactly as it would from a JSON Lines file.
type parquetSource struct {
	name   string
	max    int // maximum record size in bytes; <= 0 means no limit
	root   *pqNode
	groups []parquet.RowGroup

	// The file and its metadata, for checking the pages of each row group
	// before reading it; dataEnd is where the footer starts.
	ra      io.ReaderAt
	dataEnd int64
	meta    *format.FileMetaData

	g        int          // index of the current row group
	rows     parquet.Rows // open rows of groups[g], nil before opening it
	groupEnd int64        // 0-based index one past the last row of groups[g]
	row      int64        // 0-based index of the next row to return
	batch    []parquet.Row
	n, i     int   // rows in batch, next row in batch
	failure  error // set when groups[g] cannot be read: its remaining rows are reported

	cols [][]parquet.Value // values of the current row by leaf column
	enc  pqEncoder

	// direct, when set, is how the message-list column is read without
	// JSON (parquet_direct.go); rowDirect says whether the row next
	// returned last was read so, its list in enc.list.
	direct     *pqDirect
	rowDirect  bool
	directRows int64 // rows the reader built from a direct read (tests)
}

// newParquetSource opens the Parquet file of the given size in ra. name is
// used in locations and errors; maxRecordSize bounds the JSON of one row
// (<= 0 means no limit). It fails with a *ParseError whose reason is
// "invalid_parquet" when ra does not hold a readable Parquet file, and
// "missing_column" when the file has none of the columns a supported format
// keeps its messages in.
func newParquetSource(ra io.ReaderAt, size int64, name string, maxRecordSize int) (recordSource, error) {
	where := Location{File: name}
	f, dataEnd, err := openParquetFile(ra, size)
	if err != nil {
		return nil, newParseError(where, ReasonInvalidParquet, fmt.Errorf("%w: %v", ErrInvalidParquet, err))
	}
	root, nleaves, err := buildPQTree(f.Root())
	if err != nil {
		return nil, newParseError(where, ReasonInvalidParquet, fmt.Errorf("%w: %v", ErrInvalidParquet, err))
	}
	if err := checkRowCounts(f.Metadata()); err != nil {
		return nil, newParseError(where, ReasonInvalidParquet, fmt.Errorf("%w: %v", ErrInvalidParquet, err))
	}
	if !hasRecordColumn(root) {
		names := make([]string, len(root.children))
		for i, c := range root.children {
			names[i] = c.name
		}
		return nil, newParseError(where, ReasonMissingColumn, fmt.Errorf(
			"%w: Parquet file has none of the columns %s (columns: %s)",
			ErrUnknownFormat, strings.Join(parquetRecordColumns, ", "), strings.Join(names, ", ")))
	}
	p := &parquetSource{
		name:    name,
		max:     maxRecordSize,
		root:    root,
		ra:      ra,
		dataEnd: dataEnd,
		meta:    f.Metadata(),
		groups:  f.RowGroups(),
		batch:   make([]parquet.Row, parquetBatchRows),
		cols:    make([][]parquet.Value, nleaves),
	}
	return p, nil
}

func hasRecordColumn(root *pqNode) bool {
	for _, c := range root.children {
		for _, want := range parquetRecordColumns {
			if c.name == want {
				return true
			}
		}
	}
	return false
}

// checkRowCounts rejects row counts that the column chunks cannot hold, so
// that a corrupt footer cannot make the source report billions of rows. Every
// row has at least one value (possibly a null) in every column.
func checkRowCounts(md *format.FileMetaData) error {
	var total int64
	for i, g := range md.RowGroups {
		if g.NumRows < 0 {
			return fmt.Errorf("row group %d has %d rows", i, g.NumRows)
		}
		for j, c := range g.Columns {
			if c.MetaData.NumValues < g.NumRows {
				return fmt.Errorf("row group %d has %d rows but column %d only %d values", i, g.NumRows, j, c.MetaData.NumValues)
			}
		}
		total += g.NumRows
	}
	if total != md.NumRows {
		return fmt.Errorf("the row groups hold %d rows but the file declares %d", total, md.NumRows)
	}
	return nil
}

// openParquetFile opens the file, turning a panic of the Parquet library on
// malformed metadata into an error. It checks the Thrift encoding of the
// footer before the library decodes it, and returns the offset at which the
// footer starts, where page data ends.
func openParquetFile(ra io.ReaderAt, size int64) (f *parquet.File, dataEnd int64, err error) {
	defer func() {
		if r := recover(); r != nil {
			f, err = nil, fmt.Errorf("malformed file: %v", r)
		}
	}()
	if size < 12 {
		return nil, 0, fmt.Errorf("%d bytes is too short for a Parquet file", size)
	}
	// The Parquet library allocates the footer length it reads before
	// checking it against the file size: a corrupt length would cost up to
	// 4 GiB. Check it first.
	var tail [8]byte
	if _, err := ra.ReadAt(tail[:], size-8); err != nil {
		return nil, 0, fmt.Errorf("reading the footer: %w", err)
	}
	if !bytes.Equal(tail[4:], parquetMagic) {
		return nil, 0, errors.New("the file does not end with the Parquet magic PAR1")
	}
	footerLen := int64(binary.LittleEndian.Uint32(tail[:4]))
	if footerLen > size-12 {
		return nil, 0, fmt.Errorf("footer length %d exceeds the %d-byte file", footerLen, size)
	}
	// It also allocates the lengths and element counts of the footer's
	// Thrift encoding as it decodes them: check that they fit first. (The
	// page headers are checked likewise before each row group is read.)
	if err := checkParquetFooter(ra, size, footerLen); err != nil {
		return nil, 0, err
	}
	f, err = parquet.OpenFile(ra, size, parquet.SkipPageIndex(true), parquet.SkipBloomFilters(true))
	return f, size - 8 - footerLen, err
}

// next returns the JSON object of the next row, valid until the next call. A row that cannot be read or
// is too large is returned as a *ParseError; the rows after it can still be
// read. When a row group is corrupt, each of its unread rows is reported.
func (p *parquetSource) next() ([]byte, Location, error) {
	for {
		if p.g >= len(p.groups) {
			return nil, Location{File: p.name}, io.EOF
		}
		if p.rows == nil && p.failure == nil {
			p.openGroup()
			continue
		}
		if p.failure != nil {
			if p.row < p.groupEnd {
				loc := p.loc()
				p.row++
				return nil, loc, newParseError(loc, ReasonInvalidParquet, p.failure)
			}
			p.nextGroup()
			continue
		}
		if p.i < p.n {
			r := p.batch[p.i]
			p.i++
			loc := p.loc()
			p.row++
			rec, err := p.encodeRow(r, true)
			if err != nil {
				return nil, loc, p.rowError(loc, err)
			}
			return rec, loc, nil
		}
		if p.row >= p.groupEnd {
			p.nextGroup()
			continue
		}
		p.fill()
	}
}

// rowError returns the *ParseError of a row at loc that encodeRow failed
// on with err, or nil when err is nil.
func (p *parquetSource) rowError(loc Location, err error) error {
	if err == nil {
		return nil
	}
	var pe *ParseError
	if errors.As(err, &pe) {
		pe.File, pe.Row = loc.File, loc.Row
		return pe
	}
	return newParseError(loc, ReasonInvalidParquet, fmt.Errorf("%w: %v", ErrInvalidParquet, err))
}

// Close releases the rows of the row group being read.
func (p *parquetSource) Close() error {
	var err error
	if p.rows != nil {
		err = p.rows.Close()
		p.rows = nil
	}
	p.g = len(p.groups)
	return err
}

func (p *parquetSource) loc() Location {
	return Location{File: p.name, Row: int(p.row + 1)}
}

// openGroup opens the rows of groups[g], after checking its page headers:
// the Parquet library allocates the lengths and sizes they declare before
// checking them against the file. A group that fails the check is reported
// row by row like one that fails to decode.
func (p *parquetSource) openGroup() {
	start := p.row
	p.groupEnd = start + p.groups[p.g].NumRows()
	p.n, p.i = 0, 0
	if err := checkParquetRowGroup(p.ra, p.dataEnd, &p.meta.RowGroups[p.g]); err != nil {
		p.rows = nil
		p.failure = fmt.Errorf("%w: row group %d: %v", ErrInvalidParquet, p.g, err)
		return
	}
	func() {
		defer func() {
			if r := recover(); r != nil {
				p.rows = nil
				p.failure = fmt.Errorf("%w: row group %d: %v", ErrInvalidParquet, p.g, r)
			}
		}()
		p.rows = p.groups[p.g].Rows()
	}()
}

// fill reads the next batch of rows of the current group.
func (p *parquetSource) fill() {
	want := min(int64(len(p.batch)), p.groupEnd-p.row)
	for k := range p.batch {
		// Values left over from longer rows point into earlier pages.
		clear(p.batch[k][:cap(p.batch[k])])
	}
	n, err := readParquetRows(p.rows, p.batch[:want])
	p.n, p.i = n, 0
	switch {
	case err != nil && !errors.Is(err, io.EOF):
		p.n = 0
		p.failure = fmt.Errorf("%w: row group %d: %v", ErrInvalidParquet, p.g, err)
	case n == 0:
		// The group ended before the row count its metadata declares.
		p.failure = fmt.Errorf("%w: row group %d ends after %d of %d rows",
			ErrInvalidParquet, p.g, p.row-(p.groupEnd-p.groups[p.g].NumRows()), p.groups[p.g].NumRows())
	}
}

func readParquetRows(rows parquet.Rows, buf []parquet.Row) (n int, err error) {
	defer func() {
		if r := recover(); r != nil {
			n, err = 0, fmt.Errorf("corrupt data: %v", r)
		}
	}()
	return rows.ReadRows(buf)
}

// nextGroup closes the current group and moves to the next one.
func (p *parquetSource) nextGroup() {
	if p.rows != nil {
		_ = p.rows.Close()
		p.rows = nil
	}
	p.row = p.groupEnd
	p.failure = nil
	p.n, p.i = 0, 0
	p.g++
}

// encodeRow returns the JSON object of one row. The result is only valid
// until the next call. With direct (and p.direct set) the message-list
// column may be read directly instead (p.rowDirect then says so).
func (p *parquetSource) encodeRow(r parquet.Row, direct bool) (rec []byte, err error) {
	p.rowDirect = false
	for j := range p.cols {
		// Clear the values of the last row: they point into the pages
		// they were read from, which they would keep from being freed.
		clear(p.cols[j])
		p.cols[j] = p.cols[j][:0]
	}
	var size int
	for _, v := range r {
		c := v.Column()
		if c < 0 || c >= len(p.cols) {
			return nil, fmt.Errorf("value of column %d in a file of %d columns", c, len(p.cols))
		}
		p.cols[c] = append(p.cols[c], v)
		if k := v.Kind(); k == parquet.ByteArray || k == parquet.FixedLenByteArray {
			size += len(v.ByteArray())
		}
	}
	if p.max > 0 && size > p.max {
		return nil, p.tooLarge(size)
	}
	defer func() {
		if r := recover(); r != nil {
			rec, err = nil, fmt.Errorf("malformed row: %v", r)
		}
	}()
	if cap(p.enc.buf) > 4<<20 {
		p.enc.buf = nil // do not keep one huge row's buffer for the rest of the file
	}
	p.enc.buf = p.enc.buf[:0]
	p.enc.direct = nil
	if direct && p.direct != nil && p.directFits(len(r), size) {
		p.enc.direct = p.direct
	}
	if err := p.enc.value(p.root, p.cols); err != nil {
		return nil, err
	}
	if p.max > 0 && len(p.enc.buf) > p.max {
		return nil, p.tooLarge(len(p.enc.buf))
	}
	p.rowDirect = p.enc.direct != nil
	return p.enc.buf, nil
}

func (p *parquetSource) tooLarge(size int) error {
	return &ParseError{Reason: ReasonRecordTooLarge, Err: fmt.Errorf(
		"row is at least %d bytes of JSON, over the limit of %d: %w", size, p.max, ErrRecordTooLarge)}
}

// pqKind says how a schema node becomes JSON.
type pqKind uint8

const (
	pqLeaf  pqKind = iota
	pqGroup        // object of the children
	pqList         // LIST-annotated group: array of elements
	pqMap          // MAP-annotated group: object of key/value pairs
)

// pqNode is one node of a file's schema, prepared for assembling rows.
type pqNode struct {
	name     string
	kind     pqKind
	repeated bool // the node itself repeats (it is an array of its instances)
	def, rep int  // maximum definition and repetition levels of the node
	lo, hi   int  // leaf column range [lo, hi) under the node
	children []*pqNode

	// pqList: the repeated node and the node of each element (either the
	// repeated node itself or its single child). pqMap: rep is the repeated
	// key_value group, whose first child is the key and second the value.
	repNode, elem *pqNode

	leaf leafCodec
	key  []byte // the node's name as a JSON string followed by ':'
}

// leafCodec says how a leaf value is written.
type leafCodec struct {
	kind  leafKind
	unit  time.Duration // timestamps and times
	scale int           // decimals
}

type leafKind uint8

const (
	leafBytes leafKind = iota // string (STRING, ENUM, BSON and unannotated byte arrays)
	leafBool
	leafInt
	leafUint32
	leafUint64
	leafFloat32
	leafFloat64
	leafJSON
	leafTimestamp
	leafInt96Timestamp
	leafDate
	leafTime
	leafDecimal
	leafUUID
	leafNull
)

// buildPQTree converts the file's column tree into pqNodes.
func buildPQTree(root *parquet.Column) (n *pqNode, nleaves int, err error) {
	defer func() {
		if r := recover(); r != nil {
			n, err = nil, fmt.Errorf("malformed schema: %v", r)
		}
	}()
	if root == nil || root.Leaf() {
		return nil, 0, errors.New("the schema root is not a group")
	}
	next := 0
	n, err = buildPQNode(root, &next, true)
	return n, next, err
}

func buildPQNode(c *parquet.Column, next *int, isRoot bool) (*pqNode, error) {
	n := &pqNode{
		name: c.Name(),
		def:  c.MaxDefinitionLevel(),
		rep:  c.MaxRepetitionLevel(),
		lo:   *next,
	}
	n.key = append(appendJSONBytes(nil, []byte(n.name)), ':')
	if !isRoot {
		n.repeated = c.Repeated()
	}
	if c.Leaf() {
		if c.Index() != *next {
			return nil, fmt.Errorf("column %q has index %d, want %d", n.name, c.Index(), *next)
		}
		*next++
		n.hi = *next
		n.kind = pqLeaf
		n.leaf = leafCodecOf(c.Type())
		return n, nil
	}
	for _, child := range c.Columns() {
		cn, err := buildPQNode(child, next, false)
		if err != nil {
			return nil, err
		}
		n.children = append(n.children, cn)
	}
	n.hi = *next
	n.kind = pqGroup
	if isRoot || n.repeated {
		return n, nil
	}
	switch {
	case isListType(c.Type()):
		// LIST: <optional|required> group name (LIST) { repeated R }. R is the
		// element itself when it is a primitive, has several fields, or uses a
		// legacy two-level name; otherwise its single child is the element.
		if len(n.children) != 1 || !n.children[0].repeated {
			return n, nil
		}
		r := n.children[0]
		n.kind, n.repNode, n.elem = pqList, r, r
		if r.kind != pqLeaf && len(r.children) == 1 && r.name != "array" && r.name != n.name+"_tuple" {
			n.elem = r.children[0]
		}
	case isMapType(c.Type()):
		// MAP: group name (MAP) { repeated group key_value { key; value } }.
		if len(n.children) != 1 || !n.children[0].repeated {
			return n, nil
		}
		r := n.children[0]
		if r.kind == pqLeaf || len(r.children) == 0 || len(r.children) > 2 || r.children[0].kind != pqLeaf || r.children[0].repeated {
			return n, nil
		}
		n.kind, n.repNode = pqMap, r
	}
	return n, nil
}

func isListType(t parquet.Type) bool {
	if lt := t.LogicalType(); lt != nil {
		if _, ok := lt.Value.(*format.ListType); ok {
			return true
		}
	}
	ct := t.ConvertedType()
	return ct != nil && *ct == deprecated.List
}

func isMapType(t parquet.Type) bool {
	if lt := t.LogicalType(); lt != nil {
		if _, ok := lt.Value.(*format.MapType); ok {
			return true
		}
	}
	ct := t.ConvertedType()
	return ct != nil && (*ct == deprecated.Map || *ct == deprecated.MapKeyValue)
}

// leafCodecOf chooses how to write the values of a leaf of type t.
func leafCodecOf(t parquet.Type) leafCodec {
	kind := t.Kind()
	if lt := t.LogicalType(); lt != nil && lt.Value != nil {
		switch v := lt.Value.(type) {
		case *format.TimestampType:
			if kind == parquet.Int64 {
				return leafCodec{kind: leafTimestamp, unit: timeUnit(&v.Unit)}
			}
		case *format.TimeType:
			if kind == parquet.Int32 || kind == parquet.Int64 {
				return leafCodec{kind: leafTime, unit: timeUnit(&v.Unit)}
			}
		case *format.DateType:
			if kind == parquet.Int32 {
				return leafCodec{kind: leafDate}
			}
		case *format.DecimalType:
			return leafCodec{kind: leafDecimal, scale: int(v.Scale)}
		case *format.IntType:
			if !v.IsSigned {
				if kind == parquet.Int32 {
					return leafCodec{kind: leafUint32}
				}
				if kind == parquet.Int64 {
					return leafCodec{kind: leafUint64}
				}
			}
		case *format.JsonType:
			if kind == parquet.ByteArray {
				return leafCodec{kind: leafJSON}
			}
		case *format.UUIDType:
			if kind == parquet.FixedLenByteArray && t.Length() == 16 {
				return leafCodec{kind: leafUUID}
			}
		case *format.NullType:
			return leafCodec{kind: leafNull}
		}
	}
	switch kind {
	case parquet.Boolean:
		return leafCodec{kind: leafBool}
	case parquet.Int32, parquet.Int64:
		return leafCodec{kind: leafInt}
	case parquet.Int96:
		// Unannotated INT96 is the legacy (Hive, Spark, Impala) timestamp.
		return leafCodec{kind: leafInt96Timestamp}
	case parquet.Float:
		return leafCodec{kind: leafFloat32}
	case parquet.Double:
		return leafCodec{kind: leafFloat64}
	}
	return leafCodec{kind: leafBytes}
}

func timeUnit(u *format.TimeUnit) time.Duration {
	if u != nil && u.Value != nil {
		return u.Value.Duration()
	}
	return time.Millisecond
}

// pqEncoder appends the JSON of assembled rows to buf.
type pqEncoder struct {
	buf []byte

	// direct, when set, is the list column to read into list instead of
	// writing it (parquet_direct.go).
	direct *pqDirect
	list   directList
}

var errMismatchedLevels = fmt.Errorf("%w: repetition levels of sibling columns disagree", ErrInvalidParquet)

// field writes one occurrence of the field n: an array when n repeats,
// otherwise its single value. vals holds, for each leaf under n, the values
// of this occurrence.
func (e *pqEncoder) field(n *pqNode, vals [][]parquet.Value) error {
	if !n.repeated {
		return e.value(n, vals)
	}
	e.buf = append(e.buf, '[')
	first := true
	err := splitRepeated(n, vals, func(elem [][]parquet.Value) error {
		if !first {
			e.buf = append(e.buf, ',')
		}
		first = false
		return e.value(n, elem)
	})
	e.buf = append(e.buf, ']')
	return err
}

// value writes one instance of n, ignoring whether n repeats.
func (e *pqEncoder) value(n *pqNode, vals [][]parquet.Value) error {
	if len(vals) > 0 {
		if len(vals[0]) == 0 {
			return fmt.Errorf("%w: column %q has no value in a row", ErrInvalidParquet, n.name)
		}
		if vals[0][0].DefinitionLevel() < n.def {
			e.buf = append(e.buf, "null"...)
			return nil
		}
	}
	switch n.kind {
	case pqLeaf:
		e.leaf(n, vals[0][0])
		return nil
	case pqList:
		e.buf = append(e.buf, '[')
		first := true
		err := splitRepeated(n.repNode, vals, func(elem [][]parquet.Value) error {
			if !first {
				e.buf = append(e.buf, ',')
			}
			first = false
			if n.elem == n.repNode {
				return e.value(n.elem, elem)
			}
			return e.field(n.elem, elem)
		})
		e.buf = append(e.buf, ']')
		return err
	case pqMap:
		return e.mapValue(n, vals)
	}
	e.buf = append(e.buf, '{')
	for i, c := range n.children {
		if i > 0 {
			e.buf = append(e.buf, ',')
		}
		e.buf = append(e.buf, c.key...)
		if e.direct != nil && c == e.direct.node {
			if err := e.readList(c, vals[c.lo-n.lo:c.hi-n.lo]); err != nil {
				return err
			}
			continue
		}
		if err := e.field(c, vals[c.lo-n.lo:c.hi-n.lo]); err != nil {
			return err
		}
	}
	e.buf = append(e.buf, '}')
	return nil
}

// mapValue writes a MAP as a JSON object. Keys that are not strings are
// written as their JSON text.
func (e *pqEncoder) mapValue(n *pqNode, vals [][]parquet.Value) error {
	kv := n.repNode
	key := kv.children[0]
	e.buf = append(e.buf, '{')
	first := true
	err := splitRepeated(kv, vals, func(elem [][]parquet.Value) error {
		if !first {
			e.buf = append(e.buf, ',')
		}
		first = false
		start := len(e.buf)
		if err := e.value(key, elem[:1]); err != nil {
			return err
		}
		if e.buf[start] != '"' {
			text := string(e.buf[start:])
			e.buf = appendJSONBytes(e.buf[:start], []byte(text))
		}
		e.buf = append(e.buf, ':')
		if len(kv.children) < 2 {
			e.buf = append(e.buf, "null"...)
			return nil
		}
		v := kv.children[1]
		return e.field(v, elem[v.lo-kv.lo:v.hi-kv.lo])
	})
	e.buf = append(e.buf, '}')
	return err
}

// splitRepeated calls fn with the values of each instance of the repeated
// node r, given the values of one occurrence of r's parent. An instance
// starts at every value whose repetition level is at most r's.
func splitRepeated(r *pqNode, vals [][]parquet.Value, fn func(elem [][]parquet.Value) error) error {
	if len(vals) == 0 {
		return nil
	}
	if len(vals[0]) == 0 {
		return fmt.Errorf("%w: column %q has no value in a row", ErrInvalidParquet, r.name)
	}
	if vals[0][0].DefinitionLevel() < r.def {
		return nil // zero instances
	}
	elem := make([][]parquet.Value, len(vals))
	pos := make([]int, len(vals))
	for pos[0] < len(vals[0]) {
		for j, col := range vals {
			k := pos[j]
			if k >= len(col) {
				return errMismatchedLevels
			}
			end := k + 1
			for end < len(col) && col[end].RepetitionLevel() > r.rep {
				end++
			}
			elem[j] = col[k:end]
			pos[j] = end
		}
		if err := fn(elem); err != nil {
			return err
		}
	}
	for j, col := range vals {
		if pos[j] != len(col) {
			return errMismatchedLevels
		}
	}
	return nil
}

// unixEpochJulianDay is the Julian day number of 1970-01-01.
const unixEpochJulianDay = 2440588

// leaf writes the non-null value v of the leaf n.
func (e *pqEncoder) leaf(n *pqNode, v parquet.Value) {
	if v.IsNull() {
		e.buf = append(e.buf, "null"...)
		return
	}
	b := e.buf
	switch n.leaf.kind {
	case leafBool:
		b = strconv.AppendBool(b, v.Boolean())
	case leafInt:
		b = strconv.AppendInt(b, intValue(v), 10)
	case leafUint32:
		b = strconv.AppendUint(b, uint64(v.Uint32()), 10)
	case leafUint64:
		b = strconv.AppendUint(b, v.Uint64(), 10)
	case leafFloat32:
		b = appendFloat(b, float64(v.Float()), 32)
	case leafFloat64:
		b = appendFloat(b, v.Double(), 64)
	case leafJSON:
		raw := v.ByteArray()
		if jsonx.Valid(raw) {
			b = append(b, raw...)
		} else {
			b = appendJSONBytes(b, raw)
		}
	case leafTimestamp:
		b = appendTime(b, epochPlus(v.Int64(), n.leaf.unit), time.RFC3339Nano)
	case leafInt96Timestamp:
		x := v.Int96()
		nanos := int64(uint64(x[1])<<32 | uint64(x[0]))
		days := int64(x[2]) - unixEpochJulianDay
		b = appendTime(b, time.Unix(days*86400, nanos), time.RFC3339Nano)
	case leafDate:
		b = appendTime(b, time.Unix(int64(v.Int32())*86400, 0), time.DateOnly)
	case leafTime:
		d := time.Duration(intValue(v)) * n.leaf.unit
		b = appendTime(b, time.Unix(0, int64(d)), "15:04:05.999999999")
	case leafDecimal:
		b = appendDecimal(b, v, n.leaf.scale)
	case leafUUID:
		b = appendUUID(b, v.ByteArray())
	case leafNull:
		b = append(b, "null"...)
	default:
		switch v.Kind() {
		case parquet.ByteArray, parquet.FixedLenByteArray:
			b = appendJSONBytes(b, v.ByteArray())
		default:
			b = appendJSONBytes(b, []byte(v.String()))
		}
	}
	e.buf = b
}

// intValue returns the value of an INT32 or INT64 value.
func intValue(v parquet.Value) int64 {
	if v.Kind() == parquet.Int32 {
		return int64(v.Int32())
	}
	return v.Int64()
}

func epochPlus(n int64, unit time.Duration) time.Time {
	switch unit {
	case time.Millisecond:
		return time.UnixMilli(n)
	case time.Microsecond:
		return time.UnixMicro(n)
	}
	return time.Unix(0, n)
}

func appendTime(b []byte, t time.Time, layout string) []byte {
	b = append(b, '"')
	b = t.UTC().AppendFormat(b, layout)
	return append(b, '"')
}

// appendFloat writes f as a JSON number; NaN and infinities, which JSON
// cannot represent, become null.
func appendFloat(b []byte, f float64, bits int) []byte {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return append(b, "null"...)
	}
	// Format as JSON encoders conventionally do, so that numbers read from
	// Parquet look the same as in the JSON dumps of the same logs: plain
	// decimal notation, exponent notation only for very small or very large
	// magnitudes, and no leading zero in a negative exponent.
	verb := byte('f')
	if a := math.Abs(f); a != 0 {
		if bits == 64 && (a < 1e-6 || a >= 1e21) ||
			bits == 32 && (float32(a) < 1e-6 || float32(a) >= 1e21) {
			verb = 'e'
		}
	}
	b = strconv.AppendFloat(b, f, verb, -1, bits)
	if n := len(b); verb == 'e' && n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
		b[n-2] = b[n-1]
		b = b[:n-1]
	}
	return b
}

// appendDecimal writes the DECIMAL value v with the given scale as a JSON
// number.
func appendDecimal(b []byte, v parquet.Value, scale int) []byte {
	var u big.Int
	switch v.Kind() {
	case parquet.Int32, parquet.Int64:
		u.SetInt64(intValue(v))
	case parquet.ByteArray, parquet.FixedLenByteArray:
		p := v.ByteArray()
		u.SetBytes(p)
		if len(p) > 0 && p[0]&0x80 != 0 { // two's complement negative
			var m big.Int
			m.Lsh(big.NewInt(1), uint(8*len(p)))
			u.Sub(&u, &m)
		}
	default:
		return append(b, "null"...)
	}
	digits := u.String()
	neg := strings.HasPrefix(digits, "-")
	digits = strings.TrimPrefix(digits, "-")
	if neg {
		b = append(b, '-')
	}
	if scale <= 0 {
		b = append(b, digits...)
		for range -scale {
			b = append(b, '0')
		}
		return b
	}
	if len(digits) <= scale {
		digits = strings.Repeat("0", scale-len(digits)+1) + digits
	}
	b = append(b, digits[:len(digits)-scale]...)
	b = append(b, '.')
	return append(b, digits[len(digits)-scale:]...)
}

func appendUUID(b []byte, p []byte) []byte {
	if len(p) != 16 {
		return appendJSONBytes(b, p)
	}
	var s [36]byte
	hex.Encode(s[0:8], p[0:4])
	s[8] = '-'
	hex.Encode(s[9:13], p[4:6])
	s[13] = '-'
	hex.Encode(s[14:18], p[6:8])
	s[18] = '-'
	hex.Encode(s[19:23], p[8:10])
	s[23] = '-'
	hex.Encode(s[24:], p[10:])
	b = append(b, '"')
	b = append(b, s[:]...)
	return append(b, '"')
}

const hexDigits = "0123456789abcdef"

// appendJSONBytes writes p as a JSON string. Quotes, backslashes and control
// characters are escaped; every other byte, including bytes that are not
// valid UTF-8, is copied unchanged so that the reader's UTF-8 policy (repair
// and count, or reject) sees them.
func appendJSONBytes(b []byte, p []byte) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(p); i++ {
		c := p[i]
		if c >= 0x20 && c != '"' && c != '\\' {
			continue
		}
		b = append(b, p[start:i]...)
		switch c {
		case '"', '\\':
			b = append(b, '\\', c)
		case '\n':
			b = append(b, '\\', 'n')
		case '\r':
			b = append(b, '\\', 'r')
		case '\t':
			b = append(b, '\\', 't')
		default:
			b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
		}
		start = i + 1
	}
	b = append(b, p[start:]...)
	return append(b, '"')
}
