package dsat

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"math"
	"slices"

	"github.com/dsatmine/dsatmine/classifier"
	"github.com/dsatmine/dsatmine/conversation"
	"github.com/dsatmine/dsatmine/heuristics"
)

// Event kinds.
const (
	KindDSAT = "dsat"
	KindSAT  = "sat"
)

// Reasons an event makes no anchor, as counted in Result.Skipped and Stats.Dropped.
const (
	SkipNoRequest      = "no_request"                   // the judged reply has no user request before it
	SkipPushbackPolicy = "pushback_policy"              // pushback-only event, Config.PushbackAnchors off
	SkipDoubtPolicy    = "doubt_policy"                 // doubt-only event, Config.DoubtAnchors off
	SkipBelowMinScore  = "below_min_score"              // anchor score below Config.MinScore
	SkipMaxAnchors     = "max_anchors_per_conversation" // over Config.MaxAnchorsPerConversation
	SkipPromptTooLong  = "prompt_too_long"              // prompt does not fit Tokens.MaxPromptTokens
	SkipTotalTooLong   = "total_too_long"               // prompt plus reply do not fit Tokens.MaxTotalTokens
	SkipNoChosen       = "export_no_chosen"             // pairwise export needs a chosen reply
	// SkipDesirableTooLong counts SAT-confirmed replies (Config.Desirable)
	// whose prompt and reply do not fit the token budget.
	SkipDesirableTooLong = "desirable_too_long"
)

// Miner finds DSAT and SAT events in conversations and builds anchors from
// them. A Miner is safe for concurrent use.
type Miner struct {
	cfg       Config
	engine    *heuristics.Engine
	detectors []heuristics.Detector
	clf       classifier.Classifier
	// clfRule is the effective combination rule (see Config.ClassifierThreshold
	// and Config.ClassifierVeto).
	clfRule classifier.Rule
	// judge is Config.Judge; judgeBand the effective judge band over the
	// classifier's DSAT probability.
	judge     classifier.Classifier
	judgeBand Band
	tokens    *tokenCounter
	version   string
}

// judgeRule is how a judge verdict decides a follow-up inside the judge
// band: a DSAT probability of 0.5 or more makes it DSAT, anything less
// clears the heuristic scores.
var judgeRule = classifier.Rule{Threshold: 0.5, Decide: true}

// NewMiner returns a miner for cfg. It returns an error wrapping ErrConfig
// when cfg is invalid, and loads the token encoding when cfg.Tokens is set.
func NewMiner(cfg Config) (*Miner, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	m := &Miner{
		cfg:       cfg,
		engine:    cfg.Engine,
		detectors: slices.Clone(cfg.Detectors),
		clf:       cfg.Classifier,
	}
	m.cfg.Thresholds = make(map[heuristics.Category]float64, len(heuristics.Categories))
	for _, c := range heuristics.Categories {
		m.cfg.Thresholds[c] = cfg.threshold(c)
	}
	if m.engine == nil {
		m.engine = heuristics.Default()
	}
	m.version = m.engine.Name() + "/" + m.engine.Version()
	if (cfg.TargetPrecision > 0 || cfg.Judge != nil) && m.clf == nil {
		d, err := classifier.Default()
		if err != nil {
			return nil, fmt.Errorf("%w: default classifier: %v", ErrConfig, err)
		}
		m.clf = d
	}
	if m.clf != nil {
		m.version += "+" + m.clf.Name()
		if d, ok := m.clf.(interface{ Digest() string }); ok {
			m.version += "@" + d.Digest()
		}
		m.clfRule = classifier.Rule{Threshold: cfg.ClassifierThreshold, Veto: cfg.ClassifierVeto}
		if m.clfRule.Threshold == 0 {
			m.clfRule.Threshold = 0.5
			if tc, ok := m.clf.(interface{ Threshold() float64 }); ok {
				m.clfRule.Threshold = tc.Threshold()
			}
		}
		switch {
		case m.clfRule.Veto == 0:
			m.clfRule.Veto = classifier.DefaultVeto
			if vc, ok := m.clf.(interface{ Veto() float64 }); ok {
				m.clfRule.Veto = vc.Veto()
			}
		case m.clfRule.Veto < 0:
			m.clfRule.Veto = 0
		}
		if dm, ok := m.clf.(interface{ Decision() string }); ok && dm.Decision() == classifier.DecisionModel {
			m.clfRule.Decide = true
		}
		if p := cfg.TargetPrecision; p > 0 {
			tf, ok := m.clf.(interface {
				ThresholdFor(float64) (classifier.OperatingPoint, error)
			})
			if !ok {
				return nil, fmt.Errorf("%w: target precision %.2f: classifier %s has no operating table", ErrConfig, p, m.clf.Name())
			}
			op, err := tf.ThresholdFor(p)
			if err != nil {
				return nil, fmt.Errorf("%w: target precision %.2f: %w", ErrConfig, p, err)
			}
			m.clfRule.Threshold, m.clfRule.Decide = op.Threshold, true
		}
		m.cfg.ClassifierThreshold = m.clfRule.Threshold
		m.cfg.ClassifierVeto = m.clfRule.Veto
		if m.clfRule.Veto == 0 {
			m.cfg.ClassifierVeto = -1
		}
	}
	if cfg.Judge != nil {
		if err := m.setJudge(cfg); err != nil {
			return nil, err
		}
	}
	if cfg.Tokens != nil {
		tc, err := newTokenCounter(*cfg.Tokens)
		if err != nil {
			return nil, err
		}
		m.tokens = tc
	}
	return m, nil
}

