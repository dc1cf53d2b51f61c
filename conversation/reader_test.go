package conversation

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const formatsDir = "../testdata/formats"

// readAll drains r and returns the conversations and the first error other than io.EOF.
func readAll(t *testing.T, r *Reader) ([]*Conversation, error) {
	t.Helper()
	var out []*Conversation
	for {
		c, err := r.Next(context.Background())
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return out, err
		}
		out = append(out, c)
	}
}

func readFile(t *testing.T, path string, configure func(*Reader)) ([]*Conversation, ReadStats, error) {
	t.Helper()
	r, err := Open(path)
	require.NoError(t, err)
	defer func() { require.NoError(t, r.Close()) }()
	if configure != nil {
		configure(r)
	}
	convs, err := readAll(t, r)
	return convs, r.Stats(), err
}

func roles(c *Conversation) string {
	var b strings.Builder
	for i, m := range c.Messages {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(string(m.Role))
	}
	return b.String()
}

func indices(c *Conversation) []int {
	out := make([]int, len(c.Messages))
	for i, m := range c.Messages {
		out[i] = m.Index
	}
	return out
}

func TestReadOpenAI(t *testing.T) {
	convs, st, err := readFile(t, filepath.Join(formatsDir, "openai.jsonl"), nil)
	require.NoError(t, err)
	require.Len(t, convs, 3)

	c := convs[0]
	assert.Equal(t, "oa-1", c.ID)
	assert.Equal(t, "openai", c.Source)
	assert.Equal(t, "gpt-x", c.Model)
	assert.Equal(t, "system user assistant user assistant", roles(c))
	assert.Equal(t, "Soft rain on the roof\npuddles gather quietly", c.Messages[2].Content, "text parts joined, image part ignored")
	assert.Equal(t, "Too long. Make it shorter 🙂", c.Messages[3].Content)
	assert.Equal(t, []int{0, 1, 2, 3, 5}, indices(c), "the empty message 4 is dropped, indices kept")
	assert.Equal(t, []int{3}, c.FollowUps())
	assert.Equal(t, Location{File: filepath.Join(formatsDir, "openai.jsonl"), Line: 1}, c.Location)

	c = convs[1]
	assert.Equal(t, "user assistant tool assistant user user", roles(c), "consecutive user messages kept, not merged")
	assert.Empty(t, c.Messages[1].Content)
	assert.Contains(t, string(c.Messages[1].ToolCalls), `"call_1"`)
	assert.Equal(t, "call_1", c.Messages[2].ToolCallID, "tool_call_id is its own field")
	assert.Empty(t, c.Messages[2].Name, "no name logged")
	assert.Equal(t, "Danke! 天气怎么样 tomorrow?", c.Messages[4].Content)

	c = convs[2]
	assert.Equal(t, "openai.jsonl:3", c.ID, "derived id: base name and line")
	assert.Equal(t, System, c.Messages[0].Role, "developer maps to system")
	assert.Equal(t, map[string]any{"a": "x", "b": float64(2)}, c.Metadata)

	assert.Equal(t, int64(3), st.Records)
	assert.Equal(t, int64(3), st.Conversations)
	assert.Equal(t, int64(5+6+3), st.Messages)
	assert.Equal(t, int64(1), st.EmptyMessages)
	assert.Equal(t, int64(1+1+0), st.FollowUps)
	assert.Equal(t, map[string]int64{"openai": 3}, st.Formats)
	assert.Empty(t, st.Skipped)
}

