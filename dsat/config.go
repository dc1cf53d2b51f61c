package dsat

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/dsatmine/dsatmine/classifier"
	"github.com/dsatmine/dsatmine/heuristics"
)

// ErrConfig is returned (wrapped) by NewMiner when a Config is invalid.
var ErrConfig = errors.New("dsat: invalid config")

// ExtensionCue is the prefix of Signal.Cue by which a detector marks a
// refinement signal that only extends an acceptable answer ("also add …").
// Such signals are ignored unless Config.CountExtensions is set.
const ExtensionCue = heuristics.ExtensionCue

// Config controls what the miner counts as dissatisfaction and which events
// become anchors. The zero Config is not useful; start from DefaultConfig.
type Config struct {
	// Thresholds is the per-category score threshold. A follow-up is DSAT when
	// at least one category's combined score reaches its threshold. Missing
	// categories use 0.5.
	Thresholds map[heuristics.Category]float64
	// DoubtAnchors makes events whose only anchor-worthy category is doubt
	// produce anchors, with their score multiplied by DoubtWeight.
	DoubtAnchors bool
	// DoubtWeight scales the anchor score of doubt-only events (0 < w ≤ 1).
	DoubtWeight float64
	// PushbackAnchors makes pushback-only events produce anchors. It is off by
	// default: rejecting a correct refusal teaches a model to stop refusing.
	PushbackAnchors bool
	// CountExtensions counts refinement signals marked as mere extensions of
	// a good answer (see ExtensionCue). Off by default.
	CountExtensions bool
	// SATThreshold is the SAT score at which a non-DSAT follow-up is SAT.
	SATThreshold float64
	// MinScore is the global operating point for anchors: an anchor whose
	// score is below it is not written. 0 keeps every anchor of an event that
	// passed the per-category thresholds.
	MinScore float64
	// MaxAnchorsPerConversation caps anchors per conversation, keeping the
	// highest-scoring ones (earlier turns win ties). 0 means unlimited.
	MaxAnchorsPerConversation int
	// Detectors are extra detectors whose signals are combined (noisy-OR)
	// with the engine's.
	Detectors []heuristics.Detector
	// Engine is the heuristic engine; nil means heuristics.Default().
	Engine *heuristics.Engine
	// Classifier optionally adds a learned score, merged with the heuristic
	// scores by classifier.Rule: when its DSAT probability reaches
	// ClassifierThreshold the follow-up's most likely category reaches its
	// threshold (classifier.CategoryScore); when it falls below
	// ClassifierVeto the heuristic scores are lowered in proportion; the SAT
	// score becomes the maximum of both SAT scores. Follow-ups the cascade
	// keeps outside its band are neither raised nor vetoed. nil means
	// heuristics only.
	Classifier classifier.Classifier
	// ClassifierThreshold gates the classifier's category probabilities.
	// 0 (the default) means the classifier's own recommended operating
	// point when it has one (a Threshold() float64 method, such as
	// classifier.Model's, chosen by cross-validation), else 0.5.
	ClassifierThreshold float64
	// ClassifierVeto is the classifier DSAT probability below which heuristic
	// scores are lowered (classifier.Rule.Veto). 0 (the default) means the
	// classifier's own value when it has one (a Veto() float64 method, such
	// as classifier.Model's), else classifier.DefaultVeto; a negative value
	// turns the veto off.
	ClassifierVeto float64
	// TargetPrecision, when above 0, lets the classifier decide at the
	// lowest threshold whose measured precision, in the table stored with
	// the model (classifier.Model.ThresholdFor: out of source when the model
	// has that table, else out of fold), is at least
	// TargetPrecision. A nil Classifier then means the embedded default
	// model. It cannot be combined with ClassifierThreshold, and NewMiner
	// fails (ErrConfig) when the classifier has no such table or no
	// threshold reaches the target.
	TargetPrecision float64
	// Cascade, when set, sends to the classifier only the follow-ups whose
	// heuristic DSAT score lies in the uncertain band [Low, High); the others
	// keep the heuristic verdict. nil means the classifier scores every
	// follow-up. The band and how many follow-ups fell inside and outside it
	// are reported in Stats.Classifier. It bounds the cost of an in-process
	// classifier; to limit LLM-judge calls use Judge with JudgeShare or
	// JudgeBand, which gate on the calibrated model instead (most
	// dissatisfied follow-ups carry no heuristic signal, so a heuristic band
	// either sends nearly everything or misses them).
	Cascade *Band
	// Judge, when set, is a costlier second opinion (an LLM judge such as
	// classifier/llmjudge's) asked only where the calibrated model is
	// unsure: the chain is heuristics, then Classifier (a nil Classifier
	// means the embedded default model), then Judge for the follow-ups
	// whose calibrated DSAT probability lies in the judge band around the
	// classifier's decision threshold. There the judge decides (a DSAT
	// probability of 0.5 or more makes the follow-up DSAT, anything less
	// clears it); elsewhere the classifier's verdict stands, and when the
	// judge fails (budget spent, malformed or unverifiable verdict, HTTP
	// error) the follow-up keeps the classifier's verdict too. The judge
	// must be safe for concurrent use: Run's workers call it at once.
	// Follow-ups that Cascade keeps from the classifier never reach the
	// judge.
	Judge classifier.Classifier
	// JudgeBand sets the judge band explicitly, as calibrated DSAT
	// probabilities [Low, High). It and JudgeShare are alternatives.
	JudgeBand *Band
	// JudgeShare sets the judge band by the share of follow-ups it may
	// hold (0 < share <= 1): the band around the decision threshold in
	// which the classifier's out-of-fold operating table puts at most that
	// share of follow-ups, grown towards where the classifier errs most
	// (classifier.Model.UncertainBand). The share is an estimate from the
	// training data; Stats.Classifier reports how many follow-ups were
	// actually sent. 0 with a nil JudgeBand means DefaultJudgeShare.
	JudgeShare float64
	// Tokens optionally limits prompt and total token counts.
	Tokens *TokenBudget
	// Dedup drops anchors whose normalised prompt and rejected reply were
	// already written in the same run.
	Dedup bool
	// DRIFTPairing attaches as chosen the first satisfied reply after any
	// chain of DSAT follow-ups, as DRIFT's seed pairs do. Off by default:
	// a chosen reply is attached only when it answers the anchor's prompt as
	// given (see PairRestated and the pairing rule).
	DRIFTPairing bool
	// Desirable makes the miner collect SAT-confirmed replies in
	// Result.Desirable (written as label-true rows of the kto export).
	Desirable bool
	// Workers is the number of goroutines that mine conversations in Run;
	// 0 means runtime.NumCPU(). Run's output does not depend on it.
	Workers int
}

