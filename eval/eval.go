package eval

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/dsatmine/dsatmine/dsat"
	"github.com/dsatmine/dsatmine/heuristics"
	"github.com/dsatmine/dsatmine/labelled"
)

// LabelledSource yields labelled conversations (docs/records.md, "Labelled data").
// *labelled.Reader implements it.
type LabelledSource interface {
	// Next returns the next labelled conversation, or io.EOF at the end.
	Next(ctx context.Context) (*labelled.Record, error)
}

// Prediction is the miner's verdict on one labelled turn.
type Prediction struct {
	ID         string   `json:"id"`
	Turn       int      `json:"turn"`
	DSAT       bool     `json:"dsat"`
	SAT        bool     `json:"sat"`
	Categories []string `json:"categories"`
	// Score is the follow-up's DSAT score before thresholds (the highest
	// category score), which the threshold sweep uses.
	Score float64 `json:"score"`
}

// Binary holds the counts and metrics of one binary decision.
type Binary struct {
	TP        int     `json:"tp"`
	FP        int     `json:"fp"`
	FN        int     `json:"fn"`
	TN        int     `json:"tn"`
	Precision float64 `json:"precision"`
	Recall    float64 `json:"recall"`
	F1        float64 `json:"f1"`
}

func (b *Binary) add(gold, pred bool) {
	switch {
	case gold && pred:
		b.TP++
	case pred:
		b.FP++
	case gold:
		b.FN++
	default:
		b.TN++
	}
}

func (b *Binary) merge(o Binary) {
	b.TP += o.TP
	b.FP += o.FP
	b.FN += o.FN
	b.TN += o.TN
}

// finish computes precision, recall and F1 from the counts. A metric whose
// denominator is zero is 0.
func (b *Binary) finish() {
	b.Precision = ratio(b.TP, b.TP+b.FP)
	b.Recall = ratio(b.TP, b.TP+b.FN)
	b.F1 = 0
	if b.Precision+b.Recall > 0 {
		b.F1 = round4(2 * b.Precision * b.Recall / (b.Precision + b.Recall))
	}
}

func ratio(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return round4(float64(a) / float64(b))
}

// SweepPoint is DSAT precision, recall and F1 when a follow-up counts as
// DSAT iff its score is at least Threshold.
type SweepPoint struct {
	Threshold float64 `json:"threshold"`
	Binary
}

// Confusion counts gold class × predicted class, each one of "dsat", "sat"
// and "neither" (a turn labelled both DSAT and SAT counts as DSAT).
type Confusion map[string]map[string]int

// Classes of the confusion table, in display order.
var confusionClasses = []string{"dsat", "sat", "neither"}

func class(dsat, sat bool) string {
	switch {
	case dsat:
		return "dsat"
	case sat:
		return "sat"
	}
	return "neither"
}

// Scorecard is the evaluation of the miner on labelled conversations.
type Scorecard struct {
	// Name is the file (or other source) name; "overall" for merged reports.
	Name          string `json:"name"`
	Conversations int    `json:"conversations"`
	// Turns counts scored labelled turns; Unmatched those that are not a
	// follow-up of the normalised conversation (scored as predicted neither).
	Turns     int    `json:"turns"`
	Unmatched int    `json:"unmatched"`
	DSAT      Binary `json:"dsat"`
	// SAT scores satisfaction; a turn labelled both DSAT and SAT is gold
	// DSAT only (docs/taxonomy.md: thanks plus a correction is DSAT).
	SAT Binary `json:"sat"`
	// Categories holds per-category results on the turns whose label
	// carries categories.
	Categories map[string]Binary `json:"categories"`
	Confusion  Confusion         `json:"confusion"`
	Sweep      []SweepPoint      `json:"sweep"`
	// Judge reports what the cascade sent to the judge (Config.Judge); nil
	// without a judge.
	Judge *JudgeUse `json:"judge,omitempty"`
}

// JudgeUse is how much of an evaluation the judge saw: of the FollowUps
// the miner scored (labelled or not), Judged were sent to the judge, and
// Errors of those got no verdict (the classifier's verdict was kept).
// Share is Judged/FollowUps and PerThousand the judge calls per 1,000
// follow-ups (one call per judged follow-up; repairs, retries and cache
// hits are in the judge's own statistics).
type JudgeUse struct {
	Band        dsat.Band `json:"band"`
	FollowUps   int64     `json:"follow_ups"`
	Judged      int64     `json:"judged"`
	Changed     int64     `json:"changed"`
	Errors      int64     `json:"errors"`
	Share       float64   `json:"share"`
	PerThousand float64   `json:"per_thousand"`
}

