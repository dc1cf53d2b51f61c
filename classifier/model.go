package classifier

import (
	"bytes"
	"cmp"
	"context"
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math"
	"math/bits"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"

	"github.com/dsatmine/dsatmine/heuristics"
	"github.com/dsatmine/dsatmine/internal/jsonx"
)

// Model file identification.
const (
	FormatName    = "dsatmine-classifier"
	FormatVersion = 1
)

// Errors returned by Load.
var (
	// ErrFormat means the input is not a dsatmine classifier model.
	ErrFormat = errors.New("classifier: not a dsatmine classifier model")
	// ErrVersion means the model file has a version this package cannot read.
	ErrVersion = errors.New("classifier: unsupported model version")
)

// numCategories is len(heuristics.Categories); Scores keeps categories in arrays.
const numCategories = 6

// Head indices: one logistic-regression head per output.
const (
	headDSAT = iota
	headSAT
	headCat0
	numHeads = headCat0 + numCategories
)

func headName(h int) string {
	switch h {
	case headDSAT:
		return "dsat"
	case headSAT:
		return "sat"
	}
	return string(heuristics.Categories[h-headCat0])
}

// Scores is the allocation-free form of a Prediction.
type Scores struct {
	// DSAT and SAT are calibrated probabilities.
	DSAT, SAT float64
	// Category[i] is the probability that the follow-up is DSAT with category
	// heuristics.Categories[i]: DSAT × Given[i].
	Category [numCategories]float64
	// Given[i] is the probability of category heuristics.Categories[i] given
	// that the follow-up is DSAT.
	Given [numCategories]float64
}

// Model is a multi-label logistic-regression classifier over hashed features
// of a follow-up in context. It has one head for DSAT, one for SAT, and one
// per DSAT category (conditional on DSAT). A Model is immutable once built
// and safe for concurrent use; it implements Classifier.
type Model struct {
	feat featurizer
	// w holds the weights interleaved by bucket: w[bucket*numHeads+head].
	w []float32
	// packed is w without its all-zero rows, built on first use (see
	// packWeights); nil until then.
	packed atomic.Pointer[packedWeights]
	// digest memoises Digest; the setters clear it.
	digest atomic.Pointer[string]
	bias   [numHeads]float64
	cal    [numHeads][2]float64 // Platt scaling: p = sigmoid(a*margin + b)
	has    [numHeads]bool
	// thresholds holds recommended operating points by head name.
	thresholds map[string]float64
	// decision is how the miner decides with this model (DecisionModel or
	// DecisionCombined, the default for older models).
	decision string
	// table is the out-of-fold precision and recall per threshold that
	// ThresholdFor reads.
	table []OperatingPoint
	// tableTN is false when the table was read from a model file written
	// before the tn column, so that shares of follow-ups are unknown.
	tableTN bool
	// srcTable is the out-of-source table ThresholdFor prefers (nil: none).
	srcTable []OperatingPoint
	info     TrainingInfo
}

// Decision modes a model can recommend (Model.Decision).
const (
	// DecisionCombined keeps the heuristic verdict and lets the model raise
	// or veto it (Rule with Decide false): what models trained before the
	// calibrated decision recommend.
	DecisionCombined = "combined"
	// DecisionModel lets the calibrated model decide: a follow-up is DSAT
	// when its DSAT probability reaches the threshold, whatever the
	// heuristics say; the heuristic signals are its features and still name
	// the categories and the evidence.
	DecisionModel = "model"
)

// Decision returns the decision mode the model recommends.
func (m *Model) Decision() string {
	if m.decision == "" {
		return DecisionCombined
	}
	return m.decision
}

// SetDecision records the recommended decision mode (DecisionModel or
// DecisionCombined). It is meant for use right after training.
func (m *Model) SetDecision(d string) {
	m.decision = d
	m.digest.Store(nil)
}