func TestReadShareGPTArrayAndLines(t *testing.T) {
	for _, name := range []string{"sharegpt.json", "sharegpt.jsonl"} {
		t.Run(name, func(t *testing.T) {
			convs, st, err := readFile(t, filepath.Join(formatsDir, name), nil)
			require.NoError(t, err)
			require.Len(t, convs, 3)
			assert.Equal(t, "sg-1", convs[0].ID)
			assert.Equal(t, "assistant user assistant", roles(convs[0]), "a dump may start with a gpt turn")
			assert.Equal(t, []int{1}, convs[0].FollowUps())
			assert.Equal(t, "system user assistant user assistant", roles(convs[1]))
			assert.Equal(t, []int{0, 1, 2, 4, 5}, indices(convs[1]))
			assert.Equal(t, "¡Muy bien, gracias! 😀", convs[1].Messages[2].Content)
			assert.Equal(t, "123", convs[2].ID, "numeric ids accepted")
			assert.Equal(t, int64(1), st.EmptyMessages)
			assert.Equal(t, map[string]int64{"sharegpt": 3}, st.Formats)
			if name == "sharegpt.json" {
				// Elements of a pretty-printed array: row = element, line = first line of the element.
				for i, c := range convs {
					assert.Equal(t, i+1, c.Location.Row)
				}
				assert.Equal(t, 2, convs[0].Location.Line)
				assert.Greater(t, convs[1].Location.Line, convs[0].Location.Line)
				assert.Greater(t, convs[2].Location.Line, convs[1].Location.Line)
			} else {
				assert.Equal(t, 2, convs[1].Location.Line)
				assert.Zero(t, convs[1].Location.Row)
			}
		})
	}
}

func TestReadWildChatAndLMSYS(t *testing.T) {
	convs, _, err := readFile(t, filepath.Join(formatsDir, "wildchat.jsonl"), nil)
	require.NoError(t, err)
	require.Len(t, convs, 2)
	c := convs[0]
	assert.Equal(t, "wc-hash-1", c.ID)
	assert.Equal(t, "wildchat", c.Source)
	assert.Equal(t, "gpt-3.5-turbo", c.Model)
	assert.Equal(t, "English", c.Language)
	assert.Equal(t, time.Date(2023, 4, 9, 0, 2, 53, 0, time.UTC), c.Timestamp)
	assert.Equal(t, int64(2), c.Metadata["turn"])
	assert.Equal(t, false, c.Metadata["toxic"])
	assert.Equal(t, "Germany", c.Metadata["country"])
	assert.Contains(t, c.Metadata, "openai_moderation")
	assert.Contains(t, c.Metadata, "header")
	assert.Equal(t, []int{2}, c.FollowUps())
	assert.Equal(t, time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC), convs[1].Timestamp)
	assert.Equal(t, "Привет! Как дела?", convs[1].Messages[0].Content)
	assert.Equal(t, true, convs[1].Metadata["toxic"])

	convs, st, err := readFile(t, filepath.Join(formatsDir, "lmsys.jsonl"), nil)
	require.NoError(t, err)
	require.Len(t, convs, 2)
	assert.Equal(t, "lm-1", convs[0].ID)
	assert.Equal(t, "lmsys", convs[0].Source)
	assert.Equal(t, "vicuna-13b", convs[0].Model)
	assert.Equal(t, "no, it's 4", convs[0].Messages[2].Content)
	assert.Equal(t, "Japanese", convs[1].Language)
	assert.Equal(t, map[string]int64{"lmsys": 2}, st.Formats)
}

func TestReadHHRLHF(t *testing.T) {
	convs, _, err := readFile(t, filepath.Join(formatsDir, "hh-rlhf.jsonl"), nil)
	require.NoError(t, err)
	require.Len(t, convs, 2)
	c := convs[0]
	assert.Equal(t, "hh-rlhf.jsonl:1", c.ID)
	assert.Equal(t, "user assistant user assistant", roles(c))
	assert.Equal(t, "Nine minutes gives a hard yolk, I wanted it soft.", c.Messages[2].Content)
	assert.Equal(t, "Then six minutes is better.", c.Messages[3].Content)
	assert.Equal(t, "Eggs are always hard.", c.Metadata["rejected_reply"])
	assert.Equal(t, "user assistant", roles(convs[1]), "a transcript may start without the blank line")
	assert.Equal(t, "Bonjour!", convs[1].Metadata["rejected_reply"])
}

