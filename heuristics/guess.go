package heuristics

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// guessBytes is how much of a text GuessLanguage reads.
const guessBytes = 1024

// functionWords are short, frequent words that mark a Latin-script
// language. Words shared by several of these languages are left out.
var functionWords = map[string]string{
	// English
	"the": "en", "and": "en", "is": "en", "you": "en", "it": "en", "what": "en", "how": "en",
	"this": "en", "that": "en", "of": "en", "to": "en", "with": "en", "can": "en", "not": "en",
	"are": "en", "for": "en", "my": "en", "your": "en", "i": "en", "me": "en", "do": "en",
	// Spanish
	"el": "es", "los": "es", "las": "es", "del": "es", "por": "es", "para": "es", "una": "es",
	"es": "es", "que": "es", "qué": "es", "cómo": "es", "pero": "es", "muy": "es", "y": "es",
	"lo": "es", "mi": "es", "puedes": "es", "está": "es", "más": "es", "esto": "es", "eso": "es",
	"hay": "es", "sí": "es", "gracias": "es", "como": "es",
	// French
	"le": "fr", "les": "fr", "des": "fr", "est": "fr", "et": "fr", "une": "fr", "je": "fr",
	"vous": "fr", "pas": "fr", "ce": "fr", "c'est": "fr", "pour": "fr", "avec": "fr", "qui": "fr",
	"au": "fr", "merci": "fr", "très": "fr", "il": "fr",
	// German
	"der": "de", "die": "de", "das": "de", "und": "de", "ist": "de", "ich": "de", "nicht": "de",
	"mit": "de", "ein": "de", "eine": "de", "sie": "de", "wie": "de", "auf": "de", "bitte": "de",
	"danke": "de", "kannst": "de", "was": "de", "zu": "de",
	// Portuguese
	"não": "pt", "você": "pt", "os": "pt", "da": "pt", "em": "pt", "isso": "pt", "obrigado": "pt",
	"obrigada": "pt", "muito": "pt", "pode": "pt", "são": "pt", "é": "pt", "ao": "pt",
}

// GuessLanguage returns the ISO 639-1 code of the language text is most
// likely written in, judged from its script and, for Latin script, a few
// function words and letters (ñ, ¿, ã, ß, …); "" when it cannot tell. It
// reads the first KiB only and is meant for choosing a stemmer or a
// report row when a log does not name the language, not as a language
// identifier.
func GuessLanguage(text string) string {
	if len(text) > guessBytes {
		text = capText(text, guessBytes)
	}
	var han, kana, hangul, cyr, ukr, thai, latin int
	for _, r := range text {
		switch {
		case r < utf8.RuneSelf:
			if 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' {
				latin++
			}
		case unicode.Is(unicode.Han, r):
			han++
		case unicode.In(r, unicode.Hiragana, unicode.Katakana):
			kana++
		case unicode.Is(unicode.Hangul, r):
			hangul++
		case unicode.Is(unicode.Cyrillic, r):
			cyr++
			switch r {
			case 'і', 'ї', 'є', 'ґ', 'І', 'Ї', 'Є', 'Ґ':
				ukr++
			}
		case unicode.Is(unicode.Thai, r):
			thai++
		case unicode.Is(unicode.Latin, r):
			latin++
		}
	}
	// Letters of unspaced scripts carry a word each; compare them with
	// Latin letters divided by a typical word length.
	switch best := max(han+kana, hangul, cyr, thai); {
	case best == 0 || best*4 < latin:
		// mostly Latin (or nothing): decide below
	case kana > 0 && han+kana == best:
		return "ja"
	case han == best:
		return "zh"
	case hangul == best:
		return "ko"
	case cyr == best:
		if ukr > 0 {
			return "uk"
		}
		return "ru"
	case thai == best:
		return "th"
	}
	if latin == 0 {
		return ""
	}
	langs := [...]string{"en", "es", "fr", "de", "pt"} // ties go to the earlier
	var votes [len(langs)]int
	vote := func(l string, n int) {
		for i, x := range langs {
			if x == l {
				votes[i] += n
			}
		}
	}
	for _, r := range text {
		switch r {
		case 'ñ', 'Ñ', '¿', '¡':
			vote("es", 2)
		case 'ã', 'õ', 'Ã', 'Õ':
			vote("pt", 2)
		case 'ß', 'ä', 'ö', 'ü', 'Ä', 'Ö', 'Ü':
			vote("de", 1)
		case 'è', 'ê', 'à', 'ù', 'â', 'î', 'ô', 'û', 'œ', 'ë':
			vote("fr", 1)
		}
	}
	for w := range strings.FieldsFuncSeq(text, func(r rune) bool {
		return !unicode.IsLetter(r) && r != '\''
	}) {
		if l := functionWords[w]; l != "" {
			vote(l, 1)
		} else if l := functionWords[strings.ToLower(w)]; l != "" {
			vote(l, 1)
		}
	}
	best, second := 0, 0
	for i := 1; i < len(votes); i++ {
		switch {
		case votes[i] > votes[best]:
			second, best = votes[best], i
		case votes[i] > second:
			second = votes[i]
		}
	}
	if votes[best] < 2 || votes[best] == second {
		return ""
	}
	return langs[best]
}
