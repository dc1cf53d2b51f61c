package report

import (
	"cmp"
	"fmt"
	"maps"
	"slices"

	"github.com/dsatmine/dsatmine/dsat"
	"github.com/dsatmine/dsatmine/heuristics"
)

// Report holds every figure of a report. The HTML page and the JSON output
// are both rendered from it.
type Report struct {
	Title  string   `json:"title"`
	Inputs []string `json:"inputs"`
	// Basis is BasisFollowUps when every follow-up was scored in process,
	// BasisEvents when the report was built from an events file.
	Basis string `json:"basis"`
	// Threshold is the operating score threshold.
	Threshold float64 `json:"threshold"`
	// CategoryThresholds lists the categories whose threshold differs from
	// Threshold (the default miner asks more of preference).
	CategoryThresholds map[string]float64 `json:"category_thresholds,omitempty"`
	Summary            Summary            `json:"summary"`
	// Categories holds one row per DSAT category in canonical order: DSAT
	// events of the category among all follow-ups.
	Categories []Group `json:"categories"`
	// Models and Languages are sorted by follow-ups (or events), largest
	// first; smaller groups beyond Options.MaxGroups are summed into a last
	// "other" row.
	Models    []Group `json:"models"`
	Languages []Group `json:"languages"`
	// Positions holds one row per follow-up number, 1 to 9 and "10+".
	Positions []Group   `json:"positions"`
	Scores    Histogram `json:"scores"`
	// Cues lists the most frequent evidence cues per DSAT category, and for
	// SAT events under "sat".
	Cues []CueTable `json:"cues"`
	// Samples are the highest-scoring anchors of each category.
	Samples []Sample `json:"samples"`
	// Notes are remarks on what the figures can and cannot say.
	Notes []string `json:"notes,omitempty"`
}

// Summary are the run totals. Without run statistics only the event and
// anchor counts are known, and the rates are nil.
type Summary struct {
	HasStats           bool  `json:"has_stats"`
	Records            int64 `json:"records"`
	RecordsSkipped     int64 `json:"records_skipped"`
	Conversations      int64 `json:"conversations"`
	ConversationsMined int64 `json:"conversations_mined"`
	FollowUps          int64 `json:"follow_ups"`
	DSATEvents         int64 `json:"dsat_events"`
	SATEvents          int64 `json:"sat_events"`
	Anchors            int64 `json:"anchors"`
	Pairs              int64 `json:"pairs"`
	Duplicates         int64 `json:"duplicates"`
	// DSATRate and SATRate are events among follow-ups.
	DSATRate *Proportion `json:"dsat_rate"`
	SATRate  *Proportion `json:"sat_rate"`
	// Skipped counts the records the readers skipped (dsat.Stats.ReadSkipped)
	// and Dropped what the miner and the export left out of the anchors
	// (dsat.Stats.Dropped), by reason, most frequent first.
	Skipped []Count `json:"skipped"`
	Dropped []Count `json:"dropped"`
	// Formats counts records per detected input format.
	Formats []Count `json:"formats"`
}

// Count is a named count.
type Count struct {
	Name string `json:"name"`
	N    int64  `json:"n"`
}

// Group is the DSAT rate of one category, model, language or turn position.
type Group struct {
	Name string `json:"name"`
	// Members is the number of groups summed into an "other" row.
	Members       int   `json:"members,omitempty"`
	Conversations int64 `json:"conversations,omitempty"`
	FollowUps     int64 `json:"follow_ups"`
	DSAT          int64 `json:"dsat"`
	SAT           int64 `json:"sat"`
	// DSATRate is DSAT of FollowUps with its 95% Wilson interval, nil when
	// the number of follow-ups is not known.
	DSATRate *Proportion `json:"dsat_rate"`
}

// Histogram is the distribution of DSAT scores.
type Histogram struct {
	// Basis is BasisFollowUps (the highest category score of every
	// follow-up with a DSAT signal) or BasisEvents (the scores of DSAT
	// events, all at or above their thresholds).
	Basis    string  `json:"basis"`
	BinWidth float64 `json:"bin_width"`
	Bins     []Bin   `json:"bins"`
	// Total is the number of binned scores; Zero the follow-ups with no DSAT
	// signal at all, which are not binned.
	Total int64 `json:"total"`
	Zero  int64 `json:"zero"`
}

