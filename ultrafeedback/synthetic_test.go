package ultrafeedback

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dsatmine/dsatmine/conversation"
	"github.com/dsatmine/dsatmine/dsat"
	"github.com/dsatmine/dsatmine/export"
	"github.com/dsatmine/dsatmine/internal/jsonx"
)

func synthRecords(t *testing.T, name string) []*Record {
	t.Helper()
	r, err := Open(filepath.Join(ufDir, name))
	require.NoError(t, err)
	defer r.Close()
	var out []*Record
	for uf, err := range r.All(context.Background()) {
		require.NoError(t, err)
		out = append(out, uf)
	}
	return out
}

// newSynth ranks by the overall score, which the fixtures' expectations were
// written for, unless mod says otherwise (the default ranking is tested in
// TestSynthesizeDefaultRanking).
func newSynth(t *testing.T, mod func(*Config)) *Synthesizer {
	t.Helper()
	cfg := DefaultConfig()
	cfg.RankBy = RankOverall
	if mod != nil {
		mod(&cfg)
	}
	s, err := NewSynthesizer(cfg)
	require.NoError(t, err)
	return s
}

func TestSynthesizeDefault(t *testing.T) {
	recs := synthRecords(t, "sample.jsonl")
	require.Len(t, recs, 6)
	s := newSynth(t, nil)

	// Haiku: overall [9, 2, 7.5, 6]: rejected model-b, chosen model-a.
	res, err := s.Synthesize(recs[0])
	require.NoError(t, err)
	require.NotNil(t, res.Anchor)
	a := res.Anchor
	assert.Equal(t, 1, res.Rejected)
	assert.Equal(t, 0, res.Chosen)
	assert.Equal(t, []int{0, 1, 2, 3}, res.Ranked)
	assert.Equal(t, "ultrafeedback", a.Source)
	assert.Equal(t, recs[0].ID, a.ConversationID)
	assert.Equal(t, dsat.AnchorID(recs[0].ID, 2), a.ID)
	assert.Equal(t, 2, a.Turn)
	assert.Equal(t, "model-b", a.Model)
	assert.Equal(t, []dsat.ChatMessage{{Role: "user", Content: recs[0].Instruction}}, a.Prompt)
	assert.Equal(t, []dsat.ChatMessage{{Role: "assistant", Content: recs[0].Completions[1].Response}}, a.Rejected)
	assert.Equal(t, []dsat.ChatMessage{{Role: "assistant", Content: recs[0].Completions[0].Response}}, a.Chosen)
	assert.Equal(t, dsat.ChatMessage{Role: "user", Content: recs[0].Completions[1].Critique}, a.UserPreference)
	assert.Equal(t, []string{}, a.Categories)
	assert.Equal(t, []dsat.Evidence{}, a.Evidence)
	assert.InDelta(t, 8.0/9, a.Score, 1e-4)
	assert.Equal(t, map[string]any{
		"setting": "synthetic", "rank_by": "overall", "instruction_source": "evol_instruct",
		"scores":         []any{9.0, 2.0, 7.5, 6.0},
		"rejected_index": 1, "rejected_score": 2.0,
		"chosen_index": 0, "chosen_score": 9.0, "chosen_model": "model-a",
		"margin": 7.0, "min_margin": 1.0,
	}, a.Metadata)

	// Basil: [7, 6.5, 7]: a gap of 0.5 is below the margin: no pair.
	res, err = s.Synthesize(recs[1])
	require.NoError(t, err)
	require.NotNil(t, res.Anchor)
	assert.Equal(t, 1, res.Rejected)
	assert.Equal(t, -1, res.Chosen)
	assert.Equal(t, NoPairBelowMargin, res.NoPair)
	assert.Empty(t, res.Anchor.Chosen)
	assert.Equal(t, "below_margin", res.Anchor.Metadata["no_pair"])
	assert.Equal(t, 0.5, res.Anchor.Metadata["margin"])
	assert.NotContains(t, res.Anchor.Metadata, "chosen_score")

	// Translation: [9.5, 3, 3, 7]: tied lowest.
	res, err = s.Synthesize(recs[2])
	require.NoError(t, err)
	assert.Nil(t, res.Anchor)
	assert.Equal(t, SkipTiedLowest, res.Skipped)

	// Capital: [8, 8]: all equal.
	res, err = s.Synthesize(recs[3])
	require.NoError(t, err)
	assert.Nil(t, res.Anchor)
	assert.Equal(t, SkipAllEqual, res.Skipped)

	// Goldfish: [2, 9, 6.5], own id.
	res, err = s.Synthesize(recs[5])
	require.NoError(t, err)
	assert.Equal(t, "tqa-0007", res.Anchor.ConversationID)
	assert.Equal(t, 0, res.Rejected)
	assert.Equal(t, 1, res.Chosen)
	assert.Equal(t, "truthful_qa", res.Anchor.Metadata["instruction_source"])
}

