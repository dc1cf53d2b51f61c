package llmjudge

import (
	"sync"
	"unicode/utf8"

	"github.com/pkoukk/tiktoken-go"
	tiktoken_loader "github.com/pkoukk/tiktoken-go-loader"
)

func init() {
	// Never fetch BPE files over the network: the ranks are embedded.
	tiktoken.SetBpeLoader(tiktoken_loader.NewOfflineLoader())
}

// maxBytesPerToken bounds how many bytes of text are tokenized to find the
// first or last n tokens, so that huge messages cost no more than short ones.
const maxBytesPerToken = 16

var (
	encOnce sync.Once
	enc     *tiktoken.Tiktoken
	encErr  error
)

// encoding returns the cl100k_base encoding, loaded once from embedded data.
func encoding() (*tiktoken.Tiktoken, error) {
	encOnce.Do(func() { enc, encErr = tiktoken.GetEncoding("cl100k_base") })
	return enc, encErr
}

// tokenizer counts and truncates text by cl100k_base tokens.
type tokenizer struct{ enc *tiktoken.Tiktoken }

func (t tokenizer) count(s string) int { return len(t.enc.EncodeOrdinary(s)) }

// head returns the longest prefix of s of at most n tokens (cut on a rune
// boundary), its token count and whether s was cut.
func (t tokenizer) head(s string, n int) (string, int, bool) {
	if len(s) <= n {
		return s, t.count(s), false
	}
	window := s
	if lim := n * maxBytesPerToken; len(s) > lim {
		window = s[:runeStart(s, lim)]
	}
	toks := t.enc.EncodeOrdinary(window)
	if len(toks) <= n {
		return window, len(toks), len(window) < len(s)
	}
	cut := runeStart(s, len(t.enc.Decode(toks[:n])))
	return s[:cut], n, true
}

// tail returns the longest suffix of s of at most n tokens (cut on a rune
// boundary), its token count and whether s was cut.
func (t tokenizer) tail(s string, n int) (string, int, bool) {
	if len(s) <= n {
		return s, t.count(s), false
	}
	window := s
	if lim := n * maxBytesPerToken; len(s) > lim {
		window = s[runeEnd(s, len(s)-lim):]
	}
	toks := t.enc.EncodeOrdinary(window)
	if len(toks) <= n {
		return window, len(toks), len(window) < len(s)
	}
	keep := len(t.enc.Decode(toks[len(toks)-n:]))
	start := runeEnd(s, len(s)-keep)
	return s[start:], n, true
}

// omitted marks where text was cut out of a message sent to the judge.
const omitted = "\n[… omitted …]\n"

// middle keeps the first and last n/2 tokens of s when s is longer than n
// tokens, joined by a marker, and returns the text and its token count.
func (t tokenizer) middle(s string, n int) (string, int) {
	h, hn, cut := t.head(s, n)
	if !cut {
		return h, hn
	}
	h, hn, _ = t.head(s, n/2)
	tl, tn, _ := t.tail(s[len(h):], n-n/2)
	return h + omitted + tl, hn + tn + t.count(omitted)
}

// runeStart moves i back to the start of the rune that contains it.
func runeStart(s string, i int) int {
	for i > 0 && i < len(s) && !utf8.RuneStart(s[i]) {
		i--
	}
	return i
}

// runeEnd moves i forward to the next rune start.
func runeEnd(s string, i int) int {
	for i > 0 && i < len(s) && !utf8.RuneStart(s[i]) {
		i++
	}
	return i
}
