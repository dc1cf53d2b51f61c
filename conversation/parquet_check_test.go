package conversation

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"runtime"
	"strings"
	"testing"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/compress"
	"github.com/parquet-go/parquet-go/encoding/thrift"
	"github.com/parquet-go/parquet-go/format"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func uv(v uint64) []byte { return binary.AppendUvarint(nil, v) }
func zz(v int64) []byte  { return binary.AppendVarint(nil, v) } // zigzag, as Thrift compact

func cat(parts ...any) []byte {
	var b []byte
	for _, p := range parts {
		switch p := p.(type) {
		case byte:
			b = append(b, p)
		case int:
			b = append(b, byte(p))
		case []byte:
			b = append(b, p...)
		case string:
			b = append(b, p...)
		default:
			panic(fmt.Sprintf("cat: %T", p))
		}
	}
	return b
}

// thriftAllTypes is a struct with a field of every compact-protocol type.
var thriftAllTypes = cat(
	0x11,       // 1: bool true
	0x13, 0x7f, // 2: byte
	0x14, zz(-300), // 3: i16
	0x15, zz(-70000), // 4: i32
	0x16, zz(1<<40), // 5: i64
	0x17, "\x00\x00\x00\x00\x00\x00\xf0\x3f", // 6: double
	0x18, uv(5), "hello", // 7: binary
	0x19, 0x35, zz(1), zz(2), zz(3), // 8: list<i32> of 3
	0x19, 0xf1, uv(20), bytes.Repeat([]byte{1}, 20), // 9: list<bool> of 20 (one byte each)
	0x1a, 0x08, // 10: empty set<binary>
	0x1b, uv(1), 0x85, uv(1), "k", zz(9), // 11: map<binary,i32> of 1
	0x1b, 0x00, // 12: empty map
	0x1c, 0x15, zz(42), 0x12, 0x00, // 13: struct {1: i32 42, 2: bool false}
	0x05, zz(300), zz(-5), // 300: i32, long-form field header
	0x00, // stop
)

func TestScanThriftStructValid(t *testing.T) {
	got := map[string]int64{}
	n, err := scanThriftStruct(append(bytes.Clone(thriftAllTypes), "trailing"...), func(path []int16, v int64) {
		got[fmt.Sprint(path)] = v
	})
	require.NoError(t, err)
	assert.Equal(t, len(thriftAllTypes), n)
	assert.Equal(t, map[string]int64{
		"[1]": 1, "[3]": -300, "[4]": -70000, "[5]": 1 << 40, "[13 1]": 42, "[13 2]": 0, "[300]": -5,
	}, got, "integer and bool fields outside lists and maps")

	n, vals, present, err := thriftI32Fields(thriftAllTypes, 4, 300, 13, 99)
	require.NoError(t, err)
	assert.Equal(t, len(thriftAllTypes), n)
	assert.Equal(t, []int32{-70000, -5, 0, 0}, vals)
	assert.Equal(t, []bool{true, true, false, false}, present, "a struct field or a missing field is not an i32")
}

// TestScanThriftStructParquet checks the validator against the Parquet
// library's own encoding of a footer and of page headers.
func TestScanThriftStructParquet(t *testing.T) {
	data := writeWildChatParquet(t, sampleWildChatRows(7))
	footerLen := int(binary.LittleEndian.Uint32(data[len(data)-8:]))
	footer := data[len(data)-8-footerLen : len(data)-8]
	n, err := scanThriftStruct(footer, nil)
	require.NoError(t, err)
	assert.Equal(t, footerLen, n)

	for _, h := range []format.PageHeader{
		{Type: format.DataPage, UncompressedPageSize: 1000, CompressedPageSize: 321, CRC: -7,
			DataPageHeader: thrift.New(format.DataPageHeader{NumValues: 77})},
		{Type: format.DataPageV2, UncompressedPageSize: 70000, CompressedPageSize: 0,
			DataPageHeaderV2: thrift.New(format.DataPageHeaderV2{NumValues: 5, NumRows: 5, DefinitionLevelsByteLength: 2,
				Statistics: format.Statistics{MinValue: []byte("aaa"), MaxValue: []byte(strings.Repeat("z", 300))}})},
	} {
		b, err := thrift.Marshal(new(thrift.CompactProtocol), &h)
		require.NoError(t, err)
		n, vals, present, err := thriftI32Fields(b, 2, 3, 4)
		require.NoError(t, err)
		assert.Equal(t, len(b), n)
		assert.Equal(t, []int32{h.UncompressedPageSize, h.CompressedPageSize, h.CRC}, vals)
		assert.Equal(t, []bool{true, true, h.CRC != 0}, present)
	}
}

