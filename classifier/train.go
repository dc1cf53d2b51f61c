package classifier

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"strings"
	"sync"

	"github.com/dsatmine/dsatmine/conversation"
	"github.com/dsatmine/dsatmine/heuristics"
	"github.com/dsatmine/dsatmine/labelled"
)

// SignalFunc returns the heuristic signals for a turn. Training passes the
// signals to the model as features; the CLI uses the heuristics engine. A nil
// SignalFunc means no heuristic features.
type SignalFunc func(*heuristics.Turn) []heuristics.Signal

// Example is one labelled follow-up for training or evaluation.
type Example struct {
	Turn    *heuristics.Turn
	Signals []heuristics.Signal
	DSAT    bool
	SAT     bool
	// Categories are the DSAT categories of the follow-up (only meaningful when DSAT).
	Categories []heuristics.Category
	// Weight scales the example's loss; 0 means 1.
	Weight float64
	// Set names the data set the example came from (for example its file
	// name). Cross-validation reports figures per set.
	Set string
	// Weak marks a heuristically labelled example: it is trained on but
	// never scored by CrossValidate.
	Weak bool
	// Source names where the conversation came from (the labelled record's
	// "source" up to its first "/", so "eurtad/filtered_mwoz" is
	// "eurtad"). LeaveSourceOut holds out one source at a time.
	Source string
	// Aid marks a training aid: a set written to cover cases rather than
	// logged from real users (ReadExamples sets it for sources starting
	// with "dsatmine"). Aids are trained on but never held out as a source,
	// never choose the operating point and are reported apart.
	Aid bool
}

func (e *Example) weight() float64 {
	if e.Weight <= 0 {
		return 1
	}
	return e.Weight
}

func (e *Example) hasCategory(c heuristics.Category) bool { return slices.Contains(e.Categories, c) }

// ErrLabel reports a label that does not point at a user follow-up.
var ErrLabel = errors.New("classifier: label does not point at a user follow-up")

// ExamplesFromLabelled turns the labelled turns of l into examples, on the
// normalised conversation l.Conversation() (empty messages dropped, roles
// mapped; Message.Index keeps the index that Label.Turn refers to). sig, when
// not nil, supplies the heuristic signals of each turn. Categories that are
// not part of the taxonomy are ignored, and so are labels on empty messages
// (readers drop those, so they are never mined). A label whose turn is not
// a user message with an assistant reply before it is an error wrapping
// ErrLabel.
func ExamplesFromLabelled(l *labelled.Record, sig SignalFunc) ([]Example, error) {
	c := l.Conversation()
	out := make([]Example, 0, len(l.Labels))
	for _, lb := range l.Labels {
		i := -1
		for k := range c.Messages {
			if c.Messages[k].Index == lb.Turn {
				i = k
				break
			}
		}
		if i < 0 && lb.Turn >= 0 && lb.Turn < len(l.Messages) && strings.TrimSpace(l.Messages[lb.Turn].Content) == "" {
			continue // an empty follow-up is dropped by the readers and never mined
		}
		if i <= 0 || c.Messages[i].Role != conversation.User {
			return nil, fmt.Errorf("%w: conversation %q turn %d", ErrLabel, l.ID, lb.Turn)
		}
		t := heuristics.NewTurn(c, i)
		for t.Reply >= 0 && c.Messages[t.Reply].Role != conversation.Assistant {
			t.Reply--
		}
		if t.Reply < 0 {
			return nil, fmt.Errorf("%w: conversation %q turn %d has no assistant reply before it", ErrLabel, l.ID, lb.Turn)
		}
		t.Request = c.RequestFor(t.Reply)
		ex := Example{Turn: t, DSAT: lb.DSAT, SAT: lb.SAT}
		for _, name := range lb.Categories {
			cat := heuristics.Category(name)
			if categoryIndex(cat) >= 0 && !ex.hasCategory(cat) {
				ex.Categories = append(ex.Categories, cat)
			}
		}
		if sig != nil {
			ex.Signals = sig(t)
		}
		out = append(out, ex)
	}
	return out, nil
}

