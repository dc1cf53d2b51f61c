package dsat

import (
	"github.com/dsatmine/dsatmine/conversation"
)

// Stats are the statistics of a run (docs/records.md, "Run statistics"). Every input record is
// accounted for, and Accounting shows it: Records = records that yielded
// conversations + RecordsSkipped, and every conversation read was mined
// (Conversations = ConversationsMined + ConversationsNoSignal). Maps are
// written with sorted keys.
type Stats struct {
	// Records is the number of input records read, good or bad.
	Records int64 `json:"records"`
	// RecordsSkipped is the number of records the readers skipped; their
	// reasons are in ReadSkipped.
	RecordsSkipped int64 `json:"records_skipped"`
	// Conversations is the number of conversations mined.
	Conversations int64 `json:"conversations"`
	// ConversationsMined counts conversations with at least one DSAT event;
	// ConversationsNoSignal the others.
	ConversationsMined    int64 `json:"conversations_mined"`
	ConversationsNoSignal int64 `json:"conversations_no_signal"`
	Messages              int64 `json:"messages"`
	// FollowUps counts the follow-ups judged (the first user message of a
	// conversation is never one).
	FollowUps  int64 `json:"follow_ups"`
	DSATEvents int64 `json:"dsat_events"`
	SATEvents  int64 `json:"sat_events"`
	// Events counts DSAT events per category (an event may carry several).
	Events map[string]int64 `json:"events"`
	// Anchors counts anchors written; Pairs those with a chosen reply.
	Anchors int64 `json:"anchors"`
	Pairs   int64 `json:"pairs"`
	// Duplicates counts anchors dropped by dedup.
	Duplicates int64 `json:"duplicates"`
	// Pairing counts the satisfied later replies found for anchors: attached
	// as chosen by reason (restated, re-asked, refined, drift) or left out by
	// the pairing rule (dropped_new_fact, dropped_challenge). Counted per
	// anchor the miner built, before dedup and export.
	Pairing map[string]int64 `json:"pairing,omitempty"`
	// Export counts what the export changed and wrote (role normalisation,
	// kto labels); nil for the drift layout.
	Export *ExportStats `json:"export,omitempty"`
	// ReadSkipped counts the records the readers skipped, by reason (the
	// conversation.Reason* constants: "invalid_json", "unknown_role", …).
	// Its sum is RecordsSkipped. These records never reached the miner.
	ReadSkipped map[string]int64 `json:"read_skipped"`
	// Dropped counts what the miner and the export left out of the anchors,
	// by reason (the Skip* constants): DSAT events that made no anchor
	// (policy, score, token budget, per-conversation cap) and anchors the
	// export could not represent ("export_no_chosen"). Their conversations
	// are counted as mined; duplicates are counted in Duplicates instead.
	Dropped map[string]int64 `json:"dropped"`
	// Formats counts records per detected input format.
	Formats map[string]int64 `json:"formats"`
	// Models and Languages break follow-ups and DSAT events down by the
	// conversation's model and language ("unknown" when absent).
	Models    map[string]GroupStats `json:"models"`
	Languages map[string]GroupStats `json:"languages"`
	// Classifier reports the classifier stage; nil when no classifier was configured.
	Classifier *ClassifierStats `json:"classifier,omitempty"`
	// Accounting is the balance of records read against their outcomes. It
	// is kept up to date by AddRead, AddResult and Merge; it balances once
	// every input has been read to the end and every conversation mined.
	Accounting Accounting `json:"accounting"`
}

// Accounting proves that a run lost no input record (docs/records.md):
//
//	Records = ConversationsMined + ConversationsNoSignal + RecordsSkipped - FanOut
//
// The unit on the left is the input record (a JSON Lines line, a JSON array
// element, a Parquet row). Most formats give one conversation per record and
// FanOut is 0, so the equation reads literally: records read = conversations
// with DSAT + conversations without + records skipped. Where a record gives
// several conversations or several records give one, FanOut =
// ConversationsRead - RecordsKept counts the difference: an OpenAssistant tree
// gives one conversation per root-to-leaf path (FanOut > 0); OpenAssistant
// message rows are grouped into trees, and all rows of a tree that yielded
// conversations are kept (FanOut < 0 when trees are single paths).
//
// The equation is checked in two halves, each from counters kept at a
// different stage, and Balanced is true only when both hold:
//
//	Records = RecordsKept + RecordsSkipped                         (reader: every record kept or skipped by reason)
//	ConversationsRead = ConversationsMined + ConversationsNoSignal (miner: every conversation read was mined)
type Accounting struct {
	// Records, RecordsKept, ConversationsRead and SkippedByReason are the
	// readers' counts (conversation.ReadStats).
	Records     int64 `json:"records"`
	RecordsKept int64 `json:"records_kept"`
	// RecordsSkipped is the sum of SkippedByReason.
	RecordsSkipped  int64            `json:"records_skipped"`
	SkippedByReason map[string]int64 `json:"skipped_by_reason"`
	// ConversationsRead is the number of conversations the readers yielded.
	ConversationsRead int64 `json:"conversations_read"`
	// ConversationsMined and ConversationsNoSignal are the miner's counts.
	ConversationsMined    int64 `json:"conversations_mined"`
	ConversationsNoSignal int64 `json:"conversations_no_signal"`
	// FanOut is ConversationsRead - RecordsKept.
	FanOut int64 `json:"fan_out"`
	// Balanced reports that both halves of the equation hold.
	Balanced bool `json:"balanced"`
}

