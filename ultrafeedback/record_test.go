package ultrafeedback

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
	"testing/iotest"

	"github.com/dsatmine/dsatmine/conversation"
	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"
	"github.com/parquet-go/parquet-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const ufDir = "../testdata/ultrafeedback"

func readUF(t *testing.T, r *Reader) []*Record {
	t.Helper()
	var out []*Record
	for uf, err := range r.All(context.Background()) {
		require.NoError(t, err)
		out = append(out, uf)
	}
	return out
}

func readUFFile(t *testing.T, path string) ([]*Record, conversation.ReadStats) {
	t.Helper()
	r, err := Open(path)
	require.NoError(t, err)
	defer r.Close()
	recs := readUF(t, r)
	return recs, r.Stats()
}

func TestReaderSample(t *testing.T) {
	recs, st := readUFFile(t, filepath.Join(ufDir, "sample.jsonl"))
	require.Len(t, recs, 6)

	first := recs[0]
	assert.Equal(t, "evol_instruct", first.Source)
	assert.Equal(t, "Write a haiku about the first frost on a vegetable garden.", first.Instruction)
	assert.Equal(t, []string{"model-a", "model-b", "model-c", "model-d"}, first.Models)
	assert.Equal(t, []string{"None"}, first.CorrectAnswers)
	assert.Equal(t, conversation.Location{File: filepath.Join(ufDir, "sample.jsonl"), Line: 1}, first.Location)
	require.Len(t, first.Completions, 4)
	c := first.Completions[1]
	assert.Equal(t, "model-b", c.Model)
	assert.Equal(t, "helpfulness", c.Principle)
	assert.Equal(t, "You are a careful assistant.", c.CustomSystemPrompt)
	assert.True(t, strings.HasPrefix(c.Response, "Frost is cold."))
	assert.True(t, strings.HasPrefix(c.Critique, "This is prose, not a haiku"))
	assert.Equal(t, Score{Value: 2, Valid: true}, c.OverallScore)
	assert.Equal(t, Score{Value: 2.5, Valid: true}, c.FineGrainedScore)
	assert.Equal(t, Score{Value: 1, Valid: true}, c.AspectRating(InstructionFollowing))
	assert.Equal(t, Score{Value: 2, Valid: true}, c.AspectRating(Helpfulness))
	assert.Equal(t, []string{"1", "2"}, c.Annotations[Helpfulness].Type)
	assert.Equal(t, "Judged on clarity and completeness.", c.Annotations[Helpfulness].RationaleForRating)
	assert.NotEmpty(t, c.Annotations[Honesty].Rationale)

	// Record 5 has JSON-number ratings, "N/A" honesty and no fine-grained
	// score: FineGrained is the mean of the numeric aspects.
	r5 := recs[4]
	assert.Equal(t, Score{NA: true}, r5.Completions[1].AspectRating(Honesty))
	assert.True(t, r5.Completions[1].FineGrainedScore.Missing())
	assert.InDelta(t, (2.0+3+2)/3, r5.Completions[1].FineGrained().Value, 1e-9)
	assert.Equal(t, Score{Value: 3.5, Valid: true}, r5.Completions[1].OverallScore)

	// Ids: the record's own id, else derived from content, distinct.
	assert.Equal(t, "tqa-0007", recs[5].ID)
	seen := map[string]bool{}
	for _, uf := range recs[:5] {
		assert.Regexp(t, `^uf-[0-9a-f]{16}$`, uf.ID)
		assert.False(t, seen[uf.ID], "duplicate id %s", uf.ID)
		seen[uf.ID] = true
	}
	again, _ := readUFFile(t, filepath.Join(ufDir, "sample.jsonl"))
	assert.Equal(t, recs[0].ID, again[0].ID, "derived ids are stable")

	assert.Equal(t, int64(6), st.Records)
	assert.Equal(t, int64(6), st.Conversations)
	assert.Equal(t, int64(6+4+3+4+2+3+3), st.Messages)
	assert.Equal(t, map[string]int64{"ultrafeedback": 6}, st.Formats)
	assert.Empty(t, st.Skipped)
}

