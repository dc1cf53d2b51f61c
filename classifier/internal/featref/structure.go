package featref

import (
	"math"
	"strings"

	"github.com/dsatmine/dsatmine/heuristics"
)

// Structural features: what the follow-up is, not which words it uses.
// They describe where a cue sits (the opening of the follow-up or deep in
// new material the user pasted), whether the follow-up addresses the reply
// or brings a new task, and whether the assistant's next reply reworks the
// judged one. They are on when FeatureConfig.Structure >= 1.

// openingWindow is how many bytes of the follow-up count as its opening:
// a cue there is the user's reaction; a cue further in usually sits inside
// material the user pasted.
const openingWindow = 80

// pastedMin is the length from which a multi-line follow-up counts as
// pasted material.
const pastedMin = 400

// structure adds the follow-up's structural features; code says whether
// the follow-up holds code (hasCode, already computed by featurize).
func (f *featurizer) structure(sc *scratch, text string, code bool, signals []heuristics.Signal) {
	pasted := len(text) >= pastedMin && (code || strings.Count(text, "\n") >= 3)
	if pasted {
		f.flag(sc, "st:pasted")
	}
	open, deep := false, false
	for _, s := range signals {
		if s.Polarity != heuristics.DSAT || len(s.Evidence) == 0 {
			continue
		}
		start := s.Evidence[0].Start
		pos := "deep"
		if start < openingWindow {
			pos, open = "open", true
		} else {
			deep = true
		}
		h := hstr(fnvOffset, "st:cue:")
		h = hstr(h, pos)
		h = hstr(h, string(s.Category))
		f.add(sc, h, float32(s.Score)*heuristicScale)
	}
	switch {
	case deep && !open && pasted:
		f.flag(sc, "st:cue-deep-pasted")
	case deep && !open:
		f.flag(sc, "st:cue-deep")
	}
	// Does the opening point back at the reply?
	k := min(len(sc.toks), 8)
	for i := 0; i < k; i++ {
		if deictic[string(sc.norm[sc.toks[i].s:sc.toks[i].e])] { // no allocation
			f.flag(sc, "st:deictic")
			if i < 3 {
				f.flag(sc, "st:deictic-open")
			}
			break
		}
	}
}

// deictic words point back at what was just said.
var deictic = map[string]bool{
	"it": true, "that": true, "this": true, "your": true, "you": true, "above": true, "previous": true,
	"again": true, "these": true, "those": true, "last": true,
	// Spanish, Russian, and Chinese (tokens are single Han characters)
	"eso": true, "esto": true, "esta": true, "este": true, "tu": true, "anterior": true, "otra": true,
	"это": true, "этот": true, "эту": true, "твой": true, "твою": true, "ваш": true, "снова": true, "опять": true,
	"你": true, "您": true, "这": true, "這": true, "再": true, "又": true,
}

// revisionCues open a reply that reworks the previous one.
var revisionCues = newCueSet(true,
	"revised", "updated", "corrected", "modified", "rewritten", "shorter", "longer", "another", "new version",
	"fixed", "adjusted", "amended", "simplified", "condensed", "expanded", "instead",
)

// revision adds features of how the assistant's next reply relates to the
// judged reply: a reply that reworks the judged one (high overlap, or an
// opening that announces a revision) follows a request to change it.
func (f *featurizer) revision(sc *scratch, reply, next string) {
	a := *sc.stems(reply) // a copy: the next lookup may evict its cache entry
	b := sc.stems(next)
	na, nb := a.len(), b.len()
	if na > 0 && nb > 0 {
		inter := a.intersect(b)
		jac := float64(inter) / float64(na+nb-inter)
		f.add(sc, hstr(fnvOffset, "st:simnr"), float32(jac))
		f.bucket(sc, "st:simnrb", int(jac*5), 1)
	}
	if len(reply) > 0 && len(next) > 0 {
		r := math.Log2(float64(len(next)) / float64(len(reply)))
		f.bucket(sc, "st:ratio-nr", clampBucket(r, 4), 1)
	}
	if revisionCues.in(next, cut(next, 160)) {
		f.flag(sc, "st:nrev")
	}
}