func TestSynthesizeOptions(t *testing.T) {
	recs := synthRecords(t, "sample.jsonl")
	tests := []struct {
		name     string
		mod      func(*Config)
		rec      int
		rejected int
		chosen   int
		skipped  string
		noPair   string
		margin   float64
	}{
		{"tie broken by fine-grained", func(c *Config) { c.BreakTies = true }, 2, 1, 0, "", "", 6.5},
		{"fine-grained", func(c *Config) { c.RankBy = RankFineGrained }, 3, 0, -1, "", NoPairBelowMargin, 0.25},
		{"fine-grained computed from aspects", func(c *Config) { c.RankBy = RankFineGrained }, 4, 1, 0, "", "", 5 - 7.0/3},
		{"honesty", func(c *Config) { c.RankBy = RankHonesty }, 0, 1, 0, "", "", 2},
		{"honesty all N/A", func(c *Config) { c.RankBy = RankHonesty }, 4, -1, -1, SkipTooFewRated, "", 0},
		{"helpfulness", func(c *Config) { c.RankBy = RankHelpfulness }, 2, 1, 0, "", "", 4},
		{"honesty tie at the top", func(c *Config) { c.RankBy = RankHonesty }, 2, 1, -1, "", NoPairTiedHighest, 2},
		{"truthfulness tie at the bottom", func(c *Config) { c.RankBy = RankTruthfulness }, 2, -1, -1, SkipTiedLowest, "", 0},
		{"instruction following", func(c *Config) { c.RankBy = RankInstructionFollowing }, 5, 0, 1, "", "", 2},
		{"tie at the top, margin met", func(c *Config) { c.Margin = 0.5 }, 1, 1, -1, "", NoPairTiedHighest, 0.5},
		{"tie at the top broken", func(c *Config) { c.Margin = 0.5; c.BreakTies = true }, 1, 1, 2, "", "", 0.5},
		{"large margin", func(c *Config) { c.Margin = 8 }, 0, 1, -1, "", NoPairBelowMargin, 7},
		{"no pairs", func(c *Config) { c.Pairs = false }, 0, 1, -1, "", "", 7},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newSynth(t, tt.mod)
			res, err := s.Synthesize(recs[tt.rec])
			require.NoError(t, err)
			assert.Equal(t, tt.skipped, res.Skipped)
			if tt.skipped != "" {
				assert.Nil(t, res.Anchor)
				return
			}
			require.NotNil(t, res.Anchor)
			assert.Equal(t, tt.rejected, res.Rejected, "rejected")
			assert.Equal(t, tt.chosen, res.Chosen, "chosen")
			assert.Equal(t, tt.noPair, res.NoPair)
			assert.InDelta(t, tt.margin, res.Anchor.Metadata["margin"], 1e-4)
			assert.Equal(t, string(s.Config().RankBy), res.Anchor.Metadata["rank_by"])
			assert.Equal(t, recs[tt.rec].Completions[tt.rejected].Response, res.Anchor.Rejected[0].Content)
			if tt.chosen >= 0 {
				assert.Equal(t, recs[tt.rec].Completions[tt.chosen].Response, res.Anchor.Chosen[0].Content)
			} else {
				assert.Empty(t, res.Anchor.Chosen)
			}
			_, hasMin := res.Anchor.Metadata["min_margin"]
			assert.Equal(t, s.Config().Pairs, hasMin)
		})
	}
}

