package conversation

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/dsatmine/dsatmine/internal/jsonx"
	"github.com/klauspost/compress/gzip"
	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/deprecated"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// topLevelKeys returns the keys of the JSON object rec in the order written.
func topLevelKeys(t *testing.T, rec []byte) []string {
	t.Helper()
	dec := jsonx.NewDecoder(bytes.NewReader(rec))
	tok, err := dec.Token()
	require.NoError(t, err)
	require.Equal(t, "{", fmt.Sprint(tok))
	var keys []string
	for dec.More() {
		tok, err := dec.Token()
		require.NoError(t, err)
		keys = append(keys, tok.(string))
		var skip jsonx.RawMessage
		require.NoError(t, dec.Decode(&skip))
	}
	return keys
}

func parquetColumnNames(t *testing.T, data []byte) []string {
	t.Helper()
	f, err := parquet.OpenFile(bytes.NewReader(data), int64(len(data)))
	require.NoError(t, err)
	var names []string
	for _, field := range f.Schema().Fields() {
		names = append(names, field.Name())
	}
	return names
}

func numRowGroups(t *testing.T, data []byte) int {
	t.Helper()
	f, err := parquet.OpenFile(bytes.NewReader(data), int64(len(data)))
	require.NoError(t, err)
	return len(f.RowGroups())
}

func TestParquetSourceWildChatRoundTrip(t *testing.T) {
	rows := sampleWildChatRows(11)
	data := writeWildChatParquet(t, rows)
	require.Greater(t, numRowGroups(t, data), 2, "the test file must have several row groups")
	columns := parquetColumnNames(t, data)

	got := readParquetSource(t, data, "wildchat.parquet", 0)
	require.Len(t, got, len(rows))
	for i, r := range got {
		require.NoError(t, r.err, "row %d", i+1)
		assert.Equal(t, Location{File: "wildchat.parquet", Row: i + 1}, r.loc)
		require.True(t, jsonx.Valid(r.rec), "row %d is not valid JSON: %.200s", i+1, r.rec)
		assert.Equal(t, columns, topLevelKeys(t, r.rec), "row %d keys", i+1)

		var back wildChatRow
		require.NoError(t, jsonx.Unmarshal(r.rec, &back))
		assert.Equal(t, rows[i], back, "row %d round trip", i+1)

		var generic map[string]any
		require.NoError(t, jsonx.Unmarshal(r.rec, &generic))
		ts, ok := generic["timestamp"].(string)
		require.True(t, ok, "timestamp is written as a string")
		parsed, err := time.Parse(time.RFC3339Nano, ts)
		require.NoError(t, err)
		assert.True(t, parsed.Equal(rows[i].Timestamp))
		conv := generic["conversation"].([]any)
		require.Len(t, conv, len(rows[i].Conversation))
		first := conv[0].(map[string]any)
		assert.Equal(t, rows[i].Conversation[0].Role, first["role"])
		if rows[i].State == nil {
			assert.Contains(t, generic, "state")
			assert.Nil(t, generic["state"], "a null column is written as null")
		}
	}
}

func TestParquetSourceLMSYSRoundTrip(t *testing.T) {
	rows := sampleLMSYSRows(7)
	data := writeLMSYSParquet(t, rows)
	require.Equal(t, 4, numRowGroups(t, data))

	got := readParquetSource(t, data, "lmsys.parquet", 1<<20)
	require.Len(t, got, len(rows))
	for i, r := range got {
		require.NoError(t, r.err)
		assert.Equal(t, i+1, r.loc.Row)
		var back lmsysRow
		require.NoError(t, jsonx.Unmarshal(r.rec, &back))
		assert.Equal(t, rows[i], back)
	}
	// Reading is deterministic.
	again := readParquetSource(t, data, "lmsys.parquet", 1<<20)
	for i := range got {
		assert.Equal(t, got[i].rec, again[i].rec)
	}
}