func (u *JudgeUse) merge(o *JudgeUse) {
	u.FollowUps += o.FollowUps
	u.Judged += o.Judged
	u.Changed += o.Changed
	u.Errors += o.Errors
	u.finish()
}

func (u *JudgeUse) finish() {
	u.Share, u.PerThousand = 0, 0
	if u.FollowUps > 0 {
		u.Share = round4(float64(u.Judged) / float64(u.FollowUps))
		u.PerThousand = math.Round(10000*float64(u.Judged)/float64(u.FollowUps)) / 10
	}
}

// SweepThresholds returns the thresholds of the sweep: 0.10, 0.15, …, 0.90
// (a new slice on every call).
func SweepThresholds() []float64 {
	var ts []float64
	for i := 0; i <= 16; i++ {
		ts = append(ts, math.Round((0.10+0.05*float64(i))*100)/100)
	}
	return ts
}

// NewScorecard returns an empty report.
func NewScorecard(name string) *Scorecard {
	r := &Scorecard{Name: name, Categories: map[string]Binary{}, Confusion: Confusion{}}
	for _, g := range confusionClasses {
		r.Confusion[g] = map[string]int{}
		for _, p := range confusionClasses {
			r.Confusion[g][p] = 0
		}
	}
	for _, t := range SweepThresholds() {
		r.Sweep = append(r.Sweep, SweepPoint{Threshold: t})
	}
	return r
}

// Evaluate runs m over every labelled conversation of src and compares its
// verdicts with the labels. onPrediction, if not nil, receives one
// Prediction per labelled turn in input order. The report's name is name.
func Evaluate(ctx context.Context, m *dsat.Miner, src LabelledSource, name string, onPrediction func(Prediction) error) (*Scorecard, error) {
	rep := NewScorecard(name)
	if b, ok := m.JudgeBand(); ok {
		rep.Judge = &JudgeUse{Band: b}
	}
	for {
		l, err := src.Next(ctx)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return rep, err
		}
		c := l.Conversation()
		res, err := m.Mine(ctx, c)
		if err != nil {
			return rep, err
		}
		rep.Conversations++
		if u := rep.Judge; u != nil {
			u.FollowUps += int64(len(res.FollowUps))
			u.Judged += res.Classifier.Judged
			u.Changed += res.Classifier.JudgeChanged
			for _, n := range res.Classifier.JudgeErrors {
				u.Errors += n
			}
		}
		byTurn := map[int]*dsat.FollowUpScore{}
		for i := range res.FollowUps {
			byTurn[res.FollowUps[i].Turn] = &res.FollowUps[i]
		}
		events := map[int]*dsat.Event{}
		for i := range res.Events {
			events[res.Events[i].Turn] = &res.Events[i]
		}
		for _, lb := range l.Labels {
			p := Prediction{ID: l.ID, Turn: lb.Turn, Categories: []string{}}
			if fs, ok := byTurn[lb.Turn]; ok {
				p.Score = round4(fs.DSAT)
			} else {
				rep.Unmatched++
			}
			if e, ok := events[lb.Turn]; ok {
				p.DSAT = e.Kind == dsat.KindDSAT
				p.SAT = e.Kind == dsat.KindSAT
				for _, cat := range e.Categories {
					p.Categories = append(p.Categories, string(cat))
				}
			}
			rep.add(lb, p)
			if onPrediction != nil {
				if err := onPrediction(p); err != nil {
					return rep, err
				}
			}
		}
	}
	rep.finish()
	return rep, nil
}

// add scores one labelled turn.
func (r *Scorecard) add(lb labelled.Label, p Prediction) {
	r.Turns++
	r.DSAT.add(lb.DSAT, p.DSAT)
	r.SAT.add(lb.SAT && !lb.DSAT, p.SAT)
	r.Confusion[class(lb.DSAT, lb.SAT)][class(p.DSAT, p.SAT)]++
	for i := range r.Sweep {
		r.Sweep[i].add(lb.DSAT, p.Score > 0 && p.Score >= r.Sweep[i].Threshold)
	}
	if len(lb.Categories) == 0 {
		return
	}
	for _, cat := range heuristics.Categories {
		g := slices.Contains(lb.Categories, string(cat))
		pr := slices.Contains(p.Categories, string(cat))
		if !g && !pr {
			continue
		}
		b := r.Categories[string(cat)]
		b.add(g, pr)
		r.Categories[string(cat)] = b
	}
}

