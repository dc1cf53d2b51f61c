package classifier

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
)

// Held-out figures: leave-one-source-out evaluation, the operating table
// and the learning curve. They answer the question a user has: how does
// the model do on logs from a source it has never seen?

// DefaultTargetPrecision is the out-of-fold precision whose lowest
// threshold `dsatmine train` stores as a model's default operating point
// (Model.Threshold) when the model decides (DecisionModel).
const DefaultTargetPrecision = 0.75

// TableThresholds are the thresholds of an operating table: 0.01 … 0.99.
func tableThresholds() []float64 {
	t := make([]float64, 99)
	for i := range t {
		t[i] = float64(i+1) / 100
	}
	return t
}

// operatingTable returns the DSAT precision and recall of the decision
// "probability >= threshold" over examples[rows] at every table threshold.
func operatingTable(examples []Example, rows []int, scores []Scores) []OperatingPoint {
	return ruleTable(examples, rows, scores, Rule{Decide: true})
}

// ruleTable returns the figures of rule r over examples[rows] at every
// table threshold (r.Threshold is set to each in turn).
func ruleTable(examples []Example, rows []int, scores []Scores, r Rule) []OperatingPoint {
	hs := make([][numCategories]float64, len(rows))
	for k, i := range rows {
		hs[k] = heuristicScores(examples[i].Signals)
	}
	var out []OperatingPoint
	for _, thr := range tableThresholds() {
		r.Threshold = thr
		var m Metrics
		for k, i := range rows {
			m.add(r.isDSAT(&hs[k], &scores[i]), examples[i].DSAT)
		}
		m.finish()
		out = append(out, OperatingPoint{thr, m})
	}
	return out
}

// isDSAT reports whether rule r makes a follow-up with heuristic category
// scores h and classifier scores s DSAT (every category threshold 0.5).
func (r Rule) isDSAT(h *[numCategories]float64, s *Scores) bool {
	if r.Decide {
		return s.DSAT >= r.threshold()
	}
	c := r.combineScores(h, s)
	for _, v := range c {
		if v >= 0.5 {
			return true
		}
	}
	return false
}

// lowestAt returns the lowest threshold of table whose precision is at
// least target (ok false when none is).
func lowestAt(table []OperatingPoint, target float64) (OperatingPoint, bool) {
	for _, op := range table {
		if op.TP > 0 && op.Precision >= target {
			return op, true
		}
	}
	return OperatingPoint{}, false
}

// oof scores every example in subset with a model trained, on the rest of
// subset, without its conversation (k folds split by conversation).
func oof(ctx context.Context, feat featurizer, examples []Example, vecs []vec, subset []int, k int, opts TrainOptions) ([]Scores, error) {
	out := make([]Scores, len(examples))
	folds := assignFolds(examples, subset, k, opts.Seed)
	for f := range k {
		train, test := splitFold(subset, folds, f)
		if len(train) == 0 || len(test) == 0 {
			continue
		}
		m, err := fit(ctx, feat, examples, vecs, train, opts)
		if err != nil {
			return nil, err
		}
		for _, i := range test {
			out[i] = m.predictVec(vecs[i])
		}
	}
	return out, nil
}

// realRows returns the rows of subset that are scored real data: neither
// weak nor training aids.
func realRows(examples []Example, subset []int) []int {
	var out []int
	for _, i := range subset {
		if !examples[i].Weak && !examples[i].Aid {
			out = append(out, i)
		}
	}
	return out
}

// SourceFigures are the figures on one held-out source.
type SourceFigures struct {
	Source    string `json:"source"`
	Examples  int    `json:"examples"`
	Positives int    `json:"dsat_positives"`
	// TrainReal is the number of real (not aid, not weak) turns trained on.
	TrainReal int `json:"train_real_turns"`
	// Heuristics is the heuristic verdict alone.
	Heuristics Metrics `json:"heuristics"`
	// Model is the model's decision at the threshold chosen without the
	// held-out source: the lowest whose out-of-fold precision on the
	// training sources reached TargetPrecision.
	Model OperatingPoint `json:"model"`
	// Targets holds the same for each of LOSOOptions.Targets, in order.
	Targets []OperatingPoint `json:"targets,omitempty"`
	// Combined is the heuristic verdict raised and vetoed by the model
	// (Rule with Decide false), its threshold chosen the same way.
	Combined OperatingPoint `json:"combined"`
	// AUC is the area under the ROC curve of the DSAT probability.
	AUC float64 `json:"auc"`
}

// LOSOReport is the result of LeaveSourceOut.
type LOSOReport struct {
	TargetPrecision float64         `json:"target_precision"`
	Targets         []float64       `json:"targets,omitempty"`
	Sources         []SourceFigures `json:"sources"`
	Curve           []CurvePoint    `json:"learning_curve,omitempty"`
	Pooled          SourceFigures   `json:"pooled"`
}