// account recomputes s.Accounting from the counters.
func (s *Stats) account() {
	a := &s.Accounting
	a.Records = s.Records
	a.RecordsSkipped = 0
	for _, n := range a.SkippedByReason {
		a.RecordsSkipped += n
	}
	a.ConversationsMined = s.ConversationsMined
	a.ConversationsNoSignal = s.ConversationsNoSignal
	a.FanOut = a.ConversationsRead - a.RecordsKept
	a.Balanced = a.Records == a.RecordsKept+a.RecordsSkipped &&
		a.ConversationsRead == a.ConversationsMined+a.ConversationsNoSignal &&
		a.Records == a.ConversationsMined+a.ConversationsNoSignal+a.RecordsSkipped-a.FanOut
}

// ClassifierStats reports the classifier stage of a run.
type ClassifierStats struct {
	// Name is the classifier's name.
	Name string `json:"name"`
	// Band is the cascade's uncertain band; nil when every follow-up was sent
	// to the classifier.
	Band *Band `json:"band,omitempty"`
	// Judge names the judge (Config.Judge) and JudgeBand is the band of
	// classifier DSAT probabilities it was asked about; empty and nil
	// without a judge.
	Judge     string `json:"judge,omitempty"`
	JudgeBand *Band  `json:"judge_band,omitempty"`
	ClassifierCounts
	// Details carries classifier-specific figures set by the caller (for the
	// LLM judge: requests, tokens, cache hits, budget); nil otherwise.
	Details any `json:"details,omitempty"`
}

// GroupStats counts one model or language.
type GroupStats struct {
	Conversations int64 `json:"conversations"`
	FollowUps     int64 `json:"follow_ups"`
	DSAT          int64 `json:"dsat"`
	// Rate is DSAT / FollowUps (0 when there are no follow-ups).
	Rate float64 `json:"rate"`
}

// NewStats returns empty statistics with non-nil maps.
func NewStats() *Stats {
	return &Stats{
		Events:      map[string]int64{},
		ReadSkipped: map[string]int64{},
		Dropped:     map[string]int64{},
		Formats:     map[string]int64{},
		Models:      map[string]GroupStats{},
		Languages:   map[string]GroupStats{},
		Accounting:  Accounting{SkippedByReason: map[string]int64{}, Balanced: true},
	}
}

// Merge adds o to s (for sharded runs) and recomputes the rates.
func (s *Stats) Merge(o *Stats) {
	s.Records += o.Records
	s.RecordsSkipped += o.RecordsSkipped
	s.Conversations += o.Conversations
	s.ConversationsMined += o.ConversationsMined
	s.ConversationsNoSignal += o.ConversationsNoSignal
	s.Messages += o.Messages
	s.FollowUps += o.FollowUps
	s.DSATEvents += o.DSATEvents
	s.SATEvents += o.SATEvents
	s.Anchors += o.Anchors
	s.Pairs += o.Pairs
	s.Duplicates += o.Duplicates
	if len(o.Pairing) > 0 {
		s.Pairing = addCounts(s.Pairing, o.Pairing)
	}
	if o.Export != nil {
		if s.Export == nil {
			s.Export = &ExportStats{Format: o.Export.Format}
		}
		s.Export.Add(o.Export)
	}
	s.Events = addCounts(s.Events, o.Events)
	s.ReadSkipped = addCounts(s.ReadSkipped, o.ReadSkipped)
	s.Dropped = addCounts(s.Dropped, o.Dropped)
	s.Formats = addCounts(s.Formats, o.Formats)
	s.Models = addGroups(s.Models, o.Models)
	s.Languages = addGroups(s.Languages, o.Languages)
	s.Accounting.RecordsKept += o.Accounting.RecordsKept
	s.Accounting.ConversationsRead += o.Accounting.ConversationsRead
	s.Accounting.SkippedByReason = addCounts(s.Accounting.SkippedByReason, o.Accounting.SkippedByReason)
	s.account()
	if o.Classifier != nil {
		if s.Classifier == nil {
			s.Classifier = &ClassifierStats{Name: o.Classifier.Name, Band: o.Classifier.Band,
				Judge: o.Classifier.Judge, JudgeBand: o.Classifier.JudgeBand, Details: o.Classifier.Details}
		}
		s.Classifier.add(o.Classifier.ClassifierCounts)
	}
}