// Merge adds the counts of o to r and recomputes the metrics.
func (r *Scorecard) Merge(o *Scorecard) {
	r.Conversations += o.Conversations
	r.Turns += o.Turns
	r.Unmatched += o.Unmatched
	r.DSAT.merge(o.DSAT)
	r.SAT.merge(o.SAT)
	for k, v := range o.Categories {
		b := r.Categories[k]
		b.merge(v)
		r.Categories[k] = b
	}
	for g, row := range o.Confusion {
		if r.Confusion[g] == nil {
			r.Confusion[g] = map[string]int{}
		}
		for p, n := range row {
			r.Confusion[g][p] += n
		}
	}
	for i := range r.Sweep {
		if i < len(o.Sweep) {
			r.Sweep[i].merge(o.Sweep[i].Binary)
		}
	}
	if o.Judge != nil {
		if r.Judge == nil {
			r.Judge = &JudgeUse{Band: o.Judge.Band}
		}
		r.Judge.merge(o.Judge)
	}
	r.finish()
}

func (r *Scorecard) finish() {
	r.DSAT.finish()
	r.SAT.finish()
	for k, b := range r.Categories {
		b.finish()
		r.Categories[k] = b
	}
	for i := range r.Sweep {
		r.Sweep[i].finish()
	}
	if r.Judge != nil {
		r.Judge.finish()
	}
}

// WriteText writes the report as aligned text tables.
func (r *Scorecard) WriteText(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "== %s: %d conversations, %d labelled turns", r.Name, r.Conversations, r.Turns)
	if r.Unmatched > 0 {
		fmt.Fprintf(tw, " (%d not follow-ups)", r.Unmatched)
	}
	fmt.Fprintln(tw)
	fmt.Fprintln(tw, "\tP\tR\tF1\tTP\tFP\tFN\t")
	row := func(name string, b Binary) {
		fmt.Fprintf(tw, "%s\t%.3f\t%.3f\t%.3f\t%d\t%d\t%d\t\n", name, b.Precision, b.Recall, b.F1, b.TP, b.FP, b.FN)
	}
	row("DSAT", r.DSAT)
	row("SAT", r.SAT)
	for _, cat := range heuristics.Categories {
		if b, ok := r.Categories[string(cat)]; ok {
			row("  "+string(cat), b)
		}
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if u := r.Judge; u != nil {
		fmt.Fprintf(w, "judge: %.1f calls per 1,000 follow-ups (%d of %d sent, %.1f%%; band %.2f:%.2f; %d changed the verdict, %d failed) beside DSAT P %.3f R %.3f F1 %.3f\n",
			u.PerThousand, u.Judged, u.FollowUps, 100*u.Share, u.Band.Low, min(u.Band.High, 1), u.Changed, u.Errors,
			r.DSAT.Precision, r.DSAT.Recall, r.DSAT.F1)
	}
	fmt.Fprintln(tw)
	fmt.Fprintln(tw, "gold \\ predicted\t"+strings.Join(confusionClasses, "\t")+"\t")
	for _, g := range confusionClasses {
		fmt.Fprint(tw, g)
		for _, p := range confusionClasses {
			fmt.Fprintf(tw, "\t%d", r.Confusion[g][p])
		}
		fmt.Fprintln(tw, "\t")
	}
	fmt.Fprintln(tw)
	fmt.Fprintln(tw, "threshold\tP\tR\tF1\tTP\tFP\tFN\t")
	for _, s := range r.Sweep {
		fmt.Fprintf(tw, "%.2f\t%.3f\t%.3f\t%.3f\t%d\t%d\t%d\t\n", s.Threshold, s.Precision, s.Recall, s.F1, s.TP, s.FP, s.FN)
	}
	return tw.Flush()
}

// round4 rounds to four decimals, as the miner rounds its scores.
func round4(x float64) float64 { return math.Round(x*1e4) / 1e4 }
