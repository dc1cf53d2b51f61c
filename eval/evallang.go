package eval

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/dsatmine/dsatmine/conversation"
	"github.com/dsatmine/dsatmine/heuristics"
	"github.com/dsatmine/dsatmine/labelled"
)

// UnknownLanguage names the row of conversations whose language is neither
// given nor guessed.
const UnknownLanguage = "unknown"

// LabelledLanguage returns the ISO 639-1 code of a labelled conversation's
// language: its "lang" field when present, else heuristics.GuessLanguage of
// its user messages, else UnknownLanguage.
func LabelledLanguage(l *labelled.Record) string {
	if c := heuristics.LanguageCode(l.Lang); c != "" {
		return c
	}
	var b strings.Builder
	for _, m := range l.Messages {
		if m.Role == conversation.User && b.Len() < 1024 {
			b.WriteString(m.Content)
			b.WriteByte('\n')
		}
	}
	if c := heuristics.GuessLanguage(b.String()); c != "" {
		return c
	}
	return UnknownLanguage
}

// ByLanguage splits an evaluation into one Report per language (see
// LabelledLanguage). Wrap the labelled source with Source and pass Observe
// as (or call it from) Evaluate's onPrediction: Evaluate reports every
// prediction of a conversation before it reads the next one.
type ByLanguage struct {
	reports map[string]*Scorecard
	cur     *labelled.Record
	lang    string
}

// NewByLanguage returns an empty split.
func NewByLanguage() *ByLanguage { return &ByLanguage{reports: map[string]*Scorecard{}} }

// Source wraps src so that b knows the conversation being evaluated.
func (b *ByLanguage) Source(src LabelledSource) LabelledSource { return langSource{src, b} }

type langSource struct {
	src LabelledSource
	b   *ByLanguage
}

func (s langSource) Next(ctx context.Context) (*labelled.Record, error) {
	l, err := s.src.Next(ctx)
	if l != nil && err == nil {
		s.b.cur, s.b.lang = l, LabelledLanguage(l)
		s.b.report(s.b.lang).Conversations++
	}
	return l, err
}

func (b *ByLanguage) report(lang string) *Scorecard {
	r := b.reports[lang]
	if r == nil {
		r = NewScorecard(lang)
		b.reports[lang] = r
	}
	return r
}

// Observe counts p in the report of the current conversation's language.
// It never fails; the error is there so it can be an onPrediction.
func (b *ByLanguage) Observe(p Prediction) error {
	if b.cur == nil || p.ID != b.cur.ID {
		return nil
	}
	for _, lb := range b.cur.Labels {
		if lb.Turn == p.Turn {
			b.report(b.lang).add(lb, p)
			break
		}
	}
	return nil
}

// Reports returns the per-language reports, sorted by language.
func (b *ByLanguage) Reports() []*Scorecard {
	out := make([]*Scorecard, 0, len(b.reports))
	for _, r := range b.reports {
		r.finish()
		out = append(out, r)
	}
	slices.SortFunc(out, func(x, y *Scorecard) int { return strings.Compare(x.Name, y.Name) })
	return out
}

// WriteLanguageTable writes DSAT figures per language as one aligned table.
func WriteLanguageTable(w io.Writer, reports []*Scorecard) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "== DSAT by language (the record's \"lang\", else guessed from the user messages)")
	fmt.Fprintln(tw, "language\tconversations\tturns\tDSAT\tP\tR\tF1\tTP\tFP\tFN\t")
	for _, r := range reports {
		d := r.DSAT
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%.3f\t%.3f\t%.3f\t%d\t%d\t%d\t\n", r.Name, r.Conversations, r.Turns,
			d.TP+d.FN, d.Precision, d.Recall, d.F1, d.TP, d.FP, d.FN)
	}
	return tw.Flush()
}