// AddRead adds a reader's counts (records, skipped records by reason, formats).
func (s *Stats) AddRead(r conversation.ReadStats) {
	s.Records += r.Records
	for _, n := range r.Skipped {
		s.RecordsSkipped += n
	}
	s.ReadSkipped = addCounts(s.ReadSkipped, r.Skipped)
	s.Formats = addCounts(s.Formats, r.Formats)
	s.Accounting.RecordsKept += r.Kept
	s.Accounting.ConversationsRead += r.Conversations
	s.Accounting.SkippedByReason = addCounts(s.Accounting.SkippedByReason, r.Skipped)
	s.account()
}

// AddResult adds what the miner found in one conversation. Anchors are
// counted when they are written, not here.
func (s *Stats) AddResult(r *Result) {
	s.init()
	c := r.Conversation
	s.Conversations++
	s.Messages += int64(len(c.Messages))
	s.FollowUps += int64(len(r.FollowUps))
	var dsat int64
	for i := range r.Events {
		e := &r.Events[i]
		if e.Kind == KindSAT {
			s.SATEvents++
			continue
		}
		dsat++
		for _, cat := range e.Categories {
			s.Events[string(cat)]++
		}
	}
	s.DSATEvents += dsat
	if dsat > 0 {
		s.ConversationsMined++
	} else {
		s.ConversationsNoSignal++
	}
	for reason, n := range r.Skipped {
		s.Dropped[reason] += int64(n)
	}
	for reason, n := range r.Pairing {
		if s.Pairing == nil {
			s.Pairing = map[string]int64{}
		}
		s.Pairing[reason] += int64(n)
	}
	if s.Classifier != nil {
		s.Classifier.add(r.Classifier)
	}
	g := GroupStats{Conversations: 1, FollowUps: int64(len(r.FollowUps)), DSAT: dsat}
	s.Models = addGroups(s.Models, map[string]GroupStats{orUnknown(c.Model): g})
	s.Languages = addGroups(s.Languages, map[string]GroupStats{orUnknown(c.Language): g})
	s.account()
}

// init makes the maps of a zero Stats usable.
func (s *Stats) init() {
	if s.Events == nil {
		s.Events = map[string]int64{}
	}
	if s.ReadSkipped == nil {
		s.ReadSkipped = map[string]int64{}
	}
	if s.Dropped == nil {
		s.Dropped = map[string]int64{}
	}
	if s.Formats == nil {
		s.Formats = map[string]int64{}
	}
	if s.Models == nil {
		s.Models = map[string]GroupStats{}
	}
	if s.Languages == nil {
		s.Languages = map[string]GroupStats{}
	}
	if s.Accounting.SkippedByReason == nil {
		s.Accounting.SkippedByReason = map[string]int64{}
	}
}

func orUnknown(s string) string {
	if s == "" {
		return "unknown"
	}
	return s
}

func addCounts(dst, src map[string]int64) map[string]int64 {
	if dst == nil {
		dst = make(map[string]int64, len(src))
	}
	for k, v := range src {
		dst[k] += v
	}
	return dst
}

func addGroups(dst, src map[string]GroupStats) map[string]GroupStats {
	if dst == nil {
		dst = make(map[string]GroupStats, len(src))
	}
	for k, v := range src {
		g := dst[k]
		g.Conversations += v.Conversations
		g.FollowUps += v.FollowUps
		g.DSAT += v.DSAT
		g.Rate = 0
		if g.FollowUps > 0 {
			g.Rate = round4(float64(g.DSAT) / float64(g.FollowUps))
		}
		dst[k] = g
	}
	return dst
}

// AddModels adds per-model counts to s.Models (rates recomputed).
func (s *Stats) AddModels(groups map[string]GroupStats) {
	s.Models = addGroups(s.Models, groups)
}

// SyncExport copies the export counts of sink (an AnchorSink with an
// ExportStats method, such as export.AnchorWriter) into s.Export.
func (s *Stats) SyncExport(sink AnchorSink) { syncExport(sink, s) }