// synthRecord builds a record whose completions have the given overall scores
// (nil: no overall score, but an aspect rating) and critiques.
func synthRecord(overall []*float64, critiques ...string) *Record {
	uf := &Record{ID: "r1", Instruction: "Say hi.",
		Location: conversation.Location{File: "x.jsonl", Line: 7}}
	for i, o := range overall {
		c := Completion{Model: fmt.Sprintf("m%d", i), Response: fmt.Sprintf("reply %d", i),
			Annotations: map[Aspect]Annotation{
				Honesty: {Rating: Score{Value: 3, Valid: true}}}}
		if o != nil {
			c.OverallScore = Score{Value: *o, Valid: true}
		}
		if i < len(critiques) {
			c.Critique = critiques[i]
		}
		uf.Completions = append(uf.Completions, c)
	}
	return uf
}

func fptr(v float64) *float64 { return &v }

func TestSynthesizeMalformed(t *testing.T) {
	s := newSynth(t, nil)
	_, err := s.Synthesize(synthRecord([]*float64{fptr(3), nil}, "bad", "fine"))
	var pe *conversation.ParseError
	require.ErrorAs(t, err, &pe)
	assert.ErrorIs(t, err, ErrMissingRating)
	assert.Equal(t, ReasonMissingRating, pe.Reason)
	assert.Equal(t, "x.jsonl", pe.File)
	assert.Equal(t, 7, pe.Line)
	assert.Contains(t, err.Error(), `completion 1 (model "m1") has no overall score`)

	// Ranked by honesty, the same record is fine but all equal.
	res, err := newSynth(t, func(c *Config) { c.RankBy = RankHonesty }).
		Synthesize(synthRecord([]*float64{fptr(3), nil}, "bad", "fine"))
	require.NoError(t, err)
	assert.Equal(t, SkipAllEqual, res.Skipped)

	// The lowest completion has no critique.
	res, err = s.Synthesize(synthRecord([]*float64{fptr(3), fptr(8)}, "  ", "fine"))
	require.NoError(t, err)
	assert.Equal(t, SkipNoCritique, res.Skipped)

	// A blank response is not ranked.
	uf := synthRecord([]*float64{fptr(3), fptr(8), fptr(5)}, "bad", "good", "ok")
	uf.Completions[0].Response = " \n"
	res, err = s.Synthesize(uf)
	require.NoError(t, err)
	assert.Equal(t, []int{1, 2}, res.Ranked)
	assert.Equal(t, 2, res.Rejected)
	assert.Equal(t, 1, res.Chosen)
	assert.Equal(t, []any{nil, 8.0, 5.0}, res.Anchor.Metadata["scores"])
}

// ufSliceInput serves records from memory.
type ufSliceInput struct {
	recs []*Record
	i    int
}

func (s *ufSliceInput) Next(context.Context) (*Record, error) {
	if s.i == len(s.recs) {
		return nil, io.EOF
	}
	s.i++
	return s.recs[s.i-1], nil
}

func (s *ufSliceInput) Stats() conversation.ReadStats {
	return conversation.ReadStats{Records: int64(s.i), Conversations: int64(s.i)}
}

func runSynth(t *testing.T, s *Synthesizer, format export.Format, files ...string) (*dsat.Stats, string) {
	t.Helper()
	var inputs []Input
	for _, name := range files {
		r, err := Open(filepath.Join(ufDir, name))
		require.NoError(t, err)
		t.Cleanup(func() { r.Close() })
		inputs = append(inputs, r)
	}
	var buf bytes.Buffer
	st, err := s.Run(context.Background(), inputs, dsat.Sinks{Anchors: export.NewAnchorWriter(&buf, format)})
	require.NoError(t, err)
	return st, buf.String()
}