// OperatingTable returns the out-of-fold precision and recall of the
// model's decision per threshold, as measured when it was trained (nil
// when the model has none).
func (m *Model) OperatingTable() []OperatingPoint { return slices.Clone(m.table) }

// SetOperatingTable records the out-of-fold operating table (sorted by
// threshold). It is meant for use right after training.
func (m *Model) SetOperatingTable(t []OperatingPoint) {
	m.table = sortedByThreshold(t)
	m.tableTN = len(t) > 0
	m.digest.Store(nil)
}

// sortedByThreshold returns a copy of t sorted by threshold.
func sortedByThreshold(t []OperatingPoint) []OperatingPoint {
	t = slices.Clone(t)
	slices.SortFunc(t, func(a, b OperatingPoint) int { return cmp.Compare(a.Threshold, b.Threshold) })
	return t
}

// SourceTable returns the out-of-source operating table (each training
// source scored by a model trained without it), nil when the model has
// none.
func (m *Model) SourceTable() []OperatingPoint { return slices.Clone(m.srcTable) }

// SetSourceTable records the out-of-source operating table that
// ThresholdFor prefers (sorted by threshold; nil removes it). It is meant
// for use right after training.
func (m *Model) SetSourceTable(t []OperatingPoint) {
	m.srcTable = sortedByThreshold(t)
	m.digest.Store(nil)
}

// ErrNoTable is returned by ThresholdFor when the model carries no
// operating table, and ErrPrecisionOutOfReach when no threshold in it
// reaches the asked precision.
var (
	ErrNoTable             = errors.New("classifier: the model has no operating table (retrain it with dsatmine train)")
	ErrPrecisionOutOfReach = errors.New("classifier: no threshold reaches the target precision")
)

// ThresholdFor returns the lowest threshold whose measured precision is at
// least target, with the figures measured there: from the out-of-source
// table (SourceTable) when the model has one, else from the out-of-fold
// operating table.
func (m *Model) ThresholdFor(target float64) (OperatingPoint, error) {
	t := m.srcTable
	if len(t) == 0 {
		t = m.table
	}
	if len(t) == 0 {
		return OperatingPoint{}, ErrNoTable
	}
	if op, ok := lowestAt(t, target); ok {
		return op, nil
	}
	return OperatingPoint{}, fmt.Errorf("%w: %.2f (best measured precision in the table is %.3f)", ErrPrecisionOutOfReach, target, bestPrecision(t))
}

func bestPrecision(t []OperatingPoint) float64 {
	b := 0.0
	for _, op := range t {
		if op.TP > 0 {
			b = max(b, op.Precision)
		}
	}
	return b
}

// TrainingInfo records how a model was trained. It is informational.
type TrainingInfo struct {
	Examples      int     `json:"examples,omitempty"`
	Conversations int     `json:"conversations,omitempty"`
	Positives     int     `json:"dsat_positives,omitempty"`
	Epochs        int     `json:"epochs,omitempty"`
	L1            float64 `json:"l1,omitempty"`
	L2            float64 `json:"l2,omitempty"`
	Seed          uint64  `json:"seed,omitempty"`
	Calibrated    bool    `json:"calibrated,omitempty"`
	Data          string  `json:"data,omitempty"`
}

var _ Classifier = (*Model)(nil)

// Name returns "logreg".
func (m *Model) Name() string { return "logreg" }

// Info returns how the model was trained.
func (m *Model) Info() TrainingInfo { return m.info }

// Features returns the feature configuration the model scores with.
func (m *Model) Features() FeatureConfig { return m.feat.cfg }

// Threshold returns the recommended DSAT operating point stored in the model,
// or 0.5 when the model has none. `dsatmine train` stores the classifier
// threshold at which the miner's combined decision (CVReport.CV.Combined)
// scored best with precision >= MinPrecision under cross-validation;
// dsat.Miner uses it when Config.ClassifierThreshold is 0.
func (m *Model) Threshold() float64 {
	if t, ok := m.thresholds["dsat"]; ok {
		return t
	}
	return 0.5
}

