package dsat

import "flag"

// Policy is the part of Config that decides which follow-ups become events
// and anchors, as plain values: it can be set from command-line flags
// (RegisterFlags) and serialised to the workers of a distributed run.
// dsatmine's mine, eval and report commands and the Beam example use it.
type Policy struct {
	// Threshold is the score threshold of every DSAT category (Config.SetThreshold).
	Threshold                 float64
	SATThreshold              float64
	MinScore                  float64
	DoubtAnchors              bool
	DoubtWeight               float64
	PushbackAnchors           bool
	CountExtensions           bool
	MaxAnchorsPerConversation int
	// TargetPrecision lets the classifier decide at the threshold whose
	// out-of-fold precision reaches it (Config.TargetPrecision; 0: off).
	TargetPrecision float64
}

// DefaultPolicy returns the policy of DefaultConfig.
func DefaultPolicy() Policy {
	def := DefaultConfig()
	return Policy{
		Threshold:                 0.5,
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
	cfg.SATThreshold = p.SATThreshold
	cfg.MinScore = p.MinScore
	cfg.DoubtAnchors = p.DoubtAnchors
	cfg.DoubtWeight = p.DoubtWeight
	cfg.PushbackAnchors = p.PushbackAnchors
	cfg.CountExtensions = p.CountExtensions
	cfg.MaxAnchorsPerConversation = p.MaxAnchorsPerConversation
	cfg.TargetPrecision = p.TargetPrecision
}

// RegisterFlags defines one flag per field on fs, with p's current values
// as defaults: --threshold, --sat-threshold, --min-score, --doubt-anchors,
// --doubt-weight, --pushback-anchors, --count-extensions,
// --target-precision and --max-anchors-per-conversation.
func (p *Policy) RegisterFlags(fs *flag.FlagSet) {
	fs.Float64Var(&p.Threshold, "threshold", p.Threshold, "score threshold of every DSAT category")
	fs.Float64Var(&p.SATThreshold, "sat-threshold", p.SATThreshold, "score at which a follow-up is SAT")
	fs.Float64Var(&p.MinScore, "min-score", p.MinScore, "global operating point: anchors scoring below it are not written")
	fs.BoolVar(&p.DoubtAnchors, "doubt-anchors", p.DoubtAnchors, "doubt-only events make anchors (scored × --doubt-weight)")
	fs.Float64Var(&p.DoubtWeight, "doubt-weight", p.DoubtWeight, "score factor of doubt-only anchors")
	fs.BoolVar(&p.PushbackAnchors, "pushback-anchors", p.PushbackAnchors, "pushback-only events make anchors (off: rejecting a correct refusal teaches a model to stop refusing)")
	fs.BoolVar(&p.CountExtensions, "count-extensions", p.CountExtensions, "count refinements that only extend a good answer")
	fs.Float64Var(&p.TargetPrecision, "target-precision", p.TargetPrecision, "let the classifier (the embedded model unless --classifier names one) decide at the lowest threshold whose out-of-fold precision, stored with the model, is at least this (0 = off)")
	fs.IntVar(&p.MaxAnchorsPerConversation, "max-anchors-per-conversation", p.MaxAnchorsPerConversation, "keep at most N anchors per conversation, highest scores first (0 = unlimited)")
}