func TestScanThriftStructInvalid(t *testing.T) {
	for name, tc := range map[string]struct {
		in   []byte
		want error
	}{
		"binary longer than the data":   {cat(0x18, uv(10), "abc", 0), errThriftLength},
		"binary of 2 GiB":               {cat(0x18, uv(math.MaxInt32), "abc", 0), errThriftLength},
		"binary length over int32":      {cat(0x18, uv(1<<31), 0), errThriftVarint},
		"list count over the data":      {cat(0x19, 0xf5, uv(1000), 1, 2, 0), errThriftLength},
		"list count of 2^31-1":          {cat(0x19, 0xfc, uv(math.MaxInt32), 0, 0, 0), errThriftLength},
		"list of bools over the data":   {cat(0x19, 0x41, 1, 1, 1), errThriftLength},
		"list of doubles over the data": {cat(0x19, 0x27, make([]byte, 9), 0), errThriftLength},
		"set count over the data":       {cat(0x1a, 0xf8, uv(50), 0), errThriftLength},
		"map count over the data":       {cat(0x1b, uv(3), 0x88, uv(0), uv(0), 0), errThriftLength},
		"map count of 2^31-1":           {cat(0x1b, uv(math.MaxInt32), 0x55, 0), errThriftLength},
		"overlong varint":               {cat(0x15, bytes.Repeat([]byte{0xff}, 10), 0x01, 0), errThriftVarint},
		"i32 out of range":              {cat(0x15, zz(1<<40), 0), errThriftVarint},
		"i16 out of range":              {cat(0x14, zz(40000), 0), errThriftVarint},
		"field id out of range":         {cat(0x05, zz(40000), zz(1), 0), errThriftVarint},
		"unknown field type":            {cat(0x1d, 0, 0), errThriftType},
		"list of stop elements":         {cat(0x19, 0x10, 0, 0), errThriftType},
		"map with unknown key type":     {cat(0x1b, uv(1), 0xd5, 0, 0, 0), errThriftType},
		"empty input":                   {nil, errThriftTruncated},
		"no stop":                       {cat(0x15, zz(1)), errThriftTruncated},
		"truncated double":              {cat(0x17, 1, 2, 3), errThriftTruncated},
		"truncated varint":              {cat(0x15, 0x80), errThriftTruncated},
		"truncated map":                 {cat(0x1b, uv(1)), errThriftTruncated},
		"structs nested 65 deep":        {cat(bytes.Repeat([]byte{0x1c}, 64), make([]byte, 65)), errThriftDepth},
		"lists nested deeply":           {cat(0x19, bytes.Repeat([]byte{0x19}, 100000), make([]byte, 10)), errThriftDepth},
		"maps nested deeply":            {cat(0x1b, bytes.Repeat(cat(uv(1), 0x5b, 0), 200), 0), errThriftDepth},
	} {
		t.Run(name, func(t *testing.T) {
			n, err := scanThriftStruct(tc.in, nil)
			assert.ErrorIs(t, err, tc.want)
			assert.Zero(t, n)
		})
	}
	_, err := scanThriftStruct(cat(bytes.Repeat([]byte{0x1c}, 63), make([]byte, 64)), nil)
	assert.NoError(t, err, "63 nested structs are within the depth limit")

	// Every proper prefix of a valid struct is rejected as truncated or as
	// having a length that does not fit.
	for i := range len(thriftAllTypes) - 1 {
		_, err := scanThriftStruct(thriftAllTypes[:i], nil)
		if !errors.Is(err, errThriftTruncated) && !errors.Is(err, errThriftLength) {
			t.Errorf("prefix of %d bytes: %v", i, err)
		}
	}
}

