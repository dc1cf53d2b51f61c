package report

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/klauspost/compress/zstd"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dsatmine/dsatmine/dsat"
)

const twoEvents = `{"conversation_id":"a","source":"t","kind":"dsat","follow_up":2,"reply":1,"request":0,"turn":2,"categories":["complaint"],"score":0.7,"evidence":[{"start":0,"end":5,"text":"wrong","category":"complaint","detector":"lexicon","cue":"en:1 \"wrong\""}],"detector":"lexicon","detector_version":"v"}

{"conversation_id":"b","source":"t","kind":"sat","follow_up":2,"reply":1,"request":0,"turn":2,"score":0.9,"detector":"lexicon","detector_version":"v"}`

func TestIsEvents(t *testing.T) {
	gz := func(s string) []byte {
		var b bytes.Buffer
		w := gzip.NewWriter(&b)
		_, _ = w.Write([]byte(s))
		require.NoError(t, w.Close())
		return b.Bytes()
	}
	zs := func(s string) []byte {
		w, err := zstd.NewWriter(nil)
		require.NoError(t, err)
		defer w.Close()
		return w.EncodeAll([]byte(s), nil)
	}
	for name, c := range map[string]struct {
		in   []byte
		want bool
	}{
		"events":          {[]byte(twoEvents), true},
		"leading blanks":  {[]byte("\n\n  \n" + twoEvents), true},
		"gzip events":     {gz(twoEvents), true},
		"zstd events":     {zs(twoEvents), true},
		"openai log":      {[]byte(`{"messages":[{"role":"user","content":"hi"}]}`), false},
		"anchor":          {[]byte(`{"id":"x","conversation_id":"a","turn":2,"prompt":[]}`), false},
		"json array":      {[]byte(`[{"kind":"dsat","follow_up":2}]`), false},
		"not json":        {[]byte("hello"), false},
		"empty":           {nil, false},
		"huge first line": {[]byte(`{"messages":"` + strings.Repeat("x", maxSniff) + `","kind":"dsat","follow_up":2}`), false},
	} {
		got, err := IsEvents(bytes.NewReader(c.in))
		require.NoError(t, err, name)
		assert.Equal(t, c.want, got, name)
	}
}

func TestReadEventsCompressedAndBad(t *testing.T) {
	var b bytes.Buffer
	w := gzip.NewWriter(&b)
	_, _ = w.Write([]byte(twoEvents + "\r\n"))
	require.NoError(t, w.Close())
	a := NewAggregator(DefaultOptions())
	require.NoError(t, a.ReadEvents(context.Background(), &b, "ev.jsonl.gz"))
	r := a.Report()
	assert.Equal(t, int64(1), r.Summary.DSATEvents)
	assert.Equal(t, int64(1), r.Summary.SATEvents)
	require.NotEmpty(t, r.Cues)
	assert.Equal(t, `en:1 "wrong"`, r.Cues[0].Cues[0].Cue)
	assert.Equal(t, []string{"wrong"}, r.Cues[0].Cues[0].Examples)

	for _, c := range []struct{ in, want string }{
		{twoEvents + "\nnot json\n", "ev.jsonl:4: not a JSON event"},
		{`{"kind":"meh","follow_up":1}`, `ev.jsonl:1: event kind "meh"`},
	} {
		err := NewAggregator(DefaultOptions()).ReadEvents(context.Background(), strings.NewReader(c.in), "ev.jsonl")
		require.Error(t, err)
		assert.True(t, errors.Is(err, ErrInput), err.Error())
		var ie *InputError
		require.True(t, errors.As(err, &ie))
		assert.Contains(t, err.Error(), c.want)
	}

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err := NewAggregator(DefaultOptions()).ReadEvents(ctx, strings.NewReader(twoEvents), "ev.jsonl")
	assert.ErrorIs(t, err, context.Canceled)
}

func TestReadAnchorsAndStatsErrors(t *testing.T) {
	a := NewAggregator(DefaultOptions())
	err := a.ReadAnchors(context.Background(), strings.NewReader(`{"prompt":[{"role":"user","content":"x"}],"chosen":[],"rejected":[]}`), "trl.jsonl")
	assert.ErrorIs(t, err, ErrInput)
	assert.Contains(t, err.Error(), "trl.jsonl:1: not an anchor in the drift layout")

	_, err = ReadStats(strings.NewReader(`{"records": 3}`), "s.json")
	assert.ErrorIs(t, err, ErrInput)
	_, err = ReadStats(strings.NewReader(`{"follow_ups": "x"}`), "s.json")
	assert.ErrorIs(t, err, ErrInput)
	st, err := ReadStats(strings.NewReader(`{"follow_ups": 7, "models": {"m": {"follow_ups": 7, "dsat": 2}}}`), "s.json")
	require.NoError(t, err)
	assert.Equal(t, int64(7), st.FollowUps)
	assert.Equal(t, int64(2), st.Models["m"].DSAT)
	assert.NotNil(t, st.ReadSkipped, "maps are usable")
	assert.NotNil(t, st.Dropped, "maps are usable")
}