func TestCompletionFineGrained(t *testing.T) {
	v := func(x float64) Score { return Score{Value: x, Valid: true} }
	tests := []struct {
		name string
		c    Completion
		want Score
	}{
		{"field wins", Completion{FineGrainedScore: v(4.25), Annotations: map[Aspect]Annotation{Honesty: {Rating: v(1)}}}, v(4.25)},
		{"field N/A", Completion{FineGrainedScore: Score{NA: true}, Annotations: map[Aspect]Annotation{Honesty: {Rating: v(1)}}}, Score{NA: true}},
		{"mean without N/A", Completion{Annotations: map[Aspect]Annotation{
			Honesty: {Rating: Score{NA: true}}, Helpfulness: {Rating: v(2)}, Truthfulness: {Rating: v(5)}}}, v(3.5)},
		{"all N/A", Completion{Annotations: map[Aspect]Annotation{Honesty: {Rating: Score{NA: true}}}}, Score{NA: true}},
		{"nothing", Completion{}, Score{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, tt.c.FineGrained())
		})
	}
}

func TestParseScore(t *testing.T) {
	tests := []struct {
		raw    string
		want   Score
		reason string
	}{
		{``, Score{}, ""},
		{`null`, Score{}, ""},
		{`4`, Score{Value: 4, Valid: true}, ""},
		{`"4"`, Score{Value: 4, Valid: true}, ""},
		{`" 4.5 "`, Score{Value: 4.5, Valid: true}, ""},
		{`"N/A"`, Score{NA: true}, ""},
		{`"n/a"`, Score{NA: true}, ""},
		{`"NA"`, Score{NA: true}, ""},
		{`"high"`, Score{}, ReasonInvalidRating},
		{`""`, Score{}, ReasonInvalidRating},
		{`true`, Score{}, ReasonInvalidRating},
		{`[4]`, Score{}, ReasonInvalidRating},
		{`0`, Score{}, ReasonInvalidRating},
		{`6`, Score{}, ReasonInvalidRating},
		{`"NaN"`, Score{}, ReasonInvalidRating},
	}
	for _, tt := range tests {
		t.Run(tt.raw, func(t *testing.T) {
			got, err := parseScore([]byte(tt.raw), "helpfulness Rating", AspectMin, AspectMax)
			if tt.reason == "" {
				require.NoError(t, err)
				assert.Equal(t, tt.want, got)
				return
			}
			require.Error(t, err)
			pe := toParseError(conversation.Location{}, err)
			assert.Equal(t, tt.reason, pe.Reason)
			assert.ErrorIs(t, err, ErrInvalidRating)
			assert.Contains(t, err.Error(), "helpfulness Rating")
		})
	}
}

// malformedWant lists the records of malformed.jsonl: line, reason, sentinel.
var malformedWant = []struct {
	line   int
	reason string
	err    error
	text   string
}{
	{2, ReasonMissingRating, ErrMissingRating, "completion 0: no overall_score"},
	{3, ReasonInvalidRating, ErrInvalidRating, `completion 1: helpfulness Rating "high"`},
	{4, ReasonInvalidRating, ErrInvalidRating, "completion 2: overall_score 11 is outside"},
	{5, ReasonTooFewCompletions, ErrTooFewCompletions, "1 completion(s)"},
	{6, conversation.ReasonInvalidJSON, conversation.ErrInvalidJSON, ""},
	{7, ReasonMissingField, ErrMissingField, "instruction"},
	{8, ReasonMissingField, ErrMissingField, "completion 1: no response"},
	{9, conversation.ReasonWrongType, conversation.ErrWrongType, "completions is not an array"},
	{10, conversation.ReasonUnknownFormat, conversation.ErrUnknownFormat, "not an UltraFeedback record"},
}

