package conversation

import (
	"bytes"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/dsatmine/dsatmine/internal/jsonx"
	"github.com/parquet-go/parquet-go"
)

// Reading the message list of a Parquet row without the JSON round trip.
//
// A Parquet row normally becomes the JSON object of all its columns, which
// the format's parser decodes again (parquetSource.encodeRow). For the
// formats whose messages are one list column of structs (OpenAI "messages",
// ShareGPT "conversations", WildChat and LMSYS "conversation"), the source
// instead writes that column as an empty array in the row's JSON and hands
// the list's elements to the parser as values: the fields the parser reads,
// as strings when their column holds plain strings, and as the JSON the
// encoder would have written otherwise. The parser decodes the JSON of the
// other columns as usual and builds the same conversation from them.
//
// The direct read is only used when it gives what the JSON would: the
// parser reads a field the element has under exactly its own name (JSON keys
// match case-insensitively, so a second spelling turns it off), every string
// field is a plain string column, and the row cannot exceed the record-size
// limit. And it only handles the rows that yield a conversation: a row whose
// text is not valid UTF-8, or that the parser rejects or finds empty, is
// encoded whole and goes through the usual path (Reader.record), so that its
// repair, error message and statistics are the JSON path's, byte for byte.

// directField is a field of a message object that a format's parser reads.
type directField struct {
	key  string
	kind directKind
}

// directKind is the Go type a parser decodes a message field into.
type directKind uint8

const (
	directText directKind = iota // string: the column must hold plain strings
	directAny                    // any: a string, or the decoded JSON of anything else
	directRaw                    // jsonx.RawMessage: always the JSON of the column
)

// directShape names the column a format keeps its message list in and the
// fields of its elements the format's parser reads, in the order the parser
// asks for them (directList.text and friends take the index into fields).
type directShape struct {
	column string
	fields []directField
}

// directParser is a parser that can build a record's conversation from the
// JSON of its other columns and its message list read directly.
type directParser interface {
	directShape() directShape
	// parseDirect is parse for a record whose message list (the shape's
	// column, written as [] in rec) is l.
	parseDirect(rec []byte, l *directList, loc Location) ([]*Conversation, error)
}

// pqDirect is how a file's message-list column is read directly.
type pqDirect struct {
	node  *pqNode // the list column, a child of the root
	elem  *pqNode // the group of one element
	slot  []int   // for each child of elem: the index of the field it holds, or -1
	plain []bool  // for each child of elem: read as a string, not as JSON
	nf    int     // fields of the shape
	// bound is an upper bound of the JSON bytes one value of a row adds
	// besides 6 per byte of its byte arrays (keys, brackets, numbers), so
	// that a row whose bound fits the size limit is read directly.
	bound int
}

// setDirect turns the direct read of the message list on when the parser
// of the input's format supports it and the file's schema allows it (see
// the comment at the top of this file); otherwise rows stay JSON.
func (p *parquetSource) setDirect(ps parser) {
	p.direct = nil
	dp, ok := ps.(directParser)
	if !ok {
		return
	}
	shape := dp.directShape()
	var n *pqNode
	for _, c := range p.root.children {
		if c.name == shape.column {
			if n != nil {
				return
			}
			n = c
		} else if strings.EqualFold(c.name, shape.column) {
			return
		}
	}
	if n == nil {
		return
	}
	var elem *pqNode
	switch {
	case n.repeated && n.kind == pqGroup: // a repeated group: each instance is an element
		elem = n
	case !n.repeated && n.kind == pqList && n.elem.kind == pqGroup && (n.elem == n.repNode || !n.elem.repeated):
		elem = n.elem
	default:
		return
	}
	d := &pqDirect{node: n, elem: elem, nf: len(shape.fields),
		slot: make([]int, len(elem.children)), plain: make([]bool, len(elem.children))}
	taken := make([]bool, len(shape.fields))
	for i, c := range elem.children {
		d.slot[i] = -1
		for j, f := range shape.fields {
			if !strings.EqualFold(c.name, f.key) {
				continue
			}
			if c.name != f.key || taken[j] {
				return
			}
			taken[j] = true
			d.slot[i] = j
			plainString := c.kind == pqLeaf && !c.repeated && c.leaf.kind == leafBytes
			if f.kind == directText && !plainString {
				return
			}
			d.plain[i] = plainString && f.kind != directRaw
		}
	}
	maxScale := 0
	var keys func(n *pqNode)
	keys = func(n *pqNode) {
		d.bound += len(n.key) + 4
		maxScale = max(maxScale, n.leaf.scale)
		for _, c := range n.children {
			keys(c)
		}
	}
	keys(p.root)
	d.bound += 6 * (64 + maxScale)
	p.direct = d
}