func anchor(id string, score float64, cats ...string) *dsat.Anchor {
	return &dsat.Anchor{
		ID: id, ConversationID: "conv-" + id, Turn: 2, Categories: cats, Score: score,
		UserPreference: dsat.ChatMessage{Role: "user", Content: "no, that's wrong"},
		Rejected:       []dsat.ChatMessage{{Role: "assistant", Content: "reply " + id}},
		Evidence:       []dsat.Evidence{{Start: 4, End: 16, Text: "that's wrong", Category: "complaint"}},
	}
}

func TestSamplesKeepTheBestPerCategory(t *testing.T) {
	opt := DefaultOptions()
	opt.SamplesPerCategory = 2
	a := NewAggregator(opt)
	for _, an := range []*dsat.Anchor{
		anchor("e", 0.6, "complaint"), anchor("d", 0.9, "complaint"), anchor("c", 0.6, "complaint"),
		anchor("b", 0.95, "complaint", "preference"), anchor("a", 0.5, "refinement"), anchor("z", 0.7),
	} {
		an.Chosen = nil
		if an.ID == "d" {
			an.Chosen = []dsat.ChatMessage{{Role: "assistant", Content: "better"}}
		}
		require.NoError(t, a.WriteAnchor(an))
	}
	r := a.Report()
	var ids []string
	for _, s := range r.Samples {
		ids = append(ids, s.ID)
	}
	// Canonical category order (refinement before complaint), best first,
	// ties by id; anchors without category last.
	assert.Equal(t, []string{"a", "b", "d", "z"}, ids)
	assert.Equal(t, int64(6), r.Summary.Anchors)
	assert.Equal(t, int64(1), r.Summary.Pairs)
	assert.True(t, r.Samples[2].HasChosen)
	assert.Equal(t, []Span{{4, 16}}, r.Samples[0].Marks)
}

func TestEvidenceSpans(t *testing.T) {
	text := "Non, c'est faux. Je voulais dire Canberra, pas Sydney."
	spans := evidenceSpans(text, []dsat.Evidence{
		{Start: 5, End: 15, Text: "c'est faux"},          // right
		{Start: 0, End: 3, Text: "Non"},                  // right
		{Start: 90, End: 99, Text: "je voulais"},         // out of range, text not found as is
		{Start: 1, End: 5, Text: "Je voulais dire"},      // wrong offsets: found by text
		{Start: 20, End: 30, Text: ""},                   // wrong and no text: dropped
		{Start: 8, End: 12, Text: "st f"},                // overlaps: merged
		{Start: -1, End: 2, Text: "Sydney"},              // located by text
		{Start: 2, End: 1, Text: "definitely not there"}, // dropped
	})
	assert.Equal(t, []Span{{0, 3}, {5, 15}, {17, 32}, {47, 53}}, spans)
}

func TestWindowKeepsEvidenceAndRunes(t *testing.T) {
	text := strings.Repeat("é", 300) + "WRONG" + strings.Repeat("ж", 300)
	ev := []dsat.Evidence{{Start: 600, End: 605, Text: "WRONG"}}
	an := &dsat.Anchor{ID: "x", UserPreference: dsat.ChatMessage{Role: "user", Content: text}, Evidence: ev,
		Rejected: []dsat.ChatMessage{{Role: "assistant", Content: strings.Repeat("語", 400)}}}
	opt := DefaultOptions()
	opt.SnippetBytes = 100
	a := NewAggregator(opt)
	s := a.newSample(an)
	assert.LessOrEqual(t, len(s.FollowUp), 100)
	assert.True(t, s.FollowUpTruncated)
	assert.Equal(t, len(text), s.FollowUpLength)
	assert.Equal(t, text[s.FollowUpStart:s.FollowUpStart+len(s.FollowUp)], s.FollowUp)
	require.Len(t, s.Marks, 1)
	assert.Equal(t, "WRONG", s.FollowUp[s.Marks[0].Start:s.Marks[0].End])
	assert.True(t, strings.ToValidUTF8(s.FollowUp, "?") == s.FollowUp, "cut on rune boundaries")
	assert.True(t, s.RejectedTruncated)
	assert.LessOrEqual(t, len(s.Rejected), 100)
	assert.Equal(t, strings.Repeat("語", 33), s.Rejected)

	short := a.newSample(anchor("y", 0.5, "complaint"))
	assert.False(t, short.FollowUpTruncated)
	assert.False(t, short.RejectedTruncated)
}

func TestNormalizeCue(t *testing.T) {
	assert.Equal(t, "rephrase of an earlier request", normalizeCue("rephrase of message 4 (sim 0.82)", "rephrase"))
	assert.Equal(t, `en:653 "you can do it"`, normalizeCue(`en:653 "you can do it" (no refusal in reply)`, "lexicon"))
	assert.Equal(t, "classifier", normalizeCue("", "classifier"))
	assert.Equal(t, "(no cue)", normalizeCue("  ", ""))
}
