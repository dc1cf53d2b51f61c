package heuristics

import (
	"bytes"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
	"unsafe"

	"github.com/dsatmine/dsatmine/conversation"
)

// replyInfo is what the engine learns from the judged reply.
type replyInfo struct {
	refusal  bool // refused or stated a limitation
	question bool // ends by asking the user something
	cutoff   bool // looks cut off (unclosed code fence or no final punctuation)
	holding  bool // a short holding message ("let me look into it") with no answer yet
}

// maxHoldingBytes is the longest reply that counts as a holding message: a
// longer reply that says "let me check" has content the user can react to.
const maxHoldingBytes = 160

// questionTail is how far from the end of the reply a question cue counts.
const questionTail = 400

// analyzeReply looks for refusal and question cues in the head and tail of
// the reply and decides whether it looks cut off.
func (e *Engine) analyzeReply(sc *scratch, reply string, mask uint64) replyInfo {
	ri := replyShape(reply)
	if strings.TrimSpace(reply) == "" {
		return ri
	}
	cues := e.replyCues(sc, reply, mask)
	ri.refusal, ri.holding = cues.refusal, cues.holding
	ri.question = ri.question || cues.question
	return ri
}

// replyCues scans the head and tail of a non-blank reply with the reply
// automaton: refusal, holding and (near the end) question cues.
func (e *Engine) replyCues(sc *scratch, reply string, mask uint64) replyInfo {
	var ri replyInfo
	head := capText(reply, MaxReplyHeadBytes)
	scanPart := func(part string, tailPart bool) {
		sc.rp.normalize(part)
		sc.matches = e.rp.scan(sc.rp.b, sc.matches[:0])
		for _, m := range sc.matches {
			r := &e.rules[e.rpRule[m.id]]
			if mask&(1<<uint(r.lang)) == 0 {
				continue
			}
			s, en := int(m.start), int(m.end)
			if r.checkLeft && wordBefore(sc.rp.b, s) || r.checkRight && wordAfter(sc.rp.b, en) {
				continue
			}
			if r.flags&flagStart != 0 && !atSentenceStart(sc.rp.b, s) {
				continue
			}
			switch r.label {
			case labelRefusal:
				ri.refusal = true
			case labelQuestion:
				if tailPart && len(sc.rp.b)-en <= questionTail {
					ri.question = true
				}
			case labelHolding:
				ri.holding = len(reply) <= maxHoldingBytes
			}
		}
	}
	whole := len(head) == len(reply)
	scanPart(head, whole)
	if !whole {
		scanPart(tailText(reply, MaxReplyTailBytes), true)
	}
	return ri
}

// replyQuestionCue reports whether a question cue of the reply automaton
// ends within questionTail normalised bytes of the end of the reply's tail
// part: replyCues' question flag, from a scan of only the window where such
// a match can lie.
func (e *Engine) replyQuestionCue(sc *scratch, reply string, mask uint64) bool {
	part := capText(reply, MaxReplyHeadBytes)
	if len(part) != len(reply) {
		part = tailText(reply, MaxReplyTailBytes)
	}
	window := questionTail + e.rpMaxLen
	normalizeTail(&sc.rp, part, window)
	b := sc.rp.b
	from := max(0, len(b)-window)
	sc.matches = e.rp.scan(b[from:], sc.matches[:0])
	for _, m := range sc.matches {
		r := &e.rules[e.rpRule[m.id]]
		if r.label != labelQuestion || mask&(1<<uint(r.lang)) == 0 {
			continue
		}
		s, en := int(m.start)+from, int(m.end)+from
		if r.checkLeft && wordBefore(b, s) || r.checkRight && wordAfter(b, en) {
			continue
		}
		if r.flags&flagStart != 0 && !atSentenceStart(b, s) {
			continue
		}
		if len(b)-en <= questionTail {
			return true
		}
	}
	return false
}

// normalizeTail normalises text into n, or only a suffix of it whose
// normalised form is at least need bytes long: the suffix starts after a
// line break and at a printable ASCII byte, so its normalised form is the
// same bytes as the end of the whole text's, and what precedes it there is
// a line break (no word character, and a sentence start), as the start of
// the buffer is to the boundary checks.
func normalizeTail(n *normText, text string, need int) {
	if len(text) > 4*need {
		for k := len(text) - 2*need; k > 0 && k >= len(text)-4*need; k-- {
			if text[k-1] == '\n' && text[k] > ' ' && text[k] < 0x7f {
				n.normalize(text[k:])
				if len(n.b) >= need {
					return
				}
				break
			}
		}
	}
	n.normalize(text)
}

