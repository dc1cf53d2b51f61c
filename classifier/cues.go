package classifier

// cueSet finds lower-case ASCII cues in text, ignoring ASCII case. Cues are
// indexed by their first byte, so a position costs one table lookup unless a
// cue can start there.
type cueSet struct {
	byFirst [256][]string
	// pairs has a bit set for every two bytes that open a cue, ASCII case
	// ignored: one lookup rules out most positions.
	pairs [1 << 16 / 64]uint64
	// wordStart restricts matches to positions not preceded by a letter or digit.
	wordStart bool
}

func newCueSet(wordStart bool, cues ...string) *cueSet {
	s := &cueSet{wordStart: wordStart}
	for _, c := range cues {
		if len(c) < 2 {
			panic("classifier: cue shorter than two bytes: " + c)
		}
		s.byFirst[c[0]] = append(s.byFirst[c[0]], c)
		for _, x := range caseVariants(c[0]) {
			for _, y := range caseVariants(c[1]) {
				p := uint16(x)<<8 | uint16(y)
				s.pairs[p/64] |= 1 << (p % 64)
			}
		}
	}
	return s
}

// caseVariants returns the bytes x with lowerASCII(x) == c.
func caseVariants(c byte) []byte {
	switch {
	case 'a' <= c && c <= 'z':
		return []byte{c, c - 'a' + 'A'}
	case 'A' <= c && c <= 'Z':
		return nil
	}
	return []byte{c}
}

func lowerASCII(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

func isAlnumASCII(c byte) bool {
	c = lowerASCII(c)
	return 'a' <= c && c <= 'z' || '0' <= c && c <= '9'
}

// in reports whether any cue occurs in the first limit bytes of s (all of s
// when limit <= 0).
func (s *cueSet) in(text string, limit int) bool {
	if limit > 0 && len(text) > limit {
		text = text[:limit]
	}
	// A cue has at least two bytes, so none starts at the last byte; the
	// loop carries each byte over as the first of the next pair.
	if len(text) < 2 {
		return false
	}
	c0 := uint16(text[0])
	for i := 1; i < len(text); i++ {
		c1 := uint16(text[i])
		p := c0<<8 | c1
		c0 = c1
		if s.pairs[p/64]&(1<<(p%64)) != 0 && s.at(text, i-1) {
			return true
		}
	}
	return false
}

// at reports whether a cue starts at byte i of text.
func (s *cueSet) at(text string, i int) bool {
	if s.wordStart && i > 0 && isAlnumASCII(text[i-1]) {
		return false
	}
next:
	for _, cue := range s.byFirst[lowerASCII(text[i])] {
		if len(text)-i < len(cue) {
			continue
		}
		for k := 1; k < len(cue); k++ {
			if lowerASCII(text[i+k]) != cue[k] {
				continue next
			}
		}
		return true
	}
	return false
}