func TestReaderMalformedLenient(t *testing.T) {
	path := filepath.Join(ufDir, "malformed.jsonl")
	r, err := Open(path)
	require.NoError(t, err)
	defer r.Close()
	var skipped []*conversation.ParseError
	r.OnSkip = func(pe *conversation.ParseError) { skipped = append(skipped, pe) }
	recs := readUF(t, r)
	require.Len(t, recs, 2)
	assert.Equal(t, 1, recs[0].Location.Line)
	assert.Equal(t, 11, recs[1].Location.Line)

	st := r.Stats()
	assert.Equal(t, int64(11), st.Records)
	assert.Equal(t, int64(2), st.Conversations)
	want := map[string]int64{}
	for _, w := range malformedWant {
		want[w.reason]++
	}
	assert.Equal(t, want, st.Skipped)
	require.Len(t, skipped, len(malformedWant))
	for i, w := range malformedWant {
		assert.Equal(t, w.line, skipped[i].Line, "skip %d", i)
		assert.Equal(t, w.reason, skipped[i].Reason, "line %d", w.line)
	}
}

func TestReaderMalformedStrict(t *testing.T) {
	path := filepath.Join(ufDir, "malformed.jsonl")
	r, err := Open(path)
	require.NoError(t, err)
	defer r.Close()
	r.Strict = true
	ctx := context.Background()

	uf, err := r.Next(ctx)
	require.NoError(t, err)
	assert.Equal(t, 1, uf.Location.Line)
	for _, w := range malformedWant {
		_, err := r.Next(ctx)
		var pe *conversation.ParseError
		require.ErrorAs(t, err, &pe, "line %d", w.line)
		assert.Equal(t, path, pe.File)
		assert.Equal(t, w.line, pe.Line)
		assert.Equal(t, w.reason, pe.Reason)
		assert.ErrorIs(t, err, w.err, "line %d", w.line)
		assert.Contains(t, err.Error(), fmt.Sprintf("%s:%d: %s", path, w.line, w.reason))
		assert.Contains(t, err.Error(), w.text)
	}
	uf, err = r.Next(ctx)
	require.NoError(t, err, "strict reading continues after a bad record")
	assert.Equal(t, "tqa-0007", uf.ID)
	_, err = r.Next(ctx)
	assert.Equal(t, io.EOF, err)
}

// ufSummary renders what must agree whatever the container.
func ufSummary(recs []*Record) string {
	var b strings.Builder
	for _, uf := range recs {
		fmt.Fprintf(&b, "%s|%s|%s|%q|%q\n", uf.ID, uf.Source, uf.Instruction, uf.Models, uf.CorrectAnswers)
		for _, c := range uf.Completions {
			fmt.Fprintf(&b, "  %s|%s|%s|%s|%v|%v|%v|%q", c.Model, c.Principle, c.Response, c.Critique,
				c.OverallScore, c.FineGrainedScore, c.FineGrained(), c.CustomSystemPrompt)
			for _, a := range Aspects {
				ann := c.Annotations[a]
				fmt.Fprintf(&b, "|%s=%v %q %q %q", a, ann.Rating, ann.Rationale, ann.RationaleForRating, ann.Type)
			}
			b.WriteByte('\n')
		}
	}
	return b.String()
}