// replyShape decides, without the automaton, whether the reply looks cut
// off and whether its final line (outside code) ends with a question mark.
func replyShape(reply string) replyInfo {
	var ri replyInfo
	if strings.TrimSpace(reply) == "" {
		return ri
	}
	trimmed := strings.TrimRight(reply, " \t\r\n")
	if strings.Count(reply, "```")%2 == 1 {
		ri.cutoff = true
	} else if len(trimmed) > 400 {
		last, _ := utf8.DecodeLastRuneInString(trimmed)
		if !strings.ContainsRune(".!?)]}\"'`*:;…。！？>|", last) && !isUnspacedRune(last) {
			ri.cutoff = true
		}
	}
	// A final line (outside code) ending with a question mark.
	if !strings.HasSuffix(trimmed, "```") {
		line := trimmed
		if i := strings.LastIndexByte(line, '\n'); i >= 0 {
			line = line[i+1:]
		}
		line = strings.TrimRight(line, " *_)")
		if strings.HasSuffix(line, "?") || strings.HasSuffix(line, "？") {
			ri.question = true
		}
	}
	return ri
}

// errorMarkers are substrings of normalised text that mark a pasted error
// message, stack trace or failed command.
var errorMarkers = []string{
	"traceback (most recent call last)", "error:", "exception:", "exception in thread",
	"uncaught ", "panic:", "segmentation fault", "is not defined", "is not a function",
	"cannot find module", "command not found", "undefined reference", "has not been initialized",
	"cannot read propert", "unexpected token", "nullpointerexception", "stack trace:",
	"errno", "exit code 1", "exit status 1", "failed to compile", "compilation failed", "build failed",
	"no such file or directory", "permission denied", "module not found",
}

// structure adds conservative structural signals: an error message or stack
// trace pasted right after a reply that contained code.
func (e *Engine) structure(sc *scratch, text, reply, copyReply string, dst []Signal) []Signal {
	best := sc.errAt
	if best < 0 {
		return dst // no error marker: the reply need not be looked at
	}
	if !strings.Contains(reply, "```") && strings.Count(reply, "\n    ") < 3 {
		return dst
	}
	b := sc.fu.b
	os, oe := sc.fu.span(best, best+1)
	if regionAt(sc.regions, os, oe) == GuardQuote || copiedAt(text, os, oe, copyReply) {
		return dst
	}
	// Evidence: the line holding the marker, at most 200 bytes.
	ls := bytes.LastIndexByte(b[:best], '\n') + 1
	le := bytes.IndexByte(b[best:], '\n')
	if le < 0 {
		le = len(b)
	} else {
		le += best
	}
	for ls < le && b[ls] == ' ' {
		ls++
	}
	for le > ls && b[le-1] == ' ' {
		le--
	}
	os, oe = sc.fu.span(ls, le)
	if oe-os > 200 {
		oe = os + len(capText(text[os:], 200))
	}
	return append(dst, Signal{
		Polarity: DSAT,
		Category: Complaint,
		Score:    0.6,
		Evidence: []Span{{Start: os, End: oe, Text: text[os:oe]}},
		Detector: DetectorStructure,
		Cue:      "error output pasted after code reply",
	})
}

// rephrase adds a refinement signal when the follow-up repeats an earlier
// user request: Jaccard similarity of stemmed content tokens.
func (e *Engine) rephrase(sc *scratch, t *Turn, lang string, dst []Signal) []Signal {
	b := sc.fu.b
	if sc.stems == nil {
		sc.stems = make(map[uint64]uint64)
	}
	var st stemmer // chosen when the first comparison needs it
	var ok bool
	sc.toksF = sc.toksF[:0]
	bestJ, bestAt, bestNovel := 0.0, -1, 0
	seen := 0
	for i := t.FollowUp - 1; i >= 0 && seen < maxEarlier; i-- {
		m := t.Conv.Messages[i]
		if m.Role != "user" {
			continue
		}
		seen++
		// Jaccard >= 0.5 needs texts of comparable size: skip the stemming
		// when the lengths differ by more than 3x.
		fl, rl := min(len(b), maxRephraseBytes), min(len(m.Content), maxRephraseBytes)
		if len(m.Content) > maxRequestBytes || rl > 3*fl || fl > 3*rl {
			continue
		}
		if len(sc.toksF) == 0 {
			st, ok = pickStemmer(lang, b)
			sc.toksF = tokenSet(b, st, ok, sc.stems, sc.toksF)
			if len(sc.toksF) < minTokens {
				return dst
			}
		}
		toksR := sc.requestTokens(m.Content, st, ok)
		if len(toksR) < minTokens {
			continue
		}
		if j, _ := similarity(sc.toksF, toksR); j > bestJ {
			bestJ, bestAt = j, i
			bestNovel = len(sc.toksF) - overlap(sc.toksF, toksR)
		}
	}
	// A re-ask brings almost no new content words; a follow-up question on
	// the same topic shares many words but adds new ones.
	var score float64
	switch {
	case bestJ >= 0.8 && bestNovel <= 2:
		score = 0.7
	case bestJ >= 0.65:
		score = 0.45
	case bestJ >= 0.5:
		score = 0.3
	default:
		return dst
	}
	// Evidence: the follow-up itself (trimmed, at most 200 bytes).
	text := capText(t.Text(), MaxFollowUpBytes)
	s := len(text) - len(strings.TrimLeft(text, " \t\r\n"))
	end := len(strings.TrimRight(text, " \t\r\n"))
	if end < s {
		end = s
	}
	end = s + len(capText(text[s:end], 200))
	return append(dst, Signal{
		Polarity: DSAT,
		Category: Refinement,
		Score:    score,
		Evidence: []Span{{Start: s, End: end, Text: text[s:end]}},
		Detector: DetectorRephrase,
		Cue:      fmt.Sprintf("rephrase of message %d (sim %.2f)", bestAt, bestJ),
	})
}

