package conversation

import (
	"context"
	"io"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dsatmine/dsatmine/internal/badinput"
)

// reasonSentinel maps every ParseError reason the corpus expects to the
// sentinel error that errors.Is must find.
var reasonSentinel = map[string]error{
	ReasonInvalidJSON:       ErrInvalidJSON,
	ReasonWrongType:         ErrWrongType,
	ReasonUnknownRole:       ErrUnknownRole,
	ReasonUnknownFormat:     ErrUnknownFormat,
	ReasonRecordTooLarge:    ErrRecordTooLarge,
	ReasonInvalidUTF8:       ErrInvalidUTF8,
	ReasonEmptyConversation: ErrEmptyConversation,
	ReasonTruncated:         ErrTruncated,
	ReasonCorruptCompress:   ErrCorruptCompression,
	ReasonMissingColumn:     ErrUnknownFormat,
	ReasonInvalidParquet:    ErrInvalidParquet,
}

// TestBadInputCorpus walks testdata/badinput/MANIFEST.tsv. In strict mode
// every file gives the typed error with its reason and location (after the
// good records before it); in lenient mode the bad records are skipped and
// counted by reason, every good record is still read, and the reader's
// counts balance.
func TestBadInputCorpus(t *testing.T) {
	dir, err := badinput.Dir()
	require.NoError(t, err)
	entries, err := badinput.Load(dir)
	require.NoError(t, err)
	require.GreaterOrEqual(t, len(entries), 40, "the corpus has at least 40 inputs")
	reasons := map[string]bool{}
	for _, e := range entries {
		reasons[e.Reason] = true
		t.Run(e.File, func(t *testing.T) {
			if e.Generated && testing.Short() {
				t.Skip("generated input of 100 MB")
			}
			path := filepath.Join(dir, e.File)
			sentinel, known := reasonSentinel[e.Reason]
			require.True(t, e.Reason == "" || known, "manifest reason %q", e.Reason)

			// Strict.
			in, err := badinput.Open(dir, e)
			require.NoError(t, err)
			defer in.Close()
			r := NewReader(in, path)
			r.Strict = true
			var before int
			for {
				c, err := r.Next(context.Background())
				if err == io.EOF {
					require.Empty(t, e.Reason, "strict reading of %s succeeded; want %s", e.File, e.Reason)
					if e.Good >= 0 {
						assert.Equal(t, e.Good, before)
					}
					break
				}
				if err != nil {
					require.NotEmpty(t, e.Reason, "unexpected error: %v", err)
					var pe *ParseError
					require.ErrorAs(t, err, &pe, "strict error is a *ParseError: %v", err)
					assert.Equal(t, e.Reason, pe.Reason, "%v", err)
					assert.ErrorIs(t, err, sentinel)
					assert.Equal(t, path, pe.File)
					if e.Line >= 0 {
						assert.Equal(t, e.Line, pe.Line, "line of %v", err)
					} else {
						assert.Positive(t, pe.Line, "line of %v", err)
					}
					if e.Row >= 0 {
						assert.Equal(t, e.Row, pe.Row, "row of %v", err)
					}
					assert.True(t, strings.HasPrefix(err.Error(), path), "message names the file: %v", err)
					break
				}
				require.True(t, isGood(c, e), "only good records before the first error, got %s", c.ID)
				before++
			}
			require.NoError(t, in.Close())

			// Lenient.
			in, err = badinput.Open(dir, e)
			require.NoError(t, err)
			defer in.Close()
			r = NewReader(in, path)
			var skipped []*ParseError
			r.OnSkip = func(pe *ParseError) { skipped = append(skipped, pe) }
			var convs []*Conversation
			for {
				c, err := r.Next(context.Background())
				if err == io.EOF {
					break
				}
				require.NoError(t, err, "a lenient reader only fails on I/O errors")
				convs = append(convs, c)
			}
			st := r.Stats()
			if e.Good >= 0 {
				assert.Len(t, convs, e.Good, "good conversations")
			} else {
				assert.Positive(t, len(convs), "records before the stream broke are read")
			}
			for _, c := range convs {
				assert.True(t, isGood(c, e), "bad records are not read: %s", c.ID)
			}
			var nskipped int64
			for _, n := range st.Skipped {
				nskipped += n
			}
			assert.Equal(t, int64(e.Skipped), nskipped, "skipped records: %v", st.Skipped)
			if e.Skipped > 0 {
				require.NotEmpty(t, skipped, "OnSkip saw the skipped records")
				// Lenient readers repair invalid UTF-8 first, so what they
				// skip is judged on the repaired record.
				if e.Reason != ReasonInvalidUTF8 {
					assert.Equal(t, int64(e.Skipped), st.Skipped[e.Reason], "skipped by reason %v", st.Skipped)
					assert.Equal(t, e.Reason, skipped[0].Reason)
				}
			}
			if e.Reason == ReasonInvalidUTF8 && e.Skipped == 0 && e.Good > 0 {
				assert.Positive(t, st.Repaired[ReasonInvalidUTF8], "repairs are counted")
			}
			assert.Equal(t, st.Records, st.Kept+nskipped, "records = kept + skipped (%+v)", st)
			assert.Equal(t, int64(len(convs)), st.Conversations)
		})
	}
	for _, want := range []string{ReasonInvalidJSON, ReasonWrongType, ReasonUnknownRole, ReasonEmptyConversation,
		ReasonTruncated, ReasonCorruptCompress, ReasonInvalidUTF8, ReasonMissingColumn, ReasonRecordTooLarge, ReasonUnknownFormat} {
		assert.True(t, reasons[want], "the corpus covers %s", want)
	}
}

// isGood reports whether c comes from a good record of the corpus entry: good
// records have ids starting with "g"; records without an id (HH-RLHF) get a
// derived id, and must not come from the bad line.
func isGood(c *Conversation, e badinput.Entry) bool {
	if strings.ContainsAny(c.ID, ":#") {
		return e.Line <= 0 || c.Location.Line != e.Line
	}
	return strings.HasPrefix(c.ID, "g")
}

func TestMixedFormatErrorNamesTheFormat(t *testing.T) {
	dir, err := badinput.Dir()
	require.NoError(t, err)
	r, err := Open(filepath.Join(dir, "mixed-openai-sharegpt.jsonl"))
	require.NoError(t, err)
	defer r.Close()
	r.Strict = true
	_, err = r.Next(context.Background())
	require.NoError(t, err)
	_, err = r.Next(context.Background())
	assert.ErrorIs(t, err, ErrEmptyConversation)
	assert.ErrorContains(t, err, "looks like sharegpt, but the input is read as openai")
}