// directFits reports whether a row of nvals values holding size bytes of
// byte arrays is certainly within the record-size limit as JSON.
func (p *parquetSource) directFits(nvals, size int) bool {
	return p.max <= 0 || 6*size+nvals*p.direct.bound <= p.max
}

// wholeRow returns the JSON object of the row next returned last, with
// every column in it: the usual path for a row read directly that the direct
// path does not handle.
func (p *parquetSource) wholeRow() ([]byte, error) {
	loc := Location{File: p.name, Row: int(p.row)}
	rec, err := p.encodeRow(p.batch[p.i-1], false)
	return rec, p.rowError(loc, err)
}

// directList is the message list of one row, read directly.
type directList struct {
	null    bool    // the list column is null
	nulls   []bool  // for each element: it is null
	vals    []pqVal // nf values per element
	nf      int     // fields per element
	invalid bool    // some text of the list (read or not) is not valid UTF-8
}

// pqVal is one field of an element: absent or null (the zero pqVal), a
// string, or JSON.
type pqVal struct {
	kind uint8 // 0 absent or null, 1 text, 2 JSON
	s    string
	raw  []byte
}

const (
	pqValText = 1
	pqValJSON = 2
)

func (l *directList) reset(nf int) {
	l.null, l.invalid, l.nf = false, false, nf
	l.nulls = l.nulls[:0]
	clear(l.vals)
	l.vals = l.vals[:0]
}

// len returns the number of elements.
func (l *directList) len() int { return len(l.nulls) }

// text returns field j of element i as a string field decodes it.
func (l *directList) text(i, j int) string {
	return l.vals[i*l.nf+j].s
}

// anyValue returns field j of element i as an any field decodes it.
func (l *directList) anyValue(i, j int) (any, error) {
	v := &l.vals[i*l.nf+j]
	switch v.kind {
	case pqValText:
		return v.s, nil
	case pqValJSON:
		var x any
		if err := jsonx.Unmarshal(v.raw, &x); err != nil {
			return nil, jsonError(v.raw, err)
		}
		return x, nil
	}
	return nil, nil
}

// rawValue decodes field j of element i into dst, as a raw JSON field does.
func (l *directList) rawValue(i, j int, dst *jsonx.RawMessage) error {
	v := &l.vals[i*l.nf+j]
	if v.kind != pqValJSON {
		return nil
	}
	if err := jsonx.Unmarshal(v.raw, dst); err != nil {
		return jsonError(v.raw, err)
	}
	return nil
}

// elemNull reports whether element i is null (a zero message object).
func (l *directList) elemNull(i int) bool { return l.nulls[i] }

// readList reads the list column n of the row into e.list and writes the
// column's JSON as [] (or null). It visits the values in the order field(n)
// would and fails where field(n) would, with the same errors.
func (e *pqEncoder) readList(n *pqNode, vals [][]parquet.Value) error {
	d := e.direct
	e.list.reset(d.nf)
	if n.repeated {
		e.buf = append(e.buf, "[]"...)
		return splitRepeated(n, vals, func(elem [][]parquet.Value) error {
			return e.directElem(n, elem)
		})
	}
	if len(vals) > 0 {
		if len(vals[0]) == 0 {
			return fmt.Errorf("%w: column %q has no value in a row", ErrInvalidParquet, n.name)
		}
		if vals[0][0].DefinitionLevel() < n.def {
			e.buf = append(e.buf, "null"...)
			e.list.null = true
			return nil
		}
	}
	e.buf = append(e.buf, "[]"...)
	return splitRepeated(n.repNode, vals, func(elem [][]parquet.Value) error {
		return e.directElem(n.elem, elem)
	})
}