func TestParquetSourceEmptyListsAndNulls(t *testing.T) {
	rows := sampleWildChatRows(2)
	rows[0].Conversation = []wildChatTurn{}
	rows[0].OpenAIModeration = nil
	rows[1].Header = wildChatHeader{}
	got := readParquetSource(t, writeWildChatParquet(t, rows), "", 0)
	require.Len(t, got, 2)

	var r0, r1 map[string]any
	require.NoError(t, jsonx.Unmarshal(got[0].rec, &r0))
	require.NoError(t, jsonx.Unmarshal(got[1].rec, &r1))
	assert.Equal(t, []any{}, r0["conversation"])
	assert.Equal(t, []any{}, r0["openai_moderation"])
	assert.Equal(t, map[string]any{"accept-language": nil, "user-agent": nil}, r1["header"])
	assert.Equal(t, "", got[0].loc.File)
}

type typesInner struct {
	A string  `parquet:"a"`
	B []int64 `parquet:"b,list"`
}

// typesRow covers the Parquet types and nestings a dump may use beyond the
// WildChat and LMSYS schemas.
type typesRow struct {
	Conversation []string         `parquet:"conversation,list"`
	Date         int32            `parquet:"date,date"`
	Dec          int64            `parquet:"dec,decimal(2:10)"`
	DecNeg       int32            `parquet:"dec_neg,decimal(3:9)"`
	DecBytes     []byte           `parquet:"dec_bytes,decimal(1:30)"`
	UUID         [16]byte         `parquet:"uuid,uuid"`
	U32          uint32           `parquet:"u32"`
	U64          uint64           `parquet:"u64"`
	F32          float32          `parquet:"f32"`
	F64          float64          `parquet:"f64"`
	JS           string           `parquet:"js,json"`
	Tags         map[string]int32 `parquet:"tags"`
	Matrix       [][]int32        `parquet:"matrix,list"`
	Bare         []string         `parquet:"bare"`
	OptList      []string         `parquet:"opt_list,optional,list"`
	Inner        *typesInner      `parquet:"inner,optional"`
	Raw          []byte           `parquet:"raw"`
	Enum         string           `parquet:"enum,enum"`
	TOD          int32            `parquet:"tod,time(millisecond)"`
	TSN          int64            `parquet:"tsn,timestamp(nanosecond)"`
	TSL          time.Time        `parquet:"tsl,timestamp(millisecond:local)"`
	I96          deprecated.Int96 `parquet:"i96"`
	OptInt       *int64           `parquet:"opt_int,optional"`
}

func int96Of(tm time.Time) deprecated.Int96 {
	days := tm.Unix() / 86400
	if tm.Before(time.Unix(days*86400, 0)) {
		days-- // floor, so that the nanoseconds of the day are never negative
	}
	nanos := uint64(tm.Sub(time.Unix(days*86400, 0)))
	return deprecated.Int96{uint32(nanos), uint32(nanos >> 32), uint32(days + unixEpochJulianDay)}
}

