package classifier

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"

	"github.com/dsatmine/dsatmine/heuristics"
)

// Metrics are binary classification counts and figures.
type Metrics struct {
	TP        int     `json:"tp"`
	FP        int     `json:"fp"`
	FN        int     `json:"fn"`
	TN        int     `json:"tn"`
	Precision float64 `json:"precision"`
	Recall    float64 `json:"recall"`
	F1        float64 `json:"f1"`
}

func (m *Metrics) add(pred, gold bool) {
	switch {
	case pred && gold:
		m.TP++
	case pred:
		m.FP++
	case gold:
		m.FN++
	default:
		m.TN++
	}
}

// plus adds o's counts to m (finish recomputes the figures).
func (m *Metrics) plus(o Metrics) {
	m.TP += o.TP
	m.FP += o.FP
	m.FN += o.FN
	m.TN += o.TN
}

func (m *Metrics) finish() {
	if m.TP+m.FP > 0 {
		m.Precision = float64(m.TP) / float64(m.TP+m.FP)
	}
	if m.TP+m.FN > 0 {
		m.Recall = float64(m.TP) / float64(m.TP+m.FN)
	}
	if m.Precision+m.Recall > 0 {
		m.F1 = 2 * m.Precision * m.Recall / (m.Precision + m.Recall)
	}
}

// OperatingPoint is a DSAT threshold with the figures it gives.
type OperatingPoint struct {
	Threshold float64 `json:"threshold"`
	Metrics
}

// ReliabilityBin is one bin of a reliability (calibration) table.
type ReliabilityBin struct {
	Lower         float64 `json:"lower"` // predicted-probability range [Lower, Upper)
	Upper         float64 `json:"upper"`
	Count         int     `json:"count"`
	MeanPredicted float64 `json:"mean_predicted"`
	Observed      float64 `json:"observed"` // fraction of DSAT turns in the bin
}

// Figures are the scores of one model (or set of fold models) on a set of
// examples.
type Figures struct {
	Examples int `json:"examples"`
	// DSAT at threshold 0.5.
	DSAT Metrics `json:"dsat"`
	// Best is the DSAT threshold with the highest F1 among those with
	// precision >= MinPrecision (zero if none reaches it).
	Best OperatingPoint `json:"dsat_best"`
	SAT  Metrics        `json:"sat"`
	// Categories scores each category on the gold-DSAT turns (does the model
	// name the right categories once a turn is known to be DSAT; docs/records.md, "Labelled data").
	Categories map[heuristics.Category]Metrics `json:"categories"`
	// EndToEnd scores each category over all turns: predicted when DSAT >= 0.5
	// and the category's conditional probability >= 0.5.
	EndToEnd map[heuristics.Category]Metrics `json:"categories_end_to_end"`
	// Brier is the mean squared error of the DSAT probability.
	Brier float64 `json:"brier"`
	// Reliability is the DSAT calibration table in ten equal-width bins.
	Reliability []ReliabilityBin `json:"reliability"`
	// Sweep gives the DSAT figures at thresholds 0.05, 0.10, …, 0.95.
	Sweep []OperatingPoint `json:"sweep"`
	// Combined scores what a miner user gets: the heuristic verdict merged
	// with the classifier's by Combine.
	Combined CombinedFigures `json:"combined"`
}

// CombinedFigures score the miner's decision with the classifier on every
// follow-up (no cascade) and every category threshold at 0.5: a follow-up
// is DSAT when a category's combined score (Rule.Combine) reaches 0.5. The
// heuristic scores come from Example.Signals, without extension signals.
type CombinedFigures struct {
	// Veto is the Rule.Veto of every figure below (0: no veto).
	Veto float64 `json:"veto"`
	// Heuristics is the heuristic verdict alone, for comparison, and
	// HeuristicCategories its per-category figures over all turns.
	Heuristics          Metrics                         `json:"heuristics"`
	HeuristicCategories map[heuristics.Category]Metrics `json:"heuristic_categories"`
	// DSAT and Categories are the combined decision at classifier threshold
	// 0.5 (Categories over all turns: the category's combined score >= 0.5
	// on a gold-DSAT turn of that category).
	DSAT       Metrics                         `json:"dsat"`
	Categories map[heuristics.Category]Metrics `json:"categories"`
	// Best is the classifier threshold with the highest combined F1 among
	// those with precision >= MinPrecision (zero if none reaches it), and
	// BestCategories the per-category figures there.
	Best           OperatingPoint                  `json:"best"`
	BestCategories map[heuristics.Category]Metrics `json:"best_categories,omitempty"`
	// Sweep gives the combined figures at classifier thresholds 0.05, 0.10, …, 0.95.
	Sweep []OperatingPoint `json:"sweep"`
}

