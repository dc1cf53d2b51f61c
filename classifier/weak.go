package classifier

import (
	"github.com/dsatmine/dsatmine/conversation"
	"github.com/dsatmine/dsatmine/heuristics"
)

// ScoreFunc returns the heuristic signals of a turn with the combined DSAT
// and SAT scores (for example from the heuristics engine's Analysis).
type ScoreFunc func(*heuristics.Turn) (signals []heuristics.Signal, dsat, sat float64)

// WeakOptions configures WeakExamples. Zero fields take the defaults.
type WeakOptions struct {
	// MinScore is the heuristic score a turn needs to become a weak DSAT or
	// SAT example (default 0.9).
	MinScore float64
	// Weight is the example weight of weak examples (default 0.3).
	Weight float64
	// NegativeMinWords is how many words a follow-up with no signal at all
	// needs to become a weak negative, as a new request (default 12).
	NegativeMinWords int
}

func (o WeakOptions) withDefaults() WeakOptions {
	if o.MinScore <= 0 {
		o.MinScore = 0.9
	}
	if o.Weight <= 0 {
		o.Weight = 0.3
	}
	if o.NegativeMinWords <= 0 {
		o.NegativeMinWords = 12
	}
	return o
}

// WeakExamples labels the follow-ups of an unlabelled conversation where the
// heuristics are confident: DSAT >= MinScore gives a positive with the
// categories whose combined signal score is at least 0.5; SAT >= MinScore
// (and no DSAT signal) gives a satisfied turn; a long follow-up with no
// signal at all that shares little with the previous request gives a
// negative. Positives (DSAT or SAT) and negatives are returned separately so
// that callers can cap the negatives. All are marked Weak with the option's weight.
func WeakExamples(c *conversation.Conversation, score ScoreFunc, opts WeakOptions) (pos, neg []Example) {
	opts = opts.withDefaults()
	var sc scratch
	for _, i := range c.FollowUps() {
		t := heuristics.NewTurn(c, i)
		signals, dsat, sat := score(t)
		ex := Example{Turn: t, Signals: signals, Weight: opts.Weight, Weak: true}
		switch {
		case dsat >= opts.MinScore:
			ex.DSAT = true
			var cat [numCategories]float64
			for _, s := range signals {
				if k := categoryIndex(s.Category); s.Polarity == heuristics.DSAT && k >= 0 {
					cat[k] = 1 - (1-cat[k])*(1-s.Score)
				}
			}
			for k, v := range cat {
				if v >= 0.5 {
					ex.Categories = append(ex.Categories, heuristics.Categories[k])
				}
			}
			pos = append(pos, ex)
		case sat >= opts.MinScore && dsat == 0:
			ex.SAT = true
			pos = append(pos, ex)
		case len(signals) == 0 && dsat == 0 && sat == 0:
			text := t.Text()
			sc.norm = normalize(sc.norm[:0], text[:cut(text, headWindow)])
			sc.toks = tokenize(sc.toks[:0], sc.norm)
			if len(sc.toks) < opts.NegativeMinWords || replyCutOff(t.ReplyText()) {
				continue
			}
			if t.Request >= 0 && jaccard(&sc, text, t.RequestText()) >= 0.3 {
				continue // may be a rephrase the heuristics missed
			}
			neg = append(neg, ex)
		}
	}
	return pos, neg
}