// CurvePoint is one point of the learning curve: the mean over held-out
// sources of the model's figures when trained on Fraction of the other
// sources' real conversations (aids always included).
type CurvePoint struct {
	Fraction  float64 `json:"fraction"`
	TrainReal int     `json:"train_real_turns"` // mean over held-out sources
	F1        float64 `json:"f1"`               // mean held-out F1
	Precision float64 `json:"precision"`
	Recall    float64 `json:"recall"`
}

// LOSOOptions configures LeaveSourceOut.
type LOSOOptions struct {
	// TargetPrecision chooses each held-out run's threshold (default
	// DefaultTargetPrecision).
	TargetPrecision float64
	// Targets are further target precisions reported per source.
	Targets []float64
	// Folds is the number of folds of the inner cross-validation that
	// chooses the threshold (default 5).
	Folds int
	// MinExamples is the size from which a source is held out (default 50).
	MinExamples int
	// Curve lists training fractions for the learning curve (none when empty).
	Curve []float64
}

// LeaveSourceOut trains on every source but S and scores S, for each real
// source S (Example.Source of non-aid examples with at least
// MinExamples turns). The threshold of each run is chosen by an inner
// cross-validation on the training sources only, so the figures are what
// a user gets on logs of a source the model has never seen. It is
// deterministic.
func LeaveSourceOut(ctx context.Context, examples []Example, opts TrainOptions, lo LOSOOptions) (LOSOReport, error) {
	if len(examples) == 0 {
		return LOSOReport{}, ErrNoExamples
	}
	opts = opts.withDefaults()
	if lo.TargetPrecision <= 0 {
		lo.TargetPrecision = DefaultTargetPrecision
	}
	if lo.Folds < 2 {
		lo.Folds = 5
	}
	if lo.MinExamples <= 0 {
		lo.MinExamples = MinSourceExamples
	}
	examples = canonicalOrder(examples)
	feat := newFeaturizer(opts.Features)
	vecs, err := featurizeAll(ctx, feat, examples, opts.Workers)
	if err != nil {
		return LOSOReport{}, err
	}
	sources := heldOutSources(examples, lo.MinExamples)
	if len(sources) < 2 {
		return LOSOReport{}, fmt.Errorf("classifier: leave-one-source-out needs at least 2 real sources with %d or more turns, have %v", lo.MinExamples, sources)
	}
	rep := LOSOReport{TargetPrecision: lo.TargetPrecision, Targets: slices.Clone(lo.Targets)}
	pooled := make([]Scores, len(examples))
	var pooledRows []int
	// run trains on train and scores test, choosing thresholds by inner CV.
	run := func(train, test []int) (SourceFigures, []Scores, error) {
		var sf SourceFigures
		inner, err := oof(ctx, feat, examples, vecs, train, lo.Folds, opts)
		if err != nil {
			return sf, nil, err
		}
		table := operatingTable(examples, realRows(examples, train), inner)
		m, err := fit(ctx, feat, examples, vecs, train, opts)
		if err != nil {
			return sf, nil, err
		}
		sc := make([]Scores, len(examples))
		for _, i := range test {
			sc[i] = m.predictVec(vecs[i])
		}
		sf.TrainReal = len(realRows(examples, train))
		at := func(target float64) OperatingPoint {
			op, ok := lowestAt(table, target)
			if !ok {
				op = table[len(table)-1]
			}
			var mt Metrics
			for _, i := range test {
				mt.add(sc[i].DSAT >= op.Threshold, examples[i].DSAT)
			}
			mt.finish()
			return OperatingPoint{op.Threshold, mt}
		}
		sf.Model = at(lo.TargetPrecision)
		crule := Rule{Veto: opts.veto()}
		ctab := ruleTable(examples, realRows(examples, train), inner, crule)
		cop, ok := lowestAt(ctab, lo.TargetPrecision)
		if !ok {
			cop = ctab[len(ctab)-1]
		}
		crule.Threshold = cop.Threshold
		var cm Metrics
		for _, i := range test {
			h := heuristicScores(examples[i].Signals)
			cm.add(crule.isDSAT(&h, &sc[i]), examples[i].DSAT)
		}
		cm.finish()
		sf.Combined = OperatingPoint{cop.Threshold, cm}
		for _, t := range lo.Targets {
			sf.Targets = append(sf.Targets, at(t))
		}
		return sf, sc, nil
	}
	for _, src := range sources {
		if err := ctx.Err(); err != nil {
			return LOSOReport{}, err
		}
		train, test := splitSource(examples, src)
		sf, sc, err := run(train, test)
		if err != nil {
			return LOSOReport{}, err
		}
		sf.Source = src
		describe(&sf, examples, test, sc)
		for _, i := range test {
			pooled[i] = sc[i]
		}
		pooledRows = append(pooledRows, test...)
		rep.Sources = append(rep.Sources, sf)
	}
	rep.Pooled = SourceFigures{Source: "all"}
	describe(&rep.Pooled, examples, pooledRows, pooled)
	for _, sf := range rep.Sources {
		rep.Pooled.TrainReal += sf.TrainReal
		rep.Pooled.Model.plus(sf.Model.Metrics)
		rep.Pooled.Combined.plus(sf.Combined.Metrics)
	}
	rep.Pooled.Model.finish()
	rep.Pooled.Combined.finish()
	rep.Pooled.TrainReal /= len(rep.Sources)

	for _, frac := range lo.Curve {
		var cp CurvePoint
		cp.Fraction = frac
		for k, src := range sources {
			sf := rep.Sources[k]
			if frac < 1 { // the full training set is the run above
				train, test := splitSource(examples, src)
				var err error
				if sf, _, err = run(subsample(examples, train, frac, opts.Seed), test); err != nil {
					return LOSOReport{}, err
				}
			}
			cp.TrainReal += sf.TrainReal
			cp.F1 += sf.Model.F1
			cp.Precision += sf.Model.Precision
			cp.Recall += sf.Model.Recall
		}
		n := float64(len(sources))
		cp.TrainReal = int(float64(cp.TrainReal)/n + 0.5)
		cp.F1 /= n
		cp.Precision /= n
		cp.Recall /= n
		rep.Curve = append(rep.Curve, cp)
	}
	return rep, nil
}

