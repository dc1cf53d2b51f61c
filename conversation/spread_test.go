package conversation

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestReadPrettyPrintedObjects(t *testing.T) {
	convs, st, err := readFile(t, filepath.Join(formatsDir, "sharegpt-pretty.json"), nil)
	require.NoError(t, err)
	require.Len(t, convs, 2)
	assert.Equal(t, "pretty-1", convs[0].ID)
	assert.Equal(t, "user assistant user assistant", roles(convs[0]))
	assert.Equal(t, "Another one, please, and not a penguin this time.", convs[0].Messages[2].Content)
	assert.Equal(t, 1, convs[0].Location.Line)
	assert.Equal(t, 0, convs[0].Location.Row)
	assert.Equal(t, "pretty-2", convs[1].ID)
	assert.Equal(t, 22, convs[1].Location.Line)
	assert.Equal(t, int64(2), st.Records)
	assert.Equal(t, int64(1), st.FollowUps)
	assert.Empty(t, st.Skipped)
}

func TestSpreadJSONDetection(t *testing.T) {
	for _, tc := range []struct {
		head string
		want bool
	}{
		{"{\n  \"messages\": []\n}\n", true},
		{"{\"id\": 1,\n \"messages\": []}", true},
		{"{\"messages\": []}\n{\"messages\": []}\n", false},
		{"{\"messages\": [\n{\"messages\": []}\n", false}, // a cut JSON Lines record, then the next
		{"{\"messages\": \"a\nb\"}", false},               // a line break inside a string is no JSON
		{"{\"messages\": []}", false},
		{"{" + strings.Repeat(" ", 100), false}, // the first line does not end in head
	} {
		assert.Equal(t, tc.want, spreadJSON([]byte(tc.head)), "%q", tc.head)
	}
}

func TestReadPrettyPrintedTruncated(t *testing.T) {
	in := "{\n  \"messages\": [\n    {\"role\": \"user\", \"content\": \"hi\"}\n"
	r := NewReader(strings.NewReader(in), "cut.json")
	convs, err := readAll(t, r)
	require.NoError(t, err)
	assert.Empty(t, convs)
	assert.Equal(t, map[string]int64{ReasonTruncated: 1}, r.Stats().Skipped)

	r = NewReader(strings.NewReader(in), "cut.json")
	r.Strict = true
	_, err = readAll(t, r)
	var pe *ParseError
	require.True(t, errors.As(err, &pe))
	assert.Equal(t, 1, pe.Line)
	assert.ErrorIs(t, err, ErrTruncated)
}

func TestPrettyPrintedNotSplittable(t *testing.T) {
	_, err := SplitJSONL(filepath.Join(formatsDir, "sharegpt-pretty.json"), 2)
	assert.ErrorIs(t, err, ErrNotSplittable)
}
