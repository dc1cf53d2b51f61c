package dsat

import (
	"bytes"
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dsatmine/dsatmine/classifier"
	"github.com/dsatmine/dsatmine/heuristics"
)

// thresholdClassifier is a fakeClassifier with a recommended operating point.
type thresholdClassifier struct {
	fakeClassifier
	t float64
}

func (c thresholdClassifier) Threshold() float64 { return c.t }

func TestClassifierThresholdDefaultsToModelOperatingPoint(t *testing.T) {
	ctx := context.Background()
	c := conv("c", "user", "q", "assistant", "a", "user", "x")
	p := classifier.Prediction{DSAT: 0.4, Categories: map[heuristics.Category]float64{heuristics.Complaint: 0.4}}
	mine := func(clf classifier.Classifier, th float64) (*Miner, *Result) {
		m := newTestMiner(t, func(cfg *Config) { cfg.Classifier = clf; cfg.ClassifierThreshold = th })
		res, err := m.Mine(ctx, c)
		require.NoError(t, err)
		return m, res
	}
	m, res := mine(thresholdClassifier{fakeClassifier{p: p}, 0.3}, 0)
	assert.Equal(t, 0.3, m.Config().ClassifierThreshold, "the model's stored operating point")
	require.Len(t, res.Events, 1, "0.4 clears the model's 0.3")
	assert.InDelta(t, classifier.CategoryScore(0.4, 1, 0.3), res.Events[0].Score, 1e-4)

	m, res = mine(fakeClassifier{p: p}, 0)
	assert.Equal(t, 0.5, m.Config().ClassifierThreshold, "0.5 for a classifier without one")
	assert.Empty(t, res.Events)

	m, res = mine(thresholdClassifier{fakeClassifier{p: p}, 0.3}, 0.45)
	assert.Equal(t, 0.45, m.Config().ClassifierThreshold, "an explicit threshold wins")
	assert.Empty(t, res.Events)
}

// vetoClassifier is a fakeClassifier with a stored veto.
type vetoClassifier struct {
	fakeClassifier
	v float64
}

func (c vetoClassifier) Veto() float64 { return c.v }

// The classifier's veto removes a heuristic DSAT verdict it is confident
// about, a confident DSAT adds one, and both are counted.
func TestClassifierVetoAndRaise(t *testing.T) {
	ctx := context.Background()
	c := conv("c", "user", "q", "assistant", "a", "user", "x #complaint=0.7")
	mine := func(clf classifier.Classifier, veto float64) (*Miner, *Result) {
		m := newTestMiner(t, func(cfg *Config) { cfg.Classifier = clf; cfg.ClassifierVeto = veto })
		res, err := m.Mine(ctx, c)
		require.NoError(t, err)
		return m, res
	}
	_, base := mine(nil, 0)
	require.Len(t, base.Events, 1, "the heuristics fire on their own")
	require.Less(t, base.Events[0].Score, 1.0)

	sure := classifier.Prediction{DSAT: 0.001}
	m, res := mine(fakeClassifier{p: sure}, 0)
	assert.Equal(t, classifier.DefaultVeto, m.Config().ClassifierVeto)
	assert.Empty(t, res.Events, "vetoed")
	assert.Equal(t, ClassifierCounts{Scored: 1, Vetoed: 1}, res.Classifier)

	m, res = mine(vetoClassifier{fakeClassifier{p: sure}, 0.0005}, 0)
	assert.Equal(t, 0.0005, m.Config().ClassifierVeto, "the classifier's stored veto")
	assert.Len(t, res.Events, 1)

	m, res = mine(fakeClassifier{p: sure}, -1)
	assert.Equal(t, -1.0, m.Config().ClassifierVeto, "negative turns the veto off")
	assert.Len(t, res.Events, 1)
	assert.Equal(t, ClassifierCounts{Scored: 1}, res.Classifier)

	plain := conv("p", "user", "q", "assistant", "a", "user", "x")
	m = newTestMiner(t, func(cfg *Config) {
		cfg.Classifier = fakeClassifier{p: classifier.Prediction{DSAT: 0.9, Categories: map[heuristics.Category]float64{heuristics.Refinement: 0.5, heuristics.Complaint: 0.4}}}
	})
	res, err := m.Mine(ctx, plain)
	require.NoError(t, err)
	require.Len(t, res.Events, 1, "raised by the classifier")
	assert.Equal(t, []heuristics.Category{heuristics.Refinement, heuristics.Complaint}, res.Events[0].Categories)
	assert.Equal(t, ClassifierCounts{Scored: 1, Raised: 1}, res.Classifier)
}