func TestReaderContainers(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(ufDir, "sample.jsonl"))
	require.NoError(t, err)
	want, _ := readUFFile(t, filepath.Join(ufDir, "sample.jsonl"))

	lines := strings.Split(strings.TrimSpace(string(data)), "\n")
	array := "[\n" + strings.Join(lines, ",\n") + "\n]\n"
	var gz, zs bytes.Buffer
	gw := gzip.NewWriter(&gz)
	_, err = gw.Write(data)
	require.NoError(t, err)
	require.NoError(t, gw.Close())
	zw, err := zstd.NewWriter(&zs)
	require.NoError(t, err)
	_, err = zw.Write([]byte(array))
	require.NoError(t, err)
	require.NoError(t, zw.Close())

	cases := map[string][]byte{
		"array.json":       []byte(array),
		"sample.jsonl.gz":  gz.Bytes(),
		"array.json.zst":   zs.Bytes(),
		"sample.parquet":   ufParquet(t, want),
		"crlf-bom.jsonl":   append([]byte("\ufeff"), strings.ReplaceAll(string(data), "\n", "\r\n")...),
		"blank-lines.json": []byte("\n\n" + strings.Join(lines, "\n\n") + "\n\n"),
	}
	for name, in := range cases {
		t.Run(name, func(t *testing.T) {
			r := NewReader(bytes.NewReader(in), name)
			defer r.Close()
			got := readUF(t, r)
			assert.Equal(t, ufSummary(want), ufSummary(got))
			assert.Equal(t, int64(len(want)), r.Stats().Records)
			switch name {
			case "sample.parquet":
				assert.Equal(t, conversation.Location{File: name, Row: 3}, got[2].Location)
			case "array.json", "array.json.zst":
				assert.Equal(t, 3, got[2].Location.Row)
				assert.Equal(t, 4, got[2].Location.Line)
			}
		})
	}
}

type pqAnnotation struct {
	Rating             *string  `parquet:"Rating,optional"`
	Rationale          string   `parquet:"Rationale"`
	RationaleForRating *string  `parquet:"Rationale For Rating,optional"`
	Type               []string `parquet:"Type,optional,list"`
}

type pqAnnotations struct {
	Helpfulness          *pqAnnotation `parquet:"helpfulness,optional"`
	Honesty              *pqAnnotation `parquet:"honesty,optional"`
	InstructionFollowing *pqAnnotation `parquet:"instruction_following,optional"`
	Truthfulness         *pqAnnotation `parquet:"truthfulness,optional"`
}

type pqCompletion struct {
	Annotations        pqAnnotations `parquet:"annotations"`
	Critique           string        `parquet:"critique"`
	CustomSystemPrompt string        `parquet:"custom_system_prompt"`
	FineGrained        *float64      `parquet:"fine-grained_score,optional"`
	Model              string        `parquet:"model"`
	Overall            float64       `parquet:"overall_score"`
	Principle          string        `parquet:"principle"`
	Response           string        `parquet:"response"`
}

type pqRecord struct {
	ID               *string        `parquet:"id,optional"`
	Source           string         `parquet:"source"`
	Instruction      string         `parquet:"instruction"`
	Models           []string       `parquet:"models,list"`
	Completions      []pqCompletion `parquet:"completions,list"`
	CorrectAnswers   []string       `parquet:"correct_answers,list"`
	IncorrectAnswers []string       `parquet:"incorrect_answers,list"`
}

// ufParquet writes recs in the layout of UltraFeedback's Parquet conversion.
func ufParquet(t *testing.T, recs []*Record) []byte {
	t.Helper()
	rows := make([]pqRecord, len(recs))
	for i, uf := range recs {
		row := pqRecord{Source: uf.Source, Instruction: uf.Instruction, Models: uf.Models,
			CorrectAnswers: uf.CorrectAnswers, IncorrectAnswers: uf.IncorrectAnswers}
		if !strings.HasPrefix(uf.ID, "uf-") {
			row.ID = &uf.ID
		}
		for _, c := range uf.Completions {
			pc := pqCompletion{Critique: c.Critique, CustomSystemPrompt: c.CustomSystemPrompt, Model: c.Model,
				Overall: c.OverallScore.Value, Principle: c.Principle, Response: c.Response}
			if c.FineGrainedScore.Valid {
				v := c.FineGrainedScore.Value
				pc.FineGrained = &v
			}
			ann := func(a Aspect) *pqAnnotation {
				x, ok := c.Annotations[a]
				if !ok {
					return nil
				}
				p := &pqAnnotation{Rationale: x.Rationale, Type: x.Type}
				if !x.Rating.Missing() {
					s := x.Rating.String()
					p.Rating = &s
				}
				if x.RationaleForRating != "" {
					p.RationaleForRating = &x.RationaleForRating
				}
				return p
			}
			pc.Annotations = pqAnnotations{ann(Helpfulness), ann(Honesty), ann(InstructionFollowing), ann(Truthfulness)}
			row.Completions = append(row.Completions, pc)
		}
		rows[i] = row
	}
	var buf bytes.Buffer
	require.NoError(t, parquet.Write(&buf, rows))
	return buf.Bytes()
}

