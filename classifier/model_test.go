package classifier

import (
	"bytes"
	"context"
	"errors"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dsatmine/dsatmine/conversation"
	"github.com/dsatmine/dsatmine/heuristics"
	"github.com/dsatmine/dsatmine/internal/shareddata"
	"github.com/dsatmine/dsatmine/labelled"
)

func TestNumCategoriesMatchesTaxonomy(t *testing.T) {
	require.Len(t, heuristics.Categories, numCategories)
}

func TestNormalize(t *testing.T) {
	got := string(normalize(nil, "  That’s   WRONG!\n\tTry 2024 again  "))
	assert.Equal(t, "that's wrong! try 0 again", got)
	assert.Equal(t, "это неверно", string(normalize(nil, "Это НЕВЕРНО")))
}

func TestTokenize(t *testing.T) {
	b := normalize(nil, "Don't do that?! 不对")
	var words []string
	for _, s := range tokenize(nil, b) {
		words = append(words, string(b[s.s:s.e]))
	}
	assert.Equal(t, []string{"don't", "do", "that", "?", "!", "不", "对"}, words)
}

func TestCutKeepsRunes(t *testing.T) {
	s := "héllo"
	assert.Equal(t, 1, cut(s, 2)) // 2 is inside 'é'
	assert.Equal(t, 3, cut(s, 3))
	assert.Equal(t, len(s), cut(s, 100))
}

func TestStemSetSimilarity(t *testing.T) {
	var sc scratch
	same := jaccard(&sc, "Write a function reversing linked lists", "write functions that reverse a linked list")
	diff := jaccard(&sc, "Write a function reversing linked lists", "what is the weather in Paris")
	assert.Greater(t, same, 0.7)
	assert.Equal(t, 0.0, diff)
}

func TestStopWords(t *testing.T) {
	for _, w := range []string{"the", "and", "please", "don't"} {
		assert.True(t, isStopWord([]byte(w)), w)
	}
	for _, w := range []string{"function", "python", "wrong", "th"} {
		assert.False(t, isStopWord([]byte(w)), w)
	}
	assert.Equal(t, "fix", string(lightStem([]byte("fixes"))))
	assert.Equal(t, "fix", string(lightStem([]byte("fixed"))))
	assert.Equal(t, "fix", string(lightStem([]byte("fixing"))))
	assert.Equal(t, "stop", string(lightStem([]byte("stopped"))))
	assert.Equal(t, "library", string(lightStem([]byte("libraries"))))
}

func TestReplyCues(t *testing.T) {
	assert.True(t, replyRefuses("I'm sorry, but I cannot help with that."))
	assert.True(t, replyRefuses("As an AI language model, I don’t have opinions."))
	assert.False(t, replyRefuses("Sure, here it is."))
	assert.True(t, replyAsks("Here you go. Do you want more detail?"))
	assert.False(t, replyAsks("Here you go."))
	assert.True(t, replyCutOff("```go\nfunc main() {"))
	assert.True(t, replyCutOff(strings.Repeat("word ", 300)+"and then the"))
	assert.False(t, replyCutOff(strings.Repeat("word ", 300)+"end."))
	assert.True(t, hasTraceback("Traceback (most recent call last):\n  File \"x.py\""))
	assert.True(t, hasCode("x = f(1);\ny = g(2);\n"))
	assert.False(t, hasCode("please make it shorter"))
}

