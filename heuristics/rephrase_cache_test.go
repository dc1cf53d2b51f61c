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
