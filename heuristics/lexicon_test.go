package heuristics

import (
	"errors"
	"math/rand"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestEmbeddedLexiconsLoad(t *testing.T) {
	langs := Languages()
	require.Contains(t, langs, "en")
	assert.True(t, slices.IsSorted(langs))
	for _, l := range langs {
		data, ok := Lexicon(l)
		require.True(t, ok, l)
		rules, err := parseLexicon(l, 0, data)
		require.NoError(t, err, l)
		assert.NotEmpty(t, rules, l)
	}
	_, ok := Lexicon("xx")
	assert.False(t, ok)

	// Every English category and guard label has rules.
	rules, err := loadLexicon("en", 0)
	require.NoError(t, err)
	have := map[string]bool{}
	for _, r := range rules {
		if r.label == labelCategory {
			have[string(r.cat)] = true
		}
		for name, l := range labelNames {
			if r.label == l {
				have[name] = true
			}
		}
	}
	for _, c := range Categories {
		assert.True(t, have[string(c)], c)
	}
	for name := range labelNames {
		assert.True(t, have[name], name)
	}
}

func TestParseLexiconErrors(t *testing.T) {
	tests := []struct{ name, src string }{
		{"fields", "complaint\t0.5"},
		{"label", "angry\t0.5\tugh"},
		{"weight range", "complaint\t1.5\tugh"},
		{"weight zero", "complaint\t0\tugh"},
		{"weight nan", "complaint\tx\tugh"},
		{"flag", "complaint\t0.5\tugh\tloud"},
		{"reply flag", "complaint\t0.5\tugh\treply"},
		{"empty pattern", "complaint\t0.5\t   "},
		{"utf8", "complaint\t0.5\t\xff"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parseLexicon("xx", 0, []byte("# header\n\n"+tt.src+"\n"))
			require.Error(t, err)
			assert.True(t, errors.Is(err, ErrLexicon))
			var le *LexiconError
			require.True(t, errors.As(err, &le))
			assert.Equal(t, 3, le.Line)
			assert.Equal(t, "xx", le.Lang)
			assert.Contains(t, err.Error(), "line 3")
		})
	}
	rules, err := parseLexicon("xx", 2, []byte("\uFEFFdoubt\t0.7\tReally?\tstart, alone\r\nrefusal\t1\tI can’t\n"))
	require.NoError(t, err)
	require.Len(t, rules, 2)
	assert.Equal(t, "really?", rules[0].pattern)
	assert.Equal(t, flagStart|flagAlone, rules[0].flags)
	assert.True(t, rules[0].checkLeft)
	assert.False(t, rules[0].checkRight)
	assert.Equal(t, "xx:1", rules[0].id)
	assert.Equal(t, "i can't", rules[1].pattern)
	assert.Equal(t, flagReply, rules[1].flags)

	_, err = NewEngine(Options{Languages: []string{"xx"}})
	assert.ErrorIs(t, err, ErrLexicon)
}

func TestNormalizeMapsBack(t *testing.T) {
	var n normText
	in := "A  “Quote”\n\n\tÉTÉ’s\xffЖ 😀"
	n.normalize(in)
	assert.Equal(t, "a \"quote\"\nété's\x00ж 😀", string(n.b))
	require.Len(t, n.start, len(n.b))
	for i := range n.b {
		s, e := n.span(i, i+1)
		require.True(t, 0 <= s && s < e && e <= len(in))
	}
	s, e := n.span(2, 9) // "quote" with its quotes
	assert.Equal(t, "“Quote”", in[s:e])

	assert.Equal(t, "don't stop", normalizePattern("  Don’t \t STOP "))
	assert.Equal(t, []string{"don't", "dont"}, patternVariants("don't"))
}

func TestAhoCorasickMatchesNaive(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	alphabet := []string{"a", "b", "c", " ", "é", "ж"}
	word := func(n int) string {
		var sb strings.Builder
		for range n {
			sb.WriteString(alphabet[rng.Intn(len(alphabet))])
		}
		return sb.String()
	}
	for round := 0; round < 50; round++ {
		pats := make([]string, 1+rng.Intn(20))
		for i := range pats {
			pats[i] = word(1 + rng.Intn(4))
		}
		m := buildAC(pats)
		text := []byte(word(200))
		got := m.scan(text, nil)
		var want []acMatch
		for end := 1; end <= len(text); end++ {
			for id, p := range pats {
				if end >= len(p) && string(text[end-len(p):end]) == p {
					want = append(want, acMatch{int32(id), int32(end - len(p)), int32(end)})
				}
			}
		}
		key := func(a, b acMatch) int {
			if a.end != b.end {
				return int(a.end - b.end)
			}
			return int(a.id - b.id)
		}
		slices.SortFunc(got, key)
		slices.SortFunc(want, key)
		require.Equal(t, want, got, "patterns %q", pats)
	}
}

func TestWordBoundaries(t *testing.T) {
	b := []byte("xno ño no_ é")
	assert.True(t, wordBefore(b, 1))
	assert.False(t, wordBefore(b, 0))
	assert.True(t, wordAfter(b, 4))
	assert.False(t, wordAfter(b, len(b)))
	assert.True(t, isUnspacedRune('错'))
	assert.False(t, isUnspacedRune('ж'))
	assert.True(t, utf8.ValidString(capText("жжж", 4)))
	assert.Equal(t, "ж", capText("жжж", 3))
	assert.Equal(t, "ж", tailText("жжж", 3))
}

func TestAtSentenceStart(t *testing.T) {
	b := []byte("ok. \"great\" and great! - great")
	assert.True(t, atSentenceStart(b, 0))
	assert.True(t, atSentenceStart(b, 5))                                           // after `. "`
	assert.False(t, atSentenceStart(b, strings.Index(string(b), "great\" and")+11)) // "great" after "and"
	assert.True(t, atSentenceStart(b, len(b)-5))                                    // after "! - "
}
