package heuristics

import (
	"math/rand/v2"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/stretchr/testify/require"
)

// normalizeRef is the straightforward append-based normalisation that
// normalize must match byte for byte and offset for offset.
func normalizeRef(text string) ([]byte, []int32) {
	var b []byte
	var start []int32
	emit := func(p []byte, s int) {
		for _, c := range p {
			b = append(b, c)
			start = append(start, int32(s))
		}
	}
	var buf [utf8.UTFMax]byte
	inSpace := false
	spaceAt := 0
	for i := 0; i < len(text); {
		c := text[i]
		if c < utf8.RuneSelf {
			switch {
			case c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f':
				if !inSpace {
					inSpace, spaceAt = true, len(b)
					emit([]byte{' '}, i)
				}
			case c == '\n':
				if !inSpace {
					inSpace, spaceAt = true, len(b)
					emit([]byte{'\n'}, i)
				} else {
					b[spaceAt] = '\n'
				}
			default:
				inSpace = false
				if 'A' <= c && c <= 'Z' {
					c += 'a' - 'A'
				}
				emit([]byte{c}, i)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(text[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			inSpace = false
			emit([]byte{0}, i)
		case unicode.IsSpace(r):
			if !inSpace {
				inSpace, spaceAt = true, len(b)
				emit([]byte{' '}, i)
			}
			if r == '\u2028' || r == '\u2029' || r == '\u0085' {
				b[spaceAt] = '\n'
			}
		default:
			inSpace = false
			k := utf8.EncodeRune(buf[:], fold(r))
			emit(buf[:k], i)
		}
		i += size
	}
	return b, start
}

func TestNormalizeMatchesReference(t *testing.T) {
	// Pieces that exercise every branch, including runes whose lower case
	// is longer than they are (Ⱥ, Ȿ) and invalid bytes.
	pieces := []string{"a", "Z", " ", "\t", "\r\n", "\n\n", "\u00a0", "\u2028", "\u0085", "’", "“", "？", "！", "Ⱥ", "ȾȾȾ",
		"Ȿ", "İ", "ß", "世界", "Привет", "\xff", "\xe2\x80", "don't", "  \n  ", "É", "😀", "\x00", "Hello, World!", "x\x7fY"}
	rng := rand.New(rand.NewPCG(1, 2))
	var n normText
	for trial := range 3000 {
		var sb strings.Builder
		for range rng.IntN(60) {
			sb.WriteString(pieces[rng.IntN(len(pieces))])
		}
		if trial%100 == 0 {
			sb.WriteString(strings.Repeat("ȾⱥȺ", 500)) // the matching form outgrows the text
		}
		if trial%100 == 1 {
			sb.WriteString(strings.Repeat("ȾȾ", 300) + strings.Repeat("Long ASCII Run.", 200)) // runs after growth
		}
		text := sb.String()
		wantB, wantS := normalizeRef(text)
		n.normalize(text) // n is reused, as pooled scratch buffers are
		require.Equal(t, string(wantB), string(n.b), "%q", text)
		require.Equal(t, len(wantS), len(n.start))
		for i := range wantS {
			require.Equal(t, wantS[i], n.start[i], "offset %d of %q", i, text)
		}
		require.Equal(t, text, n.orig)
	}
}

func TestLowerFastMatchesFold(t *testing.T) {
	n := 0
	for r := rune(0); r <= 0x10FFFF; r++ {
		lr, ok := lowerFast(r)
		if !ok {
			continue
		}
		n++
		require.Equal(t, fold(r), lr, "%U", r)
		require.False(t, unicode.IsSpace(r), "%U", r)
	}
	require.Greater(t, n, 20000)
}