func TestParquetSourceTypes(t *testing.T) {
	day := time.Date(2024, 1, 2, 0, 0, 0, 0, time.UTC)
	rows := []typesRow{{
		Conversation: []string{"hi"},
		Date:         int32(day.Unix() / 86400),
		Dec:          12345,
		DecNeg:       -5,
		DecBytes:     append(bytes.Repeat([]byte{0xff}, 11), 0xcf, 0xc7), // -12345 in 13 bytes
		UUID:         [16]byte{0x12, 0x3e, 0x45, 0x67, 0xe8, 0x9b, 0x12, 0xd3, 0xa4, 0x56, 0x42, 0x66, 0x14, 0x17, 0x40, 0x00},
		U32:          math.MaxUint32,
		U64:          math.MaxUint64,
		F32:          0.1,
		F64:          -2.5e-300,
		JS:           `{"k": [1, 2]}`,
		Tags:         map[string]int32{"x": 7},
		Matrix:       [][]int32{{1, 2}, {}, {3}},
		Bare:         []string{"a", "b"},
		Inner:        &typesInner{A: "in", B: []int64{-1, 2}},
		Raw:          []byte("raw bytes"),
		Enum:         "RED",
		TOD:          3723004,
		TSN:          1700000000123456789,
		TSL:          time.Date(2020, 2, 29, 12, 0, 0, 0, time.UTC),
		I96:          int96Of(time.Date(2024, 1, 2, 3, 4, 5, 6, time.UTC)),
		OptInt:       ptr(int64(-42)),
	}, {
		Conversation: []string{},
		DecBytes:     append(make([]byte, 12), 0x01),
		F32:          float32(math.Inf(1)),
		F64:          math.NaN(),
		JS:           "not json",
		OptList:      []string{"x"},
		TSL:          time.Date(1999, 12, 31, 23, 59, 59, 999e6, time.UTC),
		I96:          int96Of(time.Date(1969, 12, 31, 23, 59, 59, 5e8, time.UTC)),
	}}
	want := []string{`{
		"conversation": ["hi"], "date": "2024-01-02", "dec": 123.45, "dec_neg": -0.005, "dec_bytes": -1234.5,
		"uuid": "123e4567-e89b-12d3-a456-426614174000", "u32": 4294967295, "u64": 18446744073709551615,
		"f32": 0.1, "f64": -2.5e-300, "js": {"k": [1, 2]}, "tags": {"x": 7}, "matrix": [[1, 2], [], [3]],
		"bare": ["a", "b"], "opt_list": null, "inner": {"a": "in", "b": [-1, 2]}, "raw": "raw bytes",
		"enum": "RED", "tod": "01:02:03.004", "tsn": "2023-11-14T22:13:20.123456789Z",
		"tsl": "2020-02-29T12:00:00Z", "i96": "2024-01-02T03:04:05.000000006Z", "opt_int": -42}`, `{
		"conversation": [], "date": "1970-01-01", "dec": 0, "dec_neg": 0, "dec_bytes": 0.1,
		"uuid": "00000000-0000-0000-0000-000000000000", "u32": 0, "u64": 0,
		"f32": null, "f64": null, "js": "not json", "tags": {}, "matrix": [],
		"bare": [], "opt_list": ["x"], "inner": null, "raw": "",
		"enum": "", "tod": "00:00:00", "tsn": "1970-01-01T00:00:00Z",
		"tsl": "1999-12-31T23:59:59.999Z", "i96": "1969-12-31T23:59:59.5Z", "opt_int": null}`}

	data := writeParquet(t, rows, 1)
	got := readParquetSource(t, data, "types.parquet", 0)
	require.Len(t, got, len(rows))
	for i, r := range got {
		require.NoError(t, r.err)
		assert.JSONEq(t, want[i], string(r.rec), "row %d", i+1)
		assert.Equal(t, parquetColumnNames(t, data), topLevelKeys(t, r.rec))
	}
}

func TestParquetSourceMissingColumn(t *testing.T) {
	type noConversation struct {
		ConversationID string `parquet:"conversation_id"`
		Model          string `parquet:"model"`
		Prompt         string `parquet:"prompt"`
	}
	data := writeParquet(t, []noConversation{{"a", "m", "p"}}, 0)
	_, err := newParquetSource(bytes.NewReader(data), int64(len(data)), "x.parquet", 0)
	var pe *ParseError
	require.ErrorAs(t, err, &pe)
	assert.Equal(t, ReasonMissingColumn, pe.Reason)
	assert.Equal(t, "x.parquet", pe.File)
	assert.Zero(t, pe.Row)
	assert.ErrorIs(t, err, ErrUnknownFormat)
	for _, col := range []string{"conversation_id", "model", "prompt"} {
		assert.Contains(t, err.Error(), col, "the error names the columns it saw")
	}

	// A row that has the column but lacks fields a format needs still reads.
	type bare struct {
		Messages []string `parquet:"messages,list"`
	}
	got := readParquetSource(t, writeParquet(t, []bare{{Messages: []string{"x"}}}, 0), "", 0)
	require.Len(t, got, 1)
	assert.JSONEq(t, `{"messages":["x"]}`, string(got[0].rec))
}