// setJudge resolves the judge band (Config.JudgeBand, or JudgeShare from
// the classifier's operating table).
func (m *Miner) setJudge(cfg Config) error {
	m.judge = cfg.Judge
	m.version += "+judge:" + m.judge.Name()
	if b := cfg.JudgeBand; b != nil {
		m.judgeBand = *b
	} else {
		share := cfg.JudgeShare
		if share == 0 {
			share = DefaultJudgeShare
		}
		ub, ok := m.clf.(interface {
			UncertainBand(center, share float64) (classifier.UncertainBand, error)
		})
		if !ok {
			return fmt.Errorf("%w: judge share %.2f: classifier %s has no operating table; give a judge band", ErrConfig, share, m.clf.Name())
		}
		b, err := ub.UncertainBand(m.clfRule.Threshold, share)
		if err != nil {
			return fmt.Errorf("%w: judge share %.2f: %w", ErrConfig, share, err)
		}
		m.judgeBand = Band{Low: b.Low, High: b.High}
		m.cfg.JudgeShare = share
	}
	band := m.judgeBand
	m.cfg.JudgeBand = &band
	return nil
}

// JudgeBand returns the effective judge band over the classifier's DSAT
// probability (ok false when no judge is configured).
func (m *Miner) JudgeBand() (Band, bool) { return m.judgeBand, m.judge != nil }

// NewStats returns empty run statistics for this miner: like the package
// NewStats, plus the classifier section when a classifier is configured.
func (m *Miner) NewStats() *Stats {
	st := NewStats()
	if m.clf != nil {
		st.Classifier = &ClassifierStats{Name: m.clf.Name()}
		if b := m.cfg.Cascade; b != nil {
			band := *b
			st.Classifier.Band = &band
		}
		if m.judge != nil {
			band := m.judgeBand
			st.Classifier.Judge = m.judge.Name()
			st.Classifier.JudgeBand = &band
		}
	}
	return st
}

// Config returns a copy of the miner's effective configuration.
func (m *Miner) Config() Config {
	cfg := m.cfg
	cfg.Thresholds = maps.Clone(m.cfg.Thresholds)
	cfg.Detectors = slices.Clone(m.cfg.Detectors)
	return cfg
}

// Result is what the miner found in one conversation.
type Result struct {
	Conversation *conversation.Conversation
	// FollowUps scores every follow-up of the conversation, in order,
	// whether or not it produced an event.
	FollowUps []FollowUpScore
	// Events lists DSAT and SAT events in follow-up order.
	Events []Event
	// Anchors lists the anchors built from DSAT events, in turn order.
	Anchors []Anchor
	// Desirable lists, when Config.Desirable is set, one record per SAT
	// event: the prompt of the reply the user was satisfied with and that
	// reply as Chosen (Rejected is empty). The kto export writes them as
	// label-true rows; the other exports ignore them.
	Desirable []Anchor
	// Skipped counts DSAT events that made no anchor, by reason (Skip*).
	Skipped map[string]int
	// Pairing counts the satisfied later replies found for anchors: attached
	// as chosen by reason (PairRestated, PairReasked, PairRefined,
	// PairDRIFT) or left out by the pairing rule (PairDropped*).
	Pairing map[string]int
	// Classifier counts what the classifier stage did with the follow-ups
	// (all zero without a classifier).
	Classifier ClassifierCounts
}