func TestSynthesizerRun(t *testing.T) {
	s := newSynth(t, nil)
	st, out := runSynth(t, s, export.FormatDRIFT, "sample.jsonl")
	assert.Equal(t, int64(6), st.Records)
	assert.Equal(t, int64(0), st.RecordsSkipped)
	assert.Equal(t, int64(6), st.Conversations)
	assert.Equal(t, int64(4), st.ConversationsMined)
	assert.Equal(t, int64(2), st.ConversationsNoSignal)
	assert.Equal(t, int64(6+4+3+4+2+3+3), st.Messages)
	assert.Equal(t, int64(4), st.Anchors)
	assert.Equal(t, int64(3), st.Pairs)
	assert.Equal(t, map[string]int64{SkipTiedLowest: 1, SkipAllEqual: 1, "pair_below_margin": 1}, st.Dropped)
	assert.Equal(t, map[string]int64{"ultrafeedback": 6}, st.Formats)
	assert.Equal(t, map[string]dsat.GroupStats{
		"model-a": {Conversations: 6, FollowUps: 6, DSAT: 1, Rate: 0.1667},
		"model-b": {Conversations: 6, FollowUps: 6, DSAT: 3, Rate: 0.5},
		"model-c": {Conversations: 5, FollowUps: 5},
		"model-d": {Conversations: 2, FollowUps: 2},
	}, st.Models)
	assert.Empty(t, st.Languages)

	lines := strings.Split(strings.TrimSpace(out), "\n")
	require.Len(t, lines, 4)
	for _, line := range lines {
		var a dsat.Anchor
		require.NoError(t, jsonx.Unmarshal([]byte(line), &a))
		assert.Equal(t, "ultrafeedback", a.Source)
		assert.Equal(t, "synthetic", a.Metadata["setting"])
		assert.Contains(t, line, `"categories":[]`)
		assert.Contains(t, line, `"margin":`)
	}

	// The same input and config give the same bytes.
	_, again := runSynth(t, newSynth(t, nil), export.FormatDRIFT, "sample.jsonl")
	assert.Equal(t, out, again)
}

func TestSynthesizerRunExports(t *testing.T) {
	s := newSynth(t, nil)
	for _, format := range export.Formats {
		t.Run(string(format), func(t *testing.T) {
			st, out := runSynth(t, s, format, "sample.jsonl")
			lines := strings.Split(strings.TrimSpace(out), "\n")
			want := 4
			if format.Pairwise() {
				want = 3
				assert.Equal(t, int64(1), st.Dropped[dsat.SkipNoChosen])
			}
			require.Len(t, lines, want)
			assert.Equal(t, int64(want), st.Anchors)
			assert.Equal(t, int64(3), st.Pairs)
			var rec map[string]any
			require.NoError(t, jsonx.Unmarshal([]byte(lines[0]), &rec))
			prompt := []any{map[string]any{"role": "user", "content": "Write a haiku about the first frost on a vegetable garden."}}
			switch format {
			case export.FormatTRL, export.FormatOpenRLHF:
				assert.Equal(t, prompt, rec["prompt"])
				assert.Len(t, rec["chosen"], 1)
				assert.Len(t, rec["rejected"], 1)
			case export.FormatKTO:
				assert.Equal(t, prompt, rec["prompt"])
				assert.Equal(t, false, rec["label"])
				assert.Contains(t, rec["completion"].([]any)[0].(map[string]any)["content"], "Frost is cold.")
			case export.FormatLLaMAFactory:
				assert.Equal(t, []any{map[string]any{"from": "human", "value": prompt[0].(map[string]any)["content"]}}, rec["conversations"])
				assert.Equal(t, "gpt", rec["chosen"].(map[string]any)["from"])
			}
		})
	}
}

func TestSynthesizerRunMalformed(t *testing.T) {
	st, out := runSynth(t, newSynth(t, nil), export.FormatDRIFT, "malformed.jsonl")
	assert.Equal(t, int64(11), st.Records)
	assert.Equal(t, int64(9), st.RecordsSkipped)
	assert.Equal(t, int64(2), st.Conversations)
	assert.Equal(t, st.Records, st.Conversations+st.RecordsSkipped)
	assert.True(t, st.Accounting.Balanced, "%+v", st.Accounting)
	assert.Equal(t, int64(2), st.Accounting.RecordsKept)
	assert.Equal(t, int64(2), st.Anchors)
	assert.Equal(t, map[string]int64{
		"missing_rating": 1, "invalid_rating": 2, "too_few_completions": 1, "invalid_json": 1,
		"missing_field": 2, "wrong_type": 1, "unknown_format": 1,
	}, st.ReadSkipped)
	assert.Empty(t, st.Dropped)
	assert.Len(t, strings.Split(strings.TrimSpace(out), "\n"), 2)

	// A record without the rank score: skipped and counted when lenient,
	// the first error when strict.
	recs := []*Record{
		synthRecord([]*float64{fptr(3), nil}, "a", "b"),
		synthRecord([]*float64{fptr(3), fptr(9)}, "a", "b"),
	}
	st, err := newSynth(t, nil).Run(context.Background(), []Input{&ufSliceInput{recs: recs}}, dsat.Sinks{})
	require.NoError(t, err)
	assert.Equal(t, int64(2), st.Records)
	assert.Equal(t, int64(1), st.RecordsSkipped)
	assert.Equal(t, int64(1), st.Conversations)
	assert.Equal(t, int64(1), st.ReadSkipped["missing_rating"])
	assert.Equal(t, int64(1), st.Anchors)

	st, err = newSynth(t, func(c *Config) { c.Strict = true }).
		Run(context.Background(), []Input{&ufSliceInput{recs: recs}}, dsat.Sinks{})
	assert.ErrorIs(t, err, ErrMissingRating)
	assert.Equal(t, int64(0), st.Anchors)
}