func TestFeaturizeDeterministicAndBounded(t *testing.T) {
	f := newFeaturizer(DefaultFeatureConfig())
	tr := turnOf("How do I sort a slice?", "Use sort.Slice.", "That's wrong, it doesn't compile.")
	sig := []heuristics.Signal{{Polarity: heuristics.DSAT, Category: heuristics.Complaint, Score: 0.7, Detector: "lex"}}
	var a, b scratch
	f.featurize(tr, sig, &a)
	f.featurize(tr, sig, &b)
	require.Equal(t, a.idx, b.idx)
	require.Equal(t, a.val, b.val)
	for _, i := range a.idx {
		require.Less(t, i, uint32(1)<<18)
	}
	// Heuristic features change the vector; disabling them drops them.
	var c scratch
	f.featurize(tr, nil, &c)
	assert.NotEqual(t, a.idx, c.idx)
	g := newFeaturizer(FeatureConfig{NoHeuristic: true})
	var d, e scratch
	g.featurize(tr, sig, &d)
	g.featurize(tr, nil, &e)
	assert.Equal(t, d.idx, e.idx)

	// A huge pasted follow-up costs no more than the windows allow.
	big := turnOf("q", "a", strings.Repeat("error: something failed at line 12\n", 5000))
	var s scratch
	f.featurize(big, nil, &s)
	assert.Less(t, len(s.idx), 2000)
}

func TestTrainLearnsAndIsDeterministic(t *testing.T) {
	ctx := context.Background()
	ex := synthExamples(160, 1, synthSignals)
	opts := TrainOptions{Features: FeatureConfig{HashBits: 12}, Epochs: 8}
	m1, err := Train(ctx, ex, opts)
	require.NoError(t, err)
	m2, err := Train(ctx, ex, opts)
	require.NoError(t, err)
	var b1, b2 bytes.Buffer
	require.NoError(t, m1.Save(&b1))
	require.NoError(t, m2.Save(&b2))
	require.Equal(t, b1.String(), b2.String(), "training must be deterministic")

	ct := turnOf("What is the capital of Australia?", "It is Sydney.", "That's wrong, this is useless.")
	tt := turnOf("What is the capital of Australia?", "It is Canberra.", "Great, thank you so much.")
	complaint := m1.Predict(ct, synthSignals(ct))
	thanks := m1.Predict(tt, synthSignals(tt))
	assert.Greater(t, complaint.DSAT, 0.6)
	assert.Less(t, thanks.DSAT, 0.4)
	assert.Greater(t, thanks.SAT, complaint.SAT)
	assert.Greater(t, complaint.Given[categoryIndex(heuristics.Complaint)], complaint.Given[categoryIndex(heuristics.Preference)])
	for i := range numCategories {
		assert.InDelta(t, complaint.DSAT*complaint.Given[i], complaint.Category[i], 1e-12)
	}

	// Different seeds give different (but still valid) models.
	m3, err := Train(ctx, ex, TrainOptions{Features: FeatureConfig{HashBits: 12}, Epochs: 8, Seed: 99})
	require.NoError(t, err)
	var b3 bytes.Buffer
	require.NoError(t, m3.Save(&b3))
	assert.NotEqual(t, b1.String(), b3.String())
}

func TestTrainErrors(t *testing.T) {
	_, err := Train(context.Background(), nil, TrainOptions{})
	assert.ErrorIs(t, err, ErrNoExamples)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = Train(ctx, synthExamples(10, 1, nil), TrainOptions{Features: FeatureConfig{HashBits: 12}})
	assert.ErrorIs(t, err, context.Canceled)
}

func TestSaveLoadRoundTrip(t *testing.T) {
	ex := synthExamples(80, 2, synthSignals)
	m, err := Train(context.Background(), ex, TrainOptions{Features: FeatureConfig{HashBits: 12}, Epochs: 4})
	require.NoError(t, err)
	m.SetThreshold("dsat", 0.42)
	var buf bytes.Buffer
	require.NoError(t, m.Save(&buf))
	assert.Contains(t, buf.String(), `"format":"dsatmine-classifier","version":1,"hash_bits":12`)
	l, err := Load(bytes.NewReader(buf.Bytes()))
	require.NoError(t, err)
	assert.Equal(t, 0.42, l.Threshold())
	assert.Equal(t, m.Features(), l.Features())
	assert.Equal(t, m.Info(), l.Info())
	for _, e := range ex[:20] {
		a := m.Predict(e.Turn, e.Signals)
		b := l.Predict(e.Turn, e.Signals)
		assert.InDelta(t, a.DSAT, b.DSAT, 1e-3)
		assert.InDelta(t, a.SAT, b.SAT, 1e-3)
	}
	// Saving the loaded model reproduces the file.
	var again bytes.Buffer
	require.NoError(t, l.Save(&again))
	assert.Equal(t, buf.String(), again.String())
}