// Veto returns the Rule.Veto stored in the model ("veto" in its
// thresholds), or DefaultVeto when it has none. `dsatmine train` stores the
// veto its cross-validation figures were measured with; dsat.Miner uses it
// when Config.ClassifierVeto is 0.
func (m *Model) Veto() float64 {
	if v, ok := m.thresholds["veto"]; ok {
		return v
	}
	return DefaultVeto
}

// SetThreshold records a recommended operating point for a head ("dsat",
// "sat" or a category name) or the veto ("veto"). It is meant for use right after training,
// before the model is shared.
func (m *Model) SetThreshold(head string, t float64) {
	if m.thresholds == nil {
		m.thresholds = map[string]float64{}
	}
	m.thresholds[head] = t
	m.digest.Store(nil)
}

// Classify scores one follow-up. It implements Classifier. The prediction's
// Categories are joint probabilities P(DSAT and category) (see Scores); its
// Evidence is empty. signals should come from the same heuristic engine the
// model was trained with (nil when it was trained without heuristic features).
func (m *Model) Classify(ctx context.Context, t *heuristics.Turn, signals []heuristics.Signal) (Prediction, error) {
	if err := ctx.Err(); err != nil {
		return Prediction{}, err
	}
	s := m.Predict(t, signals)
	p := Prediction{DSAT: s.DSAT, SAT: s.SAT, Categories: make(map[heuristics.Category]float64, numCategories)}
	for i, c := range heuristics.Categories {
		if m.has[headCat0+i] {
			p.Categories[c] = s.Category[i]
		}
	}
	return p, nil
}

// Predict scores one follow-up without allocating maps.
func (m *Model) Predict(t *heuristics.Turn, signals []heuristics.Signal) Scores {
	sc := scratchPool.Get().(*scratch)
	m.feat.featurize(t, signals, sc)
	var margin [numHeads]float64
	m.margins(sc.idx, sc.val, &margin)
	scratchPool.Put(sc)
	return m.scores(&margin)
}

func (m *Model) margins(idx []uint32, val []float32, out *[numHeads]float64) {
	p := m.packed.Load()
	if p == nil {
		p = packWeights(m.w)
		m.packed.Store(p) // racing builders store equal tables
	}
	// One local per head keeps the sums in registers; each head still sums
	// its terms in feature order.
	var a0, a1, a2, a3, a4, a5, a6, a7 float32
	w := p.w
	for k, i := range idx {
		word := p.nz[i/64]
		bit := uint64(1) << (i % 64)
		if word&bit == 0 {
			// An all-zero row adds v*0 = ±0 to every head, which leaves
			// each sum as it is (a sum that starts at +0 never becomes -0).
			continue
		}
		r := int(p.rank[i/64]) + bits.OnesCount64(word&(bit-1))
		v := val[k]
		row := (*[numHeads]float32)(w[r*numHeads : r*numHeads+numHeads])
		a0 += v * row[0]
		a1 += v * row[1]
		a2 += v * row[2]
		a3 += v * row[3]
		a4 += v * row[4]
		a5 += v * row[5]
		a6 += v * row[6]
		a7 += v * row[7]
	}
	acc := [numHeads]float32{a0, a1, a2, a3, a4, a5, a6, a7}
	for h := range out {
		out[h] = m.bias[h] + float64(acc[h])
	}
}

// margins keeps one sum per head in a local: there must be eight heads.
var (
	_ [numHeads - 8]struct{}
	_ [8 - numHeads]struct{}
)

// packedWeights is a model's weight matrix without its all-zero rows: the
// L1-regularised heads leave most buckets zero in every head, and scoring
// then touches a bitmap that stays in cache instead of a row of the full
// matrix for every feature.
type packedWeights struct {
	nz   []uint64  // bit b set when bucket b has a non-zero weight in some head
	rank []uint32  // rank[i]: number of set bits in nz[:i]
	w    []float32 // the non-zero rows in bucket order, numHeads weights each
}