// FuzzScanThriftStruct checks that the validator never panics and never
// claims more bytes than it was given.
func FuzzScanThriftStruct(f *testing.F) {
	f.Add(thriftAllTypes)
	f.Add(cat(0x19, 0xf5, uv(1000), 1, 2, 0))
	f.Fuzz(func(t *testing.T, b []byte) {
		n, err := scanThriftStruct(b, func([]int16, int64) {})
		if err == nil && (n < 1 || n > len(b)) {
			t.Fatalf("struct of %d bytes in %d", n, len(b))
		}
	})
}

// marshalPageHeader encodes h as the Parquet library does.
func marshalPageHeader(t *testing.T, h format.PageHeader) []byte {
	t.Helper()
	b, err := thrift.Marshal(new(thrift.CompactProtocol), &h)
	require.NoError(t, err)
	return b
}

func dataPage(u, c, values int32) format.PageHeader {
	return format.PageHeader{Type: format.DataPage, UncompressedPageSize: u, CompressedPageSize: c,
		DataPageHeader: thrift.New(format.DataPageHeader{NumValues: values})}
}

// walkChunk runs the page checks over a column chunk holding pages (headers
// and bodies) after a 4-byte magic, followed by a 100-byte footer.
func walkChunk(codec format.CompressionCodec, pages ...[]byte) error {
	file := cat("PAR1", bytes.Join(pages, nil))
	md := &format.ColumnMetaData{Codec: codec, DataPageOffset: 4, TotalCompressedSize: int64(len(file) - 4)}
	dataEnd := int64(len(file))
	file = append(file, make([]byte, 100)...)
	w := pageWalker{ra: bytes.NewReader(file)}
	return w.chunk(md, dataEnd)
}