// CVReport is the result of CrossValidate.
type CVReport struct {
	Folds         int     `json:"folds"`
	Examples      int     `json:"examples"`
	Weak          int     `json:"weak_examples"` // trained on, never scored
	Conversations int     `json:"conversations"`
	MinPrecision  float64 `json:"min_precision"`
	// CV scores every example with the model of the fold that did not see its conversation.
	CV Figures `json:"cv"`
	// Train scores every example with the fold models that were trained on
	// it (pooled); the difference to CV is the overfitting gap.
	Train Figures `json:"train"`
	// Sets breaks CV down by Example.Set, sorted by name.
	Sets []SetFigures `json:"sets,omitempty"`
	// Operating is the recommended operating point: the classifier
	// threshold with the best combined F1 among those with precision >=
	// MinPrecision, pooled over OperatingSets (all sets when empty); zero
	// when no threshold reaches it.
	Operating     OperatingPoint `json:"operating_point"`
	OperatingSets []string       `json:"operating_sets,omitempty"`
	// Table is the out-of-fold operating table of the model's own
	// decision (DSAT when its probability reaches the threshold) over the
	// real examples (not aids, not weak) of OperatingSets (all sets when
	// empty), at thresholds 0.01 … 0.99. `dsatmine train` stores it in the
	// model for Model.UncertainBand (and for Model.ThresholdFor when there
	// is no SourceTable).
	Table []OperatingPoint `json:"operating_table,omitempty"`
	// SourceTable is the same table with each real source's examples
	// scored out of source (TrainOptions.TableBySource; nil without two
	// real sources of MinSourceExamples turns). `dsatmine train` stores it
	// for Model.ThresholdFor.
	SourceTable []OperatingPoint `json:"source_operating_table,omitempty"`
}

// bySource returns scores where every example of a real source with at
// least MinSourceExamples real turns is scored by a model trained without
// that source (aids and the other sources included), and every other
// example keeps its score from cv. With fewer than two such sources there
// is nothing to hold out: it returns cv and false.
func bySource(ctx context.Context, feat featurizer, examples []Example, vecs []vec, cv []Scores, opts TrainOptions) ([]Scores, bool, error) {
	sources := heldOutSources(examples, MinSourceExamples)
	if len(sources) < 2 {
		return cv, false, nil
	}
	out := slices.Clone(cv)
	for _, src := range sources {
		train, test := splitSource(examples, src)
		m, err := fit(ctx, feat, examples, vecs, train, opts)
		if err != nil {
			return nil, false, err
		}
		for _, i := range test {
			out[i] = m.predictVec(vecs[i])
		}
	}
	return out, true, nil
}

// SetFigures are CV figures for one data set.
type SetFigures struct {
	Set string `json:"set"`
	Figures
}

// Gap returns train minus cross-validated DSAT F1 at threshold 0.5.
func (r *CVReport) Gap() float64 { return r.Train.DSAT.F1 - r.CV.DSAT.F1 }

// MinPrecision is the precision floor for choosing the best operating point.
const MinPrecision = 0.80

