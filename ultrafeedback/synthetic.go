package ultrafeedback

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"math"
	"slices"
	"strings"

	"github.com/dsatmine/dsatmine/conversation"
	"github.com/dsatmine/dsatmine/dsat"
)

// The synthetic setting builds anchors from UltraFeedback records instead of
// mining logs: one instruction has several completions rated by an AI
// annotator, and the lowest-rated completion plays the reply the user was
// unhappy with, its critique the user's feedback.

// Source is dsat.Anchor.Source of synthetic anchors.
const Source = "ultrafeedback"

// SettingSynthetic is Metadata["setting"] of synthetic anchors.
const SettingSynthetic = "synthetic"

// SyntheticTurn is the Turn of every synthetic anchor: the critique is read
// as the third message of [instruction, rejected completion, critique].
const SyntheticTurn = 2

// RankBy names the score by which the completions of a record are ranked.
type RankBy string

// Rank keys. Overall scores are on a 1–10 scale, the others on 1–5.
const (
	// RankOverall ranks by "overall_score".
	RankOverall RankBy = "overall"
	// RankFineGrained ranks by the mean of the aspect ratings: the record's
	// "fine-grained_score", or the mean of its numeric aspect ratings when it
	// has none (see Completion.FineGrained).
	RankFineGrained RankBy = "fine-grained"
	// The aspect keys rank by one aspect's rating.
	RankInstructionFollowing = RankBy(InstructionFollowing)
	RankTruthfulness         = RankBy(Truthfulness)
	RankHonesty              = RankBy(Honesty)
	RankHelpfulness          = RankBy(Helpfulness)
)

// RankKeys lists the rank keys.
var RankKeys = []RankBy{RankOverall, RankFineGrained, RankInstructionFollowing, RankTruthfulness, RankHonesty, RankHelpfulness}

// ErrUnknownRank is returned (wrapped) by ParseRankBy.
var ErrUnknownRank = errors.New("ultrafeedback: unknown rank key")

// ParseRankBy parses a rank key, case-insensitively; "-" and "_" are
// interchangeable, a "_score" suffix is accepted ("overall_score",
// "fine_grained_score"), "mean" means RankFineGrained and "" RankOverall.
func ParseRankBy(s string) (RankBy, error) {
	k := strings.ToLower(strings.TrimSpace(s))
	k = strings.ReplaceAll(k, "-", "_")
	k = strings.TrimSuffix(k, "_score")
	switch k {
	case "overall":
		return RankOverall, nil
	case "", "fine_grained", "finegrained", "mean":
		return RankFineGrained, nil
	}
	for _, r := range RankKeys {
		if string(r) == k {
			return r, nil
		}
	}
	names := make([]string, len(RankKeys))
	for i, r := range RankKeys {
		names[i] = string(r)
	}
	return "", fmt.Errorf("%w %q (want one of %s)", ErrUnknownRank, s, strings.Join(names, ", "))
}

// Score returns c's score under key r.
func (r RankBy) Score(c *Completion) Score {
	switch r {
	case RankOverall, "":
		return c.OverallScore
	case RankFineGrained:
		return c.FineGrained()
	}
	return c.AspectRating(Aspect(r))
}

// scale returns the range of r's scores.
func (r RankBy) scale() (lo, hi float64) {
	if r == RankOverall || r == "" {
		return OverallMin, OverallMax
	}
	return AspectMin, AspectMax
}

// tieBreakers returns the keys that break ties of r, in order.
func (r RankBy) tieBreakers() []RankBy {
	switch r {
	case RankOverall, "":
		return []RankBy{RankFineGrained}
	case RankFineGrained:
		return []RankBy{RankOverall}
	}
	return []RankBy{RankFineGrained, RankOverall}
}

// Reasons a record makes no synthetic anchor, counted in Stats.Dropped.
const (
	SkipAllEqual    = "all_equal"     // every ranked completion has the same score
	SkipTiedLowest  = "tied_lowest"   // several completions share the lowest score (BreakTies off)
	SkipTooFewRated = "too_few_rated" // fewer than two completions with a score and a response
	SkipNoCritique  = "no_critique"   // the lowest-rated completion has no critique to use as feedback
)

