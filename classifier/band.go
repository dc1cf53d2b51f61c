package classifier

import (
	"errors"
	"fmt"
	"math"
)

// ErrNoShares is returned by UncertainBand when the model's operating table
// does not say how many follow-ups lie at each threshold (a model file
// written before the table carried true negatives; retrain it).
var ErrNoShares = errors.New("classifier: the operating table has no follow-up counts (retrain the model with dsatmine train)")

// UncertainBand is a range [Low, High) of calibrated DSAT probabilities
// around a decision threshold, chosen from the out-of-fold operating table,
// with the table's figures for it.
type UncertainBand struct {
	Low, High float64
	// Share is the share of the table's follow-ups whose out-of-fold
	// probability lies in the band; ModelErrors the share of those the
	// model's own decision at the centre gets wrong.
	Share, ModelErrors float64
}

// UncertainBand returns the band of calibrated DSAT probabilities around
// center (the decision threshold) that holds at most share of the follow-ups
// of the model's out-of-fold operating table and in which the model is most
// often wrong.
//
// The table gives, at every threshold x = 0.01 … 0.99, how many DSAT and
// non-DSAT follow-ups scored at least x out of fold, so it splits the
// probability axis into bins of known size and known model error: above the
// centre the model says DSAT and its errors in a bin are the non-DSAT
// follow-ups there; below, the DSAT ones. Starting at the centre (rounded to
// the table's grid), the band grows one bin at a time on the side whose next
// non-empty bin has the higher error rate (the judge is worth the most where
// the model is wrong most often), as long as the band stays within share;
// empty bins join only on the way to a non-empty one, so the band does not
// stretch over probabilities the table never saw. Above the centre the band
// stops where the model is confident: where the out-of-fold precision at
// that threshold and at every higher one is at least ConfidentPrecision, the
// model's own DSAT decision is kept (a judge that is right nine times in ten
// would overturn more right decisions there than wrong ones), and the share
// goes to follow-ups nearer the centre. Errors wrap ErrNoTable or
// ErrNoShares.
func (m *Model) UncertainBand(center, share float64) (UncertainBand, error) {
	if len(m.table) == 0 {
		return UncertainBand{}, ErrNoTable
	}
	if !m.tableTN {
		return UncertainBand{}, ErrNoShares
	}
	return uncertainBand(m.table, center, share)
}

// ConfidentPrecision is the out-of-fold precision from which
// Model.UncertainBand leaves the model's DSAT decisions to the model.
const ConfidentPrecision = 0.95

// uncertainBand implements Model.UncertainBand over a table sorted by
// threshold whose rows all count the same follow-ups.
func uncertainBand(table []OperatingPoint, center, share float64) (UncertainBand, error) {
	if share <= 0 || share > 1 || math.IsNaN(share) {
		return UncertainBand{}, fmt.Errorf("classifier: judge share %v outside (0,1]", share)
	}
	n := len(table)
	total := table[0].TP + table[0].FP + table[0].FN + table[0].TN
	if total == 0 {
		return UncertainBand{}, ErrNoShares
	}
	// Edges: edge[0] = 0, edge[i] = table[i-1].Threshold, edge[n+1] = 1.
	// Bin i (0 … n) is [edge[i], edge[i+1]); pos[i] and neg[i] count the
	// DSAT and non-DSAT follow-ups in it.
	edge := make([]float64, n+2)
	pos := make([]int, n+1)
	neg := make([]int, n+1)
	atLeast := func(i int) (int, int) { // follow-ups at or above edge[i]
		switch {
		case i == 0:
			return table[0].TP + table[0].FN, table[0].FP + table[0].TN
		case i > n:
			return 0, 0
		}
		return table[i-1].TP, table[i-1].FP
	}
	for i := 1; i <= n; i++ {
		edge[i] = table[i-1].Threshold
	}
	edge[n+1] = 1
	for i := 0; i <= n; i++ {
		p0, n0 := atLeast(i)
		p1, n1 := atLeast(i + 1)
		pos[i], neg[i] = max(p0-p1, 0), max(n0-n1, 0)
	}
	// The band is bins [lo, hi); it starts empty at the edge nearest center.
	k := 0
	for i := range edge {
		if math.Abs(edge[i]-center) < math.Abs(edge[k]-center) {
			k = i
		}
	}
	// Bins from confident up are kept out of the band: every threshold at or
	// above their lower edge has out-of-fold precision >= ConfidentPrecision.
	confident := n + 1
	for i := n; i >= max(k, 1); i-- {
		r := table[i-1]
		if r.TP+r.FP > 0 && float64(r.TP) < ConfidentPrecision*float64(r.TP+r.FP) {
			break
		}
		confident = i
	}
	errorsIn := func(i int) int {
		if edge[i] >= edge[k] {
			return neg[i] // the model says DSAT here
		}
		return pos[i]
	}
	rate := func(i int) float64 { return float64(errorsIn(i)) / float64(pos[i]+neg[i]) }
	budget := int(math.Floor(share*float64(total) + 1e-9))
	lo, hi, used, wrong := k, k, 0, 0
	for {
		// The next non-empty bin on either side; the empty bins between
		// it and the band join the band with it.
		down, up := lo-1, hi
		for down >= 0 && pos[down]+neg[down] == 0 {
			down--
		}
		for up <= n && pos[up]+neg[up] == 0 {
			up++
		}
		fits := func(i int) bool { return i >= 0 && i < confident && used+pos[i]+neg[i] <= budget }
		okDown, okUp := fits(down), fits(up)
		var next int
		switch {
		case okDown && okUp:
			next = up
			if rate(down) > rate(up) {
				next = down
			}
		case okDown:
			next = down
		case okUp:
			next = up
		default:
			b := UncertainBand{Low: edge[lo], High: edge[hi], Share: float64(used) / float64(total)}
			if used > 0 {
				b.ModelErrors = float64(wrong) / float64(used)
			}
			if hi == n+1 {
				b.High = math.Nextafter(1, 2) // include probability 1
			}
			if used == 0 {
				return b, fmt.Errorf("classifier: a judge share of %v holds no bin of the operating table around %.2f", share, center)
			}
			return b, nil
		}
		used += pos[next] + neg[next]
		wrong += errorsIn(next)
		if next == up {
			hi = up + 1
		} else {
			lo = down
		}
	}
}
