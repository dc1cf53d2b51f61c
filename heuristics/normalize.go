package heuristics

import (
	"unicode"
	"unicode/utf8"
)

// normText is text in matching form together with a map back to the
// original bytes.
//
// Normalisation lowercases letters, folds curly quotes and apostrophes to
// their ASCII forms, folds full-width CJK punctuation (？！，：；) to ASCII,
// collapses every run of whitespace to one byte (a '\n' when the run holds a
// line break, otherwise ' ') and replaces each invalid UTF-8 byte by a NUL
// byte, which no pattern contains.
type normText struct {
	b []byte
	// start[i] is the original offset of the rune that produced b[i].
	start []int32
	orig  string // the text that was normalised
}

// span maps the normalised byte range [s,e) back to the original text.
func (n *normText) span(s, e int) (int, int) {
	last := int(n.start[e-1])
	_, size := utf8.DecodeRuneInString(n.orig[last:])
	return int(n.start[s]), last + size
}

// fold maps a rune to its matching form.
func fold(r rune) rune {
	switch r {
	case '\u2018', '\u2019', '\u201A', '\u201B', '\u2032', '\u00B4':
		return '\''
	case '\u201C', '\u201D', '\u201E', '\u201F', '\u2033':
		return '"'
	case '\uFF1F':
		return '?'
	case '\uFF01':
		return '!'
	case '\uFF0C':
		return ','
	case '\uFF1A':
		return ':'
	case '\uFF1B':
		return ';'
	}
	return unicode.ToLower(r)
}

// normalize appends the matching form of text to n (which is reset first).
//
// It writes through indexes into buffers grown up front (the matching form
// is rarely longer than the text) instead of appending byte by byte: this
// runs for every follow-up and reply.
func (n *normText) normalize(text string) {
	n.orig = text
	b, st := n.b[:cap(n.b)], n.start[:cap(n.start)]
	if len(b) < len(text)+utf8.UTFMax || len(st) < len(b) {
		b = make([]byte, len(text)+len(text)/8+2*utf8.UTFMax)
		st = make([]int32, len(b))
	}
	j := 0
	inSpace := false
	spaceAt := 0
	for i := 0; i < len(text); {
		if len(b)-j < utf8.UTFMax {
			b, st = growNorm(b, st, j)
		}
		c := text[i]
		if c < utf8.RuneSelf {
			switch {
			case c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f':
				if !inSpace {
					inSpace, spaceAt = true, j
					b[j], st[j] = ' ', int32(i)
					j++
				}
			case c == '\n':
				if !inSpace {
					inSpace, spaceAt = true, j
					b[j], st[j] = '\n', int32(i)
					j++
				} else {
					b[spaceAt] = '\n'
				}
			case c > ' ':
				// A run of printable ASCII: one byte out per byte in, as
				// far as the buffer has room.
				inSpace = false
				end := min(len(text), i+len(b)-j)
				for ; i < end; i, j = i+1, j+1 {
					c := text[i]
					if c <= ' ' || c >= utf8.RuneSelf {
						break
					}
					if 'A' <= c && c <= 'Z' {
						c += 'a' - 'A'
					}
					b[j], st[j] = c, int32(i)
				}
				continue
			default:
				inSpace = false
				b[j], st[j] = c, int32(i)
				j++
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(text[i:])
		if lr, ok := lowerFast(r); ok { // common letters: no table lookups
			inSpace = false
			k := utf8.EncodeRune(b[j:], lr)
			for x := j; x < j+k; x++ {
				st[x] = int32(i)
			}
			j += k
			i += size
			continue
		}
		switch {
		case r == utf8.RuneError && size == 1:
			inSpace = false
			b[j], st[j] = 0, int32(i)
			j++
		case unicode.IsSpace(r):
			if !inSpace {
				inSpace, spaceAt = true, j
				b[j], st[j] = ' ', int32(i)
				j++
			}
			if r == '\u2028' || r == '\u2029' || r == '\u0085' {
				b[spaceAt] = '\n'
			}
		default:
			inSpace = false
			k := utf8.EncodeRune(b[j:], fold(r))
			for x := j; x < j+k; x++ {
				st[x] = int32(i)
			}
			j += k
		}
		i += size
	}
	n.b, n.start = b[:j], st[:j]
}

// lowerFast returns fold(r) for letters of the Latin-1 supplement, basic
// Cyrillic and CJK ideographs, which are never white space, and false for
// every other rune.
func lowerFast(r rune) (rune, bool) {
	switch {
	case 0x4E00 <= r && r <= 0x9FFF, 0x0430 <= r && r <= 0x045F, 0xDF <= r && r <= 0xFF:
		return r, true
	case 0x0410 <= r && r <= 0x042F:
		return r + 0x20, true
	case 0x0400 <= r && r <= 0x040F:
		return r + 0x50, true
	case 0xC0 <= r && r <= 0xDE && r != 0xD7:
		return r + 0x20, true
	}
	return 0, false
}

// growNorm doubles the normalisation buffers, keeping their first n entries.
func growNorm(b []byte, st []int32, n int) ([]byte, []int32) {
	nb := make([]byte, 2*len(b)+2*utf8.UTFMax)
	ns := make([]int32, len(nb))
	copy(nb, b[:n])
	copy(ns, st[:n])
	return nb, ns
}

// normalizePattern returns the matching form of a lexicon pattern, trimmed
// and with every whitespace run as a single space.
func normalizePattern(p string) string {
	var n normText
	n.normalize(p)
	b := n.b
	for i, c := range b {
		if c == '\n' {
			b[i] = ' '
		}
	}
	for len(b) > 0 && b[0] == ' ' {
		b = b[1:]
	}
	for len(b) > 0 && b[len(b)-1] == ' ' {
		b = b[:len(b)-1]
	}
	return string(b)
}

// isWordRune reports whether r is part of a word for boundary checks.
func isWordRune(r rune) bool {
	return r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r)
}

// isUnspacedRune reports whether r belongs to a script written without
// spaces between words, where patterns match as plain substrings.
func isUnspacedRune(r rune) bool {
	return unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Thai, unicode.Lao,
		unicode.Khmer, unicode.Myanmar)
}

// wordBefore reports whether the rune ending just before byte i of b is a
// word character.
func wordBefore(b []byte, i int) bool {
	if i <= 0 {
		return false
	}
	c := b[i-1]
	if c < utf8.RuneSelf {
		return c == '_' || ('a' <= c && c <= 'z') || ('0' <= c && c <= '9') || ('A' <= c && c <= 'Z')
	}
	r, _ := utf8.DecodeLastRune(b[:i])
	return isWordRune(r)
}

// wordAfter reports whether the rune starting at byte i of b is a word
// character.
func wordAfter(b []byte, i int) bool {
	if i >= len(b) {
		return false
	}
	c := b[i]
	if c < utf8.RuneSelf {
		return c == '_' || ('a' <= c && c <= 'z') || ('0' <= c && c <= '9') || ('A' <= c && c <= 'Z')
	}
	r, _ := utf8.DecodeRune(b[i:])
	return isWordRune(r)
}