func TestPageWalker(t *testing.T) {
	body := make([]byte, 40)
	ok := cat(marshalPageHeader(t, dataPage(40, 40, 10)), body)
	require.NoError(t, walkChunk(format.Uncompressed, ok, ok, ok))

	// A header with 100 KiB of statistics is read through a growing window.
	big := dataPage(40, 40, 10)
	big.DataPageHeader.V.Statistics.MaxValue = bytes.Repeat([]byte("x"), 100<<10)
	require.NoError(t, walkChunk(format.Uncompressed, ok, cat(marshalPageHeader(t, big), body), ok))

	// An unknown binary field of 2 GiB: the allocation that crashed FuzzParquet.
	hdr := marshalPageHeader(t, dataPage(40, 40, 10))
	huge := cat(hdr[:len(hdr)-1], 0x08, zz(100), uv(math.MaxInt32), 0)

	v2 := format.PageHeader{Type: format.DataPageV2, UncompressedPageSize: 40, CompressedPageSize: 40,
		DataPageHeaderV2: thrift.New(format.DataPageHeaderV2{NumValues: 10, NumRows: 10, DefinitionLevelsByteLength: 30, RepetitionLevelsByteLength: 11})}
	require.NoError(t, walkChunk(format.Uncompressed, ok, ok))
	for name, tc := range map[string]struct {
		pages [][]byte
		want  string
	}{
		"huge unknown field":          {[][]byte{ok, cat(huge, body)}, "corrupt page header"},
		"page beyond the chunk":       {[][]byte{cat(marshalPageHeader(t, dataPage(41, 41, 10)), body)}, "compressed page size 41"},
		"negative compressed size":    {[][]byte{cat(marshalPageHeader(t, dataPage(40, -1, 10)), body)}, "compressed page size -1"},
		"negative uncompressed size":  {[][]byte{cat(marshalPageHeader(t, dataPage(-40, 40, 10)), body)}, "uncompressed page size -40"},
		"huge uncompressed size":      {[][]byte{cat(marshalPageHeader(t, dataPage(1<<30, 40, 10)), body)}, "uncompressed page size 1073741824"},
		"huge value count":            {[][]byte{cat(marshalPageHeader(t, dataPage(40, 40, 1<<30)), body)}, "1073741824 values"},
		"negative value count":        {[][]byte{cat(marshalPageHeader(t, dataPage(40, 40, math.MinInt32)), body)}, "values"},
		"v2 levels beyond the page":   {[][]byte{cat(marshalPageHeader(t, v2), body)}, "41 bytes of levels"},
		"missing sizes":               {[][]byte{cat(0x15, zz(0), 0, body)}, "without its compressed and uncompressed sizes"},
		"garbage after the last page": {[][]byte{ok, {0xff, 0xff}}, "corrupt page header"},
	} {
		t.Run(name, func(t *testing.T) {
			err := walkChunk(format.Uncompressed, tc.pages...)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
			assert.Contains(t, err.Error(), "page at byte ")
		})
	}

	// Column chunks that do not lie inside the page data.
	w := pageWalker{ra: bytes.NewReader(make([]byte, 200))}
	for _, md := range []format.ColumnMetaData{
		{DataPageOffset: -1, TotalCompressedSize: 10},
		{DataPageOffset: 4, TotalCompressedSize: -10},
		{DataPageOffset: 4, TotalCompressedSize: 97},
		{DataPageOffset: 4, DictionaryPageOffset: 150, TotalCompressedSize: 10},
		{DataPageOffset: 1, TotalCompressedSize: math.MaxInt64},
		{DataPageOffset: math.MaxInt64, TotalCompressedSize: math.MaxInt64},
	} {
		err := w.chunk(&md, 100)
		assert.ErrorContains(t, err, "outside the 100 bytes of page data", "%+v", md)
	}
}

func TestPageWalkerCodecs(t *testing.T) {
	text := []byte(strings.Repeat("no, that is not what I asked for. ", 50))
	for _, tc := range []struct {
		codec  compress.Codec
		format format.CompressionCodec
	}{{&parquet.Snappy, format.Snappy}, {&parquet.Lz4Raw, format.Lz4Raw}, {&parquet.Brotli, format.Brotli}} {
		z, err := tc.codec.Encode(nil, text)
		require.NoError(t, err)
		page := func(u int, body []byte) []byte {
			return cat(marshalPageHeader(t, dataPage(int32(u), int32(len(body)), 10)), body)
		}
		assert.NoError(t, walkChunk(tc.format, page(len(text), z)), "%v", tc.codec)
		assert.ErrorContains(t, walkChunk(tc.format, page(len(text)-1, z)), "declare", "%v: data larger than the page", tc.codec)
	}

	// Snappy data declaring 4 GiB in its preamble.
	bomb := cat(uv(math.MaxUint32), 0x00)
	err := walkChunk(format.Snappy, cat(marshalPageHeader(t, dataPage(100, int32(len(bomb)), 1)), bomb))
	assert.ErrorContains(t, err, "Snappy data declares 4294967295 bytes")

	// Brotli holding 64 MiB of zeros in a page that declares 100 bytes: the
	// check stops decoding at 101 bytes.
	zeros, err := parquet.Brotli.Encode(nil, make([]byte, 64<<20))
	require.NoError(t, err)
	require.Less(t, len(zeros), 1<<16)
	err = walkChunk(format.Brotli, cat(marshalPageHeader(t, dataPage(100, int32(len(zeros)), 1)), zeros))
	assert.ErrorContains(t, err, "Brotli data decodes to more than the 100 bytes")

	// Corrupt LZ4, on which the Parquet library's decoder never stops
	// growing its buffer.
	for _, b := range [][]byte{{}, {0x00, 0x00, 0x00}, {0x10, 'a', 0x05, 0x00}, {0xf0}, {0x50, 'a'}, {0x1f, 'a', 0x01}} {
		err := walkChunk(format.Lz4Raw, cat(marshalPageHeader(t, dataPage(100, int32(len(b)), 1)), b))
		assert.Error(t, err, "%q", b)
	}
}

