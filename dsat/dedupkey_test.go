package dsat

import (
	"crypto/sha256"
	"math/rand/v2"
	"strings"
	"testing"
	"unicode"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// dedupKeyRef is the definition of DedupKey written plainly: the sha256 of
// every prompt message as role, NUL, normalised content, NUL, then a 1 byte,
// then every rejected message as normalised content, NUL.
func dedupKeyRef(a *Anchor) [16]byte {
	norm := func(s string) string {
		var b strings.Builder
		space, wrote := false, false
		for _, r := range s {
			if unicode.IsSpace(r) {
				space = true
				continue
			}
			if space && wrote {
				b.WriteByte(' ')
			}
			space, wrote = false, true
			b.WriteRune(unicode.ToLower(r))
		}
		return b.String()
	}
	var all strings.Builder
	for _, m := range a.Prompt {
		all.WriteString(m.Role + "\x00" + norm(m.Content) + "\x00")
	}
	all.WriteByte(1)
	for _, m := range a.Rejected {
		all.WriteString(norm(m.Content) + "\x00")
	}
	sum := sha256.Sum256([]byte(all.String()))
	var k [16]byte
	copy(k[:], sum[:])
	return k
}

func TestDedupKeyMatchesDefinition(t *testing.T) {
	pieces := []string{"a", "B", "Word-42_Z", " ", "\t\n", "\u00a0", "\u0085", "\u3000", "É", "İ", "Ⱥ", "世界", "\xff", "\xe2\x80", "😀", "x\u2028y", "."}
	rng := rand.New(rand.NewPCG(3, 4))
	text := func() string {
		var b strings.Builder
		for range rng.IntN(40) {
			b.WriteString(pieces[rng.IntN(len(pieces))])
		}
		return b.String()
	}
	for range 2000 {
		a := &Anchor{}
		for range 1 + rng.IntN(3) {
			a.Prompt = append(a.Prompt, ChatMessage{Role: []string{"system", "user", "assistant"}[rng.IntN(3)], Content: text()})
		}
		a.Rejected = []ChatMessage{{Role: "assistant", Content: text()}}
		require.Equal(t, dedupKeyRef(a), DedupKey(a))
	}
	// Case and white space do not matter; words do.
	k := func(p, r string) [16]byte {
		return DedupKey(&Anchor{Prompt: []ChatMessage{{Role: "user", Content: p}}, Rejected: []ChatMessage{{Role: "assistant", Content: r}}})
	}
	assert.Equal(t, k("Write a  POEM\n", "Roses are red"), k(" write a poem", "roses\tare  red "))
	assert.NotEqual(t, k("write a poem", "roses are red"), k("write a poem", "roses are blue"))
}
