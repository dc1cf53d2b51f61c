package conversation

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const badDir = "../testdata/bad"

// Each bad fixture holds a good record, a bad one on line 2 and a good one on line 3.
func TestBadInputs(t *testing.T) {
	cases := []struct {
		file     string
		reason   string
		sentinel error
	}{
		{"truncated.jsonl", ReasonInvalidJSON, ErrInvalidJSON},
		{"not-json.jsonl", ReasonInvalidJSON, ErrInvalidJSON},
		{"wrong-type.jsonl", ReasonWrongType, ErrWrongType},
		{"wrong-type-messages.jsonl", ReasonWrongType, ErrWrongType},
		{"unknown-role.jsonl", ReasonUnknownRole, ErrUnknownRole},
		{"empty-conversation.jsonl", ReasonEmptyConversation, ErrEmptyConversation},
		{"invalid-utf8.jsonl", ReasonInvalidUTF8, ErrInvalidUTF8},
	}
	for _, tc := range cases {
		t.Run(tc.file, func(t *testing.T) {
			path := filepath.Join(badDir, tc.file)

			// Strict: the typed error with file and line, then reading can go on.
			r, err := Open(path)
			require.NoError(t, err)
			defer r.Close()
			r.Strict = true
			c, err := r.Next(context.Background())
			require.NoError(t, err)
			assert.Equal(t, "g1", c.ID)
			_, err = r.Next(context.Background())
			var pe *ParseError
			require.ErrorAs(t, err, &pe)
			assert.Equal(t, tc.reason, pe.Reason)
			assert.Equal(t, path, pe.File)
			assert.Equal(t, 2, pe.Line)
			assert.ErrorIs(t, err, tc.sentinel)
			assert.True(t, strings.HasPrefix(err.Error(), path+":2: "+tc.reason), err.Error())
			c, err = r.Next(context.Background())
			require.NoError(t, err)
			assert.Equal(t, "g3", c.ID)

			// Lenient: counted, and nothing after it is lost.
			var skipped []*ParseError
			convs, st, err := readFile(t, path, func(r *Reader) {
				r.OnSkip = func(pe *ParseError) { skipped = append(skipped, pe) }
			})
			require.NoError(t, err)
			if tc.reason == ReasonInvalidUTF8 {
				// Lenient readers repair invalid UTF-8 and say so.
				require.Len(t, convs, 3)
				assert.Equal(t, "caf\uFFFD \uFFFD", convs[1].Messages[0].Content)
				assert.Equal(t, map[string]int64{ReasonInvalidUTF8: 1}, st.Repaired)
				assert.Empty(t, st.Skipped)
				return
			}
			require.Len(t, convs, 2)
			assert.Equal(t, []string{"g1", "g3"}, []string{convs[0].ID, convs[1].ID})
			assert.Equal(t, int64(3), st.Records)
			assert.Equal(t, map[string]int64{tc.reason: 1}, st.Skipped)
			require.Len(t, skipped, 1)
			assert.Equal(t, 2, skipped[0].Line)
		})
	}
}

func TestUnknownFormatNamesFields(t *testing.T) {
	path := filepath.Join(badDir, "unknown-format.jsonl")
	_, _, err := readFile(t, path, func(r *Reader) { r.Strict = true })
	assert.ErrorIs(t, err, ErrUnknownFormat)
	assert.ErrorContains(t, err, "[completion, prompt]")
	assert.ErrorContains(t, err, path+":1: unknown_format")

	convs, st, err := readFile(t, path, nil)
	require.NoError(t, err)
	require.Len(t, convs, 1, "detection is retried on the next record")
	assert.Equal(t, map[string]int64{ReasonUnknownFormat: 1}, st.Skipped)
	assert.Equal(t, map[string]int64{"openai": 1}, st.Formats)
}

func TestTruncatedArray(t *testing.T) {
	path := filepath.Join(badDir, "truncated-array.json")
	convs, _, err := readFile(t, path, func(r *Reader) { r.Strict = true })
	var pe *ParseError
	require.ErrorAs(t, err, &pe)
	assert.ErrorIs(t, err, ErrTruncated)
	assert.Equal(t, ReasonTruncated, pe.Reason)
	assert.Equal(t, 3, pe.Row, "the third element never closes")
	assert.Equal(t, 4, pe.Line)
	assert.Len(t, convs, 2)

	convs, st, err := readFile(t, path, nil)
	require.NoError(t, err)
	assert.Len(t, convs, 2)
	assert.Equal(t, map[string]int64{ReasonTruncated: 1}, st.Skipped)
	assert.Equal(t, int64(3), st.Records)
}

func TestArrayGarbage(t *testing.T) {
	good := `{"messages":[{"role":"user","content":"a, ] } [ \" \\"}]}`
	for name, tc := range map[string]struct {
		in      string
		convs   int
		skipped map[string]int64
	}{
		"strings with brackets": {in: "[" + good + "," + good + "]", convs: 2},
		"scalar element":        {in: "[" + good + ", 42 ,\n" + good + "]", convs: 2, skipped: map[string]int64{ReasonWrongType: 1}},
		"missing comma":         {in: "[" + good + " " + good + "]", convs: 1, skipped: map[string]int64{ReasonInvalidJSON: 1}},
		"trailing garbage":      {in: "[" + good + "] x", convs: 1, skipped: map[string]int64{ReasonInvalidJSON: 1}},
	} {
		t.Run(name, func(t *testing.T) {
			convs, st, err := readAll2(t, NewReader(strings.NewReader(tc.in), "a.json"))
			require.NoError(t, err)
			assert.Len(t, convs, tc.convs)
			if tc.skipped == nil {
				tc.skipped = map[string]int64{}
			}
			assert.Equal(t, tc.skipped, st.Skipped)
			if len(convs) > 0 {
				assert.Equal(t, "a, ] } [ \" \\", convs[0].Messages[0].Content)
			}
		})
	}
}