// ClassifierCounts tallies the classifier stage of a conversation or a run.
type ClassifierCounts struct {
	// Scored follow-ups got a classifier verdict; OutsideBand ones were kept
	// at the heuristic verdict by the cascade.
	Scored      int64 `json:"scored"`
	OutsideBand int64 `json:"outside_band"`
	// Raised counts scored follow-ups the classifier made DSAT although no
	// heuristic category score reached its threshold; Vetoed those whose
	// heuristic DSAT verdict the classifier's veto removed
	// (classifier.Rule). Both are included in Scored. For a follow-up the
	// judge decided, they compare the judge's decision with the heuristics'.
	Raised int64 `json:"raised"`
	Vetoed int64 `json:"vetoed"`
	// Errors counts follow-ups whose Classify call failed, by reason
	// (classifier.ErrorReason); their heuristic verdict was kept.
	Errors map[string]int64 `json:"errors,omitempty"`
	// Judged counts follow-ups sent to the judge (Config.Judge): scored
	// follow-ups whose DSAT probability lay in the judge band. Of those,
	// JudgeChanged got a judge verdict other than the classifier's, and
	// JudgeErrors failed, by reason, and kept the classifier's verdict.
	Judged       int64            `json:"judged,omitempty"`
	JudgeChanged int64            `json:"judge_changed,omitempty"`
	JudgeErrors  map[string]int64 `json:"judge_errors,omitempty"`
}

func (c *ClassifierCounts) add(o ClassifierCounts) {
	c.Scored += o.Scored
	c.OutsideBand += o.OutsideBand
	c.Raised += o.Raised
	c.Vetoed += o.Vetoed
	c.Errors = addCounts(c.Errors, o.Errors)
	c.Judged += o.Judged
	c.JudgeChanged += o.JudgeChanged
	c.JudgeErrors = addCounts(c.JudgeErrors, o.JudgeErrors)
}

func (c *ClassifierCounts) count(ta *turnAnalysis) {
	switch ta.classifier {
	case clfScored:
		c.Scored++
	case clfRaised:
		c.Scored++
		c.Raised++
	case clfVetoed:
		c.Scored++
		c.Vetoed++
	case clfOutsideBand:
		c.OutsideBand++
	case clfFailed:
		if c.Errors == nil {
			c.Errors = map[string]int64{}
		}
		c.Errors[ta.clfErr]++
	}
	switch ta.judge {
	case judgeAgreed:
		c.Judged++
	case judgeChanged:
		c.Judged++
		c.JudgeChanged++
	case judgeFailed:
		c.Judged++
		if c.JudgeErrors == nil {
			c.JudgeErrors = map[string]int64{}
		}
		c.JudgeErrors[ta.judgeErr]++
	}
}

// FollowUpScore is the combined score of one follow-up, before thresholds.
type FollowUpScore struct {
	// FollowUp indexes Conversation.Messages; Turn is the original index.
	FollowUp int
	Turn     int
	// DSAT is the highest category score; SAT the combined SAT score.
	DSAT, SAT float64
	// Categories holds every category score above zero.
	Categories map[heuristics.Category]float64
	// Kind is KindDSAT, KindSAT or "" (neither) after thresholds.
	Kind string
}

// turnAnalysis is what the miner needs from detectors for one follow-up.
type turnAnalysis struct {
	signals    []heuristics.Signal
	scores     map[heuristics.Category]float64
	sat        float64
	classifier clfOutcome
	clfErr     string // reason key when classifier == clfFailed
	judge      judgeOutcome
	judgeErr   string // reason key when judge == judgeFailed
}

// judgeOutcome says what happened to a follow-up at the judge stage.
type judgeOutcome uint8

const (
	judgeNone    judgeOutcome = iota // not sent to the judge
	judgeAgreed                      // the judge's decision is the classifier's
	judgeChanged                     // the judge's decision replaced a different classifier decision
	judgeFailed                      // the judge returned an error; classifier verdict kept
)

// clfOutcome says what happened to a follow-up at the classifier stage.
type clfOutcome uint8

const (
	clfNone        clfOutcome = iota // no classifier configured
	clfScored                        // the classifier gave a verdict
	clfRaised                        // scored, and the classifier made the follow-up DSAT
	clfVetoed                        // scored, and the classifier's veto removed a heuristic DSAT verdict
	clfOutsideBand                   // the cascade kept the heuristic verdict
	clfFailed                        // the classifier returned an error; heuristic verdict kept
)