// describe fills the size, heuristic figures and AUC of sf over examples[rows].
func describe(sf *SourceFigures, examples []Example, rows []int, sc []Scores) {
	sf.Examples = len(rows)
	var hcats [numCategories]Metrics
	var pos, neg []float64
	for _, i := range rows {
		e := &examples[i]
		if e.DSAT {
			sf.Positives++
			pos = append(pos, sc[i].DSAT)
		} else {
			neg = append(neg, sc[i].DSAT)
		}
		h := heuristicScores(e.Signals)
		sf.Heuristics.add(decide(&h, &hcats, e), e.DSAT)
	}
	sf.Heuristics.finish()
	sf.AUC = auc(pos, neg)
}

// auc is the probability that a random positive scores above a random
// negative (ties count half).
func auc(pos, neg []float64) float64 {
	if len(pos) == 0 || len(neg) == 0 {
		return 0
	}
	neg = slices.Clone(neg)
	slices.Sort(neg)
	var s float64
	for _, p := range pos {
		lo, _ := slices.BinarySearch(neg, p)
		hi := lo
		for hi < len(neg) && neg[hi] == p {
			hi++
		}
		s += float64(lo) + float64(hi-lo)/2
	}
	return s / float64(len(pos)*len(neg))
}

// subsample keeps every aid and weak example of rows and a deterministic
// fraction of the real conversations.
func subsample(examples []Example, rows []int, frac float64, seed uint64) []int {
	if frac >= 1 {
		return rows
	}
	groups := map[groupKey]bool{}
	var keys []groupKey
	for _, i := range rows {
		e := &examples[i]
		if e.Aid || e.Weak {
			continue
		}
		k := groupKey{e.Set, e.Turn.Conv.ID}
		if !groups[k] {
			groups[k] = true
			keys = append(keys, k)
		}
	}
	slices.SortFunc(keys, groupKey.compare)
	rng := rand.New(rand.NewPCG(seed, 0xc0ffee))
	rng.Shuffle(len(keys), func(a, b int) { keys[a], keys[b] = keys[b], keys[a] })
	keep := map[groupKey]bool{}
	for _, k := range keys[:int(float64(len(keys))*frac+0.5)] {
		keep[k] = true
	}
	var out []int
	for _, i := range rows {
		e := &examples[i]
		if e.Aid || e.Weak || keep[groupKey{e.Set, e.Turn.Conv.ID}] {
			out = append(out, i)
		}
	}
	return out
}

// splitSource returns the rows to train on and to score when src is held
// out: every example of another source (aids and weak ones included), and
// the real examples of src.
func splitSource(examples []Example, src string) (train, test []int) {
	for i := range examples {
		switch {
		case examples[i].Source != src:
			train = append(train, i)
		case !examples[i].Aid && !examples[i].Weak:
			test = append(test, i)
		}
	}
	return train, test
}

// heldOutSources returns, sorted, the real sources (Example.Source of
// examples that are neither aids nor weak) with at least min turns: the
// sources that can be held out on their own.
func heldOutSources(examples []Example, min int) []string {
	count := map[string]int{}
	for i := range examples {
		if !examples[i].Aid && !examples[i].Weak {
			count[examples[i].Source]++
		}
	}
	var sources []string
	for s, n := range count {
		if n >= min {
			sources = append(sources, s)
		}
	}
	slices.Sort(sources)
	return sources
}