func TestCutGzip(t *testing.T) {
	var lines []string
	for i := range 2000 {
		lines = append(lines, `{"messages":[{"role":"user","content":"line `+strings.Repeat("x", i%50)+`"}]}`)
	}
	data := compressed(t, []byte(strings.Join(lines, "\n")+"\n"), "gzip")
	half := data[:len(data)/2]

	r := NewReader(bytes.NewReader(half), "cut.jsonl.gz")
	r.Strict = true
	convs, err := readAll(t, r)
	var pe *ParseError
	require.ErrorAs(t, err, &pe)
	assert.ErrorIs(t, err, ErrCorruptCompression)
	assert.Equal(t, ReasonCorruptCompress, pe.Reason)
	assert.Equal(t, len(convs)+1, pe.Line, "the error is at the line being read when the stream broke")
	assert.Greater(t, len(convs), 100)
	assert.Less(t, len(convs), 2000)
	_, err = r.Next(context.Background())
	assert.Equal(t, io.EOF, err, "nothing can follow a broken stream")

	r = NewReader(bytes.NewReader(half), "cut.jsonl.gz")
	lenient, err := readAll(t, r)
	require.NoError(t, err)
	assert.Equal(t, len(convs), len(lenient))
	assert.Equal(t, map[string]int64{ReasonCorruptCompress: 1}, r.Stats().Skipped)

	// A gzip header alone is corrupt too.
	r = NewReader(bytes.NewReader(data[:5]), "hdr.gz")
	r.Strict = true
	_, err = r.Next(context.Background())
	assert.ErrorIs(t, err, ErrCorruptCompression)
}

// lineGenerator produces one JSON Lines record whose content is n bytes long,
// then a normal record, without ever holding the long line in memory.
type lineGenerator struct {
	n      int64
	prefix string
	pos    int64
	suffix string
}

func (g *lineGenerator) Read(p []byte) (int, error) {
	total := int64(len(g.prefix)) + g.n + int64(len(g.suffix))
	if g.pos >= total {
		return 0, io.EOF
	}
	k := 0
	for k < len(p) && g.pos < total {
		var n int
		switch {
		case g.pos < int64(len(g.prefix)):
			n = copy(p[k:], g.prefix[g.pos:])
		case g.pos < int64(len(g.prefix))+g.n:
			left := int64(len(g.prefix)) + g.n - g.pos
			n = copy(p[k:], aaaa[:min(int64(len(aaaa)), left)])
		default:
			n = copy(p[k:], g.suffix[g.pos-int64(len(g.prefix))-g.n:])
		}
		k += n
		g.pos += int64(n)
	}
	return k, nil
}

var aaaa = bytes.Repeat([]byte("a"), 64<<10)

func TestHugeLineRejectedWithoutBuffering(t *testing.T) {
	if testing.Short() {
		t.Skip("reads 1 GB from a generator")
	}
	for _, container := range []string{"jsonl", "array"} {
		t.Run(container, func(t *testing.T) {
			gen := &lineGenerator{n: hugeLineSize,
				prefix: `{"messages":[{"role":"user","content":"`,
				suffix: `"}]}` + "\n" + `{"id":"after","messages":[{"role":"user","content":"ok"}]}` + "\n"}
			var in io.Reader = gen
			if container == "array" {
				gen.prefix = "[" + gen.prefix
				gen.suffix = `"}]},` + "\n" + `{"id":"after","messages":[{"role":"user","content":"ok"}]}]`
				in = gen
			}
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			r := NewReader(in, "huge")
			var skipped *ParseError
			r.OnSkip = func(pe *ParseError) { skipped = pe }
			convs, err := readAll(t, r)
			runtime.ReadMemStats(&after)
			require.NoError(t, err)
			require.NotNil(t, skipped)
			assert.ErrorIs(t, skipped, ErrRecordTooLarge)
			assert.Equal(t, 1, skipped.Line)
			require.Len(t, convs, 1, "the record after the huge one is read")
			assert.Equal(t, "after", convs[0].ID)
			assert.Equal(t, 2, convs[0].Location.Line)
			assert.Less(t, after.TotalAlloc-before.TotalAlloc, uint64(100<<20), "allocated bytes")
		})
	}
}

func TestRecordTooLargeStrict(t *testing.T) {
	in := `{"messages":[{"role":"user","content":"` + strings.Repeat("b", 5000) + `"}]}` + "\n" +
		`{"messages":[{"role":"user","content":"small"}]}` + "\n"
	r := NewReader(strings.NewReader(in), "big.jsonl")
	r.MaxRecordSize = 1000
	r.Strict = true
	_, err := r.Next(context.Background())
	var pe *ParseError
	require.ErrorAs(t, err, &pe)
	assert.ErrorIs(t, err, ErrRecordTooLarge)
	assert.Equal(t, ReasonRecordTooLarge, pe.Reason)
	assert.Equal(t, 1, pe.Line)
	c, err := r.Next(context.Background())
	require.NoError(t, err)
	assert.Equal(t, "small", c.Messages[0].Content)
}

func TestOpenMissingFile(t *testing.T) {
	_, err := Open(filepath.Join(t.TempDir(), "nope.jsonl"))
	assert.ErrorIs(t, err, os.ErrNotExist)
}
