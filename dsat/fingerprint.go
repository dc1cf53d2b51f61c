package dsat

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"

	"github.com/dsatmine/dsatmine/heuristics"
)

// fingerprintVersion changes when the fingerprint's content changes.
const fingerprintVersion = 1

// Fingerprint returns a hash of everything in the miner's configuration that
// changes which events and anchors it finds: thresholds and policies, the
// engine's and classifier's names and versions, the extra detectors, the
// cascade band and the token budget, followed by extra (callers add what
// the miner cannot see, such as reader options or a model file's identity).
// Dedup and Workers are not part of it: they do not change a part.
func (m *Miner) Fingerprint(extra ...string) string {
	h := sha256.New()
	c := &m.cfg
	fmt.Fprintf(h, "v%d\x00%s\x00", fingerprintVersion, m.version)
	for _, cat := range heuristics.Categories {
		fmt.Fprintf(h, "%s=%g\x00", cat, c.Thresholds[cat])
	}
	fmt.Fprintf(h, "doubt=%t/%g pushback=%t ext=%t sat=%g min=%g max=%d clf=%g\x00",
		c.DoubtAnchors, c.DoubtWeight, c.PushbackAnchors, c.CountExtensions, c.SATThreshold,
		c.MinScore, c.MaxAnchorsPerConversation, c.ClassifierThreshold)
	for _, d := range m.detectors {
		fmt.Fprintf(h, "detector=%s\x00", d.Name())
	}
	if c.ClassifierVeto != 0 {
		fmt.Fprintf(h, "veto=%g\x00", c.ClassifierVeto)
	}
	if c.Cascade != nil {
		fmt.Fprintf(h, "cascade=%g/%g\x00", c.Cascade.Low, c.Cascade.High)
	}
	if c.JudgeBand != nil {
		fmt.Fprintf(h, "judge-band=%g/%g\x00", c.JudgeBand.Low, c.JudgeBand.High)
	}
	if c.Tokens != nil {
		fmt.Fprintf(h, "tokens=%+v\x00", *c.Tokens)
	}
	if c.DRIFTPairing {
		fmt.Fprintf(h, "drift-pairing\x00")
	}
	if c.Desirable {
		fmt.Fprintf(h, "desirable\x00")
	}
	for _, e := range extra {
		fmt.Fprintf(h, "extra=%q\x00", e)
	}
	return hex.EncodeToString(h.Sum(nil))
}