func TestParseTranscript(t *testing.T) {
	msgs, err := parseTranscript("\n\nHuman: a\n\nAssistant: b\n\nAssistant: c\n\nHuman: Human: d")
	require.NoError(t, err)
	require.Len(t, msgs, 4)
	assert.Equal(t, []Message{
		{Role: User, Content: "a", Index: 0}, {Role: Assistant, Content: "b", Index: 1},
		{Role: Assistant, Content: "c", Index: 2}, {Role: User, Content: "Human: d", Index: 3},
	}, msgs)
	_, err = parseTranscript("preamble\n\nHuman: a")
	assert.ErrorIs(t, err, ErrWrongType)
	_, err = parseTranscript("no markers")
	assert.ErrorIs(t, err, ErrWrongType)
}

func TestReadOASST(t *testing.T) {
	for _, name := range []string{"oasst-rows.jsonl", "oasst-messages.jsonl", "oasst-trees.jsonl"} {
		t.Run(name, func(t *testing.T) {
			convs, st, err := readFile(t, filepath.Join(formatsDir, name), nil)
			require.NoError(t, err)
			require.Len(t, convs, 3, "one conversation per root-to-leaf path; deleted subtree dropped")
			ids := []string{convs[0].ID, convs[1].ID, convs[2].ID}
			assert.Equal(t, []string{"t1-m5", "t1-m6", "t2-m2"}, ids)
			assert.Equal(t, "user assistant user assistant", roles(convs[0]))
			assert.Equal(t, "Sure: factorial calls itself with n-1.", convs[1].Messages[3].Content)
			assert.Equal(t, convs[0].Messages[:3], convs[1].Messages[:3])
			assert.Equal(t, "es", convs[2].Language)
			for _, c := range convs {
				for _, m := range c.Messages {
					assert.NotContains(t, m.Content, "deleted")
				}
			}
			assert.Equal(t, int64(4+4+2), st.Messages)
			assert.Equal(t, map[string]int64{"oasst": st.Records}, st.Formats)
			if name == "oasst-rows.jsonl" {
				assert.Equal(t, int64(9), st.Records)
				assert.Equal(t, "t1", convs[0].Metadata["message_tree_id"])
				assert.Equal(t, 8, convs[2].Location.Line, "a flat tree is located at its first row")
			} else {
				assert.Equal(t, int64(2), st.Records)
			}
		})
	}
}

func TestReadChatGPTExport(t *testing.T) {
	convs, _, err := readFile(t, filepath.Join(formatsDir, "chatgpt-conversations.json"), nil)
	require.NoError(t, err)
	require.Len(t, convs, 2)
	c := convs[0]
	assert.Equal(t, "cg-1", c.ID)
	assert.Equal(t, "chatgpt-export", c.Source)
	assert.Equal(t, "gpt-4o", c.Model)
	assert.Equal(t, "Trip ideas", c.Metadata["title"])
	assert.Equal(t, "user assistant user assistant", roles(c), "hidden system node skipped, current branch followed")
	assert.Equal(t, "Day 1: Alfama. Day 2: Belém.", c.Messages[1].Content, "regenerated sibling not on the branch")
	assert.Equal(t, "Add food tips", c.Messages[2].Content, "non-text parts ignored")
	assert.Equal(t, int64(1700000000), c.Timestamp.Unix())
	assert.Equal(t, 1, c.Location.Row)
	assert.Equal(t, "user assistant", roles(convs[1]))
	assert.Equal(t, "cg-2", convs[1].ID)
}

func TestForcedFormat(t *testing.T) {
	_, _, err := readFile(t, filepath.Join(formatsDir, "sharegpt.jsonl"), func(r *Reader) {
		r.Format = FormatOpenAI
		r.Strict = true
	})
	var pe *ParseError
	require.ErrorAs(t, err, &pe, "sharegpt records have no messages: empty conversation as openai")
	assert.Equal(t, ReasonEmptyConversation, pe.Reason)

	convs, _, err := readFile(t, filepath.Join(formatsDir, "lmsys.jsonl"), func(r *Reader) { r.Format = FormatWildChat })
	require.NoError(t, err)
	require.Len(t, convs, 2)
	assert.Equal(t, "wildchat", convs[0].Source)
	assert.Equal(t, "lm-1", convs[0].ID)
}

