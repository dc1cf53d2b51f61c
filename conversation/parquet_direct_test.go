package conversation

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dsatmine/dsatmine/internal/jsonx"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Row layouts of chat logs published as Parquet, for comparing the direct
// read of message lists (parquet_direct.go) with the JSON path.

type sgTurn struct {
	From  string `parquet:"from"`
	Value string `parquet:"value"`
}

type sgRow struct {
	ID            string   `parquet:"id"`
	Conversations []sgTurn `parquet:"conversations,list"`
}

type sgOptTurn struct {
	From  *string `parquet:"from,optional"`
	Value *string `parquet:"value,optional"`
	Lang  *string `parquet:"lang,optional"` // a field no parser reads
}

type sgOptRow struct {
	ID            *string      `parquet:"id,optional"`
	Model         *string      `parquet:"model,optional"`
	Conversations []*sgOptTurn `parquet:"conversations,list,optional"`
}

// sgRepeatedRow keeps the turns in a repeated group without a LIST annotation.
type sgRepeatedRow struct {
	ID            string   `parquet:"id"`
	Conversations []sgTurn `parquet:"conversations"`
}

type sgRoleTurn struct {
	Role    string `parquet:"role"`
	Content string `parquet:"content"`
}

type sgRoleRow struct {
	ID            int64        `parquet:"id"`
	Conversations []sgRoleTurn `parquet:"conversations,list"`
}

// sgCaseTurn spells a field the parser reads with a capital: JSON keys match
// case-insensitively, so the direct read stays off.
type sgCaseTurn struct {
	From  string `parquet:"From"`
	Value string `parquet:"value"`
}

type sgCaseRow struct {
	ID            string       `parquet:"id"`
	Conversations []sgCaseTurn `parquet:"conversations,list"`
}

type oaFunc struct {
	Name      string `parquet:"name"`
	Arguments string `parquet:"arguments"`
}

type oaToolCall struct {
	ID       string `parquet:"id"`
	Type     string `parquet:"type"`
	Function oaFunc `parquet:"function"`
}

type oaMsg struct {
	Role       string       `parquet:"role"`
	Content    *string      `parquet:"content,optional"`
	Name       *string      `parquet:"name,optional"`
	ToolCalls  []oaToolCall `parquet:"tool_calls,list,optional"`
	ToolCallID *string      `parquet:"tool_call_id,optional"`
}

type oaRow struct {
	Messages []oaMsg `parquet:"messages,list"`
	Source   string  `parquet:"source"`
	Language *string `parquet:"language,optional"`
}

type oaPart struct {
	Type string  `parquet:"type"`
	Text *string `parquet:"text,optional"`
}

type oaPartsMsg struct {
	Role    string   `parquet:"role"`
	Content []oaPart `parquet:"content,list"`
}

type oaPartsRow struct {
	ID       string       `parquet:"id"`
	Messages []oaPartsMsg `parquet:"messages,list"`
}

// directTexts are message texts that exercise JSON escapes, invalid UTF-8,
// blank messages and a ShareGPT tool call.
var directTexts = []string{
	"How do I read a CSV file in Go?",
	"Use encoding/csv:\n\n```go\nr := csv.NewReader(f)\n```",
	"No, I meant without the standard library. \"Quotes\", \\backslashes\\, tab\t, NUL \x00 and </script>",
	"Ce n'est pas ce que je voulais — réessaie. 这不对。🙂",
	"",
	"   \n",
	"broken \xff\xfe UTF-8 \xe2\x82",
	`{"name": "get_weather", "arguments": {"city": "Paris"}}`,
}

func sgRows(n int) []sgRow {
	rows := make([]sgRow, n)
	for i := range rows {
		turns := make([]sgTurn, 2+i%5)
		for j := range turns {
			from := []string{"human", "gpt"}[j%2]
			turns[j] = sgTurn{From: from, Value: directTexts[(i+j)%len(directTexts)]}
		}
		switch i % 11 {
		case 3:
			turns[0].From = "narrator" // an unknown role: the row is skipped
		case 5:
			turns = nil // no messages
		case 7:
			turns[1] = sgTurn{From: "function_call", Value: directTexts[7]}
		case 9:
			for j := range turns {
				turns[j].Value = "" // only empty messages
			}
		}
		rows[i] = sgRow{ID: fmt.Sprintf("sg-%d", i), Conversations: turns}
	}
	return rows
}