func TestParquetSourceInvalidData(t *testing.T) {
	data := writeWildChatParquet(t, sampleWildChatRows(4))
	cases := map[string][]byte{
		"empty":          nil,
		"magic only":     []byte("PAR1"),
		"half":           data[:len(data)/2],
		"minus one byte": data[:len(data)-1],
		"no header":      data[4:],
		"json":           []byte(`{"conversation": []}` + strings.Repeat(" ", 64)),
		"bad footer":     append(append([]byte("PAR1"), bytes.Repeat([]byte{0xff}, 64)...), 0x20, 0, 0, 0, 'P', 'A', 'R', '1'),
	}
	for name, in := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := newParquetSource(bytes.NewReader(in), int64(len(in)), "bad.parquet", 0)
			var pe *ParseError
			require.ErrorAs(t, err, &pe)
			assert.Equal(t, ReasonInvalidParquet, pe.Reason)
			assert.Equal(t, "bad.parquet", pe.File)
			assert.ErrorIs(t, err, ErrInvalidParquet)
		})
	}
}

func TestParquetSourceCorruptRowGroup(t *testing.T) {
	rows := sampleWildChatRows(9)
	data := bytes.Clone(writeWildChatParquet(t, rows))
	f, err := parquet.OpenFile(bytes.NewReader(data), int64(len(data)))
	require.NoError(t, err)
	require.Len(t, f.RowGroups(), 3)
	// Overwrite the page header of the first column of the middle row group.
	off := f.Metadata().RowGroups[1].Columns[0].MetaData.DataPageOffset
	for i := range int64(16) {
		data[off+i] = 0xff
	}

	got := readParquetSource(t, data, "c.parquet", 0)
	require.Len(t, got, 9, "every row is accounted for")
	for i, r := range got {
		assert.Equal(t, i+1, r.loc.Row)
		if i >= 3 && i < 6 {
			var pe *ParseError
			require.ErrorAs(t, r.err, &pe, "row %d", i+1)
			assert.Equal(t, ReasonInvalidParquet, pe.Reason)
			assert.Equal(t, i+1, pe.Row)
			assert.Equal(t, "c.parquet", pe.File)
			continue
		}
		require.NoError(t, r.err, "row %d", i+1)
		var back wildChatRow
		require.NoError(t, jsonx.Unmarshal(r.rec, &back))
		assert.Equal(t, rows[i], back)
	}
}

// TestParquetSourceRandomCorruption flips random bytes of a file: opening
// either fails with invalid_parquet or every row is accounted for as a
// record or a *ParseError, and nothing panics.
func TestParquetSourceRandomCorruption(t *testing.T) {
	const nrows = 9
	rows := sampleWildChatRows(nrows)
	rows[2].Conversation[0].Content = "not so long" // keep each iteration cheap
	data := writeWildChatParquet(t, rows)
	rng := rand.New(rand.NewPCG(3, 4))
	var opened, rowErrors int
	for range 200 {
		d := bytes.Clone(data)
		for range 1 + rng.IntN(4) {
			d[rng.IntN(len(d))] = byte(rng.Uint32())
		}
		src, err := newParquetSource(bytes.NewReader(d), int64(len(d)), "r.parquet", 0)
		if err != nil {
			var pe *ParseError
			require.ErrorAs(t, err, &pe)
			require.Contains(t, []string{ReasonInvalidParquet, ReasonMissingColumn}, pe.Reason)
			continue
		}
		opened++
		n := 0
		for ; n <= nrows; n++ {
			_, loc, err := src.next()
			if errors.Is(err, io.EOF) {
				break
			}
			require.Equal(t, n+1, loc.Row)
			if err != nil {
				var pe *ParseError
				require.ErrorAs(t, err, &pe)
				rowErrors++
			}
		}
		require.Equal(t, nrows, n, "every row is accounted for")
	}
	assert.Positive(t, opened)
	assert.Positive(t, rowErrors, "some corruptions hit the pages")
}