// Bin is one histogram bin [Low, High) (the last one includes 1).
type Bin struct {
	Low   float64 `json:"low"`
	High  float64 `json:"high"`
	Count int64   `json:"count"`
}

// CueTable lists the most frequent evidence cues of one category.
type CueTable struct {
	Category string `json:"category"`
	// Events is the number of events with evidence of the category.
	Events int64      `json:"events"`
	Cues   []CueCount `json:"cues"`
}

// CueCount is one cue (a lexicon rule or a detector's reason), the number of
// events it supported, and its most frequent matched texts.
type CueCount struct {
	Cue      string   `json:"cue"`
	Events   int64    `json:"events"`
	Examples []string `json:"examples"`
}

// Sample is one anchor shown in the report.
type Sample struct {
	ID             string   `json:"id"`
	ConversationID string   `json:"conversation_id"`
	Source         string   `json:"source,omitempty"`
	Model          string   `json:"model,omitempty"`
	Language       string   `json:"language,omitempty"`
	Turn           int      `json:"turn"`
	Categories     []string `json:"categories"`
	Score          float64  `json:"score"`
	HasChosen      bool     `json:"has_chosen"`
	// FollowUp is the part of the follow-up shown, starting at byte
	// FollowUpStart of the original; Marks are the evidence spans in it.
	FollowUp          string `json:"follow_up"`
	FollowUpStart     int    `json:"follow_up_start"`
	FollowUpTruncated bool   `json:"follow_up_truncated"`
	// FollowUpLength is the length in bytes of the whole follow-up.
	FollowUpLength int    `json:"follow_up_length"`
	Marks          []Span `json:"marks"`
	// Rejected is the start of the rejected reply.
	Rejected          string `json:"rejected"`
	RejectedTruncated bool   `json:"rejected_truncated"`
}

// Span is a byte range [Start, End).
type Span struct {
	Start int `json:"start"`
	End   int `json:"end"`
}

// Report computes the report from everything added so far. It may be
// called more than once.
func (a *Aggregator) Report() *Report {
	r := &Report{
		Title:     a.opt.Title,
		Inputs:    slices.Clone(a.opt.Inputs),
		Basis:     BasisEvents,
		Threshold: a.opt.Threshold,
	}
	if len(a.catThresholds) > 0 {
		r.CategoryThresholds = maps.Clone(a.catThresholds)
	}
	if r.Inputs == nil {
		r.Inputs = []string{}
	}
	if a.exact {
		r.Basis = BasisFollowUps
	}
	followUps, known := a.followUps()
	r.Summary = a.summary(followUps, known)
	r.Categories = a.categoryGroups(followUps, known)
	r.Models = a.groups(a.models, statsGroups(a.stats, true))
	r.Languages = a.groups(a.languages, statsGroups(a.stats, false))
	r.Positions = a.positions()
	r.Scores = a.histogram()
	r.Cues = a.cueTables()
	r.Samples = a.sampleList()

	if a.stats != nil && !a.exact {
		if a.stats.DSATEvents != a.dsatEvents || a.stats.SATEvents != a.satEvents {
			r.Notes = append(r.Notes, fmt.Sprintf(
				"The statistics count %d DSAT and %d SAT events but the events read hold %d and %d: they may come from different runs. Rates use the statistics.",
				a.stats.DSATEvents, a.stats.SATEvents, a.dsatEvents, a.satEvents))
		}
	}
	if !known {
		r.Notes = append(r.Notes, "Without run statistics (--stats) the number of follow-ups is unknown, so rates cannot be computed: event counts are shown instead.")
	}
	if !a.exact {
		r.Notes = append(r.Notes,
			"Turn positions are estimated from message indices of the events, and the score histogram holds DSAT events only; run the report on the logs themselves for exact figures over every follow-up.")
	}
	return r
}

