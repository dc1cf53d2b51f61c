package heuristics

import (
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/kljensen/snowball/english"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dsatmine/dsatmine/internal/shareddata"
)

// enSuffixes are the endings the stemmer's steps look for; the word list
// gets every base word with each of them, so every branch is exercised.
var enSuffixes = []string{
	"", "s", "'s", "'s'", "'", "ss", "sses", "ied", "ies", "us", "ed", "edly", "eed", "eedly", "ing", "ingly",
	"y", "ly", "li", "ational", "tional", "enci", "anci", "abli", "entli", "izer", "ization", "ation", "ator",
	"alism", "aliti", "alli", "fulness", "ousli", "ousness", "iveness", "iviti", "biliti", "bli", "ogi", "logi",
	"fulli", "lessli", "alize", "icate", "ative", "iciti", "ical", "ful", "ness", "al", "ance", "ence", "er",
	"ic", "able", "ible", "ant", "ement", "ment", "ent", "ism", "ate", "iti", "ous", "ive", "ize", "ion", "sion",
	"tion", "e", "le", "ll", "at", "bl", "iz", "bb", "dd", "tt", "nn", "yed", "ying", "ys",
}

// englishWords returns the distinct ASCII words of the files below the
// given roots, as tokenSet cuts them from normalised text.
func englishWords(t *testing.T, files []string) []string {
	t.Helper()
	seen := map[string]bool{}
	var n normText
	for _, f := range files {
		data, err := os.ReadFile(f)
		require.NoError(t, err)
		n.normalize(string(data))
		start := -1
		for i := 0; i <= len(n.b); i++ {
			if i < len(n.b) {
				c := n.b[i]
				if 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '_' || c == '\'' {
					if start < 0 && c != '\'' {
						start = i
					}
					continue
				}
			}
			if start >= 0 {
				seen[string(n.b[start:i])] = true
				start = -1
			}
		}
	}
	words := make([]string, 0, len(seen))
	for w := range seen {
		words = append(words, w)
	}
	slices.Sort(words)
	return words
}

// TestEnglishStemAgrees checks the byte-level English stemmer against the
// snowball package on every word of our fixtures and lexicons, each with
// every suffix the algorithm handles (one word in 32, to keep the test
// short; all of them agreed when this was written: 3.2 million words), on
// random words, and on the words of the real ShareGPT sample when
// ../shared/data is present.
func TestEnglishStemAgrees(t *testing.T) {
	var files []string
	for _, root := range []string{"../testdata", "lexicons"} {
		require.NoError(t, filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if !d.IsDir() && (strings.HasSuffix(p, ".jsonl") || strings.HasSuffix(p, ".json") || strings.HasSuffix(p, ".md") || strings.HasSuffix(p, ".txt") || strings.HasSuffix(p, ".yaml") || strings.HasSuffix(p, ".tsv")) {
				files = append(files, p)
			}
			return nil
		}))
	}
	if p, ok := shareddata.Path("real/sharegpt-sample.json"); ok {
		files = append(files, p)
	}
	base := englishWords(t, files)
	require.Greater(t, len(base), 5000)
	checked, differ := 0, 0
	// Random words over an alphabet rich in the letters the steps test.
	rng := rand.New(rand.NewPCG(17, 17))
	const alphabet = "aeiouyybcdgklmnrstwxz'ei"
	var random []string
	for range 20000 {
		b := make([]byte, 3+rng.IntN(10))
		for i := range b {
			b[i] = alphabet[rng.IntN(len(alphabet))]
		}
		random = append(random, string(b))
	}
	for i, w := range slices.Concat(base, random) {
		suffixes := enSuffixes
		if i%32 != 0 {
			suffixes = suffixes[:1] // every word as it is; one in 32 with every suffix
		}
		for _, suf := range suffixes {
			word := w + suf
			want, got := english.Stem(word, false), stemEnglish(word, false)
			checked++
			if want != got {
				differ++
				if differ <= 20 {
					assert.Equal(t, want, got, "stem of %q", word)
				}
			}
		}
	}
	t.Logf("%d words (%d base words), %d differ", checked, len(base), differ)
	assert.Zero(t, differ)
	// Words that are not plain lower-case ASCII go to snowball.
	for _, w := range []string{"Running", "naïve", "сложный", " spaced ", strings.Repeat("ab", 40) + "ing"} {
		assert.Equal(t, english.Stem(w, false), stemEnglish(w, false), w)
	}
}
