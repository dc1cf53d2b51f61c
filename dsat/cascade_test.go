package dsat

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dsatmine/dsatmine/classifier"
	"github.com/dsatmine/dsatmine/heuristics"
)

// scriptedClassifier returns a fixed verdict, or an error when the follow-up
// contains "FAIL", and counts its calls.
type scriptedClassifier struct {
	pred  classifier.Prediction
	calls atomic.Int64
}

type reasoned struct{}

func (reasoned) Error() string  { return "no verdict" }
func (reasoned) Reason() string { return "judge_unverifiable" }

func (c *scriptedClassifier) Name() string { return "scripted" }

func (c *scriptedClassifier) Classify(_ context.Context, t *heuristics.Turn, _ []heuristics.Signal) (classifier.Prediction, error) {
	c.calls.Add(1)
	switch {
	case strings.Contains(t.Text(), "FAIL-REASON"):
		return classifier.Prediction{}, reasoned{}
	case strings.Contains(t.Text(), "FAIL"):
		return classifier.Prediction{}, errors.New("boom")
	}
	return c.pred, nil
}

func TestCascadeSendsOnlyUncertainFollowUps(t *testing.T) {
	clf := &scriptedClassifier{pred: classifier.Prediction{
		DSAT: 0.9, Categories: map[heuristics.Category]float64{heuristics.Complaint: 0.9},
	}}
	m := newTestMiner(t, func(c *Config) {
		c.Classifier = clf
		c.Cascade = &Band{Low: 0.2, High: 0.8}
	})
	c := conv("c1",
		"user", "write a poem",
		"assistant", "roses are red",
		"user", "nothing to see here", // heuristic 0: below the band, kept as is
		"assistant", "ok",
		"user", "hmm #complaint=0.4", // inside the band: classifier decides
		"assistant", "sorry",
		"user", "bad #complaint=0.95", // above the band: heuristic verdict kept
	)
	res, err := m.Mine(context.Background(), c)
	require.NoError(t, err)
	require.EqualValues(t, 1, clf.calls.Load())
	require.Equal(t, ClassifierCounts{Scored: 1, OutsideBand: 2, Raised: 1}, res.Classifier)
	var turns []int
	for _, e := range res.Events {
		if e.Kind == KindDSAT {
			turns = append(turns, e.Turn)
		}
	}
	require.Equal(t, []int{4, 6}, turns, "the in-band follow-up is lifted by the classifier, the low one is not")

	st := m.NewStats()
	st.AddResult(res)
	require.NotNil(t, st.Classifier)
	require.Equal(t, "scripted", st.Classifier.Name)
	require.Equal(t, &Band{Low: 0.2, High: 0.8}, st.Classifier.Band)
	require.EqualValues(t, 1, st.Classifier.Scored)
	require.EqualValues(t, 2, st.Classifier.OutsideBand)
}

func TestClassifierErrorsAreCountedNotFatal(t *testing.T) {
	clf := &scriptedClassifier{pred: classifier.Prediction{DSAT: 0.1, SAT: 0.1}}
	m := newTestMiner(t, func(c *Config) { c.Classifier = clf })
	c := conv("c2",
		"user", "sum 2 and 2",
		"assistant", "5",
		"user", "wrong FAIL #complaint=0.9",
		"assistant", "4",
		"user", "FAIL-REASON ok",
		"assistant", "anything else?",
		"user", "fine",
	)
	res, err := m.Mine(context.Background(), c)
	require.NoError(t, err)
	require.Equal(t, ClassifierCounts{Scored: 1, Errors: map[string]int64{"classifier_error": 1, "judge_unverifiable": 1}}, res.Classifier)
	require.Len(t, res.Anchors, 1, "the heuristic verdict stands when the classifier fails")

	a, b := m.NewStats(), m.NewStats()
	a.AddResult(res)
	b.AddResult(res)
	a.Merge(b)
	require.EqualValues(t, 2, a.Classifier.Errors["judge_unverifiable"])
	require.EqualValues(t, 2, a.Classifier.Scored)
}

func TestClassifierCancellationStopsMining(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	clf := &cancelling{cancel: cancel}
	m := newTestMiner(t, func(c *Config) { c.Classifier = clf })
	_, err := m.Mine(ctx, conv("c3", "user", "a", "assistant", "b", "user", "c"))
	require.ErrorIs(t, err, context.Canceled)
}

type cancelling struct{ cancel func() }

func (c *cancelling) Name() string { return "cancelling" }
func (c *cancelling) Classify(ctx context.Context, _ *heuristics.Turn, _ []heuristics.Signal) (classifier.Prediction, error) {
	c.cancel()
	return classifier.Prediction{}, ctx.Err()
}

func TestCascadeBandValidated(t *testing.T) {
	cfg := testConfig(t)
	cfg.Cascade = &Band{Low: 0.8, High: 0.2}
	_, err := NewMiner(cfg)
	require.ErrorIs(t, err, ErrConfig)
}

func TestNoClassifierNoClassifierStats(t *testing.T) {
	m := newTestMiner(t, nil)
	require.Nil(t, m.NewStats().Classifier)
}

// The engine marks "tell me more" as an extension: not DSAT by default,
// a refinement when Config.CountExtensions is on.
func TestCountExtensionsWithEngine(t *testing.T) {
	c := conv("ext",
		"user", "Give me three names for a bakery.",
		"assistant", "1. Crumb & Co\n2. Rise Up\n3. The Daily Loaf",
		"user", "Tell me more ideas like these.",
	)
	for _, count := range []bool{false, true} {
		cfg := DefaultConfig()
		cfg.CountExtensions = count
		m, err := NewMiner(cfg)
		require.NoError(t, err)
		res, err := m.Mine(context.Background(), c)
		require.NoError(t, err)
		require.Len(t, res.FollowUps, 1)
		if count {
			require.Greater(t, res.FollowUps[0].Categories[heuristics.Refinement], 0.0)
		} else {
			require.Zero(t, res.FollowUps[0].Categories[heuristics.Refinement])
		}
	}
}

func TestParseBand(t *testing.T) {
	b, err := ParseBand("default")
	require.NoError(t, err)
	require.Equal(t, DefaultCascade, b)
	b, err = ParseBand("0.2:0.7")
	require.NoError(t, err)
	require.Equal(t, Band{Low: 0.2, High: 0.7}, b)
	for _, bad := range []string{"0.7:0.2", "x:1", "0.5", "-1:0.5", "0:2", ""} {
		_, err := ParseBand(bad)
		require.ErrorIs(t, err, ErrConfig, bad)
	}
}