// TrainOptions configures Train and CrossValidate. Zero fields take the
// documented defaults.
type TrainOptions struct {
	// Features configures featurisation; the zero value means DefaultFeatureConfig.
	Features FeatureConfig
	// NoHeuristicFeatures drops the features built from heuristic signals.
	NoHeuristicFeatures bool
	// Epochs over the data (default 12).
	Epochs int
	// Alpha and Beta are the FTRL-Proximal learning-rate parameters (defaults 0.1 and 1).
	Alpha, Beta float64
	// L1 and L2 are the regularisation strengths (defaults 0.5 and 2). L1
	// keeps the model sparse.
	L1, L2 float64
	// Seed fixes the example order (default 1).
	Seed uint64
	// CalibrationFolds, when 2 or more, fits Platt scaling on held-out
	// scores of that many conversation-grouped folds (training then costs
	// CalibrationFolds+1 fits). The default 0 relies on logistic
	// regression's own calibration, which measured as well on the
	// development data (see classifier/models/README.md).
	CalibrationFolds int
	// Workers bounds parallelism (default GOMAXPROCS). Results do not depend on it.
	Workers int
	// Data describes the training data; it is recorded in the model file.
	Data string
	// Veto is the Rule.Veto the combined cross-validation figures are
	// measured with and Train records in the model (Model.Veto): 0 means
	// DefaultVeto, a negative value no veto.
	Veto float64
	// OperatingSets names the data sets (Example.Set) on whose pooled
	// out-of-fold combined figures CrossValidate chooses the operating point
	// (CVReport.Operating); empty means all of them. Choose it on data like
	// the logs the model will score: sets written to cover many cases have
	// a different share of DSAT, and a threshold chosen on them is too low
	// for real logs.
	OperatingSets []string
	// TableBySource makes CrossValidate also build an out-of-source
	// operating table (CVReport.SourceTable): each real source
	// (Example.Source of non-aid examples, with at least MinSourceExamples
	// turns) is scored by a model trained on every other source and the
	// aids, so the precision it promises at a threshold is what a new
	// source gets, not what the next conversation of a known one gets
	// (out-of-fold precision overstated it on a held-out source by up to
	// 0.2). Costs one fit per source.
	TableBySource bool
}

// MinSourceExamples is the number of real turns from which a source is held
// out on its own (TrainOptions.TableBySource, LOSOOptions.MinExamples'
// default).
const MinSourceExamples = 50

// veto returns the effective Rule.Veto of o.
func (o TrainOptions) veto() float64 {
	switch {
	case o.Veto == 0:
		return DefaultVeto
	case o.Veto < 0:
		return 0
	}
	return o.Veto
}

func (o TrainOptions) withDefaults() TrainOptions {
	if o.Features == (FeatureConfig{}) {
		o.Features = DefaultFeatureConfig()
	}
	o.Features = o.Features.withDefaults()
	if o.NoHeuristicFeatures {
		o.Features.NoHeuristic = true
	}
	if o.Epochs <= 0 {
		o.Epochs = 12
	}
	if o.Alpha <= 0 {
		o.Alpha = 0.1
	}
	if o.Beta <= 0 {
		o.Beta = 1
	}
	if o.L1 <= 0 {
		o.L1 = 0.5
	}
	if o.L2 <= 0 {
		o.L2 = 2
	}
	if o.Seed == 0 {
		o.Seed = 1
	}
	if o.Workers <= 0 {
		o.Workers = runtime.GOMAXPROCS(0)
	}
	return o
}

// ErrNoExamples is returned when there is nothing to train on.
var ErrNoExamples = errors.New("classifier: no training examples")

// vec is a merged, sorted sparse feature vector.
type vec struct {
	idx []uint32
	val []float32
}

func featurizeAll(ctx context.Context, feat featurizer, examples []Example, workers int) ([]vec, error) {
	out := make([]vec, len(examples))
	var wg sync.WaitGroup
	next := make(chan int)
	for range workers {
		wg.Go(func() {
			sc := new(scratch)
			for i := range next {
				e := &examples[i]
				feat.featurize(e.Turn, e.Signals, sc)
				out[i] = merge(sc.idx, sc.val)
			}
		})
	}
	var err error
	for i := range examples {
		if err = ctx.Err(); err != nil {
			break
		}
		next <- i
	}
	close(next)
	wg.Wait()
	return out, err
}