func TestLZ4BlockSize(t *testing.T) {
	for _, in := range [][]byte{
		[]byte("a"),
		[]byte(strings.Repeat("ab", 1000)),
		bytes.Repeat([]byte{0}, 70000),
		[]byte(strings.Repeat("The assistant misunderstood; please try again. ", 300) + "end"),
	} {
		z, err := parquet.Lz4Raw.Encode(nil, in)
		require.NoError(t, err)
		n, err := lz4BlockSize(z)
		require.NoError(t, err)
		assert.Equal(t, len(in), n)
	}
	// A match before the start of the output, a zero offset, a truncated
	// literal run.
	for _, b := range [][]byte{{0x10, 'a', 0x02, 0x00}, {0x10, 'a', 0x00, 0x00}, {0x30, 'a'}} {
		_, err := lz4BlockSize(b)
		assert.Error(t, err, "%q", b)
	}
}

// rewritePages rebuilds a Parquet file, passing every page (header and
// body) of every column chunk through edit, and fixes up the offsets and
// sizes of the metadata.
func rewritePages(t *testing.T, data []byte, edit func(g, c, p int, hdr, body []byte) ([]byte, []byte)) []byte {
	t.Helper()
	f, err := parquet.OpenFile(bytes.NewReader(data), int64(len(data)))
	require.NoError(t, err)
	md := *f.Metadata()
	out := []byte("PAR1")
	for g := range md.RowGroups {
		rg := &md.RowGroups[g]
		for c := range rg.Columns {
			cm := &rg.Columns[c].MetaData
			off := cm.DataPageOffset
			if cm.DictionaryPageOffset != 0 {
				off = cm.DictionaryPageOffset
			}
			end := off + cm.TotalCompressedSize
			start := int64(len(out))
			if c == 0 {
				rg.FileOffset = start
			}
			cm.DictionaryPageOffset, cm.DataPageOffset = 0, 0
			for p := 0; off < end; p++ {
				r := new(thrift.CompactProtocol).NewReaderFromBytes(data[off:end])
				var h format.PageHeader
				require.NoError(t, thrift.NewDecoder(r).Decode(&h))
				hl := int64(r.BytesRead())
				hdr := data[off : off+hl]
				body := data[off+hl : off+hl+int64(h.CompressedPageSize)]
				off += hl + int64(h.CompressedPageSize)
				if h.Type == format.DictionaryPage {
					cm.DictionaryPageOffset = int64(len(out))
				} else if cm.DataPageOffset == 0 {
					cm.DataPageOffset = int64(len(out))
				}
				hdr, body = edit(g, c, p, hdr, body)
				out = append(append(out, hdr...), body...)
			}
			cm.TotalCompressedSize = int64(len(out)) - start
			rg.Columns[c].FileOffset = start
		}
	}
	footer, err := thrift.Marshal(new(thrift.CompactProtocol), &md)
	require.NoError(t, err)
	out = append(out, footer...)
	out = binary.LittleEndian.AppendUint32(out, uint32(len(footer)))
	return append(out, "PAR1"...)
}