func TestParseFormat(t *testing.T) {
	for in, want := range map[string]Format{
		"": FormatAuto, "auto": FormatAuto, "OpenAI": FormatOpenAI, "sharegpt": FormatShareGPT,
		"wildchat": FormatWildChat, "lmsys-chat-1m": FormatLMSYS, "hh-rlhf": FormatHHRLHF, "hh_rlhf": FormatHHRLHF,
		"oasst1": FormatOASST, "chatgpt": FormatChatGPT, "chatgpt-export": FormatChatGPT,
	} {
		got, err := ParseFormat(in)
		require.NoError(t, err, in)
		assert.Equal(t, want, got, in)
	}
	for _, f := range Formats {
		got, err := ParseFormat(string(f))
		require.NoError(t, err)
		assert.Equal(t, f, got)
	}
	_, err := ParseFormat("alpaca")
	assert.ErrorIs(t, err, ErrUnknownFormat)
	assert.ErrorContains(t, err, "alpaca")
}

func TestParseRole(t *testing.T) {
	for in, want := range map[string]Role{
		"human": User, "Human": User, "prompter": User, "user": User,
		"gpt": Assistant, "chatgpt": Assistant, "bard": Assistant, "model": Assistant, "assistant": Assistant,
		"system": System, "function": Tool, "tool": Tool, "observation": Tool,
	} {
		got, err := ParseRole(in)
		require.NoError(t, err, in)
		assert.Equal(t, want, got, in)
	}
	_, err := ParseRole("robot")
	assert.ErrorIs(t, err, ErrUnknownRole)
	assert.ErrorContains(t, err, `"robot"`)
}

// compressed returns the bytes of a fixture compressed with kind ("gzip" or "zstd").
func compressed(t *testing.T, data []byte, kind string) []byte {
	t.Helper()
	var buf bytes.Buffer
	switch kind {
	case "gzip":
		zw := gzip.NewWriter(&buf)
		_, err := zw.Write(data)
		require.NoError(t, err)
		require.NoError(t, zw.Close())
	case "zstd":
		zw, err := zstd.NewWriter(&buf)
		require.NoError(t, err)
		_, err = zw.Write(data)
		require.NoError(t, err)
		require.NoError(t, zw.Close())
	}
	return buf.Bytes()
}

func TestCompressedContainers(t *testing.T) {
	entries, err := os.ReadDir(formatsDir)
	require.NoError(t, err)
	require.NotEmpty(t, entries)
	for _, e := range entries {
		data, err := os.ReadFile(filepath.Join(formatsDir, e.Name()))
		require.NoError(t, err)
		plain, plainStats, err := readAll2(t, NewReader(bytes.NewReader(data), e.Name()))
		require.NoError(t, err, e.Name())
		require.NotEmpty(t, plain, e.Name())
		for _, kind := range []string{"gzip", "zstd"} {
			t.Run(e.Name()+"/"+kind, func(t *testing.T) {
				// The name does not say it is compressed: detection is by magic bytes.
				got, st, err := readAll2(t, NewReader(bytes.NewReader(compressed(t, data, kind)), e.Name()))
				require.NoError(t, err)
				assert.Equal(t, plain, got)
				assert.Equal(t, plainStats, st)
			})
		}
	}
}

func readAll2(t *testing.T, r *Reader) ([]*Conversation, ReadStats, error) {
	t.Helper()
	defer r.Close()
	convs, err := readAll(t, r)
	return convs, r.Stats(), err
}

func TestAllIterator(t *testing.T) {
	r, err := Open(filepath.Join(formatsDir, "wildchat.jsonl"))
	require.NoError(t, err)
	defer r.Close()
	var ids []string
	for c, err := range r.All(context.Background()) {
		require.NoError(t, err)
		ids = append(ids, c.ID)
	}
	assert.Equal(t, []string{"wc-hash-1", "wc-hash-2"}, ids)
}

func TestContextCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	r := NewReader(strings.NewReader(`{"messages":[{"role":"user","content":"x"}]}`), "x")
	_, err := r.Next(ctx)
	assert.ErrorIs(t, err, context.Canceled)
}

