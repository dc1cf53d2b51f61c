package report

import (
	"cmp"
	"context"
	"errors"
	"io"
	"math"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/dsatmine/dsatmine/dsat"
	"github.com/dsatmine/dsatmine/heuristics"
)

// Bases of the follow-up level figures (Report.Basis, Histogram.Basis).
const (
	// BasisFollowUps: the miner ran in process and every follow-up was
	// scored, so turn positions and the score histogram are exact.
	BasisFollowUps = "follow_ups"
	// BasisEvents: the figures come from an events file, which only holds
	// follow-ups that made a DSAT or SAT event.
	BasisEvents = "events"
)

// Positions is the number of turn-position buckets: follow-ups 1 to
// Positions-1, and a last bucket for the later ones ("10+").
const Positions = 10

// HistogramBins is the number of equal-width bins of the score histogram
// over [0, 1].
const HistogramBins = 20

// Options configure an Aggregator. Start from DefaultOptions.
type Options struct {
	// Title heads the report.
	Title string
	// Inputs names the files the report was built from (shown, not read).
	Inputs []string
	// Threshold is the operating score threshold marked on the histogram.
	// Aggregator.Mine replaces it by the miner's threshold when every
	// category shares one.
	Threshold float64
	// SamplesPerCategory is the number of sample anchors kept per category
	// (the highest-scoring ones).
	SamplesPerCategory int
	// CuesPerCategory is the number of evidence cues listed per category.
	CuesPerCategory int
	// MaxGroups is the number of models or languages shown; the smaller
	// groups are summed into one "other" row.
	MaxGroups int
	// SnippetBytes bounds the follow-up and rejected reply text shown per
	// sample anchor.
	SnippetBytes int
}

// DefaultOptions returns the defaults: threshold 0.5, 3 samples and 10 cues
// per category, 15 groups, snippets of 480 bytes.
func DefaultOptions() Options {
	return Options{
		Title:              "dsatmine report",
		Threshold:          0.5,
		SamplesPerCategory: 3,
		CuesPerCategory:    10,
		MaxGroups:          15,
		SnippetBytes:       480,
	}
}

// maxCues bounds the distinct cues tracked per category, and maxTexts the
// distinct matched texts tracked per cue, so memory stays bounded on any
// input; the rest are counted under otherCue or not kept as examples.
const (
	maxCues  = 4096
	maxTexts = 64
	otherCue = "(other cues)"
	// maxExample bounds the runes of a matched text kept as an example.
	maxExample = 80
)

// Aggregator collects the figures of one run. Feed it events, anchors,
// miner results and statistics in any order, then call Report. It
// implements dsat.EventSink and dsat.AnchorSink. An Aggregator is not safe
// for concurrent use.
type Aggregator struct {
	opt   Options
	stats *dsat.Stats
	exact bool
	// catThresholds holds the miner's category thresholds that differ from
	// opt.Threshold.
	catThresholds map[string]float64

	dsatEvents, satEvents int64
	anchors, pairs        int64
	categories            map[string]int64
	models, languages     map[string]*tally
	posEvents             [Positions]tally
	posFollowUps          [Positions]tally
	histEvents            [HistogramBins]int64
	histFollowUps         [HistogramBins]int64
	zeroFollowUps         int64
	cues                  map[string]map[string]*cueTally
	cueEvents             map[string]int64
	samples               map[string][]Sample
}

var (
	_ dsat.EventSink  = (*Aggregator)(nil)
	_ dsat.AnchorSink = (*Aggregator)(nil)
)

// tally counts follow-ups and events of one group or position.
type tally struct{ followUps, dsat, sat int64 }

type cueTally struct {
	n     int64
	texts map[string]int64
}

// NewAggregator returns an empty Aggregator. Zero or negative counts in opt
// take their DefaultOptions values.
func NewAggregator(opt Options) *Aggregator {
	def := DefaultOptions()
	if opt.Title == "" {
		opt.Title = def.Title
	}
	if opt.SamplesPerCategory <= 0 {
		opt.SamplesPerCategory = def.SamplesPerCategory
	}
	if opt.CuesPerCategory <= 0 {
		opt.CuesPerCategory = def.CuesPerCategory
	}
	if opt.MaxGroups <= 0 {
		opt.MaxGroups = def.MaxGroups
	}
	if opt.SnippetBytes <= 0 {
		opt.SnippetBytes = def.SnippetBytes
	}
	opt.Threshold = min(max(opt.Threshold, 0), 1)
	return &Aggregator{
		opt:        opt,
		categories: map[string]int64{},
		models:     map[string]*tally{},
		languages:  map[string]*tally{},
		cues:       map[string]map[string]*cueTally{},
		cueEvents:  map[string]int64{},
		samples:    map[string][]Sample{},
	}
}