func TestReaderInvalidUTF8(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(ufDir, "sample.jsonl"))
	require.NoError(t, err)
	line := strings.SplitN(string(data), "\n", 2)[0]
	bad := strings.Replace(line, "haiku", "hai\xffku", 1) + "\n"

	r := NewReader(strings.NewReader(bad), "bad.jsonl")
	recs := readUF(t, r)
	require.Len(t, recs, 1)
	assert.Contains(t, recs[0].Instruction, "hai\uFFFDku")
	assert.Equal(t, map[string]int64{conversation.ReasonInvalidUTF8: 1}, r.Stats().Repaired)

	r = NewReader(strings.NewReader(bad), "bad.jsonl")
	r.Strict = true
	_, err = r.Next(context.Background())
	assert.ErrorIs(t, err, conversation.ErrInvalidUTF8)
}

func TestReaderContainerErrors(t *testing.T) {
	// A gzip stream cut short is one skipped record with its reason.
	data, err := os.ReadFile(filepath.Join(ufDir, "sample.jsonl"))
	require.NoError(t, err)
	var gz bytes.Buffer
	gw := gzip.NewWriter(&gz)
	_, _ = gw.Write(data)
	require.NoError(t, gw.Close())
	cut := gz.Bytes()[:gz.Len()/2]
	r := NewReader(bytes.NewReader(cut), "cut.jsonl.gz")
	r.Strict = true
	var pe *conversation.ParseError
	for {
		_, err = r.Next(context.Background())
		if err != nil {
			break
		}
	}
	require.ErrorAs(t, err, &pe)
	assert.Equal(t, conversation.ReasonCorruptCompress, pe.Reason)

	// A canceled context stops the reader.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	r = NewReader(bytes.NewReader(data), "x.jsonl")
	_, err = r.Next(ctx)
	assert.ErrorIs(t, err, context.Canceled)

	// A closed reader reports it.
	r = NewReader(bytes.NewReader(data), "x.jsonl")
	require.NoError(t, r.Close())
	_, err = r.Next(context.Background())
	assert.Error(t, err)
	assert.False(t, errors.Is(err, io.EOF))
}

func TestDetect(t *testing.T) {
	ok, err := Detect(filepath.Join(ufDir, "sample.jsonl"))
	require.NoError(t, err)
	assert.True(t, ok)

	ok, err = Detect(filepath.Join("../testdata/formats", "openai.jsonl"))
	require.NoError(t, err)
	assert.False(t, ok)

	dir := t.TempDir()
	data, err := os.ReadFile(filepath.Join(ufDir, "sample.jsonl"))
	require.NoError(t, err)
	var gz bytes.Buffer
	gw := gzip.NewWriter(&gz)
	_, _ = gw.Write(data)
	require.NoError(t, gw.Close())
	gzPath := filepath.Join(dir, "uf.bin") // no telling extension: sniffed by magic bytes
	require.NoError(t, os.WriteFile(gzPath, gz.Bytes(), 0o644))
	ok, err = Detect(gzPath)
	require.NoError(t, err)
	assert.True(t, ok)

	recs, _ := readUFFile(t, filepath.Join(ufDir, "sample.jsonl"))
	pqPath := filepath.Join(dir, "uf.parquet")
	require.NoError(t, os.WriteFile(pqPath, ufParquet(t, recs), 0o644))
	ok, err = Detect(pqPath)
	require.NoError(t, err)
	assert.True(t, ok)

	_, err = Detect(filepath.Join(dir, "absent.jsonl"))
	assert.ErrorIs(t, err, os.ErrNotExist)
	_, err = Detect("-")
	assert.Error(t, err)
}