// Reasons a written synthetic anchor has no chosen completion, counted in
// Stats.Dropped with the prefix "pair_" and recorded in
// Metadata["no_pair"].
const (
	NoPairBelowMargin = "below_margin" // the best score exceeds the rejected one by less than Margin
	NoPairTiedHighest = "tied_highest" // several completions share the highest score (BreakTies off)
)

// Config controls how UltraFeedback records become anchors.
type Config struct {
	// RankBy is the score that ranks completions; "" means RankFineGrained,
	// the mean of the aspect ratings (the overall score is known to
	// contradict the critiques on a share of records).
	RankBy RankBy
	// Rejected picks the rejected completion: RejectLowest (the default,
	// "") takes the lowest-rated one; RejectRandom one of the completions
	// rated below the best, chosen by a hash of Seed and the record's id,
	// as the binarised UltraFeedback recipe does (deterministic: the same
	// seed and record give the same pick).
	Rejected RejectBy
	// Seed seeds RejectRandom.
	Seed uint64
	// Pairs attaches the highest-rated completion as Chosen when its score
	// exceeds the rejected one by at least Margin (the binarised
	// preference-pair recipe).
	Pairs bool
	// Margin is the minimum score gap for a pair, in RankBy's units
	// (1–10 for overall, 1–5 otherwise). It must not be negative.
	Margin float64
	// BreakTies resolves a shared lowest (or highest) score by the other
	// scores — fine-grained for overall; overall for fine-grained;
	// fine-grained, then overall for an aspect — and then by record order.
	// Off by default: a tied lowest score skips the record (SkipTiedLowest)
	// and a tied highest score makes no pair (NoPairTiedHighest).
	BreakTies bool
	// Strict makes Run stop at the first record that lacks a rank score (a
	// *conversation.ParseError with reason "missing_rating"); by default
	// such records are skipped and counted.
	Strict bool
	// Tokens optionally limits prompt and total token counts, as in Config.
	Tokens *dsat.TokenBudget
	// Dedup drops anchors whose normalised prompt and rejected reply were
	// already written in the same run.
	Dedup bool
}

// RejectBy names how the rejected completion of a record is picked.
type RejectBy string

// The rejected-completion picks.
const (
	RejectLowest RejectBy = "lowest"
	RejectRandom RejectBy = "random"
)

// ParseRejectBy parses "lowest" or "random" ("" is RejectLowest). Errors
// wrap ErrConfig.
func ParseRejectBy(s string) (RejectBy, error) {
	switch RejectBy(strings.ToLower(strings.TrimSpace(s))) {
	case "", RejectLowest:
		return RejectLowest, nil
	case RejectRandom:
		return RejectRandom, nil
	}
	return "", fmt.Errorf("%w: rejected pick %q (want lowest or random)", dsat.ErrConfig, s)
}

// DefaultConfig ranks by the mean of the aspect ratings, rejects
// the lowest-rated completion, makes pairs at a margin of 1, does not
// break ties, and deduplicates.
func DefaultConfig() Config {
	return Config{RankBy: RankFineGrained, Rejected: RejectLowest, Pairs: true, Margin: 1, Dedup: true}
}

func (c *Config) validate() error {
	if c.RankBy != "" && !slices.Contains(RankKeys, c.RankBy) {
		return fmt.Errorf("%w: rank key %q (want one of the RankKeys)", dsat.ErrConfig, c.RankBy)
	}
	if c.Rejected != "" && c.Rejected != RejectLowest && c.Rejected != RejectRandom {
		return fmt.Errorf("%w: rejected pick %q (want lowest or random)", dsat.ErrConfig, c.Rejected)
	}
	if c.Margin < 0 || math.IsNaN(c.Margin) {
		return fmt.Errorf("%w: negative pair margin %v", dsat.ErrConfig, c.Margin)
	}
	if c.Tokens != nil {
		return c.Tokens.Validate()
	}
	return nil
}

// Synthesizer turns UltraFeedback records into anchors. It is safe for
// concurrent use.
type Synthesizer struct {
	cfg    Config
	tokens *dsat.TokenFitter
}