// CrossValidate runs k-fold cross-validation with folds split by
// conversation (Example.Set plus conversation ID), so no model is scored on
// turns of a conversation it was trained on. It is deterministic.
func CrossValidate(ctx context.Context, examples []Example, k int, opts TrainOptions) (CVReport, error) {
	if len(examples) == 0 {
		return CVReport{}, ErrNoExamples
	}
	if k < 2 {
		return CVReport{}, fmt.Errorf("classifier: cross-validation needs at least 2 folds, got %d", k)
	}
	opts = opts.withDefaults()
	examples = canonicalOrder(examples)
	groups := groupsOf(examples)
	if len(groups) < k {
		return CVReport{}, fmt.Errorf("classifier: %d conversations cannot be split into %d folds", len(groups), k)
	}
	feat := newFeaturizer(opts.Features)
	vecs, err := featurizeAll(ctx, feat, examples, opts.Workers)
	if err != nil {
		return CVReport{}, err
	}
	all := make([]int, len(examples))
	for i := range all {
		all[i] = i
	}
	folds := assignFolds(examples, all, k, opts.Seed)
	cv := make([]Scores, len(examples))
	trainScores := make([]Scores, 0, len(examples)*(k-1))
	var trainIdx []int
	// Folds run one after another; each fold's training uses the workers.
	for f := range k {
		train, test := splitFold(all, folds, f)
		m, err := fit(ctx, feat, examples, vecs, train, opts)
		if err != nil {
			return CVReport{}, err
		}
		for _, i := range test {
			cv[i] = m.predictVec(vecs[i])
		}
		for _, i := range train {
			trainScores = append(trainScores, m.predictVec(vecs[i]))
			trainIdx = append(trainIdx, i)
		}
	}
	rep := CVReport{Folds: k, Examples: len(examples), Conversations: len(groups), MinPrecision: MinPrecision}
	var scored []int
	for i := range examples {
		if examples[i].Weak {
			rep.Weak++
		} else {
			scored = append(scored, i)
		}
	}
	veto := opts.veto()
	rep.CV = figures(examples, scored, cv, veto)
	var trainEx []Example
	var trainSc []Scores
	for j, i := range trainIdx {
		if !examples[i].Weak {
			trainEx = append(trainEx, examples[i])
			trainSc = append(trainSc, trainScores[j])
		}
	}
	seq := make([]int, len(trainEx))
	for j := range seq {
		seq[j] = j
	}
	rep.Train = figures(trainEx, seq, trainSc, veto)
	bySet := map[string][]int{}
	for _, i := range scored {
		bySet[examples[i].Set] = append(bySet[examples[i].Set], i)
	}
	rep.Operating = rep.CV.Combined.Best
	if len(opts.OperatingSets) > 0 {
		var rows []int
		for _, i := range scored {
			if slices.Contains(opts.OperatingSets, examples[i].Set) {
				rows = append(rows, i)
			}
		}
		if len(rows) == 0 {
			return CVReport{}, fmt.Errorf("classifier: no scored example belongs to the operating sets %v", opts.OperatingSets)
		}
		rep.OperatingSets = slices.Clone(opts.OperatingSets)
		rep.Operating = combinedFigures(examples, rows, cv, veto).Best
	}
	var tableRows []int
	for _, i := range realRows(examples, scored) {
		if len(opts.OperatingSets) == 0 || slices.Contains(opts.OperatingSets, examples[i].Set) {
			tableRows = append(tableRows, i)
		}
	}
	if len(tableRows) > 0 {
		rep.Table = operatingTable(examples, tableRows, cv)
		if opts.TableBySource {
			scores, ok, err := bySource(ctx, feat, examples, vecs, cv, opts)
			if err != nil {
				return CVReport{}, err
			}
			if ok {
				rep.SourceTable = operatingTable(examples, tableRows, scores)
			}
		}
	}
	if len(bySet) > 1 {
		names := make([]string, 0, len(bySet))
		for s := range bySet {
			names = append(names, s)
		}
		slices.Sort(names)
		for _, s := range names {
			rep.Sets = append(rep.Sets, SetFigures{Set: s, Figures: figures(examples, bySet[s], cv, veto)})
		}
	}
	return rep, nil
}

func (m *Model) predictVec(v vec) Scores {
	var margin [numHeads]float64
	m.margins(v.idx, v.val, &margin)
	return m.scores(&margin)
}

// Evaluate scores a model on labelled examples. The combined figures use
// the model's veto (Model.Veto).
func Evaluate(ctx context.Context, m *Model, examples []Example) (Figures, error) {
	if m == nil {
		return Figures{}, errors.New("classifier: Evaluate with nil model")
	}
	scores := make([]Scores, len(examples))
	idx := make([]int, len(examples))
	for i := range examples {
		if err := ctx.Err(); err != nil {
			return Figures{}, err
		}
		scores[i] = m.Predict(examples[i].Turn, examples[i].Signals)
		idx[i] = i
	}
	return figures(examples, idx, scores, m.Veto()), nil
}