func TestEmptyInputAndBOM(t *testing.T) {
	r := NewReader(strings.NewReader(" \n\n"), "empty")
	_, err := r.Next(context.Background())
	assert.Equal(t, io.EOF, err)
	assert.Zero(t, r.Stats().Records)

	r = NewReader(strings.NewReader("\ufeff[]"), "empty-array")
	_, err = r.Next(context.Background())
	assert.Equal(t, io.EOF, err)

	r = NewReader(strings.NewReader("\ufeff\n\n{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}\r\n\r\n"), "bom.jsonl")
	convs, err := readAll(t, r)
	require.NoError(t, err)
	require.Len(t, convs, 1)
	assert.Equal(t, 3, convs[0].Location.Line)
	assert.Equal(t, "hi", convs[0].Messages[0].Content)
}

func TestVeryLongMessage(t *testing.T) {
	long := strings.Repeat("long message with ünïcödé and emoji 🎉 ", 30_000) // ~1.3 MB: beyond the read buffer and one gathering block
	rec := `{"messages":[{"role":"user","content":"` + long + `"},{"role":"assistant","content":"short"}]}`
	for _, container := range []string{"jsonl", "array"} {
		in := rec + "\n" + rec + "\n"
		if container == "array" {
			in = "[" + rec + ",\n" + rec + "]"
		}
		r := NewReader(strings.NewReader(in), "long")
		convs, err := readAll(t, r)
		require.NoError(t, err, container)
		require.Len(t, convs, 2, container)
		assert.Equal(t, long, convs[1].Messages[0].Content, container)
		assert.Equal(t, 2, convs[1].Location.Line, container)
	}
}

func TestRecordBufferReuseDoesNotAliasStrings(t *testing.T) {
	in := `{"messages":[{"role":"user","content":"first record text"}]}` + "\n" +
		`{"messages":[{"role":"user","content":"XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX"}]}` + "\n"
	r := NewReader(strings.NewReader(in), "alias")
	c1, err := r.Next(context.Background())
	require.NoError(t, err)
	_, err = r.Next(context.Background())
	require.NoError(t, err)
	assert.Equal(t, "first record text", c1.Messages[0].Content)
}

func TestMaxMessages(t *testing.T) {
	in := `{"messages":[{"role":"user","content":"a"},{"role":"assistant","content":"b"},{"role":"user","content":"c"}]}` + "\n" +
		`{"messages":[{"role":"user","content":"a"}]}` + "\n"
	r := NewReader(strings.NewReader(in), "max.jsonl")
	r.MaxMessages = 2
	r.Strict = true
	_, err := r.Next(context.Background())
	assert.ErrorIs(t, err, ErrTooManyMessages)
	var pe *ParseError
	require.ErrorAs(t, err, &pe)
	assert.Equal(t, ReasonTooManyMessages, pe.Reason)
	assert.Equal(t, 1, pe.Line)
	c, err := r.Next(context.Background())
	require.NoError(t, err, "strict readers can continue after a bad record")
	assert.Equal(t, "max.jsonl:2", c.ID)
}

func TestReadStatsMerge(t *testing.T) {
	a := ReadStats{Records: 2, Conversations: 1, Messages: 3, FollowUps: 1, EmptyMessages: 1,
		Skipped: map[string]int64{"invalid_json": 1}, Formats: map[string]int64{"openai": 2}}
	b := ReadStats{Records: 5, Conversations: 5, Messages: 10, FollowUps: 4,
		Skipped: map[string]int64{"invalid_json": 2, "unknown_role": 1}, Formats: map[string]int64{"sharegpt": 5},
		Repaired: map[string]int64{"invalid_utf8": 1}}
	a.Merge(b)
	assert.Equal(t, ReadStats{Records: 7, Conversations: 6, Messages: 13, FollowUps: 5, EmptyMessages: 1,
		Skipped:  map[string]int64{"invalid_json": 3, "unknown_role": 1},
		Formats:  map[string]int64{"openai": 2, "sharegpt": 5},
		Repaired: map[string]int64{"invalid_utf8": 1}}, a)
}

func TestParseErrorMessage(t *testing.T) {
	e := &ParseError{File: "a.jsonl", Line: 12, Reason: ReasonUnknownRole, Err: errors.New(`role "robot"`)}
	assert.Equal(t, `a.jsonl:12: unknown_role: role "robot"`, e.Error())
	e = &ParseError{File: "a.parquet", Row: 3, Reason: ReasonMissingColumn, Err: errors.New("no conversation")}
	assert.Equal(t, `a.parquet: row 3: missing_column: no conversation`, e.Error())
}

