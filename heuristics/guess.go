package heuristics

import (
	"unicode"
	"unicode/utf8"
)

// guessBytes is how much of a text GuessLanguage reads for its script;
// guessWordBytes how much of it it reads for function words.
const (
	guessBytes     = 1024
	guessWordBytes = 300
)

// functionWords are short, frequent words that mark a Latin-script
// language. Words shared by several of these languages are left out.
var functionWords = map[string]int{
	// English
	"the": langEN, "and": langEN, "is": langEN, "you": langEN, "it": langEN, "what": langEN, "how": langEN,
	"this": langEN, "that": langEN, "of": langEN, "to": langEN, "with": langEN, "can": langEN, "not": langEN,
	"are": langEN, "for": langEN, "my": langEN, "your": langEN, "i": langEN, "me": langEN, "do": langEN,
	// Spanish
	"el": langES, "los": langES, "las": langES, "del": langES, "por": langES, "para": langES, "una": langES,
	"es": langES, "que": langES, "qué": langES, "cómo": langES, "pero": langES, "muy": langES, "y": langES,
	"lo": langES, "mi": langES, "puedes": langES, "está": langES, "más": langES, "esto": langES, "eso": langES,
	"hay": langES, "sí": langES, "gracias": langES, "como": langES,
	// French
	"le": langFR, "les": langFR, "des": langFR, "est": langFR, "et": langFR, "une": langFR, "je": langFR,
	"vous": langFR, "pas": langFR, "ce": langFR, "c'est": langFR, "pour": langFR, "avec": langFR, "qui": langFR,
	"au": langFR, "merci": langFR, "très": langFR, "il": langFR,
	// German
	"der": langDE, "die": langDE, "das": langDE, "und": langDE, "ist": langDE, "ich": langDE, "nicht": langDE,
	"mit": langDE, "ein": langDE, "eine": langDE, "sie": langDE, "wie": langDE, "auf": langDE, "bitte": langDE,
	"danke": langDE, "kannst": langDE, "was": langDE, "zu": langDE,
	// Portuguese
	"não": langPT, "você": langPT, "os": langPT, "da": langPT, "em": langPT, "isso": langPT, "obrigado": langPT,
	"obrigada": langPT, "muito": langPT, "pode": langPT, "são": langPT, "é": langPT, "ao": langPT,
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
	var votes [len(guessLangs)]int
	for _, r := range text {
		switch {
		case r < utf8.RuneSelf:
			if 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' {
				latin++
			}
		case 0x4E00 <= r && r <= 0x9FFF || 0x3400 <= r && r <= 0x4DBF:
			han++
		case 0x3040 <= r && r <= 0x30FF:
			kana++
		case 0xAC00 <= r && r <= 0xD7AF:
			hangul++
		case 0x0400 <= r && r <= 0x04FF:
			cyr++
			switch r {
			case 'і', 'ї', 'є', 'ґ', 'І', 'Ї', 'Є', 'Ґ':
				ukr++
			}
		case 0x0E00 <= r && r <= 0x0E7F:
			thai++
		case 0x00C0 <= r && r <= 0x024F:
			latin++
			switch r {
			case 'ñ', 'Ñ':
				votes[langES] += 2
			case 'ã', 'õ', 'Ã', 'Õ':
				votes[langPT] += 2
			case 'ß', 'ä', 'ö', 'ü', 'Ä', 'Ö', 'Ü':
				votes[langDE]++
			case 'è', 'ê', 'à', 'ù', 'â', 'î', 'ô', 'û', 'œ', 'ë':
				votes[langFR]++
			}
		case r == '¿' || r == '¡':
			votes[langES] += 2
		case unicode.Is(unicode.Han, r):
			han++
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
	// Function words of the opening, lower-cased into a stack buffer.
	words := capText(text, guessWordBytes)
	var buf [16]byte
	for i := 0; i < len(words); {
		r, size := guessRune(words, i)
		if !isGuessLetter(r) {
			i += size
			continue
		}
		n, ok := 0, true
		for i < len(words) {
			r, size := guessRune(words, i)
			if !isGuessLetter(r) {
				break
			}
			switch {
			case !ok:
			case r < utf8.RuneSelf && n < len(buf):
				buf[n] = byte(r)
				n++
			case r >= utf8.RuneSelf && n+utf8.RuneLen(r) <= len(buf):
				n += utf8.EncodeRune(buf[n:], r)
			default:
				ok = false
			}
			i += size
		}
		if l, found := functionWords[string(buf[:n])]; ok && found {
			votes[l]++
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
	return guessLangs[best]
}

// Latin-script languages GuessLanguage tells apart; ties go to the earlier.
const (
	langEN = iota
	langES
	langFR
	langDE
	langPT
)

var guessLangs = [...]string{langEN: "en", langES: "es", langFR: "fr", langDE: "de", langPT: "pt"}

// guessRune decodes the rune at byte i of s, lower-cased.
func guessRune(s string, i int) (rune, int) {
	if c := s[i]; c < utf8.RuneSelf {
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		return rune(c), 1
	}
	r, size := utf8.DecodeRuneInString(s[i:])
	return unicode.ToLower(r), size
}

func isGuessLetter(r rune) bool {
	if r < utf8.RuneSelf {
		return 'a' <= r && r <= 'z' || r == '\''
	}
	return unicode.IsLetter(r)
}
