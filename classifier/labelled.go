package classifier

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/dsatmine/dsatmine/conversation"
	"github.com/dsatmine/dsatmine/internal/jsonx"
)

// ReadExamples reads labelled conversations (JSON Lines, SPEC.md §5) from r
// and returns their labelled turns as examples with Set set to name. sig,
// when not nil, supplies heuristic signals.
func ReadExamples(ctx context.Context, r io.Reader, name string, sig SignalFunc) ([]Example, error) {
	var out []Example
	br := bufio.NewReaderSize(r, 1<<20)
	for line := 1; ; line++ {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		b, err := br.ReadBytes('\n')
		if len(b) > 0 && !blank(b) {
			var l conversation.Labelled
			if uerr := jsonx.Unmarshal(b, &l); uerr != nil {
				return nil, fmt.Errorf("%s:%d: %w", name, line, uerr)
			}
			ex, xerr := ExamplesFromLabelled(&l, sig)
			if xerr != nil {
				return nil, fmt.Errorf("%s:%d: %w", name, line, xerr)
			}
			for i := range ex {
				ex[i].Set = name
				ex[i].Turn.Conv.Location = conversation.Location{File: name, Line: line}
			}
			out = append(out, ex...)
		}
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
	}
}

func blank(b []byte) bool {
	for _, c := range b {
		if c != ' ' && c != '\t' && c != '\r' && c != '\n' {
			return false
		}
	}
	return true
}
