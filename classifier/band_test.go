package classifier

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/require"
)

// bandTable builds an operating table over 100 follow-ups whose
// probabilities are spread over the grid: pos[i] and neg[i] follow-ups at
// probability (i+1)/100.
func bandTable(pos, neg map[int]int) []OperatingPoint {
	var t []OperatingPoint
	totalPos, totalNeg := 0, 0
	for _, n := range pos {
		totalPos += n
	}
	for _, n := range neg {
		totalNeg += n
	}
	for i := range 99 {
		thr := float64(i+1) / 100
		var m Metrics
		for k, n := range pos {
			if k >= i {
				m.TP += n
			}
		}
		for k, n := range neg {
			if k >= i {
				m.FP += n
			}
		}
		m.FN, m.TN = totalPos-m.TP, totalNeg-m.FP
		t = append(t, OperatingPoint{Threshold: thr, Metrics: m})
	}
	return t
}

func TestUncertainBandGrowsWhereTheModelErrs(t *testing.T) {
	// Probabilities (grid index k means (k+1)/100): the model decides at 0.5.
	pos := map[int]int{9: 5, 39: 10, 59: 10, 89: 20}
	neg := map[int]int{9: 30, 39: 5, 59: 10, 89: 2, 0: 8}
	table := bandTable(pos, neg)
	b, err := uncertainBand(table, 0.5, 0.25)
	require.NoError(t, err)
	// 0.40 (15 follow-ups, 10 errors) and 0.60 (20, 10 errors) fit in 25;
	// 0.40 is taken first (higher error rate), then nothing else fits.
	require.Equal(t, 0.4, b.Low)
	require.Equal(t, 0.5, b.High, "the empty bins up to the centre join")
	require.InDelta(t, 0.15, b.Share, 1e-9)
	require.InDelta(t, 10.0/15, b.ModelErrors, 1e-9)

	b, err = uncertainBand(table, 0.5, 0.4)
	require.NoError(t, err)
	require.Equal(t, 0.4, b.Low)
	require.Equal(t, 0.61, b.High)
	require.InDelta(t, 0.35, b.Share, 1e-9)

	b, err = uncertainBand(table, 0.5, 1)
	require.NoError(t, err)
	require.Equal(t, 0.01, b.Low, "the lowest follow-ups sit at 0.01")
	require.Equal(t, 0.91, b.High, "up to the highest follow-up, not over the empty top of the range")
	require.InDelta(t, 1, b.Share, 1e-9)

	_, err = uncertainBand(table, 0.5, 0.1)
	require.Error(t, err, "no bin fits in 10 follow-ups")
	_, err = uncertainBand(table, 0.5, 0)
	require.Error(t, err)
}

func TestUncertainBandNeedsCounts(t *testing.T) {
	m := &Model{}
	_, err := m.UncertainBand(0.5, 0.3)
	require.ErrorIs(t, err, ErrNoTable)

	d, err := Default()
	require.NoError(t, err)
	b, err := d.UncertainBand(d.Threshold(), 0.3)
	require.NoError(t, err)
	require.LessOrEqual(t, b.Share, 0.3)
	require.Greater(t, b.Share, 0.2)
	require.True(t, b.Low <= d.Threshold() && d.Threshold() < b.High)

	// A model file written before the tn column: no shares.
	var buf bytes.Buffer
	require.NoError(t, d.Save(&buf))
	old := bytes.ReplaceAll(buf.Bytes(), []byte(`"operating_table":[[`), []byte(`"operating_table_":[[`))
	m2, err := Load(bytes.NewReader(old))
	require.NoError(t, err)
	_, err = m2.UncertainBand(0.5, 0.3)
	require.ErrorIs(t, err, ErrNoTable)
}

func TestUncertainBandKeepsConfidentDecisions(t *testing.T) {
	// At 0.90 and above the model is right 40 times in 41: no judge there.
	pos := map[int]int{9: 5, 39: 10, 59: 10, 89: 20, 95: 20}
	neg := map[int]int{9: 30, 39: 5, 59: 10, 89: 1, 0: 8}
	table := bandTable(pos, neg)
	b, err := uncertainBand(table, 0.5, 1)
	require.NoError(t, err)
	require.Equal(t, 0.01, b.Low)
	require.Equal(t, 0.61, b.High, "the band stops below the confident top")
	require.InDelta(t, 78.0/119, b.Share, 1e-9)

	// One more error at 0.96 makes the top no longer confident.
	neg[95] = 2
	b, err = uncertainBand(bandTable(pos, neg), 0.5, 1)
	require.NoError(t, err)
	require.Equal(t, 0.97, b.High)
}