func packWeights(w []float32) *packedWeights {
	buckets := len(w) / numHeads
	p := &packedWeights{nz: make([]uint64, (buckets+63)/64), rank: make([]uint32, (buckets+63)/64)}
	for b := range buckets {
		row := w[b*numHeads : b*numHeads+numHeads]
		if slices.ContainsFunc(row, func(x float32) bool { return x != 0 }) {
			p.nz[b/64] |= 1 << (b % 64)
			p.w = append(p.w, row...)
		}
	}
	n := uint32(0)
	for i, word := range p.nz {
		p.rank[i] = n
		n += uint32(bits.OnesCount64(word))
	}
	return p
}

func (m *Model) scores(margin *[numHeads]float64) Scores {
	var s Scores
	p := func(h int) float64 {
		if !m.has[h] {
			return 0
		}
		return sigmoid(m.cal[h][0]*margin[h] + m.cal[h][1])
	}
	s.DSAT = p(headDSAT)
	s.SAT = p(headSAT)
	for i := range numCategories {
		s.Given[i] = p(headCat0 + i)
		s.Category[i] = s.DSAT * s.Given[i]
	}
	return s
}

func sigmoid(x float64) float64 {
	if x >= 0 {
		return 1 / (1 + math.Exp(-x))
	}
	e := math.Exp(x)
	return e / (1 + e)
}

// The model file. Heads are stored sparse: the sorted non-zero bucket
// indices and their weights, rounded to 5 significant digits.
type fileModel struct {
	Format     string              `json:"format"`
	Version    int                 `json:"version"`
	HashBits   int                 `json:"hash_bits"`
	Features   fileFeatures        `json:"features"`
	Heads      map[string]fileHead `json:"heads"`
	Thresholds map[string]float64  `json:"thresholds,omitempty"`
	Decision   string              `json:"decision,omitempty"`
	// Table is the out-of-fold operating table: [threshold, precision,
	// recall, tp, fp, fn, tn] rows (models written before the tn column
	// have six).
	Table [][]float64 `json:"operating_table,omitempty"`
	// SourceTable is the out-of-source operating table, rows as Table's.
	SourceTable [][]float64   `json:"source_operating_table,omitempty"`
	Training    *TrainingInfo `json:"training,omitempty"`
}

type fileFeatures struct {
	CharNGramMin int  `json:"char_ngram_min"`
	CharNGramMax int  `json:"char_ngram_max"`
	MaxChars     int  `json:"max_chars"`
	MaxWords     int  `json:"max_words"`
	EdgeWords    int  `json:"edge_words"`
	Heuristic    bool `json:"heuristic"`
	Structure    int  `json:"structure,omitempty"`
}

type fileHead struct {
	// Given names the head this one is conditional on ("dsat" for categories).
	Given string  `json:"given,omitempty"`
	Bias  float64 `json:"bias"`
	// Calibration is Platt scaling [a, b]: p = sigmoid(a*margin + b).
	Calibration [2]float64 `json:"calibration"`
	// Index holds the non-zero buckets, delta-encoded: each entry is the
	// difference from the previous bucket (the first is absolute).
	Index  []uint32  `json:"index_delta"`
	Weight []float64 `json:"weight"`
}

func round5(x float64) float64 {
	v, _ := strconv.ParseFloat(strconv.FormatFloat(x, 'g', 5, 64), 64)
	return v
}