func TestParquetSourceRecordTooLarge(t *testing.T) {
	rows := sampleWildChatRows(6)
	rows[1].Conversation[0].Content = strings.Repeat("x", 300_000) // over the limit in raw bytes
	rows[4].Conversation[0].Content = strings.Repeat(`"`, 150_000) // over the limit only once escaped
	data := writeWildChatParquet(t, rows)
	got := readParquetSource(t, data, "big.parquet", 280_000)
	require.Len(t, got, 6)
	for i, r := range got {
		assert.Equal(t, i+1, r.loc.Row)
		if i == 1 || i == 4 {
			var pe *ParseError
			require.ErrorAs(t, r.err, &pe, "row %d", i+1)
			assert.Equal(t, ReasonRecordTooLarge, pe.Reason)
			assert.Equal(t, Location{File: "big.parquet", Row: i + 1}, Location{File: pe.File, Row: pe.Row})
			assert.ErrorIs(t, r.err, ErrRecordTooLarge)
			continue
		}
		require.NoError(t, r.err, "row %d", i+1)
		assert.LessOrEqual(t, len(r.rec), 280_000)
		var back wildChatRow
		require.NoError(t, jsonx.Unmarshal(r.rec, &back))
		assert.Equal(t, rows[i], back)
	}
}

func TestParquetSourceInvalidUTF8PassesThrough(t *testing.T) {
	rows := sampleLMSYSRows(1)
	rows[0].Conversation[0].Content = "bad \xff\xfe byte"
	got := readParquetSource(t, writeLMSYSParquet(t, rows), "", 0)
	require.Len(t, got, 1)
	require.NoError(t, got[0].err)
	rec := got[0].rec
	assert.False(t, utf8.Valid(rec), "invalid UTF-8 reaches the reader's UTF-8 policy unchanged")
	assert.True(t, bytes.Contains(rec, []byte("bad \xff\xfe byte")))
	var back lmsysRow
	require.NoError(t, jsonx.Unmarshal(bytes.ToValidUTF8(rec, []byte("\uFFFD")), &back))
	assert.Equal(t, "bad \uFFFD byte", back.Conversation[0].Content)
}

func TestAppendJSONBytes(t *testing.T) {
	for _, s := range []string{"", "plain", "q\"b\\", "\n\r\t\x00\x1f\x7f", "é 🙂 中文", "</script>&"} {
		out := appendJSONBytes([]byte("x"), []byte(s))
		require.Equal(t, byte('x'), out[0])
		var back string
		require.NoError(t, jsonx.Unmarshal(out[1:], &back), "%q -> %s", s, out[1:])
		assert.Equal(t, s, back)
	}
}

func TestAppendFloatMatchesJSONEncoder(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	values := []float64{0, 1, -1, 0.1, 1e-6, 9.99e-7, 1e20, 1e21, 123456789.125, 6e-05, -2.5e-300, math.MaxFloat64, math.SmallestNonzeroFloat64}
	for range 2000 {
		values = append(values, math.Float64frombits(rng.Uint64()))
	}
	for _, f := range values {
		if math.IsNaN(f) || math.IsInf(f, 0) {
			assert.Equal(t, "null", string(appendFloat(nil, f, 64)))
			continue
		}
		want, err := jsonx.Marshal(f)
		require.NoError(t, err)
		assert.Equal(t, string(want), string(appendFloat(nil, f, 64)), "float64 %v", f)
		f32 := float32(f)
		if math.IsInf(float64(f32), 0) {
			continue
		}
		want, err = jsonx.Marshal(f32)
		require.NoError(t, err)
		assert.Equal(t, string(want), string(appendFloat(nil, float64(f32), 32)), "float32 %v", f32)
	}
}

func TestParquetSourceCloseStops(t *testing.T) {
	data := writeLMSYSParquet(t, sampleLMSYSRows(5))
	src, err := newParquetSource(bytes.NewReader(data), int64(len(data)), "", 0)
	require.NoError(t, err)
	_, _, err = src.next()
	require.NoError(t, err)
	c, ok := src.(interface{ Close() error })
	require.True(t, ok, "the source releases its resources through Close")
	require.NoError(t, c.Close())
	_, _, err = src.next()
	assert.True(t, errors.Is(err, io.EOF), "next after Close returns io.EOF, got %v", err)
}

