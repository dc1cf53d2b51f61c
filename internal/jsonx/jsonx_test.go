package jsonx

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestMarshalKeepsHTMLReadable(t *testing.T) {
	b, err := Marshal(map[string]string{"b": "<script>&</script>", "a": "x"})
	require.NoError(t, err)
	require.Equal(t, `{"a":"x","b":"<script>&</script>"}`, string(b))
}

func TestEncoderDoesNotEscapeHTML(t *testing.T) {
	var buf bytes.Buffer
	require.NoError(t, NewEncoder(&buf).Encode([]string{"<a>"}))
	require.Equal(t, "[\"<a>\"]\n", buf.String())
}

func TestRoundTrip(t *testing.T) {
	type rec struct {
		ID  string   `json:"id"`
		Tag []string `json:"tag"`
	}
	b, err := Marshal(rec{ID: "é😀", Tag: []string{"x"}})
	require.NoError(t, err)
	require.True(t, Valid(b))
	var got rec
	require.NoError(t, Unmarshal(b, &got))
	require.Equal(t, rec{ID: "é😀", Tag: []string{"x"}}, got)
}