// Save writes the model in the versioned JSON model format.
func (m *Model) Save(w io.Writer) error {
	f := fileModel{
		Format:   FormatName,
		Version:  FormatVersion,
		HashBits: m.feat.cfg.HashBits,
		Features: fileFeatures{
			CharNGramMin: m.feat.cfg.CharNGramMin, CharNGramMax: m.feat.cfg.CharNGramMax,
			MaxChars: m.feat.cfg.MaxChars, MaxWords: m.feat.cfg.MaxWords, EdgeWords: m.feat.cfg.EdgeWords,
			Heuristic: !m.feat.cfg.NoHeuristic, Structure: m.feat.cfg.Structure,
		},
		Heads:      make(map[string]fileHead, numHeads),
		Thresholds: m.thresholds,
		Decision:   m.decision,
	}
	f.Table = tableRows(m.table)
	f.SourceTable = tableRows(m.srcTable)
	if m.info != (TrainingInfo{}) {
		info := m.info
		f.Training = &info
	}
	buckets := len(m.w) / numHeads
	for h := range numHeads {
		if !m.has[h] {
			continue
		}
		fh := fileHead{Bias: round5(m.bias[h]), Calibration: [2]float64{round5(m.cal[h][0]), round5(m.cal[h][1])}}
		if h >= headCat0 {
			fh.Given = "dsat"
		}
		fh.Index = []uint32{}
		fh.Weight = []float64{}
		prev := 0
		for b := range buckets {
			if m.w[b*numHeads+h] == 0 {
				continue // round5 keeps zero (and only zero) zero
			}
			v := round5(float64(m.w[b*numHeads+h]))
			if v == 0 {
				continue
			}
			fh.Index = append(fh.Index, uint32(b-prev))
			fh.Weight = append(fh.Weight, v)
			prev = b
		}
		f.Heads[headName(h)] = fh
	}
	// Map keys are written in sorted order, so output is deterministic.
	data, err := jsonx.Marshal(f)
	if err != nil {
		return err
	}
	data = append(data, '\n')
	_, err = w.Write(data)
	return err
}

// Digest identifies the model's content: the first 12 hex digits of the
// SHA-256 of what Save writes. dsat.Miner records it in the detector
// version of its output and in resume fingerprints, so a run resumed with
// another model file does not mix the two.
//
// The digest is computed once (a model is immutable but for the setters
// meant for use right after training, which clear it).
func (m *Model) Digest() string {
	if d := m.digest.Load(); d != nil {
		return *d
	}
	h := sha256.New()
	if err := m.Save(h); err != nil {
		return "unsaved"
	}
	d := hex.EncodeToString(h.Sum(nil))[:12]
	m.digest.Store(&d)
	return d
}

// Load reads a model written by Save.
func Load(r io.Reader) (*Model, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	var probe struct {
		Format  string `json:"format"`
		Version int    `json:"version"`
	}
	if err := jsonx.Unmarshal(data, &probe); err != nil || probe.Format != FormatName {
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrFormat, err)
		}
		return nil, fmt.Errorf("%w: format %q", ErrFormat, probe.Format)
	}
	if probe.Version != FormatVersion {
		return nil, fmt.Errorf("%w: version %d (this build reads %d)", ErrVersion, probe.Version, FormatVersion)
	}
	var f fileModel
	if err := jsonx.Unmarshal(data, &f); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrFormat, err)
	}
	if f.HashBits < 8 || f.HashBits > 26 {
		return nil, fmt.Errorf("%w: hash_bits %d out of range [8,26]", ErrFormat, f.HashBits)
	}
	cfg := FeatureConfig{
		HashBits: f.HashBits, CharNGramMin: f.Features.CharNGramMin, CharNGramMax: f.Features.CharNGramMax,
		MaxChars: f.Features.MaxChars, MaxWords: f.Features.MaxWords, EdgeWords: f.Features.EdgeWords,
		NoHeuristic: !f.Features.Heuristic, Structure: f.Features.Structure,
	}
	switch f.Decision {
	case "", DecisionCombined, DecisionModel:
	default:
		return nil, fmt.Errorf("%w: unknown decision %q", ErrFormat, f.Decision)
	}
	m := newModel(cfg)
	m.thresholds = f.Thresholds
	m.decision = f.Decision
	if m.table, m.tableTN, err = readTable(f.Table); err != nil {
		return nil, err
	}
	if m.srcTable, _, err = readTable(f.SourceTable); err != nil {
		return nil, err
	}
	if f.Training != nil {
		m.info = *f.Training
	}
	buckets := 1 << f.HashBits
	for h := range numHeads {
		fh, ok := f.Heads[headName(h)]
		if !ok {
			continue
		}
		if len(fh.Index) != len(fh.Weight) {
			return nil, fmt.Errorf("%w: head %s has %d indices and %d weights", ErrFormat, headName(h), len(fh.Index), len(fh.Weight))
		}
		m.has[h] = true
		m.bias[h] = fh.Bias
		m.cal[h] = fh.Calibration
		b := 0
		for k, d := range fh.Index {
			b += int(d)
			if b >= buckets || (k > 0 && d == 0) {
				return nil, fmt.Errorf("%w: head %s: bad bucket index at entry %d", ErrFormat, headName(h), k)
			}
			m.w[b*numHeads+h] = float32(fh.Weight[k])
		}
	}
	if !m.has[headDSAT] {
		return nil, fmt.Errorf("%w: no dsat head", ErrFormat)
	}
	return m, nil
}