// readParquetConversations reads every conversation of data through NewReader.
func readParquetConversations(t *testing.T, data []byte, name string, strict bool) ([]*Conversation, ReadStats, error) {
	t.Helper()
	r := NewReader(bytes.NewReader(data), name)
	r.Strict = strict
	defer r.Close()
	var out []*Conversation
	for {
		c, err := r.Next(context.Background())
		if errors.Is(err, io.EOF) {
			return out, r.Stats(), nil
		}
		if err != nil {
			return out, r.Stats(), err
		}
		out = append(out, c)
	}
}

// asJSONLines encodes rows as JSON Lines, the container the same logs are
// also distributed in.
func asJSONLines[T any](t *testing.T, rows []T) []byte {
	t.Helper()
	var buf bytes.Buffer
	for _, row := range rows {
		b, err := jsonx.Marshal(row)
		require.NoError(t, err)
		buf.Write(b)
		buf.WriteByte('\n')
	}
	return buf.Bytes()
}

// withoutLocations returns copies of convs with Location cleared, since rows
// and lines are numbered differently.
func withoutLocations(convs []*Conversation) []Conversation {
	out := make([]Conversation, len(convs))
	for i, c := range convs {
		out[i] = *c
		out[i].Location = Location{}
	}
	return out
}

func gzipBytes(t *testing.T, data []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	_, err := zw.Write(data)
	require.NoError(t, err)
	require.NoError(t, zw.Close())
	return buf.Bytes()
}

func TestNewReaderParquetMatchesJSONLines(t *testing.T) {
	wild := sampleWildChatRows(10)
	lmsys := sampleLMSYSRows(5)
	cases := []struct {
		name    string
		parquet []byte
		jsonl   []byte
		source  string
		rows    int
	}{
		{"wildchat.parquet", writeWildChatParquet(t, wild), asJSONLines(t, wild), "wildchat", len(wild)},
		{"lmsys.parquet", writeLMSYSParquet(t, lmsys), asJSONLines(t, lmsys), "lmsys", len(lmsys)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			fromParquet, pst, err := readParquetConversations(t, tc.parquet, tc.name, true)
			require.NoError(t, err)
			fromJSONL, jst, err := readParquetConversations(t, tc.jsonl, tc.name, true)
			require.NoError(t, err)
			require.Len(t, fromParquet, tc.rows)
			assert.Equal(t, withoutLocations(fromJSONL), withoutLocations(fromParquet))
			assert.Equal(t, jst, pst)
			assert.Equal(t, map[string]int64{tc.source: int64(tc.rows)}, pst.Formats)
			for i, c := range fromParquet {
				assert.Equal(t, Location{File: tc.name, Row: i + 1}, c.Location)
				assert.Equal(t, tc.source, c.Source)
			}

			// The same file gzip-compressed is sniffed and read the same way.
			gz, gst, err := readParquetConversations(t, gzipBytes(t, tc.parquet), tc.name, true)
			require.NoError(t, err)
			assert.Equal(t, fromParquet, gz)
			assert.Equal(t, pst, gst)
		})
	}

	// Spot-check the normalised WildChat fields against the rows written.
	convs, _, err := readParquetConversations(t, cases[0].parquet, "w", true)
	require.NoError(t, err)
	for i, c := range convs {
		row := wild[i]
		assert.Equal(t, row.ConversationHash, c.ID)
		assert.Equal(t, row.Model, c.Model)
		assert.Equal(t, row.Language, c.Language)
		assert.True(t, row.Timestamp.Equal(c.Timestamp), "row %d timestamp", i+1)
		var want []Message
		for j, turn := range row.Conversation {
			if turn.Content == "" {
				continue // empty messages are dropped
			}
			want = append(want, Message{Role: Role(turn.Role), Content: turn.Content, Index: j})
		}
		assert.Equal(t, want, c.Messages, "row %d messages", i+1)
	}
}