func TestSynthesizerRunDedupAndTokens(t *testing.T) {
	st, out := runSynth(t, newSynth(t, nil), export.FormatDRIFT, "sample.jsonl", "sample.jsonl")
	assert.Equal(t, int64(12), st.Records)
	assert.Equal(t, int64(4), st.Anchors)
	assert.Equal(t, int64(4), st.Duplicates)
	assert.Len(t, strings.Split(strings.TrimSpace(out), "\n"), 4)

	st, out = runSynth(t, newSynth(t, func(c *Config) { c.Dedup = false }), export.FormatDRIFT, "sample.jsonl", "sample.jsonl")
	assert.Equal(t, int64(8), st.Anchors)
	assert.Len(t, strings.Split(strings.TrimSpace(out), "\n"), 8)

	// A total budget (prompt plus the longer of rejected and chosen, in
	// cl100k tokens with 4 per message) that only the goldfish exchange
	// fits (14 + 22), and a prompt budget that the two longest
	// instructions (17 and 18) exceed.
	s := newSynth(t, func(c *Config) { c.Tokens = &dsat.TokenBudget{MaxTotalTokens: 40} })
	st, out = runSynth(t, s, export.FormatDRIFT, "sample.jsonl")
	assert.Equal(t, int64(1), st.Anchors)
	assert.Equal(t, int64(3), st.Dropped[dsat.SkipTotalTooLong])
	assert.Equal(t, int64(1), st.ConversationsMined)
	assert.Contains(t, out, "goldfish")

	s = newSynth(t, func(c *Config) { c.Tokens = &dsat.TokenBudget{MaxPromptTokens: 15} })
	st, out = runSynth(t, s, export.FormatDRIFT, "sample.jsonl")
	assert.Equal(t, int64(2), st.Anchors)
	assert.Equal(t, int64(2), st.Dropped[dsat.SkipPromptTooLong])
	assert.Contains(t, out, "basil")
	assert.Contains(t, out, "goldfish")
}

func TestSynthesizerRunCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	n := 0
	s := newSynth(t, nil)
	recs := synthRecords(t, "sample.jsonl")
	st, err := s.Run(ctx, []Input{&ufSliceInput{recs: recs}}, dsat.Sinks{Progress: func(*dsat.Stats) {
		n++
		if n == 2 {
			cancel()
		}
	}})
	assert.ErrorIs(t, err, context.Canceled)
	assert.Equal(t, int64(2), st.Conversations)
}

func TestParseRankBy(t *testing.T) {
	for in, want := range map[string]RankBy{
		"": RankFineGrained, "overall": RankOverall, "overall_score": RankOverall, "Overall": RankOverall,
		"fine-grained": RankFineGrained, "fine_grained_score": RankFineGrained, "fine-grained_score": RankFineGrained, "mean": RankFineGrained,
		"instruction_following": RankInstructionFollowing, "instruction-following": RankInstructionFollowing,
		"truthfulness": RankTruthfulness, "honesty": RankHonesty, "HELPFULNESS": RankHelpfulness,
	} {
		got, err := ParseRankBy(in)
		require.NoError(t, err, in)
		assert.Equal(t, want, got, in)
	}
	_, err := ParseRankBy("fluency")
	assert.ErrorIs(t, err, ErrUnknownRank)
}