// reqEntry is a request's token set, kept for the next follow-ups of the
// conversation: each user message is compared as a request with the next
// maxEarlier follow-ups.
type reqEntry struct {
	text    string // holds the text alive, so its address identifies it
	tag     string // stemmer
	hasStem bool
	toks    []uint64
}

// requestTokens returns the token set of the earlier request text, from the
// scratch's small cache when the same text (the same string in memory, which
// the entry keeps alive) was tokenised with the same stemmer. The set is a
// function of the text and the stemmer only, so a hit gives what a fresh
// computation would.
func (sc *scratch) requestTokens(text string, st stemmer, hasStem bool) []uint64 {
	for i := range sc.reqs {
		e := &sc.reqs[i]
		if len(e.text) == len(text) && unsafe.StringData(e.text) == unsafe.StringData(text) && e.tag == st.tag && e.hasStem == hasStem && e.toks != nil {
			return e.toks
		}
	}
	e := &sc.reqs[sc.reqNext]
	sc.reqNext = (sc.reqNext + 1) % len(sc.reqs)
	sc.rp.normalize(capText(text, maxRephraseBytes))
	e.text, e.tag, e.hasStem = text, st.tag, hasStem
	e.toks = tokenSet(sc.rp.b, st, hasStem, sc.stems, e.toks[:0])
	if e.toks == nil {
		e.toks = []uint64{}
	}
	return e.toks
}

// Concession window: a concession cue counts when it begins within the
// first concessionLead normalised bytes of the next assistant reply (its
// opening words), and not when a refusal cue lies within the first
// concessionHead bytes ("I apologize, but I cannot ..." refuses, it does
// not concede).
const (
	concessionLead = 40
	concessionHead = 200
)

// concession returns the concession rule that opens the assistant reply
// after the follow-up ("You're right, ...", "I apologize for the
// confusion"), or nil. An assistant that concedes has read the follow-up as
// a correction or complaint, which is evidence the reply before it missed.
func (e *Engine) concession(sc *scratch, t *Turn, mask uint64) *rule {
	n := t.FollowUp + 1
	if n >= len(t.Conv.Messages) || t.Conv.Messages[n].Role != conversation.Assistant {
		return nil
	}
	head := capText(t.Conv.Messages[n].Content, concessionHead)
	sc.rp.normalize(head)
	b := sc.rp.b
	sc.matches = e.rp.scan(b, sc.matches[:0])
	var found *rule
	for _, m := range sc.matches {
		r := &e.rules[e.rpRule[m.id]]
		if mask&(1<<uint(r.lang)) == 0 || r.label != labelConcession && r.label != labelRefusal {
			continue
		}
		s, en := int(m.start), int(m.end)
		if r.checkLeft && wordBefore(b, s) || r.checkRight && wordAfter(b, en) {
			continue
		}
		if r.label == labelRefusal {
			return nil
		}
		if found == nil && s <= concessionLead && atSentenceStart(b, s) {
			found = r
		}
	}
	return found
}

// concessionSignal is the DSAT signal of a conceding next reply. It joins
// the category of the follow-up's strongest DSAT signal (the assistant
// conceded to that), or is a complaint when the follow-up carries none.
// Its evidence is the follow-up's opening, the words the assistant
// conceded to.
func concessionSignal(r *rule, text string, sigs []Signal) Signal {
	cat, best := Complaint, 0.0
	for _, s := range sigs {
		if s.Polarity == DSAT && !IsExtension(s) && s.Score > best {
			cat, best = s.Category, s.Score
		}
	}
	st := len(text) - len(strings.TrimLeftFunc(text, unicode.IsSpace))
	ev := strings.TrimRightFunc(capText(text[st:], concessionEvidence), unicode.IsSpace)
	return Signal{
		Polarity: DSAT,
		Category: cat,
		Score:    r.weight,
		Evidence: []Span{{Start: st, End: st + len(ev), Text: ev}},
		Detector: DetectorConcession,
		Cue:      "next reply concedes: " + r.cue(),
	}
}

// concessionEvidence caps the follow-up opening quoted as a concession's
// evidence, in bytes.
const concessionEvidence = 160
