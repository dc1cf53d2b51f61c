package conversation

import (
	"context"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// RecordReader hands over the raw records of any container and accounts for
// each one as its caller reports it: kept, skipped by the caller, or skipped
// by the container (too large), so that Records = Kept + the sum of Skipped.
func TestRecordReaderAccounting(t *testing.T) {
	in := `[{"a": 1}, {"a": "` + strings.Repeat("x", 100) + `"}, {"b": 2}, {"a": "caf` + "\xff" + `"}]`
	r := NewRecordReader(strings.NewReader(in), "x.json")
	r.MaxRecordSize = 64
	var skipped []string
	r.OnSkip = func(pe *ParseError) { skipped = append(skipped, pe.Reason) }
	var got []string
	for {
		raw, loc, err := r.Next(context.Background())
		if err == io.EOF {
			break
		}
		require.NoError(t, err)
		got = append(got, fmt.Sprintf("%d:%s", loc.Row, raw))
		if strings.Contains(string(raw), `"b"`) {
			require.NoError(t, r.Skip(NewParseError(loc, ReasonUnknownFormat, ErrUnknownFormat)))
			continue
		}
		r.Keep("demo", 2)
	}
	assert.Equal(t, []string{`1:{"a": 1}`, `3:{"b": 2}`, "4:{\"a\": \"caf\uFFFD\"}"}, got)
	assert.Equal(t, []string{ReasonRecordTooLarge, ReasonUnknownFormat}, skipped)
	st := r.Stats()
	assert.EqualValues(t, 4, st.Records)
	assert.EqualValues(t, 2, st.Kept)
	assert.EqualValues(t, 2, st.Conversations)
	assert.EqualValues(t, 4, st.Messages)
	assert.Equal(t, map[string]int64{ReasonRecordTooLarge: 1, ReasonUnknownFormat: 1}, st.Skipped)
	assert.Equal(t, map[string]int64{"demo": 2}, st.Formats)
	assert.Equal(t, map[string]int64{ReasonInvalidUTF8: 1}, st.Repaired)
	require.NoError(t, r.Close())

	// Strict: the container's bad record and the caller's are returned.
	r = NewRecordReader(strings.NewReader(in), "x.json")
	r.Strict, r.MaxRecordSize = true, 64
	_, _, err := r.Next(context.Background())
	require.NoError(t, err)
	r.Keep("demo", 1)
	_, _, err = r.Next(context.Background())
	var pe *ParseError
	require.ErrorAs(t, err, &pe)
	assert.Equal(t, ReasonRecordTooLarge, pe.Reason)
	_, loc, err := r.Next(context.Background())
	require.NoError(t, err)
	assert.Error(t, r.Skip(NewParseError(loc, ReasonUnknownFormat, ErrUnknownFormat)))
	_, _, err = r.Next(context.Background())
	require.ErrorAs(t, err, &pe)
	assert.Equal(t, ReasonInvalidUTF8, pe.Reason)
	assert.EqualValues(t, 4, r.Stats().Records)
}