func sgOptRows(n int) []sgOptRow {
	rows := make([]sgOptRow, n)
	for i := range rows {
		var turns []*sgOptTurn
		for j := range 2 + i%4 {
			t := &sgOptTurn{From: ptr([]string{"user", "assistant"}[j%2]), Value: ptr(directTexts[(i+j)%4])}
			switch (i + j) % 7 {
			case 2:
				t.Value = nil
			case 4:
				t.Lang = ptr("fr \xff") // invalid UTF-8 in a field no parser reads
			case 6:
				if i%3 == 0 {
					t = nil // a null message
				}
			}
			turns = append(turns, t)
		}
		row := sgOptRow{Conversations: turns}
		if i%4 != 1 {
			row.ID = ptr(fmt.Sprintf("opt-%d", i))
		}
		if i%2 == 0 {
			row.Model = ptr("vicuna-13b")
		}
		if i%9 == 8 {
			row.Conversations = nil // a null list
		}
		rows[i] = row
	}
	return rows
}

func sgRepeatedRows(n int) []sgRepeatedRow {
	rows := make([]sgRepeatedRow, n)
	for i, r := range sgRows(n) {
		rows[i] = sgRepeatedRow(r)
	}
	return rows
}

func sgRoleRows(n int) []sgRoleRow {
	rows := make([]sgRoleRow, n)
	for i, r := range sgRows(n) {
		turns := make([]sgRoleTurn, len(r.Conversations))
		for j, t := range r.Conversations {
			turns[j] = sgRoleTurn{Role: []string{"user", "assistant"}[j%2], Content: t.Value}
		}
		rows[i] = sgRoleRow{ID: int64(1000 + i), Conversations: turns}
	}
	return rows
}

func sgCaseRows(n int) []sgCaseRow {
	rows := make([]sgCaseRow, n)
	for i, r := range sgRows(n) {
		turns := make([]sgCaseTurn, len(r.Conversations))
		for j, t := range r.Conversations {
			turns[j] = sgCaseTurn(t)
		}
		rows[i] = sgCaseRow{ID: r.ID, Conversations: turns}
	}
	return rows
}

func oaRows(n int) []oaRow {
	rows := make([]oaRow, n)
	for i := range rows {
		msgs := []oaMsg{
			{Role: "system", Content: ptr("You are terse.")},
			{Role: "user", Content: ptr(directTexts[i%len(directTexts)])},
			{Role: "assistant", ToolCalls: []oaToolCall{{ID: "call_1", Type: "function",
				Function: oaFunc{Name: "search", Arguments: `{"q":"csv"}`}}}},
			{Role: "tool", Name: ptr("search"), ToolCallID: ptr("call_1"), Content: ptr("3 results")},
			{Role: "assistant", Content: ptr(directTexts[(i+1)%len(directTexts)])},
			{Role: "user", Content: ptr("That's wrong, try again.")},
		}
		if i%6 == 4 {
			msgs[1].Role = "moderator" // an unknown role
		}
		if i%5 == 2 {
			msgs = msgs[:2]
		}
		rows[i] = oaRow{Messages: msgs, Source: []string{"", "chat-dump"}[i%2]}
		if i%3 == 0 {
			rows[i].Language = ptr("English")
		}
	}
	return rows
}

func oaPartsRows(n int) []oaPartsRow {
	rows := make([]oaPartsRow, n)
	for i := range rows {
		rows[i] = oaPartsRow{ID: fmt.Sprintf("parts-%d", i), Messages: []oaPartsMsg{
			{Role: "user", Content: []oaPart{{Type: "text", Text: ptr(directTexts[i%len(directTexts)])}, {Type: "image_url"}}},
			{Role: "assistant", Content: []oaPart{{Type: "text", Text: ptr("Here it is.")}}},
			{Role: "user", Content: []oaPart{{Type: "text", Text: ptr("No, not that one.")}, {Type: "text", Text: ptr("The other.")}}},
		}}
	}
	return rows
}

// directRun is everything a Reader gives for one input.
type directRun struct {
	convs []*Conversation
	stats ReadStats
	skips []string // lenient: the records skipped, with location and message
	errs  []string // strict: the errors Next returned
}

// readDirect reads data with a Reader configured by cfg, through the direct
// read of message lists or (jsonOnly) through JSON, and returns the run and
// how many rows were built from a direct read.
func readDirect(t *testing.T, data []byte, jsonOnly bool, cfg func(*Reader)) (directRun, int64) {
	t.Helper()
	run, direct, err := readDirectErr(t, data, jsonOnly, cfg)
	require.NoError(t, err, "only per-record errors")
	return run, direct
}