func TestLoadErrors(t *testing.T) {
	cases := []struct {
		name, in string
		want     error
	}{
		{"not json", "hello", ErrFormat},
		{"other format", `{"format":"something","version":1}`, ErrFormat},
		{"future version", `{"format":"dsatmine-classifier","version":9}`, ErrVersion},
		{"bad bits", `{"format":"dsatmine-classifier","version":1,"hash_bits":40,"heads":{"dsat":{}}}`, ErrFormat},
		{"no dsat head", `{"format":"dsatmine-classifier","version":1,"hash_bits":10,"heads":{}}`, ErrFormat},
		{"length mismatch", `{"format":"dsatmine-classifier","version":1,"hash_bits":10,"heads":{"dsat":{"index_delta":[1,2],"weight":[1]}}}`, ErrFormat},
		{"index out of range", `{"format":"dsatmine-classifier","version":1,"hash_bits":10,"heads":{"dsat":{"index_delta":[1024],"weight":[1]}}}`, ErrFormat},
		{"repeated index", `{"format":"dsatmine-classifier","version":1,"hash_bits":10,"heads":{"dsat":{"index_delta":[3,0],"weight":[1,2]}}}`, ErrFormat},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Load(strings.NewReader(c.in))
			assert.ErrorIs(t, err, c.want)
		})
	}
}

func TestClassifyImplementsInterface(t *testing.T) {
	m, err := Train(context.Background(), synthExamples(60, 3, nil), TrainOptions{Features: FeatureConfig{HashBits: 12}, Epochs: 4})
	require.NoError(t, err)
	var c Classifier = m
	assert.Equal(t, "logreg", c.Name())
	tr := turnOf("Write a poem", "Roses are red.", "Make it shorter.")
	p, err := c.Classify(context.Background(), tr, nil)
	require.NoError(t, err)
	s := m.Predict(tr, nil)
	assert.Equal(t, s.DSAT, p.DSAT)
	assert.Len(t, p.Categories, numCategories)
	assert.Equal(t, s.Category[categoryIndex(heuristics.Preference)], p.Categories[heuristics.Preference])

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = c.Classify(ctx, tr, nil)
	assert.ErrorIs(t, err, context.Canceled)
}

func TestClassifyConcurrent(t *testing.T) {
	m, err := Train(context.Background(), synthExamples(60, 4, nil), TrainOptions{Features: FeatureConfig{HashBits: 12}, Epochs: 4})
	require.NoError(t, err)
	turns := []*heuristics.Turn{
		turnOf("a", "b", "That's wrong"), turnOf("a", "b", "thanks!"), turnOf("a", "b", "Try again please."),
	}
	want := make([]Scores, len(turns))
	for i, tr := range turns {
		want[i] = m.Predict(tr, nil)
	}
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for k := range 50 {
				i := (g + k) % len(turns)
				assert.Equal(t, want[i], m.Predict(turns[i], nil))
			}
		})
	}
	wg.Wait()
}

