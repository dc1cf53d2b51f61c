package heuristics

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// The stem cache is shared by every language a pooled scratch sees: a word
// must get the stem of the language being analysed, not of the language
// that put it in the cache first. Otherwise results depend on which
// conversations a scratch saw before, and so on the number of goroutines.
func TestStemCacheKeepsLanguagesApart(t *testing.T) {
	text := []byte("les documents des questions were the answers")
	fresh := func(lang string) []uint64 {
		return tokenSet(text, stemmers[lang], true, map[uint64]uint64{}, nil)
	}
	for _, order := range [][]string{{"en", "fr", "es"}, {"fr", "en", "ru"}, {"es", "fr", "en"}} {
		cache := map[uint64]uint64{}
		for _, lang := range order {
			got := tokenSet(text, stemmers[lang], true, cache, nil)
			assert.Equal(t, fresh(lang), got, "%s after %v", lang, order)
		}
	}
	assert.NotEqual(t, fresh("en"), fresh("fr"), "the languages stem these words differently")
}

// The request cache returns what a fresh tokenisation gives, for the same
// text under another stemmer too.
func TestRequestTokensCache(t *testing.T) {
	texts := []string{"les documents des questions were the answers", "please write the questions again", "les documents des questions were the answers"[:20]}
	sc := new(scratch)
	sc.stems = map[uint64]uint64{}
	for round := 0; round < 3; round++ {
		for _, text := range texts {
			for _, lang := range []string{"en", "fr"} {
				var n normText
				n.normalize(capText(text, maxRephraseBytes))
				want := tokenSet(n.b, stemmers[lang], true, map[uint64]uint64{}, nil)
				got := sc.requestTokens(text, stemmers[lang], true)
				assert.Equal(t, want, got, "%q %s round %d", text, lang, round)
				var m normText
				m.normalize(capText(text, maxRephraseBytes))
				assert.Equal(t, tokenSet(m.b, stemmers[lang], false, nil, nil), sc.requestTokens(text, stemmers[lang], false), "unstemmed")
			}
		}
	}
}
