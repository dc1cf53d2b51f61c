package eval

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dsatmine/dsatmine/conversation"
	"github.com/dsatmine/dsatmine/dsat"
	"github.com/dsatmine/dsatmine/internal/minertest"
	"github.com/dsatmine/dsatmine/internal/shareddata"
	"github.com/dsatmine/dsatmine/labelled"
)

type labelledSlice struct {
	ls []*labelled.Record
	i  int
}

func (s *labelledSlice) Next(context.Context) (*labelled.Record, error) {
	if s.i >= len(s.ls) {
		return nil, io.EOF
	}
	s.i++
	return s.ls[s.i-1], nil
}

func labelledConv(id string, texts []string, labels ...labelled.Label) *labelled.Record {
	l := &labelled.Record{ID: id, Source: "test", Labels: labels}
	for i, t := range texts {
		role := conversation.User
		if i%2 == 1 {
			role = conversation.Assistant
		}
		l.Messages = append(l.Messages, conversation.Message{Role: role, Content: t})
	}
	return l
}

func evalFixture() *labelledSlice {
	return &labelledSlice{ls: []*labelled.Record{
		labelledConv("L1", []string{"q", "a", "x #complaint=0.9", "b", "y #sat=0.8"},
			labelled.Label{Turn: 2, DSAT: true, Categories: []string{"complaint"}},
			labelled.Label{Turn: 4, SAT: true}),
		labelledConv("L2", []string{"q", "a", "x #preference=0.6", "b", "plain words"},
			labelled.Label{Turn: 2, DSAT: true, Categories: []string{"correction"}},
			labelled.Label{Turn: 4, DSAT: true, Categories: []string{"complaint"}}),
		labelledConv("L3", []string{"q", "a", "x #complaint=0.3", "b", "y #refinement=0.7"},
			labelled.Label{Turn: 2},
			labelled.Label{Turn: 4},
			labelled.Label{Turn: 0}),
	}}
}

func TestEvaluateHandComputed(t *testing.T) {
	var preds []Prediction
	rep, err := Evaluate(context.Background(), minertest.NewMiner(t, nil), evalFixture(), "fixture", func(p Prediction) error {
		preds = append(preds, p)
		return nil
	})
	require.NoError(t, err)
	assert.Equal(t, 3, rep.Conversations)
	assert.Equal(t, 7, rep.Turns)
	assert.Equal(t, 1, rep.Unmatched)

	assert.Equal(t, Binary{TP: 2, FP: 1, FN: 1, TN: 3, Precision: 0.6667, Recall: 0.6667, F1: 0.6667}, rep.DSAT)
	assert.Equal(t, Binary{TP: 1, TN: 6, Precision: 1, Recall: 1, F1: 1}, rep.SAT)
	assert.Equal(t, Binary{TP: 1, FN: 1, Precision: 1, Recall: 0.5, F1: 0.6667}, rep.Categories["complaint"])
	assert.Equal(t, Binary{FN: 1}, rep.Categories["correction"])
	assert.Equal(t, Binary{FP: 1}, rep.Categories["preference"])
	assert.NotContains(t, rep.Categories, "refinement", "L3's false positive carries no gold categories")

	assert.Equal(t, 2, rep.Confusion["dsat"]["dsat"])
	assert.Equal(t, 1, rep.Confusion["dsat"]["neither"])
	assert.Equal(t, 1, rep.Confusion["sat"]["sat"])
	assert.Equal(t, 2, rep.Confusion["neither"]["neither"])
	assert.Equal(t, 1, rep.Confusion["neither"]["dsat"])

	require.Len(t, rep.Sweep, 17)
	assert.Equal(t, 0.1, rep.Sweep[0].Threshold)
	assert.Equal(t, 0.9, rep.Sweep[16].Threshold)
	at := func(th float64) SweepPoint {
		for _, s := range rep.Sweep {
			if s.Threshold == th {
				return s
			}
		}
		t.Fatalf("no sweep point %v", th)
		return SweepPoint{}
	}
	s := at(0.3)
	assert.Equal(t, [3]int{2, 2, 1}, [3]int{s.TP, s.FP, s.FN})
	assert.Equal(t, 0.5, s.Precision)
	s = at(0.75)
	assert.Equal(t, [3]int{1, 0, 2}, [3]int{s.TP, s.FP, s.FN})
	assert.Equal(t, 0.3333, s.Recall)
	s = at(0.5)
	assert.Equal(t, rep.DSAT.TP, s.TP, "the sweep at the default threshold matches the decision")
	assert.Equal(t, rep.DSAT.FP, s.FP)

	require.Len(t, preds, 7)
	assert.Equal(t, Prediction{ID: "L1", Turn: 2, DSAT: true, Categories: []string{"complaint"}, Score: 0.9}, preds[0])
	assert.Equal(t, Prediction{ID: "L1", Turn: 4, SAT: true, Categories: []string{}}, preds[1])
	assert.Equal(t, Prediction{ID: "L3", Turn: 2, Categories: []string{}, Score: 0.3}, preds[4])

	// Merging a report with itself doubles counts and keeps the metrics.
	all := NewScorecard("overall")
	all.Merge(rep)
	all.Merge(rep)
	assert.Equal(t, 14, all.Turns)
	assert.Equal(t, 4, all.DSAT.TP)
	assert.Equal(t, rep.DSAT.F1, all.DSAT.F1)
	assert.Equal(t, 4, all.Confusion["dsat"]["dsat"])

	var text bytes.Buffer
	require.NoError(t, rep.WriteText(&text))
	for _, want := range []string{"fixture", "DSAT", "SAT", "complaint", "gold \\ predicted", "threshold", "0.667"} {
		assert.Contains(t, text.String(), want)
	}
	_, err = json.Marshal(rep)
	require.NoError(t, err)
}

func TestEvaluateBundledLabelledSet(t *testing.T) {
	f, err := os.Open("../testdata/labelled/en.jsonl")
	if os.IsNotExist(err) {
		t.Skip("bundled labelled set not present yet")
	}
	require.NoError(t, err)
	defer f.Close()
	m, err := dsat.NewMiner(dsat.DefaultConfig())
	require.NoError(t, err)
	rep, err := Evaluate(context.Background(), m, labelled.NewReader(f, f.Name()), "en", nil)
	require.NoError(t, err)
	assert.Positive(t, rep.Turns)
	gold := rep.DSAT.TP + rep.DSAT.FN
	assert.Positive(t, gold, "the bundled set has DSAT turns")
	total := 0
	for _, row := range rep.Confusion {
		for _, n := range row {
			total += n
		}
	}
	assert.Equal(t, rep.Turns, total)
}

func TestEvaluateSharedDev(t *testing.T) {
	p := shareddata.Require(t, "dev/sharegpt-dev.jsonl")
	f, err := os.Open(p)
	require.NoError(t, err)
	defer f.Close()
	m, err := dsat.NewMiner(dsat.DefaultConfig())
	require.NoError(t, err)
	rep, err := Evaluate(context.Background(), m, labelled.NewReader(f, p), "sharegpt-dev", nil)
	require.NoError(t, err)
	assert.Equal(t, 910, rep.Turns)
	var text strings.Builder
	require.NoError(t, rep.WriteText(&text))
	t.Log("\n" + text.String())
}