func TestArrayEscapesAcrossBufferBoundaries(t *testing.T) {
	// Strings full of escaped quotes and backslashes, long enough that every
	// position relative to the 64 KiB read buffer occurs.
	var recs []string
	for i := range 40 {
		content := strings.Repeat(`x\"y\\`, 3000+i*37) + `]}{[\"` + strings.Repeat(`\\`, i%3) + `\n`
		recs = append(recs, `{"id":"r`+strings.Repeat("9", i%5)+`","messages":[{"role":"user","content":"`+content+`"}]}`)
	}
	lines, _, err := readAll2(t, NewReader(strings.NewReader(strings.Join(recs, "\n")), "x.jsonl"))
	require.NoError(t, err)
	arr, st, err := readAll2(t, NewReader(strings.NewReader("[\n"+strings.Join(recs, " ,\n")+"\n]\n"), "x.json"))
	require.NoError(t, err)
	assert.Empty(t, st.Skipped)
	require.Len(t, arr, len(recs))
	for i := range arr {
		assert.Equal(t, lines[i].Messages, arr[i].Messages)
		assert.Equal(t, i+2, arr[i].Location.Line, "line numbers ignore escaped \\n")
	}
}

func TestFinalReply(t *testing.T) {
	r, ok := finalReply("\n\nHuman: a\n\nAssistant: b\n\nAssistant:  c \n")
	assert.True(t, ok)
	assert.Equal(t, "c", r)
	_, ok = finalReply("\n\nHuman: a\n\nAssistant: b\n\nHuman: c")
	assert.False(t, ok, "the transcript ends with a human turn")
	r, ok = finalReply("Assistant: only")
	assert.True(t, ok)
	assert.Equal(t, "only", r)
}

// syntheticLog returns n JSON Lines records of a WildChat-like shape.
func syntheticLog(n int) []byte {
	var b bytes.Buffer
	para := strings.Repeat("The quick brown fox jumps over the lazy dog; \"quoted\" text and ünïcode. ", 20)
	for i := range n {
		b.WriteString(`{"conversation_hash":"h`)
		b.WriteString(strings.Repeat("0", i%7))
		b.WriteString(`","model":"gpt-4","timestamp":"2024-01-02T03:04:05Z","language":"English","turn":3,"toxic":false,"conversation":[`)
		for j := range 6 {
			if j > 0 {
				b.WriteByte(',')
			}
			role := "user"
			if j%2 == 1 {
				role = "assistant"
			}
			b.WriteString(`{"role":"` + role + `","content":"` + strings.ReplaceAll(para, `"`, `\"`) + `\n"}`)
		}
		b.WriteString("]}\n")
	}
	return b.Bytes()
}

func BenchmarkReaderJSONL(b *testing.B) {
	data := syntheticLog(2000)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		r := NewReader(bytes.NewReader(data), "bench.jsonl")
		for {
			if _, err := r.Next(context.Background()); err != nil {
				if err != io.EOF {
					b.Fatal(err)
				}
				break
			}
		}
	}
}

func BenchmarkReaderJSONArray(b *testing.B) {
	lines := bytes.Split(bytes.TrimSpace(syntheticLog(2000)), []byte("\n"))
	data := append(append([]byte("[\n"), bytes.Join(lines, []byte(",\n"))...), "\n]"...)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		r := NewReader(bytes.NewReader(data), "bench.json")
		for {
			if _, err := r.Next(context.Background()); err != nil {
				if err != io.EOF {
					b.Fatal(err)
				}
				break
			}
		}
	}
}

