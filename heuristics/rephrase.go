package heuristics

import (
	"slices"
	"unicode/utf8"

	"github.com/kljensen/snowball/english"
	"github.com/kljensen/snowball/french"
	"github.com/kljensen/snowball/hungarian"
	"github.com/kljensen/snowball/norwegian"
	"github.com/kljensen/snowball/russian"
	"github.com/kljensen/snowball/spanish"
	"github.com/kljensen/snowball/swedish"
)

// Rephrase limits. Only the first maxRephraseBytes of each message are
// tokenised, and requests longer than maxRequestBytes (pasted documents) are
// not compared at all: a re-ask is short compared with such a paste.
const (
	maxRephraseBytes = 2000
	maxRequestBytes  = 8 << 10
	maxEarlier       = 2       // earlier user requests compared, newest first
	minTokens        = 3       // content tokens a follow-up needs to be compared
	maxStemCache     = 1 << 15 // entries of 16 bytes
)

type stemmer struct {
	stem func(string, bool) string
	stop func(string) bool
	// tag seeds the keys this stemmer puts in a stem cache, which is
	// shared by all languages: a word's stem depends on the language.
	tag string
	// seed is the FNV-1a state after tag.
	seed uint64
}

func newStemmer(stem func(string, bool) string, stop func(string) bool, tag string) stemmer {
	return stemmer{stem: stem, stop: stop, tag: tag, seed: hashString(fnvOffset, tag)}
}

var stemmers = map[string]stemmer{
	"en": newStemmer(stemEnglish, english.IsStopWord, "en\x00"),
	"es": newStemmer(spanish.Stem, spanish.IsStopWord, "es\x00"),
	"fr": newStemmer(french.Stem, french.IsStopWord, "fr\x00"),
	"ru": newStemmer(russian.Stem, russian.IsStopWord, "ru\x00"),
	"sv": newStemmer(swedish.Stem, swedish.IsStopWord, "sv\x00"),
	"no": newStemmer(norwegian.Stem, norwegian.IsStopWord, "no\x00"),
	"hu": newStemmer(hungarian.Stem, hungarian.IsStopWord, "hu\x00"),
}

// Token sets hold 64-bit FNV-1a hashes of the tokens (stems, words or
// bigrams), sorted: comparing two sets compares integers, and a cached stem
// is a map lookup by integer without building a string. Two distinct
// tokens share a hash with probability about 2^-64 per pair.
const (
	fnvOffset uint64 = 14695981039346656037
	fnvPrime  uint64 = 1099511628211
)

func hashString(h uint64, s string) uint64 {
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= fnvPrime
	}
	return h
}

func hashBytes(h uint64, b []byte) uint64 {
	for _, c := range b {
		h ^= uint64(c)
		h *= fnvPrime
	}
	return h
}

// extraStop are request words that carry no topic in any English request.
var extraStop = map[string]bool{
	"please": true, "pls": true, "plz": true, "could": true, "would": true, "can": true,
	"also": true, "let": true, "us": true, "ok": true, "okay": true, "thanks": true, "thank": true,
	"hi": true, "hey": true, "hello": true, "one": true, "give": true, "tell": true,
}

// pickStemmer chooses the stemmer for lang; for unknown languages it looks
// at the script of the text.
func pickStemmer(lang string, text []byte) (stemmer, bool) {
	if s, ok := stemmers[lang]; ok {
		return s, true
	}
	if lang != "" {
		return stemmer{}, false
	}
	// The log names no language: guess it from the text. Text in a
	// language without a stemmer is compared word by word (and by
	// character bigrams in unspaced scripts); English is the fallback.
	switch g := GuessLanguage(string(text[:min(len(text), guessBytes)])); {
	case g == "uk":
		return stemmers["ru"], true // closer than none
	case g == "" || g == "en":
	case stemmers[g].stem != nil:
		return stemmers[g], true
	default:
		return stemmer{}, false
	}
	return stemmers["en"], true
}

// tokenSet appends the sorted, de-duplicated content tokens of the
// normalised text b to dst, as hashes (see hashString): stemmed words for
// languages with a snowball stemmer, plain words otherwise, and character
// bigrams for unspaced scripts. cache maps the hash of a word, seeded with
// the stemmer's language tag, to the hash of its stem (0 for stop words).
func tokenSet(b []byte, st stemmer, hasStem bool, cache map[uint64]uint64, dst []uint64) []uint64 {
	if len(b) > maxRephraseBytes {
		b = b[:maxRephraseBytes]
	}
	start := -1
	var prevUnspaced rune
	prevAt := 0 // byte offset of prevUnspaced in b
	flush := func(end int) {
		if start < 0 {
			return
		}
		raw := b[start:end]
		start = -1
		if utf8.RuneCount(raw) < 2 && !isDigits(string(raw)) {
			return
		}
		if !hasStem {
			dst = append(dst, hashBytes(fnvOffset, raw))
			return
		}
		key := hashBytes(st.seed, raw)
		if h, ok := cache[key]; ok {
			if h != 0 {
				dst = append(dst, h)
			}
			return
		}
		w := string(raw)
		var h uint64
		if !st.stop(w) && !extraStop[w] {
			if stem := st.stem(w, false); stem != "" {
				h = max(hashString(fnvOffset, stem), 1)
			}
		}
		if len(cache) >= maxStemCache {
			clear(cache)
		}
		cache[key] = h
		if h != 0 {
			dst = append(dst, h)
		}
	}
	for i := 0; i < len(b); {
		if c := b[i]; c < utf8.RuneSelf { // ASCII fast path
			prevUnspaced = 0
			switch {
			case 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '_' || c == '\'':
				if start < 0 && c != '\'' {
					start = i
				}
			case c == '.' && start >= 0 && i+1 < len(b) && isDigits(string(b[i-1:i])) && isDigits(string(b[i+1:i+2])):
			default:
				flush(i)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRune(b[i:])
		switch {
		case isUnspacedRune(r):
			flush(i)
			if prevUnspaced != 0 {
				dst = append(dst, hashBytes(fnvOffset, b[prevAt:i+size])) // the two runes, adjacent in b
			}
			prevUnspaced, prevAt = r, i
		case isWordRune(r) || r == '\'' || r == '.' && start >= 0 && isDigits(string(b[i-1:i])) && i+1 < len(b) && isDigits(string(b[i+1:i+2])):
			prevUnspaced = 0
			if start < 0 && r != '\'' {
				start = i
			}
		default:
			prevUnspaced = 0
			flush(i)
		}
		i += size
	}
	flush(len(b))
	slices.Sort(dst)
	return slices.Compact(dst)
}

// overlap returns the size of the intersection of two sorted sets.
func overlap(a, b []uint64) int {
	n := 0
	for i, j := 0, 0; i < len(a) && j < len(b); {
		switch {
		case a[i] == b[j]:
			n++
			i++
			j++
		case a[i] < b[j]:
			i++
		default:
			j++
		}
	}
	return n
}

// similarity returns the Jaccard similarity of two sorted sets and the
// containment of a in b.
func similarity(a, b []uint64) (jaccard, containment float64) {
	if len(a) == 0 || len(b) == 0 {
		return 0, 0
	}
	n := overlap(a, b)
	return float64(n) / float64(len(a)+len(b)-n), float64(n) / float64(len(a))
}

func isDigits(w string) bool {
	for i := 0; i < len(w); i++ {
		if w[i] < '0' || w[i] > '9' {
			return false
		}
	}
	return w != ""
}
