package heuristics

import "github.com/kljensen/snowball/english"

// English stemming on bytes. stemEnglish gives the same stems as the
// snowball package's english.Stem(w, false) (the Porter2 algorithm as that
// package implements it, quirks included) for words of ASCII bytes, which
// is what tokenSet produces for English text, without converting each word
// to runes; other words go to the snowball package. TestEnglishStemAgrees
// checks the two on a large word list.

// maxASCIIStem is the longest word stemmed on bytes.
const maxASCIIStem = 48

// enWord is a word being stemmed, with the starts of its regions R1 and R2.
type enWord struct {
	b      []byte
	r1, r2 int
}

func enVowel(c byte) bool {
	switch c {
	case 'a', 'e', 'i', 'o', 'u', 'y':
		return true
	}
	return false
}

func (w *enWord) has(suffix string) bool {
	n := len(w.b)
	if len(suffix) > n {
		return false
	}
	return string(w.b[n-len(suffix):]) == suffix
}

// first returns the first of suffixes that w ends with, or "".
func (w *enWord) first(suffixes ...string) string {
	for _, s := range suffixes {
		if w.has(s) {
			return s
		}
	}
	return ""
}

// clamp keeps R1 and R2 within the word after it shrank.
func (w *enWord) clamp() {
	w.r1, w.r2 = min(w.r1, len(w.b)), min(w.r2, len(w.b))
}

func (w *enWord) cut(n int) {
	w.b = w.b[:len(w.b)-n]
	w.clamp()
}

func (w *enWord) replace(suffix, repl string) {
	w.b = append(w.b[:len(w.b)-len(suffix)], repl...)
	w.clamp()
}

// vnv returns the index after the first non-vowel that follows a vowel at
// or after start, or the word length.
func (w *enWord) vnv(start int) int {
	for j := start + 1; j < len(w.b); j++ {
		if enVowel(w.b[j-1]) && !enVowel(w.b[j]) {
			return j + 1
		}
	}
	return len(w.b)
}

// shortSyllableAt reports whether the word's first i bytes end in a short
// syllable.
func (w *enWord) shortSyllableAt(i int) bool {
	b := w.b
	switch {
	case i == 2:
		return enVowel(b[0]) && !enVowel(b[1])
	case i >= 3:
		s1, s2, s3 := b[i-1], b[i-2], b[i-3]
		return !enVowel(s1) && s1 != 'w' && s1 != 'x' && s1 != 'Y' && enVowel(s2) && !enVowel(s3)
	}
	return false
}

// enSpecial lists the words the algorithm stems by table.
var enSpecial = map[string]string{
	"skis": "ski", "skies": "sky", "dying": "die", "lying": "lie", "tying": "tie",
	"idly": "idl", "gently": "gentl", "ugly": "ugli", "early": "earli", "only": "onli",
	"singly": "singl", "sky": "sky", "news": "news", "howe": "howe", "atlas": "atlas",
	"cosmos": "cosmos", "bias": "bias", "andes": "andes",
	"inning": "inning", "innings": "inning", "outing": "outing", "outings": "outing",
	"canning": "canning", "cannings": "canning", "herring": "herring", "herrings": "herring",
	"earring": "earring", "earrings": "earring",
	"proceed": "proceed", "proceeds": "proceed", "proceeded": "proceed", "proceeding": "proceed",
	"exceed": "exceed", "exceeds": "exceed", "exceeded": "exceed", "exceeding": "exceed",
	"succeed": "succeed", "succeeds": "succeed", "succeeded": "succeed", "succeeding": "succeed",
}