func TestExamplesFromLabelled(t *testing.T) {
	l := labelled.Record{ID: "x", Messages: []conversation.Message{
		{Role: conversation.System, Content: "be nice"},
		{Role: conversation.User, Content: "q1"},
		{Role: conversation.Assistant, Content: "a1"},
		{Role: conversation.User, Content: "wrong"},
	}, Labels: []labelled.Label{{Turn: 3, DSAT: true, Categories: []string{"complaint", "not-a-category", "complaint"}}}}
	ex, err := ExamplesFromLabelled(&l, synthSignals)
	require.NoError(t, err)
	require.Len(t, ex, 1)
	assert.Equal(t, 3, ex[0].Turn.FollowUp)
	assert.Equal(t, 2, ex[0].Turn.Reply)
	assert.Equal(t, 1, ex[0].Turn.Request)
	assert.Equal(t, []heuristics.Category{heuristics.Complaint}, ex[0].Categories)
	assert.Len(t, ex[0].Signals, 1)

	// Empty messages are dropped but label turns keep their original index.
	withBlank := labelled.Record{ID: "y", Messages: []conversation.Message{
		{Role: conversation.User, Content: "q1"},
		{Role: conversation.Assistant, Content: ""},
		{Role: conversation.Assistant, Content: "a1"},
		{Role: "human", Content: "not that"},
	}, Labels: []labelled.Label{{Turn: 3, DSAT: true}}}
	withBlank.Labels = append(withBlank.Labels, labelled.Label{Turn: 1})
	ex, err = ExamplesFromLabelled(&withBlank, nil)
	require.NoError(t, err)
	require.Len(t, ex, 1, "the label on the empty message is not an example")
	assert.Equal(t, "not that", ex[0].Turn.Text())
	assert.Equal(t, "a1", ex[0].Turn.ReplyText())
	assert.Equal(t, 3, ex[0].Turn.Conv.Messages[ex[0].Turn.FollowUp].Index)

	for _, turn := range []int{0, 1, 2, 9} {
		l.Labels[0].Turn = turn
		_, err := ExamplesFromLabelled(&l, nil)
		assert.ErrorIs(t, err, ErrLabel, "turn %d", turn)
	}
}

func TestReadExamples(t *testing.T) {
	in := `{"id":"a","source":"s","messages":[{"role":"user","content":"q"},{"role":"assistant","content":"r"},{"role":"user","content":"no, wrong"}],"labels":[{"turn":2,"dsat":true,"categories":["complaint"]}],"extra":1}

{"id":"b","source":"s","messages":[{"role":"user","content":"q"},{"role":"assistant","content":"r"},{"role":"user","content":"thanks"}],"labels":[{"turn":2,"sat":true}]}`
	ex, err := ReadExamples(context.Background(), strings.NewReader(in), "mem", nil)
	require.NoError(t, err)
	require.Len(t, ex, 2)
	assert.True(t, ex[0].DSAT)
	assert.True(t, ex[1].SAT)
	assert.Equal(t, "mem", ex[1].Set)
	assert.Equal(t, "mem", ex[1].Turn.Conv.Location.File)

	_, err = ReadExamples(context.Background(), strings.NewReader("{\"id\":\"x\""), "bad", nil)
	var pe *conversation.ParseError
	require.ErrorAs(t, err, &pe)
	assert.Equal(t, "bad", pe.File)
	assert.Equal(t, 1, pe.Line)
	_, err = ReadExamples(context.Background(), strings.NewReader(`{"id":"a","messages":[{"role":"user","content":"q"}],"labels":[{"turn":0}]}`), "bad", nil)
	assert.ErrorIs(t, err, ErrLabel)
}

func TestDefaultModel(t *testing.T) {
	m, err := Default()
	require.NoError(t, err)
	m2, err := Default()
	require.NoError(t, err)
	assert.Same(t, m, m2)
	req := "Write a Python function that checks whether a number is prime."
	rep := "Here is a function:\n```python\ndef is_prime(n):\n    return n > 1\n```"
	eng := heuristics.Default()
	ct := turnOf(req, rep, "That's wrong, this code doesn't work at all. Useless.")
	tt := turnOf(req, rep, "Thanks, that works perfectly!")
	complaint := m.Predict(ct, eng.Analyze(ct).Signals)
	thanks := m.Predict(tt, eng.Analyze(tt).Signals)
	assert.Greater(t, complaint.DSAT, thanks.DSAT)
	assert.Greater(t, thanks.SAT, complaint.SAT)
	assert.Greater(t, complaint.DSAT, 0.5)
	assert.Less(t, thanks.DSAT, 0.2)
}

func TestDefaultModelFileIsSmall(t *testing.T) {
	st, err := os.Stat("models/default.json")
	require.NoError(t, err)
	assert.Less(t, st.Size(), int64(3<<20))
}