// NewSynthesizer returns a Synthesizer for cfg. It returns an error wrapping
// ErrConfig when cfg is invalid, and loads the token encoding when
// cfg.Tokens is set.
func NewSynthesizer(cfg Config) (*Synthesizer, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	if cfg.RankBy == "" {
		cfg.RankBy = RankFineGrained
	}
	if cfg.Rejected == "" {
		cfg.Rejected = RejectLowest
	}
	s := &Synthesizer{cfg: cfg}
	if cfg.Tokens != nil {
		tc, err := dsat.NewTokenFitter(*cfg.Tokens)
		if err != nil {
			return nil, err
		}
		s.tokens = tc
	}
	return s, nil
}

// Config returns the synthesizer's effective configuration.
func (s *Synthesizer) Config() Config { return s.cfg }

// Result is what the synthesizer made of one record.
type Result struct {
	Record *Record
	// Scores holds each completion's rank score, in record order. A
	// completion with an N/A score or a blank response is not ranked.
	Scores []Score
	// Ranked lists the indices of the ranked completions.
	Ranked []int
	// Rejected and Chosen index Record.Completions; -1 when there is none.
	Rejected, Chosen int
	// Anchor is the anchor built, nil when Skipped is set.
	Anchor *dsat.Anchor
	// Skipped is the reason the record made no anchor (Skip*), or "".
	Skipped string
	// NoPair is the reason the anchor has no chosen completion
	// (NoPair*), or "" (a pair was made, or Pairs is off).
	NoPair string
}

// scoreEps is the tolerance under which two scores are equal.
const scoreEps = 1e-9

// Synthesize builds the anchor of one record. Mine's counterpart, it is pure:
// the same record and configuration always give the same result. It returns
// a *conversation.ParseError at the record's location, wrapping
// ErrMissingRating, when a completion has no score under the
// rank key at all (an "N/A" score is not an error: that completion is left
// out of the ranking).
func (s *Synthesizer) Synthesize(uf *Record) (*Result, error) {
	key := s.cfg.RankBy
	res := &Result{Record: uf, Rejected: -1, Chosen: -1, Scores: make([]Score, len(uf.Completions))}
	for i := range uf.Completions {
		c := &uf.Completions[i]
		sc := key.Score(c)
		if sc.Missing() {
			return nil, &conversation.ParseError{
				File: uf.Location.File, Line: uf.Location.Line, Row: uf.Location.Row,
				Reason: ReasonMissingRating,
				Err: fmt.Errorf("completion %d (model %q) has no %s score to rank by: %w",
					i, c.Model, key, ErrMissingRating),
			}
		}
		res.Scores[i] = sc
		if sc.Valid && strings.TrimSpace(c.Response) != "" {
			res.Ranked = append(res.Ranked, i)
		}
	}
	if len(res.Ranked) < 2 {
		res.Skipped = SkipTooFewRated
		return res, nil
	}
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, i := range res.Ranked {
		lo = min(lo, res.Scores[i].Value)
		hi = max(hi, res.Scores[i].Value)
	}
	if hi-lo <= scoreEps {
		res.Skipped = SkipAllEqual
		return res, nil
	}
	var lows, highs []int
	for _, i := range res.Ranked {
		switch v := res.Scores[i].Value; {
		case v-lo <= scoreEps:
			lows = append(lows, i)
		case hi-v <= scoreEps:
			highs = append(highs, i)
		}
	}
	if len(lows) > 1 && !s.cfg.BreakTies && s.cfg.Rejected != RejectRandom {
		res.Skipped = SkipTiedLowest
		return res, nil
	}
	if s.cfg.Rejected == RejectRandom {
		// Any completion rated below the best may be the rejected one.
		var below []int
		for _, i := range res.Ranked {
			if hi-res.Scores[i].Value > scoreEps {
				below = append(below, i)
			}
		}
		res.Rejected = below[s.randomIndex(uf.ID, len(below))]
		lo = res.Scores[res.Rejected].Value
	} else {
		res.Rejected = s.pick(uf, lows, -1)
	}
	rej := &uf.Completions[res.Rejected]
	if strings.TrimSpace(rej.Critique) == "" {
		res.Skipped = SkipNoCritique
		return res, nil
	}
	gap := hi - lo
	if s.cfg.Pairs {
		switch {
		case gap+scoreEps < s.cfg.Margin:
			res.NoPair = NoPairBelowMargin
		case len(highs) > 1 && !s.cfg.BreakTies:
			res.NoPair = NoPairTiedHighest
		default:
			res.Chosen = s.pick(uf, highs, +1)
		}
	}

	scaleLo, scaleHi := key.scale()
	scores := make([]any, len(res.Scores)) // null for completions not ranked
	for _, i := range res.Ranked {
		scores[i] = round4(res.Scores[i].Value)
	}
	meta := map[string]any{
		"setting":            SettingSynthetic,
		"rank_by":            string(key),
		"scores":             scores,
		"rejected_index":     res.Rejected,
		"rejected_score":     round4(lo),
		"margin":             round4(gap),
		"instruction_source": uf.Source,
	}
	a := &dsat.Anchor{
		ID:             dsat.AnchorID(uf.ID, SyntheticTurn),
		ConversationID: uf.ID,
		Source:         Source,
		Model:          rej.Model,
		Turn:           SyntheticTurn,
		Prompt:         []dsat.ChatMessage{{Role: string(conversation.User), Content: uf.Instruction}},
		Rejected:       []dsat.ChatMessage{{Role: string(conversation.Assistant), Content: rej.Response}},
		UserPreference: dsat.ChatMessage{Role: string(conversation.User), Content: rej.Critique},
		Categories:     []string{},
		Score:          round4(min(1, max(0, (scaleHi-lo)/(scaleHi-scaleLo)))),
		Evidence:       []dsat.Evidence{},
		Metadata:       meta,
	}
	if s.cfg.Pairs {
		meta["min_margin"] = s.cfg.Margin
	}
	if s.cfg.Rejected == RejectRandom {
		meta["rejected_by"] = string(RejectRandom)
	}
	if res.Chosen >= 0 {
		ch := &uf.Completions[res.Chosen]
		a.Chosen = []dsat.ChatMessage{{Role: string(conversation.Assistant), Content: ch.Response}}
		meta["chosen_index"] = res.Chosen
		meta["chosen_score"] = round4(hi)
		meta["chosen_model"] = ch.Model
	}
	if res.NoPair != "" {
		meta["no_pair"] = res.NoPair
	}
	if s.tokens != nil {
		if reason := s.tokens.Fit(a); reason != "" {
			res.Skipped = reason
			return res, nil
		}
	}
	res.Anchor = a
	return res, nil
}

