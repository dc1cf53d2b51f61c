package dsat

import (
	"context"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dsatmine/dsatmine/classifier"
	"github.com/dsatmine/dsatmine/conversation"
	"github.com/dsatmine/dsatmine/heuristics"
)

var (
	pTag     = regexp.MustCompile(`p=([0-9.]+)`)
	judgeTag = regexp.MustCompile(`judge=([a-z]+)`)
)

// taggedModel is a calibrated classifier whose DSAT probability is the
// follow-up's "p=…" tag, deciding at 0.5; UncertainBand records what it was
// asked and answers [0.3, 0.9).
type taggedModel struct {
	mu           sync.Mutex
	center       float64
	share        float64
	noBand       bool
	classifyHits int
}

func (m *taggedModel) Name() string       { return "tagged" }
func (m *taggedModel) Threshold() float64 { return 0.5 }
func (m *taggedModel) Decision() string   { return classifier.DecisionModel }

func (m *taggedModel) Classify(_ context.Context, t *heuristics.Turn, _ []heuristics.Signal) (classifier.Prediction, error) {
	m.mu.Lock()
	m.classifyHits++
	m.mu.Unlock()
	p := 0.0
	if s := pTag.FindStringSubmatch(t.Text()); s != nil {
		p, _ = strconv.ParseFloat(s[1], 64)
	}
	return classifier.Prediction{DSAT: p, Categories: map[heuristics.Category]float64{heuristics.Preference: p}}, nil
}

func (m *taggedModel) UncertainBand(center, share float64) (classifier.UncertainBand, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.center, m.share = center, share
	if m.noBand {
		return classifier.UncertainBand{}, classifier.ErrNoShares
	}
	return classifier.UncertainBand{Low: 0.3, High: 0.9, Share: share}, nil
}

// taggedJudge answers from the "judge=dsat|no|fail" tag and records the
// follow-ups it was asked about.
type taggedJudge struct {
	mu    sync.Mutex
	asked []string
}

func (j *taggedJudge) Name() string { return "judge" }

func (j *taggedJudge) Classify(_ context.Context, t *heuristics.Turn, _ []heuristics.Signal) (classifier.Prediction, error) {
	j.mu.Lock()
	j.asked = append(j.asked, t.Text())
	j.mu.Unlock()
	s := judgeTag.FindStringSubmatch(t.Text())
	switch {
	case s == nil:
		return classifier.Prediction{DSAT: 0.1}, nil
	case s[1] == "dsat":
		return classifier.Prediction{DSAT: 0.9, Evidence: []heuristics.Span{{Start: 0, End: 4, Text: t.Text()[:4]}}}, nil
	case s[1] == "fail":
		return classifier.Prediction{}, reasoned{}
	}
	return classifier.Prediction{DSAT: 0.1}, nil
}

func judgeConv() (c []string) {
	return []string{
		"user", "write a poem",
		"assistant", "roses are red",
		"user", "p=0.95 judge=no", // confident DSAT: the model's verdict stands
		"assistant", "ok",
		"user", "p=0.6 judge=no", // in band: the judge clears it
		"assistant", "ok",
		"user", "p=0.4 judge=dsat", // in band: the judge makes it DSAT (with the model's category)
		"assistant", "ok",
		"user", "p=0.2 judge=dsat", // confident not DSAT: never asked
		"assistant", "ok",
		"user", "p=0.35 judge=fail", // in band, judge fails: the model's verdict (not DSAT) stands
	}
}

func dsatTurns(res *Result) []int {
	var turns []int
	for _, e := range res.Events {
		if e.Kind == KindDSAT {
			turns = append(turns, e.Turn)
		}
	}
	return turns
}

func TestJudgeBandRouting(t *testing.T) {
	model, judge := &taggedModel{}, &taggedJudge{}
	m := newTestMiner(t, func(c *Config) {
		c.Classifier, c.Judge = model, judge
		c.JudgeBand = &Band{Low: 0.3, High: 0.7}
	})
	res, err := m.Mine(context.Background(), conv("j", judgeConv()...))
	require.NoError(t, err)
	require.Equal(t, []string{"p=0.6 judge=no", "p=0.4 judge=dsat", "p=0.35 judge=fail"}, judge.asked)
	require.Equal(t, []int{2, 6}, dsatTurns(res))
	for _, e := range res.Events {
		if e.Turn == 6 {
			require.Equal(t, []heuristics.Category{heuristics.Preference}, e.Categories, "a verdict without categories names the model's")
		}
	}
	require.EqualValues(t, 3, res.Classifier.Judged)
	require.EqualValues(t, 2, res.Classifier.JudgeChanged)
	require.Equal(t, map[string]int64{"judge_unverifiable": 1}, res.Classifier.JudgeErrors)
	require.EqualValues(t, 5, res.Classifier.Scored)

	st := m.NewStats()
	st.AddResult(res)
	require.Equal(t, "judge", st.Classifier.Judge)
	require.Equal(t, &Band{Low: 0.3, High: 0.7}, st.Classifier.JudgeBand)
	require.EqualValues(t, 3, st.Classifier.Judged)
	b, ok := m.JudgeBand()
	require.True(t, ok)
	require.Equal(t, Band{Low: 0.3, High: 0.7}, b)
}

