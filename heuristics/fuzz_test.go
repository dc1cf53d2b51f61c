package heuristics

import (
	"strings"
	"testing"
	"unicode"
)

// FuzzAnalyze checks that any follow-up and reply give valid evidence spans
// and scores in [0,1] without panicking.
func FuzzAnalyze(f *testing.F) {
	f.Add("That’s WRONG 😀", "Here you go.")
	f.Add("\xff\xfe continue \xc3", "```go\nfunc main() {")
	f.Add("> quoted: this is wrong\nthanks", "this is wrong")
	// Every embedded cue, in upper case inside other text, as a seed: this
	// covers the normalisation of every script the lexicons use.
	e := Default()
	for i, r := range e.rules {
		if i%7 == 0 {
			f.Add("« "+strings.ToUpper(r.pattern)+" »!", "Would you like more?")
		}
	}
	f.Fuzz(func(t *testing.T, followUp, reply string) {
		a := e.Analyze(turnOf("", followUp, reply, followUp))
		checkSpans(t, followUp, a)
		if a.DSAT < 0 || a.DSAT > 1 || a.SAT < 0 || a.SAT > 1 {
			t.Fatalf("scores out of range: %s", a)
		}
	})
}

// TestEveryCueMatchesItself runs each follow-up cue of every embedded lexicon
// through the engine in its original (title-cased) spelling and checks that
// the rule fires with evidence that maps back to the original text.
func TestEveryCueMatchesItself(t *testing.T) {
	e := Default()
	for i := range e.rules {
		r := &e.rules[i]
		if r.label != labelCategory && r.label != labelSAT && r.label != labelThanks || r.lang < 0 {
			continue
		}
		text := titleCase(r.pattern)
		c := turnOf(e.langs[r.lang], "q", "ok", text)
		found := false
		sc := e.scratch.Get().(*scratch)
		sc.fu.normalize(text)
		for _, m := range e.fu.scan(sc.fu.b, nil) {
			if &e.rules[e.fuRule[m.id]] == r {
				s, en := sc.fu.span(int(m.start), int(m.end))
				if text[s:en] == text {
					found = true
				}
			}
		}
		e.scratch.Put(sc)
		if !found {
			t.Errorf("%s: pattern %q not matched in %q", r.id, r.pattern, text)
		}
		checkSpans(t, text, e.Analyze(c))
	}
}

func titleCase(s string) string {
	rs := []rune(s)
	if len(rs) > 0 {
		rs[0] = unicode.ToTitle(rs[0])
	}
	return string(rs)
}