// stemEnglish stems word as english.Stem(word, false) does.
func stemEnglish(word string, _ bool) string {
	if len(word) > maxASCIIStem || !lowerASCII(word) {
		return english.Stem(word, false)
	}
	if len(word) <= 2 || english.IsStopWord(word) {
		return word
	}
	if s, ok := enSpecial[word]; ok {
		return s
	}
	var buf [maxASCIIStem + 4]byte
	w := enWord{b: append(buf[:0], word...)}

	// Leading apostrophes (all but the last byte when all are).
	n := 0
	for n < len(w.b)-1 && w.b[n] == '\'' {
		n++
	}
	w.b = w.b[n:]
	// y at the start or after a vowel is a consonant.
	for i, c := range w.b {
		if c == 'y' && (i == 0 || enVowel(w.b[i-1])) {
			w.b[i] = 'Y'
		}
	}
	if string(w.b[:min(len(w.b), 5)]) == "gener" || string(w.b[:min(len(w.b), 5)]) == "arsen" {
		w.r1 = 5
	} else if len(w.b) >= 6 && string(w.b[:6]) == "commun" {
		w.r1 = 6
	} else {
		w.r1 = w.vnv(0)
	}
	w.r2 = w.vnv(w.r1)

	// Step 0: possessive endings.
	if s := w.first("'s'", "'s", "'"); s != "" {
		w.cut(len(s))
	}

	// Step 1a: plurals.
	switch w.first("sses", "ied", "ies", "us", "ss", "s") {
	case "sses":
		w.replace("sses", "ss")
	case "ied":
		w.replace("ied", "ie"[:1+b2i(len(w.b) <= 4)])
	case "ies":
		w.replace("ies", "ie"[:1+b2i(len(w.b) <= 4)])
	case "s":
		for i := 0; i < len(w.b)-2; i++ {
			if enVowel(w.b[i]) {
				w.cut(1)
				break
			}
		}
	}

	// Step 1b: -ed, -ing and the like.
	switch s := w.first("eedly", "ingly", "edly", "ing", "eed", "ed"); s {
	case "eed", "eedly":
		if len(s) <= len(w.b)-w.r1 {
			w.replace(s, "ee")
		}
	case "ed", "edly", "ing", "ingly":
		vowel := false
		for i := 0; i < len(w.b)-len(s); i++ {
			if enVowel(w.b[i]) {
				vowel = true
				break
			}
		}
		if !vowel {
			break
		}
		r1, r2 := w.r1, w.r2
		w.cut(len(s))
		switch t := w.first("at", "bl", "iz", "bb", "dd", "ff", "gg", "mm", "nn", "pp", "rr", "tt"); t {
		case "":
			if w.r1 >= len(w.b) && w.shortSyllableAt(len(w.b)) {
				w.b = append(w.b, 'e')
				w.r1, w.r2 = len(w.b), len(w.b)
				goto step1c
			}
		case "at", "bl", "iz":
			w.b = append(w.b, 'e')
		default:
			w.cut(1)
		}
		w.r1, w.r2 = min(r1, len(w.b)), min(r2, len(w.b))
	}

step1c:
	// Step 1c: final y after a consonant.
	if n := len(w.b); n > 2 && (w.b[n-1] == 'y' || w.b[n-1] == 'Y') && !enVowel(w.b[n-2]) {
		w.b[n-1] = 'i'
	}

	// Step 2: derivational suffixes in R1.
	if s := w.first("ational", "fulness", "iveness", "ization", "ousness",
		"biliti", "lessli", "tional", "alism", "aliti", "ation",
		"entli", "fulli", "iviti", "ousli", "anci", "abli",
		"alli", "ator", "enci", "izer", "bli", "ogi", "li"); s != "" && len(s) <= len(w.b)-w.r1 {
		n := len(w.b)
		switch s {
		case "li":
			if n >= 3 {
				switch w.b[n-3] {
				case 'c', 'd', 'e', 'g', 'h', 'k', 'm', 'n', 'r', 't':
					w.cut(2)
				}
			}
		case "ogi":
			if n >= 4 && w.b[n-4] == 'l' {
				w.replace(s, "og")
			}
		default:
			w.replace(s, step2Repl[s])
		}
	}

	// Step 3.
	if s := w.first("ational", "tional", "alize", "icate", "ative",
		"iciti", "ical", "ful", "ness"); s != "" && len(s) <= len(w.b)-w.r1 {
		if s == "ative" {
			if len(w.b)-w.r2 >= 5 {
				w.cut(len(s))
			}
		} else {
			w.replace(s, step3Repl[s])
		}
	}

	// Step 4: suffixes in R2.
	if s := w.first("ement", "ance", "ence", "able", "ible", "ment",
		"ent", "ant", "ism", "ate", "iti", "ous", "ive",
		"ize", "ion", "al", "er", "ic"); s != "" && len(s) <= len(w.b)-w.r2 {
		if s != "ion" {
			w.cut(len(s))
		} else if n := len(w.b); n >= 4 && (w.b[n-4] == 's' || w.b[n-4] == 't') {
			w.cut(len(s))
		}
	}

	// Step 5: final e and ll.
	if last := len(w.b) - 1; w.r1 <= last {
		switch {
		case w.b[last] == 'e':
			if w.r2 <= last || !w.shortSyllableAt(last) {
				w.cut(1)
			}
		case w.r2 <= last && w.b[last] == 'l' && last >= 1 && w.b[last-1] == 'l':
			w.cut(1)
		}
	}

	for i, c := range w.b {
		if c == 'Y' {
			w.b[i] = 'y'
		}
	}
	return string(w.b)
}

var step2Repl = map[string]string{
	"tional": "tion", "enci": "ence", "anci": "ance", "abli": "able", "entli": "ent",
	"izer": "ize", "ization": "ize", "ational": "ate", "ation": "ate", "ator": "ate",
	"alism": "al", "aliti": "al", "alli": "al", "fulness": "ful", "ousli": "ous",
	"ousness": "ous", "iveness": "ive", "iviti": "ive", "biliti": "ble", "bli": "ble",
	"fulli": "ful", "lessli": "less",
}

var step3Repl = map[string]string{
	"ational": "ate", "tional": "tion", "alize": "al", "icate": "ic", "iciti": "ic",
	"ical": "ic", "ful": "", "ness": "",
}

// lowerASCII reports whether s has only ASCII bytes and no upper-case
// letters or white space (english.Stem lowercases and trims its input).
func lowerASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x80 || 'A' <= c && c <= 'Z' || c <= ' ' {
			return false
		}
	}
	return true
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}