// SetStats sets the run statistics: the record, follow-up and per-group
// counts that events alone do not carry. Without them rates are reported
// only where the Aggregator saw every follow-up (Mine, AddResult).
func (a *Aggregator) SetStats(st *dsat.Stats) { a.stats = st }

// WriteEvent adds one DSAT or SAT event: categories, models, languages,
// evidence cues and, when no miner results are added, turn positions and
// scores. Events of another kind are ignored.
func (a *Aggregator) WriteEvent(e *dsat.Event) error {
	pos := eventPosition(e)
	switch e.Kind {
	case dsat.KindDSAT:
		a.dsatEvents++
		for _, c := range e.Categories {
			a.categories[string(c)]++
		}
		group(a.models, e.Model).dsat++
		group(a.languages, e.Language).dsat++
		a.posEvents[pos].dsat++
		a.histEvents[bin(e.Score)]++
		a.addCues(e)
	case dsat.KindSAT:
		a.satEvents++
		group(a.models, e.Model).sat++
		group(a.languages, e.Language).sat++
		a.posEvents[pos].sat++
		a.addCues(e)
	}
	return nil
}

// eventPosition estimates the follow-up number of an event (0-based bucket)
// from its message index: in a conversation of alternating user and
// assistant messages, with or without a leading system message, follow-up k
// sits at index 2k or 2k+1.
func eventPosition(e *dsat.Event) int {
	return positionBucket(e.FollowUp / 2)
}

// positionBucket maps a 1-based follow-up number to its bucket.
func positionBucket(n int) int { return min(max(n, 1), Positions) - 1 }

// bin returns the histogram bin of a score in [0,1].
func bin(score float64) int {
	if math.IsNaN(score) {
		return 0
	}
	return min(max(int(score*HistogramBins), 0), HistogramBins-1)
}

func group(m map[string]*tally, name string) *tally {
	if name == "" {
		name = "unknown"
	}
	t := m[name]
	if t == nil {
		t = &tally{}
		m[name] = t
	}
	return t
}

// addCues counts each distinct cue of an event once, under the evidence's
// category ("sat" for SAT events).
func (a *Aggregator) addCues(e *dsat.Event) {
	seen := map[[2]string]bool{}
	cats := map[string]bool{}
	defer func() {
		for cat := range cats {
			a.cueEvents[cat]++
		}
	}()
	for _, ev := range e.Evidence {
		cat := ev.Category
		if e.Kind == dsat.KindSAT {
			cat = dsat.KindSAT
		}
		if cat == "" {
			continue
		}
		cue := normalizeCue(ev.Cue, ev.Detector)
		cats[cat] = true
		k := [2]string{cat, cue}
		if seen[k] {
			continue
		}
		seen[k] = true
		byCue := a.cues[cat]
		if byCue == nil {
			byCue = map[string]*cueTally{}
			a.cues[cat] = byCue
		}
		t := byCue[cue]
		if t == nil {
			if len(byCue) >= maxCues {
				cue = otherCue
				t = byCue[cue]
			}
			if t == nil {
				t = &cueTally{texts: map[string]int64{}}
				byCue[cue] = t
			}
		}
		t.n++
		if cue == otherCue {
			continue
		}
		text := shorten(strings.Join(strings.Fields(ev.Text), " "), maxExample)
		if text == "" {
			continue
		}
		if _, ok := t.texts[text]; ok || len(t.texts) < maxTexts {
			t.texts[text]++
		}
	}
}

// normalizeCue makes cues that differ only in run-specific details (the
// message a rephrase repeats, its similarity, a parenthesised remark) count
// as one.
func normalizeCue(cue, detector string) string {
	cue = strings.TrimSpace(cue)
	if strings.HasPrefix(cue, "rephrase of") {
		return "rephrase of an earlier request"
	}
	if i := strings.Index(cue, " ("); i > 0 && strings.HasSuffix(cue, ")") {
		cue = cue[:i]
	}
	if cue == "" {
		cue = detector
	}
	if cue == "" {
		cue = "(no cue)"
	}
	return cue
}