// The classifier model's digest is part of the detector version and of the
// resume fingerprint: another model file is another configuration.
func TestClassifierDigestInVersion(t *testing.T) {
	def, err := classifier.Default()
	require.NoError(t, err)
	var buf bytes.Buffer
	require.NoError(t, def.Save(&buf))
	other, err := classifier.Load(&buf)
	require.NoError(t, err)
	assert.Equal(t, def.Digest(), other.Digest(), "same content, same digest")
	other.SetThreshold("dsat", 0.9)
	assert.NotEqual(t, def.Digest(), other.Digest())

	miner := func(clf classifier.Classifier) *Miner {
		return newTestMiner(t, func(cfg *Config) { cfg.Classifier = clf })
	}
	m1, m2 := miner(def), miner(other)
	assert.NotEqual(t, m1.Fingerprint(), m2.Fingerprint())
	res, err := m1.Mine(context.Background(), conv("c", "user", "q", "assistant", "a", "user", "x #complaint=0.9"))
	require.NoError(t, err)
	require.NotEmpty(t, res.Events)
	assert.Contains(t, res.Events[0].DetectorVersion, "+logreg@"+def.Digest())
}

// tableClassifier is a fakeClassifier with an operating table.
type tableClassifier struct {
	fakeClassifier
	ops []classifier.OperatingPoint
}

func (c tableClassifier) ThresholdFor(p float64) (classifier.OperatingPoint, error) {
	for _, op := range c.ops {
		if op.Precision >= p {
			return op, nil
		}
	}
	return classifier.OperatingPoint{}, classifier.ErrPrecisionOutOfReach
}

// With a target precision the classifier decides at the threshold its
// operating table gives, and its "no" removes even a strong heuristic verdict.
func TestTargetPrecision(t *testing.T) {
	ctx := context.Background()
	strong := conv("s", "user", "q", "assistant", "a", "user", "x #complaint=0.95")
	ops := []classifier.OperatingPoint{{Threshold: 0.3, Metrics: classifier.Metrics{Precision: 0.7}}, {Threshold: 0.6, Metrics: classifier.Metrics{Precision: 0.85}}}
	mine := func(d, target float64) (*Miner, *Result) {
		clf := tableClassifier{fakeClassifier{p: classifier.Prediction{DSAT: d, Categories: map[heuristics.Category]float64{heuristics.Correction: d}}}, ops}
		m := newTestMiner(t, func(cfg *Config) { cfg.Classifier = clf; cfg.TargetPrecision = target })
		res, err := m.Mine(ctx, strong)
		require.NoError(t, err)
		return m, res
	}
	m, res := mine(0.5, 0.8)
	assert.Equal(t, 0.6, m.Config().ClassifierThreshold, "the lowest threshold with precision >= 0.8")
	assert.Empty(t, res.Events, "0.5 < 0.6: the model decides no")
	m, res = mine(0.5, 0.7)
	assert.Equal(t, 0.3, m.Config().ClassifierThreshold)
	require.Len(t, res.Events, 1)
	assert.Contains(t, res.Events[0].Categories, heuristics.Complaint, "the heuristic category stays")

	_, err := NewMiner(func() Config {
		cfg := testConfig(t)
		cfg.Classifier, cfg.TargetPrecision = tableClassifier{fakeClassifier{}, ops}, 0.95
		return cfg
	}())
	assert.ErrorIs(t, err, ErrConfig)
	assert.ErrorIs(t, err, classifier.ErrPrecisionOutOfReach)
	_, err = NewMiner(func() Config {
		cfg := testConfig(t)
		cfg.Classifier, cfg.TargetPrecision = fakeClassifier{}, 0.8
		return cfg
	}())
	assert.ErrorIs(t, err, ErrConfig, "a classifier without an operating table")

	// Without a classifier, the embedded model is used.
	m = newTestMiner(t, func(cfg *Config) { cfg.TargetPrecision = 0.8 })
	assert.Greater(t, m.Config().ClassifierThreshold, 0.0)
}

// A follow-up the heuristics read as pushback stays pushback: the classifier
// cannot turn a pushback against a refusal into a complaint anchor.
func TestClassifierKeepsPushbackPushback(t *testing.T) {
	ctx := context.Background()
	p := classifier.Prediction{DSAT: 0.95, Categories: map[heuristics.Category]float64{heuristics.Complaint: 0.8, heuristics.Pushback: 0.1}}
	m := newTestMiner(t, func(cfg *Config) { cfg.Classifier = fakeClassifier{p: p} })

	res, err := m.Mine(ctx, conv("c", "user", "q", "assistant", "a", "user", "x #pushback=0.9"))
	require.NoError(t, err)
	require.Len(t, res.Events, 1)
	assert.Equal(t, []heuristics.Category{heuristics.Pushback}, res.Events[0].Categories)
	assert.Empty(t, res.Anchors, "pushback anchors are off by default")

	res, err = m.Mine(ctx, conv("c", "user", "q", "assistant", "a", "user", "x #pushback=0.2"))
	require.NoError(t, err)
	require.Len(t, res.Events, 1, "below its threshold pushback does not hold the classifier back")
	assert.Contains(t, res.Events[0].Categories, heuristics.Complaint)
	assert.NotEmpty(t, res.Anchors)
}