// followUps returns the number of follow-ups and whether it is known.
func (a *Aggregator) followUps() (int64, bool) {
	switch {
	case a.stats != nil:
		return a.stats.FollowUps, true
	case a.exact:
		var n int64
		for _, p := range a.posFollowUps {
			n += p.followUps
		}
		return n, true
	}
	return 0, false
}

func (a *Aggregator) summary(followUps int64, known bool) Summary {
	s := Summary{
		FollowUps:  followUps,
		DSATEvents: a.dsatEvents,
		SATEvents:  a.satEvents,
		Anchors:    a.anchors,
		Pairs:      a.pairs,
		Skipped:    []Count{},
		Dropped:    []Count{},
		Formats:    []Count{},
	}
	if st := a.stats; st != nil {
		s.HasStats = true
		s.Records, s.RecordsSkipped = st.Records, st.RecordsSkipped
		s.Conversations, s.ConversationsMined = st.Conversations, st.ConversationsMined
		s.DSATEvents, s.SATEvents = st.DSATEvents, st.SATEvents
		s.Duplicates = st.Duplicates
		if !a.exact && a.anchors == 0 {
			s.Anchors, s.Pairs = st.Anchors, st.Pairs
		}
		s.Skipped = counts(st.ReadSkipped)
		s.Dropped = counts(st.Dropped)
		s.Formats = counts(st.Formats)
	}
	if known {
		d, t := NewProportion(s.DSATEvents, followUps), NewProportion(s.SATEvents, followUps)
		s.DSATRate, s.SATRate = &d, &t
	}
	return s
}

// counts returns m as Counts, most frequent first, then by name.
func counts(m map[string]int64) []Count {
	out := make([]Count, 0, len(m))
	for k, v := range m {
		out = append(out, Count{k, v})
	}
	slices.SortFunc(out, func(x, y Count) int { return cmp.Or(cmp.Compare(y.N, x.N), cmp.Compare(x.Name, y.Name)) })
	return out
}

func (a *Aggregator) categoryGroups(followUps int64, known bool) []Group {
	events := a.categories
	if a.stats != nil {
		events = a.stats.Events
	}
	names := make([]string, 0, len(heuristics.Categories))
	for _, c := range heuristics.Categories {
		names = append(names, string(c))
	}
	for _, k := range slices.Sorted(maps.Keys(events)) {
		if !slices.Contains(names, k) {
			names = append(names, k)
		}
	}
	out := make([]Group, 0, len(names))
	for _, name := range names {
		g := Group{Name: name, FollowUps: followUps, DSAT: events[name]}
		if known {
			p := NewProportion(g.DSAT, followUps)
			g.DSATRate = &p
		}
		out = append(out, g)
	}
	return out
}

func statsGroups(st *dsat.Stats, models bool) map[string]dsat.GroupStats {
	switch {
	case st == nil:
		return nil
	case models:
		return st.Models
	}
	return st.Languages
}

// groups merges event tallies with the run statistics' groups (which, when
// present, give follow-ups, DSAT and conversations) and keeps the largest.
func (a *Aggregator) groups(events map[string]*tally, stats map[string]dsat.GroupStats) []Group {
	names := map[string]bool{}
	for k := range events {
		names[k] = true
	}
	for k := range stats {
		names[k] = true
	}
	out := make([]Group, 0, len(names))
	for name := range names {
		g := Group{Name: name}
		if t := events[name]; t != nil {
			g.DSAT, g.SAT = t.dsat, t.sat
		}
		if stats != nil {
			s := stats[name]
			g.Conversations, g.FollowUps, g.DSAT = s.Conversations, s.FollowUps, s.DSAT
		}
		out = append(out, g)
	}
	size := func(g Group) int64 { return max(g.FollowUps, g.DSAT+g.SAT) }
	slices.SortFunc(out, func(x, y Group) int { return cmp.Or(cmp.Compare(size(y), size(x)), cmp.Compare(x.Name, y.Name)) })
	if n := a.opt.MaxGroups; len(out) > n {
		other := Group{Name: "other", Members: len(out) - (n - 1)}
		for _, g := range out[n-1:] {
			other.Conversations += g.Conversations
			other.FollowUps += g.FollowUps
			other.DSAT += g.DSAT
			other.SAT += g.SAT
		}
		out = append(out[:n-1], other)
	}
	if stats != nil {
		for i := range out {
			p := NewProportion(out[i].DSAT, out[i].FollowUps)
			out[i].DSATRate = &p
		}
	}
	return out
}