// readDirectErr is readDirect that stops at the first error other than a
// *ParseError and returns it.
func readDirectErr(t *testing.T, data []byte, jsonOnly bool, cfg func(*Reader)) (directRun, int64, error) {
	t.Helper()
	r := NewReader(bytes.NewReader(data), "rows.parquet")
	r.pqJSON = jsonOnly
	var run directRun
	r.OnSkip = func(pe *ParseError) {
		run.skips = append(run.skips, fmt.Sprintf("%s row %d %s: %v", pe.File, pe.Row, pe.Reason, pe))
	}
	cfg(r)
	defer r.Close()
	for {
		c, err := r.Next(context.Background())
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			var pe *ParseError
			if !errors.As(err, &pe) {
				run.stats = r.Stats()
				return run, 0, err
			}
			run.errs = append(run.errs, fmt.Sprintf("%s row %d %s: %v", pe.File, pe.Row, pe.Reason, pe))
			require.Less(t, len(run.errs), 100_000)
			continue
		}
		run.convs = append(run.convs, c)
	}
	run.stats = r.Stats()
	var direct int64
	if r.pq != nil {
		direct = r.pq.directRows
	}
	return run, direct, nil
}

// TestParquetDirectMatchesJSON reads Parquet files of every message-list
// layout the direct read handles (and some it must leave alone) both ways,
// leniently and strictly, with the format detected and forced, with and
// without a record-size limit (2000 bytes: no row is certain to fit, so all
// are read as JSON; 32 KiB: some are): conversations, statistics and every
// skipped record's error must be the same.
func TestParquetDirectMatchesJSON(t *testing.T) {
	const n = 40
	cases := []struct {
		name   string
		data   []byte
		format Format
		direct bool // the direct read is used (for the rows it handles)
	}{
		{"sharegpt", writeParquet(t, sgRows(n), 7), FormatShareGPT, true},
		{"sharegpt-optional", writeParquet(t, sgOptRows(n), 6), FormatShareGPT, true},
		{"sharegpt-repeated-group", writeParquet(t, sgRepeatedRows(n), 9), FormatShareGPT, true},
		{"sharegpt-role-content", writeParquet(t, sgRoleRows(n), 0), FormatShareGPT, true},
		{"sharegpt-capitalised-field", writeParquet(t, sgCaseRows(n), 5), FormatShareGPT, false},
		{"openai-tool-calls", writeParquet(t, oaRows(n), 4), FormatOpenAI, true},
		{"openai-content-parts", writeParquet(t, oaPartsRows(n), 8), FormatOpenAI, true},
		{"wildchat", writeWildChatParquet(t, sampleWildChatRows(12)), FormatWildChat, true},
		{"lmsys", writeLMSYSParquet(t, sampleLMSYSRows(n)), FormatLMSYS, true},
	}
	for _, tc := range cases {
		for _, strict := range []bool{false, true} {
			for _, forced := range []bool{false, true} {
				for _, limit := range []int{0, 2000, 1 << 15} {
					name := fmt.Sprintf("%s/strict=%v/forced=%v/limit=%d", tc.name, strict, forced, limit)
					t.Run(name, func(t *testing.T) {
						cfg := func(r *Reader) {
							r.Strict = strict
							r.MaxRecordSize = limit
							if forced {
								r.Format = tc.format
							}
						}
						want, none := readDirect(t, tc.data, true, cfg)
						got, direct := readDirect(t, tc.data, false, cfg)
						assert.Zero(t, none)
						require.NotEmpty(t, want.convs)
						assert.Equal(t, want.convs, got.convs)
						assert.Equal(t, want.stats, got.stats)
						assert.Equal(t, want.skips, got.skips)
						assert.Equal(t, want.errs, got.errs)
						// (WildChat's rows have too many values to be certain
						// to fit 32 KiB.)
						if tc.direct && (limit == 0 || limit == 1<<15 && tc.name != "wildchat") {
							assert.Positive(t, direct, "direct reads")
						}
						if !tc.direct {
							assert.Zero(t, direct, "direct reads")
						}
					})
				}
			}
		}
	}
}

