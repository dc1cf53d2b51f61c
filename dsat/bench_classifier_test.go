package dsat

import (
	"testing"

	"github.com/dsatmine/dsatmine/classifier"
)

// BenchmarkMineWithClassifier is BenchmarkMine with the embedded default
// classifier scoring every follow-up (no cascade).
func BenchmarkMineWithClassifier(b *testing.B) {
	m, err := classifier.Default()
	if err != nil {
		b.Fatal(err)
	}
	cfg := DefaultConfig()
	cfg.Classifier = m
	benchmarkMine(b, cfg)
}

// BenchmarkMineWithClassifierCascade scores only follow-ups inside the
// default cascade band.
func BenchmarkMineWithClassifierCascade(b *testing.B) {
	m, err := classifier.Default()
	if err != nil {
		b.Fatal(err)
	}
	cfg := DefaultConfig()
	cfg.Classifier = m
	band := DefaultCascade
	cfg.Cascade = &band
	benchmarkMine(b, cfg)
}