// figures computes Figures over examples[rows] with scores[rows]; veto is
// the Rule.Veto of the combined figures.
func figures(examples []Example, rows []int, scores []Scores, veto float64) Figures {
	f := Figures{Examples: len(rows), Categories: map[heuristics.Category]Metrics{}, EndToEnd: map[heuristics.Category]Metrics{}}
	bins := make([]ReliabilityBin, 10)
	for b := range bins {
		bins[b].Lower, bins[b].Upper = float64(b)/10, float64(b+1)/10
	}
	var cats, e2e [numCategories]Metrics
	var catSeen [numCategories]bool
	for _, i := range rows {
		e, s := &examples[i], scores[i]
		f.DSAT.add(s.DSAT >= 0.5, e.DSAT)
		f.SAT.add(s.SAT >= 0.5, e.SAT)
		d := s.DSAT - b2f(e.DSAT)
		f.Brier += d * d
		b := min(int(s.DSAT*10), 9)
		bins[b].Count++
		bins[b].MeanPredicted += s.DSAT
		bins[b].Observed += b2f(e.DSAT)
		for c := range numCategories {
			gold := e.DSAT && e.hasCategory(heuristics.Categories[c])
			if gold {
				catSeen[c] = true
			}
			if e.DSAT {
				cats[c].add(s.Given[c] >= 0.5, gold)
			}
			e2e[c].add(s.DSAT >= 0.5 && s.Given[c] >= 0.5, gold)
		}
	}
	f.DSAT.finish()
	f.SAT.finish()
	if len(rows) > 0 {
		f.Brier /= float64(len(rows))
	}
	for b := range bins {
		if bins[b].Count > 0 {
			bins[b].MeanPredicted /= float64(bins[b].Count)
			bins[b].Observed /= float64(bins[b].Count)
		}
	}
	f.Reliability = bins
	for c := range numCategories {
		if !catSeen[c] {
			continue
		}
		cats[c].finish()
		e2e[c].finish()
		f.Categories[heuristics.Categories[c]] = cats[c]
		f.EndToEnd[heuristics.Categories[c]] = e2e[c]
	}
	// Threshold sweep and best operating point (fine grid for the best point).
	for t := 1; t <= 99; t++ {
		thr := float64(t) / 100
		var m Metrics
		for _, i := range rows {
			m.add(scores[i].DSAT >= thr, examples[i].DSAT)
		}
		m.finish()
		if t%5 == 0 {
			f.Sweep = append(f.Sweep, OperatingPoint{thr, m})
		}
		if m.Precision >= MinPrecision && m.F1 > f.Best.F1 {
			f.Best = OperatingPoint{thr, m}
		}
	}
	f.Brier = math.Round(f.Brier*1e6) / 1e6
	f.Combined = combinedFigures(examples, rows, scores, veto)
	return f
}

// combinedFigures computes the CombinedFigures of examples[rows].
func combinedFigures(examples []Example, rows []int, scores []Scores, veto float64) CombinedFigures {
	hs := make([][numCategories]float64, len(rows))
	f := CombinedFigures{Veto: veto}
	var hcats [numCategories]Metrics
	for k, i := range rows {
		hs[k] = heuristicScores(examples[i].Signals)
		f.Heuristics.add(decide(&hs[k], &hcats, &examples[i]), examples[i].DSAT)
	}
	f.Heuristics.finish()
	f.HeuristicCategories = categoryMetrics(&hcats)
	at := func(t float64) (Metrics, map[heuristics.Category]Metrics) {
		var m Metrics
		var cats [numCategories]Metrics
		for k, i := range rows {
			c := Rule{Threshold: t, Veto: veto}.combineScores(&hs[k], &scores[i])
			m.add(decide(&c, &cats, &examples[i]), examples[i].DSAT)
		}
		m.finish()
		return m, categoryMetrics(&cats)
	}
	f.DSAT, f.Categories = at(0.5)
	for t := 1; t <= 99; t++ {
		thr := float64(t) / 100
		m, cats := at(thr)
		if t%5 == 0 {
			f.Sweep = append(f.Sweep, OperatingPoint{thr, m})
		}
		if m.Precision >= MinPrecision && m.F1 > f.Best.F1 {
			f.Best, f.BestCategories = OperatingPoint{thr, m}, cats
		}
	}
	return f
}

// decide applies the default category thresholds (0.5) to category scores
// c, counts the per-category outcome for e in cats, and reports whether the
// follow-up is DSAT.
func decide(c *[numCategories]float64, cats *[numCategories]Metrics, e *Example) bool {
	dsat := false
	for j := range numCategories {
		pred := c[j] >= 0.5
		dsat = dsat || pred
		cats[j].add(pred, e.DSAT && e.hasCategory(heuristics.Categories[j]))
	}
	return dsat
}

// categoryMetrics finishes cats, keeping the categories that occur in gold labels.
func categoryMetrics(cats *[numCategories]Metrics) map[heuristics.Category]Metrics {
	out := map[heuristics.Category]Metrics{}
	for j := range numCategories {
		if cats[j].TP+cats[j].FN == 0 {
			continue
		}
		cats[j].finish()
		out[heuristics.Categories[j]] = cats[j]
	}
	return out
}