func TestParquetThroughOpenAndSpool(t *testing.T) {
	rows := sampleWildChatRows(4)
	data := writeWildChatParquet(t, rows)
	dir := t.TempDir()
	path := filepath.Join(dir, "wc.parquet")
	require.NoError(t, os.WriteFile(path, data, 0o644))

	// A Parquet file opened by path is read in place.
	convs, st, err := readFile(t, path, func(r *Reader) { r.Strict = true })
	require.NoError(t, err)
	require.Len(t, convs, len(rows))
	assert.Equal(t, map[string]int64{"wildchat": int64(len(rows))}, st.Formats)
	assert.Equal(t, Location{File: path, Row: 2}, convs[1].Location)

	// A compressed one (or a stream) is spooled to a temporary file, removed on Close.
	spool := t.TempDir()
	t.Setenv("TMPDIR", spool)
	for _, kind := range []string{"gzip", "zstd"} {
		r := NewReader(bytes.NewReader(compressed(t, data, kind)), "wc.parquet."+kind)
		got, err := readAll(t, r)
		require.NoError(t, err)
		assert.Equal(t, withoutLocations(convs), withoutLocations(got))
		left, _ := os.ReadDir(spool)
		assert.Len(t, left, 1, "spooled while reading")
		require.NoError(t, r.Close())
		left, _ = os.ReadDir(spool)
		assert.Empty(t, left, "temporary file removed on Close")
	}
}

func TestDecodedValuesOutliveTheRecordBuffer(t *testing.T) {
	first := `{"id":"a","messages":[{"role":"assistant","content":"x","tool_calls":[{"id":"keep-me"}]}],` +
		`"metadata":{"k":"keep"}}`
	var in strings.Builder
	in.WriteString(first + "\n")
	for i := range 3000 { // enough to cycle the read buffer and the decoder's buffers many times
		in.WriteString(`{"id":"z","messages":[{"role":"assistant","content":"` + strings.Repeat("Z", i%200) +
			`","tool_calls":[{"id":"ZZZZZZZZZZZZZZZZZZZZ"}]}],"metadata":{"k":"ZZZZZZZZ"}}` + "\n")
	}
	r := NewReader(strings.NewReader(in.String()), "alias.jsonl")
	convs, err := readAll(t, r)
	require.NoError(t, err)
	require.Len(t, convs, 3001)
	assert.Equal(t, `[{"id":"keep-me"}]`, string(convs[0].Messages[0].ToolCalls))
	assert.Equal(t, "keep", convs[0].Metadata["k"])
	assert.Equal(t, "x", convs[0].Messages[0].Content)
}

func TestOASSTRowsTooManyMessages(t *testing.T) {
	var b strings.Builder
	row := func(id, parent, tree, role string) {
		p := "null"
		if parent != "" {
			p = `"` + parent + `"`
		}
		b.WriteString(`{"message_id":"` + id + `","parent_id":` + p + `,"message_tree_id":"` + tree +
			`","role":"` + role + `","text":"t ` + id + `"}` + "\n")
	}
	row("a1", "", "A", "prompter")
	row("a2", "a1", "A", "assistant")
	for i, parent := 0, ""; i < 5; i++ { // tree B: a chain of 5 messages
		id := "b" + string(rune('0'+i))
		role := "prompter"
		if i%2 == 1 {
			role = "assistant"
		}
		row(id, parent, "B", role)
		parent = id
	}
	row("c1", "", "C", "prompter")
	r := NewReader(strings.NewReader(b.String()), "rows.jsonl")
	r.MaxMessages = 3
	convs, err := readAll(t, r)
	require.NoError(t, err)
	require.Len(t, convs, 2)
	assert.Equal(t, []string{"a2", "c1"}, []string{convs[0].ID, convs[1].ID})
	st := r.Stats()
	assert.Equal(t, int64(8), st.Records)
	assert.Equal(t, map[string]int64{ReasonTooManyMessages: 5}, st.Skipped, "every row of the tree is skipped")
}

