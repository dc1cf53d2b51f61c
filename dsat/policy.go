package dsat

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/dsatmine/dsatmine/heuristics"
)

// Policy is the part of Config that decides which follow-ups become events
// and anchors, as plain values that a command line maps its flags to and
// that serialise to the workers of a distributed run.
// dsatmine's mine, eval and report commands and the Beam example use it.
type Policy struct {
	// Threshold is the score threshold of every DSAT category (Config.SetThreshold).
	Threshold float64
	// Thresholds overrides Threshold for the categories it names.
	Thresholds                map[heuristics.Category]float64 `json:",omitempty"`
	SATThreshold              float64
	MinScore                  float64
	DoubtAnchors              bool
	DoubtWeight               float64
	PushbackAnchors           bool
	CountExtensions           bool
	MaxAnchorsPerConversation int
	// TargetPrecision lets the classifier decide at the threshold whose
	// measured precision reaches it (Config.TargetPrecision; 0: off).
	TargetPrecision float64
}

// DefaultPolicy returns the policy of DefaultConfig.
func DefaultPolicy() Policy {
	def := DefaultConfig()
	const common = 0.5
	var per map[heuristics.Category]float64
	for cat, t := range def.Thresholds {
		if t != common {
			if per == nil {
				per = map[heuristics.Category]float64{}
			}
			per[cat] = t
		}
	}
	return Policy{
		Threshold:                 common,
		Thresholds:                per,
		SATThreshold:              def.SATThreshold,
		MinScore:                  def.MinScore,
		DoubtAnchors:              def.DoubtAnchors,
		DoubtWeight:               def.DoubtWeight,
		PushbackAnchors:           def.PushbackAnchors,
		CountExtensions:           def.CountExtensions,
		MaxAnchorsPerConversation: def.MaxAnchorsPerConversation,
	}
}

// Apply sets the policy's fields of cfg.
func (p Policy) Apply(cfg *Config) {
	cfg.SetThreshold(p.Threshold)
	for cat, t := range p.Thresholds {
		cfg.Thresholds[cat] = t
	}
	cfg.SATThreshold = p.SATThreshold
	cfg.MinScore = p.MinScore
	cfg.DoubtAnchors = p.DoubtAnchors
	cfg.DoubtWeight = p.DoubtWeight
	cfg.PushbackAnchors = p.PushbackAnchors
	cfg.CountExtensions = p.CountExtensions
	cfg.MaxAnchorsPerConversation = p.MaxAnchorsPerConversation
	cfg.TargetPrecision = p.TargetPrecision
}

// ParseThreshold sets the thresholds from spec: a number for every
// category ("0.6"), category=number pairs for some ("complaint=0.6,doubt=0.8";
// the others keep Threshold), or both ("0.5,complaint=0.7"). Numbers must
// lie in [0,1] and categories be among heuristics.Categories; on an error p
// is unchanged.
func (p *Policy) ParseThreshold(spec string) error {
	all, per := p.Threshold, map[heuristics.Category]float64{}
	for part := range strings.SplitSeq(spec, ",") {
		part = strings.TrimSpace(part)
		name, num, isPair := strings.Cut(part, "=")
		if !isPair {
			num = name
		}
		t, err := strconv.ParseFloat(strings.TrimSpace(num), 64)
		if err != nil || t < 0 || t > 1 {
			return fmt.Errorf("%w: threshold %q: want a number in [0,1]", ErrConfig, part)
		}
		if !isPair {
			all = t
			continue
		}
		cat := heuristics.Category(strings.ToLower(strings.TrimSpace(name)))
		if !slices.Contains(heuristics.Categories, cat) {
			return fmt.Errorf("%w: threshold %q: unknown category %q (want one of %v)", ErrConfig, part, name, heuristics.Categories)
		}
		per[cat] = t
	}
	p.Threshold = all
	p.Thresholds = nil
	if len(per) > 0 {
		p.Thresholds = per
	}
	return nil
}

// ThresholdString is the spec ParseThreshold reads back into the same
// thresholds: Threshold, then the overrides in category order.
func (p Policy) ThresholdString() string {
	parts := []string{strconv.FormatFloat(p.Threshold, 'g', -1, 64)}
	for _, cat := range heuristics.Categories {
		if t, ok := p.Thresholds[cat]; ok {
			parts = append(parts, string(cat)+"="+strconv.FormatFloat(t, 'g', -1, 64))
		}
	}
	return strings.Join(parts, ",")
}