// analyze runs the engine, the extra detectors and the classifier on t.
func (m *Miner) analyze(ctx context.Context, t *heuristics.Turn) (turnAnalysis, error) {
	a := m.engine.Verdict(t)
	ta := turnAnalysis{signals: a.Signals, scores: a.Scores, sat: a.SAT}
	recombine := false
	if len(m.detectors) > 0 {
		ta.signals = slices.Clip(ta.signals)
		for _, d := range m.detectors {
			ta.signals = d.Detect(t, ta.signals)
		}
		recombine = len(ta.signals) > len(a.Signals)
	}
	if slices.ContainsFunc(ta.signals, heuristics.IsExtension) {
		// The engine's scores leave extensions out; custom detectors may not.
		if !m.cfg.CountExtensions {
			ta.signals = slices.DeleteFunc(slices.Clone(ta.signals), heuristics.IsExtension)
		}
		recombine = true
	}
	if recombine {
		ta.scores, ta.sat = heuristics.Combine(ta.signals)
	}
	if m.clf != nil {
		if b := m.cfg.Cascade; b != nil && !b.Contains(maxScore(ta.scores)) {
			ta.classifier = clfOutsideBand
			return ta, nil
		}
		p, err := m.clf.Classify(ctx, t, ta.signals)
		switch {
		case err != nil && ctx.Err() != nil:
			return ta, ctx.Err()
		case err != nil:
			// No verdict for this turn: keep the heuristic one and count why.
			ta.classifier = clfFailed
			ta.clfErr = classifier.ErrorReason(err)
			return ta, nil
		}
		ta.classifier = clfScored
		model := m.combineClassifier(ta, p, m.clfRule, m.clf.Name())
		if m.judge == nil || !m.judgeBand.Contains(p.DSAT) {
			return model, nil
		}
		jp, err := m.judge.Classify(ctx, t, ta.signals)
		switch {
		case err != nil && ctx.Err() != nil:
			return ta, ctx.Err()
		case err != nil:
			model.judge = judgeFailed
			model.judgeErr = classifier.ErrorReason(err)
			return model, nil
		}
		if len(jp.Categories) == 0 && jp.DSAT >= judgeRule.Threshold {
			// A DSAT verdict without categories: name the classifier's.
			jp.Categories = p.Categories
		}
		judged := m.combineClassifier(ta, jp, judgeRule, m.judge.Name())
		judged.judge = judgeAgreed
		if m.isDSAT(judged.scores) != m.isDSAT(model.scores) {
			judged.judge = judgeChanged
		}
		return judged, nil
	}
	return ta, nil
}

// isDSAT reports whether some category score reaches its threshold.
func (m *Miner) isDSAT(scores map[heuristics.Category]float64) bool {
	for c, s := range scores {
		if s > 0 && s >= m.cfg.Thresholds[c] {
			return true
		}
	}
	return false
}

// maxScore returns the highest category score (0 for none).
func maxScore(scores map[heuristics.Category]float64) float64 {
	best := 0.0
	for _, s := range scores {
		best = math.Max(best, s)
	}
	return best
}

// combineClassifier merges a classifier prediction into heuristic scores
// with classifier.Rule.Combine (the rule cross-validation scores too), and
// records whether that changed the DSAT decision.
//
// A follow-up the heuristics read as pushback against a refusal stays
// pushback: the classifier (or judge) may raise only that category there,
// never turn it into a complaint or correction, so Config.PushbackAnchors
// alone decides whether a refusal becomes a rejected reply.
func (m *Miner) combineClassifier(ta turnAnalysis, p classifier.Prediction, rule classifier.Rule, name string) turnAnalysis {
	if pb := ta.scores[heuristics.Pushback]; pb > 0 && pb >= m.cfg.Thresholds[heuristics.Pushback] {
		p.Categories = map[heuristics.Category]float64{heuristics.Pushback: p.Categories[heuristics.Pushback]}
	}
	c := rule.Combine(ta.scores, ta.sat, p)
	scores, sat := c.Scores, c.SAT
	before, after := m.isDSAT(ta.scores), m.isDSAT(scores)
	switch {
	case after && !before:
		ta.classifier = clfRaised
	case before && !after:
		ta.classifier = clfVetoed
	}
	ta.signals = slices.Clip(ta.signals)
	for _, c := range c.Raised {
		ta.signals = append(ta.signals, heuristics.Signal{
			Polarity: heuristics.DSAT, Category: c, Score: scores[c],
			Evidence: p.Evidence, Detector: name, Cue: "classifier",
		})
	}
	if p.SAT > ta.sat {
		ta.signals = append(ta.signals, heuristics.Signal{
			Polarity: heuristics.SAT, Score: p.SAT, Evidence: p.Evidence, Detector: name, Cue: "classifier",
		})
	}
	ta.scores, ta.sat = scores, sat
	return ta
}