func merge(idx []uint32, val []float32) vec {
	type kv struct {
		i uint32
		v float32
	}
	kvs := make([]kv, len(idx))
	for k := range idx {
		kvs[k] = kv{idx[k], val[k]}
	}
	slices.SortFunc(kvs, func(a, b kv) int {
		switch {
		case a.i < b.i:
			return -1
		case a.i > b.i:
			return 1
		}
		return 0
	})
	v := vec{idx: make([]uint32, 0, len(kvs)), val: make([]float32, 0, len(kvs))}
	for _, e := range kvs {
		if n := len(v.idx); n > 0 && v.idx[n-1] == e.i {
			v.val[n-1] += e.v
			continue
		}
		v.idx = append(v.idx, e.i)
		v.val = append(v.val, e.v)
	}
	return v
}

// headData returns, for head h, the examples it trains on and their targets.
func headData(h int, examples []Example, subset []int) (rows []int, ys []float64) {
	for _, i := range subset {
		e := &examples[i]
		switch {
		case h == headDSAT:
			rows, ys = append(rows, i), append(ys, b2f(e.DSAT))
		case h == headSAT:
			rows, ys = append(rows, i), append(ys, b2f(e.SAT))
		case e.DSAT:
			rows, ys = append(rows, i), append(ys, b2f(e.hasCategory(heuristics.Categories[h-headCat0])))
		}
	}
	return rows, ys
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// canonicalOrder returns a copy of examples sorted by set, conversation and
// follow-up (stable for equal keys), so that training does not depend on
// the order in which files or records were given.
func canonicalOrder(examples []Example) []Example {
	out := slices.Clone(examples)
	slices.SortStableFunc(out, func(a, b Example) int {
		if c := cmp.Compare(a.Set, b.Set); c != 0 {
			return c
		}
		var ida, idb string
		var fa, fb int
		if a.Turn != nil && a.Turn.Conv != nil {
			ida, fa = a.Turn.Conv.ID, a.Turn.FollowUp
		}
		if b.Turn != nil && b.Turn.Conv != nil {
			idb, fb = b.Turn.Conv.ID, b.Turn.FollowUp
		}
		if c := cmp.Compare(ida, idb); c != 0 {
			return c
		}
		return cmp.Compare(fa, fb)
	})
	return out
}

// Train fits a model on examples. Training is deterministic and does not
// depend on the order of examples (they are sorted by set, conversation and
// follow-up first): the same examples with the same options give the same
// model, byte for byte.
func Train(ctx context.Context, examples []Example, opts TrainOptions) (*Model, error) {
	if len(examples) == 0 {
		return nil, ErrNoExamples
	}
	opts = opts.withDefaults()
	examples = canonicalOrder(examples)
	feat := newFeaturizer(opts.Features)
	vecs, err := featurizeAll(ctx, feat, examples, opts.Workers)
	if err != nil {
		return nil, err
	}
	all := make([]int, len(examples))
	for i := range all {
		all[i] = i
	}
	m, err := fit(ctx, feat, examples, vecs, all, opts)
	if err != nil {
		return nil, err
	}
	m.SetThreshold("veto", opts.veto())
	m.info = TrainingInfo{
		Examples: len(examples), Conversations: len(groupsOf(examples)), Epochs: opts.Epochs,
		L1: opts.L1, L2: opts.L2, Seed: opts.Seed, Calibrated: opts.CalibrationFolds > 1, Data: opts.Data,
	}
	for i := range examples {
		if examples[i].DSAT {
			m.info.Positives++
		}
	}
	return m, nil
}

// fit trains (and calibrates) a model on the examples listed in subset.
func fit(ctx context.Context, feat featurizer, examples []Example, vecs []vec, subset []int, opts TrainOptions) (*Model, error) {
	m, err := fitRaw(ctx, feat, examples, vecs, subset, opts)
	if err != nil || opts.CalibrationFolds < 2 {
		return m, err
	}
	// Platt scaling on held-out margins of conversation-grouped folds.
	folds := assignFolds(examples, subset, opts.CalibrationFolds, opts.Seed+7919)
	margins := make([][numHeads]float64, len(examples))
	for k := range opts.CalibrationFolds {
		train, test := splitFold(subset, folds, k)
		if len(test) == 0 || len(train) == 0 {
			continue
		}
		inner, err := fitRaw(ctx, feat, examples, vecs, train, opts)
		if err != nil {
			return nil, err
		}
		for _, i := range test {
			inner.margins(vecs[i].idx, vecs[i].val, &margins[i])
		}
	}
	for h := range numHeads {
		rows, ys := headData(h, examples, subset)
		ms := make([]float64, len(rows))
		ws := make([]float64, len(rows))
		for k, i := range rows {
			ms[k] = margins[i][h]
			ws[k] = examples[i].weight()
		}
		m.cal[h] = platt(ms, ys, ws)
	}
	return m, nil
}

// fitRaw trains every head with FTRL-Proximal, heads in parallel.
func fitRaw(ctx context.Context, feat featurizer, examples []Example, vecs []vec, subset []int, opts TrainOptions) (*Model, error) {
	m := newModel(feat.cfg)
	buckets := 1 << feat.cfg.HashBits
	errs := make([]error, numHeads)
	sem := make(chan struct{}, opts.Workers)
	var wg sync.WaitGroup
	for h := range numHeads {
		rows, ys := headData(h, examples, subset)
		if len(rows) == 0 {
			continue
		}
		m.has[h] = true
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			w, bias, err := ftrl(ctx, vecs, examples, rows, ys, buckets, opts, uint64(h))
			if err != nil {
				errs[h] = err
				return
			}
			m.bias[h] = bias
			for b, v := range w {
				m.w[b*numHeads+h] = v
			}
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return m, nil
}

// ftrl trains one logistic-regression head with FTRL-Proximal (per-coordinate
// adaptive learning rates, L1 and L2). The example order is shuffled with a
// fixed seed each epoch.
func ftrl(ctx context.Context, vecs []vec, examples []Example, rows []int, ys []float64, buckets int, o TrainOptions, stream uint64) ([]float32, float64, error) {
	z := make([]float64, buckets)
	n := make([]float64, buckets)
	var zb, nb float64
	weight := func(i uint32) float64 {
		zi := z[i]
		if math.Abs(zi) <= o.L1 {
			return 0
		}
		s := 1.0
		if zi < 0 {
			s = -1
		}
		return -(zi - s*o.L1) / ((o.Beta+math.Sqrt(n[i]))/o.Alpha + o.L2)
	}
	order := make([]int, len(rows))
	for k := range order {
		order[k] = k
	}
	var ws []float64
	for epoch := range o.Epochs {
		if err := ctx.Err(); err != nil {
			return nil, 0, err
		}
		rng := rand.New(rand.NewPCG(o.Seed, uint64(epoch)<<8|stream))
		rng.Shuffle(len(order), func(a, b int) { order[a], order[b] = order[b], order[a] })
		for _, k := range order {
			v := &vecs[rows[k]]
			ws = ws[:0]
			wb := -zb / ((o.Beta + math.Sqrt(nb)) / o.Alpha)
			margin := wb
			for j, i := range v.idx {
				w := weight(i)
				ws = append(ws, w)
				margin += w * float64(v.val[j])
			}
			g := (sigmoid(margin) - ys[k]) * examples[rows[k]].weight()
			for j, i := range v.idx {
				gi := g * float64(v.val[j])
				sigma := (math.Sqrt(n[i]+gi*gi) - math.Sqrt(n[i])) / o.Alpha
				z[i] += gi - sigma*ws[j]
				n[i] += gi * gi
			}
			sigma := (math.Sqrt(nb+g*g) - math.Sqrt(nb)) / o.Alpha
			zb += g - sigma*wb
			nb += g * g
		}
	}
	w := make([]float32, buckets)
	for i := range w {
		if z[i] != 0 {
			w[i] = float32(weight(uint32(i)))
		}
	}
	return w, -zb / ((o.Beta + math.Sqrt(nb)) / o.Alpha), nil
}

// platt fits p = sigmoid(a*m + b) to targets by Newton's method on the
// weighted log loss, with Platt's smoothed targets. It falls back to the
// identity when the data cannot support a fit.
func platt(ms, ys, ws []float64) [2]float64 {
	var npos, nneg float64
	for k, y := range ys {
		if y > 0.5 {
			npos += ws[k]
		} else {
			nneg += ws[k]
		}
	}
	if npos < 2 || nneg < 2 {
		return [2]float64{1, 0}
	}
	hi, lo := (npos+1)/(npos+2), 1/(nneg+2)
	a, b := 1.0, 0.0
	for range 50 {
		var g0, g1, h00, h01, h11 float64
		for k, m := range ms {
			t := lo
			if ys[k] > 0.5 {
				t = hi
			}
			p := sigmoid(a*m + b)
			d := (p - t) * ws[k]
			s := p * (1 - p) * ws[k]
			g0 += d * m
			g1 += d
			h00 += s * m * m
			h01 += s * m
			h11 += s
		}
		h00 += 1e-6
		h11 += 1e-6
		det := h00*h11 - h01*h01
		if det <= 0 {
			break
		}
		da := (h11*g0 - h01*g1) / det
		db := (h00*g1 - h01*g0) / det
		a -= da
		b -= db
		if math.Abs(da)+math.Abs(db) < 1e-9 {
			break
		}
	}
	if !(a > 0) || math.IsNaN(b) || math.IsInf(a, 0) || math.IsInf(b, 0) {
		return [2]float64{1, 0}
	}
	return [2]float64{a, b}
}

type groupKey struct{ set, id string }

// compare orders group keys by set, then conversation ID.
func (a groupKey) compare(b groupKey) int {
	if c := strings.Compare(a.set, b.set); c != 0 {
		return c
	}
	return strings.Compare(a.id, b.id)
}

// splitFold returns the rows of subset outside fold f (to train on) and
// inside it (to score).
func splitFold(subset, folds []int, f int) (train, test []int) {
	for _, i := range subset {
		if folds[i] == f {
			test = append(test, i)
		} else {
			train = append(train, i)
		}
	}
	return train, test
}

func groupsOf(examples []Example) map[groupKey][]int {
	g := map[groupKey][]int{}
	for i := range examples {
		k := groupKey{examples[i].Set, examples[i].Turn.Conv.ID}
		g[k] = append(g[k], i)
	}
	return g
}

// assignFolds splits the examples in subset into k folds by conversation,
// deterministically. Conversations are shuffled with seed, then dealt to
// folds in order of how many DSAT turns they hold, so folds get similar
// numbers of positives. It returns the fold of every example (-1 outside subset).
func assignFolds(examples []Example, subset []int, k int, seed uint64) []int {
	groups := map[groupKey][]int{}
	for _, i := range subset {
		key := groupKey{examples[i].Set, examples[i].Turn.Conv.ID}
		groups[key] = append(groups[key], i)
	}
	keys := make([]groupKey, 0, len(groups))
	for key := range groups {
		keys = append(keys, key)
	}
	slices.SortFunc(keys, groupKey.compare)
	rng := rand.New(rand.NewPCG(seed, 0x5eed))
	rng.Shuffle(len(keys), func(a, b int) { keys[a], keys[b] = keys[b], keys[a] })
	pos := func(key groupKey) int {
		n := 0
		for _, i := range groups[key] {
			if examples[i].DSAT {
				n++
			}
		}
		return n
	}
	slices.SortStableFunc(keys, func(a, b groupKey) int { return pos(b) - pos(a) })
	fold := make([]int, len(examples))
	for i := range fold {
		fold[i] = -1
	}
	for j, key := range keys {
		for _, i := range groups[key] {
			fold[i] = j % k
		}
	}
	return fold
}