// editHeader re-encodes a page header after fn changes it.
func editHeader(t *testing.T, hdr []byte, fn func(h *format.PageHeader)) []byte {
	var h format.PageHeader
	require.NoError(t, thrift.Unmarshal(new(thrift.CompactProtocol), hdr, &h))
	fn(&h)
	return marshalPageHeader(t, h)
}

// TestParquetCorruptPageHeaders corrupts the pages of the second of three
// row groups: the first and last groups are still read, every row of the
// second is reported as invalid_parquet, and nothing large is allocated.
func TestParquetCorruptPageHeaders(t *testing.T) {
	rows := sampleWildChatRows(9)
	plain := writeWildChatParquet(t, rows)
	want, st, err := readParquetConversations(t, plain, "w.parquet", true)
	require.NoError(t, err)
	require.Len(t, want, 9)
	require.Empty(t, st.Skipped)

	same := rewritePages(t, plain, func(_, _, _ int, hdr, body []byte) ([]byte, []byte) { return hdr, body })
	got, _, err := readParquetConversations(t, same, "w.parquet", true)
	require.NoError(t, err)
	assert.Equal(t, want, got, "rewriting without changes keeps the file readable and equal")

	snappy := writeParquetWith(t, rows, 3, parquet.Compression(&parquet.Snappy))
	lz4 := writeParquetWith(t, rows, 3, parquet.Compression(&parquet.Lz4Raw))
	for name, tc := range map[string]struct {
		data []byte
		edit func(hdr, body []byte) ([]byte, []byte)
	}{
		"unknown 2 GiB binary field": {plain, func(hdr, body []byte) ([]byte, []byte) {
			return cat(hdr[:len(hdr)-1], 0x08, zz(100), uv(math.MaxInt32), 0), body
		}},
		"2 GiB binary in a nested struct": {plain, func(hdr, body []byte) ([]byte, []byte) {
			// An unknown struct field 9 holding a struct (field 5) whose
			// binary field 1 claims 2 GiB.
			return cat(hdr[:len(hdr)-1], 0x0c, zz(9), 0x5c, 0x18, uv(math.MaxInt32), 0, 0, 0), body
		}},
		"compressed size beyond the chunk": {plain, func(hdr, body []byte) ([]byte, []byte) {
			return editHeader(t, hdr, func(h *format.PageHeader) { h.CompressedPageSize = math.MaxInt32 }), body
		}},
		"1 GiB uncompressed size": {snappy, func(hdr, body []byte) ([]byte, []byte) {
			return editHeader(t, hdr, func(h *format.PageHeader) { h.UncompressedPageSize = 1 << 30 }), body
		}},
		"2^31-1 values": {plain, func(hdr, body []byte) ([]byte, []byte) {
			return editHeader(t, hdr, func(h *format.PageHeader) {
				if h.DataPageHeader.Valid {
					h.DataPageHeader.V.NumValues = math.MaxInt32
				}
				if h.DataPageHeaderV2.Valid {
					h.DataPageHeaderV2.V.NumValues = math.MaxInt32
				}
				if h.DictionaryPageHeader.Valid {
					h.DictionaryPageHeader.V.NumValues = math.MaxInt32
				}
			}), body
		}},
		// The CRC is cleared, or the library would reject the page before
		// decompressing it.
		"Snappy preamble of 4 GiB": {snappy, func(hdr, body []byte) ([]byte, []byte) {
			_, k := binary.Uvarint(body)
			body = cat(uv(math.MaxUint32), body[k:])
			return editHeader(t, hdr, func(h *format.PageHeader) { h.CompressedPageSize, h.CRC = int32(len(body)), 0 }), body
		}},
		"corrupt LZ4": {lz4, func(hdr, body []byte) ([]byte, []byte) {
			body = []byte{0x00, 0x00, 0x00}
			return editHeader(t, hdr, func(h *format.PageHeader) { h.CompressedPageSize, h.CRC = int32(len(body)), 0 }), body
		}},
	} {
		t.Run(name, func(t *testing.T) {
			data := rewritePages(t, tc.data, func(g, _, _ int, hdr, body []byte) ([]byte, []byte) {
				if g != 1 {
					return hdr, body
				}
				return tc.edit(hdr, body)
			})
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			got, st, err := readParquetConversations(t, data, "w.parquet", false)
			runtime.ReadMemStats(&after)
			require.NoError(t, err)
			assert.Equal(t, want[:3], got[:3])
			assert.Equal(t, want[6:], got[3:])
			assert.Equal(t, map[string]int64{ReasonInvalidParquet: 3}, st.Skipped)
			assert.Less(t, after.TotalAlloc-before.TotalAlloc, uint64(64<<20), "bytes allocated")

			r := NewReader(bytes.NewReader(data), "w.parquet")
			r.Strict = true
			defer r.Close()
			for range 3 {
				_, err := r.Next(context.Background())
				require.NoError(t, err)
			}
			_, err = r.Next(context.Background())
			var pe *ParseError
			require.ErrorAs(t, err, &pe)
			assert.Equal(t, ReasonInvalidParquet, pe.Reason)
			assert.ErrorIs(t, err, ErrInvalidParquet)
			assert.Equal(t, 4, pe.Row)
			assert.Contains(t, err.Error(), "row group 1: column ")
			assert.Contains(t, err.Error(), "page at byte ")
		})
	}
}