func newModel(cfg FeatureConfig) *Model {
	feat := newFeaturizer(cfg)
	m := &Model{feat: feat, w: make([]float32, (1<<feat.cfg.HashBits)*numHeads)}
	for h := range numHeads {
		m.cal[h] = [2]float64{1, 0}
	}
	return m
}

//go:embed models/default.json
var defaultModel []byte

var loadDefault = sync.OnceValues(func() (*Model, error) {
	m, err := Load(bytes.NewReader(defaultModel))
	if err != nil {
		return nil, fmt.Errorf("classifier: embedded default model: %w", err)
	}
	// The file is what Save writes for it (TestDefaultDigestFromFile), so
	// its digest is the file's: no need to re-encode 850 KB to learn it.
	sum := sha256.Sum256(defaultModel)
	d := hex.EncodeToString(sum[:])[:12]
	m.digest.Store(&d)
	return m, nil
})

// Default returns the model embedded in the library (see
// classifier/models/README.md for how it was trained). It is loaded once and
// shared; the returned Model is safe for concurrent use.
func Default() (*Model, error) { return loadDefault() }

// tableRows writes an operating table as the model file's rows:
// [threshold, precision, recall, tp, fp, fn, tn].
func tableRows(t []OperatingPoint) [][]float64 {
	var rows [][]float64
	for _, op := range t {
		rows = append(rows, []float64{op.Threshold, round5(op.Precision), round5(op.Recall), float64(op.TP), float64(op.FP), float64(op.FN), float64(op.TN)})
	}
	return rows
}

// readTable reads an operating table from the model file's rows; withTN is
// false when a row lacks the tn column (files written before it).
func readTable(rows [][]float64) (t []OperatingPoint, withTN bool, err error) {
	withTN = len(rows) > 0
	for _, row := range rows {
		if len(row) != 6 && len(row) != 7 {
			return nil, false, fmt.Errorf("%w: operating table row of %d numbers (want 6 or 7)", ErrFormat, len(row))
		}
		op := OperatingPoint{Threshold: row[0]}
		op.Precision, op.Recall, op.TP, op.FP, op.FN = row[1], row[2], int(row[3]), int(row[4]), int(row[5])
		if len(row) == 7 {
			op.TN = int(row[6])
		} else {
			withTN = false
		}
		if op.Precision+op.Recall > 0 {
			op.F1 = 2 * op.Precision * op.Recall / (op.Precision + op.Recall)
		}
		t = append(t, op)
	}
	return t, withTN, nil
}