// directElem reads one element, the group n, as value(n) would write it.
func (e *pqEncoder) directElem(n *pqNode, vals [][]parquet.Value) error {
	d, l := e.direct, &e.list
	if len(vals) > 0 {
		if len(vals[0]) == 0 {
			return fmt.Errorf("%w: column %q has no value in a row", ErrInvalidParquet, n.name)
		}
		if vals[0][0].DefinitionLevel() < n.def {
			l.nulls = append(l.nulls, true)
			l.vals = append(l.vals, make([]pqVal, d.nf)...)
			return nil
		}
	}
	l.nulls = append(l.nulls, false)
	base := len(l.vals)
	l.vals = append(l.vals, make([]pqVal, d.nf)...)
	for i, c := range n.children {
		sub := vals[c.lo-n.lo : c.hi-n.lo]
		j := d.slot[i]
		if j >= 0 && d.plain[i] {
			if len(sub[0]) == 0 {
				return fmt.Errorf("%w: column %q has no value in a row", ErrInvalidParquet, c.name)
			}
			v := sub[0][0]
			if v.DefinitionLevel() < c.def || v.IsNull() {
				continue // null: the zero value
			}
			var s string
			switch v.Kind() {
			case parquet.ByteArray, parquet.FixedLenByteArray:
				s = string(v.ByteArray())
			default:
				s = v.String()
			}
			if !l.invalid && !utf8.ValidString(s) {
				l.invalid = true
			}
			l.vals[base+j] = pqVal{kind: pqValText, s: s}
			continue
		}
		start := len(e.buf)
		if err := e.field(c, sub); err != nil {
			return err
		}
		js := e.buf[start:]
		if !l.invalid && !utf8.Valid(js) {
			l.invalid = true
		}
		if j >= 0 {
			l.vals[base+j] = pqVal{kind: pqValJSON, raw: bytes.Clone(js)}
		}
		e.buf = e.buf[:start]
	}
	return nil
}

// --- the parsers' direct reads ----------------------------------------------

// The fields of shareGPTMsg.
var shareGPTShape = directShape{column: "conversations", fields: []directField{
	{"from", directText}, {"value", directAny}, {"role", directText}, {"content", directAny},
}}

func (shareGPTParser) directShape() directShape { return shareGPTShape }

func (p shareGPTParser) parseDirect(rec []byte, l *directList, loc Location) ([]*Conversation, error) {
	var in shareGPTRecord
	extra, err := decodeLenient(rec, &in, "conversations")
	if err != nil {
		return nil, err
	}
	in.Conversations = make([]shareGPTMsg, l.len())
	for i := range in.Conversations {
		if l.elemNull(i) {
			continue
		}
		m := &in.Conversations[i]
		m.From, m.Role = l.text(i, 0), l.text(i, 2)
		if m.Value, err = l.anyValue(i, 1); err != nil {
			return nil, err
		}
		if m.Content, err = l.anyValue(i, 3); err != nil {
			return nil, err
		}
	}
	return p.build(&in, extra, loc)
}

// The fields of openAIMsg.
var openAIShape = directShape{column: "messages", fields: []directField{
	{"role", directText}, {"content", directAny}, {"name", directText},
	{"tool_calls", directRaw}, {"function_call", directRaw}, {"tool_call_id", directText},
}}

func (openAIParser) directShape() directShape { return openAIShape }

func (p openAIParser) parseDirect(rec []byte, l *directList, loc Location) ([]*Conversation, error) {
	var in openAIRecord
	extra, err := decodeLenient(rec, &in, "messages")
	if err != nil {
		return nil, err
	}
	in.Messages = make([]openAIMsg, l.len())
	for i := range in.Messages {
		if l.elemNull(i) {
			continue
		}
		m := &in.Messages[i]
		m.Role, m.Name, m.ToolCallID = l.text(i, 0), l.text(i, 2), l.text(i, 5)
		if m.Content, err = l.anyValue(i, 1); err != nil {
			return nil, err
		}
		if err := l.rawValue(i, 3, &m.ToolCalls); err != nil {
			return nil, err
		}
		if err := l.rawValue(i, 4, &m.FunctionCall); err != nil {
			return nil, err
		}
	}
	return p.build(&in, extra, loc)
}

// The fields of chatLogMsg.
var chatLogShape = directShape{column: "conversation", fields: []directField{
	{"role", directText}, {"content", directAny},
}}

func (chatLogParser) directShape() directShape { return chatLogShape }

func (p chatLogParser) parseDirect(rec []byte, l *directList, loc Location) ([]*Conversation, error) {
	var in chatLogRecord
	extra, err := decodeLenient(rec, &in, "conversation")
	if err != nil {
		return nil, err
	}
	in.Conversation = make([]chatLogMsg, l.len())
	for i := range in.Conversation {
		if l.elemNull(i) {
			continue
		}
		m := &in.Conversation[i]
		m.Role = l.text(i, 0)
		if m.Content, err = l.anyValue(i, 1); err != nil {
			return nil, err
		}
	}
	return p.build(&in, extra, loc)
}