func TestNewSynthesizerInvalid(t *testing.T) {
	for name, mod := range map[string]func(*Config){
		"negative margin": func(c *Config) { c.Margin = -1 },
		"unknown rank":    func(c *Config) { c.RankBy = "fluency" },
		"bad encoding":    func(c *Config) { c.Tokens = &dsat.TokenBudget{Encoding: "gpt2"} },
	} {
		cfg := DefaultConfig()
		mod(&cfg)
		_, err := NewSynthesizer(cfg)
		assert.Error(t, err, name)
	}
	_, err := NewSynthesizer(Config{Margin: -1})
	assert.ErrorIs(t, err, dsat.ErrConfig)
	_, err = NewSynthesizer(Config{Rejected: "median"})
	assert.ErrorIs(t, err, dsat.ErrConfig)
	s, err := NewSynthesizer(Config{})
	require.NoError(t, err)
	assert.Equal(t, RankFineGrained, s.Config().RankBy, "the mean of the aspect ratings by default")
	assert.Equal(t, RejectLowest, s.Config().Rejected)
	assert.Equal(t, RankFineGrained, DefaultConfig().RankBy)
}

func TestSynthesizeDefaultRanking(t *testing.T) {
	recs := synthRecords(t, "sample.jsonl")
	def, err := NewSynthesizer(DefaultConfig())
	require.NoError(t, err)
	fine := newSynth(t, func(c *Config) { c.RankBy = RankFineGrained })
	for _, r := range recs {
		got, err := def.Synthesize(r)
		require.NoError(t, err)
		want, err := fine.Synthesize(r)
		require.NoError(t, err)
		assert.Equal(t, want, got, "record %s: the default ranks like fine-grained", r.ID)
		if got.Anchor != nil {
			assert.Equal(t, "fine-grained", got.Anchor.Metadata["rank_by"])
		}
	}
}

func TestSynthesizeRandomRejected(t *testing.T) {
	recs := synthRecords(t, "sample.jsonl")
	picks := map[uint64][]int{}
	for _, seed := range []uint64{1, 2, 3, 4, 5, 6, 7, 8} {
		s := newSynth(t, func(c *Config) { c.Rejected = RejectRandom; c.Seed = seed })
		again := newSynth(t, func(c *Config) { c.Rejected = RejectRandom; c.Seed = seed })
		for _, r := range recs {
			res, err := s.Synthesize(r)
			require.NoError(t, err)
			res2, err := again.Synthesize(r)
			require.NoError(t, err)
			assert.Equal(t, res, res2, "deterministic for one seed")
			if res.Rejected < 0 {
				picks[seed] = append(picks[seed], -1)
				continue
			}
			// Never the best-rated completion.
			best := math.Inf(-1)
			for _, i := range res.Ranked {
				best = max(best, res.Scores[i].Value)
			}
			assert.Less(t, res.Scores[res.Rejected].Value, best, "record %s", r.ID)
			if res.Anchor != nil {
				assert.Equal(t, "random", res.Anchor.Metadata["rejected_by"])
			}
			picks[seed] = append(picks[seed], res.Rejected)
		}
	}
	distinct := map[string]bool{}
	for _, p := range picks {
		distinct[fmt.Sprint(p)] = true
	}
	assert.Greater(t, len(distinct), 1, "the seed changes the picks")
}

// ExampleSynthesizer_Run turns rated completions into a DRIFT anchor with a
// chosen completion.
func ExampleSynthesizer_Run() {
	const data = `{"source": "demo", "instruction": "What is 2 + 2?", "completions": [` +
		`{"model": "m1", "response": "2 + 2 = 4.", "overall_score": 9, "fine-grained_score": 5, "critique": "Correct."},` +
		`{"model": "m2", "response": "5", "overall_score": 2, "fine-grained_score": 1.5, "critique": "Wrong: 2 + 2 is 4."}]}`
	r := NewReader(strings.NewReader(data), "demo.jsonl")
	defer r.Close()

	s, err := NewSynthesizer(DefaultConfig())
	if err != nil {
		panic(err)
	}
	st, err := s.Run(context.Background(), []Input{r},
		dsat.Sinks{Anchors: export.NewAnchorWriter(os.Stdout, export.FormatTRL)})
	if err != nil {
		panic(err)
	}
	fmt.Println("anchors:", st.Anchors, "pairs:", st.Pairs)
	// Output:
	// {"prompt":[{"role":"user","content":"What is 2 + 2?"}],"chosen":[{"role":"assistant","content":"2 + 2 = 4."}],"rejected":[{"role":"assistant","content":"5"}]}
	// anchors: 1 pairs: 1
}
