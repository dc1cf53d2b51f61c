package report

import "math"

// Z95 is the standard normal quantile of a two-sided 95% interval.
const Z95 = 1.959963984540054

// Wilson returns the Wilson score interval for k successes in n trials at
// normal quantile z (Z95 for 95%). Unlike the normal approximation it stays
// inside [0,1] and is honest about small groups: 1 of 2 gives roughly
// [0.09, 0.91]. It returns (0, 1) when n is 0, and clamps k to [0, n].
func Wilson(k, n int64, z float64) (low, high float64) {
	if n <= 0 {
		return 0, 1
	}
	k = min(max(k, 0), n)
	nf := float64(n)
	p := float64(k) / nf
	z2 := z * z
	denom := 1 + z2/nf
	center := (p + z2/(2*nf)) / denom
	half := z * math.Sqrt(p*(1-p)/nf+z2/(4*nf*nf)) / denom
	low, high = center-half, center+half
	// The bounds are exactly 0 and 1 at the extremes; keep rounding error out.
	if k == 0 {
		low = 0
	}
	if k == n {
		high = 1
	}
	return max(low, 0), min(high, 1)
}

// Proportion is k of n with its 95% Wilson interval. Rate, Low and High are
// rounded to four decimals; they are 0 when N is 0.
type Proportion struct {
	K    int64   `json:"k"`
	N    int64   `json:"n"`
	Rate float64 `json:"rate"`
	Low  float64 `json:"low"`
	High float64 `json:"high"`
}

// NewProportion returns k of n with its 95% Wilson interval.
func NewProportion(k, n int64) Proportion {
	p := Proportion{K: k, N: n}
	if n > 0 {
		lo, hi := Wilson(k, n, Z95)
		p.Rate, p.Low, p.High = round4(float64(k)/float64(n)), round4(lo), round4(hi)
	}
	return p
}

func round4(f float64) float64 { return math.Round(f*1e4) / 1e4 }
