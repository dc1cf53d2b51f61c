// Package minertest holds test helpers for packages built on the miner: a
// detector driven by tags in the follow-up text, so that tests decide the
// verdicts themselves, and a miner configured with it alone.
package minertest

import (
	"regexp"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dsatmine/dsatmine/dsat"
	"github.com/dsatmine/dsatmine/heuristics"
)

// TagDetector emits one signal per "#category=score" tag in the follow-up,
// with the tag as evidence: "#sat=0.9" is satisfaction, "#extension=0.8" a
// refinement marked as an extension.
type TagDetector struct{}

var tagRE = regexp.MustCompile(`#([a-z]+)=([0-9.]+)`)

// Name implements heuristics.Detector.
func (TagDetector) Name() string { return "tags" }

// Detect implements heuristics.Detector.
func (TagDetector) Detect(t *heuristics.Turn, dst []heuristics.Signal) []heuristics.Signal {
	text := t.Text()
	for _, m := range tagRE.FindAllStringSubmatchIndex(text, -1) {
		name := text[m[2]:m[3]]
		score, _ := strconv.ParseFloat(text[m[4]:m[5]], 64)
		s := heuristics.Signal{
			Polarity: heuristics.DSAT, Category: heuristics.Category(name), Score: score,
			Evidence: []heuristics.Span{{Start: m[0], End: m[1], Text: text[m[0]:m[1]]}},
			Detector: "tags", Cue: "tag " + name,
		}
		switch name {
		case "sat":
			s.Polarity, s.Category = heuristics.SAT, ""
		case "extension":
			s.Category, s.Cue = heuristics.Refinement, dsat.ExtensionCue+": tag"
		}
		dst = append(dst, s)
	}
	return dst
}

// Config is dsat.DefaultConfig with the tag detector and no lexicons.
func Config(t testing.TB) dsat.Config {
	t.Helper()
	e, err := heuristics.NewEngine(heuristics.Options{Languages: []string{}})
	require.NoError(t, err)
	cfg := dsat.DefaultConfig()
	cfg.Engine = e
	cfg.Detectors = []heuristics.Detector{TagDetector{}}
	return cfg
}

// NewMiner returns a miner with Config, changed by mod when not nil.
func NewMiner(t testing.TB, mod func(*dsat.Config)) *dsat.Miner {
	t.Helper()
	cfg := Config(t)
	if mod != nil {
		mod(&cfg)
	}
	m, err := dsat.NewMiner(cfg)
	require.NoError(t, err)
	return m
}