// Band is a half-open score interval [Low, High).
type Band struct {
	Low  float64 `json:"low"`
	High float64 `json:"high"`
}

// Contains reports whether Low <= x < High.
func (b Band) Contains(x float64) bool { return x >= b.Low && x < b.High }

// ParseBand parses a cascade band written "LOW:HIGH" (0 <= LOW < HIGH <= 1),
// or "default" for DefaultCascade. Errors wrap ErrConfig.
func ParseBand(v string) (Band, error) {
	if v == "default" {
		return DefaultCascade, nil
	}
	if b, ok := parseInterval(v); ok {
		return b, nil
	}
	return Band{}, fmt.Errorf("%w: cascade band %q: want LOW:HIGH with 0 <= LOW < HIGH <= 1, or \"default\"", ErrConfig, v)
}

// parseInterval reads "LOW:HIGH" with 0 <= LOW < HIGH <= 1, the form
// ParseBand and ParseJudgeBand share.
func parseInterval(v string) (Band, bool) {
	lo, hi, ok := strings.Cut(v, ":")
	if !ok {
		return Band{}, false
	}
	l, err1 := strconv.ParseFloat(lo, 64)
	h, err2 := strconv.ParseFloat(hi, 64)
	if err1 == nil && err2 == nil && l >= 0 && h <= 1 && l < h { // NaN fails every comparison
		return Band{Low: l, High: h}, true
	}
	return Band{}, false
}

// DefaultCascade is the uncertain band used when a cascade is asked for
// without bounds: follow-ups the heuristics already score at 0.8 or more keep
// the heuristic verdict, everything below goes to the classifier.
// It bounds the cost of an in-process classifier. It is not a gate for an
// LLM judge: there it saved nothing (most follow-ups score 0, inside the
// band); give Config.Judge instead, whose default gate is
// DefaultJudgeShare.
var DefaultCascade = Band{Low: 0, High: 0.8}

// DefaultJudgeShare is the judge share used when Config.Judge is set
// without JudgeBand or JudgeShare: the judge sees the follow-ups of the
// band around the classifier's decision threshold that holds 32% of the
// follow-ups of the model's out-of-fold operating table. On development
// sources left out of training the judge saw 34% and 38% of follow-ups
// with it (README: "The judge only where it pays"); the share is an
// estimate, not a cap.
const DefaultJudgeShare = 0.32

// ParseJudgeBand parses a judge band written "LOW:HIGH" of calibrated DSAT
// probabilities (0 <= LOW < HIGH <= 1; HIGH 1 includes probability 1).
// Errors wrap ErrConfig.
func ParseJudgeBand(v string) (Band, error) {
	if b, ok := parseInterval(v); ok {
		if b.High == 1 {
			b.High = math.Nextafter(1, 2)
		}
		return b, nil
	}
	return Band{}, fmt.Errorf("%w: judge band %q: want LOW:HIGH with 0 <= LOW < HIGH <= 1", ErrConfig, v)
}

