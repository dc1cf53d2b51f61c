package classifier

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/dsatmine/dsatmine/conversation"
)

// ReadExamples reads labelled conversations (JSON Lines, optionally gzip- or
// zstd-compressed; SPEC.md §5) from r with conversation.LabelledReader and
// returns their labelled turns as examples with Set set to name. sig, when
// not nil, supplies heuristic signals. A bad line is returned as the
// reader's *conversation.ParseError; a label that does not point at a user
// follow-up as an error wrapping ErrLabel.
func ReadExamples(ctx context.Context, r io.Reader, name string, sig SignalFunc) ([]Example, error) {
	lr := conversation.NewLabelledReader(r, name)
	defer lr.Close()
	var out []Example
	for {
		l, err := lr.Next(ctx)
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		ex, err := ExamplesFromLabelled(l, sig)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		for i := range ex {
			ex[i].Set = name
			ex[i].Turn.Conv.Location = conversation.Location{File: name}
		}
		out = append(out, ex...)
	}
}
