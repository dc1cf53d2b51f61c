package dsat

import "errors"

// ErrNotExported is returned by an AnchorSink for an anchor that its format
// cannot represent (a pairwise format and an anchor without chosen). Run
// counts such anchors under SkipNoChosen and goes on.
var ErrNotExported = errors.New("dsat: anchor not representable in export format")

// EventSink receives events. EventWriter implements it.
type EventSink interface {
	WriteEvent(*Event) error
}

// AnchorSink receives anchors. AnchorWriter implements it.
type AnchorSink interface {
	WriteAnchor(*Anchor) error
}

// ExportStats counts what an AnchorWriter changed and wrote (Stats.Export).
type ExportStats struct {
	Format string `json:"format"`
	// Normalised counts records whose message lists role normalisation
	// changed; Merged the messages joined into the one before them,
	// DroppedLeading the assistant (or tool) messages dropped before the
	// first user message, and SystemMoved the system messages merged into
	// the one at position 0 from a later position.
	Normalised     int64 `json:"normalised"`
	Merged         int64 `json:"merged"`
	DroppedLeading int64 `json:"dropped_leading"`
	SystemMoved    int64 `json:"system_moved"`
	// Desirable and Undesirable count the kto rows written with label true
	// and label false (the figures TRL's KTO weights are set from).
	Desirable   int64 `json:"desirable,omitempty"`
	Undesirable int64 `json:"undesirable,omitempty"`
}

// Add adds o's counts to e (e's Format is kept).
func (e *ExportStats) Add(o *ExportStats) {
	e.Normalised += o.Normalised
	e.Merged += o.Merged
	e.DroppedLeading += o.DroppedLeading
	e.SystemMoved += o.SystemMoved
	e.Desirable += o.Desirable
	e.Undesirable += o.Undesirable
}