// TestParquetDirectInvalidUTF8 checks the cases the comparison above relies
// on: rows with invalid UTF-8 in their messages (or in a field no parser
// reads) are repaired and counted once, or rejected when strict.
func TestParquetDirectInvalidUTF8(t *testing.T) {
	rows := []sgOptRow{
		{ID: ptr("a"), Conversations: []*sgOptTurn{{From: ptr("human"), Value: ptr("fine")}, {From: ptr("gpt"), Value: ptr("ok")}}},
		{ID: ptr("b"), Conversations: []*sgOptTurn{{From: ptr("human"), Value: ptr("bad \xff byte")}, {From: ptr("gpt"), Value: ptr("ok")}}},
		{ID: ptr("c"), Conversations: []*sgOptTurn{{From: ptr("human"), Value: ptr("fine"), Lang: ptr("\xc3")}, {From: ptr("gpt"), Value: ptr("ok")}}},
		{ID: ptr("d"), Conversations: []*sgOptTurn{{From: ptr("human"), Value: ptr("fine again")}, {From: ptr("gpt"), Value: ptr("ok")}}},
	}
	data := writeParquet(t, rows, 0)
	got, direct := readDirect(t, data, false, func(*Reader) {})
	require.Len(t, got.convs, 4)
	assert.Equal(t, "bad \uFFFD byte", got.convs[1].Messages[0].Content)
	assert.Equal(t, map[string]int64{ReasonInvalidUTF8: 2}, got.stats.Repaired)
	assert.Equal(t, int64(1), direct, "row d; a detects the format, b and c need repair")

	strict, _ := readDirect(t, data, false, func(r *Reader) { r.Strict = true })
	assert.Len(t, strict.convs, 2)
	require.Len(t, strict.errs, 2)
	assert.True(t, strings.Contains(strict.errs[0], "row 2 invalid_utf8"), strict.errs[0])
	assert.True(t, strings.Contains(strict.errs[1], "row 3 invalid_utf8"), strict.errs[1])
}

// FuzzParquetDirect corrupts Parquet files of several message-list layouts
// (uncompressed, so that flipped bytes land in text, levels and lengths as
// well as in headers) and requires the direct read to give exactly what the
// JSON path gives, errors included.
func FuzzParquetDirect(f *testing.F) {
	seeds := [][]byte{
		writeParquet(f, sgRows(12), 5),
		writeParquet(f, sgOptRows(12), 4),
		writeParquet(f, sgRepeatedRows(8), 3),
		writeParquet(f, oaRows(6), 2),
		writeParquet(f, oaPartsRows(4), 2),
	}
	for _, b := range seeds {
		for _, at := range []int{0, len(b) / 3, len(b) / 2, 2 * len(b) / 3} {
			f.Add(b, uint16(at), byte(0x80), false)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte, at uint16, xor byte, strict bool) {
		data = bytes.Clone(data)
		if int(at) < len(data) {
			data[at] ^= xor
		}
		cfg := func(r *Reader) { r.Strict = strict }
		want, _, werr := readDirectErr(t, data, true, cfg)
		got, _, gerr := readDirectErr(t, data, false, cfg)
		require.Equal(t, fmt.Sprint(werr), fmt.Sprint(gerr))
		require.Equal(t, want.convs, got.convs)
		require.Equal(t, want.stats, got.stats)
		require.Equal(t, want.skips, got.skips)
		require.Equal(t, want.errs, got.errs)
	})
}

// BenchmarkReaderParquet reads ShareGPT-layout Parquet rows through the
// Reader with the direct read of message lists and with every row through
// JSON (as before it); MB/s count the bytes of the same rows as JSON Lines.
func BenchmarkReaderParquet(b *testing.B) {
	texts := []string{directTexts[0], directTexts[1], directTexts[2], directTexts[3]} // valid UTF-8, not blank
	rows := make([]sgRow, 3000)
	for i := range rows {
		turns := make([]sgTurn, 2+i%7)
		for j := range turns {
			turns[j] = sgTurn{From: []string{"human", "gpt"}[j%2],
				Value: texts[(i+j)%len(texts)] + strings.Repeat(" Please rewrite this paragraph, it was wrong.", 1+(i*j)%40)}
		}
		rows[i] = sgRow{ID: fmt.Sprintf("sg-%d", i), Conversations: turns}
	}
	var jsonl int64
	for _, r := range rows {
		line, err := jsonx.Marshal(r)
		require.NoError(b, err)
		jsonl += int64(len(line)) + 1
	}
	path := filepath.Join(b.TempDir(), "bench.parquet")
	require.NoError(b, os.WriteFile(path, writeParquet(b, rows, 1000), 0o644))
	for _, jsonOnly := range []bool{false, true} {
		name := "direct"
		if jsonOnly {
			name = "json"
		}
		b.Run(name, func(b *testing.B) {
			b.SetBytes(jsonl)
			b.ReportAllocs()
			for b.Loop() {
				r, err := Open(path)
				require.NoError(b, err)
				r.pqJSON = jsonOnly
				for {
					_, err := r.Next(context.Background())
					if errors.Is(err, io.EOF) {
						break
					}
					if err != nil {
						var pe *ParseError
						if !errors.As(err, &pe) {
							b.Fatal(err)
						}
					}
				}
				r.Close()
			}
		})
	}
}