func TestNewReaderParquetBadFiles(t *testing.T) {
	type noConversation struct {
		ID     string `parquet:"id"`
		Prompt string `parquet:"prompt"`
	}
	missing := writeParquet(t, []noConversation{{"a", "b"}, {"c", "d"}}, 0)
	good := writeWildChatParquet(t, sampleWildChatRows(4))
	truncated := good[:len(good)-100]

	for name, tc := range map[string]struct {
		data   []byte
		reason string
	}{
		"missing column": {missing, ReasonMissingColumn},
		"truncated":      {truncated, ReasonInvalidParquet},
	} {
		t.Run(name, func(t *testing.T) {
			convs, st, err := readParquetConversations(t, tc.data, "bad.parquet", false)
			require.NoError(t, err, "lenient mode counts the file and goes on")
			assert.Empty(t, convs)
			assert.Equal(t, map[string]int64{tc.reason: 1}, st.Skipped)

			_, _, err = readParquetConversations(t, tc.data, "bad.parquet", true)
			var pe *ParseError
			require.ErrorAs(t, err, &pe)
			assert.Equal(t, tc.reason, pe.Reason)
			assert.Equal(t, "bad.parquet", pe.File)
		})
	}

	// A corrupt row group is skipped row by row; the rest of the file is read.
	rows := sampleWildChatRows(9)
	data := bytes.Clone(writeWildChatParquet(t, rows))
	f, err := parquet.OpenFile(bytes.NewReader(data), int64(len(data)))
	require.NoError(t, err)
	off := f.Metadata().RowGroups[0].Columns[0].MetaData.DataPageOffset
	copy(data[off:], bytes.Repeat([]byte{0xff}, 16))
	convs, st, err := readParquetConversations(t, data, "c.parquet", false)
	require.NoError(t, err)
	assert.Len(t, convs, 6)
	assert.Equal(t, int64(9), st.Records)
	assert.Equal(t, map[string]int64{ReasonInvalidParquet: 3}, st.Skipped)
	assert.Equal(t, 4, convs[0].Location.Row)
}

// ExampleNewReader_parquet reads a WildChat-style Parquet file. The
// conversation list column of each row becomes the conversation's messages.
func ExampleNewReader_parquet() {
	type turn struct {
		Role    string `parquet:"role"`
		Content string `parquet:"content"`
	}
	type row struct {
		ConversationHash string `parquet:"conversation_hash"`
		Model            string `parquet:"model"`
		Conversation     []turn `parquet:"conversation,list"`
	}
	var file bytes.Buffer
	err := parquet.Write(&file, []row{{
		ConversationHash: "abc123",
		Model:            "gpt-4",
		Conversation: []turn{
			{Role: "user", Content: "What is the capital of Australia?"},
			{Role: "assistant", Content: "Sydney."},
			{Role: "user", Content: "No, that's wrong."},
		},
	}})
	if err != nil {
		panic(err)
	}

	r := NewReader(&file, "wildchat.parquet")
	defer r.Close()
	for c, err := range r.All(context.Background()) {
		if err != nil {
			fmt.Println("error:", err)
			return
		}
		fmt.Println(c.ID, c.Source, c.Model, "row", c.Location.Row)
		for _, m := range c.Messages {
			fmt.Printf("  %s: %s\n", m.Role, m.Content)
		}
	}
	// Output:
	// abc123 wildchat gpt-4 row 1
	//   user: What is the capital of Australia?
	//   assistant: Sydney.
	//   user: No, that's wrong.
}

func BenchmarkParquetSource(b *testing.B) {
	rows := sampleWildChatRows(600)
	for i := range rows {
		rows[i].Conversation[0].Content = strings.Repeat("Please rewrite this paragraph. ", 64)
	}
	data := writeParquet(b, rows, 100)
	var jsonBytes int64
	for _, r := range readParquetSource(b, data, "", 0) {
		jsonBytes += int64(len(r.rec))
	}
	b.SetBytes(jsonBytes) // throughput in JSON produced
	b.ReportMetric(float64(len(data)), "parquet-bytes")
	b.ReportAllocs()
	for b.Loop() {
		src, err := newParquetSource(bytes.NewReader(data), int64(len(data)), "", 0)
		if err != nil {
			b.Fatal(err)
		}
		n := 0
		for {
			_, _, err := src.next()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
			n++
		}
		if n != len(rows) {
			b.Fatalf("read %d rows, want %d", n, len(rows))
		}
	}
}
