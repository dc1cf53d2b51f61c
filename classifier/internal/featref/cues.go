package featref

// cueSet finds lower-case ASCII cues in text, ignoring ASCII case. Cues are
// indexed by their first byte, so a position costs one table lookup unless a
// cue can start there.
type cueSet struct {
	byFirst [256][]string
	// pairs has a bit set for every lower-cased first two bytes of a cue.
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
		if len(c) >= 2 {
			p := uint16(c[0])<<8 | uint16(c[1])
			s.pairs[p/64] |= 1 << (p % 64)
		}
	}
	return s
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
	for i := 0; i < len(text); i++ {
		c0 := lowerASCII(text[i])
		cands := s.byFirst[c0]
		if len(cands) == 0 || s.wordStart && i > 0 && isAlnumASCII(text[i-1]) {
			continue
		}
		if i+1 < len(text) {
			if p := uint16(c0)<<8 | uint16(lowerASCII(text[i+1])); s.pairs[p/64]&(1<<(p%64)) == 0 {
				continue
			}
		}
	next:
		for _, cue := range cands {
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
	}
	return false
}