func (a *Aggregator) positions() []Group {
	out := make([]Group, Positions)
	for i := range out {
		g := Group{Name: fmt.Sprint(i + 1)}
		if i == Positions-1 {
			g.Name += "+"
		}
		if a.exact {
			t := a.posFollowUps[i]
			g.FollowUps, g.DSAT, g.SAT = t.followUps, t.dsat, t.sat
			p := NewProportion(t.dsat, t.followUps)
			g.DSATRate = &p
		} else {
			t := a.posEvents[i]
			g.DSAT, g.SAT = t.dsat, t.sat
		}
		out[i] = g
	}
	return out
}

func (a *Aggregator) histogram() Histogram {
	h := Histogram{Basis: "dsat_events", BinWidth: 1.0 / HistogramBins, Bins: make([]Bin, HistogramBins)}
	src := a.histEvents
	if a.exact {
		h.Basis, src, h.Zero = BasisFollowUps, a.histFollowUps, a.zeroFollowUps
	}
	for i, n := range src {
		h.Bins[i] = Bin{Low: round4(float64(i) / HistogramBins), High: round4(float64(i+1) / HistogramBins), Count: n}
		h.Total += n
	}
	return h
}

// AtOrAbove returns the number of binned scores in bins that start at or
// above t.
func (h *Histogram) AtOrAbove(t float64) int64 {
	var n int64
	for _, b := range h.Bins {
		if b.Low >= t-1e-9 {
			n += b.Count
		}
	}
	return n
}

func (a *Aggregator) cueTables() []CueTable {
	var names []string
	for _, c := range heuristics.Categories {
		if _, ok := a.cues[string(c)]; ok {
			names = append(names, string(c))
		}
	}
	for _, k := range slices.Sorted(maps.Keys(a.cues)) {
		if !slices.Contains(names, k) && k != dsat.KindSAT {
			names = append(names, k)
		}
	}
	if _, ok := a.cues[dsat.KindSAT]; ok {
		names = append(names, dsat.KindSAT)
	}
	out := make([]CueTable, 0, len(names))
	for _, name := range names {
		t := CueTable{Category: name, Events: a.cueEvents[name]}
		for cue, ct := range a.cues[name] {
			t.Cues = append(t.Cues, CueCount{Cue: cue, Events: ct.n, Examples: topTexts(ct.texts, 3)})
		}
		slices.SortFunc(t.Cues, func(x, y CueCount) int { return cmp.Or(cmp.Compare(y.Events, x.Events), cmp.Compare(x.Cue, y.Cue)) })
		if len(t.Cues) > a.opt.CuesPerCategory {
			t.Cues = t.Cues[:a.opt.CuesPerCategory]
		}
		out = append(out, t)
	}
	return out
}

// topTexts returns the n most frequent texts, then in byte order.
func topTexts(m map[string]int64, n int) []string {
	keys := slices.Collect(maps.Keys(m))
	slices.SortFunc(keys, func(x, y string) int { return cmp.Or(cmp.Compare(m[y], m[x]), cmp.Compare(x, y)) })
	if len(keys) > n {
		keys = keys[:n]
	}
	if keys == nil {
		keys = []string{}
	}
	return keys
}

func (a *Aggregator) sampleList() []Sample {
	var names []string
	for _, c := range heuristics.Categories {
		if _, ok := a.samples[string(c)]; ok {
			names = append(names, string(c))
		}
	}
	for _, k := range slices.Sorted(maps.Keys(a.samples)) {
		if !slices.Contains(names, k) {
			names = append(names, k)
		}
	}
	out := []Sample{}
	for _, name := range names {
		out = append(out, a.samples[name]...)
	}
	return out
}