// randomIndex returns a number in [0, n) determined by the seed and id.
func (s *Synthesizer) randomIndex(id string, n int) int {
	h := fnv.New64a()
	var seed [8]byte
	binary.LittleEndian.PutUint64(seed[:], s.cfg.Seed)
	h.Write(seed[:])
	h.Write([]byte(id))
	return int(h.Sum64() % uint64(n))
}

// pick returns the completion among tied that the tie-breakers rank lowest
// (dir -1) or highest (dir +1); the first in record order when they do not
// decide.
func (s *Synthesizer) pick(uf *Record, tied []int, dir float64) int {
	cands := tied
	for _, k := range s.cfg.RankBy.tieBreakers() {
		if len(cands) < 2 {
			break
		}
		best := math.Inf(-1)
		for _, i := range cands {
			if sc := k.Score(&uf.Completions[i]); sc.Valid {
				best = max(best, dir*sc.Value)
			}
		}
		if math.IsInf(best, -1) {
			continue
		}
		var next []int
		for _, i := range cands {
			if sc := k.Score(&uf.Completions[i]); sc.Valid && best-dir*sc.Value <= scoreEps {
				next = append(next, i)
			}
		}
		cands = next
	}
	return cands[0]
}

// Input is a stream of UltraFeedback records with reader
// statistics. *Reader implements it.
type Input interface {
	// Next returns the next record, or io.EOF at the end.
	Next(ctx context.Context) (*Record, error)
	// Stats returns the reader's counts so far.
	Stats() conversation.ReadStats
}

