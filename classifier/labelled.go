package classifier

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/dsatmine/dsatmine/conversation"
	"github.com/dsatmine/dsatmine/labelled"
)

// ReadExamples reads labelled conversations (JSON Lines, optionally gzip- or
// zstd-compressed; docs/records.md) from r with labelled.Reader and
// returns their labelled turns as examples with Set set to name. sig, when
// not nil, supplies heuristic signals. A bad line is returned as the
// reader's *conversation.ParseError; a label that does not point at a user
// follow-up as an error wrapping ErrLabel.
func ReadExamples(ctx context.Context, r io.Reader, name string, sig SignalFunc) ([]Example, error) {
	lr := labelled.NewReader(r, name)
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
		src, aid := SourceOf(l.Source)
		for i := range ex {
			ex[i].Set = name
			ex[i].Source, ex[i].Aid = src, aid
			ex[i].Turn.Conv.Location = conversation.Location{File: name}
		}
		out = append(out, ex...)
	}
}

// AidPrefix starts the source name of labelled sets this project wrote to
// cover cases (training aids), as opposed to conversations logged from
// real users.
const AidPrefix = "dsatmine"

// SourceOf returns the source group of a labelled record's "source" field
// (the part before the first "/") and whether it is a training aid (see
// Example.Aid).
func SourceOf(source string) (group string, aid bool) {
	group, _, _ = strings.Cut(source, "/")
	return group, strings.HasPrefix(group, AidPrefix)
}
