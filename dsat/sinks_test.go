package dsat

import (
	"io"

	"github.com/dsatmine/dsatmine/internal/jsonx"
)

// lineSink writes events and anchors as JSON Lines, the records as they are
// (what export.AnchorWriter writes in the drift layout). pairsOnly makes it
// decline anchors without a chosen reply, as a pairwise layout does.
type lineSink struct {
	w         io.Writer
	pairsOnly bool
}

func newLineSink(w io.Writer) *lineSink { return &lineSink{w: w} }

func (s *lineSink) line(v any) error {
	b, err := jsonx.Marshal(v)
	if err != nil {
		return err
	}
	_, err = s.w.Write(append(b, '\n'))
	return err
}

func (s *lineSink) WriteEvent(e *Event) error { return s.line(e) }

func (s *lineSink) WriteAnchor(a *Anchor) error {
	if a.Desirable || (s.pairsOnly && len(a.Chosen) == 0) {
		return ErrNotExported
	}
	return s.line(a)
}
