package eval

import (
	"bytes"
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dsatmine/dsatmine/internal/minertest"
	"github.com/dsatmine/dsatmine/labelled"
)

func TestLabelledLanguage(t *testing.T) {
	l := labelledConv("a", []string{"¿Cómo está el tiempo en Madrid y por qué hace frío?", "Hace sol."})
	assert.Equal(t, "es", LabelledLanguage(l), "guessed from the user messages")
	l.Lang = "zh-CN"
	assert.Equal(t, "zh", LabelledLanguage(l), "the record's lang wins")
	assert.Equal(t, UnknownLanguage, LabelledLanguage(labelledConv("b", []string{"42", "43"})))
}

// Evaluating through ByLanguage splits the counts by language and the
// per-language reports add up to the overall one.
func TestByLanguage(t *testing.T) {
	src := evalFixture()
	src.ls[0].Lang = "es"
	src.ls[1].Lang = "ru"
	src.ls[2].Lang = "es"
	by := NewByLanguage()
	rep, err := Evaluate(context.Background(), minertest.NewMiner(t, nil), by.Source(src), "fixture", by.Observe)
	require.NoError(t, err)
	reps := by.Reports()
	require.Len(t, reps, 2)
	es, ru := reps[0], reps[1]
	assert.Equal(t, "es", es.Name)
	assert.Equal(t, "ru", ru.Name)
	assert.Equal(t, 2, es.Conversations)
	assert.Equal(t, 1, ru.Conversations)
	assert.Equal(t, 5, es.Turns)
	assert.Equal(t, 2, ru.Turns)
	// L1's complaint is found (es), L3's turn 4 is a false positive (es),
	// L2 has one DSAT found and one missed (ru).
	assert.Equal(t, Binary{TP: 1, FP: 1, TN: 3, Precision: 0.5, Recall: 1, F1: 0.6667}, es.DSAT)
	assert.Equal(t, Binary{TP: 1, FN: 1, Precision: 1, Recall: 0.5, F1: 0.6667}, ru.DSAT)
	sum := NewScorecard("sum")
	sum.Merge(es)
	sum.Merge(ru)
	assert.Equal(t, rep.DSAT, sum.DSAT)
	assert.Equal(t, rep.Turns, sum.Turns)

	var out bytes.Buffer
	require.NoError(t, WriteLanguageTable(&out, reps))
	assert.Contains(t, out.String(), "DSAT by language")
	assert.Regexp(t, `es\s+2\s+5\s+1\s+0\.500\s+1\.000`, out.String())
}

func TestByLanguageIgnoresForeignPredictions(t *testing.T) {
	by := NewByLanguage()
	require.NoError(t, by.Observe(Prediction{ID: "x", Turn: 2, DSAT: true}))
	_, err := by.Source(&labelledSlice{ls: []*labelled.Record{labelledConv("y", []string{"hola que tal", "bien"})}}).Next(context.Background())
	require.NoError(t, err)
	require.NoError(t, by.Observe(Prediction{ID: "x", Turn: 2, DSAT: true}))
	reps := by.Reports()
	require.Len(t, reps, 1)
	assert.Zero(t, reps[0].Turns)
}
