// Package featref keeps the classifier's feature computation as the
// embedded model was trained with it, before any speed work (features.go,
// structure.go and cues.go as they were then, language-aware stems and cues
// included, unchanged but for the package name), so that tests can check that
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

// HasUpperRun is the reference hasUpperRun.
func HasUpperRun(s string) bool { return hasUpperRun(s) }

// StemSet is the reference stemSet.
func StemSet(s string) [32]uint64 { return stemSet(s) }

// Cues holds the reference cue searches by name: refusal, apology,
// revision, traceback.
var Cues = map[string]func(text string, limit int) bool{
	"refusal": refusalCues.in, "apology": apologyCues.in, "revision": revisionCues.in, "traceback": tracebackCues.in,
}

// LightStem is the reference lightStem.
func LightStem(w []byte) []byte { return lightStem(w) }