func TestJudgeShareAsksTheModelForItsBand(t *testing.T) {
	model, judge := &taggedModel{}, &taggedJudge{}
	m := newTestMiner(t, func(c *Config) {
		c.Classifier, c.Judge = model, judge
		c.JudgeShare = 0.25
	})
	require.Equal(t, 0.5, model.center, "the band is centred on the decision threshold")
	require.Equal(t, 0.25, model.share)
	b, _ := m.JudgeBand()
	require.Equal(t, Band{Low: 0.3, High: 0.9}, b)
	res, err := m.Mine(context.Background(), conv("j", judgeConv()...))
	require.NoError(t, err)
	// 0.95 lies outside [0.3, 0.9): kept; 0.6, 0.4 and 0.35 are judged.
	require.Len(t, judge.asked, 3)
	require.Equal(t, []int{2, 6}, dsatTurns(res))

	// No band and no share: DefaultJudgeShare.
	model2 := &taggedModel{}
	newTestMiner(t, func(c *Config) { c.Classifier, c.Judge = model2, judge })
	require.Equal(t, DefaultJudgeShare, model2.share)
}

func TestJudgeConfigErrors(t *testing.T) {
	for name, mod := range map[string]func(*Config){
		"band and share":   func(c *Config) { c.JudgeBand, c.JudgeShare = &Band{Low: 0.1, High: 0.9}, 0.3 },
		"share above 1":    func(c *Config) { c.JudgeShare = 1.5 },
		"empty band":       func(c *Config) { c.JudgeBand = &Band{Low: 0.5, High: 0.5} },
		"band, no judge":   func(c *Config) { c.Judge, c.JudgeBand = nil, &Band{Low: 0.1, High: 0.9} },
		"share, no judge":  func(c *Config) { c.Judge, c.JudgeShare = nil, 0.3 },
		"no operating tbl": func(c *Config) { c.Classifier = &scriptedClassifier{} },
		"no shares":        func(c *Config) { c.Classifier = &taggedModel{noBand: true} },
	} {
		cfg := testConfig(t)
		cfg.Classifier, cfg.Judge = &taggedModel{}, &taggedJudge{}
		mod(&cfg)
		_, err := NewMiner(cfg)
		require.ErrorIs(t, err, ErrConfig, name)
	}
	_, err := ParseJudgeBand("0.2:0.1")
	require.ErrorIs(t, err, ErrConfig)
	b, err := ParseJudgeBand("0.2:1")
	require.NoError(t, err)
	require.True(t, b.Contains(1), "HIGH 1 includes probability 1")
}

func TestJudgeWithoutClassifierUsesTheDefaultModel(t *testing.T) {
	judge := &taggedJudge{}
	m := newTestMiner(t, func(c *Config) { c.Judge = judge })
	plain := newTestMiner(t, nil)
	require.NotEqual(t, plain.Fingerprint(), m.Fingerprint())
	b, ok := m.JudgeBand()
	require.True(t, ok)
	require.Less(t, b.Low, m.Config().ClassifierThreshold)
	require.Greater(t, b.High, m.Config().ClassifierThreshold)
	require.Equal(t, DefaultJudgeShare, m.Config().JudgeShare)
}

// TestJudgeDeterministicAcrossWorkers: the judge is called concurrently by
// Run's workers; anchors and statistics do not depend on their number.
func TestJudgeDeterministicAcrossWorkers(t *testing.T) {
	var convs []string
	for i := range 40 {
		p := []string{"0.95", "0.6", "0.4", "0.2", "0.35"}[i%5]
		v := []string{"no", "dsat", "fail"}[i%3]
		convs = append(convs, `{"id":"c`+strconv.Itoa(i)+`","messages":[{"role":"user","content":"write a poem"},{"role":"assistant","content":"roses"},{"role":"user","content":"p=`+p+` judge=`+v+` #complaint=0.6"}]}`)
	}
	input := strings.Join(convs, "\n") + "\n"
	run := func(workers int) (string, *Stats) {
		m := newTestMiner(t, func(c *Config) {
			c.Classifier, c.Judge = &taggedModel{}, &taggedJudge{}
			c.JudgeBand = &Band{Low: 0.3, High: 0.7}
			c.Workers = workers
		})
		var out strings.Builder
		st, err := m.Run(context.Background(), []Input{conversation.NewReader(stringsReader(input), "judge.jsonl")}, Sinks{Anchors: newLineSink(&out)})
		require.NoError(t, err)
		return out.String(), st
	}
	want, wst := run(1)
	require.NotEmpty(t, want)
	require.EqualValues(t, 24, wst.Classifier.Judged)
	for _, w := range []int{2, 8} {
		got, st := run(w)
		assert.Equal(t, want, got)
		assert.Equal(t, wst.Classifier.ClassifierCounts, st.Classifier.ClassifierCounts)
	}
}
