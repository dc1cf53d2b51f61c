// Package featref keeps the classifier's feature computation as it was
// before its speed work (features.go, structure.go and cues.go of that
// time, unchanged but for the package name), so that tests can check that
// the optimised featuriser produces the same hashed features and values in
// the same order: the embedded model's weights stay valid only if it does.
// Nothing outside tests imports it.
package featref

import "github.com/dsatmine/dsatmine/heuristics"

// Featurize returns the hashed feature indices and values of t as the
// reference computation produces them.
func Featurize(cfg FeatureConfig, t *heuristics.Turn, signals []heuristics.Signal) ([]uint32, []float32) {
	f := newFeaturizer(cfg)
	sc := new(scratch)
	f.featurize(t, signals, sc)
	return sc.idx, sc.val
}
