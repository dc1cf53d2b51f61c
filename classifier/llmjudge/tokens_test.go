package llmjudge

import (
	"net/http"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func mustTime(s string) time.Time {
	t, err := http.ParseTime(s)
	if err != nil {
		panic(err)
	}
	return t
}

func testTokenizer(t *testing.T) tokenizer {
	e, err := encoding()
	require.NoError(t, err)
	return tokenizer{e}
}

func TestTruncate(t *testing.T) {
	tk := testTokenizer(t)
	short := "Make it shorter, please."
	h, n, cut := tk.head(short, 100)
	assert.Equal(t, short, h)
	assert.False(t, cut)
	assert.Equal(t, tk.count(short), n)

	long := strings.Repeat("Ünïcödé text — with 漢字 and emoji 🙂. ", 200)
	for _, limit := range []int{1, 7, 50, 333} {
		h, n, cut := tk.head(long, limit)
		assert.True(t, cut)
		assert.True(t, strings.HasPrefix(long, h))
		assert.True(t, utf8.ValidString(h))
		assert.LessOrEqual(t, tk.count(h), limit)
		assert.LessOrEqual(t, n, limit)
		assert.Greater(t, len(h), 0, "limit %d", limit)

		tl, n, cut := tk.tail(long, limit)
		assert.True(t, cut)
		assert.True(t, strings.HasSuffix(long, tl))
		assert.True(t, utf8.ValidString(tl))
		assert.LessOrEqual(t, tk.count(tl), limit+1)
		assert.LessOrEqual(t, n, limit)

		m, n := tk.middle(long+"END", limit)
		assert.True(t, strings.HasSuffix(m, "END"), "limit %d", limit)
		assert.Contains(t, m, omitted)
		assert.LessOrEqual(t, tk.count(m), limit+tk.count(omitted)+2)
	}
	m, _ := tk.middle(short, 100)
	assert.Equal(t, short, m)
}

func TestRubricVersioned(t *testing.T) {
	v, text := Rubric()
	assert.NotEmpty(t, v)
	assert.NotContains(t, text, "rubric-version")
	for _, c := range []string{"refinement", "correction", "complaint", "preference", "doubt", "pushback", "Precision", `"evidence"`} {
		assert.Contains(t, text, c)
	}
	assert.Panics(t, func() { parseRubric("no version\ntext") })
	v2, t2 := parseRubric("rubric-version: 9\n\nbody\n")
	assert.Equal(t, "9", v2)
	assert.Equal(t, "body", t2)
}