// AddResult adds the follow-up scores of one mined conversation: every
// follow-up's position, kind and highest DSAT score. Once a result is
// added, turn positions and the score histogram cover every follow-up
// instead of only those with events. The result's events and anchors are
// not counted here: they come through WriteEvent and WriteAnchor (as
// Aggregator.Mine arranges).
func (a *Aggregator) AddResult(res *dsat.Result) {
	a.exact = true
	for i, fu := range res.FollowUps {
		p := &a.posFollowUps[positionBucket(i+1)]
		p.followUps++
		switch fu.Kind {
		case dsat.KindDSAT:
			p.dsat++
		case dsat.KindSAT:
			p.sat++
		}
		if fu.DSAT <= 0 {
			a.zeroFollowUps++
			continue
		}
		a.histFollowUps[bin(fu.DSAT)]++
	}
}

// WriteAnchor adds one anchor: it is counted, and kept as a sample when it
// is among the highest-scoring of its first category.
func (a *Aggregator) WriteAnchor(an *dsat.Anchor) error {
	a.anchors++
	if len(an.Chosen) > 0 {
		a.pairs++
	}
	cat := "uncategorised"
	if len(an.Categories) > 0 {
		cat = an.Categories[0]
	}
	kept := a.samples[cat]
	k := a.opt.SamplesPerCategory
	if len(kept) == k && !sampleLess(an.Score, an.ID, kept[k-1].Score, kept[k-1].ID) {
		return nil
	}
	s := a.newSample(an)
	i, _ := slices.BinarySearchFunc(kept, s, func(x, y Sample) int {
		if sampleLess(x.Score, x.ID, y.Score, y.ID) {
			return -1
		}
		if sampleLess(y.Score, y.ID, x.Score, x.ID) {
			return 1
		}
		return 0
	})
	kept = slices.Insert(kept, i, s)
	if len(kept) > k {
		kept = kept[:k]
	}
	a.samples[cat] = kept
	return nil
}

// sampleLess orders samples by score, highest first, then by id.
func sampleLess(s1 float64, id1 string, s2 float64, id2 string) bool {
	if s1 != s2 {
		return s1 > s2
	}
	return id1 < id2
}

// Mine runs m over inputs as (*dsat.Miner).Run does (the same Mine and
// RunWriter, so deduplication and counts are identical) and adds
// everything to a: every result, event and written anchor, and the run
// statistics, which it also returns (also on error). The threshold most
// categories of the miner's configuration share becomes the report's
// threshold, and the others are listed beside it
// (Report.CategoryThresholds).
func (a *Aggregator) Mine(ctx context.Context, m *dsat.Miner, inputs []dsat.Input) (*dsat.Stats, error) {
	a.opt.Threshold, a.catThresholds = commonThreshold(m.Config().Thresholds)
	st := dsat.NewStats()
	a.stats = st
	w := m.NewRunWriter(dsat.Sinks{Events: a, Anchors: a}, st)
	for _, in := range inputs {
		err := a.mineInput(ctx, m, in, w)
		st.AddRead(in.Stats())
		if err != nil {
			return st, err
		}
	}
	return st, nil
}

func (a *Aggregator) mineInput(ctx context.Context, m *dsat.Miner, in dsat.Input, w *dsat.RunWriter) error {
	for {
		c, err := in.Next(ctx)
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		res, err := m.Mine(ctx, c)
		if err != nil {
			return err
		}
		a.AddResult(res)
		if err := w.Write(res); err != nil {
			return err
		}
	}
}

// commonThreshold returns the threshold most categories share (the lower
// one on a tie; 0.5 for a category without one) and the categories whose
// threshold differs from it.
func commonThreshold(th map[heuristics.Category]float64) (float64, map[string]float64) {
	count := map[float64]int{}
	of := func(c heuristics.Category) float64 {
		if v, ok := th[c]; ok {
			return v
		}
		return 0.5
	}
	for _, c := range heuristics.Categories {
		count[of(c)]++
	}
	common, n := 0.0, -1
	for v, k := range count {
		if k > n || k == n && v < common {
			common, n = v, k
		}
	}
	var other map[string]float64
	for _, c := range heuristics.Categories {
		if v := of(c); v != common {
			if other == nil {
				other = map[string]float64{}
			}
			other[string(c)] = v
		}
	}
	return common, other
}