func writeParquetWith[T any](t *testing.T, rows []T, rowsPerGroup int64, opts ...parquet.WriterOption) []byte {
	t.Helper()
	var buf bytes.Buffer
	opts = append([]parquet.WriterOption{parquet.PageBufferSize(4 << 10), parquet.MaxRowsPerRowGroup(rowsPerGroup)}, opts...)
	w := parquet.NewGenericWriter[T](&buf, opts...)
	_, err := w.Write(rows)
	require.NoError(t, err)
	require.NoError(t, w.Close())
	return buf.Bytes()
}

type dictRow struct {
	Model        string         `parquet:"model,dict"`
	Language     *string        `parquet:"language,optional,dict"`
	Conversation []wildChatTurn `parquet:"conversation,list"`
}

// TestParquetCodecsPassChecks reads the same rows written with every codec
// the Parquet library supports, data pages v1 and v2, and dictionary
// columns: the page checks accept them all and the conversations agree.
func TestParquetCodecsPassChecks(t *testing.T) {
	wc := sampleWildChatRows(12)
	rows := make([]dictRow, len(wc))
	for i, r := range wc {
		rows[i] = dictRow{Model: r.Model, Conversation: r.Conversation}
		if i%3 != 0 {
			rows[i].Language = &wc[i].Language
		}
	}
	var want []*Conversation
	for _, codec := range []compress.Codec{&parquet.Uncompressed, &parquet.Snappy, &parquet.Gzip, &parquet.Zstd, &parquet.Lz4Raw, &parquet.Brotli} {
		for _, version := range []int{1, 2} {
			data := writeParquetWith(t, rows, 5, parquet.Compression(codec), parquet.DataPageVersion(version))
			f, err := parquet.OpenFile(bytes.NewReader(data), int64(len(data)))
			require.NoError(t, err)
			footerLen := int64(binary.LittleEndian.Uint32(data[len(data)-8:]))
			for g := range f.Metadata().RowGroups {
				require.NoError(t, checkParquetRowGroup(bytes.NewReader(data), int64(len(data))-8-footerLen, &f.Metadata().RowGroups[g]), "%v v%d", codec, version)
			}
			got, st, err := readParquetConversations(t, data, "d.parquet", true)
			require.NoError(t, err, "%v v%d", codec, version)
			assert.Empty(t, st.Skipped)
			require.Len(t, got, len(rows))
			if want == nil {
				want = got
			}
			assert.Equal(t, want, got, "%v v%d", codec, version)
		}
	}
}
