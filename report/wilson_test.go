package report

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestWilsonReferenceValues(t *testing.T) {
	// Reference values of the 95% Wilson score interval (Newcombe 1998,
	// Table I, and the closed form evaluated by hand).
	cases := []struct {
		k, n    int64
		lo, hi  float64
		comment string
	}{
		{0, 10, 0, 0.2775, "no successes"},
		{1, 10, 0.0179, 0.4042, ""},
		{5, 10, 0.2366, 0.7634, "symmetric around one half"},
		{10, 10, 0.7225, 1, "all successes"},
		{1, 2, 0.0945, 0.9055, "tiny group: nearly uninformative"},
		{81, 263, 0.2553, 0.3662, "Newcombe's example"},
		{15, 148, 0.0624, 0.1605, "Newcombe's example"},
	}
	for _, c := range cases {
		lo, hi := Wilson(c.k, c.n, Z95)
		assert.InDelta(t, c.lo, lo, 5e-4, "%d/%d low %s", c.k, c.n, c.comment)
		assert.InDelta(t, c.hi, hi, 5e-4, "%d/%d high %s", c.k, c.n, c.comment)
	}
}

func TestWilsonProperties(t *testing.T) {
	lo, hi := Wilson(0, 0, Z95)
	assert.Equal(t, [2]float64{0, 1}, [2]float64{lo, hi}, "no trials: no information")

	for n := int64(1); n <= 60; n++ {
		for k := int64(0); k <= n; k++ {
			lo, hi := Wilson(k, n, Z95)
			p := float64(k) / float64(n)
			assert.True(t, 0 <= lo && lo <= p && p <= hi && hi <= 1, "%d/%d: %v %v", k, n, lo, hi)
			// Symmetry: the interval of failures mirrors that of successes.
			lo2, hi2 := Wilson(n-k, n, Z95)
			assert.InDelta(t, 1-hi, lo2, 1e-12)
			assert.InDelta(t, 1-lo, hi2, 1e-12)
		}
	}
	// More data, same rate: a narrower interval.
	prev := 2.0
	for _, n := range []int64{4, 40, 400, 4000} {
		lo, hi := Wilson(n/4, n, Z95)
		assert.Less(t, hi-lo, prev)
		prev = hi - lo
	}
	// A wider quantile gives a wider interval.
	lo90, hi90 := Wilson(7, 22, 1.6449)
	lo95, hi95 := Wilson(7, 22, Z95)
	assert.Less(t, lo95, lo90)
	assert.Greater(t, hi95, hi90)
	// Out-of-range counts are clamped.
	lo, hi = Wilson(-3, 10, Z95)
	lo0, hi0 := Wilson(0, 10, Z95)
	assert.Equal(t, [2]float64{lo0, hi0}, [2]float64{lo, hi})
}

func TestNewProportion(t *testing.T) {
	p := NewProportion(7, 28)
	assert.Equal(t, int64(7), p.K)
	assert.Equal(t, int64(28), p.N)
	assert.Equal(t, 0.25, p.Rate)
	lo, hi := Wilson(7, 28, Z95)
	assert.InDelta(t, lo, p.Low, 5e-5)
	assert.InDelta(t, hi, p.High, 5e-5)
	assert.Equal(t, Proportion{K: 0, N: 0}, NewProportion(0, 0))
}