// newSample builds the sample of an anchor: the follow-up cut to a window
// around its evidence with the evidence spans merged, and the rejected reply
// truncated.
func (a *Aggregator) newSample(an *dsat.Anchor) Sample {
	s := Sample{
		ID:             an.ID,
		ConversationID: an.ConversationID,
		Source:         an.Source,
		Model:          an.Model,
		Language:       an.Language,
		Turn:           an.Turn,
		Categories:     slices.Clone(an.Categories),
		Score:          an.Score,
		HasChosen:      len(an.Chosen) > 0,
	}
	text := an.UserPreference.Content
	spans := evidenceSpans(text, an.Evidence)
	lo, hi := 0, len(text)
	if len(spans) > 0 {
		lo, hi = spans[0].Start, spans[len(spans)-1].End
	}
	start, end := window(text, lo, hi, a.opt.SnippetBytes)
	s.FollowUp = text[start:end]
	s.FollowUpStart = start
	s.FollowUpTruncated = start > 0 || end < len(text)
	s.FollowUpLength = len(text)
	for _, sp := range spans {
		sp.Start, sp.End = max(sp.Start, start)-start, min(sp.End, end)-start
		if sp.Start < sp.End {
			s.Marks = append(s.Marks, sp)
		}
	}
	var reply string
	for i, msg := range an.Rejected {
		if i > 0 {
			reply += "\n\n"
		}
		reply += msg.Content
	}
	_, end = window(reply, 0, 0, a.opt.SnippetBytes)
	s.Rejected = reply[:end]
	s.RejectedTruncated = end < len(reply)
	return s
}

// evidenceSpans returns the evidence of a follow-up as sorted, merged byte
// ranges. Spans whose offsets do not hold their text (evidence from
// another version of the text) are located by their text instead, or
// dropped.
func evidenceSpans(text string, ev []dsat.Evidence) []Span {
	var spans []Span
	for _, e := range ev {
		s, t := e.Start, e.End
		if s < 0 || t > len(text) || s >= t || (e.Text != "" && text[s:t] != e.Text) ||
			!utf8.RuneStart(text[s]) || (t < len(text) && !utf8.RuneStart(text[t])) {
			if e.Text == "" {
				continue
			}
			i := strings.Index(text, e.Text)
			if i < 0 {
				continue
			}
			s, t = i, i+len(e.Text)
		}
		spans = append(spans, Span{Start: s, End: t})
	}
	slices.SortFunc(spans, func(x, y Span) int { return cmp.Or(cmp.Compare(x.Start, y.Start), cmp.Compare(x.End, y.End)) })
	var merged []Span
	for _, sp := range spans {
		if n := len(merged); n > 0 && sp.Start <= merged[n-1].End {
			merged[n-1].End = max(merged[n-1].End, sp.End)
			continue
		}
		merged = append(merged, sp)
	}
	return merged
}

// window returns a byte range of text of at most size bytes (on rune
// boundaries) that covers [lo, hi) as far as possible, starting a little
// before lo.
func window(text string, lo, hi, size int) (start, end int) {
	if len(text) <= size {
		return 0, len(text)
	}
	start = 0
	if hi > size {
		// Some context before the evidence, as much of the evidence as fits.
		start = max(0, min(lo, max(lo-size/4, hi-size)))
	}
	for start < len(text) && !utf8.RuneStart(text[start]) {
		start++
	}
	end = min(len(text), start+size)
	for end < len(text) && !utf8.RuneStart(text[end]) {
		end--
	}
	return wordBounds(text, start, end, lo, hi)
}

// wordBounds moves a cut window's ends to word boundaries: the end back to
// the last white space, the start forward past the first, each by at most
// half the window and never into the span [lo, hi) it must show. Text
// without spaces (CJK) keeps its rune-boundary cuts.
func wordBounds(text string, start, end, lo, hi int) (int, int) {
	half := (end - start) / 2
	if end < len(text) && !isSpaceByte(text[end]) {
		for i := end - 1; i > start+half && i >= hi; i-- {
			if isSpaceByte(text[i]) {
				end = i
				break
			}
		}
	}
	if start > 0 && !isSpaceByte(text[start-1]) {
		for i := start; i < start+half && i < end && i < lo; i++ {
			if isSpaceByte(text[i]) {
				start = i + 1
				break
			}
		}
	}
	for end > start && isSpaceByte(text[end-1]) && end < len(text) {
		end--
	}
	return start, end
}

func isSpaceByte(c byte) bool { return c == ' ' || c == '\n' || c == '\t' || c == '\r' }