// TestDevData trains on part of the external development data and scores
// the held-out conversations, when the data is present (only this case is
// skipped otherwise). The full cross-validation lives in `dsatmine train`.
func TestDevData(t *testing.T) {
	p := shareddata.Require(t, "dev/sharegpt-dev.jsonl")
	f, err := os.Open(p)
	require.NoError(t, err)
	defer f.Close()
	ex, err := ReadExamples(context.Background(), f, "sharegpt-dev", nil)
	require.NoError(t, err)
	require.Equal(t, 909, len(ex), "910 labelled turns, one on an empty message")
	var train, test []Example
	pos := 0
	for _, e := range ex {
		if e.DSAT {
			pos++
		}
		if e.Turn.Conv.ID[len(e.Turn.Conv.ID)-1]%4 == 0 {
			test = append(test, e)
		} else {
			train = append(train, e)
		}
	}
	require.Equal(t, 166, pos)

	m, err := Train(context.Background(), train, TrainOptions{Features: FeatureConfig{HashBits: 15}, Epochs: 4, CalibrationFolds: -1})
	require.NoError(t, err)
	fig, err := Evaluate(context.Background(), m, test)
	require.NoError(t, err)
	// Text features alone are weak on this data; the model must still rank
	// held-out DSAT turns above chance.
	best := 0.0
	for _, op := range fig.Sweep {
		best = max(best, op.F1)
	}
	rate := float64(fig.DSAT.TP+fig.DSAT.FN) / float64(fig.Examples)
	assert.Greater(t, best, 2*rate/(1+rate), "best F1 must beat predicting everything DSAT")
}

func TestPlattFallsBack(t *testing.T) {
	assert.Equal(t, [2]float64{1, 0}, platt([]float64{1, 2}, []float64{1, 1}, []float64{1, 1}))
	ms := []float64{-3, -2, -1, -1, 0, 1, 1, 2, 3, 4}
	ys := []float64{0, 0, 0, 1, 0, 1, 0, 1, 1, 1}
	ws := []float64{1, 1, 1, 1, 1, 1, 1, 1, 1, 1}
	ab := platt(ms, ys, ws)
	assert.Greater(t, ab[0], 0.0)
}

func TestErrorsAreValues(t *testing.T) {
	_, err := Load(strings.NewReader(`{"format":"dsatmine-classifier","version":2}`))
	assert.True(t, errors.Is(err, ErrVersion))
	assert.False(t, errors.Is(err, ErrFormat))
}

// The embedded default model file is exactly what Save writes for it, so
// the digest Default seeds from the file's bytes is the one Digest would
// compute; a digest is memoised and a setter invalidates it.
func TestDefaultDigestFromFile(t *testing.T) {
	m, err := Default()
	require.NoError(t, err)
	var buf bytes.Buffer
	require.NoError(t, m.Save(&buf))
	require.True(t, bytes.Equal(buf.Bytes(), defaultModel), "classifier/models/default.json is not in Save's canonical form")
	fresh, err := Load(bytes.NewReader(defaultModel))
	require.NoError(t, err)
	require.Equal(t, fresh.Digest(), m.Digest())
	require.Equal(t, m.Digest(), fresh.Digest(), "memoised")
	before := fresh.Digest()
	fresh.SetThreshold("dsat", 0.123)
	require.NotEqual(t, before, fresh.Digest())
	fresh.SetThreshold("dsat", m.Threshold())
	require.Equal(t, before, fresh.Digest())
	fresh.SetDecision(DecisionModel)
	require.NotEqual(t, before, fresh.Digest())
	before = fresh.Digest()
	fresh.SetSourceTable([]OperatingPoint{{Threshold: 0.5, Metrics: Metrics{Precision: 0.9, Recall: 0.4, TP: 9, FP: 1, FN: 13, TN: 77}}})
	require.NotEqual(t, before, fresh.Digest())
	before = fresh.Digest()
	fresh.SetOperatingTable([]OperatingPoint{{Threshold: 0.4, Metrics: Metrics{Precision: 0.8, Recall: 0.5, TP: 8, FP: 2, FN: 8, TN: 70}}})
	require.NotEqual(t, before, fresh.Digest())
}