// DefaultConfig returns the defaults docs/taxonomy.md describes: every category threshold
// 0.5 except preference at DefaultPreferenceThreshold, doubt anchors off
// (weight 0.6 when turned on), pushback anchors off, extensions not counted,
// SAT threshold 0.5, dedup on, and the classifier's own recommended
// threshold.
func DefaultConfig() Config {
	th := make(map[heuristics.Category]float64, len(heuristics.Categories))
	for _, c := range heuristics.Categories {
		th[c] = 0.5
	}
	th[heuristics.Preference] = DefaultPreferenceThreshold
	return Config{
		Thresholds:   th,
		DoubtAnchors: false,
		DoubtWeight:  0.6,
		SATThreshold: 0.5,
		Dedup:        true,
	}
}

// DefaultPreferenceThreshold is the default score threshold of the
// preference category. Preference cues ("make it more …", "in more
// detail") are the ones a next step on an accepted answer shares most
// often, so a preference verdict needs more evidence than the others: out
// of source, 0.6 instead of 0.5 raised DSAT precision on each of the three
// real development sources (pooled 0.740 to 0.782) for 0.018 of recall
// (README, "Measured quality").
const DefaultPreferenceThreshold = 0.6

// SetThreshold sets every category threshold to t.
func (c *Config) SetThreshold(t float64) {
	c.Thresholds = make(map[heuristics.Category]float64, len(heuristics.Categories))
	for _, cat := range heuristics.Categories {
		c.Thresholds[cat] = t
	}
}

func (c *Config) validate() error {
	for cat, t := range c.Thresholds {
		if t < 0 || t > 1 {
			return fmt.Errorf("%w: threshold %v for %s outside [0,1]", ErrConfig, t, cat)
		}
	}
	if c.TargetPrecision < 0 || c.TargetPrecision >= 1 {
		return fmt.Errorf("%w: target precision %v outside [0,1)", ErrConfig, c.TargetPrecision)
	}
	if c.TargetPrecision > 0 && c.ClassifierThreshold > 0 {
		return fmt.Errorf("%w: a target precision and a classifier threshold are alternatives; give one", ErrConfig)
	}
	if c.DoubtAnchors && (c.DoubtWeight <= 0 || c.DoubtWeight > 1) {
		return fmt.Errorf("%w: doubt weight %v outside (0,1]", ErrConfig, c.DoubtWeight)
	}
	if c.SATThreshold < 0 || c.SATThreshold > 1 {
		return fmt.Errorf("%w: SAT threshold %v outside [0,1]", ErrConfig, c.SATThreshold)
	}
	if c.ClassifierThreshold < 0 || c.ClassifierThreshold > 1 {
		return fmt.Errorf("%w: classifier threshold %v outside [0,1]", ErrConfig, c.ClassifierThreshold)
	}
	if c.ClassifierVeto > 1 || math.IsNaN(c.ClassifierVeto) {
		return fmt.Errorf("%w: classifier veto %v above 1", ErrConfig, c.ClassifierVeto)
	}
	if b := c.Cascade; b != nil && (b.Low < 0 || b.High > 1.0000001 || b.Low >= b.High) {
		return fmt.Errorf("%w: cascade band [%v, %v) is not a non-empty interval in [0,1]", ErrConfig, b.Low, b.High)
	}
	if b := c.JudgeBand; b != nil && (b.Low < 0 || b.High > 1.0000001 || b.Low >= b.High) {
		return fmt.Errorf("%w: judge band [%v, %v) is not a non-empty interval in [0,1]", ErrConfig, b.Low, b.High)
	}
	if c.JudgeShare < 0 || c.JudgeShare > 1 || math.IsNaN(c.JudgeShare) {
		return fmt.Errorf("%w: judge share %v outside (0,1]", ErrConfig, c.JudgeShare)
	}
	if c.JudgeBand != nil && c.JudgeShare > 0 {
		return fmt.Errorf("%w: a judge band and a judge share are alternatives; give one", ErrConfig)
	}
	if c.Judge == nil && (c.JudgeBand != nil || c.JudgeShare > 0) {
		return fmt.Errorf("%w: a judge band or share needs a judge", ErrConfig)
	}
	if c.MinScore < 0 || c.MinScore > 1 {
		return fmt.Errorf("%w: min score %v outside [0,1]", ErrConfig, c.MinScore)
	}
	if c.Workers < 0 {
		return fmt.Errorf("%w: negative number of workers", ErrConfig)
	}
	if c.MaxAnchorsPerConversation < 0 {
		return fmt.Errorf("%w: negative max anchors per conversation", ErrConfig)
	}
	for i, d := range c.Detectors {
		if d == nil {
			return fmt.Errorf("%w: detector %d is nil", ErrConfig, i)
		}
	}
	if c.Tokens != nil {
		if err := c.Tokens.validate(); err != nil {
			return err
		}
	}
	return nil
}

func (c *Config) threshold(cat heuristics.Category) float64 {
	if t, ok := c.Thresholds[cat]; ok {
		return t
	}
	return 0.5
}