// The conversation Reader does not read UltraFeedback records: each one is
// skipped as unknown_format, never silently dropped.
func TestReaderRejectsUltraFeedback(t *testing.T) {
	r, err := conversation.Open(filepath.Join(ufDir, "sample.jsonl"))
	require.NoError(t, err)
	defer r.Close()
	for _, err := range r.All(context.Background()) {
		require.NoError(t, err)
		t.Fatal("no conversation expected")
	}
	assert.Equal(t, map[string]int64{conversation.ReasonUnknownFormat: 6}, r.Stats().Skipped)
}

// ExampleReader reads rated completions and prints, for each
// instruction, the completion with the lowest overall score.
func ExampleReader() {
	const data = `[
 {"source": "demo", "instruction": "What is 2 + 2?", "completions": [
   {"model": "m1", "response": "4", "overall_score": 9, "critique": "Correct."},
   {"model": "m2", "response": "5", "overall_score": 2, "critique": "Wrong: 2 + 2 is 4."}]},
 {"source": "demo", "instruction": "Spell 'cat'.", "completions": [
   {"model": "m1", "response": "c-a-t", "overall_score": 9}]}
]`
	r := NewReader(strings.NewReader(data), "demo.json")
	r.OnSkip = func(pe *conversation.ParseError) { fmt.Println("skipped:", pe) }
	for uf, err := range r.All(context.Background()) {
		if err != nil {
			fmt.Println("error:", err)
			return
		}
		low := uf.Completions[0]
		for _, c := range uf.Completions[1:] {
			if c.OverallScore.Value < low.OverallScore.Value {
				low = c
			}
		}
		fmt.Printf("%q: lowest %s (%v): %s\n", uf.Instruction, low.Model, low.OverallScore, low.Critique)
	}
	// Output:
	// "What is 2 + 2?": lowest m2 (2): Wrong: 2 + 2 is 4.
	// skipped: demo.json:5 (element 2): too_few_completions: 1 completion(s); ranking needs at least 2: too few completions
}

// An I/O error is fatal and sticky for both readers; records before it are
// read and counted.
func TestReadersStopAtIOError(t *testing.T) {
	boom := errors.New("disk on fire")
	data, err := os.ReadFile(filepath.Join(ufDir, "sample.jsonl"))
	require.NoError(t, err)
	first := data[:bytes.IndexByte(data, '\n')+1]
	src := func(b []byte) io.Reader { return io.MultiReader(bytes.NewReader(b), iotest.ErrReader(boom)) }

	uf := NewReader(src(first), "x.jsonl")
	rec, err := uf.Next(context.Background())
	require.NoError(t, err)
	require.NotNil(t, rec)
	_, err = uf.Next(context.Background())
	require.ErrorIs(t, err, boom)
	_, err = uf.Next(context.Background())
	require.ErrorIs(t, err, boom, "sticky")
	assert.EqualValues(t, 1, uf.Stats().Records)

	conv := []byte(`{"id":"a","messages":[{"role":"user","content":"hi"},{"role":"assistant","content":"hello"}]}` + "\n")
	r := conversation.NewReader(src(conv), "x.jsonl")
	c, err := r.Next(context.Background())
	require.NoError(t, err)
	require.NotNil(t, c)
	_, err = r.Next(context.Background())
	require.ErrorIs(t, err, boom)
	_, err = r.Next(context.Background())
	require.ErrorIs(t, err, boom, "sticky")
	assert.EqualValues(t, 1, r.Stats().Records)
}