// Mine finds the events in c and builds its anchors. It does not deduplicate
// across conversations (Run does). Mine is pure: the same conversation and
// configuration always give the same Result.
func (m *Miner) Mine(ctx context.Context, c *conversation.Conversation) (*Result, error) {
	res := &Result{Conversation: c}
	dsatAt := map[int]bool{}
	satAt := map[int]bool{}
	for _, i := range c.FollowUps() {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		// A user reply to a leading assistant message (a greeting, or a
		// dump that starts mid-conversation) is judged too, but its events
		// make no anchor: there is no request to put in the prompt.
		t := heuristics.NewTurn(c, i)
		ta, err := m.analyze(ctx, t)
		if err != nil {
			return nil, err
		}
		res.Classifier.count(&ta)
		fs := FollowUpScore{FollowUp: i, Turn: c.Messages[i].Index, SAT: ta.sat}
		var cats []heuristics.Category
		for _, cat := range heuristics.Categories {
			s := ta.scores[cat]
			if s <= 0 {
				continue
			}
			if fs.Categories == nil {
				fs.Categories = map[heuristics.Category]float64{}
			}
			fs.Categories[cat] = s
			fs.DSAT = max(fs.DSAT, s)
			if s >= m.cfg.Thresholds[cat] {
				cats = append(cats, cat)
			}
		}
		switch {
		case len(cats) > 0:
			fs.Kind = KindDSAT
			dsatAt[i] = true
			res.Events = append(res.Events, m.event(t, KindDSAT, cats, fs, ta.signals))
		case ta.sat >= m.cfg.SATThreshold && ta.sat > 0:
			fs.Kind = KindSAT
			satAt[i] = true
			res.Events = append(res.Events, m.event(t, KindSAT, nil, fs, ta.signals))
		}
		res.FollowUps = append(res.FollowUps, fs)
	}
	m.buildAnchors(res, dsatAt, satAt)
	if m.cfg.Desirable {
		m.buildDesirable(res)
	}
	return res, nil
}

// event builds the event for a follow-up.
func (m *Miner) event(t *heuristics.Turn, kind string, cats []heuristics.Category, fs FollowUpScore, sigs []heuristics.Signal) Event {
	c := t.Conv
	e := Event{
		ConversationID:  c.ID,
		Source:          c.Source,
		Model:           c.Model,
		Language:        c.Language,
		Kind:            kind,
		FollowUp:        t.FollowUp,
		Reply:           t.Reply,
		Request:         t.Request,
		Turn:            c.Messages[t.FollowUp].Index,
		Categories:      cats,
		DetectorVersion: m.version,
	}
	fired := map[heuristics.Category]bool{}
	for _, cat := range cats {
		fired[cat] = true
	}
	if kind == KindDSAT {
		for _, cat := range cats {
			e.Score = max(e.Score, fs.Categories[cat])
		}
		e.CategoryScores = make(map[heuristics.Category]float64, len(fs.Categories))
		for cat, s := range fs.Categories {
			e.CategoryScores[cat] = round4(s)
		}
	} else {
		e.Score = fs.SAT
	}
	e.Score = round4(e.Score)
	detectors := map[string]bool{}
	for _, s := range sigs {
		if kind == KindDSAT && (s.Polarity != heuristics.DSAT || !fired[s.Category]) {
			continue
		}
		if kind == KindSAT && s.Polarity != heuristics.SAT {
			continue
		}
		detectors[s.Detector] = true
		for _, sp := range s.Evidence {
			e.Evidence = append(e.Evidence, Evidence{
				Start: sp.Start, End: sp.End, Text: sp.Text,
				Category: string(s.Category), Detector: s.Detector, Cue: s.Cue,
			})
		}
	}
	e.Evidence = sortEvidence(e.Evidence)
	switch len(detectors) {
	case 0:
		e.Detector = m.engine.Name()
	case 1:
		for d := range detectors {
			e.Detector = d
		}
	default:
		e.Detector = "combined"
	}
	return e
}

// sortEvidence orders evidence by position and drops exact repeats.
func sortEvidence(ev []Evidence) []Evidence {
	slices.SortFunc(ev, func(a, b Evidence) int {
		return cmp.Or(cmp.Compare(a.Start, b.Start), cmp.Compare(a.End, b.End),
			cmp.Compare(a.Category, b.Category), cmp.Compare(a.Detector, b.Detector), cmp.Compare(a.Cue, b.Cue))
	})
	return slices.Compact(ev)
}

func round4(f float64) float64 { return math.Round(f*1e4) / 1e4 }