func TestOASSTRowsBadTree(t *testing.T) {
	in := `{"message_id":"a1","parent_id":null,"message_tree_id":"A","role":"prompter","text":"q"}
{"message_id":"a2","parent_id":"a1","message_tree_id":"A","role":"wizard","text":"r"}
{"message_id":"b1","parent_id":null,"message_tree_id":"B","role":"prompter","text":"q2"}
{"message_id":"b2","parent_id":"b1","message_tree_id":"B","role":"assistant","text":"r2"}
`
	r := NewReader(strings.NewReader(in), "rows.jsonl")
	r.Strict = true
	_, err := r.Next(context.Background())
	var pe *ParseError
	require.ErrorAs(t, err, &pe)
	assert.Equal(t, ReasonUnknownRole, pe.Reason)
	assert.Equal(t, 1, pe.Line, "a flat tree's error is located at its first row")
	c, err := r.Next(context.Background())
	require.NoError(t, err)
	assert.Equal(t, "b2", c.ID)

	r = NewReader(strings.NewReader(in), "rows.jsonl")
	convs, err := readAll(t, r)
	require.NoError(t, err)
	require.Len(t, convs, 1)
	assert.Equal(t, map[string]int64{ReasonUnknownRole: 2}, r.Stats().Skipped, "both rows of the bad tree")
}

func TestReadToolCalls(t *testing.T) {
	in := `{"messages":[{"role":"user","content":"weather?"},` +
		`{"role":"assistant","content":null,"function_call":{"name":"weather","arguments":"{\"city\":\"Oslo\"}"}},` +
		`{"role":"function","name":"weather","content":"3 C"},{"role":"assistant","content":"It is 3 C."}]}` + "\n" +
		`{"messages":[{"role":"user","content":"weather?"},` +
		`{"role":"assistant","content":"","tool_calls":[{"id":"c9","type":"function","function":{"name":"weather","arguments":"{}"}}]},` +
		`{"role":"tool","tool_call_id":"c9","name":"weather","content":"3 C"},{"role":"assistant","content":"It is 3 C."}]}` + "\n"
	r := NewReader(strings.NewReader(in), "tools.jsonl")
	r.Format = FormatOpenAI
	var convs []*Conversation
	for c, err := range r.All(context.Background()) {
		require.NoError(t, err)
		convs = append(convs, c)
	}
	require.Len(t, convs, 2)
	legacy := convs[0].Messages[1]
	assert.JSONEq(t, `[{"type":"function","function":{"name":"weather","arguments":"{\"city\":\"Oslo\"}"}}]`, string(legacy.ToolCalls),
		"a legacy function_call becomes a tool_calls array")
	assert.Equal(t, "weather", convs[0].Messages[2].Name)
	tool := convs[1].Messages[2]
	assert.Equal(t, "c9", tool.ToolCallID)
	assert.Equal(t, "weather", tool.Name)

	// The writer keeps the tool fields, and reading its output back gives them again.
	var buf bytes.Buffer
	w := NewWriter(&buf)
	require.NoError(t, w.Write(convs[1]))
	require.NoError(t, w.Flush())
	assert.Contains(t, buf.String(), `"tool_call_id":"c9"`)
	assert.Contains(t, buf.String(), `"tool_calls":[{"id":"c9"`)
}

func TestReadShareGPTFunctionCall(t *testing.T) {
	in := `[{"conversations":[{"from":"human","value":"find a recipe with rice"},` +
		`{"from":"function_call","value":"{\"name\": \"search_recipes\", \"arguments\": {\"ingredients\": [\"rice\"]}}"},` +
		`{"from":"observation","value":"{\"recipes\": []}"},{"from":"gpt","value":"None found."},` +
		`{"from":"human","value":"thanks"},{"from":"function_call","value":"not json"}]}]`
	r := NewReader(strings.NewReader(in), "sg.json")
	r.Format = FormatShareGPT
	var convs []*Conversation
	for c, err := range r.All(context.Background()) {
		require.NoError(t, err)
		convs = append(convs, c)
	}
	require.Len(t, convs, 1)
	m := convs[0].Messages
	assert.Equal(t, Assistant, m[1].Role)
	assert.Empty(t, m[1].Content, "the call is moved out of the text")
	assert.JSONEq(t, `[{"type":"function","function":{"name":"search_recipes","arguments":"{\"ingredients\": [\"rice\"]}"}}]`, string(m[1].ToolCalls))
	assert.Equal(t, Tool, m[2].Role)
	assert.Equal(t, "not json", m[5].Content, "a function_call turn that is not a call stays text")
	assert.Empty(t, m[5].ToolCalls)
}