// Run synthesizes anchors from every record of inputs in order and writes
// them to out.Anchors (out.Events is not used: the synthetic setting has no
// events). It deduplicates anchors across the run when Config.Dedup is set
// and returns the run's statistics, also when it stops on an error (a strict
// reader's or synthesizer's *conversation.ParseError, a sink error or ctx's
// error).
//
// The statistics keep the shape of a mining run, read as follows. Records,
// RecordsSkipped and Formats come from the readers; a record without a rank
// score is one more skipped record ("missing_rating"). Conversations counts
// the good records (one instruction each) and Messages their instructions
// and completions; ConversationsMined those that made an anchor and
// ConversationsNoSignal the others, whose reasons (Skip*, or a token budget
// reason) are in Dropped. Written anchors without a chosen completion are
// counted in Dropped as "pair_below_margin" or "pair_tied_highest". Models
// are completion models: conversations = records with a completion of the
// model, follow_ups = its ranked completions, dsat = how often it was the
// rejected one, rate = dsat / follow_ups. FollowUps, the event counts and
// Languages stay empty.
func (s *Synthesizer) Run(ctx context.Context, inputs []Input, out dsat.Sinks) (*dsat.Stats, error) {
	st := dsat.NewStats()
	seen := map[[16]byte]struct{}{}
	for _, in := range inputs {
		err := s.runInput(ctx, in, out, st, seen)
		st.AddRead(in.Stats())
		if err != nil {
			return st, err
		}
	}
	return st, nil
}

func (s *Synthesizer) runInput(ctx context.Context, in Input, out dsat.Sinks, st *dsat.Stats, seen map[[16]byte]struct{}) error {
	for {
		uf, err := in.Next(ctx)
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		res, err := s.Synthesize(uf)
		if err != nil {
			var pe *conversation.ParseError
			if errors.As(err, &pe) && !s.cfg.Strict {
				st.RecordsSkipped++
				st.ReadSkipped[pe.Reason]++
				continue
			}
			return err
		}
		if err := s.write(res, out, st, seen); err != nil {
			return err
		}
	}
}

// write counts res and writes its anchor.
func (s *Synthesizer) write(res *Result, out dsat.Sinks, st *dsat.Stats, seen map[[16]byte]struct{}) error {
	uf := res.Record
	st.Conversations++
	st.Messages += int64(1 + len(uf.Completions))
	groups := map[string]dsat.GroupStats{}
	for i := range uf.Completions {
		g := groups[orUnknown(uf.Completions[i].Model)]
		g.Conversations = 1
		groups[orUnknown(uf.Completions[i].Model)] = g
	}
	for _, i := range res.Ranked {
		g := groups[orUnknown(uf.Completions[i].Model)]
		g.FollowUps++
		if i == res.Rejected && res.Skipped == "" {
			g.DSAT++
		}
		groups[orUnknown(uf.Completions[i].Model)] = g
	}
	st.AddModels(groups)
	if res.Anchor == nil {
		st.ConversationsNoSignal++
		st.Dropped[res.Skipped]++
		if out.Progress != nil {
			out.Progress(st)
		}
		return nil
	}
	st.ConversationsMined++
	a := res.Anchor
	written := true
	if s.cfg.Dedup {
		k := dsat.DedupKey(a)
		if _, dup := seen[k]; dup {
			st.Duplicates++
			written = false
		}
		seen[k] = struct{}{}
	}
	if written {
		if res.NoPair != "" {
			st.Dropped["pair_"+res.NoPair]++
		}
		if out.Anchors != nil {
			err := out.Anchors.WriteAnchor(a)
			if errors.Is(err, dsat.ErrNotExported) {
				st.Dropped[dsat.SkipNoChosen]++
				written = false
			} else if err != nil {
				return err
			}
		}
	}
	if written {
		st.Anchors++
		if len(a.Chosen) > 0 {
			st.Pairs++
		}
	}
	st.SyncExport(out.Anchors)
	if out.Progress != nil {
		out.Progress(st)
	}
	return nil
}

// round4 rounds to four decimals, as the miner rounds its scores.
func round4(x float64) float64 { return math.Round(x*1e4) / 1e4 }

func orUnknown(s string) string {
	if s == "" {
		return "unknown"
	}
	return s
}
